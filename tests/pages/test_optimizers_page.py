"""Optimizers & loss landscapes through AppTest, in English and Chinese: the NumPy
first view (race map with Plotly frames, results table, sentences, the batch
section), the learning-rate presets, every bad input, links, and a real-Keras
race whose paths replace the NumPy ones on the map.

Pages are opened directly (``open_lesson_page``): button clicks work there.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.landscapes import LANDSCAPES
from core.optimizers import run_race
from tests.pages.conftest import (
    all_text,
    assert_no_exception,
    decode_typed_array,
    open_lesson_page,
)

PAGE = "pages/optimizers.py"
TITLE = {"en": "Optimizers & loss landscapes", "zh": "优化器与损失曲面"}
NAMES = {"en": ["SGD", "SGD + momentum (0.9)", "RMSprop", "Adam"],
         "zh": ["SGD（随机梯度下降）", "SGD + 动量（0.9）", "RMSprop", "Adam"]}


def open_page(lang: str = "en", **query: str) -> AppTest:
    app = open_lesson_page(PAGE, lang, **query)
    assert_no_exception(app)
    return app


def spec(app: AppTest, key: str) -> dict:
    charts = [c for c in app.get("plotly_chart") if c.proto.id.endswith(key)
              or key in c.proto.id]
    assert charts, key
    return json.loads(charts[0].proto.spec)


def outcomes(app: AppTest) -> list[str]:
    return app.dataframe[0].value.iloc[:, -1].tolist()


def test_first_view_races_the_numpy_mirrors(lang):
    app = open_page(lang)
    assert app.title[0].value == TITLE[lang]
    assert len(app.get("plotly_chart")) == 4  # race, loss per step, batch × 2
    race = spec(app, "optimizers_race")
    paths = {d["name"]: d for d in race["data"] if d.get("mode") == "lines+markers"}
    assert list(paths) == NAMES[lang]
    valley = LANDSCAPES["valley"]
    expected = run_race(valley, ("sgd", "momentum", "rmsprop", "adam"), 0.2, 200,
                        valley.start)
    sgd = decode_typed_array(paths[NAMES[lang][0]]["x"])
    assert len(sgd) > 100
    assert sgd[-1] == pytest.approx(expected["sgd"].positions[-1, 0], abs=1e-6)
    assert len(race["frames"]) > 10 and race["layout"]["updatemenus"]
    assert app.dataframe[0].value.shape == (4, 5)
    text = all_text(app)
    assert ("24 / 6 = 4" in text) and ("1,563" in text)
    assert not app.warning and not app.error
    assert "optimizers_keras_job" not in app.session_state


def test_presets_show_crawl_and_divergence():
    app = open_page("en", fn="bowl", x0="-1.5", y0="1.7")
    app.button(key="optimizers_preset_too_large").click().run()
    assert app.session_state["optimizers_lr"] == pytest.approx(1.1)
    assert outcomes(app)[0].startswith("diverged at step")
    assert "SGD** diverged at step" in all_text(app)
    app.button(key="optimizers_preset_too_small").click().run()
    assert app.session_state["optimizers_lr"] == pytest.approx(0.002)
    assert "still" in all_text(app) and "from the nearest minimum" in all_text(app)
    assert app.query_params["lr"] in ("0.002", ["0.002"])
    app.slider(key="optimizers_lr_log").set_value(-1.0).run()  # the log-scale slider
    assert app.session_state["optimizers_lr"] == pytest.approx(0.1)
    assert "What learning rate 0.1 did" in all_text(app)


@pytest.mark.parametrize("query, kind, message, outcome", [
    ({"lr": "0"}, "warning", "nothing moves", "did not move"),
    ({"lr": "100"}, "error", "Diverged: SGD", "diverged at step"),
    ({"fn": "bowl", "x0": "0", "y0": "0"}, "info", "is a minimum", "arrived at step 0"),
    ({"fn": "saddle", "x0": "0", "y0": "0"}, "warning", "not a minimum",
     "did not move"),
    ({"fn": "saddle", "x0": "-1.5", "y0": "0"}, None, "", "stuck at the saddle point"),
    ({"fn": "bowl", "x0": "6", "y0": "1"}, "info", "outside the usual window",
     "arrived at step"),
])
def test_bad_inputs_are_explained(query, kind, message, outcome):
    app = open_page("en", **query)
    if kind:
        assert message in " ".join(e.value for e in app.get(kind))
    assert outcomes(app)[0].startswith(outcome)
    if query.get("x0") == "6":
        assert spec(app, "optimizers_race")["layout"]["xaxis"]["range"][1] > 6


def test_bad_links_get_messages_and_defaults():
    app = open_page("en", lr="-3", show="sgd,nadam", fn="nope", batch="7")
    warnings = " ".join(w.value for w in app.warning)
    assert "nadam" in warnings and "fn" in warnings and "batch" in warnings
    assert app.session_state["optimizers_show"] == ["sgd"]
    assert app.session_state["optimizers_lr"] == 0.0
    assert app.dataframe[0].value.shape[0] == 1


def test_batch_section_arithmetic_and_shuffle():
    app = open_page("zh", batch="5", shuffle="0", epochs="3")
    text = all_text(app)
    assert "24 / 5 = 4.8" in text and "只有 4 个样本" in text
    assert "没有打乱" in text and "5 × 3 = **15** 次迭代" in text
    paths = [d for d in spec(app, "optimizers_batch_paths")["data"]
             if d.get("mode") == "lines+markers"]
    assert len(paths) == 3


def test_race_with_real_keras_draws_its_paths():
    app = open_page("en", fn="rosenbrock", lr="0.001", steps="40", x0="-1.2", y0="1")
    app.button(key="optimizers_keras").click().run()
    job = app.session_state["optimizers_keras_job"]
    assert job.wait(120), "the Keras race did not end in time"
    app.run()
    assert_no_exception(app)
    assert "real keras.optimizers" in all_text(app)
    assert "Largest difference from the NumPy mirror" in all_text(app)
    numpy_paths = run_race(LANDSCAPES["rosenbrock"], ("sgd", "momentum", "rmsprop",
                                                       "adam"), 0.001, 40, (-1.2, 1.0))
    for name, snapshot_path in job.snapshot().paths.items():
        np.testing.assert_allclose(snapshot_path.positions,
                                   numpy_paths[name].positions, atol=1e-5)
