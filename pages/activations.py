"""Lesson: activation functions (激活函数) — f and f′, saturation, softmax, usage."""

import streamlit as st

from components import activation_lab as lab
from components.i18n import t
from components.page_setup import setup_page
from components.share import share_ui

setup_page()
st.title(t("lesson.activations.title"))
st.markdown(t("act.intro"))
lab.restore_settings()


# Each section is a fragment: moving a control reruns (and redraws) only its own
# section, which keeps reruns fast when a whole class uses one server.
@st.fragment
def curves_section() -> None:
    """f and f′ over an adjustable range, a probe, and their code."""
    names = lab.function_picker_ui()
    x_min, x_max, show_derivative, shade = lab.range_ui()
    params = lab.params_ui(names)
    if not names:
        st.info(t("act.pick_placeholder"), icon=":material/touch_app:")
        return
    chart = st.container()
    st.subheader(t("act.probe_header"))
    probe_name, x0 = lab.probe_ui(names, x_min, x_max)
    point = lab.draw_probe(probe_name, x0, params.get(probe_name, {}))
    with chart:
        lab.draw_curves(names, params, x_min, x_max, show_derivative, shade, point,
                        probe_name)
        st.caption(t("act.chart_caption"))
    with st.expander(t("code.header"), icon=":material/code:"):
        lab.draw_curve_code(names, params, x_min, x_max, probe_name)
    lab.publish_settings()


@st.fragment
def softmax_section() -> None:
    """A vector in, probabilities out; its derivative is a matrix."""
    logits, temperature = lab.softmax_ui()
    if st.toggle(t("softmax.jacobian_header"), key=lab.key("jacobian")):
        lab.draw_jacobian(logits, temperature)
    with st.expander(t("code.header"), icon=":material/code:"):
        lab.draw_softmax_code(logits, temperature)
    lab.publish_settings()


curves_section()
st.subheader(t("softmax.header"))
st.markdown(t("softmax.intro"))
softmax_section()
st.subheader(t("where.header"))
lab.draw_usage_table()
st.markdown(t("where.note"))
share_ui()
