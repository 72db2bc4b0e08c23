"""The convolution lesson's panels: feature map, edges, pooling, steps, channels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from components.code_panel import show_code
from components.conv_charts import grid_figure, image_figure
from components.conv_lab import SETTINGS, key
from components.i18n import t
from core.conv_codegen import keras_conv_code, numpy_conv_code
from core.convolution import (
    DOCUMENT_PATCHES,
    KERNELS,
    ConvolutionError,
    conv2d,
    convolution_step,
    layer_shapes,
    normalise_kernel,
    output_size,
    padding_amounts,
    pool2d,
)

STEP_EDGE_GRID = np.array([[0.9, 0.8, 0.9, 0.8, 0.9, 0.8, 0.9]] * 3 +
                          [[0.1, 0.2, 0.1, 0.2, 0.1, 0.2, 0.1]] * 4)


def show_conv_error(error: ConvolutionError) -> None:
    st.error(t(f"conv_error.{error.code}", **error.details), icon=":material/block:")


def size_formula(n: int, f: int, stride: int, padding: str) -> str:
    """The output-size formula for one axis with the numbers filled in (LaTeX)."""
    out = output_size(n, f, stride, padding)
    if padding == "valid":
        return (rf"\left\lfloor \frac{{{n} + 2\cdot 0 - {f}}}{{{stride}}} "
                rf"\right\rfloor + 1 = {out}")
    before, after = padding_amounts((n, n), (f, f), stride, "same")[0]
    pad = t("conv.pad")
    return (rf"\left\lceil \frac{{{n}}}{{{stride}}} \right\rceil = {out}"
            rf"\quad(\text{{{pad}}}\ {before} + {after})")


def filter_controls_ui() -> tuple[int, str, bool, bool]:
    cols = st.columns(4)
    stride = cols[0].slider(t("conv.stride"), 1, 4, key=key("stride"))
    padding = cols[1].segmented_control(t("conv.padding"), ["valid", "same"],
                                        key=key("padding"), selection_mode="single")
    normalise = cols[2].toggle(t("conv.normalise"), key=key("normalise"),
                               help=t("conv.normalise_help"))
    magnitude = cols[3].toggle(t("conv.magnitude"), key=key("magnitude"))
    return stride, padding or "same", normalise, magnitude


def draw_feature_map(gray: np.ndarray, kernel: np.ndarray, stride: int, padding: str,
                     normalise: bool, magnitude: bool) -> np.ndarray | None:
    """Input and feature map side by side, with the output size worked out."""
    if normalise:
        kernel = normalise_kernel(kernel)
    try:
        feature_map = conv2d(gray, kernel, stride, padding)
    except ConvolutionError as error:
        show_conv_error(error)
        return None
    left, right = st.columns(2)
    left.plotly_chart(image_figure(gray, t("conv.input", h=gray.shape[0],
                                           w=gray.shape[1])), key="conv_input")
    shown = np.abs(feature_map) if magnitude else feature_map
    right.plotly_chart(image_figure(shown, t("conv.output", h=feature_map.shape[0],
                                             w=feature_map.shape[1]),
                                    diverging=not magnitude, picture=False),
                       key="conv_output")
    f_h, f_w = kernel.shape
    st.latex(r"n_{\text{out}} = \left\lfloor \frac{n + 2p - f}{s} \right\rfloor + 1")
    st.latex(r"\text{H: }" + size_formula(gray.shape[0], f_h, stride, padding)
             + r"\qquad \text{W: }" + size_formula(gray.shape[1], f_w, stride, padding))
    return feature_map


def draw_both_edges(gray: np.ndarray) -> None:
    """The documents' two filters on the same photo, and their combined strength."""
    horizontal = conv2d(gray, KERNELS["horizontal_edge"], 1, "same")
    vertical = conv2d(gray, KERNELS["vertical_edge"], 1, "same")
    cols = st.columns(3)
    cols[0].plotly_chart(image_figure(horizontal, t("edges.horizontal"), True, 300),
                         key="edges_h")
    cols[1].plotly_chart(image_figure(vertical, t("edges.vertical"), True, 300),
                         key="edges_v")
    cols[2].plotly_chart(image_figure(np.hypot(horizontal, vertical),
                                      t("edges.magnitude"), False, 300, picture=False),
                         key="edges_m")


