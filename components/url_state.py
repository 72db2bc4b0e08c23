"""A lesson's main settings round-trip through the URL (``st.query_params``).

A lesson keeps its defaults in a dataclass. On a session's first run each field
seeds ``st.session_state`` (the widgets' keys) from the URL; after the widgets
have run, the current values are written back, so a copied link reopens the
exact demo. Only values that differ from the defaults appear in the URL.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import streamlit as st

SEEDED_FLAG = "_url_seeded_{}"
KEPT_VALUES = "_kept_settings_{}"


def state_key(scope: str, name: str) -> str:
    """The session_state (widget) key of URL parameter ``name`` in a lesson."""
    return f"{scope}_{name}"


def encode_value(value: Any) -> str:
    """One setting as URL text: lists comma-joined, bools 1/0, floats short."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (list, tuple)):
        return ",".join(encode_value(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def decode_value(text: str, default: Any) -> Any:
    """URL text back into the type of ``default``.

    Raises:
        ValueError: the text cannot be read as that type.
    """
    if isinstance(default, bool):
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(text)
    if isinstance(default, int):
        return int(text)
    if isinstance(default, float):
        value = float(text)
        if math.isnan(value):
            raise ValueError(text)
        return value
    if isinstance(default, (list, tuple)):
        # Empty entries are kept: in a kernel, an empty cell is information.
        return tuple(part.strip() for part in text.split(",")) if text.strip() else ()
    return text


def seed_from_url(defaults: Any, scope: str) -> list[str]:
    """Seed session_state from the URL once per session and scope.

    Args:
        defaults: a dataclass instance holding the lesson's defaults.
        scope: the lesson's name (seeding happens once per lesson and session).

    Returns:
        The names of URL parameters that could not be read (defaults were used).
    """
    flag = SEEDED_FLAG.format(scope)
    unreadable: list[str] = []
    first_time = not st.session_state.get(flag)
    # Streamlit drops a widget's state when its page is left; the copy that
    # ``LessonSettings.publish`` keeps brings the user's settings back on return.
    kept = st.session_state.get(KEPT_VALUES.format(scope), {})
    for field in dataclasses.fields(defaults):
        default = getattr(defaults, field.name)
        key = state_key(scope, field.name)
        if key in st.session_state and not first_time:
            continue
        raw = st.query_params.get(field.name)
        value = kept.get(field.name, default)
        if raw is not None and first_time:
            try:
                value = decode_value(raw, default)
            except ValueError:
                unreadable.append(field.name)
        st.session_state[key] = value
    st.session_state[flag] = True
    return unreadable


def publish_to_url(defaults: Any, values: dict[str, Any]) -> None:
    """Write the settings that differ from their defaults into the URL."""
    for field in dataclasses.fields(defaults):
        if field.name not in values:
            continue
        value, default = values[field.name], getattr(defaults, field.name)
        same = (tuple(value) == tuple(default)
                if isinstance(default, (list, tuple)) else value == default)
        if same:
            if field.name in st.query_params:
                del st.query_params[field.name]
        else:
            st.query_params[field.name] = encode_value(value)


_REGISTERED: dict[str, LessonSettings] = {}


def resend_lesson_widgets() -> None:
    """Re-assign every lesson setting that is on screen to itself.

    A selectbox keeps showing its old text when only ``format_func`` changes
    (streamlit/streamlit#13788): after a language switch the picked item would
    stay in the old language. A value assigned through session_state is sent to
    the browser again, with its new label. Call this from an ``on_change``.
    """
    for settings in _REGISTERED.values():
        settings.resend()


class LessonSettings:
    """A lesson's settings: widget keys, URL seeding with messages, and publishing.

    Args:
        scope: the lesson's short name (prefix of its widget keys).
        defaults: a dataclass instance of the lesson's defaults.
        advanced: settings that teacher mode hides (fine tuning, seeds, sizes).

    Raises:
        ValueError: an advanced name is not a setting.
    """

    def __init__(self, scope: str, defaults: Any,
                 advanced: tuple[str, ...] = ()) -> None:
        names = {field.name for field in dataclasses.fields(defaults)}
        unknown = sorted(set(advanced) - names)
        if unknown:
            raise ValueError(f"{scope}: advanced settings {unknown} are not fields")
        self.scope, self.defaults, self.advanced = scope, defaults, tuple(advanced)
        _REGISTERED[scope] = self

    def key(self, name: str) -> str:
        return state_key(self.scope, name)

    def get(self, name: str) -> Any:
        return st.session_state[self.key(name)]

    def set(self, name: str, value: Any) -> None:
        st.session_state[self.key(name)] = value

    def clamp(self, name: str, low: float, high: float) -> bool:
        """Pull a value into a widget's bounds; True if it had to move."""
        value = self.get(name)
        self.set(name, type(value)(min(max(value, low), high)))
        return self.get(name) != value

    def restore(self, limits: dict[str, tuple[float, float]],
                choices: dict[str, tuple] | None = None) -> bool:
        """Seed from the URL (first run), warn about unreadable or out-of-range
        link values, keep every bounded value inside its widget's limits, and
        every choice among its options (else its default, with a warning). In
        teacher mode, hide the advanced settings' widgets.

        Returns:
            True on the session's first run of this lesson (values came from
            the URL).
        """
        from components.i18n import t  # neither imports anything from here
        from components.teacher import hide_advanced

        from_url = not st.session_state.get(SEEDED_FLAG.format(self.scope))
        for name in seed_from_url(self.defaults, self.scope):
            st.warning(t("problem.url_unreadable", name=name),
                       icon=":material/link_off:")
        self._undo_deselection()
        self.resend()
        for name, (low, high) in limits.items():
            if self.clamp(name, low, high) and from_url:
                st.warning(t("problem.url_clamped", name=name, low=low, high=high),
                           icon=":material/link_off:")
        for name, allowed in (choices or {}).items():
            if self.get(name) not in allowed:
                st.warning(t("problem.url_clamped_choice", name=name,
                             value=self.get(name)), icon=":material/link_off:")
                self.set(name, getattr(self.defaults, name))
        hide_advanced(self.key(name) for name in self.advanced)
        return from_url

    def resend(self) -> None:
        """Assign every setting on screen to itself, so the browser is sent each
        widget's value again (see ``resend_lesson_widgets``).

        ``restore`` does this on every run: after a fragment's
        ``st.rerun(scope="app")`` (a live view that stops polling, a shared model
        that becomes ready) the browser sometimes remounts the widgets outside the
        fragment without their values, and the next click sent each one back at
        its first option (seen in the playground: learning rate 1e-05, 100 points,
        circle).
        """
        for field in dataclasses.fields(self.defaults):
            key = self.key(field.name)
            if key in st.session_state:
                st.session_state[key] = st.session_state[key]

    def _undo_deselection(self) -> None:
        """Clicking the chosen option of ``st.pills`` or ``st.segmented_control``
        deselects it (value None): keep the last value instead."""
        kept = st.session_state.get(KEPT_VALUES.format(self.scope), {})
        for field in dataclasses.fields(self.defaults):
            default = getattr(self.defaults, field.name)
            if default is not None and self.key(field.name) in st.session_state \
                    and self.get(field.name) is None:
                self.set(field.name, kept.get(field.name, default))

    def publish(self) -> None:
        """Mirror the current settings into the URL."""
        values = {}
        for field in dataclasses.fields(self.defaults):
            value = st.session_state.get(self.key(field.name))
            if value is not None:
                values[field.name] = tuple(value) if isinstance(value, list) else value
        st.session_state[KEPT_VALUES.format(self.scope)] = values
        publish_to_url(self.defaults, values)
