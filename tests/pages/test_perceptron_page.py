"""The perceptron lesson through AppTest, in English and Chinese: every section
draws, the Step buttons walk through the perceptron rule with the hand-computed
weights, XOR says that it cycles, bad input gets a message, and the settings
round-trip through the URL. Numbers on the page are checked against core."""

from __future__ import annotations

import numpy as np
import pytest

from components.perceptron_lab import DEFAULTS, iris, iris_perceptron
from core.perceptron import (
    GATE_INPUTS,
    GATES,
    IRIS_FEATURES,
    logistic_descent,
    standardise,
    tlu,
    train_perceptron,
)
from tests.pages.conftest import (
    all_text,
    assert_no_exception,
    chart_data,
    run_page,
    texts,
)

PAGE = "pages/perceptron.py"
CHARTS = ("perceptron_tlu_chart", "perceptron_rule_chart", "perceptron_network_chart",
          "perceptron_xor_chart", "perceptron_mlp_chart", "perceptron_mlp_cost",
          "perceptron_iris_chart", "perceptron_lr_fit", "perceptron_lr_contour",
          "perceptron_sym_zero", "perceptron_sym_random")
TITLE = {"en": "Neurons & perceptrons", "zh": "神经元与感知机"}


def chart_index(app, key: str) -> int:
    keys = [chart.key for chart in app.get("plotly_chart")]
    assert key in keys, keys
    return keys.index(key)


def chart_traces(app, key: str) -> list[dict]:
    return chart_data(app, chart_index(app, key))


def latex(app) -> str:
    return "\n".join(element.value for element in app.get("latex"))


def now_line(app) -> str:
    lines = [m.value for m in app.markdown if m.value.startswith(("**Now:**",
                                                                  "**当前**"))]
    assert len(lines) == 1, texts(app.markdown)
    return lines[0]


def click(app, key: str):
    app.button(key=key).click().run()
    assert_no_exception(app)
    return app


# --- every section, both languages ------------------------------------------------


def test_the_page_draws_every_section(lang):
    app = run_page(PAGE, lang)
    assert app.title[0].value == TITLE[lang]
    keys = {chart.key for chart in app.get("plotly_chart")}
    assert set(CHARTS) <= keys
    headers = texts(app.subheader)
    for number in range(1, 7):
        assert f"{number}. " in headers
    text = all_text(app)
    terms = {"en": ("dendrites", "axon", "threshold", "Hebb", "cross-entropy",
                    "symmetry"),
             "zh": ("树突", "轴突", "阈值", "Hebb 规则", "交叉熵损失", "对称",
                    "阶跃函数", "异或", "鸢尾花", "逻辑回归")}[lang]
    for term in terms:
        assert term in text, term
    assert {"en": "computes **AND**", "zh": "实现的是**与门**"}[lang] in text


def test_the_tlu_section_follows_the_sliders():
    app = run_page(PAGE, "en")
    app.slider(key="perceptron_bias").set_value(-0.5).run()
    assert_no_exception(app)
    assert "computes **OR**" in all_text(app)
    assert r"z = 1\,x_1 + 1\,x_2 - 0.5" in latex(app)
    app.slider(key="perceptron_w1").set_value(-1.0).run()
    app.slider(key="perceptron_w2").set_value(-1.0).run()
    app.slider(key="perceptron_bias").set_value(1.5).run()
    assert "computes **NAND**" in all_text(app)
    traces = chart_traces(app, "perceptron_tlu_chart")
    region = next(d for d in traces if d["type"] == "heatmap")
    xs, ys = np.array(region["x"]), np.array(region["y"])
    grid = np.column_stack([np.tile(xs, len(ys)), np.repeat(ys, len(xs))])
    expected = tlu(grid, [-1.0, -1.0], 1.5)[1].reshape(len(ys), len(xs))
    np.testing.assert_array_equal(np.array(region["z"]), expected)
    line = next(d for d in traces if d.get("mode") == "lines")
    np.testing.assert_allclose(-np.array(line["x"]) - np.array(line["y"]) + 1.5, 0,
                               atol=1e-9)
    app.slider(key="perceptron_bias").set_value(3.0).run()
    assert "not AND, OR, NAND or XOR" in all_text(app)


# --- the perceptron learning rule ----------------------------------------------------