def draw_pooling(feature_map: np.ndarray) -> None:
    cols = st.columns(3)
    mode = cols[0].segmented_control(t("pool.mode"), ["max", "average"],
                                     key=key("pool"),
                                     format_func=lambda m: t(f"pool.{m}"))
    size = cols[1].slider(t("pool.size"), 1, 4, key=key("pool_size"))
    stride = cols[2].slider(t("pool.stride"), 1, 4, key=key("pool_stride"))
    try:
        pooled = pool2d(feature_map, size, stride, "valid", mode or "max")
    except ConvolutionError as error:
        show_conv_error(error)
        return
    st.plotly_chart(image_figure(pooled, t("pool.output", h=pooled.shape[0],
                                           w=pooled.shape[1]), diverging=True),
                    key="pool_output")
    st.caption(t("pool.caption", n=feature_map.shape[0], f=size, s=stride,
                 out=pooled.shape[0]))


def _step_grid(name: str) -> np.ndarray:
    return STEP_EDGE_GRID if name == "edge" else DOCUMENT_PATCHES[name][0]


def _next_step(out_h: int, out_w: int) -> None:
    row, col = SETTINGS.get("row"), SETTINGS.get("col") + 1
    if col >= out_w:
        row, col = (row + 1) % out_h, 0
    SETTINGS.set("row", row)
    SETTINGS.set("col", col)


def draw_step_through() -> None:
    """Slide the window by hand: patch × kernel, their sum, where it lands."""
    cols = st.columns(4)
    grid_name = cols[0].selectbox(t("step.grid"), ["edge", "first", "second"],
                                  key=key("grid"), format_func=lambda g: t(f"step.{g}"))
    kernel_name = cols[1].selectbox(t("conv.kernel"), [k for k in KERNELS
                                                       if KERNELS[k].shape == (3, 3)],
                                    key=key("step_kernel"),
                                    format_func=lambda n: t(f"kernel.{n}"))
    stride = cols[2].slider(t("step.stride"), 1, 2, key=key("step_stride"))
    padding = cols[3].segmented_control(t("step.padding"), ["valid", "same"],
                                        key=key("step_padding")) or "valid"
    grid, kernel = _step_grid(grid_name), KERNELS[kernel_name]
    out_h = output_size(grid.shape[0], 3, stride, padding)
    out_w = output_size(grid.shape[1], 3, stride, padding)
    SETTINGS.clamp("row", 0, out_h - 1)
    SETTINGS.clamp("col", 0, out_w - 1)
    cols = st.columns([1, 1, 1])
    cols[0].number_input(t("step.row"), 0, out_h - 1, key=key("row"))
    cols[1].number_input(t("step.col"), 0, out_w - 1, key=key("col"))
    cols[2].button(t("step.next"), on_click=_next_step, args=(out_h, out_w),
                   icon=":material/skip_next:", key="conv_step_next")
    step = convolution_step(grid, kernel, SETTINGS.get("row"), SETTINGS.get("col"),
                            stride, padding)
    _draw_step(step, grid, kernel, stride, padding, grid_name, kernel_name)


