"""Lesson: the neural network playground (神经网络游乐场) — TensorFlow Playground's
ideas on a real Keras model that plays, pauses and steps."""

import streamlit as st

from components import playground_lab as lab
from components import playground_sections as sections
from components.code_panel import show_code
from components.i18n import t
from components.page_setup import setup_page
from components.share import share_ui
from core.playground import PlaygroundError
from core.playground_codegen import playground_script

setup_page()
st.title(t("lesson.playground.title"))
st.markdown(t("playground.intro"))
lab.restore_settings()

# The session's values are settled before the widgets draw (URL, callbacks), so
# the job and its Play button can come first, above the settings.
spec = lab.current_spec()
try:
    data, problem = lab.data_for(spec), None
except PlaygroundError as error:
    data, problem = None, error
    lab.reset_job()
job = None if problem else lab.current_job(spec, data)
if job is not None:
    sections.controls_ui(job)
lab.training_ui()

data_column, main_column = st.columns([1, 3], gap="medium")
with data_column:
    lab.data_ui()
    st.toggle(t("playground.show_test"), key=lab.key("show_test"))
    st.toggle(t("playground.discrete"), key=lab.key("discrete"),
              help=t("playground.discrete_help"))
with main_column:
    lab.features_ui()
    lab.network_editor_ui()
    if problem is not None:
        st.error(lab.error_text(problem), icon=":material/block:")
    else:
        sections.notes(spec)
        live = job.active
        st.fragment(sections.live_view, run_every=sections.frame_interval()
                    if live else None)(spec, data, live)

with st.expander(t("playground.challenges_header"), icon=":material/emoji_events:"):
    st.markdown(t("playground.challenges_intro"))
    sections.challenge_ui()

with st.expander(t("playground.explain_header"), icon=":material/school:"):
    st.markdown(t("playground.explain"))

with st.expander(t("code.header"), icon=":material/code:"):
    st.markdown(t("playground.code_intro"))
    if problem is None:
        show_code(playground_script(spec), "playground_keras.py", "playground_code")
lab.SETTINGS.publish()
share_ui(own_fragment=False)
