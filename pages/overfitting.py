"""Lesson: overfitting and regularisation (过拟合与正则化) — bias vs variance with
polynomials, a small Keras MLP whose validation loss rises while its training loss
falls, L1/L2 penalties and dropout, weight histograms, the L1 diamond vs the L2
circle, and the code.

The first view is NumPy only; Keras loads when Train is pressed (and is warmed in
the background meanwhile)."""

import streamlit as st

from components import overfit_lab as lab
from components import overfit_sections as sections
from components.code_panel import show_code
from components.i18n import t
from components.keras_loader import warm_keras_in_background
from components.page_setup import setup_page
from components.share import share_ui
from core.overfit_codegen import SCRIPT_FILE_NAME, overfit_script

setup_page()
warm_keras_in_background()
st.title(t("lesson.overfitting.title"))
st.markdown(t("overfit.intro"))
lab.restore_settings()

st.subheader(t("overfit.data_header"))
data = lab.data_ui()
st.caption(t("overfit.data_intro", n=len(data.x_train), val=len(data.x_val),
             noise=f"{data.noise:g}"))

st.subheader(t("overfit.poly_header"))
st.markdown(t("overfit.poly_intro"))
sections.polynomial_ui(data)

st.subheader(t("overfit.mlp_header"))
st.markdown(t("overfit.mlp_intro"))
settings = lab.controls_ui()
patience = int(lab.SETTINGS.get("patience"))
active = lab.is_active(lab.current_job())
st.fragment(sections.live_view, run_every=0.5 if active else None)(data, patience)

st.subheader(t("overfit.weights_header"))
st.markdown(t("overfit.weights_intro"))
sections.weights_ui()

st.subheader(t("overfit.constraint_header"))
st.markdown(t("overfit.constraint_intro"))
sections.constraint_ui()

with st.expander(t("code.header"), icon=":material/code:"):
    st.markdown(t("overfit.code_intro"))
    show_code(overfit_script(len(data.x_train), int(lab.SETTINGS.get("data")),
                             settings, patience), SCRIPT_FILE_NAME, "overfit_code")
lab.SETTINGS.publish()
share_ui()
