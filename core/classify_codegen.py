"""A script that classifies your own picture as the lesson does ("show me the code").

Three parts: the model (train the lesson's small CNN with Keras' own dataset
loader, load a model saved from the Training lab, or ImageNet's MobileNetV2),
the preparation of the picture for that model (the same steps as
``core.classify.prepare_image``), and ``argmax`` with the top 5 class names.
Only text is produced here; Keras is never imported.

>>> script = classify_script("mnist", (28, 28, 1))
>>> "center_of_mass" in script and "keras.datasets.mnist.load_data()" in script
True
"""

from __future__ import annotations

from collections.abc import Sequence

from core.classifiers import SHARED_CHOICES, SHARED_EPOCHS
from core.classify import LOOKS, OBJECT_MARGIN
from core.datasets import CLASS_NAMES
from core.keras_build import keras_call
from core.models import model_layers

_HEADER = '''"""Classify your own picture ({dataset}) — Neural Playground."""
import sys

import keras
import numpy as np
{layers}from PIL import Image, ImageOps

PICTURE = sys.argv[1] if len(sys.argv) > 1 else "my_picture.png"
'''

_DIGIT = '''

# 2. Prepare the picture as MNIST digits were made: ink bright on black, cropped to
#    the ink, fitted in 20x20 (shape kept), centred by centre of mass in 28x28.
def center_of_mass(image):
    rows, cols = np.indices(image.shape)
    total = image.sum()
    return (rows * image).sum() / total, (cols * image).sum() / total


def prepare(path):
    picture = ImageOps.exif_transpose(Image.open(path)).convert("RGBA")  # upright
    paper = Image.new("RGBA", picture.size, "white")  # transparent = white paper
    gray = np.asarray(Image.alpha_composite(paper, picture).convert("L"), float)
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    if np.abs(gray - np.median(border)).max() <= 25:  # one flat colour
        sys.exit("There is nothing on this picture to classify.")
    ink = 255 - gray if np.median(border) > 127 else gray  # dark ink? flip it
    paper = np.median(np.concatenate([ink[0], ink[-1], ink[:, 0], ink[:, -1]]))
    if paper < 0.5 * ink.max():
        ink = np.clip(ink - paper, 0, None)  # grey paper is not ink
    mask = ink > 0.15 * ink.max()
    rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
    crop = np.where(mask, ink, 0)[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    scale = 20 / max(crop.shape)
    size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
    fitted = np.asarray(Image.fromarray(crop.astype(np.float32), "F").resize(
        size, Image.Resampling.BOX if scale < 1 else Image.Resampling.BILINEAR))
    fitted = np.clip(fitted * 255 / fitted.max(), 0, 255)
    height, width = fitted.shape
    top, left = (28 - height) // 2, (28 - width) // 2
    row, col = center_of_mass(fitted)
    dy = int(np.clip(round(14 - (top + row)), -top, 28 - height - top))
    dx = int(np.clip(round(14 - (left + col)), -left, 28 - width - left))
    field = np.zeros((28, 28))
    field[top + dy:top + dy + height, left + dx:left + dx + width] = fitted
    image = np.rint(field).astype(np.uint8){resize_digits}
    return image
'''

_SMALL_DIGIT = '''
    # scikit-learn's digits fill their frame: the fitted ink, square, {side}x{side}
    box = np.zeros((max(fitted.shape),) * 2)
    top, left = (len(box) - height) // 2, (len(box) - width) // 2
    box[top:top + height, left:left + width] = fitted
    image = np.asarray(Image.fromarray(box.astype(np.uint8)).resize(
        ({side}, {side}), Image.Resampling.BOX))'''

_OBJECT = '''

# 2. Prepare the picture as Fashion-MNIST items look: a light object on black,
#    cropped to the object, padded square, 28x28.
def prepare(path):
    picture = ImageOps.exif_transpose(Image.open(path)).convert("RGBA")  # upright
    paper = Image.new("RGBA", picture.size, "white")  # transparent = white paper
    gray = np.asarray(Image.alpha_composite(paper, picture).convert("L"), float)
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    if np.median(border) > 127:
        gray = 255 - gray  # light background: Fashion-MNIST's is black
    background = np.median(np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]]))
    found = np.abs(gray - background) > 25
    if not found.any():
        sys.exit("There is nothing on this picture to classify.")
    rows, cols = np.flatnonzero(found.any(1)), np.flatnonzero(found.any(0))
    crop = gray[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    crop = np.clip(crop - background, 0, 255)
    side = round(max(crop.shape) * {margin_factor})
    square = np.zeros((side, side), np.uint8)
    top, left = (side - crop.shape[0]) // 2, (side - crop.shape[1]) // 2
    square[top:top + crop.shape[0], left:left + crop.shape[1]] = crop
    resample = Image.Resampling.BOX if side > {size[0]} else Image.Resampling.BILINEAR
    return np.asarray(Image.fromarray(square).resize({size}, resample))
'''

