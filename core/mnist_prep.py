"""Turn any picture of a digit into an MNIST-style 28×28 input, step by step.

MNIST itself was made this way (LeCun et al.): each digit was fitted, keeping its
aspect ratio, into a 20×20 box (anti-aliasing gives grey levels), then placed in a
28×28 field so that its centre of mass sits on pixel (14, 14). A drawing must go
through the same steps, or a model trained on MNIST sees something it never saw.

``core.imaging`` re-exports ``to_mnist_input``, the single entry point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

FIELD = 28  # MNIST's side
BOX = 20  # the digit's bounding box is fitted into BOX × BOX
INK_LEVEL = 0.15  # a pixel above this fraction of the brightest ink counts as ink
FULL_INK = 0.6  # more ink than this fraction of the picture: "mostly ink"


class DigitError(ValueError):
    """A picture with no digit to find: ``code`` is "blank"."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.details: dict = {}
        super().__init__("The picture has no ink: draw a digit first."
                         if code == "blank" else code)


@dataclass(frozen=True)
class MnistInput:
    """Every step of the preparation, for the page to show.

    Attributes:
        ink: the picture as ink intensity, 0 = paper, 255 = full ink (uint8).
        inverted: True if the picture was light paper with dark ink (flipped).
        box: (top, left, bottom, right) of the ink in ``ink``, bottom/right
            exclusive.
        fitted: the cropped ink resized so its longer side is 20 (uint8).
        image: the final 28×28 uint8 digit, white ink on black like MNIST.
        shift: (rows, columns) the fitted digit moved from the geometric middle to
            put its centre of mass in the middle.
        centre_of_mass: (row, column) of ``image``'s centre of mass.
        ink_fraction: share of the picture's pixels that are ink (before cropping).
    """

    ink: np.ndarray
    inverted: bool
    box: tuple[int, int, int, int]
    fitted: np.ndarray
    image: np.ndarray
    shift: tuple[int, int]
    centre_of_mass: tuple[float, float]
    ink_fraction: float

    @property
    def mostly_ink(self) -> bool:
        return self.ink_fraction > FULL_INK


def _to_gray(picture: np.ndarray) -> np.ndarray:
    """float gray in [0, 255]; a transparent pixel counts as white paper."""
    array = np.asarray(picture)
    if array.ndim in (2, 3) and 0 in array.shape[:2]:
        raise ValueError(f"The picture has no pixels: {array.shape}.")
    if array.ndim == 2:
        return array.astype(np.float64)
    if array.ndim != 3 or array.shape[2] not in (3, 4):
        raise ValueError(f"Expected H×W, H×W×3 or H×W×4 pixels, got {array.shape}.")
    rgb = array[..., :3].astype(np.float64)
    gray = rgb @ np.array([0.299, 0.587, 0.114])  # ITU-R 601, as Pillow's "L"
    if array.shape[2] == 4:
        alpha = array[..., 3].astype(np.float64) / 255
        gray = gray * alpha + 255 * (1 - alpha)
    return gray


def paper_level(image: np.ndarray) -> float:
    """The median of the outermost rows and columns, where the paper shows.

    >>> paper_level(np.pad(np.full((3, 3), 9), 1))
    0.0
    """
    image = np.asarray(image)
    return float(np.median(np.concatenate(
        [image[0], image[-1], image[:, 0], image[:, -1]])))


