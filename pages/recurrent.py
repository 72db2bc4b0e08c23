"""Lesson: recurrent networks (循环神经网络) — the hidden state a⟨t⟩ carried
forward with weights shared across time steps, parameter counts of SimpleRNN, GRU
and LSTM, a live three-model forecast against the last-value baseline, and
vanishing gradients through time.

The first view is NumPy only (the unrolled RNN, the counts, the NumPy gradient
chart); Keras loads when Train is pressed (and is warmed in the background)."""

import streamlit as st

from components import recurrent_lab as lab
from components import recurrent_sections as sections
from components.code_panel import show_code
from components.i18n import t
from components.keras_loader import warm_keras_in_background
from components.page_setup import setup_page
from components.share import share_ui
from core.recurrent_codegen import SCRIPT_FILE_NAME, forecast_script

setup_page()
warm_keras_in_background()
st.title(t("lesson.recurrent.title"))
st.markdown(t("recurrent.intro"))
lab.restore_settings()

st.subheader(t("recurrent.unrolled_header"))
st.markdown(t("recurrent.unrolled_intro"))
left, right = st.columns([1, 2], gap="large")
with left:
    values, hidden, seed = lab.sequence_ui()
with right:
    sections.unrolled_ui(values, hidden, seed)

st.subheader(t("recurrent.params_header"))
sections.params_ui(int(lab.SETTINGS.get("units")))

st.subheader(t("recurrent.forecast_header"))
st.markdown(t("recurrent.forecast_intro"))
series, source, dates = lab.source_ui()
split = lab.split_ui(series)
settings = lab.train_ui(split)
active = lab.is_active(lab.current_job())
st.fragment(sections.live_view, run_every=0.5 if active else None)()
sections.results_ui(split, dates)

st.subheader(t("recurrent.gradients_header"))
sections.gradients_ui(hidden, seed)

st.subheader(t("recurrent.more_header"))
st.markdown(t("recurrent.more_text"))

with st.expander(t("code.header"), icon=":material/code:"):
    st.markdown(t("recurrent.code_intro"))
    show_code(forecast_script(
        source, int(lab.SETTINGS.get("window")) or 1,
        lab.SETTINGS.get("train_pct") / 100, lab.SETTINGS.get("val_pct") / 100,
        settings.units, settings.epochs, settings.learning_rate, settings.seed),
        SCRIPT_FILE_NAME, "recurrent_code")
lab.SETTINGS.publish()
share_ui()
