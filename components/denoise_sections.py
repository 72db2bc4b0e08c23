"""Sections of the denoising lesson: the model's status, the preparation steps,
clean / corrupted / restored, what the code learned, and retraining live."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field

import numpy as np
import streamlit as st

from components import denoise_charts as charts
from components import denoise_lab as lab
from components.i18n import t
from components.plot_style import CRISP_IMAGE
from components.shared_model_ui import shared_model_status
from components.train_charts import batch_loss_figure, epoch_figure
from components.train_sections import status_ui
from core.denoising import (
    DenoiserSettings,
    DenseStack,
    Projection,
    Restoration,
    check_hidden,
    pca_2d,
    start_denoiser_training,
)
from core.mnist_prep import MnistInput
from core.training import TrainingError, TrainingJob, TrainingSnapshot

MINE_KEY = "denoise_mine"


@dataclass
class OwnRun:
    """A model this session retrains, and its NumPy copy once finished."""

    number: int
    settings: DenoiserSettings
    job: TrainingJob
    stack: DenseStack | None = None
    # Caches shared by all sessions (the PCA map) need a server-wide unique name.
    token: str = field(default_factory=lambda: uuid.uuid4().hex)


def own_run() -> OwnRun | None:
    return st.session_state.get(MINE_KEY)


def _active(job: TrainingJob | None) -> bool:
    return job is not None and job.snapshot().status in ("queued", "running")


def shared_status() -> None:
    """The server's model: started on first use, a progress bar until it is ready."""
    holder = lab.shared_denoiser()
    train = f"{len(holder.x_train):,}"

    def ready(snapshot: TrainingSnapshot) -> str:
        losses = [e.loss for e in snapshot.epochs]
        return t("denoise.shared_ready", train=train, epochs=len(losses),
                 first=f"{losses[0]:.3f}", last=f"{losses[-1]:.3f}",
                 val=f"{snapshot.epochs[-1].val_loss:.3f}")

    shared_model_status(holder, "denoise_shared", t("denoise.first_use", train=train),
                        ready)


def uses_own_model() -> bool:
    return lab.SETTINGS.get("model") == "mine" and own_run() is not None


def chosen_stack() -> tuple[str, DenseStack | None]:
    """(model id, weights) of the model the student chose; None while training.

    An own run that was stopped is used as it was then; one that failed or
    diverged has no usable weights, so the shared model stands in (with a note).
    """
    mine = own_run()
    if uses_own_model():
        status = mine.job.snapshot().status
        if mine.stack is None and status in ("finished", "stopped") and \
                mine.job.model is not None:
            mine.stack = DenseStack.from_keras(mine.job.model)
        if mine.stack is not None or status in ("queued", "running"):
            return f"mine-{mine.token}", mine.stack
        st.warning(t("denoise.mine_unusable"), icon=":material/warning:")
    return "shared", lab.shared_denoiser().stack()


def draw_preparation(prep: MnistInput) -> None:
    """The four steps from a drawing to an MNIST-like 28 × 28 input."""
    height, width = prep.box[2] - prep.box[0], prep.box[3] - prep.box[1]
    steps = (
        (charts.drawing_with_box(prep), t("prep.ink", inverted=t(
            "prep.inverted" if prep.inverted else "prep.not_inverted"))),
        (charts.cropped(prep), t("prep.crop", height=height, width=width)),
        (charts.fitted(prep), t("prep.fit", height=prep.fitted.shape[0],
                                width=prep.fitted.shape[1])),
        (charts.centred(prep), t("prep.centre", rows=prep.shift[0],
                                 cols=prep.shift[1],
                                 row=f"{prep.centre_of_mass[0]:.1f}",
                                 col=f"{prep.centre_of_mass[1]:.1f}")),
    )
    for column, (png, caption) in zip(st.columns(4), steps, strict=True):
        column.image(png, **CRISP_IMAGE)
        column.caption(caption)


def _score(value: float) -> str:
    return "∞" if math.isinf(value) else f"{value:.1f}"


