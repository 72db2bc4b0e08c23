"""Teacher mode (教师模式): a page shows only the controls its lesson is about.

Each lesson names its advanced settings (seeds, batch sizes, data sizes, fine
tuning) in ``LessonSettings(advanced=...)``. In teacher mode those widgets are
still rendered — so they keep their values, the URL keeps them, and a link made
by the teacher carries them — but a style rule hides them. Streamlit gives every
keyed widget the CSS class ``st-key-<key>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import streamlit as st

from components.i18n import t

TEACHER_KEY = "_teacher_mode"
URL_PARAM = "teacher"


def teacher_mode() -> bool:
    """Is teacher mode on in this session?"""
    return bool(st.session_state.get(TEACHER_KEY, False))


def css_class(key: str) -> str:
    """The class Streamlit puts on the element of a widget with ``key``.

    >>> css_class("pg_reg_rate")
    'st-key-pg_reg_rate'
    >>> css_class(" a.b c ")
    'st-key-a-b-c'
    """
    return "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip())


_ALONE = ('[data-testid="stColumn"]:has(> [data-testid="stVerticalBlock"] > '
          '.{}:only-child)')  # a column holding just this widget


def hiding_css(keys: Iterable[str]) -> str:
    """A style sheet that hides the widgets with these keys ('' for none).

    A column that holds nothing but one of them is hidden too, and the other
    columns of its row keep their width, so the row closes up to the left.

    >>> css = hiding_css(["act_x_min"])
    >>> css.startswith("<style>.st-key-act_x_min, [data-testid=")
    True
    >>> "> .st-key-act_x_min:only-child) { display: none !important; }" in css
    True
    >>> hiding_css([])
    ''
    """
    names = [css_class(key) for key in keys]
    if not names:
        return ""
    hidden = [f".{name}" for name in names] + [_ALONE.format(name) for name in names]
    rows = [f'[data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] > '
            f'[data-testid="stVerticalBlock"] > .{name}:only-child) > '
            f'[data-testid="stColumn"]' for name in names]  # :has() cannot nest
    return (f"<style>{', '.join(hidden)} {{ display: none !important; }}\n"
            f"{', '.join(rows)} {{ flex-grow: 0 !important; }}</style>")


def hide_advanced(keys: Iterable[str]) -> bool:
    """In teacher mode, hide these widgets and say so in the sidebar.

    Returns:
        True if anything was hidden.
    """
    css = hiding_css(keys)
    if not css or not teacher_mode():
        return False
    st.html(css)
    st.sidebar.caption(t("teacher.hidden_note"))
    return True
