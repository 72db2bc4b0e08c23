"""The one gate for image input: uploaded bytes in, a safe, loaded picture out.

Every check happens before pixels are decoded where it can (size in bytes, format,
width × height), so a hostile or broken file costs milliseconds, not gigabytes.
A refusal is an ``ImageError`` whose ``code`` and ``details`` the UI translates.
"""

from __future__ import annotations

import io
import math
import os
import re
import struct
import warnings

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from core.mnist_prep import DigitError, MnistInput, to_mnist_input  # noqa: F401

ALLOWED_FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP")
# Phones and cameras save JPEGs carrying a preview picture; Pillow calls them "MPO".
FORMAT_ALIASES = {"MPO": "JPEG"}
ALLOWED_TEXT = ", ".join(ALLOWED_FORMATS)
MIB = 1024 * 1024
# 40 MP is about 6300 × 6300: more than any phone photo, yet its RGBA copy stays
# near 160 MB, so a classroom of uploads cannot exhaust a small server.
MAX_PIXELS = 40_000_000
NORMAL_MODES = ("RGB", "L", "RGBA")
_DEEP_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I", "F")
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error)

MESSAGES = {
    "empty": "The file is empty (0 bytes). Choose the picture again and re-upload.",
    "too_many_bytes": "The file is {size_mb} MB but the limit is {limit_mb} MB. "
    "Save a smaller copy (fewer pixels, or JPEG) and upload that.",
    "not_an_image": "This file is not a picture we can read (text, SVG or HTML "
    "renamed .png are not images). Upload a {allowed} file.",
    "unsupported_format": "{format} pictures are not supported here. "
    "Convert it to {allowed} and upload it again.",
    "too_many_pixels": "The picture has {pixels:,} pixels, more than the limit of "
    "{limit:,}. Resize it (e.g. to 2000 pixels wide) and upload it again.",
    "extreme_aspect": "The picture is {width} × {height} pixels: one side is more "
    "than {limit} times the other, so there is nothing square enough to classify. "
    "Crop it and upload it again.",
    "truncated": "The {format} file is cut short or damaged (maybe the download "
    "stopped early). Open and re-save it, or download it again.",
    "fully_transparent": "Every pixel of this {width}×{height} picture is fully "
    "transparent, so there is nothing to see. Upload a visible picture.",
}


class ImageError(ValueError):
    """A refused image: ``code`` names the reason, ``details`` fills the message.

    >>> str(ImageError("empty"))
    'The file is empty (0 bytes). Choose the picture again and re-upload.'
    """

    def __init__(self, code: str, **details: object) -> None:
        self.code = code
        self.details = details
        super().__init__(MESSAGES[code].format(**details))


def _max_bytes_from_env(default_mb: float = 10.0) -> int:
    """Bytes allowed per upload: ``PLAYGROUND_MAX_UPLOAD_MB`` megabytes, else 10."""
    raw = os.environ.get("PLAYGROUND_MAX_UPLOAD_MB", "").strip() or str(default_mb)
    try:
        megabytes = float(raw)
    except ValueError:
        megabytes = math.nan
    if not (math.isfinite(megabytes) and megabytes > 0):
        warnings.warn(f"PLAYGROUND_MAX_UPLOAD_MB={raw!r} is not a positive number; "
                      f"using {default_mb:g} MB.", stacklevel=2)
        megabytes = default_mb
    return int(megabytes * MIB)


MAX_BYTES = _max_bytes_from_env()


def read_image(data: bytes, max_bytes: int | None = None,
               max_pixels: int | None = None,
               max_aspect: float | None = None,
               max_side: int | None = None) -> Image.Image:
    """Check, decode and normalise uploaded bytes: the app's only image door.

    Order: bytes → identify → format → width × height (from the header) → decode
    frame 0 → EXIF orientation → mode in ``NORMAL_MODES`` → something visible.

    Args:
        data: the uploaded file's bytes.
        max_bytes, max_pixels: limits (default ``MAX_BYTES``, ``MAX_PIXELS``).
        max_aspect: refuse pictures whose longer side is more than this many times
            the shorter one ("extreme_aspect"; None: no limit), checked from the
            header like the pixel count.
        max_side: shrink the picture so neither side exceeds this (None: keep
            the size). A JPEG is then decoded at 1/2, 1/4 or 1/8 scale directly
            (``Image.draft``), so a 12-megapixel photo costs a fraction of a full
            decode.

    Returns:
        A fully loaded image in mode "RGB", "L" or "RGBA", detached from ``data``.

    Raises:
        ImageError: with ``code`` one of the keys of ``MESSAGES``.
        RuntimeError: if some code set ``ImageFile.LOAD_TRUNCATED_IMAGES``.

    >>> read_image(encode_png(np.zeros((2, 3)))).size
    (3, 2)
    """
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    max_pixels = MAX_PIXELS if max_pixels is None else max_pixels
    # Never above Pillow's own alarm: catch_warnings below is process-wide, so under
    # threads it may briefly not apply; this limit does not depend on it.
    max_pixels = min(max_pixels, Image.MAX_IMAGE_PIXELS or max_pixels)
    _check_byte_size(data, max_bytes)
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES is True somewhere in "
                           "this process; read_image refuses to pass broken files.")
    with warnings.catch_warnings(), io.BytesIO(data) as stream:
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            frame = _decode_first_frame(stream, max_pixels, max_aspect, max_side)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise _bomb_error(error, max_pixels) from None
    frame = _normalise_mode(frame)
    if frame.mode == "RGBA" and frame.getchannel("A").getextrema()[1] == 0:
        raise ImageError("fully_transparent", width=frame.width, height=frame.height)
    return frame


