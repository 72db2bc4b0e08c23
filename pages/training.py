"""Lesson: train an MLP and a CNN live (训练 MLP 与 CNN), then inspect the results."""

import streamlit as st

from components import train_lab as lab
from components import train_runs as runs
from components import train_sections as sections
from components.arch_sections import draw_summary
from components.code_panel import show_code
from components.i18n import t
from components.page_setup import setup_page
from components.share import share_ui
from core.train_codegen import script_file_name, training_script
from core.training import TrainingError

setup_page()
st.title(t("lesson.training.title"))
st.markdown(t("train.intro"))
lab.restore_settings()

st.subheader(t("train.data_header"))
data = lab.dataset_ui()
st.subheader(t("train.model_header"))
model = lab.model_ui(data)
if model is not None:
    choice, input_shape, layers, summary = model
    st.caption(t("train.params", params=f"{summary.total_params:,}"))
    with st.expander(t("train.summary"), icon=":material/table:"):
        draw_summary(summary, None)
st.subheader(t("train.optimizer_header"))
settings = lab.optimizer_ui()
train_count = len(data.x_train) - int(len(data.x_train) * settings["validation_split"])
st.caption(lab.steps_text(train_count, settings["batch_size"]))

run = runs.current_run()
active = runs.is_active(run)
left, right = st.columns(2)
if left.button(t("train.start"), key="train_start", type="primary",
               icon=":material/play_arrow:", disabled=model is None or active):
    try:
        run = runs.start_run(data, choice, input_shape, summary, settings,
                             t(f"train_model.{lab.SETTINGS.get('model')}"))
        active = True
    except (TrainingError, ValueError) as error:
        st.error(t(f"run.{getattr(error, 'code', 'training_failed')}",
                   **getattr(error, "details", {"detail": str(error)})),
                 icon=":material/error:")
if right.button(t("train.stop"), key="train_stop", icon=":material/stop:",
                disabled=not active):
    run.job.stop()


def live_view() -> None:
    """Curves from the job's snapshot; reruns itself each second while training."""
    current = runs.current_run()
    snapshot = current.job.snapshot()
    st.markdown(f"**{current.label}**")
    sections.status_ui(snapshot)
    sections.draw_curves(current, snapshot)
    if snapshot.status not in ("queued", "running") and \
            st.session_state.pop("train_was_active", False):
        st.rerun(scope="app")  # training ended: show the results
    if snapshot.status in ("queued", "running"):
        st.session_state["train_was_active"] = True


if run is not None:
    st.subheader(t("train.live_header"))
    st.fragment(live_view, run_every=1.0 if active else None)()
    if not active:
        st.subheader(t("results.header"))
        sections.draw_results(run)
    with st.expander(t("compare.header"), icon=":material/compare_arrows:"):
        sections.draw_compare()

if model is not None:
    with st.expander(t("code.header"), icon=":material/code:"):
        script = training_script(
            data.name, lab.SETTINGS.get("subset") or None, input_shape,
            data.num_classes, layers,
            choice.l1, choice.l2, settings["optimizer"], settings["learning_rate"],
            settings["loss"], settings["batch_size"], settings["epochs"],
            settings["validation_split"], settings["seed"])
        show_code(script, script_file_name(data.name, choice.kind), "train_code")
        if run is not None:
            sections.draw_downloads(run)
lab.SETTINGS.publish()
share_ui()