_PHOTO = '''

# 2. Prepare the picture: RGB, the centre square, {side}x{side}.
def prepare(path):
    picture = ImageOps.exif_transpose(Image.open(path)).convert("RGBA")  # upright
    paper = Image.new("RGBA", picture.size, "white")  # transparent = white paper
    picture = Image.alpha_composite(paper, picture).convert("RGB")
    side = min(picture.size)
    left, top = (picture.width - side) // 2, (picture.height - side) // 2
    square = picture.crop((left, top, left + side, top + side))
    resample = Image.Resampling.BOX if side > {side} else Image.Resampling.BILINEAR
    return np.asarray(square.resize(({side}, {side}), resample))
'''


def _train_block(dataset: str, input_shape: tuple[int, ...]) -> str:
    layers = model_layers(SHARED_CHOICES[dataset], input_shape, 10)
    calls = "\n".join(f"    {keras_call(spec)}," for spec in layers)
    names = ", ".join(f'"{name}"' for name in CLASS_NAMES[dataset][0])
    channel = "[..., np.newaxis]" if input_shape[-1] == 1 else ""
    labels = ".ravel()" if dataset == "cifar10" else ""
    return f'''
# 1. The model: the lesson's small CNN, trained on {dataset}.
CLASS_NAMES = [{names}]
(x_train, y_train), (x_test, y_test) = keras.datasets.{dataset}.load_data()
x_train, x_test = x_train{channel} / 255.0, x_test{channel} / 255.0
keras.utils.set_random_seed(0)
model = keras.Sequential([
    keras.Input(shape={input_shape}),
{calls}
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
model.fit(x_train, y_train{labels}, batch_size=32, epochs={SHARED_EPOCHS[dataset]})
print("test accuracy:", model.evaluate(x_test, y_test{labels}, verbose=0)[1])
'''


def classify_script(dataset: str, input_shape: Sequence[int]) -> str:
    """The whole script for a model trained on ``dataset`` with this input shape.

    Raises:
        ValueError: an unknown dataset.
    """
    if dataset not in LOOKS:
        raise ValueError(f"Unknown dataset {dataset!r}; use one of {sorted(LOOKS)}.")
    shape = tuple(int(n) for n in input_shape)
    side = shape[0]
    layers = "from keras import layers\n" if dataset in SHARED_CHOICES else ""
    parts = [_HEADER.format(dataset=dataset, layers=layers)]
    if dataset == "imagenet":
        parts.append('''
# 1. The model: MobileNetV2 with ImageNet weights (downloaded once into ~/.keras).
model = keras.applications.MobileNetV2(weights="imagenet")
''')
    elif dataset in SHARED_CHOICES:
        parts.append(_train_block(dataset, shape))
    else:  # a model from the Training lab: its download button saves model.keras
        names = ", ".join(f'"{name}"' for name in CLASS_NAMES[dataset][0])
        parts.append(f'''
# 1. The model you trained in the Training lab: its download button saves it as
#    run<number>.keras; pass that file as the second argument.
CLASS_NAMES = [{names}]
model = keras.models.load_model(sys.argv[2] if len(sys.argv) > 2 else "run1.keras")
''')
    look = LOOKS[dataset]
    if look == "digit":
        resize = "" if side == 28 else _SMALL_DIGIT.format(side=side)
        parts.append(_DIGIT.format(resize_digits=resize))
    elif look == "object":
        parts.append(_OBJECT.format(margin_factor=1 + 2 * OBJECT_MARGIN,
                                    size=(side, side)))
    else:
        parts.append(_PHOTO.format(side=side))
    if dataset == "imagenet":
        parts.append('''
# 3. Predict: MobileNetV2 wants pixels scaled to [-1, 1].
x = keras.applications.mobilenet_v2.preprocess_input(
    prepare(PICTURE)[np.newaxis].astype("float32"))
probabilities = model(x, training=False).numpy()
for _, name, probability in keras.applications.mobilenet_v2.decode_predictions(
        probabilities, top=5)[0]:
    print(f"{name:>20s}  {probability:6.1%}")
''')
    else:
        parts.append(f'''
# 3. Predict: pixels / 255 as in training, one picture in a batch of one.
x = (prepare(PICTURE) / 255.0).astype("float32").reshape((1, *{shape}))
probabilities = model(x, training=False).numpy()[0]
best = int(np.argmax(probabilities))
print("predicted:", CLASS_NAMES[best], f"({{probabilities[best]:.1%}})")
for index in np.argsort(-probabilities)[:5]:
    print(f"{{CLASS_NAMES[index]:>12s}}  {{probabilities[index]:6.1%}}")
''')
    return "".join(parts)


def script_file_name(dataset: str) -> str:
    return f"classify_{dataset}.py"