def _draw_step(step, grid, kernel, stride, padding, grid_name, kernel_name) -> None:
    (top, bottom), (left, right) = step.pads
    mask = np.ones(step.padded.shape, dtype=bool)
    mask[top:top + grid.shape[0], left:left + grid.shape[1]] = False
    feature_map = conv2d(grid, kernel, stride, padding)
    cols = st.columns([3, 2, 2])
    cols[0].plotly_chart(grid_figure(step.padded, t("step.input"), (step.rows,
                                     step.cols), mask if mask.any() else None),
                         key="step_input")
    cols[1].plotly_chart(grid_figure(step.products, t("step.products")),
                         key="step_products")
    cols[2].plotly_chart(grid_figure(feature_map, t("step.output"),
                                     highlight=(step.out_row, step.out_col)),
                         key="step_output")
    terms = " + ".join(f"({p:.2g})·({k:.2g})" for p, k in
                       zip(step.patch.ravel(), kernel.ravel(), strict=True))
    total = round(step.total, 10) + 0.0  # drop float noise such as −1.1e−16
    st.markdown(t("step.sum", terms=terms, total=f"{total:.4g}",
                  row=step.out_row, col=step.out_col))
    if grid_name in ("first", "second") and kernel_name == "horizontal_edge":
        printed = DOCUMENT_PATCHES[grid_name][1]
        if abs(printed - step.total) > 1e-9 and padding == "valid":
            st.warning(t("step.document_wrong", printed=printed,
                         total=f"{step.total:.4g}"), icon=":material/error:")
        elif padding == "valid":
            st.success(t("step.document_right", printed=printed))


def draw_channels(rgb: np.ndarray) -> None:
    """RGB × a 3×3×3 kernel → one map; and the layer shape table."""
    every = max(1, max(rgb.shape[:2]) // 64)  # same step both ways: keep the shape
    small = rgb[::every, ::every]
    kernel = np.repeat(KERNELS["horizontal_edge"][:, :, None], 3, axis=2)
    feature_map = conv2d(small, kernel, 1, "same")
    cols = st.columns(4)
    for index, name in enumerate(("red", "green", "blue")):
        cols[index].plotly_chart(image_figure(small[:, :, index],
                                              t(f"channels.{name}"), height=240),
                                 key=f"channel_{name}")
    cols[3].plotly_chart(image_figure(feature_map, t("channels.sum"), True, 240),
                         key="channel_sum")
    cols = st.columns(5)
    filters = cols[0].number_input(t("channels.filters"), 1, 512, key=key("filters"))
    batch = cols[1].number_input(t("channels.batch"), 1, 1024, key=key("batch"))
    f = cols[2].number_input(t("channels.f"), 1, 11, key=key("f"))
    stride = cols[3].slider(t("channels.stride"), 1, 4, key=key("ch_stride"))
    padding = cols[4].segmented_control(t("channels.padding"), ["valid", "same"],
                                        key=key("ch_padding")) or "same"
    try:
        shapes = layer_shapes(batch, small.shape[0], small.shape[1], 3, f, filters,
                              stride, padding)
    except ConvolutionError as error:
        show_conv_error(error)
        return
    st.table(pd.DataFrame([{t("channels.col.input"): str(list(shapes["input"])),
                            t("channels.col.kernel"): str(list(shapes["kernel"])),
                            t("channels.col.output"): str(list(shapes["output"])),
                            t("channels.col.params"): f"({f}·{f}·3 + 1)·{filters} = "
                                                      f"{shapes['params']:,}"}]),
             hide_index=True)


def draw_code(kernel: np.ndarray, stride: int, padding: str) -> None:
    sample = SETTINGS.get("image")
    sample = "coffee" if sample == "upload" else sample
    size, mode = SETTINGS.get("size"), SETTINGS.get("pool") or "max"
    keras_tab, numpy_tab = st.tabs([t("code.keras", name="Conv2D"),
                                    t("code.numpy_conv")])
    with keras_tab:
        pool_size, pool_stride = SETTINGS.get("pool_size"), SETTINGS.get("pool_stride")
        show_code(keras_conv_code(sample, size, kernel, stride, padding, mode,
                                  pool_size, pool_stride),
                  "convolution_keras.py", "dl_conv_keras")
    with numpy_tab:
        show_code(numpy_conv_code(sample, size, kernel, stride, padding),
                  "convolution_numpy.py", "dl_conv_numpy")