def _ink(gray: np.ndarray, invert: bool | None) -> tuple[np.ndarray, bool]:
    """Ink intensity (bright = ink). Light paper is detected from the border."""
    if invert is None:
        invert = paper_level(gray) > 127
    ink = 255 - gray if invert else gray
    # Paper that is not pure white (a grey sheet, a photo) is not ink: measure
    # ink from the paper's own level, read on the border — unless the border is
    # itself mostly ink (a canvas inked all over stays "mostly ink").
    paper = paper_level(ink)
    if paper < 0.5 * float(ink.max()):
        ink = np.clip(ink - paper, 0, None)
    return ink, invert


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(row, column) of the intensity-weighted mean pixel position.

    >>> picture = np.zeros((5, 5)); picture[1, 3] = 1
    >>> centre_of_mass(picture)
    (1.0, 3.0)
    """
    weights = np.asarray(image, dtype=np.float64)
    total = weights.sum()
    if total <= 0:
        return ((weights.shape[0] - 1) / 2, (weights.shape[1] - 1) / 2)
    rows, cols = np.indices(weights.shape)
    return (float((rows * weights).sum() / total),
            float((cols * weights).sum() / total))


def _fit(crop: np.ndarray) -> np.ndarray:
    """Resize so the longer side is BOX, keeping the aspect ratio (area average)."""
    height, width = crop.shape
    scale = BOX / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    picture = Image.fromarray(crop.astype(np.float32), mode="F")
    resample = Image.Resampling.BOX if scale < 1 else Image.Resampling.BILINEAR
    fitted = np.asarray(picture.resize(size, resample), dtype=np.float64)
    peak = fitted.max()
    return np.clip(fitted * (255 / peak) if peak > 0 else fitted, 0, 255)


def _place(fitted: np.ndarray) -> tuple[np.ndarray, tuple[int, int]]:
    """Put ``fitted`` in a 28×28 field with its centre of mass in the middle.

    The shift is whole pixels and limited so the 20×20 box stays in the field.
    """
    height, width = fitted.shape
    top, left = (FIELD - height) // 2, (FIELD - width) // 2
    row, col = centre_of_mass(fitted)
    # MNIST's middle is pixel (14, 14), not the geometric 13.5: every MNIST digit
    # has its centre of mass within half a pixel of 14 on both axes.
    middle = FIELD / 2
    shift_r = int(np.clip(round(middle - (top + row)), -top, FIELD - height - top))
    shift_c = int(np.clip(round(middle - (left + col)), -left, FIELD - width - left))
    field = np.zeros((FIELD, FIELD))
    field[top + shift_r:top + shift_r + height,
          left + shift_c:left + shift_c + width] = fitted
    return field, (shift_r, shift_c)


def to_mnist_input(picture: np.ndarray, invert: bool | None = None) -> MnistInput:
    """Grayscale, crop to the ink, fit in 20×20, centre by centre of mass in 28×28.

    Args:
        picture: H×W gray, H×W×3 RGB or H×W×4 RGBA pixels (uint8 or float in
            [0, 255]), e.g. the drawing canvas' output; transparent = paper.
        invert: True for dark ink on light paper, False for light ink on dark
            (MNIST's own look); None decides from the picture's border.

    Returns:
        An ``MnistInput`` with every intermediate step; ``.image`` is the digit.

    Raises:
        DigitError: "blank" when there is no ink at all.
        ValueError: pixels that are not a picture (wrong number of axes).

    >>> canvas = np.full((100, 100), 255, np.uint8)
    >>> canvas[10:60, 5:15] = 0  # a black bar in the top-left corner
    >>> digit = to_mnist_input(canvas)
    >>> digit.image.shape, digit.inverted, digit.box
    ((28, 28), True, (10, 5, 60, 15))
    >>> [round(v) for v in digit.centre_of_mass]
    [14, 14]
    """
    gray = _to_gray(picture)
    ink, inverted = _ink(gray, invert)
    ink = np.clip(ink, 0, 255)
    peak = ink.max()
    if peak < 1:
        raise DigitError("blank")
    is_ink = ink > INK_LEVEL * peak
    rows, cols = np.flatnonzero(is_ink.any(axis=1)), np.flatnonzero(is_ink.any(axis=0))
    box = (int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1)
    crop = np.where(is_ink, ink, 0)[box[0]:box[2], box[1]:box[3]]
    fitted = _fit(crop)
    field, shift = _place(fitted)
    image = np.clip(np.rint(field), 0, 255).astype(np.uint8)
    return MnistInput(
        ink=np.rint(ink).astype(np.uint8), inverted=inverted, box=box,
        fitted=np.rint(fitted).astype(np.uint8), image=image, shift=shift,
        centre_of_mass=centre_of_mass(image),
        ink_fraction=float(is_ink.mean()))
