"""The activations lesson through AppTest: controls change what is drawn, bad input
gets a message, settings round-trip through the URL — in English and Chinese."""

import json

import numpy as np
import pytest

from core.activation_analysis import probe
from core.activations import ACTIVATIONS
from tests.pages.conftest import (
    all_text,
    assert_no_exception,
    chart_data,
    run_page,
    trace,
)

PAGE = "pages/activations.py"
F_NAME = {"en": "Sigmoid f(x)", "zh": "Sigmoid f(x)"}


def curve_names(app) -> set[str]:
    return {d["name"] for d in chart_data(app) if d.get("mode") != "markers"}


def test_default_page_draws_real_curves(lang):
    app = run_page(PAGE, lang)
    sigmoid = trace(app, F_NAME[lang])
    x = np.array(sigmoid["x"], dtype=float)
    np.testing.assert_allclose(sigmoid["y"], ACTIVATIONS["sigmoid"].fn(x))
    assert (x[0], x[-1]) == (-6.0, 6.0)
    heading = {"en": "Activation functions", "zh": "激活函数"}[lang]
    assert app.title[0].value == heading


def test_picking_functions_changes_the_chart(lang):
    app = run_page(PAGE, lang)
    before = curve_names(app)
    app.multiselect(key="act_fn").set_value(["elu", "gelu"]).run()
    assert_no_exception(app)
    after = curve_names(app)
    assert after != before
    elu = [d for d in chart_data(app) if d.get("name", "").startswith("ELU f(x)")][0]
    x = np.array(elu["x"], dtype=float)
    np.testing.assert_allclose(elu["y"], ACTIVATIONS["elu"].fn(x))


def test_range_and_parameters_change_the_data():
    app = run_page(PAGE, "en", fn="leaky_relu")
    app.number_input(key="act_x_max").set_value(3.0).run()
    leaky = trace(app, "Leaky ReLU f(x)")
    assert leaky["x"][-1] == 3.0
    app.slider(key="act_negative_slope").set_value(0.01).run()
    leaky = trace(app, "Leaky ReLU f(x)")
    assert leaky["y"][0] == pytest.approx(-6.0 * 0.01)
    assert app.query_params["negative_slope"] == "0.01"
    assert app.query_params["x_max"] == "3"


def test_derivative_toggle_and_shading(lang):
    app = run_page(PAGE, lang, fn="sigmoid")
    names = [d.get("name", "") for d in chart_data(app)]
    assert any("f′(x)" in n for n in names) and any("0.05" in n for n in names)
    app.toggle(key="act_deriv").set_value(False).run()
    app.toggle(key="act_shade").set_value(False).run()
    names = [d.get("name", "") for d in chart_data(app)]
    assert not any("f′(x)" in n for n in names)
    assert not any("0.05" in n for n in names)


def test_probe_shows_values_from_core_and_vanishing_message():
    app = run_page(PAGE, "en", fn="sigmoid")
    app.slider(key="act_x0").set_value(5.0).run()
    expected = probe("sigmoid", 5.0)
    values = [m.value for m in app.metric]
    assert values == [f"{expected['y']:.4f}", f"{expected['slope']:.4f}"]
    assert "saturated" in all_text(app)
    marker = [d for d in chart_data(app) if d.get("mode") == "markers"][0]
    assert marker["x"] == [5.0]
    app.slider(key="act_layers").set_value(10).run()
    assert f"{0.25 ** 10:.3g}" in all_text(app)


def test_softmax_temperature_changes_probabilities(lang):
    app = run_page(PAGE, lang)
    bars = [d for d in chart_data(app, 1) if d["type"] == "bar"]
    np.testing.assert_allclose(
        bars[1]["y"], ACTIVATIONS["softmax"].fn(np.array([2.0, 1.0, 0.1])))
    app.number_input(key="act_temperature").set_value(5.0).run()
    hot = [d for d in chart_data(app, 1) if d["type"] == "bar"][1]["y"]
    np.testing.assert_allclose(
        hot, ACTIVATIONS["softmax"].fn(np.array([2.0, 1.0, 0.1]), temperature=5.0))
    assert max(hot) < max(bars[1]["y"])


