"""Translations: ``t(key, **fmt)`` over locales/en.json and locales/zh.json.

The language is chosen in the sidebar, defaults to the browser's locale
(``st.context.locale``) and is kept in the URL as ``?lang=``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path

import streamlit as st

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
LANGUAGES = {"en": "English", "zh": "中文"}
DEFAULT_LANGUAGE = "en"
STATE_KEY = "lang"


def catalog_files(lang: str) -> list[Path]:
    """``locales/<lang>.json`` then one ``locales/<lesson>/<lang>.json`` per lesson."""
    return [LOCALES_DIR / f"{lang}.json", *sorted(LOCALES_DIR.glob(f"*/{lang}.json"))]


@functools.cache
def load_catalog(lang: str) -> dict[str, str]:
    """The flat key → string catalog of one language (read once per process).

    Lessons may keep their strings in their own file; a key defined twice is an
    error rather than a silent override.
    """
    catalog: dict[str, str] = {}
    for path in catalog_files(lang):
        with open(path, encoding="utf-8") as handle:
            part = json.load(handle)
        twice = sorted(set(part) & set(catalog))
        if twice:
            raise ValueError(f"{path}: keys already defined elsewhere: {twice}")
        catalog.update(part)
    return catalog


def language_from_locale(locale: str | None) -> str:
    """Map a browser locale such as ``zh-CN`` or ``en-GB`` to a catalog."""
    if locale and locale.lower().startswith("zh"):
        return "zh"
    return DEFAULT_LANGUAGE


def detect_language() -> str:
    """The URL's ``?lang=`` if valid, else the browser's locale."""
    requested = st.query_params.get(STATE_KEY)
    if requested in LANGUAGES:
        return requested
    try:
        return language_from_locale(st.context.locale)
    except Exception:  # no browser context (tests, bare runs)
        return DEFAULT_LANGUAGE


def current_language() -> str:
    """The language of this session, settled on first use."""
    if st.session_state.get(STATE_KEY) not in LANGUAGES:
        st.session_state[STATE_KEY] = detect_language()
    return st.session_state[STATE_KEY]


def t(key: str, **fmt: object) -> str:
    """The string ``key`` in the session's language, formatted with ``fmt``.

    A key missing from a catalog falls back to English, then to the key itself,
    so a gap shows up as visible text rather than a crash.
    """
    text = load_catalog(current_language()).get(key)
    if text is None:
        text = load_catalog(DEFAULT_LANGUAGE).get(key, key)
    return text.format(**fmt) if fmt else text


def language_ui(on_switch: Callable[[], None] | None = None) -> str:
    """The sidebar language switch; returns the chosen language code.

    Args:
        on_switch: called when the user picks another language, before the rerun.
    """
    lang = current_language()
    widget_key = "_lang_widget"
    # Widget state does not survive a page switch; the plain key does.
    st.session_state[widget_key] = lang

    def _on_change() -> None:
        st.session_state[STATE_KEY] = st.session_state[widget_key]
        if on_switch is not None:
            on_switch()

    st.sidebar.segmented_control(
        ":material/translate: Language / 语言", options=list(LANGUAGES), key=widget_key,
        format_func=LANGUAGES.__getitem__, on_change=_on_change,
        selection_mode="single",
    )
    st.query_params[STATE_KEY] = lang
    return lang