def test_stepping_shows_each_update_with_its_numbers(lang):
    app = run_page(PAGE, lang)
    assert {"en": "Press **Step**", "zh": "按“**下一步**”"}[lang] in texts(app.info)
    assert "(0, 0)" in now_line(app)
    for _ in range(3):
        click(app, "perceptron_step_button")
    assert "(0, 0)" in now_line(app)  # the first three AND inputs were right
    click(app, "perceptron_step_button")
    assert "w = (1, 1)" in now_line(app) and now_line(app).endswith("b = 1")
    assert (r"= (0, 0) + 1\cdot(1-0)\cdot(1, 1) = (1, 1)") in latex(app)
    assert r"b \leftarrow b + \eta\,(y-\hat{y}) = 0 + 1\cdot(1-0) = 1" in latex(app)
    click(app, "perceptron_step_button")
    assert "w = (1, 1)" in now_line(app) and now_line(app).endswith("b = 0")
    assert {"en": "Step 5 of 24 · epoch 2",
            "zh": "第 5 步（共 24 步）· 第 2 轮"}[lang] in texts(app.caption)
    assert app.query_params["step"] == "5"
    errors = chart_traces(app, "perceptron_errors_chart")[0]
    assert errors["y"] == [1, 1]  # epoch 1: one mistake; epoch 2 so far: one
    line = next(d for d in chart_traces(app, "perceptron_rule_chart")
                if d.get("name") == "decision boundary z = 0" or
                d.get("name") == "决策边界 z = 0")
    np.testing.assert_allclose(np.array(line["x"]) + np.array(line["y"]), 0,
                               atol=1e-9)  # w = (1, 1), b = 0: x₁ + x₂ = 0


def test_next_epoch_run_to_the_end_and_reset():
    app = run_page(PAGE, "en")
    click(app, "perceptron_epoch_button")
    assert "Step 4 of 24 · epoch 1" in texts(app.caption)
    click(app, "perceptron_epoch_button")
    assert "Step 8 of 24 · epoch 2" in texts(app.caption)
    assert "w = (2, 1)" in now_line(app) and now_line(app).endswith("b = 0")
    click(app, "perceptron_end_button")
    run = train_perceptron(GATE_INPUTS, GATES["and"], 1.0, [0, 0], 0)
    success = texts(app.success)
    assert f"in epoch {len(run.epoch_errors)} every input of AND" in success
    assert f"after {run.num_updates} updates" in success
    assert "w = (2, 1), b = -2" in success
    assert app.button(key="perceptron_step_button").disabled
    click(app, "perceptron_reset_button")
    assert "Step 0 of 24" in texts(app.caption)


def test_xor_says_that_it_cycles_forever(lang):
    app = run_page(PAGE, lang, gate="xor")
    click(app, "perceptron_end_button")
    run = train_perceptron(GATE_INPUTS, GATES["xor"], 1.0, [0, 0], 0)
    warning = texts(app.warning)
    assert {"en": "It cycles forever", "zh": "永远在循环"}[lang] in warning
    assert {"en": f"after epoch {run.cycle_to} are exactly those after epoch "
                  f"{run.cycle_from}",
            "zh": f"第 {run.cycle_to} 轮结束时的权重和第 {run.cycle_from} 轮"}[lang] \
        in warning
    assert ", ".join(map(str, run.epoch_errors)) in warning
    assert not app.success or "XOR" not in texts(app.success).split("Solved")[0]


def test_changing_the_gate_or_the_start_starts_again():
    app = run_page(PAGE, "en")
    click(app, "perceptron_step_button")
    click(app, "perceptron_step_button")
    app.segmented_control(key="perceptron_gate").set_value("or").run()
    assert "Step 0 of 16" in texts(app.caption)
    click(app, "perceptron_end_button")
    assert "every input of OR" in texts(app.success)
    app.slider(key="perceptron_start_w1").set_value(-1.0).run()
    run = train_perceptron(GATE_INPUTS, GATES["or"], 1.0, [-1.0, 0], 0)
    assert f"Step 0 of {len(run.steps)}" in texts(app.caption)
    assert app.query_params["start_w1"] == "-1"


# --- bad input ---------------------------------------------------------------------


@pytest.mark.parametrize("key, value, message", [
    ("perceptron_eta", 0.0, "must be greater than 0"),
    ("perceptron_eta", -2.0, "must be greater than 0"),
    ("perceptron_eta", 1e6, "limited to η = 10"),
    ("perceptron_mlp_eta", 0.0, "must be greater than 0"),
    ("perceptron_lr_eta", -0.5, "must be greater than 0"),
])
def test_a_bad_learning_rate_gets_a_message_and_the_page_still_works(key, value,
                                                                     message):
    app = run_page(PAGE, "en")
    app.number_input(key=key).set_value(value).run()
    assert_no_exception(app)
    assert message in texts(app.warning)
    assert len(app.get("plotly_chart")) >= len(CHARTS)


def test_learning_rate_zero_in_chinese():
    app = run_page(PAGE, "zh", eta="0")
    assert "学习率必须大于 0" in texts(app.warning)
    assert "第 0 步（共 24 步）" in texts(app.caption)  # η = 1 is used instead


@pytest.mark.parametrize("text, message", [
    ("abc", "not a pair of numbers"), ("1, 2, 3", "exactly two numbers"),
    ("", "Type a flower as two numbers"), ("nan, 2", "not a pair of numbers"),
])
def test_a_bad_flower_gets_a_message(text, message):
    app = run_page(PAGE, "en")
    app.text_input(key="perceptron_point").input(text).run()
    assert_no_exception(app)
    assert message in texts(app.warning)
    names = [d.get("name") for d in chart_traces(app, "perceptron_iris_chart")]
    assert "[2, 0.5] (documents)" in names and "another flower (yours)" not in names


