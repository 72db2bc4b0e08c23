"""Sections of the perceptron lesson: what each computed result looks like on the
page (text with the actual numbers, tables and charts). ``draw_*`` return nothing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from components import perceptron_charts as charts
from components.code_panel import show_code
from components.i18n import t
from components.perceptron_charts import Plane
from components.perceptron_code import rule_script
from core.perceptron import (
    GATE_INPUTS,
    GATES,
    MLPHistory,
    PerceptronRun,
    build_xor_network,
    line_in_box,
    make_grid,
    tlu,
    which_gate,
)

GATE_BOX = (-0.5, 1.5, -0.5, 1.5)
CHART = {"config": {"displaylogo": False}}
HIDDEN_COLOURS = ("#7A1F5C", "#1B5E20")  # dark: visible on both region colours


def num(value: float) -> str:
    """A number as a student writes it: up to 4 significant digits, never −0."""
    text = f"{float(value):.4g}"
    return "0" if text == "-0" else text


def factor(value: float) -> str:
    """A number inside a product: negatives in brackets."""
    return f"({num(value)})" if float(value) < 0 else num(value)


def signed(value: float) -> str:
    """A number added at the end of a sum: "+ 1.5" or "- 1.5"."""
    text = num(value)
    return f"- {text[1:]}" if text.startswith("-") else f"+ {text}"


def vector(values) -> str:
    return "(" + ", ".join(num(v) for v in values) + ")"


def _region(w, b, box=GATE_BOX, num_points: int = 121):
    xs, ys, grid = make_grid(box, num_points)
    return xs, ys, tlu(grid, w, b)[1].reshape(len(ys), len(xs))


def _line(w, b, name: str, box=GATE_BOX, **style) -> list[dict]:
    found = line_in_box(w, b, box)
    return [] if found is None else [{"x": found[0], "y": found[1], "name": name,
                                      **style}]


def _gate_names() -> tuple[str, str]:
    return t("perceptron.chart.class_0"), t("perceptron.chart.class_1")


# --- 1. the threshold logic unit -------------------------------------------------


def draw_tlu(w: np.ndarray, b: float) -> None:
    """z for the four corners, the line where z = 0, and which gate this is."""
    z, out = tlu(GATE_INPUTS, w, b)
    st.latex(rf"z = {num(w[0])}\,x_1 {signed(w[1])}\,x_2 {signed(b)}"
             r"\qquad \text{step}(z) = \begin{cases}1 & z > 0\\ 0 & z \le 0\end{cases}")
    left, right = st.columns([3, 2])
    plane = Plane(GATE_BOX, GATE_INPUTS, out, class_names=(
        t("perceptron.chart.output_0"), t("perceptron.chart.output_1")),
        region=_region(w, b), lines=_line(w, b, t("perceptron.chart.boundary")))
    left.plotly_chart(charts.plane_figure(plane), key="perceptron_tlu_chart", **CHART)
    rows = [{"x₁": int(x[0]), "x₂": int(x[1]), "z": num(v), "step(z)": int(o)}
            for x, v, o in zip(GATE_INPUTS, z, out, strict=True)]
    right.table(pd.DataFrame(rows), hide_index=True)
    gate = which_gate(out)
    if gate is None:
        right.markdown(t("perceptron.tlu.no_gate"))
    else:
        right.markdown(t("perceptron.tlu.is_gate", gate=t(f"perceptron.gate.{gate}")))
    if line_in_box(w, b, GATE_BOX) is None:
        right.caption(t("perceptron.tlu.no_line"))


# --- 2. the perceptron learning rule ----------------------------------------------


def _explain_step(run: PerceptronRun, done: int) -> None:
    """The last instance shown: z, ŷ, and the update with the actual numbers."""
    if done == 0:
        st.info(t("perceptron.rule.press_step"), icon=":material/touch_app:")
        return
    s = run.steps[done - 1]
    st.markdown(t("perceptron.rule.shown", number=done, epoch=s.epoch,
                  x=vector(s.x), y=s.y, y_hat=s.y_hat))
    products = " + ".join(f"{factor(wi)} \\cdot {num(xi)}"
                          for wi, xi in zip(s.w_before, s.x, strict=True))
    st.latex(rf"z = \mathbf{{w}}\cdot\mathbf{{x}} + b = {products} "
             rf"{signed(s.b_before)} = {num(s.z)} \;\Rightarrow\; \hat{{y}} = "
             rf"\text{{step}}({num(s.z)}) = {s.y_hat}")
    eta = num(run.learning_rate)
    st.latex(rf"\mathbf{{w}} \leftarrow \mathbf{{w}} + \eta\,(y-\hat{{y}})\,"
             rf"\mathbf{{x}} = {vector(s.w_before)} + {eta}\cdot({s.y}-{s.y_hat})\cdot"
             rf"{vector(s.x)} = {vector(s.w_after)}")
    st.latex(rf"b \leftarrow b + \eta\,(y-\hat{{y}}) = {num(s.b_before)} + {eta}"
             rf"\cdot({s.y}-{s.y_hat}) = {num(s.b_after)}")
    st.caption(t("perceptron.rule.no_change" if s.error == 0
                 else "perceptron.rule.fire_more" if s.error > 0
                 else "perceptron.rule.fire_less"))


def _weights_now(run: PerceptronRun, done: int) -> tuple[np.ndarray, float]:
    if done == 0:
        return run.steps[0].w_before, run.steps[0].b_before
    return run.steps[done - 1].w_after, run.steps[done - 1].b_after


def draw_rule(run: PerceptronRun, gate: str, done: int) -> None:
    """The chart, the epoch so far, the mistakes per epoch, and how it ends."""
    total = len(run.steps)
    epoch = run.steps[done - 1].epoch if done else 1
    st.caption(t("perceptron.rule.progress", done=done, total=total, epoch=epoch))
    _explain_step(run, done)
    w, b = _weights_now(run, done)
    left, right = st.columns([3, 2])
    lines = _line(w, b, t("perceptron.chart.boundary"))
    if done and run.steps[done - 1].error:
        s = run.steps[done - 1]
        lines = _line(s.w_before, s.b_before, t("perceptron.chart.before"),
                      color="#888", dash="dash") + lines
    plane = Plane(GATE_BOX, GATE_INPUTS, np.array(GATES[gate]),
                  class_names=_gate_names(), region=_region(w, b), lines=lines,
                  highlight=run.steps[done - 1].x if done else None)
    left.plotly_chart(charts.plane_figure(plane), key="perceptron_rule_chart",
                      **CHART)
    left.caption(t("perceptron.rule.chart_caption"))
    if not lines:
        left.caption(t("perceptron.tlu.no_line"))
    right.markdown(t("perceptron.rule.now", w=vector(w), b=num(b)))
    rows = [{t("perceptron.rule.col_step"): i + 1, "x": vector(s.x), "y": s.y,
             "z": num(s.z), "ŷ": s.y_hat, "w": vector(s.w_after), "b": num(s.b_after)}
            for i, s in enumerate(run.steps[:done]) if s.epoch == epoch]
    if rows:
        right.markdown(t("perceptron.rule.this_epoch", epoch=epoch))
        right.dataframe(pd.DataFrame(rows), hide_index=True)
    mistakes = [sum(1 for s in run.steps[:done] if s.epoch == e and s.error)
                for e in range(1, epoch + 1)] if done else []
    if mistakes:
        right.plotly_chart(charts.errors_figure(mistakes, len(GATE_INPUTS)),
                           key="perceptron_errors_chart", **CHART)
    if done == total:
        _draw_outcome(run, gate)


def _draw_outcome(run: PerceptronRun, gate: str) -> None:
    w, b = run.final
    name = t(f"perceptron.gate.{gate}")
    if run.outcome == "converged":
        st.success(t("perceptron.rule.converged", gate=name,
                     epochs=len(run.epoch_errors), updates=run.num_updates,
                     w=vector(w), b=num(b)), icon=":material/check_circle:")
    elif run.outcome == "cycle":
        st.warning(t("perceptron.rule.cycle", gate=name, first=run.cycle_from,
                     second=run.cycle_to, w=vector(w), b=num(b),
                     errors=", ".join(str(e) for e in run.epoch_errors)),
                   icon=":material/autorenew:")
    else:
        st.info(t("perceptron.rule.gave_up", epochs=len(run.epoch_errors)),
                icon=":material/hourglass_disabled:")


def draw_rule_code(gate: str, rate: float, w_start, b_start: float) -> None:
    with st.expander(t("code.header"), icon=":material/code:"):
        st.markdown(t("perceptron.code.rule_intro"))
        show_code(rule_script(gate, rate, w_start, b_start),
                  f"perceptron_rule_{gate}.py", "perceptron_rule_code")


# --- 2b. XOR needs two layers -------------------------------------------------------


def draw_xor_network() -> None:
    """OR and NAND (trained by the rule) feed AND: the table, diagram and regions."""
    network = build_xor_network()
    hidden, output = network.hidden(GATE_INPUTS), network.predict(GATE_INPUTS)
    name = {g: t(f"perceptron.gate.{g}") for g in GATES}
    rows = [{"x₁": int(x[0]), "x₂": int(x[1]), f"h₁ = {name['or']}": int(h[0]),
             f"h₂ = {name['nand']}": int(h[1]), f"{name['and']}(h₁, h₂)": int(o),
             name["xor"]: int(target), "✓": "✓" if o == target else "✗"}
            for x, h, o, target in zip(GATE_INPUTS, hidden, output, GATES["xor"],
                                       strict=True)]
    left, right = st.columns([1, 1])
    left.table(pd.DataFrame(rows), hide_index=True)
    left.plotly_chart(charts.network_figure(network.units, name),
                      key="perceptron_network_chart", **CHART)
    xs, ys, grid = make_grid(GATE_BOX, 121)
    region = (xs, ys, network.predict(grid).reshape(len(ys), len(xs)))
    lines = []
    for index, gate in enumerate(("or", "nand")):
        lines += _line(*network.units[gate], t(f"perceptron.xor.line_{gate}"),
                       color=HIDDEN_COLOURS[index], dash="dash")
    plane = Plane(GATE_BOX, GATE_INPUTS, np.array(GATES["xor"]),
                  class_names=_gate_names(), region=region, lines=lines)
    right.plotly_chart(charts.plane_figure(plane), key="perceptron_xor_chart",
                       **CHART)
    units = {g: t("perceptron.xor.unit", gate=t(f"perceptron.gate.{g}"),
                  w=vector(w), b=num(b)) for g, (w, b) in network.units.items()}
    st.caption(t("perceptron.xor.caption", **units))


def draw_mlp(history: MLPHistory, seed: int) -> None:
    """The trained 2-2-1 network's p over the plane, its hidden units' lines, and
    whether gradient descent found XOR from this start."""
    net = history.net
    xs, ys, grid = make_grid(GATE_BOX, 101)
    probability = net.forward(grid)[2].reshape(len(ys), len(xs))
    lines = []
    for unit in range(net.W1.shape[1]):
        lines += _line(net.W1[:, unit], net.b1[unit],
                       t("perceptron.mlp.hidden_line", unit=unit + 1),
                       color=HIDDEN_COLOURS[unit % 2], dash="dot")
    plane = Plane(GATE_BOX, GATE_INPUTS, np.array(GATES["xor"]),
                  class_names=_gate_names(), region=(xs, ys, probability),
                  probability=True, lines=lines)
    left, right = st.columns([3, 2])
    left.plotly_chart(charts.plane_figure(plane), key="perceptron_mlp_chart", **CHART)
    p = net.forward(GATE_INPUTS)[2]
    rows = [{"x₁": int(x[0]), "x₂": int(x[1]), t("perceptron.gate.xor"): int(target),
             "p": f"{v:.3f}",
             "✓": "✓" if (v > 0.5) == bool(target) else "✗"}
            for x, target, v in zip(GATE_INPUTS, GATES["xor"], p, strict=True)]
    right.table(pd.DataFrame(rows), hide_index=True)
    right.plotly_chart(charts.curve_figure(
        {t("perceptron.chart.cost"): history.costs}, t("perceptron.mlp.cost_title"),
        t("perceptron.chart.gd_step"), height=220), key="perceptron_mlp_cost",
        **CHART)
    solved = all((v > 0.5) == bool(target) for v, target in zip(p, GATES["xor"],
                                                                 strict=True))
    message = t("perceptron.mlp.solved" if solved else "perceptron.mlp.stuck",
                cost=f"{history.costs[-1]:.4f}", seed=seed)
    (st.success if solved else st.warning)(message)
