"""Lesson: classify your own image (上传图片分类) — upload, photograph, draw or pick,
and see how the picture is prepared and why the model answers what it does."""

import numpy as np
import streamlit as st

from components import classify_lab as lab
from components import classify_sections as sections
from components.code_panel import show_code
from components.i18n import t
from components.page_setup import setup_page
from components.share import share_ui
from components.shared_model_ui import is_training, shared_model_status
from core.classify_codegen import classify_script, script_file_name

setup_page()
st.title(t("lesson.classify.title"))
st.markdown(t("classify.intro"))
lab.restore_settings()

st.subheader(t("classify.model_header"))
slot = lab.model_ui()
if slot is not None and slot.training is not None:
    holder, train = slot.training, f"{len(slot.data.x_train):,}"

    def status() -> None:
        shared_model_status(
            holder, f"classify_{slot.key}", t("classify.first_use", train=train),
            lambda s: t("classify.shared_ready", train=train, epochs=len(s.epochs),
                        accuracy=f"{(s.test_accuracy or 0):.1%}",
                        test=f"{len(slot.data.x_test):,}"))

    st.fragment(status, run_every=1.0 if is_training(holder) else None)()

st.subheader(t("classify.picture_header"))
pictures = lab.pictures_ui(slot) if slot is not None else []
named = [(name, prepared) for name, picture in pictures
         if (prepared := sections.prepare(slot, name, picture)) is not None]

if named and slot.model is None:
    st.info(t("classify.wait_for_model"), icon=":material/hourglass_top:")
elif named:
    probs = sections.probabilities(slot, np.concatenate([p.x for _, p in named]))
    picked = 0
    if len(named) > 1:
        st.subheader(t("classify.grid_header", count=len(named)))
        sections.draw_grid(slot, named, probs)
        picked = st.selectbox(t("classify.explain"), range(len(named)),
                              key=lab.key("picked"),
                              format_func=lambda i: named[i][0]) or 0
        picked = min(picked, len(named) - 1)
    name, prepared = named[picked]
    st.subheader(t("classify.answer_header", name=name))
    top = st.slider(t("classify.top"), 1, min(10, len(slot.class_names)),
                    key=lab.key("top"))
    index = sections.draw_prediction(slot, probs[picked], top)
    st.subheader(t("classify.steps_header"))
    st.markdown(t(f"classify.steps_intro_{slot.dataset}"))
    sections.draw_steps(slot, prepared, index)
    st.subheader(t("classify.why_header"))
    sections.draw_why(slot, prepared, index)

if slot is not None:
    with st.expander(t("code.header"), icon=":material/code:"):
        show_code(classify_script(slot.dataset, slot.input_shape),
                  script_file_name(slot.dataset), "classify_code")
lab.SETTINGS.publish()
share_ui()
