"""What every page calls first: language, presentation and teacher modes, styles.

With a folder named ``pages/`` AppTest re-runs only the page file, so each page
sets itself up through ``setup_page()`` instead of relying on app.py.
"""

from __future__ import annotations

import streamlit as st

from components.i18n import language_ui, t
from components.lessons import ensure_app_shell
from components.plot_style import PRESENTATION_KEY
from components.teacher import TEACHER_KEY, URL_PARAM
from components.url_state import resend_lesson_widgets

_PRESENTATION_CSS = """
<style>
  html, body, [data-testid="stAppViewContainer"] { font-size: 1.3rem; }
  [data-testid="stMarkdownContainer"] p, li, label { font-size: 1.3rem !important; }
  h1 { font-size: 3rem !important; } h2 { font-size: 2.3rem !important; }
</style>
"""


def url_toggle(state_key: str, param: str, label: str, help_text: str) -> bool:
    """A sidebar toggle kept in session state and mirrored as ``?param=1``.

    The first run reads the URL, so a shared link opens with the toggle set.
    """
    widget_key = f"_{state_key.strip('_')}_widget"
    if state_key not in st.session_state:
        st.session_state[state_key] = st.query_params.get(param) == "1"
    st.session_state[widget_key] = st.session_state[state_key]

    def _on_change() -> None:
        st.session_state[state_key] = st.session_state[widget_key]

    st.sidebar.toggle(label, key=widget_key, help=help_text, on_change=_on_change)
    on = st.session_state[state_key]
    if on:
        st.query_params[param] = "1"
    elif param in st.query_params:
        del st.query_params[param]
    return on


def presentation_ui() -> bool:
    """The sidebar toggle that enlarges fonts and lines for a projector."""
    on = url_toggle(PRESENTATION_KEY, "present", t("sidebar.presentation"),
                    t("sidebar.presentation_help"))
    if on:
        st.html(_PRESENTATION_CSS)
    return on


def teacher_ui() -> bool:
    """The sidebar toggle that hides each lesson's advanced controls."""
    return url_toggle(TEACHER_KEY, URL_PARAM, t("sidebar.teacher"),
                      t("sidebar.teacher_help"))


def setup_page() -> str:
    """Render the shared sidebar controls; return the session's language."""
    ensure_app_shell()
    lang = language_ui(on_switch=resend_lesson_widgets)
    presentation_ui()
    teacher_ui()
    return lang


def show_problems(problems: list[str], **fmt: object) -> None:
    """Show each input problem code as a clear, translated warning."""
    for code in problems:
        st.warning(t(f"problem.{code}", **fmt), icon=":material/warning:")
