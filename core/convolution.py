"""Convolution and pooling in NumPy, exactly as Keras/TensorFlow compute them.

Deep-learning "convolution" is cross-correlation: the kernel is not flipped. Output
size without padding is ⌊(n − f) / s⌋ + 1; TF's "same" padding gives ⌈n / s⌉ and
pads (f − 1 …) asymmetrically, the extra row/column going after (bottom/right).
Everything is vectorised with ``sliding_window_view``; no Python loop over pixels.

>>> conv2d(np.eye(3), KERNELS["identity"]).tolist()
[[1.0]]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

PADDINGS = ("valid", "same")

KERNELS: dict[str, np.ndarray] = {
    name: np.array(values, dtype=np.float64)
    for name, values in {
        # The documents' two filters (CURRICULUM §5): rows, then columns.
        "horizontal_edge": [[1, 1, 1], [0, 0, 0], [-1, -1, -1]],
        "vertical_edge": [[1, 0, -1], [1, 0, -1], [1, 0, -1]],
        "sobel_x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
        "sobel_y": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
        "laplacian": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
        "box_blur": [[1 / 9] * 3] * 3,
        "gaussian_blur": [[1 / 16, 2 / 16, 1 / 16], [2 / 16, 4 / 16, 2 / 16],
                          [1 / 16, 2 / 16, 1 / 16]],
        "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
        "emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
        "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
        "box_blur_5x5": [[1 / 25] * 5] * 5,
        "gaussian_blur_5x5": (np.outer(*[[1, 4, 6, 4, 1]] * 2) / 256).tolist(),
    }.items()
}

# The documents' worked example (S0): two patches under the horizontal-edge filter.
# The second is printed as −0.1 in the source; the arithmetic gives 0.3.
DOCUMENT_PATCHES = {
    "first": (np.array([[0.6, 0.4, 0.6], [0.1, -0.2, -0.3], [-0.5, -0.4, -0.3]]), 2.8),
    "second": (np.array([[-0.7, 0.6, 0.2], [0.1, 0.5, -0.3], [-0.3, -0.4, 0.5]]), -0.1),
}


class ConvolutionError(ValueError):
    """A convolution that cannot be computed, with a code the UI can translate."""

    def __init__(self, code: str, message: str, **details: object) -> None:
        super().__init__(message)
        self.code, self.details = code, details


def check_padding(padding: str) -> str:
    if padding not in PADDINGS:
        raise ConvolutionError("bad_padding", f"padding must be one of {PADDINGS}")
    return padding


def output_size(n: int, f: int, stride: int = 1, padding: str = "valid") -> int:
    """Output length along one axis: ⌊(n − f)/s⌋ + 1 ("valid") or ⌈n/s⌉ ("same").

    >>> output_size(7, 3), output_size(5, 3, padding="same")
    (5, 5)
    >>> output_size(64, 4, 2, "same")
    32
    """
    if stride < 1:
        raise ConvolutionError("bad_stride", "stride must be at least 1", stride=stride)
    if check_padding(padding) == "same":
        return math.ceil(n / stride)
    if f > n:
        raise ConvolutionError(
            "kernel_too_large", f"a {f}-wide window does not fit in {n} pixels "
            "without padding", size=n, kernel=f)
    return (n - f) // stride + 1


def same_padding(n: int, f: int, stride: int = 1) -> tuple[int, int]:
    """TF's "same" padding (before, after) along one axis; the odd pixel goes after.

    >>> same_padding(5, 3), same_padding(6, 4, 2), same_padding(7, 2, 2)
    ((1, 1), (1, 1), (0, 1))
    """
    total = max((math.ceil(n / stride) - 1) * stride + f - n, 0)
    return total // 2, total - total // 2


def padding_amounts(shape: tuple[int, int], kernel_shape: tuple[int, int],
                    stride: int, padding: str) -> tuple[tuple[int, int], ...]:
    """((top, bottom), (left, right)) for an image of ``shape``."""
    if check_padding(padding) == "valid":
        return (0, 0), (0, 0)
    return (same_padding(shape[0], kernel_shape[0], stride),
            same_padding(shape[1], kernel_shape[1], stride))


def _windows(image: np.ndarray, window: tuple[int, int], stride: int, padding: str,
             fill: float = 0.0) -> np.ndarray:
    """All windows the kernel visits: shape (out_h, out_w, fh, fw[, C])."""
    for axis in (0, 1):
        output_size(image.shape[axis], window[axis], stride, padding)  # validates
    pads = padding_amounts(image.shape[:2], window, stride, padding)
    pads += ((0, 0),) * (image.ndim - 2)
    padded = np.pad(image, pads, constant_values=fill)
    views = sliding_window_view(padded, window, axis=(0, 1))[::stride, ::stride]
    # sliding_window_view puts the window axes last; bring channels after them.
    return np.moveaxis(views, 2, -1) if image.ndim == 3 else views


def conv2d(image: np.ndarray, kernel: np.ndarray, stride: int = 1,
           padding: str = "valid") -> np.ndarray:
    """Cross-correlate ``image`` with ``kernel`` as ``tf.nn.conv2d`` does (no bias).

    Args:
        image: H×W, or H×W×C.
        kernel: f_h×f_w (2-D image), f_h×f_w×C (one filter spanning all
            channels) or f_h×f_w×C×K (K filters → K output channels).
        stride: the same step along rows and columns.
        padding: "valid" (none) or "same" (TF's, asymmetric when needed).

    Returns:
        H'×W' for one filter, H'×W'×K for K filters.

    Raises:
        ConvolutionError: the kernel does not fit, its channels do not match,
            or stride/padding are invalid.
    """
    image, kernel = np.asarray(image, np.float64), np.asarray(kernel, np.float64)
    if image.ndim == 2 and kernel.ndim == 2:
        windows = _windows(image, kernel.shape, stride, padding)
        return np.einsum("hwij,ij->hw", windows, kernel)
    if image.ndim == 3 and kernel.ndim in (3, 4) and kernel.shape[2] == image.shape[2]:
        windows = _windows(image, kernel.shape[:2], stride, padding)
        spec = "hwijc,ijc->hw" if kernel.ndim == 3 else "hwijc,ijck->hwk"
        return np.einsum(spec, windows, kernel)
    raise ConvolutionError(
        "channel_mismatch", f"kernel {kernel.shape} does not fit image {image.shape}: "
        "a kernel spans all input channels", image=image.shape, kernel=kernel.shape)


def pool2d(image: np.ndarray, pool_size: int = 2, stride: int | None = None,
           padding: str = "valid", mode: str = "max") -> np.ndarray:
    """Max or average pooling per channel, as ``tf.nn.max_pool2d``/``avg_pool2d``.

    With "same" padding TF ignores padded cells: max over real pixels, average
    over the real pixels in each window (not over the window size).

    >>> pool2d(np.arange(16.0).reshape(4, 4)).tolist()
    [[5.0, 7.0], [13.0, 15.0]]
    """
    if mode not in ("max", "average"):
        raise ConvolutionError("bad_mode", "mode must be 'max' or 'average'")
    stride = stride or pool_size
    windows = _windows(np.asarray(image, np.float64), (pool_size, pool_size), stride,
                       padding, fill=np.nan)
    reduce = np.nanmax if mode == "max" else np.nanmean
    return reduce(windows, axis=(2, 3))


@dataclass(frozen=True)
class Step:
    """One output pixel, explained: the patch, the products and their sum."""

    out_row: int
    out_col: int
    rows: tuple[int, int]  # the window's rows in the *padded* input, [start, stop)
    cols: tuple[int, int]
    patch: np.ndarray
    products: np.ndarray
    total: float
    padded: np.ndarray
    pads: tuple[tuple[int, int], ...]


def convolution_step(image: np.ndarray, kernel: np.ndarray, out_row: int,
                     out_col: int, stride: int = 1, padding: str = "valid") -> Step:
    """The arithmetic behind output pixel (out_row, out_col) of a 2-D convolution.

    >>> patch, _ = DOCUMENT_PATCHES["first"]
    >>> round(convolution_step(patch, KERNELS["horizontal_edge"], 0, 0).total, 6)
    2.8
    """
    image, kernel = np.asarray(image, np.float64), np.asarray(kernel, np.float64)
    out_h = output_size(image.shape[0], kernel.shape[0], stride, padding)
    out_w = output_size(image.shape[1], kernel.shape[1], stride, padding)
    if not (0 <= out_row < out_h and 0 <= out_col < out_w):
        raise ConvolutionError("step_outside", "that output position does not exist",
                               rows=out_h, cols=out_w)
    pads = padding_amounts(image.shape, kernel.shape, stride, padding)
    padded = np.pad(image, pads)
    top, left = out_row * stride, out_col * stride
    patch = padded[top:top + kernel.shape[0], left:left + kernel.shape[1]]
    products = patch * kernel
    return Step(out_row, out_col, (top, top + kernel.shape[0]),
                (left, left + kernel.shape[1]), patch, products,
                float(products.sum()), padded, pads)


def normalise_kernel(kernel: np.ndarray) -> np.ndarray:
    """Scale a kernel so responses stay in the input's range.

    A kernel whose weights sum to s ≠ 0 (a blur) is divided by s, keeping
    brightness; a zero-sum kernel (an edge detector) is divided by the sum of its
    positive weights, so a perfect edge on a [0, 1] image responds with ±1.
    """
    kernel = np.asarray(kernel, np.float64)
    total = kernel.sum()
    if abs(total) > 1e-12:
        return kernel / total
    positive = kernel[kernel > 0].sum()
    return kernel / positive if positive > 0 else kernel


def parse_kernel_cells(rows: list[list[object]]) -> tuple[np.ndarray, list[tuple]]:
    """A kernel from an edited grid; empty or non-numeric cells count as 0.

    Returns:
        (kernel, problems): problems are (code, row, column), 1-based, with codes
        ``kernel_cell_empty`` and ``kernel_cell_not_number``.

    >>> parse_kernel_cells([[1, None], ["x", "2.5"]])[0].tolist()
    [[1.0, 0.0], [0.0, 2.5]]
    """
    kernel = np.zeros((len(rows), len(rows[0]) if rows else 0))
    problems = []
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            text = "" if cell is None else str(cell).strip()
            if text in ("", "nan", "None"):
                problems.append(("kernel_cell_empty", i + 1, j + 1))
                continue
            try:
                value = float(text)
            except ValueError:
                problems.append(("kernel_cell_not_number", i + 1, j + 1))
                continue
            if not math.isfinite(value):
                problems.append(("kernel_cell_not_number", i + 1, j + 1))
                continue
            kernel[i, j] = value
    return kernel, problems


def layer_shapes(batch: int, height: int, width: int, channels: int, kernel: int,
                 filters: int, stride: int, padding: str) -> dict[str, object]:
    """Conv2D shapes and parameters: [N,H,W,C] ⊛ [f,f,C,K] → [N,H',W',K].

    >>> layer_shapes(32, 64, 64, 3, 5, 16, 1, "same")["output"]
    (32, 64, 64, 16)
    """
    out_h = output_size(height, kernel, stride, padding)
    out_w = output_size(width, kernel, stride, padding)
    return {"input": (batch, height, width, channels),
            "kernel": (kernel, kernel, channels, filters),
            "output": (batch, out_h, out_w, filters),
            "params": (kernel * kernel * channels + 1) * filters}
