"""One look for every chart: a colour-blind-safe palette and a projector mode."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

import streamlit as st

if TYPE_CHECKING:  # the home page uses this module but must not pay for plotly
    import plotly.graph_objects as go

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9",
           "#F0E442", "#000000"]
POSITIVE, NEGATIVE = "#0072B2", "#D55E00"
PRESENTATION_KEY = "presentation"


def is_presentation() -> bool:
    """Whether the sidebar's presentation mode (large fonts, thick lines) is on."""
    return bool(st.session_state.get(PRESENTATION_KEY, False))


def line_width() -> float:
    return 5.0 if is_presentation() else 2.5


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def base_layout(height: int, top_margin: int = 40) -> dict:
    """Fonts, margins and size as one layout dict (presentation mode aware).

    Building a figure in one ``go.Figure(data, layout)`` call is ~7× faster than
    a chain of ``update_*`` calls, which matters for pages with many charts.
    """
    big = is_presentation()
    return {"height": int(height * (1.25 if big else 1.0)),
            "font": {"size": 22 if big else 14},
            "margin": {"l": 10, "r": 10, "t": top_margin, "b": 10},
            "hoverlabel": {"font": {"size": 20 if big else 13}}}


# --- figures without Plotly's validation ---------------------------------------
# Plotly checks every property of every trace as a figure is built, then again
# when a trace is put into a figure: half the CPU of a lesson's rerun, which a
# class of thirty pays on one interpreter lock. Figures from ``trace`` and
# ``figure`` skip it. Tests set CHECK_FIGURES_ENV: then ``figure`` also builds
# the validated figure and fails on any difference (an unknown property, a
# typo, a value Plotly would have changed), once per shape of figure.
CHECK_FIGURES_ENV = "PLAYGROUND_CHECK_FIGURES"
UNDERSCORED = frozenset({"error_x", "error_y", "error_z", "plot_bgcolor",  # real
                         "paper_bgcolor", "copy_ystyle", "copy_zstyle"})  # names


def _nest(props: dict[str, Any]) -> dict[str, Any]:
    """``marker_color=…`` → ``{"marker": {"color": …}}`` as Plotly's constructors
    read "magic underscores" (after the plain names, whatever the order); None
    means unset, as there.

    >>> _nest({"marker_line_width": 2, "marker": {"size": 5}, "name": None})
    {'marker': {'size': 5, 'line': {'width': 2}}}
    """
    def is_magic(name: str) -> bool:
        return "_" in name and name not in UNDERSCORED

    nested: dict[str, Any] = {}
    for name, value in sorted(props.items(), key=lambda item: is_magic(item[0])):
        if value is None:
            continue
        path = [name] if name in UNDERSCORED else name.split("_")
        node = nested
        for part in path[:-1]:
            node[part] = dict(node.get(part) or {})  # never alter a caller's dict
            node = node[part]
        node[path[-1]] = value
    return nested


def named_colorscale(name: str) -> list[list]:
    """Plotly's Python colour scale ``name`` as explicit steps, exactly as a
    validated figure sends it. Unvalidated, the name would reach plotly.js,
    whose scale of the same name can differ (its RdBu runs blue → red).

    >>> named_colorscale("gray")[0], named_colorscale("gray")[-1]
    ([0.0, 'rgb(0, 0, 0)'], [1.0, 'rgb(254, 254, 253)'])
    """
    from _plotly_utils.basevalidators import ColorscaleValidator

    colours = ColorscaleValidator("colorscale", "").named_colorscales[name.lower()]
    last = len(colours) - 1
    return [[index / last, colour] for index, colour in enumerate(colours)]


def trace(kind: str, **props: Any) -> dict[str, Any]:
    """A trace as a plain dict, spelled as its ``go.<Kind>(…)`` would be.

    >>> trace("scatter", x=[1], marker_color="red")
    {'type': 'scatter', 'x': [1], 'marker': {'color': 'red'}}
    """
    return {"type": kind, **_nest(props)}


def figure(data: list[dict], layout: dict[str, Any]) -> go.Figure:
    """A figure from ``trace`` dicts and a layout dict, unvalidated (see above)."""
    import plotly.graph_objects as go

    built = go.Figure(data, _nest(layout), _validate=False)
    if os.environ.get(CHECK_FIGURES_ENV):
        shape = _shape([data, layout])
        if shape not in _checked_shapes:  # each kind of figure once per process
            check_figure(built)
            _checked_shapes.add(shape)
    return built


