"""The "classify an image" bad-image corpus, end to end: bytes → ``read_image`` →
``prepare_image`` for every kind of model.

Every file is generated here. A bad file must be refused by the gate with the
specific ``ImageError.code`` the page translates (never a raw Pillow error); an
odd-but-valid file must read, and then become a finite model input of the right
shape and range for MNIST, Fashion-MNIST, CIFAR-10 and ImageNet alike, showing
the same digit as a plain PNG of that drawing would. ``tests/core/test_imaging.py``
covers the gate's details (every format, every prefix, flipped bytes); this file
covers the corpus of the issue and what happens after the gate.
"""

from __future__ import annotations

import io
import math
import struct
import time
import zlib

import numpy as np
import pytest
from PIL import Image, ImageDraw

from core import imaging
from core.classify import WORKING_SIDE, PredictionError, prepare_image
from core.imaging import encode_png, read_image
from tests.core.conftest import refusal

SHAPES = {"mnist": (28, 28, 1), "fashion_mnist": (28, 28, 1),
          "cifar10": (32, 32, 3), "imagenet": (224, 224, 3), "digits": (8, 8, 1)}
WIDTH, HEIGHT = 120, 160  # a portrait picture: the photo looks take its centre
# The classify page's gate: components.classify_lab reads uploads with these.
PAGE_GATE = {"max_aspect": 20, "max_side": WORKING_SIDE}


def save(img: Image.Image, fmt: str, **options) -> bytes:
    with io.BytesIO() as buffer:
        img.save(buffer, format=fmt, **options)
        return buffer.getvalue()


def seven_mask(width: int = WIDTH, height: int = HEIGHT) -> Image.Image:
    """A "7" as a 1-bit-like mask ("L": 255 = ink, 0 = paper), scaled to the size."""
    mask = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(mask)
    sx, sy = width / WIDTH, height / HEIGHT
    pen = max(1, round(12 * min(sx, sy)))
    draw.line((25 * sx, 30 * sy, 95 * sx, 30 * sy), fill=255, width=pen)
    draw.line((95 * sx, 30 * sy, 50 * sx, 135 * sy), fill=255, width=pen)
    return mask


def seven_on_paper(width: int = WIDTH, height: int = HEIGHT) -> Image.Image:
    """Black ink on white paper, RGB."""
    picture = Image.new("RGB", (width, height), "white")
    picture.paste((0, 0, 0), (0, 0), seven_mask(width, height))
    return picture


def png_claiming_size(width: int, height: int) -> bytes:
    """A 1×1 PNG whose IHDR (and its CRC) claims width × height: a bomb's header."""
    png = bytearray(save(Image.new("1", (1, 1)), "PNG"))
    png[16:24] = struct.pack(">II", width, height)
    png[29:33] = struct.pack(">I", zlib.crc32(bytes(png[12:29])))
    return bytes(png)


def gif_claiming_size(width: int, height: int) -> bytes:
    """A 2×2 GIF whose screen and image descriptor claim width × height."""
    gif = bytearray(save(Image.new("L", (2, 2), 0), "GIF"))
    gif[6:10] = struct.pack("<HH", width, height)
    descriptor = gif.index(b"\x2c", 13)  # the image separator ","
    gif[descriptor + 5:descriptor + 9] = struct.pack("<HH", width, height)
    return bytes(gif)


def jpeg_claiming_size(width: int, height: int) -> bytes:
    """An 8×8 JPEG whose start-of-frame claims height × width."""
    jpeg = bytearray(save(Image.new("RGB", (8, 8)), "JPEG"))
    frame = jpeg.index(b"\xff\xc0")
    jpeg[frame + 5:frame + 9] = struct.pack(">HH", height, width)
    return bytes(jpeg)


