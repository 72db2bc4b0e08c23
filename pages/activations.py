"""Lesson: activation functions (激活函数) — f and f′, saturation, softmax, usage."""

import streamlit as st

from components import activation_lab as lab
from components.i18n import t
from components.page_setup import setup_page

setup_page()
st.title(t("lesson.activations.title"))
st.markdown(t("act.intro"))
lab.restore_settings()

# 1. Curves: f and f′ over an adjustable range.
names = lab.function_picker_ui()
x_min, x_max, show_derivative, shade = lab.range_ui()
params = lab.params_ui(names)
if not names:
    st.info(t("act.pick_placeholder"), icon=":material/touch_app:")
    probe_name = "sigmoid"
else:
    chart = st.container()
    st.subheader(t("act.probe_header"))
    probe_name, x0 = lab.probe_ui(names, x_min, x_max)
    point = lab.draw_probe(probe_name, x0, params.get(probe_name, {}))
    with chart:
        lab.draw_curves(names, params, x_min, x_max, show_derivative, shade, point,
                        probe_name)
        st.caption(t("act.chart_caption"))

# 2. Softmax: a vector in, probabilities out; its derivative is a matrix.
st.subheader(t("softmax.header"))
st.markdown(t("softmax.intro"))
logits, temperature = lab.softmax_ui()
with st.expander(t("softmax.jacobian_header")):
    lab.draw_jacobian(logits, temperature)

# 3. Which activation where (CURRICULUM §2).
st.subheader(t("where.header"))
lab.draw_usage_table()
st.markdown(t("where.note"))

# 4. Show me the code.
st.subheader(t("code.header"))
lab.draw_code(names or ["sigmoid"], params, x_min, x_max, probe_name, logits,
              temperature)
lab.publish_settings()
