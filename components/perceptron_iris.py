"""Iris sections of the perceptron lesson: scikit-learn's Perceptron, logistic
regression on one petal measurement, and hidden units that start equal."""

from __future__ import annotations

import numpy as np
import streamlit as st

from components import perceptron_charts as charts
from components import perceptron_lab as lab
from components.code_panel import show_code
from components.i18n import t
from components.perceptron_charts import Plane
from components.perceptron_code import DOCUMENT_POINT, sklearn_script
from components.perceptron_sections import CHART, factor, num, vector
from core.perceptron import (
    IRIS_FEATURES,
    MLPHistory,
    SklearnPerceptron,
    hidden_spread,
    line_in_box,
    logistic_cost,
    logistic_descent,
    make_grid,
    parse_point,
    sigmoid,
    standardise,
    step,
    tlu,
)

IRIS_BOX = (0.5, 7.5, -0.3, 2.8)
ON_THE_LINE = 1e-9  # |z| below this: the point lies on the decision line
CHART_LIMIT = 30.0  # cm: a flower typed further out is predicted, not drawn


def _box_with(point: np.ndarray | None) -> tuple[float, float, float, float]:
    """The chart's box, grown to show a typed flower (up to a sensible size)."""
    x_lo, x_hi, y_lo, y_hi = IRIS_BOX
    if point is None:
        return IRIS_BOX
    return (max(min(x_lo, point[0] - 0.5), -CHART_LIMIT),
            min(max(x_hi, point[0] + 0.5), CHART_LIMIT),
            max(min(y_lo, point[1] - 0.3), -CHART_LIMIT),
            min(max(y_hi, point[1] + 0.3), CHART_LIMIT))


def _species_names() -> tuple[str, str]:
    return t("perceptron.iris.rest"), t("perceptron.iris.setosa")


def _prediction_text(model: SklearnPerceptron, point: np.ndarray) -> str:
    z, label = model.predict(point)
    products = " + ".join(f"{factor(w)}·{num(x)}" for w, x in
                          zip(model.w, point, strict=True))
    name = t("perceptron.iris.setosa" if label else "perceptron.iris.rest")
    return t("perceptron.iris.prediction", point=vector(point), products=products,
             b=factor(model.b), z=f"{z:.3g}", label=label, name=name)


def draw_iris_perceptron(model: SklearnPerceptron, point_text: str) -> None:
    """The documents' Perceptron(): its line over the petals, [2, 0.5], your point."""
    petals = lab.iris()
    point, problem = parse_point(point_text)
    if problem is not None:
        st.warning(t(f"perceptron.problem.{problem}", text=point_text.strip()),
                   icon=":material/warning:")
    box = _box_with(point)
    xs, ys, grid = make_grid(box, 141)
    region = (xs, ys, tlu(grid, model.w, model.b)[1].reshape(len(ys), len(xs)))
    found = line_in_box(model.w, model.b, box)
    lines = [] if found is None else [{"x": found[0], "y": found[1],
                                       "name": t("perceptron.chart.boundary")}]
    marks = [(np.array(DOCUMENT_POINT), t("perceptron.iris.doc_mark"), "star")]
    if point is not None and tuple(point) != DOCUMENT_POINT:
        marks.append((point, t("perceptron.iris.your_mark"), "diamond"))
    plane = Plane(box, petals.X, petals.is_species("setosa"),
                  class_names=_species_names(), region=region, lines=lines,
                  axis_titles=(t("perceptron.iris.petal_length_cm"),
                               t("perceptron.iris.petal_width_cm")),
                  equal_axes=False, marks=marks)
    left, right = st.columns([3, 2])
    left.plotly_chart(charts.plane_figure(plane, height=400),
                      key="perceptron_iris_chart", **CHART)
    right.markdown(t("perceptron.iris.fitted", w=vector(model.w), b=num(model.b),
                     epochs=model.num_epochs, accuracy=f"{model.accuracy:.1%}"))
    right.markdown(t("perceptron.iris.doc_point") + " "
                   + _prediction_text(model, np.array(DOCUMENT_POINT)))
    if abs(model.predict(DOCUMENT_POINT)[0]) < ON_THE_LINE:
        right.info(t("perceptron.iris.on_the_line"), icon=":material/balance:")
    if point is not None and tuple(point) != DOCUMENT_POINT:
        right.markdown(t("perceptron.iris.your_point") + " "
                       + _prediction_text(model, point))
        if np.any(np.abs(point) > CHART_LIMIT):
            right.caption(t("perceptron.iris.off_chart", limit=f"{CHART_LIMIT:g}"))
    with st.expander(t("code.header"), icon=":material/code:"):
        st.markdown(t("perceptron.code.sklearn_intro"))
        show_code(sklearn_script(point), "perceptron_iris_sklearn.py",
                  "perceptron_sklearn_code")


