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
        return tuple(part.strip() for part in text.split(",") if part.strip())
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
    for field in dataclasses.fields(defaults):
        default = getattr(defaults, field.name)
        key = state_key(scope, field.name)
        if key in st.session_state and not first_time:
            continue
        raw = st.query_params.get(field.name)
        value = default
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
