"""Lesson: draw a digit, corrupt it, and watch a denoising autoencoder restore it
(去噪自编码器)."""

import streamlit as st

from components import denoise_lab as lab
from components import denoise_sections as sections
from components.code_panel import show_code
from components.i18n import t
from components.page_setup import setup_page
from components.share import share_ui
from components.shared_model_ui import is_training
from core.denoise_codegen import denoising_script, script_file_name
from core.denoising import restore_digit

setup_page()
st.title(t("lesson.denoising.title"))
st.markdown(t("denoise.intro"))
lab.restore_settings()

with st.spinner(t("train.loading_data")):
    holder = lab.shared_denoiser()
waiting = is_training(holder)
st.fragment(sections.shared_status, run_every=1.0 if waiting else None)()

st.subheader(t("denoise.digit_header"))
digit, prep, label = lab.digit_ui()
if prep is not None:
    with st.expander(t("prep.header"), expanded=True, icon=":material/tune:"):
        st.markdown(t("prep.intro"))
        sections.draw_preparation(prep)

st.subheader(t("denoise.noise_header"))
kind, amount, seed = lab.corruption_ui()

st.subheader(t("denoise.result_header", label=label))
if sections.own_run() is not None:
    st.segmented_control(t("denoise.model"), lab.MODELS, key=lab.key("model"),
                         format_func=lambda m: t(f"denoise.model_{m}"))
model_id, stack = sections.chosen_stack()
result = None if stack is None else restore_digit(stack, digit, kind, amount, seed)
sections.draw_restoration(result, digit)
if result is None:
    st.info(t("denoise.wait_for_model"), icon=":material/hourglass_top:")
else:
    st.subheader(t("learned.header"))
    st.markdown(t("learned.intro"))
    sections.draw_learned(model_id, stack, result)

with st.expander(t("retrain.header"), icon=":material/model_training:"):
    st.markdown(t("retrain.intro", train=f"{len(holder.x_train):,}"))
    sections.retrain_ui()

with st.expander(t("code.header"), icon=":material/code:"):
    st.markdown(t("denoise.code_intro"))
    own = sections.own_run()
    settings = own.settings if sections.uses_own_model() else holder.settings
    show_code(denoising_script(settings.hidden, settings.keep_prob, settings.batch_size,
                               settings.epochs, settings.learning_rate, settings.seed),
              script_file_name(), "denoise_code")
lab.SETTINGS.publish()
share_ui()
