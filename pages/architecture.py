"""Lesson: output shapes and parameter counts (输出形状与参数量), whole networks."""

import streamlit as st

from components import arch_charts as charts
from components import arch_lab as lab
from components import arch_sections as sections
from components.code_panel import show_code
from components.i18n import t
from components.page_setup import setup_page
from components.share import share_ui
from core.architecture import summarize
from core.keras_build import to_keras_code
from core.presets import PRESETS

setup_page()
st.title(t("lesson.architecture.title"))
st.markdown(t("arch.intro"))
lab.restore_settings()


@st.fragment
def one_layer_section() -> None:
    sections.one_layer_ui()
    lab.SETTINGS.publish()


st.subheader(t("one.header"))
st.markdown(t("one.intro"))
one_layer_section()
with st.expander(t("walk.header"), icon=":material/school:"):
    exercise = PRESETS["exercise_2"]
    sections.draw_walkthrough(summarize(exercise.input_shape, exercise.layers))

st.subheader(t("arch.network_header"))
network, summary, shape_error = sections.summarize_ui(*lab.source_ui())
sections.draw_summary(summary, shape_error)
if summary.rows:
    sections.draw_totals(summary)
    st.plotly_chart(charts.shape_flow_figure(summary, t("chart.flow")),
                    key="arch_flow_chart")
    log_scale = st.toggle(t("chart.log"), key="arch_log")
    st.plotly_chart(charts.params_figure(summary, t("chart.params"), log_scale),
                    key="arch_params_chart")



@st.fragment
def keras_section(summary, code: str) -> None:
    """Build the real model on request (a fragment: only this part reruns)."""
    st.markdown(t("keras.intro"))
    if st.button(t("keras.verify"), key="arch_verify", icon=":material/check:"):
        st.session_state["arch_verified"] = code
    if st.session_state.get("arch_verified") == code:
        sections.draw_keras_check(summary, code)


if shape_error is None:
    code = to_keras_code(*network)
    with st.expander(t("keras.header"), icon=":material/verified:"):
        keras_section(summary, code)
    with st.expander(t("code.header"), icon=":material/code:"):
        show_code(code, "network.py", key="arch_code_download")
lab.publish(network)
share_ui()
