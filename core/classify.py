"""Classify your own picture: prepare it the way the model's training images were
made, predict, and show why (上传图片分类, CURRICULUM §7).

A photo is not a 28×28 centred digit. Each kind of training data gets its own
preparation, every step kept for the page to show:

- "digit" (MNIST, scikit-learn digits): grayscale → ink bright on black →
  crop to the ink, fit in 20×20, centre by centre of mass in 28×28 (as MNIST was
  made, ``to_mnist_input``) → for 8×8 digits the ink box resized to 8×8.
- "object" (Fashion-MNIST): grayscale → light object on dark (inverted if the
  background is light) → cropped to the object, padded square → 28×28.
- "photo" (CIFAR-10, ImageNet): RGB → centre square → 32×32 (or 224×224).

Then pixels / 255 (ImageNet's MobileNetV2: x / 127.5 − 1), as the models were
trained. ``occlusion_map`` greys out one patch at a time and measures how much the
predicted class' probability drops: where the model looked.

>>> from PIL import Image
>>> picture = Image.new("L", (60, 40), 255)
>>> prepared = prepare_image(picture.copy(), "cifar10", (32, 32, 3))
>>> prepared.x.shape, [step for step, _ in prepared.steps]
((1, 32, 32, 3), ['rgb', 'square', 'resized'])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

from core.mnist_prep import DigitError, paper_level, to_mnist_input

LOOKS = {"mnist": "digit", "digits": "digit", "fashion_mnist": "object",
         "cifar10": "photo", "imagenet": "photo"}
OBJECT_MARGIN = 0.08  # Fashion-MNIST items nearly fill their 28×28 frame
MAX_TOP_K = 10
CONTENT_LEVEL = 25  # grey levels a pixel must differ from the background by
# Pictures are shrunk to at most this side before preparing: far more than any
# model input (224), and it keeps a 12-megapixel photo's preparation fast.
WORKING_SIDE = 1024


class PredictionError(ValueError):
    """A picture this model cannot take: ``code`` names why (e.g. "blank")."""

    def __init__(self, code: str, **details: object) -> None:
        self.code, self.details = code, details
        super().__init__(f"{code}: {details}")


@dataclass(frozen=True)
class Prepared:
    """A picture ready for a model, and how it got there.

    Attributes:
        steps: (step name, uint8 picture H×W or H×W×3) in order, for display.
        image: the last step: what the model sees, as uint8 pixels.
        x: the model input, float32 of shape (1, *input_shape).
        fill: the background in model units (what occlusion paints with).
    """

    steps: tuple[tuple[str, np.ndarray], ...]
    image: np.ndarray
    x: np.ndarray
    fill: float


def _pixels(picture: Image.Image, mode: str) -> np.ndarray:
    """uint8 pixels in ``mode`` ("L" or "RGB"); transparency counts as white paper."""
    if picture.mode in ("RGBA", "LA", "P"):
        picture = picture.convert("RGBA")
        white = Image.new("RGBA", picture.size, (255, 255, 255, 255))
        picture = Image.alpha_composite(white, picture)
    return np.asarray(picture.convert(mode), dtype=np.uint8)


def _resize(pixels: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize to (height, width), averaging when shrinking (no aliasing)."""
    height, width = pixels.shape[:2]
    shrink = size[0] < height or size[1] < width
    resample = Image.Resampling.BOX if shrink else Image.Resampling.BILINEAR
    return np.asarray(Image.fromarray(pixels).resize((size[1], size[0]), resample))


def _centre_square(pixels: np.ndarray) -> np.ndarray:
    height, width = pixels.shape[:2]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    return pixels[top:top + side, left:left + side]


def _pad_square(pixels: np.ndarray, margin: float) -> np.ndarray:
    height, width = pixels.shape[:2]
    side = round(max(height, width) * (1 + 2 * margin))
    square = np.zeros((side, side), np.uint8)
    top, left = (side - height) // 2, (side - width) // 2
    square[top:top + height, left:left + width] = pixels
    return square


def _content(gray: np.ndarray, background: float) -> np.ndarray:
    """Where the picture differs from its background by more than noise; a flat
    picture has none (PredictionError "blank")."""
    found = np.abs(gray.astype(np.float64) - background) > CONTENT_LEVEL
    if not found.any():
        raise PredictionError("blank")
    return found


def _digit_steps(gray: np.ndarray, size: int) -> list[tuple[str, np.ndarray]]:
    _content(gray, paper_level(gray))  # one flat colour (grey would be all "ink")
    try:
        digit = to_mnist_input(gray)
    except DigitError:
        raise PredictionError("blank") from None
    steps = [("ink", digit.ink), ("centred", digit.image)]
    if size != 28:  # e.g. scikit-learn's 8×8 digits fill their frame
        box = _pad_square(digit.fitted, 0.0)
        steps.append(("resized", _resize(box, (size, size))))
    return steps


