"""core.imaging: a corpus of bad and odd images, all generated here in memory.

Each bad file must be refused with the exact ``ImageError.code`` the UI translates;
each odd-but-valid file must come back in a normal mode with the right pixels.
"""

import io
import struct
import time
import warnings
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile
from skimage import data as skdata

from core import imaging
from core.imaging import (
    ImageError,
    encode_png,
    read_image,
    to_grayscale_array,
    to_rgb_array,
)
from tests.core.conftest import refusal

RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


def save(img: Image.Image, fmt: str, **options) -> bytes:
    with io.BytesIO() as buffer:
        img.save(buffer, format=fmt, **options)
        return buffer.getvalue()


def gradient_rgb(width: int = 120, height: int = 80) -> Image.Image:
    x = np.linspace(0, 255, width, dtype=np.uint8)
    y = np.linspace(0, 255, height, dtype=np.uint8)
    rgb = np.stack(np.broadcast_arrays(x[None, :], y[:, None], 128), axis=-1)
    return Image.fromarray(rgb.astype(np.uint8))


def png_claiming_size(width: int, height: int) -> bytes:
    """A real 1×1 PNG whose IHDR (and its CRC) is patched to claim width × height:
    a bomb's header without the bomb's cost to build."""
    png = bytearray(save(Image.new("1", (1, 1)), "PNG"))
    assert png[12:16] == b"IHDR"
    png[16:24] = struct.pack(">II", width, height)
    png[29:33] = struct.pack(">I", zlib.crc32(bytes(png[12:29])))
    return bytes(png)


# ---------------------------------------------------------------- bad files


@pytest.mark.parametrize("data", [
    np.random.default_rng(0).bytes(4096),
    b"Hello, this is a plain text file.\nIt is not a picture.\n",
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" '
    b'height="10"><rect width="10" height="10" fill="red"/></svg>',
    b"<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>",
], ids=["random_bytes", "text", "svg_renamed_png", "html_renamed_png"])
def test_non_images_are_not_an_image(data):
    error = refusal(data)
    assert error.code == "not_an_image"
    assert "PNG" in error.details["allowed"]


def test_zero_bytes_is_empty():
    assert refusal(b"").code == "empty"


def test_too_many_bytes_is_checked_before_decoding():
    png = encode_png(np.zeros((32, 32)))
    error = refusal(png, max_bytes=len(png) - 1)
    assert error.code == "too_many_bytes"
    assert error.details["size_bytes"] == len(png)
    assert error.details["limit_bytes"] == len(png) - 1
    assert read_image(png, max_bytes=len(png)).size == (32, 32)
    assert refusal(b"not even an image" * 10, max_bytes=20).code == "too_many_bytes"