def _check_byte_size(data: bytes, max_bytes: int) -> None:
    if len(data) == 0:
        raise ImageError("empty")
    if len(data) > max_bytes:
        # Round the size up and the limit down, so "10.0 MB > 10.0 MB" never shows.
        raise ImageError("too_many_bytes", size_mb=math.ceil(len(data) / MIB * 10) / 10,
                         limit_mb=math.floor(max_bytes / MIB * 10) / 10,
                         size_bytes=len(data), limit_bytes=max_bytes)


def _decode_first_frame(stream: io.BytesIO, max_pixels: int,
                        max_aspect: float | None = None,
                        max_side: int | None = None) -> Image.Image:
    """Identify (headers only), check format and size, then decode frame 0 upright."""
    try:
        img = Image.open(stream)  # lazy: no pixel is decoded yet
    except UnidentifiedImageError:
        raise ImageError("not_an_image", allowed=ALLOWED_TEXT) from None
    except _DECODE_ERRORS:  # recognised, but the header itself is cut or broken
        raise ImageError("truncated", format="image") from None
    with img:
        _check_header(img, max_pixels, max_aspect)
        try:
            img.seek(0)
            if max_side is not None and img.format == "JPEG":
                img.draft(img.mode, (max_side, max_side))  # decode at 1/2…1/8
            img.load()
            if max_side is not None and max(img.size) > max_side:
                img.thumbnail((max_side, max_side), Image.Resampling.BOX)
        except _DECODE_ERRORS:
            raise ImageError("truncated", format=img.format) from None
        try:
            return ImageOps.exif_transpose(img)  # always a new, detached image
        except _DECODE_ERRORS:  # a broken EXIF block should not cost the picture
            return img.copy()


def _check_header(img: Image.Image, max_pixels: int,
                  max_aspect: float | None = None) -> None:
    name = FORMAT_ALIASES.get(img.format or "", img.format or "unknown")
    if name not in ALLOWED_FORMATS:
        raise ImageError("unsupported_format", format=name, allowed=ALLOWED_TEXT)
    width, height = img.size
    if width * height > max_pixels:
        raise ImageError("too_many_pixels", width=width, height=height,
                         pixels=width * height, limit=max_pixels)
    if max_aspect is not None and max(width, height) > max_aspect * min(width, height):
        raise ImageError("extreme_aspect", width=width, height=height,
                         limit=f"{max_aspect:g}")


def _bomb_error(error: Exception, max_pixels: int) -> ImageError:
    """Pillow refused before we saw the size; its message carries the pixel count."""
    pillow_limit = Image.MAX_IMAGE_PIXELS or max_pixels
    if isinstance(error, Image.DecompressionBombError):
        pillow_limit *= 2
    found = re.search(r"\((\d+) pixels\)", str(error))
    pixels = int(found.group(1)) if found else pillow_limit + 1
    return ImageError("too_many_pixels", width=None, height=None, pixels=pixels,
                      limit=min(max_pixels, pillow_limit))


def _normalise_mode(img: Image.Image) -> Image.Image:
    """Return ``img`` in "RGB", "L" or "RGBA"; transparency always kept as alpha."""
    has_alpha = img.has_transparency_data  # alpha band, tRNS or an RGBA palette
    if img.mode in _DEEP_MODES:
        return _stretch_to_gray(img)
    if img.mode == "1" and not has_alpha:
        return img.convert("L")
    if img.mode in NORMAL_MODES + ("P", "1") and has_alpha:
        return img.convert("RGBA")
    if img.mode in NORMAL_MODES:
        return img
    return img.convert("RGBA" if has_alpha else "RGB")  # P, LA, PA, CMYK, YCbCr…


