"""core.mnist_prep: any drawing of a digit becomes an MNIST-style 28×28 input.

Digits are drawn here with Pillow (lines and rings on a 280×280 canvas, like the
drawing canvas gives): shifted into corners, tiny and huge, 1 px and 40 px
strokes, black ink on white, on transparent RGBA, and white ink on black. Each
must come out fitted in a 20×20 box with its centre of mass in the middle.

Real MNIST is the oracle for "the same steps as MNIST": its test digits, which
are already prepared, must come back (almost) unchanged.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from core.datasets import load_image_dataset
from core.mnist_prep import (
    BOX,
    FIELD,
    DigitError,
    MnistInput,
    centre_of_mass,
    to_mnist_input,
)

CANVAS = 280
MNIST_MIDDLE = FIELD / 2  # every MNIST digit's centre of mass is within ½ px of 14
# The strokes of a few digits in a unit square (x right, y down).
DIGITS = {
    "1": [("line", [(0.35, 0.2), (0.55, 0.0), (0.55, 1.0)])],
    "4": [("line", [(0.6, 1.0), (0.6, 0.0), (0.0, 0.7), (0.8, 0.7)])],
    "7": [("line", [(0.05, 0.0), (0.75, 0.0), (0.3, 1.0)])],
    "0": [("ellipse", (0.1, 0.0, 0.7, 1.0))],
    "8": [("ellipse", (0.15, 0.0, 0.65, 0.45)), ("ellipse", (0.1, 0.45, 0.7, 1.0))],
    "9": [("ellipse", (0.1, 0.0, 0.7, 0.5)), ("line", [(0.7, 0.25), (0.6, 1.0)])],
}
# (Pillow mode, paper, ink) of each kind of canvas.
LOOKS = {
    "white_paper": ("L", 255, 0),
    "white_rgb": ("RGB", (255, 255, 255), (0, 0, 0)),
    "transparent_rgba": ("RGBA", (0, 0, 0, 0), (0, 0, 0, 255)),
    "black_paper": ("L", 0, 255),
}


def draw_digit(name: str, left: int, top: int, size: int, width: int,
               look: str = "white_paper", canvas: int = CANVAS) -> np.ndarray:
    """The digit's strokes scaled to ``size`` px, top-left corner at (left, top)."""
    mode, paper, ink = LOOKS[look]
    image = Image.new(mode, (canvas, canvas), paper)
    draw = ImageDraw.Draw(image)
    for kind, spec in DIGITS[name]:
        if kind == "line":
            points = [(left + round(x * size), top + round(y * size))
                      for x, y in spec]
            draw.line(points, fill=ink, width=width, joint="curve")
        else:
            x0, y0, x1, y1 = spec
            draw.ellipse((left + round(x0 * size), top + round(y0 * size),
                          left + round(x1 * size), top + round(y1 * size)),
                         outline=ink, width=width)
    return np.asarray(image)


def ink_box(image: np.ndarray) -> tuple[int, int, int, int]:
    """(top, left, bottom, right) of the nonzero pixels, bottom/right exclusive."""
    rows, cols = np.nonzero(image)
    return rows.min(), cols.min(), rows.max() + 1, cols.max() + 1


def assert_mnist_like(digit: MnistInput) -> None:
    """28×28 uint8, ink fitted in 20×20 inside the field, centre of mass centred."""
    image = digit.image
    assert image.shape == (FIELD, FIELD) and image.dtype == np.uint8
    top, left, bottom, right = ink_box(image)
    height, width = bottom - top, right - left
    assert max(height, width) >= BOX - 1 and height <= BOX and width <= BOX
    assert 0 <= top and bottom <= FIELD and 0 <= left and right <= FIELD
    assert digit.centre_of_mass == centre_of_mass(image)
    for axis, (start, end) in enumerate([(top, bottom), (left, right)]):
        offset = abs(digit.centre_of_mass[axis] - MNIST_MIDDLE)
        if start == 0 or end == FIELD:
            # The whole-pixel shift stopped at the field's edge (a top-heavy 7):
            # as close to the middle as the field allows.
            assert offset <= 2
        else:  # ½ px from a whole-pixel shift, a little more from rounding to uint8
            assert offset <= 0.55


