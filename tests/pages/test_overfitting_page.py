"""Overfitting & regularisation through AppTest, in English and Chinese: the NumPy
first view (polynomial fits against np.polyfit), bad links, two real Keras runs
compared on one chart and in the histograms, divergence, and the URL round-trip.

Buttons are clicked on the page opened directly (see test_smallest_network_page).
"""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.overfitting import make_curve_data
from tests.pages.conftest import (
    all_text,
    assert_no_exception,
    chart_data,
    open_lesson_page,
    run_page,
    texts,
)

PAGE = "pages/overfitting.py"
TITLE = {"en": "Overfitting & regularisation", "zh": "过拟合与正则化"}
CHARTS = ("fits", "u", "loss", "net", "constraint")


def open_page(lang: str = "en", **query: str) -> AppTest:
    app = open_lesson_page(PAGE, lang, **query)
    assert_no_exception(app)
    return app


def train(app: AppTest) -> AppTest:
    """Press Train, join the background job, rerun to show what it did."""
    app.button(key="overfit_train").click().run()
    assert_no_exception(app)
    assert app.session_state["overfit_job"].wait(120), "training did not end"
    app.run()
    assert_no_exception(app)
    return app


def chart(app: AppTest, name: str) -> list[dict]:
    keys = [c.proto.id for c in app.get("plotly_chart")]
    index = next(i for i, k in enumerate(keys) if f"overfit_{name}" in k)
    return chart_data(app, index)


def test_the_first_view_fits_polynomials_without_keras(lang):
    app = run_page(PAGE, lang)
    assert app.title[0].value == TITLE[lang]
    assert len(app.get("plotly_chart")) == len(CHARTS)
    data = make_curve_data(12, seed=0)
    fits = [d for d in chart(app, "fits") if d.get("mode") == "lines"][1:]
    assert len(fits) == 3  # degrees 1, 3 and 11 (the truth is the first line)
    for trace, degree in zip(fits, (1, 3, 11), strict=True):
        expected = np.polyval(np.polyfit(data.x_train, data.y_train, degree),
                              trace["x"])
        np.testing.assert_allclose(trace["y"], expected, rtol=1e-5, atol=1e-6)
    table = app.dataframe[0].value
    assert list(table.iloc[:, 0]) == [1, 3, 11]
    assert table.iloc[2, 3] == {"en": "overfitting (high variance)",
                                "zh": "过拟合（高方差）"}[lang]
    assert not app.warning and not app.error
    assert "overfit_job" not in app.session_state


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_bad_links_give_messages_and_defaults(lang):
    app = open_page(lang, l2="-1", l1="1e9", dropout="1.5", lr="abc", n="1",
                    epochs="999999")
    warnings = texts(app.warning)
    for name in ("l2", "l1", "dropout", "lr", "n", "epochs"):
        assert f"“{name}”" in warnings or f"「{name}」" in warnings, name
    assert app.session_state["overfit_l2"] == 0.0
    assert app.session_state["overfit_dropout"] == 0.0
    assert app.session_state["overfit_n"] == 2
    assert len(app.get("plotly_chart")) == len(CHARTS)


def test_too_few_points_for_the_degree_is_explained():
    app = open_page(n="5", degree="9")
    assert "only 5 training points" in texts(app.warning)
    u_curve = chart(app, "u")[1]
    assert u_curve["x"] == [0, 1, 2, 3, 4]  # up to n − 1: every degree that is unique


def test_two_runs_compare_on_one_chart_and_in_the_histograms():
    app = train(open_page(epochs="20", lr="0.02"))
    assert "Finished all 20 epochs" in texts(app.success)
    assert "EarlyStopping(patience=20)" in texts(app.caption)
    app.select_slider(key="overfit_l2").set_value(0.01).run()
    assert app.query_params["l2"] in ("0.01", ["0.01"])  # the link follows
    train(app)
    names = [d["name"] for d in chart(app, "loss")]
    assert len(names) == 4 and any("L2 0.01" in name for name in names)
    histograms = chart(app, "hist")
    assert len(histograms) == 2
    table = app.dataframe[-1].value
    plain, shrunk = (float(v) for v in table.iloc[:, 2])  # ‖w‖₂ of each run
    assert shrunk < plain
    network = [d for d in chart(app, "net") if d.get("name", "").startswith(
        "network after epoch")]
    assert network and network[0]["name"] == "network after epoch 20"


def test_an_exploding_learning_rate_is_stopped_with_a_message():
    app = train(open_page(lr="3", epochs="10"))
    error = texts(app.error)
    assert "diverged at epoch" in error
    job = app.session_state["overfit_job"]
    assert len(job.snapshot().records) == job.snapshot().details["epoch"]
    assert len(chart(app, "loss")) == 2  # the curves so far are kept
    assert "Press Train" not in all_text(app)