def _object_steps(gray: np.ndarray, size: int) -> list[tuple[str, np.ndarray]]:
    steps, background = [], paper_level(gray)
    if background > 127:  # light background: Fashion-MNIST's is black
        gray, background = 255 - gray, 255 - background
        steps.append(("inverted", gray))
    found = _content(gray, background)
    rows, cols = np.flatnonzero(found.any(axis=1)), np.flatnonzero(found.any(axis=0))
    crop = gray[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    square = _pad_square(np.clip(crop.astype(np.int64) - int(background), 0, 255)
                         .astype(np.uint8), OBJECT_MARGIN)
    steps += [("square", square), ("resized", _resize(square, (size, size)))]
    return steps


def prepare_image(picture: Image.Image, dataset: str,
                  input_shape: Sequence[int]) -> Prepared:
    """Prepare ``picture`` (from ``core.imaging.read_image``) for a model trained
    on ``dataset``, whose one-sample input shape is ``input_shape``.

    Raises:
        PredictionError: "blank" when a digit or object picture has nothing on it.
        ValueError: an unknown dataset, or an input shape that is not an image.
    """
    if dataset not in LOOKS:
        raise ValueError(f"Unknown dataset {dataset!r}; use one of {sorted(LOOKS)}.")
    shape = tuple(int(n) for n in input_shape)
    if len(shape) not in (2, 3) or shape[0] != shape[1]:
        raise ValueError(f"Expected a square image input, got {shape}.")
    size, channels = shape[0], shape[2] if len(shape) == 3 else 1
    look = LOOKS[dataset]
    if max(picture.size) > WORKING_SIDE:  # a 12-megapixel photo: shrink it first
        picture = picture.copy()
        picture.thumbnail((WORKING_SIDE, WORKING_SIDE), Image.Resampling.BOX)
    if look == "photo":
        rgb = _pixels(picture, "RGB")
        square = _centre_square(rgb)
        steps = [("rgb", rgb), ("square", square),
                 ("resized", _resize(square, (size, size)))]
    else:
        gray = _pixels(picture, "L")
        steps = [("gray", gray)] + (_digit_steps(gray, size) if look == "digit"
                                    else _object_steps(gray, size))
    image = steps[-1][1]
    if channels == 1 and image.ndim == 3:
        image = np.asarray(Image.fromarray(image).convert("L"))
    values = image.astype(np.float32)
    if channels == 3 and values.ndim == 2:
        values = np.repeat(values[..., None], 3, axis=2)
    if dataset == "imagenet":  # keras.applications.mobilenet_v2.preprocess_input
        x, fill = values / 127.5 - 1, 0.0
    else:
        x, fill = values / 255, 0.0 if look != "photo" else 0.5
    return Prepared(tuple(steps), image, x.reshape((1, *shape)).astype(np.float32),
                    fill)


def top_k(probabilities: np.ndarray, k: int = 5) -> list[tuple[int, float]]:
    """The k most probable classes, best first, as (class index, probability).

    >>> top_k(np.array([0.1, 0.7, 0.2]), 2)
    [(1, 0.7), (2, 0.2)]
    """
    values = np.asarray(probabilities, dtype=np.float64).reshape(-1)
    k = max(1, min(int(k), values.size, MAX_TOP_K))
    order = np.argsort(-values, kind="stable")[:k]
    return [(int(index), round(float(values[index]), 6)) for index in order]


def occlusion_map(predict: Callable[[np.ndarray], np.ndarray], x: np.ndarray,
                  class_index: int, patch: int, stride: int, fill: float,
                  batch_size: int = 64) -> np.ndarray:
    """How much the class' probability drops when each region is hidden.

    A square ``patch`` (painted ``fill``) slides over the input with ``stride``
    (the last row and column of positions reach the far edges). Each pixel gets
    the mean drop of the patches that cover it: positive = this region supported
    the class; negative = hiding it made the class more likely.

    Args:
        predict: maps a batch (n, H, W[, C]) to probabilities (n, classes).
        x: one input, (1, H, W[, C]).
        class_index: the class to explain (usually the predicted one).
        patch, stride: in input pixels, 1 ≤ stride ≤ patch ≤ min(H, W).
        fill: the value painted over the patch.

    Returns:
        float64 (H, W) map of probability drops.

    >>> def brightness(batch):  # "class 0" = how bright the centre pixel is
    ...     centre = batch[:, 1, 1].reshape(-1, 1)
    ...     return np.hstack([centre, 1 - centre])
    >>> drop = occlusion_map(brightness, np.ones((1, 3, 3)), 0, 1, 1, 0.0)
    >>> drop.tolist()
    [[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]
    """
    x = np.asarray(x, dtype=np.float32)
    height, width = x.shape[1], x.shape[2]
    if not 1 <= stride <= patch <= min(height, width):
        raise ValueError(f"Need 1 ≤ stride ≤ patch ≤ {min(height, width)}, got "
                         f"stride {stride}, patch {patch}.")
    base = float(np.asarray(predict(x))[0, class_index])
    tops = sorted(set(range(0, height - patch + 1, stride)) | {height - patch})
    lefts = sorted(set(range(0, width - patch + 1, stride)) | {width - patch})
    places = [(top, left) for top in tops for left in lefts]
    drops = np.zeros((height, width))
    counts = np.zeros((height, width))
    for start in range(0, len(places), batch_size):
        chunk = places[start:start + batch_size]
        batch = np.repeat(x, len(chunk), axis=0)
        for row, (top, left) in enumerate(chunk):
            batch[row, top:top + patch, left:left + patch] = fill
        probabilities = np.asarray(predict(batch))[:, class_index]
        for (top, left), probability in zip(chunk, probabilities, strict=True):
            drops[top:top + patch, left:left + patch] += base - float(probability)
            counts[top:top + patch, left:left + patch] += 1
    return drops / np.maximum(counts, 1)