def test_default_byte_limit_is_ten_mebibytes_and_env_overrides(monkeypatch):
    assert imaging.MAX_BYTES == 10 * 1024 * 1024
    monkeypatch.setenv("PLAYGROUND_MAX_UPLOAD_MB", "2.5")
    assert imaging._max_bytes_from_env() == int(2.5 * 1024 * 1024)
    monkeypatch.setenv("PLAYGROUND_MAX_UPLOAD_MB", "lots")
    with pytest.warns(UserWarning, match="PLAYGROUND_MAX_UPLOAD_MB"):
        assert imaging._max_bytes_from_env() == 10 * 1024 * 1024


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "BMP", "WEBP"])
def test_half_a_file_is_truncated(fmt):
    whole = save(gradient_rgb(), fmt)
    assert read_image(whole).size == (120, 80)
    error = refusal(whole[: len(whole) // 2])
    assert error.code == "truncated"


def test_truncated_header_is_refused_not_crashed():
    png = save(gradient_rgb(), "PNG")
    assert refusal(png[:24]).code == "truncated"  # "PNG" + half an IHDR
    assert refusal(png[:8]).code == "not_an_image"  # signature only


def test_truncation_is_never_silently_padded(monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(RuntimeError, match="LOAD_TRUNCATED_IMAGES"):
        read_image(encode_png(np.zeros((4, 4))))


@pytest.mark.parametrize("fmt", ["TIFF", "ICO", "PPM", "PCX", "TGA"])
def test_other_real_formats_are_unsupported(fmt):
    error = refusal(save(Image.new("RGB", (16, 16), RED), fmt))
    assert error.code == "unsupported_format"
    assert error.details["format"] == fmt


def test_png_bomb_header_is_refused_before_any_decoding():
    bomb = png_claiming_size(40_000, 40_000)
    assert len(bomb) < 100
    start = time.perf_counter()
    error = refusal(bomb)
    assert time.perf_counter() - start < 0.5
    assert error.code == "too_many_pixels"
    assert error.details["pixels"] == 40_000 * 40_000  # read from Pillow's refusal
    assert error.details["limit"] == imaging.MAX_PIXELS


def test_our_pixel_limit_is_checked_from_the_header():
    """7000² = 49 MP: under Pillow's own 89 MP alarm, over ours."""
    error = refusal(png_claiming_size(7_000, 7_000))
    assert error.code == "too_many_pixels"
    assert error.details == {"width": 7_000, "height": 7_000,
                             "pixels": 49_000_000, "limit": imaging.MAX_PIXELS}
    assert refusal(encode_png(np.zeros((10, 10))), max_pixels=99).code == (
        "too_many_pixels")


def test_pillow_bomb_warning_becomes_a_refusal():
    """10000² = 100 MP trips Pillow's warning (not its error); with a caller limit
    above it, the warning alone must still refuse the file."""
    with warnings.catch_warnings(record=True) as leaked:
        warnings.simplefilter("always")
        error = refusal(png_claiming_size(10_000, 10_000), max_pixels=500_000_000)
    assert not [w for w in leaked if w.category is Image.DecompressionBombWarning]
    assert error.code == "too_many_pixels"
    assert error.details["pixels"] == 100_000_000
    assert error.details["limit"] == Image.MAX_IMAGE_PIXELS


def test_pixel_limit_holds_even_if_the_warning_filter_is_lost(monkeypatch):
    """catch_warnings is process-wide, so a Streamlit thread finishing its own read
    can restore the filters mid-read; the header check must not depend on them."""
    monkeypatch.setattr(imaging.warnings, "simplefilter", lambda *args, **kw: None)
    with warnings.catch_warnings(record=True):
        error = refusal(png_claiming_size(10_000, 10_000), max_pixels=500_000_000)
    assert error.code == "too_many_pixels"
    assert error.details["width"] == 10_000
    assert error.details["limit"] == Image.MAX_IMAGE_PIXELS


def test_webp_bomb_header_is_refused():
    webp = bytearray(save(Image.new("RGB", (1, 1)), "WEBP", lossless=True))
    header = webp.index(b"VP8L") + 9  # after chunk id, length and 0x2f signature
    bits = int.from_bytes(webp[header:header + 4], "little") & ~((1 << 28) - 1)
    bits |= (9_000 - 1) | ((9_000 - 1) << 14)  # 14-bit width-1, height-1
    webp[header:header + 4] = bits.to_bytes(4, "little")
    error = refusal(bytes(webp))
    assert error.code == "too_many_pixels"
    assert (error.details["width"], error.details["height"]) == (9_000, 9_000)


def test_fully_transparent_image_is_refused():
    error = refusal(save(Image.new("RGBA", (30, 20), (255, 0, 0, 0)), "PNG"))
    assert error.code == "fully_transparent"
    assert error.details == {"width": 30, "height": 20}


def test_fully_transparent_palette_gif_is_refused():
    gif = save(Image.new("P", (8, 8), 0), "GIF", transparency=0)
    assert refusal(gif).code == "fully_transparent"


def test_every_prefix_of_a_real_file_reads_or_is_refused_cleanly():
    for fmt in ("PNG", "JPEG", "GIF", "WEBP"):
        whole = save(gradient_rgb(40, 30), fmt)
        for cut in range(0, len(whole), max(1, len(whole) // 97)):
            try:
                assert read_image(whole[:cut]).size == (40, 30)
            except ImageError as error:
                assert error.code in {"empty", "not_an_image", "truncated"}, cut


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["PNG", "JPEG", "GIF", "BMP", "WEBP"]),
       st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)),
                min_size=1, max_size=8))
def test_corrupted_bytes_never_escape_as_other_errors(fmt, flips):
    """Flip a few bytes anywhere: the gate returns a picture or an ImageError,
    never a raw Pillow/zlib/struct exception (which would be a traceback)."""
    data = bytearray(save(gradient_rgb(24, 16), fmt))
    for position, value in flips:
        data[position % len(data)] = value
    try:
        img = read_image(bytes(data))
    except ImageError:
        return
    assert img.mode in imaging.NORMAL_MODES


# ---------------------------------------------------------- odd but valid


def test_animated_gif_gives_its_first_frame():
    frames = [Image.new("RGB", (10, 10), colour) for colour in (RED, GREEN, BLUE)]
    gif = save(frames[0], "GIF", save_all=True, append_images=frames[1:],
               duration=100, loop=0)
    assert Image.open(io.BytesIO(gif)).n_frames == 3
    img = read_image(gif)
    assert img.mode == "RGB"
    assert img.getpixel((5, 5)) == RED


