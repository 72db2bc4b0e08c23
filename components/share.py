""""Share this demo": the page's link with all its settings, and a QR code that
students scan from the projector.

Pages call ``share_ui()`` last, after their settings are in the URL. The box is
normally a fragment in the sidebar: opening it reads the URL at that moment, so a
link made after a change inside another fragment is current too.
"""

from __future__ import annotations

import io
import urllib.parse

import segno
import streamlit as st

from components.i18n import t

FALLBACK_BASE = "http://localhost:8501/"  # AppTest and old browsers send no URL


def share_url(base: str | None, params: dict[str, list[str]]) -> str:
    """``base`` (the page's address as the browser shows it) plus every setting.

    >>> share_url("http://srv:8501/activations", {"fn": ["relu,tanh"], "lang": ["zh"]})
    'http://srv:8501/activations?fn=relu%2Ctanh&lang=zh'
    >>> share_url(None, {})
    'http://localhost:8501/'
    """
    address = (base or FALLBACK_BASE).split("?", 1)[0]
    query = urllib.parse.urlencode([(k, v) for k, values in params.items()
                                    for v in values])
    return f"{address}?{query}" if query else address


def qr_png(text: str, scale: int = 6) -> bytes:
    """A QR code of ``text`` as PNG bytes (error correction M, 2-module border)."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


def _share_box() -> None:
    if not st.toggle(t("share.toggle"), key="_share_open", help=t("share.help")):
        return
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    url = share_url(st.context.url, params)
    st.code(url, language=None, wrap_lines=True)
    st.image(qr_png(url), caption=t("share.qr_caption"), width=220)


def share_ui(own_fragment: bool = True) -> None:
    """The sidebar's share box (call it at the end of a page).

    Args:
        own_fragment: make the box a fragment, so that opening it reads the URL
            as it is now, after changes made inside the page's other fragments.
            The playground passes False: its settings change only in full runs,
            and an extra fragment next to its live view made the first Pause
            click get lost while a network played.
    """
    with st.sidebar:
        (st.fragment(_share_box) if own_fragment else _share_box)()
