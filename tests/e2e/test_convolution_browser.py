"""The convolution lesson in a real browser: uploading pictures, refusing broken
files, the Chinese page, and stride/padding changing the feature map's size.

Pictures are made here with Pillow and sent through the real upload widget.
Screenshots go to ``artifacts/screenshots/`` (look at them before calling it done).
"""

from __future__ import annotations

import base64
import io
import math
import re
from urllib.parse import parse_qs, urlparse

import numpy as np
from PIL import Image, ImageDraw
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import (
    assert_no_exception,
    draw_stroke,
    screenshot,
    wait_for_app,
    wait_for_plot,
)

WORKING_SIZE = 128  # the page's default "Working size"
PICTURE_WIDTH, PICTURE_HEIGHT = 80, 120  # portrait, unlike the default coffee cup
PICTURE_NAME = "white_square.png"

# The first heatmap trace of the plotly chart with Streamlit key ``key``: its ``z``
# as Streamlit sent it (NumPy arrays arrive base64-encoded with dtype and shape).
_HEATMAP_JS = """
(key) => {
  const gd = document.querySelector(`.st-key-${key} .js-plotly-plot`);
  if (!gd || !Array.isArray(gd.data) || !gd.data.length) return null;
  const z = gd.data[0].z;
  if (z && typeof z.bdata === 'string') {
    return {bdata: z.bdata, dtype: z.dtype, shape: String(z.shape ?? '')};
  }
  if (Array.isArray(z)) {
    return {rows: z.map((row) => Array.from(row, Number))};
  }
  return null;
}
"""
_HEATMAP_CHANGED_JS = f"""
([key, before]) => {{
  const now = ({_HEATMAP_JS})(key);
  return now !== null && JSON.stringify(now) !== JSON.stringify(before);
}}
"""


# --- helpers -------------------------------------------------------------------


def heatmap_raw(page: Page, key: str) -> dict:
    raw = page.evaluate(_HEATMAP_JS, key)
    assert raw, f"no heatmap drawn for the chart with key {key!r}"
    return raw


def heatmap(page: Page, key: str) -> np.ndarray:
    """The heatmap ``z`` of chart ``key`` as a 2-D NumPy array."""
    raw = heatmap_raw(page, key)
    if "rows" in raw:
        return np.array(raw["rows"], dtype=np.float64)
    shape = [int(n) for n in raw["shape"].split(",")]
    values = np.frombuffer(base64.b64decode(raw["bdata"]), dtype="<" + raw["dtype"])
    return values.reshape(shape)


def wait_for_heatmap_change(page: Page, key: str, before: dict) -> np.ndarray:
    """Wait until chart ``key`` shows other data than ``before``, then for idle."""
    page.wait_for_function(_HEATMAP_CHANGED_JS, arg=[key, before])
    wait_for_app(page)
    return heatmap(page, key)


def open_lesson(page: Page, query: str) -> None:
    page.goto(f"/convolution?{query}")
    wait_for_app(page)
    wait_for_plot(page)
    page.locator(".st-key-conv_output .js-plotly-plot .main-svg").first.wait_for()


