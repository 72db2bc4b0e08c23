"""'Share this demo': the link carries every setting, the QR code is that link."""

import io

import numpy as np
import pytest
import segno
from PIL import Image

from components.i18n import load_catalog
from components.share import qr_png, share_url
from tests.pages.conftest import open_lesson_page


def qr_modules(png: bytes, scale: int = 6, border: int = 2) -> np.ndarray:
    """The PNG back to its grid of dark (True) and light modules."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    size = pixels.shape[0] // scale - 2 * border
    centres = (np.arange(size) + border) * scale + scale // 2
    return pixels[np.ix_(centres, centres)] < 128


def test_the_png_is_the_qr_code_of_exactly_the_link():
    url = share_url("http://class.example:8501/playground",
                    {"hidden": ["4,2"], "data": ["spiral"], "lang": ["zh"]})
    assert url == ("http://class.example:8501/playground?"
                   "hidden=4%2C2&data=spiral&lang=zh")
    modules = qr_modules(qr_png(url))
    expected = np.array(segno.make(url, error="m").matrix, dtype=bool)
    assert modules.shape == expected.shape and (modules == expected).all()


# zh on a page without translated format_func widgets (AppTest formats those
# outside the session on a second run, in English).
@pytest.mark.parametrize(("lang", "page", "setting", "value", "encoded"), [
    ("en", "pages/activations.py", "fn", "relu,tanh", "fn=relu%2Ctanh"),
    ("zh", "pages/overfitting.py", "l2", "0.01", "l2=0.01"),
    ("en", "pages/playground.py", "data", "spiral", "data=spiral")])  # no fragment
def test_the_box_shows_the_pages_link_with_its_settings(lang, page, setting, value,
                                                         encoded):
    app = open_lesson_page(page, lang, **{setting: value})
    catalog = load_catalog(lang)
    assert not app.sidebar.code  # closed until asked for
    toggle = next(w for w in app.sidebar.toggle if w.key == "_share_open")
    assert toggle.label == catalog["share.toggle"]
    toggle.set_value(True).run()
    link = app.sidebar.code[0].value
    assert link.startswith("http://localhost:8501/?") and encoded in link
    assert f"lang={lang}" in link
    assert len(app.sidebar.get("image")) == 1 and not app.exception