def check_prepared(picture: Image.Image, dataset: str):
    """Prepare for ``dataset``: finite float32 input of the model's shape and range."""
    shape = SHAPES[dataset]
    prepared = prepare_image(picture, dataset, shape)
    x = prepared.x
    assert x.shape == (1, *shape) and x.dtype == np.float32
    assert np.isfinite(x).all()
    low = -1.0 if dataset == "imagenet" else 0.0
    assert low <= x.min() and x.max() <= 1.0, (x.min(), x.max())
    assert prepared.image.dtype == np.uint8
    assert prepared.image.shape[:2] == shape[:2]
    return prepared


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.astype(np.float64).ravel(), b.astype(np.float64).ravel()
    return float(np.corrcoef(a, b)[0, 1])


# ---------------------------------------------------------------- bad files

HTML = b"<!DOCTYPE html><html><body><h1>My digit</h1><img src=seven.png></body></html>"
SVG = (b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/'
       b'svg" width="280" height="280"><path d="M60 60 H220 L140 240" stroke="black" '
       b'stroke-width="20" fill="none"/></svg>')


def _bad_corpus() -> list:
    png, jpeg = save(seven_on_paper(), "PNG"), save(seven_on_paper(), "JPEG")
    return [
        pytest.param(b"", "empty", id="zero_bytes"),
        pytest.param(b"7\nthis is my digit, honestly\n", "not_an_image", id="text"),
        pytest.param(SVG, "not_an_image", id="svg_renamed_png"),
        pytest.param(HTML, "not_an_image", id="html_renamed_png"),
        pytest.param(png[: len(png) // 2], "truncated", id="truncated_png_half"),
        pytest.param(png[:-200], "truncated", id="truncated_png_end"),
        pytest.param(jpeg[: len(jpeg) // 2], "truncated", id="truncated_jpeg_half"),
        pytest.param(jpeg[:-2], "truncated", id="truncated_jpeg_no_eoi"),
        pytest.param(png_claiming_size(100_000, 100_000), "too_many_pixels",
                     id="png_bomb_header"),
        pytest.param(gif_claiming_size(65_535, 65_535), "too_many_pixels",
                     id="gif_bomb_header"),
        pytest.param(jpeg_claiming_size(65_000, 65_000), "too_many_pixels",
                     id="jpeg_bomb_header"),
    ]


@pytest.mark.parametrize("data, code", _bad_corpus())
def test_bad_files_are_refused_with_their_code(data, code):
    error = refusal(data)
    assert error.code == code, (error.code, error.details)
    assert str(error) == imaging.MESSAGES[code].format(**error.details)
    if code == "not_an_image":
        assert error.details == {"allowed": imaging.ALLOWED_TEXT}
    if code == "too_many_pixels":
        assert error.details["pixels"] > error.details["limit"] == imaging.MAX_PIXELS


def test_bomb_headers_report_the_claimed_pixels():
    assert refusal(png_claiming_size(100_000, 100_000)).details["pixels"] == 10**10
    assert refusal(gif_claiming_size(65_535, 65_535)).details["pixels"] == 65_535**2
    assert refusal(jpeg_claiming_size(65_000, 65_000)).details["pixels"] == 65_000**2


def test_a_file_over_the_upload_limit_names_the_limit():
    """A real PNG padded past the server's limit (10 MB unless configured)."""
    png = save(seven_on_paper(), "PNG")
    data = png + bytes(imaging.MAX_BYTES + 1 - len(png))
    assert len(data) == imaging.MAX_BYTES + 1
    assert read_image(png + bytes(1000)).size == (WIDTH, HEIGHT)  # padding is fine
    error = refusal(data)
    assert error.code == "too_many_bytes"
    limit_mb = math.floor(imaging.MAX_BYTES / imaging.MIB * 10) / 10
    assert error.details["limit_bytes"] == imaging.MAX_BYTES
    assert error.details["size_bytes"] == len(data)
    assert error.details["limit_mb"] == limit_mb
    assert error.details["size_mb"] > limit_mb  # "10.1 MB but the limit is 10.0 MB"
    assert f"the limit is {limit_mb} MB" in str(error)


# ------------------------------------------------------- extreme aspect ratios

# What happens today (reported): the gate accepts any aspect ratio under the pixel
# limit; the digit and object looks crop to the ink and fit it in their box, so a
# 20000×1 line becomes a thin bar; the photo looks take the centre square, which
# for a 20000×1 picture is a single pixel, shown as a flat 32×32 (or 224×224).


@pytest.mark.parametrize("width, height", [(20_000, 1), (1, 20_000), (20_000, 2),
                                           (5_000, 3), (1, 1), (2, 1)])
@pytest.mark.parametrize("paper, ink", [(255, 0), (0, 255), (128, 40), (255, 255)])
def test_extreme_aspect_ratios_prepare_or_say_blank(width, height, paper, ink):
    picture = Image.new("L", (width, height), paper)
    ImageDraw.Draw(picture).line((width // 3, 0, 2 * width // 3, height - 1),
                                 fill=ink, width=1)
    img = read_image(save(picture, "PNG"))
    assert img.size == (width, height)
    for dataset in SHAPES:
        try:
            prepared = check_prepared(img, dataset)
        except PredictionError as error:  # nothing on it: a clear answer, no crash
            assert error.code == "blank"
            assert SHAPES[dataset][2] == 1, "photo looks take any picture"
            continue
        if dataset in ("cifar10", "imagenet") and min(width, height) == 1:
            assert prepared.steps[1][1].shape[:2] == (1, 1)  # the centre square
            assert np.ptp(prepared.image) == 0  # one pixel, enlarged


@pytest.mark.parametrize("width, height", [(20_000, 1), (1, 20_000), (2_100, 100),
                                           (100, 2_001)])
def test_the_page_gate_refuses_strips_longer_than_20_to_1(width, height):
    data = save(Image.new("L", (width, height), 255), "PNG")
    assert read_image(data).size == (width, height)  # the default gate takes it
    error = refusal(data, **PAGE_GATE)
    assert error.code == "extreme_aspect"
    assert error.details == {"width": width, "height": height, "limit": "20"}
    assert f"{width} × {height} pixels" in str(error)


@pytest.mark.parametrize("width, height", [(2_000, 100), (100, 2_000), (20, 1)])
def test_the_page_gate_takes_exactly_20_to_1(width, height):
    picture = Image.new("L", (width, height), 255)
    ImageDraw.Draw(picture).line((width // 4, height // 2, 3 * width // 4,
                                  height // 2), fill=0)
    img = read_image(save(picture, "PNG"), **PAGE_GATE)
    assert max(img.size) <= WORKING_SIDE
    for dataset in SHAPES:
        check_prepared(img, dataset)


def test_a_20000_by_1_line_becomes_a_thin_horizontal_digit():
    img = read_image(save(Image.new("L", (20_000, 1), 0), "PNG"))
    # One flat colour (all black): nothing to classify.
    with pytest.raises(PredictionError):
        prepare_image(img, "mnist", SHAPES["mnist"])
    line = Image.new("L", (20_000, 1), 255)
    line.paste(0, (5_000, 0, 15_000, 1))
    prepared = check_prepared(read_image(save(line, "PNG")), "mnist")
    rows = np.flatnonzero(prepared.image.any(axis=1))
    cols = np.flatnonzero(prepared.image.any(axis=0))
    assert len(rows) <= 2 and len(cols) == 20  # fitted in 20×20: a flat bar


# ---------------------------------------------------------- odd but valid


def _cmyk_jpeg() -> bytes:
    return save(seven_on_paper().convert("CMYK"), "JPEG", quality=95)


def _png_16_bit() -> bytes:
    gray = np.asarray(seven_on_paper().convert("L"), dtype=np.uint16) * 257
    data = encode_png(gray)
    assert Image.open(io.BytesIO(data)).mode == "I;16"
    return data


def _palette_png_with_transparency() -> bytes:
    """Index 0 transparent (the paper), index 1 black ink: transparent = paper."""
    picture = Image.new("P", (WIDTH, HEIGHT), 0)
    picture.putpalette([255, 0, 0, 0, 0, 0] + [0] * (254 * 3))  # transparent red!
    picture.paste(1, (0, 0), seven_mask())
    return save(picture, "PNG", transparency=0)


def _rgba_on_transparent() -> bytes:
    """Black ink on fully transparent *black*: ignoring alpha would show nothing."""
    picture = Image.new("RGBA", (WIDTH, HEIGHT), (0, 0, 0, 0))
    picture.paste((0, 0, 0, 255), (0, 0), seven_mask())
    return save(picture, "PNG")


def _one_bit_png() -> bytes:
    picture = Image.new("1", (WIDTH, HEIGHT), 1)
    picture.paste(0, (0, 0), seven_mask())
    return save(picture, "PNG")


def _animated_gif() -> bytes:
    """Frame 0 is the "7"; frame 1 is a "1"; the page classifies frame 0."""
    other = Image.new("RGB", (WIDTH, HEIGHT), "white")
    ImageDraw.Draw(other).line((60, 20, 60, 140), fill="black", width=12)
    data = save(seven_on_paper(), "GIF", save_all=True, append_images=[other],
                duration=200, loop=0)
    assert Image.open(io.BytesIO(data)).n_frames == 2
    return data


def _exif_rotated_jpeg() -> bytes:
    """A phone photo held upright: the sensor stored it turned 90° to the left,
    with EXIF orientation 6 ("rotate 90° clockwise to view")."""
    sensor = seven_on_paper().rotate(90, expand=True)
    exif = sensor.getexif()
    exif[0x0112] = 6
    return save(sensor, "JPEG", exif=exif.tobytes(), quality=95)


ODD = {
    "cmyk_jpeg": _cmyk_jpeg,
    "png_16_bit": _png_16_bit,
    "palette_png_transparent": _palette_png_with_transparency,
    "rgba_on_transparent": _rgba_on_transparent,
    "png_1_bit": _one_bit_png,
    "animated_gif": _animated_gif,
    "exif_rotated_jpeg": _exif_rotated_jpeg,
}


@pytest.fixture(scope="module")
def reference():
    """The "7" as a plain RGB PNG, prepared for every dataset."""
    img = read_image(save(seven_on_paper(), "PNG"))
    return {dataset: check_prepared(img, dataset) for dataset in SHAPES}


@pytest.mark.parametrize("name", list(ODD))
def test_odd_files_read_and_prepare_like_a_plain_png(name, reference):
    img = read_image(ODD[name]())
    assert img.mode in imaging.NORMAL_MODES
    assert img.size == (WIDTH, HEIGHT)  # the EXIF photo is upright again
    for dataset in SHAPES:
        prepared = check_prepared(img, dataset)
        expected = reference[dataset].image
        if dataset in ("mnist", "digits", "fashion_mnist"):
            # The same "7": formats differ only in JPEG noise and grey levels.
            assert correlation(prepared.image, expected) > 0.9, dataset
            assert np.abs(prepared.image.astype(int) - expected).mean() < 12, dataset
        if dataset == "mnist" and name not in ("cmyk_jpeg", "exif_rotated_jpeg"):
            # Lossless files of the same drawing give the same MNIST digit.
            assert np.abs(prepared.image.astype(int) - expected).max() <= 1


@pytest.mark.parametrize("name", list(ODD))
def test_odd_files_through_the_page_gate_prepare_the_same(name, reference):
    """The page reads with ``max_side``: small files are untouched by it."""
    img = read_image(ODD[name](), **PAGE_GATE)
    assert img.mode in imaging.NORMAL_MODES and img.size == (WIDTH, HEIGHT)
    plain = read_image(ODD[name]())
    for dataset in SHAPES:
        assert np.array_equal(check_prepared(img, dataset).x,
                              check_prepared(plain, dataset).x), dataset


@pytest.mark.parametrize("fmt", ["PNG", "GIF", "JPEG"])
def test_big_transparent_and_palette_files_shrink_keeping_the_digit(fmt):
    """max_side shrinks a 2400×3200 file: palette transparency stays paper, the
    "7" stays the "7"."""
    big = Image.new("RGBA", (2400, 3200), (0, 0, 0, 0))
    big.paste((0, 0, 0, 255), (0, 0), seven_mask(2400, 3200))
    if fmt == "GIF":  # two colours, the white paper transparent
        picture = Image.alpha_composite(Image.new("RGBA", big.size, "white"),
                                        big).convert("RGB").quantize(2)
        data = save(picture, "GIF", transparency=picture.getpixel((0, 0)))
    elif fmt == "JPEG":
        data = save(Image.alpha_composite(Image.new("RGBA", big.size, "white"),
                                          big).convert("RGB"), "JPEG", quality=90)
    else:
        data = save(big, "PNG")
    img = read_image(data, **PAGE_GATE)
    assert max(img.size) <= WORKING_SIDE and img.size[0] * 4 == img.size[1] * 3
    small = check_prepared(read_image(save(seven_on_paper(), "PNG")), "mnist")
    prepared = check_prepared(img, "mnist")
    assert correlation(prepared.image, small.image) > 0.9


def test_exif_rotation_gives_the_upright_digit(reference):
    """Without the EXIF turn the "7" would lie on its side: its bar would be a
    column, not the top row."""
    prepared = check_prepared(read_image(_exif_rotated_jpeg()), "mnist")
    sideways = check_prepared(Image.open(io.BytesIO(_exif_rotated_jpeg())).convert(
        "L"), "mnist")
    upright = reference["mnist"].image
    assert correlation(prepared.image, upright) > 0.95
    assert correlation(sideways.image, upright) < 0.5


def test_transparent_black_background_is_paper_not_ink(reference):
    img = read_image(_rgba_on_transparent())
    assert img.mode == "RGBA" and img.getpixel((0, 0))[3] == 0
    prepared = check_prepared(img, "mnist")
    assert [step for step, _ in prepared.steps] == ["gray", "ink", "centred"]
    assert prepared.steps[0][1][0, 0] == 255  # transparent → white paper
    assert np.array_equal(prepared.image, reference["mnist"].image)
    # The photo looks see white paper too, not black.
    photo = check_prepared(img, "cifar10")
    assert photo.image[0, 0].tolist() == [255, 255, 255]


def test_animated_gif_is_its_first_frame(reference):
    prepared = check_prepared(read_image(_animated_gif()), "mnist")
    assert np.array_equal(prepared.image, reference["mnist"].image)


def test_12_megapixel_photo_reads_and_prepares(reference, capsys):
    """A 4000×3000 phone photo: every look works; the time is reported, not
    asserted (shared machines vary)."""
    photo = seven_on_paper(3000, 4000).rotate(90, expand=True)  # landscape
    noise = np.random.default_rng(0).integers(-12, 13, (3000, 4000, 3))
    pixels = np.clip(np.asarray(photo, dtype=np.int16) + noise, 0, 255)
    data = save(Image.fromarray(pixels.astype(np.uint8)), "JPEG", quality=90)
    assert len(data) < imaging.MAX_BYTES, len(data)
    timings = {}
    for dataset in SHAPES:
        start = time.perf_counter()
        img = read_image(data)
        read_done = time.perf_counter()
        prepared = check_prepared(img, dataset)
        timings[dataset] = (read_done - start, time.perf_counter() - read_done)
        assert img.size == (4000, 3000)
        if dataset == "mnist":  # the "7" on its side, found despite noise and JPEG
            clean = check_prepared(photo, "mnist")
            assert correlation(prepared.image, clean.image) > 0.95
    start = time.perf_counter()
    img = read_image(data, **PAGE_GATE)
    gate_read = time.perf_counter() - start
    assert img.size == (WORKING_SIDE, WORKING_SIDE * 3 // 4)
    check_prepared(img, "mnist")
    gate_total = time.perf_counter() - start
    with capsys.disabled():
        print(f"\n12-MP JPEG through the page gate (max_side {WORKING_SIDE}): read "
              f"{gate_read:.2f} s, read + prepare (mnist) {gate_total:.2f} s")
        print("12-MP JPEG ({:.1f} MB) read + prepare, seconds: {}".format(
            len(data) / imaging.MIB, ", ".join(
                f"{name} {r:.2f}+{p:.2f}" for name, (r, p) in timings.items())))
