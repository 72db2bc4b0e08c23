"""Show me the code: a script for the current settings, to copy or download."""

from __future__ import annotations

import streamlit as st

from components.i18n import t


def show_code(code: str, file_name: str, key: str) -> None:
    """Show a runnable script with copy (built into st.code) and download buttons.

    Args:
        code: the complete script; it must run as it is.
        file_name: the name offered for download, e.g. ``activations_numpy.py``.
        key: a unique widget key for the download button.
    """
    st.code(code, language="python")
    st.download_button(
        t("code.download", file_name=file_name), data=code, file_name=file_name,
        mime="text/x-python", key=key, icon=":material/download:",
    )
