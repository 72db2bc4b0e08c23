"""Settings, image and kernel controls of the convolution lesson."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st
from PIL import Image

from components.drawing import Pen, drawing_canvas
from components.i18n import t
from components.url_state import LessonSettings
from core.convolution import KERNELS, parse_kernel_cells
from core.imaging import ImageError, read_image, to_grayscale_array, to_rgb_array
from core.samples import SAMPLE_IMAGES, load_sample_image

SIZES = (64, 96, 128, 192, 256)
UPLOAD = "upload"
DRAW = "draw"
SOURCES = (*SAMPLE_IMAGES, UPLOAD, DRAW)
STEP_GRIDS = ("edge", "first", "second")


@dataclass(frozen=True)
class ConvSettings:
    """The lesson's defaults; every field is also a URL parameter."""

    image: str = "coffee"
    size: int = 128
    kernel: str = "horizontal_edge"
    k: tuple[str, ...] = ()  # edited kernel cells, row-major ("" = the preset)
    stride: int = 1
    padding: str = "same"
    normalise: bool = False
    magnitude: bool = False
    pool: str = "max"
    pool_size: int = 2
    pool_stride: int = 2
    grid: str = "edge"
    step_kernel: str = "horizontal_edge"
    step_stride: int = 1
    step_padding: str = "valid"
    row: int = 0
    col: int = 0
    ch_stride: int = 1
    ch_padding: str = "same"
    filters: int = 16
    batch: int = 32
    f: int = 5


DEFAULTS = ConvSettings()
# Settings that teacher mode hides (components/teacher.py).
ADVANCED = (
    "size", "normalise", "magnitude", "pool_stride", "batch")
SETTINGS = LessonSettings("conv", DEFAULTS, ADVANCED)
key = SETTINGS.key
LIMITS = {"stride": (1, 4), "pool_size": (1, 4), "pool_stride": (1, 4),
          "step_stride": (1, 2), "ch_stride": (1, 4), "filters": (1, 512),
          "batch": (1, 1024), "f": (1, 11)}


def restore_settings() -> None:
    paddings = ("valid", "same")
    SETTINGS.restore(LIMITS, {
        "image": SOURCES, "kernel": tuple(KERNELS), "step_kernel": tuple(KERNELS),
        "padding": paddings, "step_padding": paddings, "ch_padding": paddings,
        "pool": ("max", "average"), "grid": STEP_GRIDS, "size": SIZES})


@st.cache_data(max_entries=64, show_spinner=False)
def _sample_arrays(name: str, size: int) -> tuple[np.ndarray, np.ndarray]:
    picture = Image.fromarray(load_sample_image(name))
    return to_grayscale_array(picture, size), to_rgb_array(picture, size)


@st.cache_data(max_entries=16, show_spinner=False)
def _upload_arrays(data: bytes, size: int) -> tuple[np.ndarray, np.ndarray]:
    picture = read_image(data)
    return to_grayscale_array(picture, size), to_rgb_array(picture, size)


def _show_image_error(error: ImageError) -> None:
    st.error(t(f"image_error.{error.code}", **error.details), icon=":material/block:")


@st.cache_data(max_entries=16, show_spinner=False)
def _drawing_arrays(pixels: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    picture = Image.fromarray(pixels)
    return to_grayscale_array(picture, size), to_rgb_array(picture, size)


def _drawing_ui(size: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Black ink on white paper, as large as MNIST's 28 × 10; None until drawn."""
    canvas_column, help_column = st.columns([1, 1], vertical_alignment="center")
    with help_column:
        width = st.slider(t("drawing.pen"), 4, 40, key="conv_pen_width",
                          value=14, step=2)
        st.caption(t("drawing.help"))
    with canvas_column:
        pixels = drawing_canvas("conv_canvas", Pen(width=width))
    if pixels is None:
        st.info(t("conv.draw_first"), icon=":material/draw:")
        return None
    return _drawing_arrays(pixels, size)


def image_ui() -> tuple[np.ndarray, np.ndarray, str]:
    """Choose a sample photo, upload one or draw; returns (gray, rgb, source label).

    A refused upload shows why and keeps the previous picture.
    """
    left, right = st.columns([2, 1])
    source = left.selectbox(t("conv.image"), SOURCES, key=key("image"),
                            format_func=lambda n: t(f"conv.sample.{n}"))
    size = right.select_slider(t("conv.size"), SIZES, key=key("size"))
    if source == DRAW:
        drawn = _drawing_ui(size)
        if drawn is not None:
            return *drawn, t("conv.your_drawing")
        source = "coffee"
    if source == UPLOAD:
        upload = st.file_uploader(t("conv.upload"), key="conv_uploader",
                                  type=["png", "jpg", "jpeg", "gif", "bmp", "webp"])
        if upload is not None:
            data = upload.getvalue()
            digest = hashlib.sha1(data).hexdigest()
            if st.session_state.get("conv_upload_digest") != digest:
                st.session_state["conv_upload_error"] = None
                try:
                    _upload_arrays(data, size)
                    st.session_state["conv_upload"] = (data, upload.name)
                except ImageError as error:
                    st.session_state["conv_upload_error"] = error
                st.session_state["conv_upload_digest"] = digest
            if st.session_state.get("conv_upload_error") is not None:
                _show_image_error(st.session_state["conv_upload_error"])
        if "conv_upload" in st.session_state:
            data, name = st.session_state["conv_upload"]
            gray, rgb = _upload_arrays(data, size)
            return gray, rgb, name
        st.info(t("conv.upload_first"), icon=":material/upload:")
        source = "coffee"
    gray, rgb = _sample_arrays(source, size)
    return gray, rgb, t(f"conv.sample.{source}")


def kernel_ui() -> np.ndarray:
    """A preset and its editable grid (3×3 or 5×5); bad cells count as 0."""
    preset = st.selectbox(t("conv.kernel"), tuple(KERNELS), key=key("kernel"),
                          format_func=lambda n: t(f"kernel.{n}"))
    base = KERNELS[preset]
    # The editor's base table must not change between reruns (edits are stored
    # relative to it): build it once per preset, from the link's cells if any.
    base_key = f"conv_kernel_base_{preset}"
    if base_key not in st.session_state:
        cells, seeded = SETTINGS.get("k"), base
        if cells and len(cells) != base.size:
            st.warning(t("problem.url_unreadable", name="k"))
        if len(cells) == base.size and not st.session_state.get("conv_k_seeded"):
            grid = np.array(cells, dtype=object).reshape(base.shape).tolist()
            seeded, problems = parse_kernel_cells(grid)
            for code, row, col in problems:
                st.warning(t(f"problem.{code}", row=row, col=col))
        st.session_state["conv_k_seeded"] = True
        st.session_state[base_key] = pd.DataFrame(
            seeded, columns=[str(j + 1) for j in range(base.shape[1])])
    table = st.session_state[base_key]
    edited = st.data_editor(
        table, key=f"conv_kernel_editor_{preset}", hide_index=True,
        column_config={c: st.column_config.NumberColumn(c, format="%.3g")
                       for c in table.columns})
    kernel, problems = parse_kernel_cells(edited.to_numpy(dtype=object).tolist())
    for code, row, col in problems:
        st.warning(t(f"problem.{code}", row=row, col=col))
    changed = not np.allclose(kernel, base)
    SETTINGS.set("k", tuple(f"{v:g}" for v in kernel.ravel()) if changed else ())
    return kernel