def params(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def upload(page: Page, name: str, data: bytes, mime: str = "image/png") -> None:
    files = page.get_by_test_id("stFileUploader").locator("input[type=file]")
    files.set_input_files({"name": name, "mimeType": mime, "buffer": data})


def alert(page: Page, text: str) -> Locator:
    return page.get_by_test_id("stAlert").filter(has_text=text)


def white_square_png() -> bytes:
    """A black portrait picture with a white square in its middle."""
    picture = Image.new("RGB", (PICTURE_WIDTH, PICTURE_HEIGHT), "black")
    ImageDraw.Draw(picture).rectangle((20, 40, 59, 79), fill="white")
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def fitted_shape(width: int, height: int, size: int) -> tuple[int, int]:
    """(rows, columns) once the longer side is ``size`` pixels."""
    scale = size / max(width, height)
    return round(height * scale), round(width * scale)


# --- tests ---------------------------------------------------------------------


def test_upload_picture_then_broken_files_keep_it(page: Page) -> None:
    open_lesson(page, "lang=en&image=upload")
    expect(alert(page, "No picture uploaded yet")).to_be_visible()
    output_before = heatmap_raw(page, "conv_output")
    coffee = heatmap(page, "conv_input")

    # A real PNG through the real widget: the charts now show it.
    upload(page, PICTURE_NAME, white_square_png())
    feature_map = wait_for_heatmap_change(page, "conv_output", output_before)
    picture = heatmap(page, "conv_input")
    rows, cols = fitted_shape(PICTURE_WIDTH, PICTURE_HEIGHT, WORKING_SIZE)
    assert (rows, cols) == (128, 85) and coffee.shape != (rows, cols)
    assert picture.shape == (rows, cols), (picture.shape, coffee.shape)
    assert feature_map.shape == (rows, cols)  # stride 1, padding "same"
    assert picture[rows // 2, cols // 2] > 0.95  # the white square
    assert picture[3, 3] < 0.05 and picture[-4, -4] < 0.05  # the black border
    # The horizontal-edge filter: −3 along the square's top edge, +3 along its bottom.
    assert feature_map.min() < -2.5 and feature_map.max() > 2.5
    expect(page.get_by_test_id("stCaptionContainer").filter(
        has_text=PICTURE_NAME)).to_contain_text(f"{rows}×{cols}")
    expect(alert(page, "No picture uploaded yet")).to_have_count(0)
    assert params(page)["image"] == ["upload"]
    assert_no_exception(page)
    screenshot(page, "convolution_upload_en")
    kept = heatmap_raw(page, "conv_input")

    # An HTML page renamed .png is refused; the square stays.
    upload(page, "page.png", b"<!DOCTYPE html><html><body>not a picture</body></html>")
    expect(alert(page, "This file is not a picture that can be read")).to_be_visible()
    wait_for_app(page)
    assert heatmap_raw(page, "conv_input") == kept
    expect(page.get_by_test_id("stCaptionContainer").filter(
        has_text=PICTURE_NAME)).to_be_visible()
    assert_no_exception(page)
    screenshot(page, "convolution_bad_upload_en")

    # A PNG cut short (the download stopped early) is refused too.
    whole = white_square_png()
    cut = whole[: len(whole) // 2]
    upload(page, "cut_short.png", cut)
    expect(alert(page, "cut short or damaged")).to_be_visible()
    expect(alert(page, "This file is not a picture")).to_have_count(0)
    wait_for_app(page)
    assert heatmap_raw(page, "conv_input") == kept
    expect(page.get_by_test_id("stCaptionContainer").filter(
        has_text=PICTURE_NAME)).to_be_visible()
    assert_no_exception(page)
    screenshot(page, "convolution_truncated_upload_en")


def test_draw_a_picture_then_leave_and_come_back(page: Page) -> None:
    open_lesson(page, "lang=en&image=draw")
    expect(alert(page, "Nothing drawn yet")).to_be_visible()
    output_before = heatmap_raw(page, "conv_output")

    # A horizontal bar across the middle of the 280 × 280 canvas.
    draw_stroke(page, "conv_canvas", [(40, 140), (240, 140)])
    feature_map = wait_for_heatmap_change(page, "conv_output", output_before)
    picture = heatmap(page, "conv_input")
    assert picture.shape == (WORKING_SIZE, WORKING_SIZE)
    middle = WORKING_SIZE // 2
    assert picture[middle, middle] < 0.2  # black ink…
    assert picture[10, 10] > 0.95 and picture[-10, middle] > 0.95  # …on white paper
    # A horizontal bar has a top and a bottom edge: both signs, strongly.
    assert feature_map.min() < -2.5 and feature_map.max() > 2.5
    expect(alert(page, "Nothing drawn yet")).to_have_count(0)
    expect(page.get_by_test_id("stCaptionContainer").filter(
        has_text="your drawing")).to_be_visible()
    assert_no_exception(page)
    screenshot(page, "convolution_drawing_en")
    drawn = heatmap_raw(page, "conv_input")

    # Away to the lesson map and back: the drawing and the canvas are still there.
    nav = page.get_by_test_id("stSidebarNav")
    nav.get_by_role("link", name="Lesson map").click()
    wait_for_app(page)
    nav.get_by_role("link", name="Convolution filters").click()
    wait_for_app(page)
    wait_for_plot(page)
    page.locator(".st-key-conv_output .js-plotly-plot .main-svg").first.wait_for()
    assert heatmap_raw(page, "conv_input") == drawn
    expect(alert(page, "Nothing drawn yet")).to_have_count(0)
    page.locator(".st-key-conv_canvas canvas").last.wait_for()
    assert_no_exception(page)

    # The same drawing in Chinese.
    page.get_by_test_id("stSidebar").get_by_text("中文", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text("笔的粗细（像素）")).to_be_visible()
    # The picked items are relabelled too (a selectbox alone would keep English).
    expect(page.get_by_role("combobox", name="图片")).to_have_value("自己画一张…")
    expect(page.get_by_role("combobox", name="滤波器（卷积核）").first).to_have_value(
        "水平边缘（文档中的滤波器 1）")
    expect(page.get_by_test_id("stCaptionContainer").filter(
        has_text="你画的图")).to_be_visible()
    assert heatmap_raw(page, "conv_input") == drawn
    assert_no_exception(page)
    screenshot(page, "convolution_drawing_zh")


def test_chinese_page_stride_and_padding(page: Page) -> None:
    open_lesson(page, "lang=zh")
    expect(page.get_by_role("heading", level=1).first).to_have_text("卷积滤波器")
    expect(page.locator(".st-key-conv_output .gtitle")).to_contain_text("特征图")
    assert_no_exception(page)
    screenshot(page, "convolution_zh", tall=True)

    gray = heatmap(page, "conv_input")
    rows, cols = gray.shape
    assert heatmap(page, "conv_output").shape == (rows, cols)

    # One step right on the filter's stride slider: "same" padding gives ⌈n / 2⌉.
    stride_widget = page.locator(".st-key-conv_stride")  # the widget's key
    expect(stride_widget).to_contain_text("步长 s")
    stride = stride_widget.get_by_role("slider")
    before = heatmap_raw(page, "conv_output")
    stride.focus()
    stride.press("ArrowRight")
    halved = wait_for_heatmap_change(page, "conv_output", before)
    assert halved.shape == (math.ceil(rows / 2), math.ceil(cols / 2))
    expect(page).to_have_url(re.compile(r"[?&]stride=2(&|$)"))
    assert heatmap(page, "conv_input").shape == (rows, cols)

    # "valid" padding with the 3×3 filter: ⌊(n − 3) / 2⌋ + 1.
    before = heatmap_raw(page, "conv_output")
    padding = page.locator(".st-key-conv_padding")
    expect(padding).to_contain_text("填充")
    padding.get_by_role("radio", name="valid", exact=True).click()
    valid = wait_for_heatmap_change(page, "conv_output", before)
    assert valid.shape == ((rows - 3) // 2 + 1, (cols - 3) // 2 + 1)
    expect(page).to_have_url(re.compile(r"[?&]padding=valid(&|$)"))
    assert_no_exception(page)
    screenshot(page, "convolution_stride_zh")
