"""Lesson: the smallest neural network (极简神经网络) — one neuron, y = w·x + b,
learns the documents' six points with SGD, live; then the five Keras steps.

The first view is NumPy only (points, least squares, loss surface); Keras loads
when Train is pressed (and is warmed in the background meanwhile)."""

import streamlit as st

from components import smallest_lab as lab
from components import smallest_sections as sections
from components.code_panel import show_code
from components.i18n import t
from components.keras_loader import warm_keras_in_background
from components.page_setup import setup_page
from components.share import share_ui
from core.smallest_network import SCRIPT_FILE_NAME, fit_script

setup_page()
warm_keras_in_background()
st.title(t("lesson.smallest.title"))
st.markdown(t("smallest.intro"))
lab.restore_settings()

st.subheader(t("smallest.data_header"))
left, right = st.columns([2, 3], gap="large")
with left:
    points = lab.data_ui()
    st.caption(t("smallest.data_intro"))
with right:
    settings = lab.controls_ui(points)
    st.caption(t("smallest.settings_intro"))

st.subheader(t("smallest.live_header"))
st.caption(t("smallest.live_intro"))
active = lab.is_active(lab.current_job())
st.fragment(sections.live_view, run_every=0.5 if active else None)(
    points, settings.x_new)
sections.results_ui(points, settings.x_new)

st.subheader(t("smallest.steps_header"))
st.markdown(t("smallest.steps_intro"))
sections.steps_ui(points, settings)

with st.expander(t("code.header"), icon=":material/code:"):
    st.markdown(t("smallest.code_intro"))
    show_code(fit_script(points, settings), SCRIPT_FILE_NAME, "smallest_code")
lab.SETTINGS.publish()
share_ui()
