"""Helpers for AppTest: run a page in a language with URL parameters."""

import base64
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

REPO_ROOT = Path(__file__).resolve().parents[2]


def run_page(script: str, lang: str = "en", timeout: float = 90, **query: str):
    """Open the app as a browser would (app.py builds the navigation), then go to
    ``script`` with ``?lang=`` and other query parameters.

    ``timeout`` is generous on purpose: it guards against a hung script, not
    slowness (late in a full run the process holds TensorFlow and many models,
    and Streamlit's gc.collect after every script run gets slower).
    """
    app = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=timeout)
    app.query_params["lang"] = lang
    for name, value in query.items():
        app.query_params[name] = value
    app.run()
    assert_no_exception(app)
    if script != "pages/home.py":
        app.switch_page(script).run()
        assert_no_exception(app)
    return app


def assert_no_exception(app) -> None:
    assert not app.exception, [e.value for e in app.exception]


def decode_typed_array(value):
    """Plotly 7 sends NumPy arrays as {"dtype", "bdata"[, "shape"]}: decode to lists."""
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        if "shape" in value:
            shape = [int(n) for n in str(value["shape"]).split(",")]
            array = array.reshape(shape)
        return array.tolist()
    return value


def chart_data(app, index: int = 0) -> list[dict]:
    """The traces of the index-th plotly chart, as the browser would get them."""
    traces = json.loads(app.get("plotly_chart")[index].proto.spec)["data"]
    return [{k: decode_typed_array(v) for k, v in d.items()} for d in traces]


def trace(app, name: str, index: int = 0) -> dict:
    matches = [d for d in chart_data(app, index) if d.get("name") == name]
    assert matches, [d.get("name") for d in chart_data(app, index)]
    return matches[0]


def all_text(app) -> str:
    """Every markdown, caption, title, header and alert text on the page."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "warning",
                 "info", "error", "success"):
        parts += [str(e.value) for e in app.get(kind)]
    return "\n".join(parts)


@pytest.fixture(params=["en", "zh"])
def lang(request):
    return request.param


def texts(elements) -> str:
    return " ".join(str(element.value) for element in elements)


def open_lesson_page(page: str, lang: str = "en", canvas: str | None = None,
                     pixels: np.ndarray | None = None, state: dict | None = None,
                     **query: str) -> AppTest:
    """A lesson page run on its own (button clicks work; see run_page).

    A drawing is handed over the way a page gets one back when a student returns
    to it: the canvas' last JSON (with strokes) and its pixels, under the
    canvas' key. ``state`` goes into session state before the run.
    """
    app = AppTest.from_file(str(REPO_ROOT / page), default_timeout=120)
    app.query_params["lang"] = lang
    for name, value in query.items():
        app.query_params[name] = value
    if pixels is not None:
        app.session_state[f"{canvas}__json"] = {"objects": [{"type": "path"}]}
        app.session_state[f"{canvas}__pixels"] = pixels
    for name, value in (state or {}).items():
        app.session_state[name] = value
    app.run()
    return app