def test_bad_links_get_a_message():
    app = run_page(PAGE, "en", gate="xnor", w1="9", sym_steps="many")
    text = all_text(app)
    assert "“xnor” for “gate” is not one of the choices" in text
    assert "“w1” is outside -3 … 3" in text
    assert "“sym_steps” could not be read" in text
    assert len(app.get("plotly_chart")) >= len(CHARTS)


# --- scikit-learn, logistic regression, symmetry --------------------------------------


def test_the_documents_flower_and_yours_are_predicted_by_scikit_learn(lang):
    app = run_page(PAGE, lang)
    model = iris_perceptron()
    z, label = model.predict([2, 0.5])
    text = all_text(app)
    assert f"= {z:.3g}" in text and f"**{label}**" in text
    assert {"en": "exactly on the decision line", "zh": "正好落在决策边界上"}[lang] \
        in texts(app.info)
    app.text_input(key="perceptron_point").input("1.4, 0.2").run()
    z, label = model.predict([1.4, 0.2])
    assert label == 1
    assert "x = (1.4, 0.2)" in all_text(app)
    assert f"= {z:.3g}" in all_text(app)
    names = [d.get("name") for d in chart_traces(app, "perceptron_iris_chart")]
    assert {"en": "another flower (yours)", "zh": "另一朵花（你输入的）"}[lang] in names
    assert app.query_params["point"] == "1.4, 0.2"


def test_logistic_regression_shows_the_descent_it_computed():
    app = run_page(PAGE, "en", lr_steps="50", feature="petal_length")
    petals = iris()
    x = standardise(petals.X[:, IRIS_FEATURES.index("petal_length")])[0]
    path, costs = logistic_descent(x, petals.is_species("virginica"),
                                   DEFAULTS.lr_eta, 50, DEFAULTS.lr_w0,
                                   DEFAULTS.lr_b0)
    assert f"cost went from {costs[0]:.4f} to **{costs[-1]:.4f}**" in all_text(app)
    descent = next(d for d in chart_traces(app, "perceptron_lr_contour")
                   if d.get("name") == "gradient-descent path")
    np.testing.assert_allclose(descent["x"], path[:, 0])
    np.testing.assert_allclose(descent["y"], path[:, 1])
    assert not app.warning  # this η never goes uphill: no warning
    app.number_input(key="perceptron_lr_eta").set_value(1e6).run()
    assert "limited to η = 20" in texts(app.warning)
    app.selectbox(key="perceptron_target").set_value("setosa").run()
    assert "no minimum at a finite w" in texts(app.info)


def test_zero_start_keeps_hidden_units_identical_on_the_page(lang):
    app = run_page(PAGE, lang, sym_steps="200")
    zero = [d for d in chart_traces(app, "perceptron_sym_zero")]
    random = [d for d in chart_traces(app, "perceptron_sym_random")]
    assert len(zero) == len(random) == 6  # 3 units × 2 inputs
    for first, other in ((zero[0], zero[2]), (zero[0], zero[4]),
                         (zero[1], zero[3]), (zero[1], zero[5])):
        assert first["y"] == other["y"]  # the lines lie on top of each other
    assert random[0]["y"] != random[2]["y"]
    assert "**0**" in all_text(app)


# --- URL state ---------------------------------------------------------------------


def test_settings_round_trip_through_the_url():
    app = run_page(PAGE, "en")
    app.segmented_control(key="perceptron_gate").set_value("nand").run()
    app.number_input(key="perceptron_eta").set_value(0.5).run()
    click(app, "perceptron_step_button")
    click(app, "perceptron_step_button")
    app.slider(key="perceptron_w1").set_value(-0.5).run()
    app.text_input(key="perceptron_point").input("5, 1.8").run()
    app.selectbox(key="perceptron_feature").set_value("petal_length").run()
    app.number_input(key="perceptron_mlp_seed").set_value(6).run()
    app.slider(key="perceptron_sym_steps").set_value(100).run()
    query = {k: app.query_params[k] for k in app.query_params if k != "lang"}
    assert query == {"gate": "nand", "eta": "0.5", "step": "2", "w1": "-0.5",
                     "point": "5, 1.8", "feature": "petal_length", "mlp_seed": "6",
                     "sym_steps": "100"}
    shown = all_text(app)

    reopened = run_page(PAGE, "en", **query)
    assert reopened.segmented_control(key="perceptron_gate").value == "nand"
    assert reopened.number_input(key="perceptron_eta").value == 0.5
    assert reopened.slider(key="perceptron_w1").value == -0.5
    assert reopened.text_input(key="perceptron_point").value == "5, 1.8"
    assert reopened.selectbox(key="perceptron_feature").value == "petal_length"
    assert reopened.number_input(key="perceptron_mlp_seed").value == 6
    assert "Step 2 of" in texts(reopened.caption)
    assert all_text(reopened) == shown