_checked_shapes: set = set()


def _shape(value: Any) -> Any:
    """What a figure is made of, without its numbers and texts: property names
    and the types of values. A figure of a shape already checked is not checked
    again (validating every figure of the suite made the tests 50 % slower). A
    name where validation sends a list (a colour scale) is a different shape.

    >>> _shape({"x": [1, 2.5], "name": "a", "line": {"width": 2}})
    (('line', (('width', 'int'),)), ('name', 'text'), ('x', 'numbers'))
    """
    if isinstance(value, dict):
        return tuple(sorted((name, _shape(item)) for name, item in value.items()))
    if isinstance(value, list | tuple):
        if all(isinstance(item, int | float) for item in value):
            return "numbers"
        return tuple(sorted({_shape(item) for item in value}, key=repr))
    if isinstance(value, str):
        return "text"
    return type(value).__name__


def check_figure(built: go.Figure) -> None:
    """Fail if Plotly's validation rejects or changes an unvalidated figure."""
    import plotly.graph_objects as go
    import plotly.io as pio

    def canonical(fig: go.Figure) -> Any:
        return json.loads(pio.to_json(fig, validate=False))

    validated = go.Figure(built.to_dict())  # raises on an unknown property
    differences = _differences(canonical(built), canonical(validated))
    if differences:
        raise AssertionError("an unvalidated figure differs from its validated "
                             "copy (path: unvalidated, validated): "
                             + "; ".join(differences[:8]))


def _differences(mine: Any, theirs: Any, path: str = "") -> list[str]:
    if isinstance(mine, dict) and isinstance(theirs, dict):
        return [found for name in sorted(set(mine) | set(theirs))
                for found in _differences(mine.get(name), theirs.get(name),
                                          f"{path}/{name}")]
    if isinstance(mine, list) and isinstance(theirs, list) \
            and len(mine) == len(theirs):
        return [found for index, (a, b) in enumerate(zip(mine, theirs, strict=True))
                for found in _differences(a, b, f"{path}[{index}]")]
    same = mine == theirs or (mine in ([], {}) and theirs is None)  # unset alike
    return [] if same else [f"{path}: {mine!r:.80} ≠ {theirs!r:.80}"]


def _merged(base: dict, extra: dict) -> dict:
    """``extra`` over ``base``, nested dicts merged (as Plotly's updates do)."""
    merged = dict(base)
    for name, value in extra.items():
        merged[name] = (_merged(merged[name], value) if isinstance(value, dict)
                        and isinstance(merged.get(name), dict) else value)
    return merged


def styled_layout(height: int = 420, axes: tuple[str, ...] = ("xaxis", "yaxis"),
                  **layout: Any) -> dict[str, Any]:
    """The look of ``style_figure`` as a layout dict for ``figure``: fonts,
    margins, a legend below, zero lines and axis fonts on every axis named in
    ``axes`` (merged with that axis' own settings in ``layout``).
    """
    big = is_presentation()
    axis_style = {"zeroline": True, "zerolinewidth": 1.5, "zerolinecolor": "#888",
                  "tickfont": {"size": 20 if big else 12},
                  "title": {"font": {"size": 22 if big else 14}}}
    styled = {**layout, **base_layout(height),
              "legend": {"orientation": "h", "y": -0.15,
                         "font": {"size": 20 if big else 13}}}
    for axis in axes:
        styled[axis] = _merged(layout.get(axis, {}), axis_style)
    return styled


def style_figure(fig: go.Figure, height: int = 420) -> go.Figure:
    """Apply fonts, margins and sizes (larger in presentation mode)."""
    styled = styled_layout(height)
    fig.update_layout({name: value for name, value in styled.items()
                       if name not in ("xaxis", "yaxis")})
    # Axis fonts explicitly: Streamlit's chart theme would otherwise keep them small.
    fig.update_xaxes(styled["xaxis"])
    fig.update_yaxes(styled["yaxis"])
    return fig


# st.image arguments for our small pictures: full column width, sent as PNG
# (Streamlit's default re-encodes as JPEG, which blurs pixel-exact digits).
CRISP_IMAGE = {"width": "stretch", "output_format": "PNG"}
