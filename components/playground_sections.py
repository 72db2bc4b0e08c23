"""The playground's live parts: Play/Pause/Step/Reset, the frame redrawn while the
network trains, notes on what the settings mean, and the self-checking challenges."""

from __future__ import annotations

import streamlit as st

from components import playground_charts as charts
from components import playground_lab as lab
from components.i18n import t
from components.playground_svg import frame_svg, frame_svgs
from core.playground import (
    CHALLENGES,
    PlaygroundData,
    PlaygroundSpec,
    check_challenge,
    count_params,
    task_of,
)

LINEAR_DATASETS = ("gaussian", "blobs3", "plane")
BENT_FEATURES = {"x1sq", "x2sq", "x1x2", "sinx1", "sinx2"}


def frame_interval() -> float:
    from core.playground_train import active_jobs, frame_seconds

    return frame_seconds(active_jobs())


def controls_ui(job) -> None:
    """Play/Pause, Step and Reset (Reset makes new random weights)."""
    cols = st.columns([1, 1, 1, 4], vertical_alignment="center")
    playing = job.active and job.state != "loading"
    if playing:
        cols[0].button(t("playground.pause"), icon=":material/pause:", key="pg_pause",
                       on_click=job.pause, type="primary", width="stretch")
    else:
        cols[0].button(t("playground.play"), icon=":material/play_arrow:",
                       key="pg_play", on_click=job.play, type="primary",
                       width="stretch", disabled=not job.can_train)
    cols[1].button(t("playground.step"), icon=":material/skip_next:", key="pg_step",
                   on_click=job.step, disabled=not job.can_train,
                   width="stretch", help=t("playground.step_help"))
    cols[2].button(t("playground.reset"), icon=":material/restart_alt:", key="pg_reset",
                   on_click=lab.reset_job, width="stretch",
                   help=t("playground.reset_help"))
    cols[3].caption(t("playground.params", params=f"{count_params(job.spec):,}"))


def notes(spec: PlaygroundSpec) -> None:
    """Say what a setting will do before the student wonders."""
    if not spec.hidden and spec.dataset not in LINEAR_DATASETS \
            and not BENT_FEATURES & set(spec.features):
        st.info(t("playground.note_linear"), icon=":material/straighten:")
    if spec.learning_rate >= 3:
        st.warning(t("playground.note_big_lr", lr=f"{spec.learning_rate:g}"),
                   icon=":material/warning:")
    if task_of(spec.dataset) == "regression":
        st.caption(t("playground.note_regression"))


def _status(snapshot, rate: float | None) -> None:
    if snapshot.state == "loading":
        st.info(t("playground.loading"), icon=":material/hourglass_top:")
    elif snapshot.state == "diverged":
        st.error(t("playground.diverged", epoch=snapshot.epoch),
                 icon=":material/trending_up:")
    elif snapshot.state == "failed":
        st.error(t("playground.failed", error=snapshot.error), icon=":material/error:")
    elif snapshot.state == "finished":
        st.success(t("playground.finished", epoch=snapshot.epoch),
                   icon=":material/flag:")
    elif snapshot.state == "waiting":
        st.caption(t("playground.waiting"))
    if not snapshot.history:
        return
    last = snapshot.history[-1].scores
    shown = [(t("playground.epoch"), f"{snapshot.epoch:,}"),
             (t("playground.train_loss"), f"{last.train_loss:.4f}"),
             (t("playground.test_loss"), f"{last.test_loss:.4f}")]
    if last.test_accuracy is not None:
        shown.append((t("playground.test_accuracy"), f"{last.test_accuracy:.1%}"))
    shown.append((t("playground.steps_per_second"),
                  "–" if rate is None else f"{rate:,.0f}"))
    # One line of numbers (five st.metric elements cost the live frame ~10 ms).
    st.markdown(" · ".join(f"{name} **{value}**" for name, value in shown))


def live_view(spec: PlaygroundSpec, data: PlaygroundData, live: bool) -> None:
    """One frame: status, the network, the boundary and the curves.

    Runs every FRAME_SECONDS while the network trains; when the job stops moving
    (paused, diverged, finished) the whole page reruns so polling stops too.
    """
    job = st.session_state.get(lab.JOB)
    if job is None:
        return
    still_live = job.active  # first: if it is over, the snapshot is the last one
    snapshot = job.snapshot()
    _status(snapshot, lab.steps_per_second(snapshot))
    svgs = frame_svgs(spec, data, snapshot.weights, snapshot.history, data.task,
                      lab.SETTINGS.get("show_test"), lab.SETTINGS.get("discrete"))
    frame = frame_svg(*svgs)
    if live:
        # While training: a picture. The browser swaps an <img> in milliseconds;
        # re-parsing the markup ten times a second halved the frame rate.
        st.image(frame, width="stretch")
    else:
        # Paused: the same drawing as markup, so hovering a line shows its weight.
        # It is our own markup (numbers and escaped labels); st.html strips SVG.
        st.markdown(frame, unsafe_allow_html=True)
    st.caption(t("playground.network_caption"))
    challenge_status(spec, snapshot)
    if still_live != live:
        st.rerun(scope="app")  # start or stop polling


def challenge_ui() -> None:
    st.selectbox(t("playground.challenge"), lab.CHOICES["challenge"],
                 key=lab.key("challenge"),
                 format_func=lambda c: t(f"playground.challenge_{c}"))


def challenge_status(spec: PlaygroundSpec, snapshot) -> None:
    chosen = lab.SETTINGS.get("challenge")
    challenge = next((c for c in CHALLENGES if c.key == chosen), None)
    if challenge is None:
        return
    scores = snapshot.history[-1].scores if snapshot.history else None
    check = check_challenge(challenge, spec, scores)
    limits = {"dataset": t(f"playground.dataset_{challenge.dataset}"),
              "max_layers": challenge.max_layers, "max_params": challenge.max_params,
              "features": ", ".join(charts.FEATURE_LABELS[f]
                                    for f in challenge.features or ()),
              "test_loss": challenge.target, "test_accuracy": f"{challenge.target:.0%}"}
    lines = []
    for name, ok, value in check.conditions:
        mark = ":material/check_circle:" if ok else ":material/radio_button_unchecked:"
        if name == "dataset":
            value = t(f"playground.dataset_{value}")
        elif name == "features":
            value = ", ".join(charts.FEATURE_LABELS[f] for f in spec.features)
        elif name == "test_accuracy" and value is not None:
            value = f"{value:.1%}"
        shown = "–" if value is None else (f"{value:.3f}" if isinstance(value, float)
                                            else value)
        lines.append(f"{mark} " + t(f"playground.condition_{name}", value=shown,
                                    limit=limits[name]))
    text = t(f"playground.challenge_{chosen}") + "\n\n" + "\n".join(
        f"- {line}" for line in lines)
    if check.met:
        st.success(t("playground.challenge_met") + "\n\n" + text,
                   icon=":material/emoji_events:")
    else:
        st.info(text, icon=":material/flag:")