def draw_restoration(result: Restoration | None, clean: np.ndarray) -> None:
    """Clean / corrupted / restored side by side, with MSE and PSNR vs clean."""
    columns = st.columns(3)
    columns[0].image(charts.enlarge(clean), **CRISP_IMAGE)
    columns[0].markdown(t("denoise.clean"))
    if result is None:
        return
    columns[1].image(charts.enlarge(result.noisy), **CRISP_IMAGE)
    columns[1].markdown(t("denoise.noisy", mse=f"{result.mse_noisy:.3f}",
                          psnr=_score(result.psnr_noisy)))
    columns[2].image(charts.enlarge(result.restored), **CRISP_IMAGE)
    columns[2].markdown(t("denoise.restored", mse=f"{result.mse_restored:.3f}",
                          psnr=_score(result.psnr_restored)))
    if result.mse_noisy == 0:
        st.caption(t("denoise.undamaged", mse=f"{result.mse_restored:.3f}"))
        return
    better = result.mse_restored < result.mse_noisy
    st.caption(t("denoise.better" if better else "denoise.worse",
                 share=f"{result.mse_restored / result.mse_noisy:.0%}"))


def draw_learned(model_id: str, stack: DenseStack, result: Restoration) -> None:
    """The current digit's code as bars, and a 2-D map of test digits' codes."""
    st.plotly_chart(charts.code_figure(
        result.code, t("learned.code_title", size=stack.code_size),
        t("learned.unit")), key="denoise_code_chart")
    data = lab.dataset()
    projection = _projection(model_id, stack)
    current = projection.place(result.code)[0]
    axes = [t("learned.axis", number=i + 1, share=f"{share:.0%}")
            for i, share in enumerate(projection.explained)]
    st.plotly_chart(charts.projection_figure(
        projection.points, data.y_test, current, [str(d) for d in range(10)],
        t("learned.map_title", count=f"{len(data.y_test):,}"), axes,
        t("learned.current")), key="denoise_map_chart")
    st.caption(t("learned.map_help"))


@st.cache_resource(show_spinner=False, max_entries=8)
def _projection(model_id: str, _stack: DenseStack) -> Projection:
    """PCA of the test digits' codes, once per model (shared read-only)."""
    return pca_2d(lab.test_codes(_stack))


def _own_settings() -> DenoiserSettings | None:
    """The retraining form's values; None (with a message) if they cannot train."""
    cols = st.columns(4)
    text = cols[0].text_input(t("retrain.hidden"), key=lab.key("hidden"),
                              help=t("retrain.hidden_help"))
    epochs = cols[1].number_input(t("retrain.epochs"), 1, 50, key=lab.key("epochs"))
    keep = cols[2].slider(t("retrain.p"), 0.0, 1.0, key=lab.key("train_p"), step=0.05)
    batch = cols[3].number_input(t("retrain.batch"), 1, 1024, key=lab.key("batch"))
    try:
        hidden = check_hidden([int(part) for part in text.replace("，", ",").split(",")
                               if part.strip()])
    except ValueError:
        st.error(t("retrain.bad_hidden", text=text), icon=":material/error:")
        return None
    return DenoiserSettings(hidden, int(epochs), float(keep), int(batch))


def retrain_ui() -> None:
    """Retrain with your own settings; the loss curve moves while it trains."""
    settings = _own_settings()
    mine = own_run()
    active = mine is not None and _active(mine.job)
    left, right = st.columns(2)
    if left.button(t("retrain.start"), key="denoise_start", type="primary",
                   icon=":material/play_arrow:", disabled=settings is None or active):
        data = lab.dataset()
        try:
            job = start_denoiser_training(data.x_train, data.x_test, settings)
        except (TrainingError, ValueError) as error:
            st.error(str(error), icon=":material/error:")
        else:
            number = 1 if mine is None else mine.number + 1
            st.session_state[MINE_KEY] = OwnRun(number, settings, job)
            st.session_state[lab.PICK_MINE] = True  # set before the control draws
            st.rerun()
    if right.button(t("train.stop"), key="denoise_stop", icon=":material/stop:",
                    disabled=not active):
        mine.job.stop()
    if own_run() is not None:
        st.fragment(_own_curves, run_every=1.0 if active else None)()


def _own_curves() -> None:
    mine = own_run()
    snapshot = mine.job.snapshot()
    status_ui(snapshot)
    left, right = st.columns(2)
    left.plotly_chart(batch_loss_figure(
        snapshot.batches, snapshot.steps_per_epoch, t("chart.batch_loss"),
        t("chart.step"), t("chart.raw"), t("chart.smoothed")),
        key=f"denoise_batch_{mine.number}")
    right.plotly_chart(epoch_figure(
        snapshot.epochs, "loss", t("chart.epoch_loss"), t("chart.train"),
        t("retrain.validation"), t("chart.epoch")), key=f"denoise_epoch_{mine.number}")
    if snapshot.status in ("queued", "running"):
        st.session_state["denoise_own_active"] = True
    elif st.session_state.pop("denoise_own_active", False):
        st.rerun(scope="app")  # finished: restore with the new model
