"""What every page calls first: language, presentation mode, shared styles.

With a folder named ``pages/`` AppTest re-runs only the page file, so each page
sets itself up through ``setup_page()`` instead of relying on app.py.
"""

from __future__ import annotations

import streamlit as st

from components.i18n import language_ui, t
from components.lessons import ensure_app_shell
from components.plot_style import PRESENTATION_KEY
from components.url_state import resend_lesson_widgets

_PRESENTATION_CSS = """
<style>
  html, body, [data-testid="stAppViewContainer"] { font-size: 1.3rem; }
  [data-testid="stMarkdownContainer"] p, li, label { font-size: 1.3rem !important; }
  h1 { font-size: 3rem !important; } h2 { font-size: 2.3rem !important; }
</style>
"""


def presentation_ui() -> bool:
    """The sidebar toggle that enlarges fonts and lines for a projector."""
    widget_key = "_presentation_widget"
    if PRESENTATION_KEY not in st.session_state:
        st.session_state[PRESENTATION_KEY] = st.query_params.get("present") == "1"
    st.session_state[widget_key] = st.session_state[PRESENTATION_KEY]

    def _on_change() -> None:
        st.session_state[PRESENTATION_KEY] = st.session_state[widget_key]

    st.sidebar.toggle(t("sidebar.presentation"), key=widget_key,
                      help=t("sidebar.presentation_help"), on_change=_on_change)
    on = st.session_state[PRESENTATION_KEY]
    if on:
        st.query_params["present"] = "1"
        st.html(_PRESENTATION_CSS)
    elif "present" in st.query_params:
        del st.query_params["present"]
    return on


def setup_page() -> str:
    """Render the shared sidebar controls; return the session's language."""
    ensure_app_shell()
    lang = language_ui(on_switch=resend_lesson_widgets)
    presentation_ui()
    return lang


def show_problems(problems: list[str], **fmt: object) -> None:
    """Show each input problem code as a clear, translated warning."""
    for code in problems:
        st.warning(t(f"problem.{code}", **fmt), icon=":material/warning:")
