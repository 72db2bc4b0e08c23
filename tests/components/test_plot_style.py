"""Figures without Plotly's validation (components/plot_style.py): the checker
that the whole suite runs, and the optimizer race's hand-built frames."""

import doctest
import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from hypothesis import given
from hypothesis import strategies as st

from components import optimizers_charts, plot_style
from components.plot_style import check_figure, figure, trace
from core.landscapes import LANDSCAPES, loss_grid
from core.optimizers import OPTIMIZERS, run_race


@pytest.fixture(autouse=True)
def check_every_figure_here():
    """Figures of a shape seen earlier in the run are not checked again."""
    plot_style._checked_shapes.clear()


@pytest.mark.parametrize("module", [plot_style, optimizers_charts])
def test_docstring_examples(module):
    assert doctest.testmod(module).failed == 0


def test_the_suite_checks_every_figure():
    import os

    assert os.environ.get(plot_style.CHECK_FIGURES_ENV)  # set by tests/conftest.py


def test_an_unknown_property_is_caught():
    with pytest.raises(ValueError, match="colour"):
        figure([trace("scatter", x=[1], y=[2], colour="red")], {})


@pytest.mark.parametrize("data, layout, shown", [
    # plotly.js has its own "RdBu", blue → red; validation sends plotly.py's.
    ([trace("heatmap", z=[[0, 1]], colorscale="RdBu")], {}, "colorscale"),
    # A bare string title is dropped by plotly.js 3; validation makes it {text}.
    ([trace("scatter", x=[1], y=[1])], {"yaxis": {"title": "loss"}}, "title"),
])
def test_what_validation_would_change_is_caught(data, layout, shown):
    with pytest.raises(AssertionError, match=shown):
        figure(data, layout)


def test_each_shape_of_figure_is_checked_once():
    figure([trace("scatter", x=[1, 2], y=[3, 4], name="a")], {"height": 300})
    figure([trace("scatter", x=[5], y=[6], name="b")], {"height": 200})  # same shape
    with pytest.raises(AssertionError, match="title"):  # a new shape: checked
        figure([trace("scatter", x=[5], y=[6], name="b")], {"xaxis": {"title": "x"}})


def test_magic_underscores_nest_without_touching_the_callers_dict():
    marker = {"size": 5}
    built = figure([trace("scatter", x=[1], y=[1], marker=marker,
                          marker_line_width=2)], {"title_text": "t"})
    assert marker == {"size": 5}
    assert built.data[0].marker.line.width == 2 and built.layout.title.text == "t"


@given(st.floats(allow_nan=False, allow_infinity=False), st.integers(1, 8))
def test_significant_rounds_like_python_formatting(value, digits):
    rounded = optimizers_charts.significant(np.array([value]), digits)[0]
    assert rounded == float(f"{value:.{digits}g}")
    assert repr(float(rounded)) == repr(float(f"{value:.{digits}g}"))


def test_the_race_figure_with_its_frames_is_what_validation_gives():
    landscape = LANDSCAPES["rosenbrock"] if "rosenbrock" in LANDSCAPES else \
        next(iter(LANDSCAPES.values()))
    paths = run_race(landscape, OPTIMIZERS, 0.01, 300, landscape.start)
    text = {name: name for name in ("title", "loss", "minimum", "saddle", "start",
                                    "play", "pause", "step", *OPTIMIZERS)}
    race = optimizers_charts.race_figure(
        loss_grid(landscape, landscape.window, num=31), landscape.log_levels,
        landscape.minima, landscape.saddles, paths, landscape.window, text)
    check_figure(race)
    validated = go.Figure(race.to_dict())  # frames too

    def canonical(fig):
        return json.loads(pio.to_json(fig, validate=False))

    assert len(race.frames) > 1
    assert canonical(race)["frames"] == canonical(validated)["frames"]