# --- 4. logistic regression ---------------------------------------------------


def _cost_grid(path: np.ndarray, x: np.ndarray, y: np.ndarray, num_points: int = 90):
    """J(w, b) on a grid that holds the whole path (and at least ±12 around 0)."""
    w_lo, w_hi = min(path[:, 0].min(), -12.0), max(path[:, 0].max(), 12.0)
    b_lo, b_hi = min(path[:, 1].min(), -12.0), max(path[:, 1].max(), 12.0)
    pad_w, pad_b = 0.05 * (w_hi - w_lo), 0.05 * (b_hi - b_lo)
    w_values = np.linspace(w_lo - pad_w, w_hi + pad_w, num_points)
    b_values = np.linspace(b_lo - pad_b, b_hi + pad_b, num_points)
    W, B = np.meshgrid(w_values, b_values)
    return w_values, b_values, logistic_cost(W, B, x, y)


def draw_logistic(feature: str, target: str, rate: float, num_steps: int,
                  w_start: float, b_start: float) -> None:
    """σ instead of step on one standardised petal measurement; J over (w, b)."""
    petals = lab.iris()
    raw = petals.X[:, IRIS_FEATURES.index(feature)]
    x, mean, std = standardise(raw)
    y = petals.is_species(target)
    path, costs = logistic_descent(x, y, rate, num_steps, w_start, b_start)
    w, b = path[-1]
    accuracy = float(np.mean((sigmoid(w * x + b) > 0.5) == (y == 1)))
    curve_x = np.linspace(raw.min() - 0.5, raw.max() + 0.5, 400)
    curve_z = w * (curve_x - mean) / std + b
    names = (t("perceptron.iris.rest"), t(f"perceptron.iris.{target}"))
    left, right = st.columns(2)
    left.plotly_chart(charts.sigmoid_fit_figure(
        raw, y, curve_x, sigmoid(curve_z), step(curve_z),
        t(f"perceptron.iris.{feature}_cm"), names), key="perceptron_lr_fit", **CHART)
    right.plotly_chart(charts.cost_contour_figure(*_cost_grid(path, x, y), path),
                       key="perceptron_lr_contour", **CHART)
    threshold = (f"{mean - b / w * std:.2f}" if abs(w) > 1e-12 else "—")
    st.markdown(t("perceptron.lr.result", steps=num_steps, first=f"{costs[0]:.4f}",
                  last=f"{costs[-1]:.4f}", w=num(w), b=num(b), threshold=threshold,
                  feature=t(f"perceptron.iris.{feature}"),
                  accuracy=f"{accuracy:.1%}"))
    st.caption(t("perceptron.lr.standardised", mean=f"{mean:.2f}", std=f"{std:.2f}"))
    if not np.all(np.diff(costs) <= 1e-12):
        st.warning(t("perceptron.lr.rose"), icon=":material/trending_up:")
    if accuracy == 1.0:
        st.info(t("perceptron.lr.separable"), icon=":material/all_inclusive:")


# --- 5. symmetry ------------------------------------------------------------------


def draw_symmetry(zero: tuple[MLPHistory, float],
                  random: tuple[MLPHistory, float]) -> None:
    """Hidden units' weights over training from zeros and from random numbers."""
    (zero_run, zero_accuracy), (random_run, random_accuracy) = zero, random
    inputs = [t("perceptron.iris.petal_length"), t("perceptron.iris.petal_width")]
    both = np.concatenate([zero_run.W1s.ravel(), random_run.W1s.ravel()])
    pad = 0.1 * (both.max() - both.min() or 1.0)
    y_range = (float(both.min() - pad), float(both.max() + pad))
    left, right = st.columns(2)
    left.plotly_chart(charts.hidden_weights_figure(
        zero_run.W1s, t("perceptron.sym.zero_title"), inputs, y_range),
        key="perceptron_sym_zero", **CHART)
    right.plotly_chart(charts.hidden_weights_figure(
        random_run.W1s, t("perceptron.sym.random_title"), inputs, y_range),
        key="perceptron_sym_random", **CHART)
    st.markdown(t("perceptron.sym.result", steps=len(zero_run.costs) - 1,
                  units=zero_run.net.W1.shape[1],
                  zero_spread=f"{hidden_spread(zero_run.W1s):.3g}",
                  random_spread=f"{hidden_spread(random_run.W1s[-1:]):.3g}",
                  zero_cost=f"{zero_run.costs[-1]:.4f}",
                  random_cost=f"{random_run.costs[-1]:.4f}",
                  zero_accuracy=f"{zero_accuracy:.0%}",
                  random_accuracy=f"{random_accuracy:.0%}"))
