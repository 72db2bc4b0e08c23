"""The playground's live frame as one SVG: the network (a picture per neuron,
weights as lines with their value on hover), the decision boundary with the
points, and the loss curves.

Why not Plotly here: while a network trains the frame is redrawn ten times a
second, and on a two-core machine re-rendering three Plotly charts took the
browser ~0.5 s a frame (bench/playground.py: about 2 frames a second). An SVG
with two PNG pictures and a few hundred shapes is swapped in a few milliseconds.
"""

from __future__ import annotations

import math
import re
from html import escape

import numpy as np

from components.i18n import t
from components.playground_charts import (
    CLASS_COLOURS,
    FEATURE_LABELS,
    NEURON_RESOLUTION,
    _grid,
    _picture,
    diverging_rgb,
    neuron_values,
    output_rgb,
    png_uri,
)
from components.plot_style import NEGATIVE, PALETTE, POSITIVE
from core.playground import DOMAIN, PlaygroundData, PlaygroundSpec, forward

BOUNDARY_RESOLUTION = 64
BACKGROUND_STRENGTH = 0.55  # the plane's colours are paler than the points'
FONT = "font-family:'Source Sans Pro','Noto Sans CJK SC',sans-serif"


def _mix_with_white(rgb: np.ndarray, strength: float) -> np.ndarray:
    return (255 - strength * (255 - rgb.astype(np.float64))).astype(np.uint8)


def boundary_png(spec: PlaygroundSpec, weights, task: str, discrete: bool) -> str:
    """The network's output over the plane as a PNG data URI (top row x₂ = +1.5)."""
    out = forward(list(weights), spec, _grid(BOUNDARY_RESOLUTION))[-1]
    rgb = _mix_with_white(output_rgb(out, task, discrete), BACKGROUND_STRENGTH)
    return _picture(rgb, BOUNDARY_RESOLUTION)


def _point_colour(label, task: str) -> str:
    if task == "regression":
        v = float(np.clip(label, -1, 1))
        base = POSITIVE if v >= 0 else NEGATIVE
        r, g, b = (int(base[i:i + 2], 16) for i in (1, 3, 5))
        mix = abs(v)
        return "#%02x%02x%02x" % tuple(round(255 + mix * (c - 255)) for c in (r, g, b))
    return CLASS_COLOURS[int(label)]


def boundary_svg(spec: PlaygroundSpec, data: PlaygroundData, weights, task: str,
                 show_test: bool, discrete: bool) -> str:
    """The plane [−1.5, 1.5]² with the output as background and the points."""
    size, pad = 300, 34
    scale = size / (2 * DOMAIN)

    def px(x: float) -> float:
        return pad + (x + DOMAIN) * scale

    def py(y: float) -> float:
        return 8 + (DOMAIN - y) * scale

    parts = [f'<svg viewBox="0 0 {size + pad + 8} {size + pad + 14}" '
             f'xmlns="http://www.w3.org/2000/svg" style="width:100%;{FONT}" '
             f'data-testid="pg-boundary">',
             f'<rect x="{pad}" y="8" width="{size}" height="{size}" fill="#fff" '
             f'stroke="#999"/>']
    if weights is not None:
        parts.append(f'<image data-role="boundary" x="{pad}" y="8" width="{size}" '
                     f'height="{size}" preserveAspectRatio="none" '
                     f'href="{boundary_png(spec, weights, task, discrete)}"/>')
    for split, x, y in (("train", data.x_train, data.y_train),
                        ("test", data.x_test, data.y_test)):
        if split == "test" and not show_test:
            continue
        stroke = "#fff" if split == "train" else "#222"
        for (a, b), label in zip(x.tolist(), y.tolist(), strict=True):
            parts.append(f'<circle cx="{px(a):.1f}" cy="{py(b):.1f}" r="3.6" '
                         f'fill="{_point_colour(label, task)}" stroke="{stroke}" '
                         f'stroke-width="1"/>')
    for tick in (-1, 0, 1):
        parts.append(f'<text x="{px(tick):.1f}" y="{size + 24}" font-size="11" '
                     f'text-anchor="middle" fill="#555">{tick}</text>')
        parts.append(f'<text x="{pad - 6}" y="{py(tick) + 4:.1f}" font-size="11" '
                     f'text-anchor="end" fill="#555">{tick}</text>')
    parts.append(f'<text x="{pad + size / 2}" y="{size + 40}" font-size="12" '
                 f'text-anchor="middle" fill="#333">x₁</text>')
    parts.append(f'<text x="4" y="{8 + size / 2 - 12}" font-size="12" '
                 'fill="#333">x₂</text>')
    parts.append("</svg>")
    return "".join(parts)


