"""Controls and panels of the activations lesson (`*_ui` return what was chosen)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from components.activation_charts import (
    activation_label,
    curves_figure,
    jacobian_figure,
    softmax_figure,
)
from components.code_panel import show_code
from components.i18n import t
from components.page_setup import show_problems
from components.url_state import LessonSettings
from core.activation_analysis import (
    LOW_GRADIENT,
    RECOMMENDATIONS,
    check_temperature,
    check_x_range,
    gradient_through_layers,
    nice_step,
    parse_logits,
    probe,
    sample_curve,
)
from core.activations import ACTIVATIONS, softmax_jacobian
from core.codegen import keras_activation_code, numpy_activation_code, softmax_code

SCOPE = "act"
CURVE_NAMES = [name for name, a in ACTIVATIONS.items() if a.elementwise]
PARAM_LIMITS = {"negative_slope": (0.0, 1.0), "alpha": (0.1, 3.0), "layers": (1, 30)}


@dataclass(frozen=True)
class ActivationSettings:
    """The lesson's defaults; every field is also a URL parameter."""

    fn: tuple[str, ...] = ("sigmoid", "tanh", "relu")
    x_min: float = -6.0
    x_max: float = 6.0
    deriv: bool = True
    shade: bool = True
    negative_slope: float = 0.2
    alpha: float = 1.0
    approximate: bool = False
    probe_fn: str = "sigmoid"
    x0: float = 2.0
    layers: int = 5
    logits: tuple[str, ...] = ("2", "1", "0.1")
    temperature: float = 1.0
    jacobian: bool = False


DEFAULTS = ActivationSettings()
# Settings that teacher mode hides (components/teacher.py).
ADVANCED = (
    "x_min", "x_max", "shade", "jacobian")
SETTINGS = LessonSettings(SCOPE, DEFAULTS, ADVANCED)
key = SETTINGS.key


def restore_settings() -> None:
    """Seed the widgets from the URL and report what could not be used."""
    SETTINGS.restore(PARAM_LIMITS)
    chosen = [n for n in SETTINGS.get("fn") if n]
    unknown = [n for n in chosen if n not in CURVE_NAMES]
    if unknown:
        st.warning(t("problem.unknown_function", names=", ".join(unknown)))
    SETTINGS.set("fn", [n for n in chosen if n in CURVE_NAMES])


def function_picker_ui() -> list[str]:
    return st.multiselect(t("act.pick"), CURVE_NAMES, key=key("fn"),
                          format_func=activation_label,
                          placeholder=t("act.pick_placeholder"))


def range_ui() -> tuple[float, float, bool, bool]:
    """x-range and display toggles; a bad range is reported and replaced."""
    left, right, toggles = st.columns([1, 1, 2])
    x_min = left.number_input(t("act.x_min"), key=key("x_min"), step=1.0)
    x_max = right.number_input(t("act.x_max"), key=key("x_max"), step=1.0)
    show_derivative = toggles.toggle(t("act.show_derivative"), key=key("deriv"))
    shade = toggles.toggle(t("act.shade", threshold=LOW_GRADIENT), key=key("shade"))
    x_min, x_max, problems = check_x_range(x_min, x_max)
    show_problems(problems, low=x_min, high=x_max)
    return x_min, x_max, show_derivative, shade


def params_ui(names: list[str]) -> dict[str, dict[str, Any]]:
    """Sliders for the parameters of the chosen functions only."""
    params: dict[str, dict[str, Any]] = {}
    columns = iter(st.columns(3))
    if "leaky_relu" in names:
        slope = next(columns).slider(t("act.param.negative_slope"), 0.0, 1.0,
                                     step=0.01, key=key("negative_slope"),
                                     help=t("act.param.negative_slope_help"))
        params["leaky_relu"] = {"negative_slope": slope}
    if "elu" in names:
        alpha = next(columns).slider(t("act.param.alpha"), 0.1, 3.0, step=0.1,
                                     key=key("alpha"))
        params["elu"] = {"alpha": alpha}
    if "gelu" in names:
        approximate = next(columns).checkbox(t("act.param.approximate"),
                                             key=key("approximate"))
        params["gelu"] = {"approximate": approximate}
    return params


def draw_curves(names, params, x_min, x_max, show_derivative, shade, probe_point,
                probe_name) -> None:
    curves = [sample_curve(n, x_min, x_max, params=params.get(n)) for n in names]
    figure = curves_figure(curves, show_derivative, shade, probe_point,
                           names.index(probe_name))
    st.plotly_chart(figure, key="activation_curves", config={"displaylogo": False})


def probe_ui(names: list[str], x_min: float, x_max: float) -> tuple[str, float]:
    """Which function to probe and where; returns (name, x0)."""
    if st.session_state[key("probe_fn")] not in names:
        st.session_state[key("probe_fn")] = names[0]
    step = nice_step(x_max - x_min)
    SETTINGS.clamp("x0", x_min, x_max)
    SETTINGS.set("x0", round(SETTINGS.get("x0") / step) * step)
    SETTINGS.clamp("x0", x_min, x_max)
    left, right = st.columns([1, 2])
    name = left.selectbox(t("act.probe_fn"), names, key=key("probe_fn"),
                          format_func=activation_label)
    x0 = right.slider(t("act.probe_x"), float(x_min), float(x_max),
                      step=step, key=key("x0"), format="%.2f")
    return name, float(x0)


