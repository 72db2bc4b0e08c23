"""The smallest neural network through AppTest, in English and Chinese: the NumPy
first view, a real Keras training (the worker thread is joined, then the page
reruns), the replay slider, divergence, Stop, bad data and bad links.

Buttons are clicked on the page opened directly: through app.py's navigation,
AppTest drops the click of a button outside a fragment (browsers do not).
"""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import (
    all_text,
    assert_no_exception,
    chart_data,
    open_lesson_page,
    run_page,
    texts,
)

PAGE = "pages/smallest_network.py"
TITLE = {"en": "The smallest neural network", "zh": "极简神经网络"}
BEST = {"en": "best line (least squares)", "zh": "最佳直线（最小二乘）"}
FINISHED = {"en": "Finished all {} epochs", "zh": "全部 {} 期训练完成"}


def open_page(lang: str = "en", **query: str) -> AppTest:
    app = open_lesson_page(PAGE, lang, **query)
    assert_no_exception(app)
    return app


def train(app: AppTest, timeout: float = 300) -> AppTest:
    """Press Train, join the background job, rerun to show what it did."""
    app.button(key="smallest_train").click().run()
    assert_no_exception(app)
    job = app.session_state["smallest_job"]
    assert job.wait(timeout), "the training did not end in time"
    app.run()
    assert_no_exception(app)
    return app


def traces(app: AppTest, index: int) -> dict[str, dict]:
    return {d.get("name"): d for d in chart_data(app, index)}


def metrics(app: AppTest) -> dict[str, float]:
    return {m.label: float(m.value) for m in app.metric}


# --- first view -----------------------------------------------------------------


def test_the_first_view_draws_points_best_line_and_loss_surface(lang):
    app = run_page(PAGE, lang)
    assert app.title[0].value == TITLE[lang]
    assert len(app.get("plotly_chart")) == 2  # the line and the loss surface
    line = traces(app, 0)
    best = line[BEST[lang]]
    np.testing.assert_allclose(best["y"], 2 * np.asarray(best["x"]) - 1)
    points = [d for d in chart_data(app, 0) if d.get("mode") == "markers"][0]
    assert points["x"] == [-1, 0, 1, 2, 3, 4] and points["y"] == [-3, -1, 1, 3, 5, 7]
    contour = chart_data(app, 1)[0]
    loss = np.asarray(contour["customdata"])
    row, column = np.unravel_index(np.argmin(loss), loss.shape)
    assert contour["x"][column] == pytest.approx(2.0, abs=0.1)
    assert contour["y"][row] == pytest.approx(-1.0, abs=0.1)
    assert "0.177" in texts(app.caption)  # the largest stable learning rate
    assert not app.warning and not app.error
    assert "smallest_job" not in app.session_state


# --- training -------------------------------------------------------------------


def test_train_shows_get_weights_and_predict(lang):
    app = train(open_page(lang))
    assert FINISHED[lang].format(500) in texts(app.success)
    values = list(metrics(app).values())
    w, b, loss, prediction = values
    assert w == pytest.approx(2.0, abs=0.01) and b == pytest.approx(-1.0, abs=0.02)
    assert loss < 1e-3
    assert prediction == pytest.approx(19.0, abs=0.05)  # predict([10]) ≈ 2·10 − 1
    assert any("predict([10])" in m.label for m in app.metric)
    assert len(app.get("plotly_chart")) == 4
    table = app.dataframe[-1].value  # [0] is the points table
    assert len(table) == 3  # this run, least squares, the documents' run
    assert table.iloc[1, 1] == "2" and table.iloc[1, 2] == "-1"
    assert "8.995028" in table.iloc[2, 4]
    assert "1.9973877" in all_text(app)  # the documents' run, recomputed in NumPy
    codes = texts(app.code)
    assert "Total params: 2" in codes and "keras.utils.set_random_seed(1354)" in codes
    star = [d for d in chart_data(app, 0) if d.get("marker", {}).get("symbol") ==
            "star"][0]
    assert star["x"] == [10] and star["y"][0] == pytest.approx(prediction, abs=1e-3)


def test_the_replay_slider_shows_any_epoch():
    app = train(open_page(epochs="50", lr="0.05"))
    first = app.session_state["smallest_job"].snapshot().points[0]
    slider = app.slider(key=f"smallest_replay_{id(app.session_state['smallest_job'])}")
    assert slider.value == 50
    slider.set_value(1).run()
    assert_no_exception(app)
    neuron = [d for d in chart_data(app, 0) if d.get("name", "").startswith(
        "neuron at epoch")][0]
    assert neuron["name"] == "neuron at epoch 1"
    np.testing.assert_allclose(neuron["y"], first.w * np.asarray(neuron["x"])
                               + first.b, rtol=1e-6)
    # A new x after training: the trained model predicts it (model.predict).
    app.number_input(key="smallest_x_new").set_value(5.0).run()
    assert_no_exception(app)
    w, b = app.session_state["smallest_job"].snapshot().final
    predicted = {m.label: float(m.value) for m in app.metric}["predict([5])"]
    assert predicted == pytest.approx(5 * w + b, abs=1e-3)