def network_svg(spec: PlaygroundSpec, weights, task: str) -> str:
    """Columns of neuron pictures from the inputs to the output, joined by weights."""
    sizes = [len(spec.features), *spec.hidden, 3 if task == "multiclass" else 1]
    rows = max(sizes)
    box, gap_y, gap_x, left, top = 34, 12, 92, 64, 42
    width = left + (len(sizes) - 1) * gap_x + box + 10
    height = top + rows * (box + gap_y) + 4

    def centre(layer: int, index: int) -> tuple[float, float]:
        offset = (rows - sizes[layer]) / 2
        return (left + layer * gap_x + box / 2,
                top + (offset + index) * (box + gap_y) + box / 2)

    parts = [f'<svg viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" '
             f'style="width:100%;{FONT}" data-testid="pg-network">']
    titles = [(t("playground.inputs"), ""),
              *[(t("playground.layer_title", number=n + 1),
                 f"{s} · {spec.activations[n]}")
                for n, s in enumerate(spec.hidden)],
              (t("playground.output"), "")]
    for layer, (title, detail) in enumerate(titles):
        x, _ = centre(layer, 0)
        parts.append(f'<text x="{x:.1f}" y="14" font-size="11" text-anchor="middle" '
                     f'fill="#333">{escape(title)}</text>')
        if detail:
            parts.append(f'<text x="{x:.1f}" y="28" font-size="10" '
                         f'text-anchor="middle" fill="#666">{escape(detail)}</text>')
    if weights is not None:
        for layer in range(len(sizes) - 1):
            kernel = np.asarray(weights[2 * layer])
            for i in range(sizes[layer]):
                x0, y0 = centre(layer, i)
                for j in range(sizes[layer + 1]):
                    w = float(kernel[i, j])
                    x1, y1 = centre(layer + 1, j)
                    colour = POSITIVE if w >= 0 else NEGATIVE
                    stroke = min(0.6 + 1.6 * abs(w), 6.0)
                    mid = (x0 + x1) / 2
                    parts.append(
                        f'<path d="M{x0 + box / 2:.1f},{y0:.1f} C{mid:.1f},{y0:.1f} '
                        f'{mid:.1f},{y1:.1f} {x1 - box / 2:.1f},{y1:.1f}" fill="none" '
                        f'stroke="{colour}" stroke-width="{stroke:.2f}" '
                        f'stroke-opacity="0.75"><title>w = {w:.3f}</title></path>')
        # One PNG strip of every neuron's picture (one encode, not one per neuron);
        # each square shows its slice through a nested viewBox.
        values = np.concatenate(neuron_values(spec, weights, task), axis=1)
        side, count = NEURON_RESOLUTION, values.shape[1]
        strip = diverging_rgb(values).reshape(side, side, count, 3)[::-1]
        strip = np.ascontiguousarray(strip.transpose(0, 2, 1, 3).reshape(
            side, count * side, 3))
        parts.append(f'<defs><image id="pg-neurons" width="{count * side}" '
                     f'height="{side}" preserveAspectRatio="none" '
                     f'href="{png_uri(strip)}"/></defs>')
        column = 0
        for layer, size in enumerate(sizes):
            for index in range(size):
                cx, cy = centre(layer, index)
                bias = ("" if layer == 0 else "<title>b = "
                        f"{float(weights[2 * layer - 1][index]):.3f}</title>")
                parts.append(f'<svg x="{cx - box / 2:.1f}" y="{cy - box / 2:.1f}" '
                             f'width="{box}" height="{box}" '
                             f'viewBox="{column * side} 0 {side} {side}" '
                             f'preserveAspectRatio="none">{bias}'
                             f'<use href="#pg-neurons"/></svg>'
                             f'<rect x="{cx - box / 2:.1f}" y="{cy - box / 2:.1f}" '
                             f'width="{box}" height="{box}" fill="none" stroke="#666" '
                             f'stroke-width="0.6"/>')
                column += 1
    for index, name in enumerate(spec.features):
        cx, cy = centre(0, index)
        parts.append(f'<text x="{cx - box / 2 - 6:.1f}" y="{cy + 4:.1f}" '
                     'font-size="12" '
                     f'text-anchor="end" fill="#333">{FEATURE_LABELS[name]}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _log_ticks(low: float, high: float) -> list[float]:
    """Powers of ten covering [low, high] (at least two)."""
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    if first == last:
        last += 1
    return [10.0 ** k for k in range(first, last + 1)]


def curves_svg(history, task: str) -> str:
    """Training and test loss per epoch on a log scale, test accuracy on the right."""
    width, height, left, right, top, bottom = 340, 170, 44, 40, 26, 24
    inner_w, inner_h = width - left - right, height - top - bottom
    parts = [f'<svg viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" '
             f'style="width:100%;{FONT}" data-testid="pg-curves">']
    step = max(1, len(history) // 300)
    shown = list(history[::step]) + ([history[-1]] if len(history) > 1 else [])
    epochs = [h.epoch for h in shown]
    losses = [v for h in shown for v in (h.scores.train_loss, h.scores.test_loss)
              if math.isfinite(v) and v > 0]
    if len(shown) < 2 or not losses:
        return ""
    ticks = _log_ticks(max(min(losses), 1e-6), max(losses))
    lo, hi = math.log10(ticks[0]), math.log10(ticks[-1])
    last_epoch = max(epochs[-1], 1)

    def px(epoch: float) -> float:
        return left + inner_w * epoch / last_epoch

    def py_loss(value: float) -> float:
        value = min(max(value, ticks[0]), ticks[-1])
        return top + inner_h * (1 - (math.log10(value) - lo) / (hi - lo))

    for tick in ticks:
        y = py_loss(tick)
        parts.append(f'<line x1="{left}" x2="{left + inner_w}" y1="{y:.1f}" '
                     f'y2="{y:.1f}" '
                     f'stroke="#e5e5e5"/><text x="{left - 4}" y="{y + 3:.1f}" '
                     f'font-size="10" text-anchor="end" fill="#555">{tick:g}</text>')
    parts.append(f'<text x="{left + inner_w / 2}" y="{height - 4}" font-size="10.5" '
                 f'text-anchor="middle" fill="#555">{escape(t("playground.epoch"))} '
                 f'0–{epochs[-1]:,}</text>')
    series = [("train_loss", PALETTE[0], "", lambda h: py_loss(h.scores.train_loss)),
              ("test_loss", PALETTE[1], "5,3", lambda h: py_loss(h.scores.test_loss))]
    if task != "regression":
        series.append(("test_accuracy", PALETTE[2], "2,2", lambda h: top + inner_h * (
            1 - (h.scores.test_accuracy or 0.0))))
        for value in (0, 0.5, 1):
            y = top + inner_h * (1 - value)
            parts.append(f'<text x="{left + inner_w + 4}" y="{y + 3:.1f}" '
                         'font-size="10" '
                         f'fill="{PALETTE[2]}">{value:.0%}</text>')
    legend_x = 8
    for key, colour, dash, y_of in series:
        points = " ".join(f"{px(h.epoch):.1f},{y_of(h):.1f}" for h in shown
                          if math.isfinite(h.scores.train_loss))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                     f'stroke-width="2" stroke-dasharray="{dash}"/>')
        label = escape(t(f"playground.{key}"))
        parts.append(f'<line x1="{legend_x}" x2="{legend_x + 16}" y1="10" y2="10" '
                     f'stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>'
                     f'<text x="{legend_x + 20}" y="14" font-size="10.5" '
                     f'fill="#333">{label}</text>')
        legend_x += (width - left) / 3  # three entries side by side
    parts.append("</svg>")
    return "".join(parts)


def frame_svgs(spec: PlaygroundSpec, data: PlaygroundData, weights, history, task: str,
               show_test: bool, discrete: bool) -> tuple[str, str, str]:
    """The network, the boundary and the curves ("" before two epochs)."""
    return (network_svg(spec, weights, task),
            boundary_svg(spec, data, weights, task, show_test, discrete),
            curves_svg(history, task))


_OPENING = re.compile(r'^<svg viewBox="0 0 ([\d.]+) ([\d.]+)"[^>]*>')


def _nest(svg: str, x: float, y: float, width: float) -> tuple[str, float]:
    """Place a standalone drawing at (x, y), ``width`` wide; returns it and its
    height at that width."""
    match = _OPENING.match(svg)
    w, h = float(match.group(1)), float(match.group(2))
    height = width * h / w
    return (f'<svg x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" '
            f'viewBox="0 0 {w:g} {h:g}">' + svg[match.end():]), height


def frame_svg(network: str, boundary: str, curves: str) -> str:
    """The whole frame as one picture (shown while training): the network on the
    left, the boundary and the curves on the right."""
    left_width, right_width, gap = 470.0, 310.0, 20.0
    placed_network, network_height = _nest(network, 0, 0, left_width)
    placed_boundary, boundary_height = _nest(boundary, left_width + gap, 0, right_width)
    parts = [placed_network, placed_boundary]
    right_height = boundary_height
    if curves:
        placed_curves, curves_height = _nest(curves, left_width + gap, boundary_height,
                                             right_width)
        parts.append(placed_curves)
        right_height += curves_height
    width, height = left_width + gap + right_width, max(network_height, right_height)
    return (f'<svg viewBox="0 0 {width:g} {height:.1f}" '
            f'xmlns="http://www.w3.org/2000/svg" style="width:100%;{FONT}" '
            f'data-testid="pg-frame">' + "".join(parts) + "</svg>")
