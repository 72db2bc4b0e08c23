"""The status of a model the server trains once on first use (``SharedTraining``):
a progress bar while it trains, a one-line summary when ready, a retry on failure.

Pages call ``shared_model_status`` inside a fragment that reruns every second while
the model trains; when it becomes ready the whole page reruns to use it.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from components.i18n import t
from components.train_sections import status_ui
from core.shared_training import SharedTraining
from core.training import TrainingSnapshot


def is_training(holder: SharedTraining) -> bool:
    return holder.ensure_started().snapshot().status in ("queued", "running")


def shared_model_status(holder: SharedTraining, name: str, first_use: str,
                        ready: Callable[[TrainingSnapshot], str]) -> None:
    """Draw the shared model's state.

    Args:
        holder: the server's shared training.
        name: a short unique name (widget and state keys).
        first_use: markdown shown while it trains for the first time.
        ready: the caption once it has finished, from its final snapshot.
    """
    snapshot = holder.ensure_started().snapshot()
    waiting = f"{name}_waiting"
    if snapshot.status in ("queued", "running"):
        st.session_state[waiting] = True
        st.markdown(first_use)
        status_ui(snapshot)
    elif snapshot.status == "finished":
        st.caption(ready(snapshot))
        if st.session_state.pop(waiting, False):
            st.rerun(scope="app")  # ready: the page can use the model now
    else:
        status_ui(snapshot)
        if st.button(t("shared.retry"), key=f"{name}_retry", icon=":material/refresh:"):
            holder.restart()
            st.rerun(scope="app")