@pytest.mark.parametrize("query, expected", [
    ({"x_min": "5", "x_max": "-5"}, "x min must be smaller than x max"),
    ({"x_min": "-1000000", "x_max": "1000000"}, "limited to -100 … 100"),
    ({"temperature": "0"}, "must be greater than 0"),
    ({"temperature": "-3"}, "must be greater than 0"),
    ({"logits": "2,abc,,1"}, "Row 2 is not a number"),
    ({"fn": "sigmoid,nonsense"}, "Unknown activation"),
    ({"x0": "banana"}, "could not be read"),
    ({"layers": "1000"}, "outside 1 … 30"),
    ({"fn": "leaky_relu", "negative_slope": "-5"}, "outside 0 … 1"),
    ({"logits": "1e308,1e308,-1e308"}, "Row 1 is too large"),
])
def test_bad_input_gets_a_message_not_a_traceback(query, expected):
    app = run_page(PAGE, "en", **query)
    assert expected in all_text(app)
    assert app.get("plotly_chart"), "the page still draws"


def test_bad_range_keeps_the_users_values_and_draws_the_default():
    app = run_page(PAGE, "en", x_min="5", x_max="-5", fn="tanh")
    assert app.number_input(key="act_x_min").value == 5.0
    x = trace(app, "Tanh f(x)")["x"]
    assert (x[0], x[-1]) == (-6.0, 6.0)


def test_bad_messages_are_translated():
    app = run_page(PAGE, "zh", x_min="5", x_max="-5", temperature="0")
    text = all_text(app)
    assert "x 最小值必须小于 x 最大值" in text and "温度必须大于 0" in text


def test_empty_selection_and_too_few_logits_are_explained():
    app = run_page(PAGE, "en")
    app.multiselect(key="act_fn").set_value([]).run()
    assert_no_exception(app)
    assert "Pick one or more" in all_text(app)
    app = run_page(PAGE, "en", logits="3")
    assert "at least two numbers" in all_text(app)


def test_url_round_trip_reopens_the_same_demo():
    app = run_page(PAGE, "en")
    app.multiselect(key="act_fn").set_value(["swish", "relu"]).run()
    app.slider(key="act_x0").set_value(-1.5).run()
    shared = dict(app.query_params)
    assert shared["fn"] == "swish,relu" and shared["x0"] == "-1.5"
    reopened = run_page(PAGE, **shared)
    assert reopened.multiselect(key="act_fn").value == ["swish", "relu"]
    assert reopened.slider(key="act_x0").value == -1.5
    assert chart_data(reopened) == chart_data(app)


def test_code_panel_matches_the_selection():
    app = run_page(PAGE, "en", fn="elu,softsign", probe_fn="softsign")
    codes = [c.value for c in app.code]
    assert "def elu(x, alpha=1.0):" in codes[0]
    assert "def softsign(x):" in codes[0]
    assert 'activation="softsign"' in codes[1]
    assert [b.proto.label for b in app.get("download_button")][0].startswith(
        "Download activations_numpy.py")


def test_presentation_mode_enlarges_chart_fonts_and_lines():
    app = run_page(PAGE, "en", fn="relu")
    normal = json.loads(app.get("plotly_chart")[0].proto.spec)
    app.sidebar.toggle[0].set_value(True).run()
    big = json.loads(app.get("plotly_chart")[0].proto.spec)
    assert big["layout"]["font"]["size"] > normal["layout"]["font"]["size"]
    big_ticks = big["layout"]["xaxis"]["tickfont"]["size"]
    assert big_ticks > normal["layout"]["xaxis"]["tickfont"]["size"]
    assert trace(app, "ReLU f(x)")["line"]["width"] == 5.0
    assert app.query_params["present"] == "1"


def test_jacobian_is_drawn_on_request_and_matches_core():
    from core.activations import softmax_jacobian

    app = run_page(PAGE, "en", logits="1,0,-1", temperature="0.5")
    assert len(app.get("plotly_chart")) == 2
    app.toggle(key="act_jacobian").set_value(True).run()
    heatmap = chart_data(app, 2)[0]
    np.testing.assert_allclose(heatmap["z"], softmax_jacobian([1, 0, -1], 0.5))
    np.testing.assert_allclose(np.sum(heatmap["z"], axis=1), 0, atol=1e-12)


def test_switching_language_keeps_the_students_settings():
    app = run_page(PAGE, "en")
    app.multiselect(key="act_fn").set_value(["gelu", "softsign"]).run()
    app.slider(key="act_x0").set_value(-1.0).run()
    app.number_input(key="act_temperature").set_value(3.0).run()
    app.sidebar.get("button_group")[0].set_value("zh").run()
    assert_no_exception(app)
    assert app.title[0].value == "激活函数"
    assert app.multiselect(key="act_fn").value == ["gelu", "softsign"]
    assert app.slider(key="act_x0").value == -1.0
    assert app.number_input(key="act_temperature").value == 3.0
    assert app.query_params["lang"] == "zh"
    assert app.query_params["fn"] == "gelu,softsign"
