"""Plotly figures for the Training lab. They take plain records and arrays; no maths
beyond what the picture needs (smoothing, downsampling, tiling).

Every text is passed in already translated. Each figure is built in one
``go.Figure(data, layout)`` call: the page redraws them every second while a model
trains, and chains of ``update_*`` calls cost ~35 ms a figure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from components.plot_style import PALETTE, base_layout, colour, line_width
from core.training import BatchRecord, EpochRecord

MAX_POINTS = 2_000  # per line: more points than pixels only slow the browser
METRICS = ("loss", "accuracy")
GRAY = "gray"
DIVERGING = "RdBu"  # negative red, positive blue (as in conv_charts)
BLUES = [[0.0, "#FFFFFF"], [1.0, PALETTE[0]]]
_LEGEND = {"orientation": "h", "yanchor": "top", "y": -0.22, "x": 0}
_HIDDEN = {"visible": False, "showgrid": False, "zeroline": False,
           "constrain": "domain"}


def _title(text: str) -> dict:
    return {"text": text, "font": {"size": 14}}


def smooth_ema(values: np.ndarray, smoothing: float) -> np.ndarray:
    """TensorBoard's smoothing: an EMA divided by ``1 − w^n`` so it starts unbiased.

    ``s_n = w·s_{n−1} + (1−w)·x_n`` with ``s_0 = 0``, shown as ``s_n / (1 − w^n)``
    (n counts finite values only). Non-finite values stay NaN and are skipped.
    """
    if not 0.0 <= smoothing < 1.0:
        raise ValueError(f"smoothing must be in [0, 1), got {smoothing!r}.")
    values = np.asarray(values, dtype=np.float64)
    out = np.full(values.shape, np.nan)
    finite = np.isfinite(values)
    ema = _ema(values[finite], smoothing)
    # 1 − w^n is exactly 1 once w^n < 1e-17; stopping there also avoids w^n
    # reaching subnormal numbers, which are ~100× slower to compute.
    head = 0 if smoothing == 0.0 else min(
        ema.size, math.ceil(17 / -math.log10(smoothing)))
    ema[:head] /= 1.0 - smoothing ** np.arange(1, head + 1)
    out[finite] = ema
    return out


def _ema(values: np.ndarray, smoothing: float) -> np.ndarray:
    """``s_t = w·s_{t−1} + (1−w)·x_t`` (s_{−1} = 0) in NumPy, block by block.

    Within a block ``s_t = w^t·(w·s_{−1} + (1−w)·Σ_{j≤t} x_j / w^j)``: a cumsum
    instead of a Python loop (80 k steps: ~2 ms, not ~50 ms). Blocks stay short
    enough that ``1 / w^j`` never exceeds 1e150; scipy's lfilter would do the
    same but importing scipy.signal takes seconds.
    """
    if smoothing == 0.0 or values.size == 0:
        return values.copy()
    block = int(min(4096, max(1, 150 // -math.log10(smoothing))))
    out, carry = np.empty_like(values), 0.0
    all_powers = smoothing ** np.arange(min(block, values.size))
    for start in range(0, values.size, block):
        chunk = values[start:start + block]
        powers = all_powers[:chunk.size]
        sums = np.cumsum(chunk / powers)
        out[start:start + chunk.size] = powers * (
            smoothing * carry + (1.0 - smoothing) * sums)
        carry = out[start + chunk.size - 1]
    return out


def _downsample(count: int) -> np.ndarray:
    """At most MAX_POINTS evenly spread indices, always the first and the last."""
    if count <= MAX_POINTS:
        return np.arange(count)
    return np.unique(np.linspace(0, count - 1, MAX_POINTS).round().astype(np.int64))


def _spans_decades(values: np.ndarray, decades: float = 2.0) -> bool:
    positive = values[np.isfinite(values) & (values > 0)]
    return positive.size > 1 and positive.max() / positive.min() > 10**decades


def batch_loss_figure(batches: Sequence[BatchRecord], steps_per_epoch: int,
                      title: str, x_label: str, raw_name: str, smooth_name: str,
                      smoothing: float = 0.9) -> go.Figure:
    """Loss per step (faint) and its bias-corrected EMA (bold), epochs dotted.

    Args:
        batches: the job's batch records (steps 1-based across epochs).
        steps_per_epoch: batches per epoch; a dotted line marks each boundary.
        title, x_label, raw_name, smooth_name: translated texts.
        smoothing: the EMA weight w in [0, 1) (TensorBoard's slider; 0 = none).

    Returns:
        Two lines (raw, smoothed), at most MAX_POINTS points each (the last step is
        always kept); a log y-axis when the loss spans more than two decades. With
        no batches: the empty axes with their titles.
    """
    steps = np.fromiter((b.step for b in batches), np.int64, len(batches))
    raw = np.fromiter((b.loss for b in batches), np.float64, len(batches))
    raw[~np.isfinite(raw)] = np.nan  # a diverged run ends on inf: draw a gap
    smoothed = smooth_ema(raw, smoothing)
    keep = _downsample(len(steps))
    data = [
        go.Scatter(x=steps[keep], y=raw[keep], name=raw_name, mode="lines",
                   line={"color": PALETTE[0], "width": 1}, opacity=0.35,
                   hovertemplate="%{x}: %{y:.4g}<extra></extra>"),
        go.Scatter(x=steps[keep], y=smoothed[keep], name=smooth_name, mode="lines",
                   line={"color": PALETTE[0], "width": line_width()},
                   hovertemplate="%{x}: %{y:.4g}<extra></extra>")]
    last_step = int(steps.max()) if steps.size else 0
    edges = (np.arange(steps_per_epoch, last_step, steps_per_epoch) + 0.5
             if steps_per_epoch > 0 else np.empty(0))
    if edges.size:
        # One trace on a hidden 0…1 axis spans the full height at any zoom; one
        # layout shape per epoch would cost ~0.4 ms each.
        data.append(go.Scatter(
            x=np.repeat(edges, 3), y=np.tile([0.0, 1.0, np.nan], edges.size),
            yaxis="y2", mode="lines", hoverinfo="skip", showlegend=False,
            line={"color": "#999999", "width": 1, "dash": "dot"}))
    layout = base_layout(340)
    layout.update(
        title=_title(title), legend=_LEGEND,
        xaxis={"title": {"text": x_label}, "rangemode": "tozero"},
        yaxis={"type": "log" if _spans_decades(raw) else "linear"},
        yaxis2={"overlaying": "y", "range": [0, 1], "visible": False,
                "fixedrange": True})
    return go.Figure(data=data, layout=layout)


def _epoch_series(epochs: Sequence[EpochRecord], field: str) -> tuple[list, list]:
    """(epochs, values) where the value is known and finite."""
    pairs = [(e.epoch, getattr(e, field)) for e in epochs]
    pairs = [(x, float(y)) for x, y in pairs if y is not None and math.isfinite(y)]
    return [x for x, _ in pairs], [y for _, y in pairs]


def _metric_axes(metric: str, x_label: str, last_epoch: int = 1) -> tuple[dict, dict]:
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}.")
    # Whole epochs only: about ten ticks, never a tick between two epochs.
    xaxis = {"title": {"text": x_label}, "tickformat": "d", "tick0": 1,
             "dtick": max(1, -(-last_epoch // 10)),
             "range": [0.5, max(last_epoch, 1) + 0.5]}
    # The documents' history plot fixes accuracy at 0…1, so runs compare by eye.
    yaxis = {"range": [0, 1]} if metric == "accuracy" else {"rangemode": "tozero"}
    return xaxis, yaxis


def epoch_figure(epochs: Sequence[EpochRecord], metric: str, title: str,
                 train_name: str, val_name: str, x_label: str) -> go.Figure:
    """Training and validation ``metric`` ("loss" or "accuracy") per epoch.

    Points with no value (no validation split, a NaN) are left out; a series with
    no point at all is not drawn. Raises ValueError for another metric.
    """
    xaxis, yaxis = _metric_axes(metric, x_label,
                                max((e.epoch for e in epochs), default=1))
    data = []
    for field, name, index in ((metric, train_name, 0),
                               (f"val_{metric}", val_name, 1)):
        x, y = _epoch_series(epochs, field)
        if x:
            data.append(go.Scatter(
                x=x, y=y, name=name, mode="lines+markers", cliponaxis=False,
                line={"color": colour(index), "width": line_width()},
                marker={"size": 8}, hovertemplate="%{x}: %{y:.4g}<extra></extra>"))
    layout = base_layout(320)
    layout.update(title=_title(title), legend=_LEGEND, xaxis=xaxis, yaxis=yaxis)
    return go.Figure(data=data, layout=layout)


def compare_figure(runs: Sequence[tuple[str, Sequence[EpochRecord]]], metric: str,
                   title: str, x_label: str) -> go.Figure:
    """Several runs' ``metric`` per epoch: one colour a run, validation solid,
    training dashed (the legend shows each run once; a click hides both lines)."""
    xaxis, yaxis = _metric_axes(metric, x_label, max(
        (e.epoch for _, epochs in runs for e in epochs), default=1))
    data = []
    for index, (label, epochs) in enumerate(runs):
        in_legend = False
        for field, dash in ((f"val_{metric}", "solid"), (metric, "dash")):
            x, y = _epoch_series(epochs, field)
            if not x:
                continue
            data.append(go.Scatter(
                x=x, y=y, name=label, legendgroup=f"run{index}",
                showlegend=not in_legend,
                mode="lines+markers", marker={"size": 6}, cliponaxis=False,
                line={"color": colour(index), "width": line_width(), "dash": dash},
                hovertemplate=f"{label} · %{{x}}: %{{y:.4g}}<extra></extra>"))
            in_legend = True
    layout = base_layout(340)
    layout.update(title=_title(title), legend=_LEGEND, xaxis=xaxis, yaxis=yaxis)
    return go.Figure(data=data, layout=layout)


def _check_classes(values: np.ndarray, class_names: Sequence[str], what: str) -> None:
    if values.shape[0] != len(class_names):
        raise ValueError(f"The {what} has {values.shape[0]} classes but "
                         f"{len(class_names)} class names were given.")


def confusion_figure(matrix: np.ndarray, class_names: Sequence[str], title: str,
                     true_label: str, predicted_label: str) -> go.Figure:
    """A confusion matrix: rows = true class (first on top), columns = predicted,
    every count written in its square cell, white (0) to blue (the most)."""
    counts = np.asarray(matrix)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise ValueError(f"A confusion matrix is square, got shape {counts.shape}.")
    _check_classes(counts, class_names, "confusion matrix")
    names = [str(name) for name in class_names]
    heatmap = go.Heatmap(
        z=counts, x=names, y=names, texttemplate="%{z}",
        colorscale=BLUES, zmin=0, zmax=max(int(counts.max(initial=0)), 1),
        showscale=False, xgap=1, ygap=1,  # text colour contrasts with each cell
        hovertemplate=f"{true_label}: %{{y}}<br>{predicted_label}: %{{x}}"
                      "<br>%{z}<extra></extra>")
    category = {"type": "category", "showgrid": False, "zeroline": False,
                "constrain": "domain", "automargin": True}
    layout = base_layout(min(max(120 + 42 * len(names), 260), 600), top_margin=50)
    layout.update(
        title=_title(title),
        xaxis={**category, "title": {"text": predicted_label}},
        yaxis={**category, "title": {"text": true_label}, "autorange": "reversed",
               "scaleanchor": "x"})
    return go.Figure(data=[heatmap], layout=layout)


def per_class_figure(accuracy: np.ndarray, class_names: Sequence[str],
                     title: str) -> go.Figure:
    """Accuracy per class as horizontal bars on 0…100 %, first class on top,
    each labelled with its percentage ("–" for a class with no samples)."""
    values = np.asarray(accuracy, dtype=np.float64)
    _check_classes(values, class_names, "accuracy array")
    labels = ["–" if math.isnan(v) else f"{v:.0%}" for v in values.tolist()]
    bars = go.Bar(
        x=values, y=[str(name) for name in class_names], orientation="h",
        marker_color=PALETTE[0], text=labels, textposition="outside",
        cliponaxis=False, hovertemplate="%{y}: %{x:.1%}<extra></extra>")
    layout = base_layout(min(max(90 + 28 * len(values), 200), 560))
    layout.update(
        title=_title(title), margin={"l": 10, "r": 50, "t": 40, "b": 10},
        xaxis={"range": [0, 1], "tickformat": ".0%", "showgrid": True},
        yaxis={"type": "category", "autorange": "reversed", "automargin": True})
    return go.Figure(data=[bars], layout=layout)


def mosaic(images: np.ndarray, columns: int, gap: int = 1) -> np.ndarray:
    """Tile N images (N × H × W) row by row into one 2-D array with NaN gaps.

    One heatmap of the mosaic draws 64 feature maps far faster than 64 subplots.
    With N < columns the mosaic is N images wide; unused cells of the last row
    are NaN.

    Args:
        images: N × H × W values.
        columns: images per row (≥ 1).
        gap: NaN pixels between neighbours (≥ 0).

    Returns:
        A float64 array of (rows·(H+gap) − gap) × (cols·(W+gap) − gap).

    Raises:
        ValueError: not N × H × W with N ≥ 1, columns < 1 or gap < 0.
    """
    stack = np.asarray(images, dtype=np.float64)
    if stack.ndim != 3 or stack.shape[0] == 0:
        raise ValueError("mosaic needs at least one image as N × H × W, got shape "
                         f"{stack.shape}.")
    if columns < 1 or gap < 0:
        raise ValueError(f"columns must be ≥ 1 and gap ≥ 0, got {columns}, {gap}.")
    count, height, width = stack.shape
    cols = min(columns, count)
    rows = -(-count // cols)
    padded = np.full((rows * cols, height + gap, width + gap), np.nan)
    padded[:count, :height, :width] = stack
    tiled = padded.reshape(rows, cols, height + gap, width + gap).transpose(0, 2, 1, 3)
    tiled = tiled.reshape(rows * (height + gap), cols * (width + gap))
    return tiled[:rows * (height + gap) - gap, :cols * (width + gap) - gap]


def _normalise_each(stack: np.ndarray) -> np.ndarray:
    """Each map scaled to [0, 1] on its own (a constant map becomes 0)."""
    low = stack.min(axis=(1, 2), keepdims=True)
    span = stack.max(axis=(1, 2), keepdims=True) - low
    return (stack - low) / np.where(span > 0, span, 1.0)


def mosaic_figure(images: np.ndarray, columns: int, title: str,
                  diverging: bool) -> go.Figure:
    """Many small images (N × H × W) as one heatmap, pixels square, axes hidden.

    Args:
        images: filter weights (diverging) or feature maps (gray), one per slice.
        columns: images per row.
        title: shown above.
        diverging: blue positive, red negative, centred on 0, with a colour bar
            (weights); otherwise gray, each map normalised to [0, 1] (activations).
    """
    stack = np.asarray(images, dtype=np.float64)
    if stack.ndim == 3 and not diverging:
        stack = _normalise_each(stack)
    z = mosaic(stack, columns)
    if diverging:
        top = float(np.nanmax(np.abs(z))) or 1.0
        low, high = -top, top
    else:
        low, high = 0.0, 1.0
    heatmap = go.Heatmap(
        z=z, colorscale=DIVERGING if diverging else GRAY, zmin=low, zmax=high,
        showscale=diverging, hoverongaps=False,
        hovertemplate="%{z:.3f}<extra></extra>")
    aspect = z.shape[0] / z.shape[1]
    layout = base_layout(int(min(max(60 + 480 * aspect, 160), 640)))
    layout.update(title=_title(title), xaxis=_HIDDEN,
                  yaxis={**_HIDDEN, "autorange": "reversed", "scaleanchor": "x"})
    return go.Figure(data=[heatmap], layout=layout)