def test_cmyk_jpeg_becomes_rgb():
    jpeg = save(Image.new("CMYK", (20, 10), (0, 255, 255, 0)), "JPEG", quality=95)
    img = read_image(jpeg)
    assert img.mode == "RGB"
    assert np.allclose(img.getpixel((10, 5)), RED, atol=4)


def test_16_bit_png_is_stretched_not_clipped():
    ramp = np.linspace(0, 65535, 256 * 8).round().astype(np.uint16).reshape(8, 256)
    png = encode_png(ramp)
    assert Image.open(io.BytesIO(png)).mode == "I;16"
    pixels = np.asarray(read_image(png))
    assert pixels.dtype == np.uint8
    assert (pixels.min(), pixels.max()) == (0, 255)
    assert np.abs(pixels.astype(float) - ramp / 257).max() <= 0.5 + 1e-9
    assert 120 < pixels.mean() < 135  # Pillow's own convert("L") clips: mean ≈ 254


def test_16_bit_png_uses_its_actual_range():
    narrow = np.tile(np.array([1000, 1500, 2000], dtype=np.uint16), (4, 1))
    pixels = np.asarray(read_image(encode_png(narrow)))
    assert pixels[0].tolist() == [0, 128, 255]
    flat = np.full((4, 4), 65535, dtype=np.uint16)
    assert np.asarray(read_image(encode_png(flat))).min() == 255


def test_one_bit_png_becomes_l():
    bits = Image.new("1", (16, 8), 0)
    bits.paste(1, (0, 0, 8, 8))
    img = read_image(save(bits, "PNG"))
    assert img.mode == "L"
    assert img.getpixel((2, 2)) == 255 and img.getpixel((12, 2)) == 0


def test_palette_png_with_transparency_becomes_rgba():
    palette = Image.new("P", (10, 10), 0)
    palette.putpalette([*RED, *GREEN] + [0] * (256 * 3 - 6))
    palette.putpixel((3, 3), 1)
    img = read_image(save(palette, "PNG", transparency=0))
    assert img.mode == "RGBA"
    assert img.getpixel((3, 3)) == (*GREEN, 255)
    assert img.getpixel((0, 0))[3] == 0


def test_palette_png_without_transparency_becomes_rgb():
    img = read_image(save(gradient_rgb().quantize(16), "PNG"))
    assert img.mode == "RGB"


def test_la_png_becomes_rgba():
    img = read_image(save(Image.new("LA", (6, 4), (100, 200)), "PNG"))
    assert img.mode == "RGBA"
    assert img.getpixel((1, 1)) == (100, 100, 100, 200)


def test_grayscale_png_with_trns_keeps_its_transparency():
    gray = Image.new("L", (6, 4), 0)
    gray.putpixel((0, 0), 200)
    img = read_image(save(gray, "PNG", transparency=0))
    assert img.mode == "RGBA"
    assert img.getpixel((0, 0)) == (200, 200, 200, 255)
    assert img.getpixel((5, 3))[3] == 0


def test_exif_orientation_is_applied():
    """Orientation 6 means "rotate 90° clockwise to view": a 30×10 sensor image
    with a red left edge shows as 10×30 with red along the top."""
    sensor = Image.new("RGB", (30, 10), BLUE)
    sensor.paste(RED, (0, 0, 5, 10))
    exif = sensor.getexif()
    exif[0x0112] = 6
    jpeg = save(sensor, "JPEG", exif=exif.tobytes(), quality=95)
    img = read_image(jpeg)
    assert img.size == (10, 30)
    assert np.allclose(img.getpixel((5, 1)), RED, atol=10)
    assert np.allclose(img.getpixel((5, 28)), BLUE, atol=10)
    assert img.getexif().get(0x0112) in (None, 1)


def test_result_is_detached_and_fully_loaded():
    img = read_image(save(gradient_rgb(), "JPEG"))
    assert getattr(img, "fp", None) is None
    assert img.getpixel((0, 0)) is not None and img.copy().size == (120, 80)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "BMP", "WEBP"])
def test_every_allowed_format_reads(fmt):
    img = read_image(save(gradient_rgb(), fmt))
    assert img.size == (120, 80)
    assert img.mode in imaging.NORMAL_MODES


# ------------------------------------------------------------ array helpers


def luma(rgb: np.ndarray) -> np.ndarray:
    """ITU-R 601 luma, the oracle for Pillow's "L" (and Keras' grayscale)."""
    return rgb @ np.array([0.299, 0.587, 0.114])


def test_grayscale_of_a_real_photo_matches_the_luma_formula():
    coffee = skdata.coffee()
    assert coffee.shape == (400, 600, 3)
    gray = to_grayscale_array(read_image(encode_png(coffee)))
    assert gray.shape == (400, 600) and gray.dtype == np.float64
    assert 0.0 <= gray.min() and gray.max() <= 1.0
    assert np.abs(gray - luma(coffee / 255.0)).max() <= 1 / 255 + 1e-9