def draw_probe(name: str, x0: float, params: dict[str, Any]) -> dict:
    """f(x0), f′(x0), the formulas, and the gradient left after n layers."""
    activation, point = ACTIVATIONS[name], probe(name, x0, params)
    cols = st.columns(3)
    cols[0].metric(t("act.probe_f", x=f"{x0:.3g}"), f"{point['y']:.4f}")
    cols[1].metric(t("act.probe_df", x=f"{x0:.3g}"), f"{point['slope']:.4f}")
    cols[2].caption(t("act.probe_range"))
    cols[2].latex(activation.output_range(**params).latex)
    st.latex(activation.formula)
    st.latex(activation.derivative_formula)
    st.caption(t("act.tangent_line", slope=f"{point['slope']:.4f}",
                 intercept=f"{point['intercept']:+.4f}"))
    if abs(point["slope"]) < LOW_GRADIENT:
        st.info(t("act.vanishing_here", name=activation_label(name),
                  slope=f"{point['slope']:.2g}"), icon=":material/trending_down:")
    layers = st.slider(t("act.layers"), 1, 30, key=key("layers"))
    through = gradient_through_layers(name, x0, layers, params)
    st.markdown(t("act.layers_result", layers=layers, at_x0=f"{through['at_x0']:.3g}",
                  best=f"{through['best_case']:.3g}",
                  max_slope=f"{through['max_slope']:.3g}"))
    return point


def softmax_ui() -> tuple[np.ndarray, float]:
    """An editable logit vector and a temperature; returns them once checked."""
    if key("logits_base") not in st.session_state:
        cells, problems = parse_logits(st.session_state[key("logits")])
        st.session_state[key("logits_base")] = pd.DataFrame({"z": cells})
        for code, row in problems:
            st.warning(t(f"problem.{code}", row=row))
    left, right = st.columns([1, 3])
    edited = left.data_editor(
        st.session_state[key("logits_base")], num_rows="dynamic", hide_index=True,
        key=key("logits_editor"),
        column_config={"z": st.column_config.NumberColumn(t("softmax.logit"),
                                                          format="%.2f")})
    temperature = left.number_input(t("softmax.temperature"), key=key("temperature"),
                                    step=0.1, help=t("softmax.temperature_help"))
    logits, problems = parse_logits(edited["z"].tolist())
    for code, row in problems:
        left.warning(t(f"problem.{code}", row=row))
    temperature, temp_problems = check_temperature(temperature)
    with left:
        show_problems(temp_problems, value=temperature)
    st.session_state[key("logits")] = tuple(f"{v:g}" for v in logits)
    with right:
        if logits.size < 2:
            st.info(t("softmax.need_two"))
        else:
            probabilities = ACTIVATIONS["softmax"].fn(logits, temperature=temperature)
            st.plotly_chart(softmax_figure(logits, probabilities), key="softmax_bars")
            st.caption(t("softmax.summary", total=f"{probabilities.sum():.4f}",
                         top=int(np.argmax(probabilities)) + 1,
                         p=f"{probabilities.max():.3f}", temperature=temperature))
    return logits, temperature


def draw_jacobian(logits: np.ndarray, temperature: float) -> None:
    if logits.size >= 2:
        st.plotly_chart(jacobian_figure(softmax_jacobian(logits, temperature)),
                        key="softmax_jacobian")
        st.caption(t("softmax.jacobian_caption"))


def draw_usage_table() -> None:
    """Which activation where (CURRICULUM §2), in the reader's language."""
    rows = [{t("where.col.use"): t(f"where.{r['use']}"),
             t("where.col.choice"): ", ".join(map(activation_label, r["activations"])),
             t("where.col.keras"): r["keras"],
             t("where.col.why"): t(f"where.{r['use']}.why")} for r in RECOMMENDATIONS]
    st.table(pd.DataFrame(rows), hide_index=True)


def draw_curve_code(names, params, x_min, x_max, probe_name) -> None:
    """NumPy f and f′ of the plotted functions; Keras for the probed one."""
    numpy_tab, keras_tab = st.tabs(
        [t("code.numpy"), t("code.keras", name=activation_label(probe_name))])
    with numpy_tab:
        show_code(numpy_activation_code(names, params, x_min, x_max),
                  "activations_numpy.py", "dl_numpy")
    with keras_tab:
        show_code(keras_activation_code(probe_name, params.get(probe_name)),
                  f"activation_{probe_name}_keras.py", "dl_keras")


def draw_softmax_code(logits: np.ndarray, temperature: float) -> None:
    values = logits.tolist() if logits.size >= 2 else [2.0, 1.0, 0.1]
    show_code(softmax_code(values, temperature), "softmax.py", "dl_softmax")


publish_settings = SETTINGS.publish