def _stretch_to_gray(img: Image.Image) -> Image.Image:
    """16-bit, 32-bit or float pixels → "L", stretching the actual min..max to
    0..255; a flat image is scaled against full scale (65535, or 1.0 for "F")."""
    values = np.asarray(img, dtype=np.float32)
    finite = values[np.isfinite(values)]
    low, high = (finite.min(), finite.max()) if finite.size else (0.0, 0.0)
    values = np.nan_to_num(values, nan=low, posinf=high, neginf=low)
    if high > low:
        scaled = (values - low) / (high - low)
    else:
        scaled = np.clip(values / (1.0 if img.mode == "F" else 65535.0), 0.0, 1.0)
    return Image.fromarray(np.round(scaled * 255).astype(np.uint8))


def _flatten(img: Image.Image, mode: str, size: int | None) -> np.ndarray:
    """Composite on white, convert to ``mode``, fit the longer side to ``size``."""
    whole = isinstance(size, int | np.integer) and not isinstance(size, bool)
    if size is not None and not (whole and size >= 1):
        raise ValueError(f"size must be a whole number of pixels ≥ 1, got {size!r}.")
    img = _normalise_mode(img)
    if img.mode == "RGBA":
        white = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, img)
    img = img.convert(mode)
    if size is not None:
        scale = size / max(img.size)
        new_size = tuple(max(1, round(side * scale)) for side in img.size)
        img = img.resize(new_size, Image.Resampling.LANCZOS)
    return np.asarray(img, dtype=np.float64) / 255.0


def to_grayscale_array(img: Image.Image, size: int | None = None) -> np.ndarray:
    """Pixels as float64 gray levels in [0, 1], shape (H, W); transparent → white.

    Gray is Pillow's (and Keras ``load_img``'s) luma: 0.299 R + 0.587 G + 0.114 B.
    Resizing happens on 8-bit pixels, so a huge photo never becomes a huge float array.

    Args:
        img: any Pillow image (usually from ``read_image``).
        size: if given, resize (LANCZOS) so the longer side is exactly ``size``.

    Returns:
        A new float64 array; 0 is black, 1 is white.

    Raises:
        ValueError: if ``size`` is not a whole number ≥ 1.

    >>> to_grayscale_array(Image.new("RGBA", (4, 2)), size=8).shape
    (4, 8)
    """
    return _flatten(img, "L", size)


def to_rgb_array(img: Image.Image, size: int | None = None) -> np.ndarray:
    """Like ``to_grayscale_array`` but in colour: float64, shape (H, W, 3), in [0, 1].

    >>> to_rgb_array(Image.new("L", (3, 2), 255)).min()
    np.float64(1.0)
    """
    return _flatten(img, "RGB", size)


def encode_png(picture: Image.Image | np.ndarray) -> bytes:
    """Encode an image, or an (H, W), (H, W, 3) or (H, W, 4) array, as PNG bytes.

    Args:
        picture: a Pillow image, or pixels as floats in [0, 1], uint8 or uint16.

    Returns:
        The PNG file's bytes.

    Raises:
        ValueError: for other shapes or dtypes, or floats outside [0, 1] / NaN.

    >>> encode_png(np.ones((2, 2)))[:4]
    b'\\x89PNG'
    """
    img = picture if isinstance(picture, Image.Image) else _array_to_image(picture)
    if img.mode not in ("1", "L", "LA", "I;16", "I;16B", "P", "RGB", "RGBA"):
        img = _normalise_mode(img)  # e.g. CMYK, F: modes PNG cannot hold
    with io.BytesIO() as buffer:
        img.save(buffer, format="PNG")
        return buffer.getvalue()


def _array_to_image(array: np.ndarray) -> Image.Image:
    array = np.asarray(array)
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        raise ValueError(f"Expected an (H, W), (H, W, 3) or (H, W, 4) array, "
                         f"got shape {array.shape}.")
    if np.issubdtype(array.dtype, np.floating):
        if not (np.all(np.isfinite(array)) and array.min() >= 0 and array.max() <= 1):
            raise ValueError("Float pixels must be finite and within [0, 1]; "
                             "divide 0..255 values by 255 first.")
        array = np.round(array * 255).astype(np.uint8)
    elif array.dtype == np.uint16 and array.ndim == 2:
        return Image.fromarray(array)  # mode "I;16"
    elif array.dtype != np.uint8:
        raise ValueError(f"Pixels must be uint8, 2-D uint16 or float in [0, 1], "
                         f"got {array.dtype}.")
    return Image.fromarray(array)
