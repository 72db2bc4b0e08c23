"""Runnable scripts for the convolution lesson's current settings."""

from __future__ import annotations

import numpy as np

_IMAGE_LINES = [
    "from PIL import Image",
    "from skimage import data",
    "",
    "# The sample photo, grayscale in [0, 1], longer side {size} pixels.",
    "photo = Image.fromarray(data.{sample}()).convert(\"L\")",
    "scale = {size} / max(photo.size)",
    "photo = photo.resize((max(1, round(photo.width * scale)),",
    "                      max(1, round(photo.height * scale))), Image.LANCZOS)",
    "image = np.asarray(photo, dtype=\"float32\") / 255.0",
]


def _kernel_literal(kernel: np.ndarray) -> str:
    rows = ",\n    ".join(
        "[" + ", ".join(f"{v:.6g}" for v in row) + "]" for row in np.asarray(kernel))
    return f"kernel = np.array([\n    {rows},\n], dtype=\"float32\")"


def _image_block(sample: str, size: int) -> list[str]:
    return [line.format(sample=sample, size=size) for line in _IMAGE_LINES]


def keras_conv_code(sample: str, size: int, kernel: np.ndarray, stride: int,
                    padding: str, pool_mode: str, pool_size: int,
                    pool_stride: int) -> str:
    """Keras Conv2D (one filter, our kernel, no bias) then pooling, on the photo."""
    fh, fw = np.asarray(kernel).shape
    pool_layer = "MaxPool2D" if pool_mode == "max" else "AveragePooling2D"
    return "\n".join([
        "import os", "", 'os.environ["KERAS_BACKEND"] = "tensorflow"', "",
        "import keras", "import numpy as np", *_image_block(sample, size), "",
        _kernel_literal(kernel), "",
        f"conv = keras.layers.Conv2D(filters=1, kernel_size=({fh}, {fw}), "
        f"strides={stride},", f'                           padding="{padding}", '
        "use_bias=False)",
        "x = image[None, :, :, None]          # (batch, height, width, channels)",
        "conv.build(x.shape)",
        "conv.set_weights([kernel[:, :, None, None]])  # (fh, fw, in, out)",
        "feature_map = keras.ops.convert_to_numpy(conv(x))[0, :, :, 0]",
        f"pool = keras.layers.{pool_layer}(pool_size={pool_size}, "
        f'strides={pool_stride}, padding="valid")',
        "pooled = keras.ops.convert_to_numpy(pool(feature_map[None, :, :, None]))",
        'print("input", image.shape, "→ feature map", feature_map.shape,',
        '      "→ pooled", pooled.shape[1:3])',
    ]) + "\n"


def numpy_conv_code(sample: str, size: int, kernel: np.ndarray, stride: int,
                    padding: str) -> str:
    """The same convolution in plain NumPy: pad, take windows, multiply and add."""
    return "\n".join([
        "import math", "", "import numpy as np",
        "from numpy.lib.stride_tricks import sliding_window_view",
        *_image_block(sample, size), "", _kernel_literal(kernel),
        f"stride, padding = {stride}, \"{padding}\"", "", "",
        "def same_padding(n, f, s):",
        "    total = max((math.ceil(n / s) - 1) * s + f - n, 0)",
        "    return total // 2, total - total // 2  # TF puts the odd pixel after",
        "", "",
        "def conv2d(image, kernel, stride, padding):",
        "    if padding == \"same\":",
        "        pads = [same_padding(n, f, stride)",
        "                for n, f in zip(image.shape, kernel.shape)]",
        "        image = np.pad(image, pads)",
        "    windows = sliding_window_view(image, kernel.shape)[::stride, ::stride]",
        "    return np.einsum(\"hwij,ij->hw\", windows, kernel)  # Σ patch × kernel",
        "", "",
        "feature_map = conv2d(image, kernel, stride, padding)",
        'print("input", image.shape, "→ feature map", feature_map.shape)',
    ]) + "\n"