def test_too_large_a_learning_rate_diverges_and_keeps_the_charts(lang):
    app = train(open_page(lang, lr="0.2", epochs="200"))
    message = {"en": "The training diverged and was stopped",
               "zh": "训练发散了，已自动停止"}[lang]
    assert message in texts(app.error)
    assert "0.177" in texts(app.error)  # why: the stable limit for these points
    assert len(app.get("plotly_chart")) == 4  # what happened stays on screen
    assert not app.metric  # no result to read
    loss = chart_data(app, 2)[0]["y"]
    assert 2 < len(loss) < 200 and loss[-1] > 100 * loss[0]


def test_stop_keeps_the_partly_trained_neuron():
    app = open_page(epochs="3000")
    app.button(key="smallest_train").click().run()
    job = app.session_state["smallest_job"]
    app.button(key="smallest_stop").click().run()
    assert job.wait(120)
    app.run()
    assert_no_exception(app)
    assert job.snapshot().status == "stopped"
    assert "Stopped after" in texts(app.warning)
    assert len(app.metric) == 4


def test_new_points_after_training_ask_for_a_new_run():
    app = train(open_page(x="0,1,2", y="1,3,5", epochs="20"))
    assert len(app.metric) == 4
    app.button(key="smallest_reset").click().run()
    assert_no_exception(app)
    assert "The table has changed since the last training" in texts(app.info)
    assert not app.metric and len(app.get("plotly_chart")) == 2


# --- bad data and bad links -------------------------------------------------------


@pytest.mark.parametrize("x, y, expected, num_points", [
    ("-1,0,abc", "-3,-1,1", "Row 3: x is not a number", 2),
    ("1,,3", "1,2,3", "Row 2: x is empty", 2),
    ("1,2,5000", "1,2,3", "Row 3: x is beyond ±1,000", 2),
    ("2", "3", "One point is not enough", 6),
    ("1,1,1", "1,2,3", "Every point has the same x", 6),
    ("", "", "The table has no complete point", 6),
    (",".join(map(str, range(40))), ",".join(map(str, range(40))),
     "Only the first 32 points are used", 32),
])
def test_bad_data_get_a_message_and_the_charts_stay(x, y, expected, num_points):
    app = open_page(x=x, y=y)
    assert expected in texts(app.warning) + texts(app.error)
    points = [d for d in chart_data(app, 0) if d.get("mode") == "markers"][0]
    assert len(points["x"]) == num_points
    if num_points == 6:  # nothing usable: the last good (the documents') data
        assert "last valid data (6 points)" in texts(app.info)
    assert len(app.get("plotly_chart")) == 2


def test_one_point_is_explained_in_chinese():
    app = open_page("zh", x="2", y="3")
    assert "只有一个点是不够的" in texts(app.error)
    assert "直线无法确定" in texts(app.error)


def test_settings_and_points_come_from_the_link_and_go_back_into_it():
    app = open_page(lr="0.05", epochs="300", seed="7", x_new="5", x="0,1,2.5",
                    y="1,3,6")
    assert app.select_slider(key="smallest_lr").value == 0.05
    assert app.number_input(key="smallest_epochs").value == 300
    assert app.number_input(key="smallest_seed").value == 7
    assert app.number_input(key="smallest_x_new").value == 5.0
    points = [d for d in chart_data(app, 0) if d.get("mode") == "markers"][0]
    assert points["x"] == [0, 1, 2.5]
    params = app.query_params
    assert params["lr"] == ["0.05"] or params["lr"] == "0.05"
    assert "2.5" in str(params["x"])
    code = texts(app.code)
    assert "SGD(learning_rate=0.05)" in code and "epochs=300" in code
    assert "xs = np.array([0.0, 1.0, 2.5])" in code


def test_bad_link_values_are_replaced_with_a_warning():
    app = open_page(lr="0.25", epochs="999999", seed="abc")
    warnings = texts(app.warning)
    assert "lr" in warnings and "epochs" in warnings and "seed" in warnings
    assert app.select_slider(key="smallest_lr").value == 0.01
    assert app.number_input(key="smallest_epochs").value == 3000