@st.composite
def drawings(draw, looks=tuple(LOOKS)):
    """(name, left, top, size, width, look) of a digit wholly on the canvas."""
    size = draw(st.integers(8, 240))
    width = draw(st.integers(1, max(1, min(40, size // 3, (CANVAS - size) // 2))))
    return (draw(st.sampled_from(sorted(DIGITS))), *draw(positions(size, width)),
            size, width, draw(st.sampled_from(looks)))


def positions(size: int, width: int):
    """(left, top) keeping a ``width`` margin, so no stroke is cut by the edge."""
    return st.tuples(*[st.integers(width, CANVAS - size - width)] * 2)


# ---------------------------------------------------------------- drawn digits


@settings(max_examples=80, deadline=None)
@given(drawings())
def test_any_drawing_becomes_a_centred_28_by_28_digit(drawing):
    name, left, top, size, width, look = drawing
    digit = to_mnist_input(draw_digit(name, left, top, size, width, look))
    assert_mnist_like(digit)
    assert digit.inverted == (look != "black_paper")
    assert not digit.mostly_ink


@pytest.mark.parametrize(("left", "top", "size", "width"), [
    (0, 0, 60, 3),        # top-left corner
    (200, 200, 60, 3),    # bottom-right corner
    (0, 190, 80, 8),      # bottom-left corner
    (130, 135, 10, 1),    # tiny, 1 px stroke
    (50, 50, 12, 2),      # tiny, 2 px stroke
    (5, 5, 230, 1),       # huge and thin
    (20, 20, 220, 40),    # huge and thick
    (100, 100, 100, 40),  # thick stroke on a mid-sized digit
], ids=["top_left", "bottom_right", "bottom_left", "tiny_1px", "tiny_2px",
        "huge_thin", "huge_thick", "thick"])
@pytest.mark.parametrize("look", list(LOOKS))
@pytest.mark.parametrize("name", sorted(DIGITS))
def test_shifted_scaled_thin_and_thick_digits(name, look, left, top, size, width):
    digit = to_mnist_input(draw_digit(name, left, top, size, width, look))
    assert_mnist_like(digit)
    assert digit.inverted == (look != "black_paper")


@settings(max_examples=40, deadline=None)
@given(drawings(looks=("white_paper", "transparent_rgba")), st.data())
def test_position_on_the_canvas_does_not_matter(drawing, data):
    name, left, top, size, width, look = drawing
    other = data.draw(positions(size, width))
    first = to_mnist_input(draw_digit(name, left, top, size, width, look))
    second = to_mnist_input(draw_digit(name, *other, size, width, look))
    difference = np.abs(first.image.astype(int) - second.image.astype(int))
    assert difference.max() <= 1
    assert first.shift == second.shift


def test_same_digit_on_every_kind_of_canvas_gives_the_same_input():
    images = [to_mnist_input(draw_digit("4", 30, 40, 150, 12, look)).image
              for look in LOOKS]
    for image in images[1:]:
        assert np.abs(image.astype(int) - images[0].astype(int)).max() <= 1


def test_steps_are_reported_for_the_page():
    picture = draw_digit("1", 20, 30, 100, 10)
    digit = to_mnist_input(picture)
    assert digit.box == ink_box(255 - picture)
    assert digit.ink.shape == picture.shape and digit.ink.dtype == np.uint8
    assert np.array_equal(digit.ink, 255 - picture)
    assert max(digit.fitted.shape) == BOX and digit.fitted.max() == 255
    assert 0 < digit.ink_fraction < 0.2


# ---------------------------------------------------------------- odd pictures


@pytest.mark.parametrize("picture", [
    np.full((CANVAS, CANVAS), 255, np.uint8),
    np.full((CANVAS, CANVAS, 3), 255, np.uint8),
    np.zeros((CANVAS, CANVAS, 4), np.uint8),            # all transparent black
    np.full((CANVAS, CANVAS, 4), (0, 0, 0, 0), np.uint8),
    np.zeros((CANVAS, CANVAS), np.uint8),               # black paper, no ink
    np.full((CANVAS, CANVAS), 255.0),
], ids=["white", "white_rgb", "transparent", "transparent_black", "black",
        "white_float"])
def test_a_blank_canvas_is_refused_as_blank(picture):
    with pytest.raises(DigitError) as caught:
        to_mnist_input(picture)
    assert caught.value.code == "blank" and str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_a_canvas_full_of_ink_is_mostly_ink_and_does_not_crash():
    full = to_mnist_input(np.zeros((CANVAS, CANVAS), np.uint8), invert=True)
    assert full.mostly_ink and full.ink_fraction == 1.0
    assert np.count_nonzero(full.image) == BOX * BOX  # one 20×20 square of ink
    painted = np.full((CANVAS, CANVAS), 255, np.uint8)
    painted[2:-2, 2:-2] = 0  # black everywhere but a thin white border
    digit = to_mnist_input(painted)
    assert digit.inverted and digit.mostly_ink
    assert_mnist_like(digit)


def test_paper_colour_is_detected_from_the_border_unless_told():
    light = draw_digit("7", 40, 40, 150, 10, "white_paper")
    dark = draw_digit("7", 40, 40, 150, 10, "black_paper")
    assert to_mnist_input(light).inverted is True
    assert to_mnist_input(dark).inverted is False
    assert to_mnist_input(draw_digit("7", 40, 40, 150, 10,
                                     "transparent_rgba")).inverted is True
    assert np.array_equal(to_mnist_input(light).image,
                          to_mnist_input(light, invert=True).image)
    assert to_mnist_input(dark, invert=False).inverted is False
    # Told the wrong way round, the paper becomes the ink: "mostly ink".
    assert to_mnist_input(light, invert=False).mostly_ink
    assert to_mnist_input(dark, invert=True).mostly_ink


@pytest.mark.parametrize("shape", [(5,), (0, 0), (0, 5, 3), (4, 4, 2), (4, 4, 5),
                                   (4, 4, 3, 1)])
def test_pixels_that_are_not_a_picture_raise_value_error(shape):
    with pytest.raises(ValueError) as caught:
        to_mnist_input(np.zeros(shape, np.uint8))
    assert not isinstance(caught.value, DigitError)


def test_centre_of_mass_weights_by_intensity():
    picture = np.zeros((4, 6))
    picture[1, 1], picture[3, 5] = 1, 3
    assert centre_of_mass(picture) == (2.5, 4.0)
    assert centre_of_mass(np.zeros((28, 28))) == (13.5, 13.5)


# ---------------------------------------------------------------- real MNIST


@pytest.fixture(scope="module")
def mnist():
    return load_image_dataset("mnist", allow_download=False)


def test_mnist_digits_come_back_almost_unchanged(mnist):
    """MNIST's digits were prepared this way: preparing them again changes little.

    Every MNIST digit has its centre of mass within ½ px of (14, 14) — a middle
    of 13.5 would move half of them one pixel."""
    digits = mnist.x_test[:200]
    close, similar = 0, 0
    for original in digits:
        prepared = to_mnist_input(original, invert=False)
        assert prepared.image.shape == (FIELD, FIELD)
        offset = np.subtract(prepared.centre_of_mass, centre_of_mass(original))
        close += bool(np.all(np.abs(offset) <= 1))
        correlation = np.corrcoef(original.ravel().astype(float),
                                  prepared.image.ravel().astype(float))[0, 1]
        similar += bool(correlation > 0.8)
    assert close == len(digits)
    assert similar >= 0.9 * len(digits)


def test_mnist_itself_centres_on_pixel_14(mnist):
    centres = np.array([centre_of_mass(digit) for digit in mnist.x_test])
    assert np.all(np.abs(centres - MNIST_MIDDLE) <= 0.5 + 1e-9)
    sides = [max(np.subtract(ink_box(digit)[2:], ink_box(digit)[:2]))
             for digit in mnist.x_test[:200]]
    assert set(sides) == {BOX}
