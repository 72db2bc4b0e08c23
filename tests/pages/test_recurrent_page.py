"""Recurrent networks through AppTest, in English and Chinese: the NumPy first
view (unrolled RNN, counts, NumPy gradients), bad input of every kind, the URL
round trip, and a tiny real training of the three models (the worker thread is
joined, then the page reruns), plus divergence.
"""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.recurrent import make_weights, rnn_forward
from tests.pages.conftest import (
    all_text,
    assert_no_exception,
    chart_data,
    open_lesson_page,
    run_page,
)

PAGE = "pages/recurrent.py"
TITLE = {"en": "Recurrent networks", "zh": "循环神经网络"}
TINY = {"points": "60", "window": "4", "units": "2", "epochs": "1"}


def open_page(lang: str = "en", **query: str) -> AppTest:
    app = open_lesson_page(PAGE, lang, **query)
    assert_no_exception(app)
    return app


def frame(app: AppTest, column: str):
    for table in app.dataframe:
        if column in table.value.columns:
            return table.value
    raise AssertionError(f"no table with a column {column!r}")


def chart_names(app: AppTest) -> list[set]:
    return [{d.get("name") for d in chart_data(app, i)}
            for i in range(len(app.get("plotly_chart")))]


def test_first_view_shows_the_unrolled_numbers(lang):
    app = run_page(PAGE, lang)
    assert app.title[0].value == TITLE[lang]
    assert not app.warning and not app.error
    assert "recurrent_job" not in app.session_state  # nothing trained, no Keras
    steps = rnn_forward(make_weights(2, 1, 3), np.array([[0.5], [-1], [0.8], [0.2]]))
    table = frame(app, "a⟨1⟩ = tanh(z)")
    np.testing.assert_allclose(table["a⟨1⟩ = tanh(z)"], steps[0].a.round(4))
    assert f"{steps[0].y_hat:.4f}" in all_text(app)
    # The unrolled chart and the NumPy gradient chart (one falling curve).
    norms = [d for d in chart_data(app, 1) if d.get("name", "").startswith("SimpleRNN")]
    assert norms and norms[0]["y"][0] > 1e3 * norms[0]["y"][-1]


def test_step_and_parameter_counts_follow_the_controls():
    app = open_page(step="3", hidden="3", units="5", features="2")
    steps = rnn_forward(make_weights(3, 1, 3), np.array([[0.5], [-1], [0.8], [0.2]]))
    table = frame(app, "a⟨3⟩ = tanh(z)")
    np.testing.assert_allclose(table["a⟨2⟩"], steps[2].a_prev.round(4))
    counts = frame(app, "total")
    assert counts["total"].tolist() == [5 * 8 + 6, 3 * 5 * 9 + 6, 4 * 5 * 8 + 6]
    app.number_input(key="recurrent_features").set_value(3).run()
    assert frame(app, "total")["total"].tolist()[0] == 5 * 9 + 6


def test_bad_numbers_are_named_and_the_last_good_ones_kept():
    app = open_page()
    app.text_input(key="recurrent_sequence").set_value("1, x, nan, 2").run()
    assert_no_exception(app)
    warnings = " ".join(w.value for w in app.warning)
    assert "Entry 2 (“x”)" in warnings and "Entry 3 (“nan”)" in warnings
    assert app.text_input(key="recurrent_sequence").value == "1, x, nan, 2"
    assert "last valid numbers (4 values)" in " ".join(i.value for i in app.info)
    assert len(app.get("plotly_chart")) == 2


@pytest.mark.parametrize("query, message", [
    ({"source": "pasted", "pasted": "1, 2, 3, 4, 5, 6"}, "needs at least 15"),
    ({"window": "0"}, "at least 1"),
    ({"val_pct": "0"}, "validation part has no targets"),
    ({"train_pct": "80", "val_pct": "20"}, "leaves nothing for the test part"),
])
def test_impossible_series_or_split_says_why_and_disables_train(query, message):
    app = open_page(**query)
    errors = " ".join(e.value for e in app.error)
    assert message in errors, errors
    assert app.button(key="recurrent_train").disabled


def test_pasted_inf_is_refused_by_position():
    app = open_page(source="pasted", pasted="1, 2, inf, 4")
    assert "Entry 3 (“inf”)" in " ".join(w.value for w in app.warning)


def test_url_round_trip_and_bad_link_values():
    app = open_page(window="8", units="4", source="stocks", lr="5")
    assert app.number_input(key="recurrent_window").value == 8
    assert app.number_input(key="recurrent_units").value == 4
    assert "^GSPC" in all_text(app)
    assert any("lr" in w.value for w in app.warning)  # 5 is not an offered rate
    app.number_input(key="recurrent_window").set_value(10).run()
    assert app.query_params["window"] == "10"
    assert app.query_params["source"] == "stocks"


def test_training_compares_three_models_with_the_baseline():
    app = open_page(**TINY)
    app.button(key="recurrent_train").click().run()
    job = app.session_state["recurrent_job"]
    assert job.wait(240), "the training did not end in time"
    app.run()
    assert_no_exception(app)
    assert "All three models trained" in " ".join(s.value for s in app.success) \
        or "beats" in all_text(app)
    rmse = frame(app, "test RMSE (series units)")
    assert rmse["forecast"].tolist() == ["SimpleRNN", "GRU", "LSTM",
                                         "last value (naive)"]
    snapshot = job.snapshot()
    np.testing.assert_allclose(rmse["test RMSE (series units)"][:3],
                               [round(snapshot.rmse[k], 4) for k in
                                ("simple_rnn", "gru", "lstm")])
    verdict = all_text(app)
    assert "beats the last-value baseline" in verdict or "No model beats" in verdict
    names = chart_names(app)
    assert {"truth", "SimpleRNN", "GRU", "LSTM", "last value (naive)"} in names
    assert any({"LSTM trained", "GRU at initialisation"} <= n for n in names)
    assert any("LSTM training" in n and "GRU validation" in n for n in names)


def test_an_exploding_learning_rate_stops_with_a_message():
    app = open_page(**{**TINY, "lr": "10", "epochs": "30"})
    app.button(key="recurrent_train").click().run()
    assert app.session_state["recurrent_job"].wait(240)
    app.run()
    errors = " ".join(e.value for e in app.error)
    assert "SimpleRNN diverged at epoch" in errors
    assert not app.session_state["recurrent_job"].snapshot().rmse  # GRU not started
    assert app.number_input(key="recurrent_epochs").value == 30  # settings kept