def test_resize_fits_the_longer_side_and_keeps_aspect():
    img = read_image(encode_png(skdata.coffee()))
    assert to_grayscale_array(img, size=28).shape == (19, 28)  # 400/600·28 = 18.7
    assert to_rgb_array(img, size=150).shape == (100, 150, 3)
    assert to_grayscale_array(img.rotate(90, expand=True), size=60).shape == (60, 40)
    assert to_grayscale_array(Image.new("L", (5, 3)), size=50).shape == (30, 50)


def test_resized_photo_keeps_its_brightness():
    coffee = skdata.coffee()
    small = to_rgb_array(read_image(encode_png(coffee)), size=60)
    assert np.abs(small.mean(axis=(0, 1)) - coffee.mean(axis=(0, 1)) / 255).max() < 0.02


def test_rgb_array_of_a_real_photo_is_exact():
    coffee = skdata.coffee()
    rgb = to_rgb_array(read_image(encode_png(coffee)))
    assert rgb.shape == (400, 600, 3) and rgb.dtype == np.float64
    assert np.array_equal(np.round(rgb * 255).astype(np.uint8), coffee)


def test_transparent_background_reads_as_white():
    rgba = np.zeros((10, 20, 4), dtype=np.uint8)
    rgba[:, :10] = (0, 0, 0, 255)  # opaque black left half, transparent right half
    img = read_image(encode_png(rgba))
    gray, rgb = to_grayscale_array(img), to_rgb_array(img)
    assert np.all(gray[:, :10] == 0.0) and np.all(gray[:, 10:] == 1.0)
    assert np.all(rgb[:, 10:] == 1.0)


def test_half_transparent_red_on_white_is_pink():
    img = Image.new("RGBA", (2, 2), (255, 0, 0, 128))
    assert np.allclose(to_rgb_array(img)[0, 0], [1.0, 127 / 255, 127 / 255], atol=2e-2)


@pytest.mark.parametrize("size", [0, -3, 2.5, True, "28"])
def test_bad_sizes_are_refused(size):
    with pytest.raises(ValueError, match="size"):
        to_grayscale_array(Image.new("L", (4, 4)), size=size)


def test_encode_png_refuses_what_it_cannot_write():
    with pytest.raises(ValueError, match="shape"):
        encode_png(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        encode_png(np.full((2, 2), 255.0))
    with pytest.raises(ValueError, match="int64"):
        encode_png(np.zeros((2, 2), dtype=np.int64))


def test_encode_png_normalises_modes_png_cannot_hold():
    cmyk = Image.new("CMYK", (3, 3), (0, 255, 255, 0))
    assert read_image(encode_png(cmyk)).getpixel((1, 1)) == RED


# ---------------------------------------------------------------- properties

MODE_AFTER_READ = {"1": "L", "L": "L", "LA": "RGBA", "P": "RGB", "RGB": "RGB",
                   "RGBA": "RGBA", "I;16": "L"}


@st.composite
def small_images(draw):
    mode = draw(st.sampled_from(sorted(MODE_AFTER_READ)))
    width, height = draw(st.integers(1, 48)), draw(st.integers(1, 48))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if mode == "I;16":
        return Image.fromarray(rng.integers(0, 65536, (height, width), np.uint16))
    rgba = rng.integers(0, 256, (height, width, 4), np.uint8)
    rgba[0, 0, 3] = 255  # at least one visible pixel
    if mode in ("LA", "RGBA"):
        return Image.fromarray(rgba).convert(mode)
    return Image.fromarray(rgba[..., :3]).convert(mode)


@settings(max_examples=80, deadline=None)
@given(small_images())
def test_png_round_trip_keeps_size_mode_class_and_pixels(img):
    back = read_image(encode_png(img))
    assert back.size == img.size
    assert back.mode == MODE_AFTER_READ[img.mode]
    if img.mode in ("L", "RGB", "RGBA"):
        assert np.array_equal(np.asarray(back), np.asarray(img))
    gray = to_grayscale_array(back, size=16)
    assert max(gray.shape) == 16 and 0.0 <= gray.min() and gray.max() <= 1.0


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 300), st.integers(1, 300), st.integers(1, 64))
def test_resize_shape_property(width, height, size):
    gray = to_grayscale_array(Image.new("L", (width, height), 77), size=size)
    assert max(gray.shape) == size
    expected_short = max(1, round(min(width, height) * size / max(width, height)))
    assert min(gray.shape) == expected_short
    assert np.allclose(gray, 77 / 255)
