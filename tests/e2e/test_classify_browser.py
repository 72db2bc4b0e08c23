"""The "classify an image" lesson in a real browser: wait for the server's shared
digit model (it trains on the first visit of any session), draw a "1" with the
mouse and see the answer, the preparation and where the model looked; the same
drawing in Chinese; then three pictures uploaded at once (a grid) and a text file
renamed .png refused by name while the others stay classified.

Pictures are made here with Pillow. Screenshots go to artifacts/screenshots/
(look at them before calling it done).
"""

from __future__ import annotations

import io
import re

from PIL import Image, ImageDraw
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import (
    assert_no_exception,
    draw_stroke,
    screenshot,
    wait_for_app,
    wait_for_plot,
)

SHARED_MODEL_TIMEOUT_MS = 150_000  # TensorFlow's import + 10 epochs, on a busy box


def markdown(page: Page, pattern: str) -> Locator:
    return page.get_by_test_id("stMarkdownContainer").filter(
        has_text=re.compile(pattern))


def caption(page: Page, text: str) -> Locator:
    return page.get_by_test_id("stCaptionContainer").filter(has_text=text)


def alert(page: Page, text: str) -> Locator:
    return page.get_by_test_id("stAlert").filter(has_text=text)


def chart(page: Page, key: str) -> Locator:
    return page.locator(f".st-key-{key} .js-plotly-plot .main-svg").first


def step_images(page: Page) -> list[str]:
    """The sources of the preparation pictures (the row under its header)."""
    row = page.get_by_test_id("stHorizontalBlock").filter(
        has=page.get_by_test_id("stCaptionContainer").filter(
            has_text=re.compile(r"(Grayscale|灰度)"))).first
    return [img.get_attribute("src") or "" for img in
            row.locator("[data-testid='stImage'] img").all()]


def digit_png(digit: str) -> bytes:
    """A digit drawn as a student would: black pen on a white 280 × 280 page."""
    picture = Image.new("L", (280, 280), 255)
    draw = ImageDraw.Draw(picture)
    if digit == "1":
        draw.line((145, 45, 135, 235), fill=0, width=22)
    elif digit == "0":
        draw.ellipse((85, 45, 195, 235), outline=0, width=22)
    else:  # "7"
        draw.line((70, 60, 210, 60), fill=0, width=22)
        draw.line((210, 60, 130, 235), fill=0, width=22)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def upload(page: Page, files: list[tuple[str, bytes]]) -> None:
    chooser = page.get_by_test_id("stFileUploader").locator("input[type=file]")
    chooser.set_input_files([{"name": name, "mimeType": "image/png", "buffer": data}
                             for name, data in files])


def grid_item(page: Page, name: str) -> Locator:
    """The grid cell whose caption is the file ``name``."""
    return page.get_by_test_id("stColumn").filter(
        has=page.get_by_test_id("stCaptionContainer").filter(
            has_text=re.compile(rf"^{re.escape(name)}$"))).first


def test_draw_a_one_in_both_languages_then_upload_pictures(page: Page) -> None:
    page.goto("/classify?lang=en")
    page.wait_for_selector('[data-testid="stApp"]')
    # The shared model may still be training (this server's first visit): its
    # status fragment reruns every second and reruns the page once it is ready.
    expect(caption(page, "Trained on 4,000 images")).to_be_visible(
        timeout=SHARED_MODEL_TIMEOUT_MS)
    wait_for_app(page)
    expect(alert(page, "Draw a digit on the canvas")).to_be_visible()

    # A "1": one vertical stroke down the middle of the 280 × 280 canvas.
    draw_stroke(page, "classify_canvas", [(142, 45), (141, 140), (140, 235)])
    answer = markdown(page, r"^The model says 1, with a probability of")
    expect(answer).to_be_visible()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="3. The answer for your drawing")
           ).to_be_visible()
    expect(alert(page, "Draw a digit on the canvas")).to_have_count(0)
    for text in ("Grayscale: 280 × 280", "Ink made bright on black: 280 × 280",
                 "Fitted in 20 × 20, centred by centre of mass: 28 × 28",
                 "A training image of “1”", "What the model sees"):
        expect(caption(page, text).first).to_be_visible()
    sources = step_images(page)
    assert len(sources) == 4 and all(sources), sources
    wait_for_plot(page)
    for key in ("classify_topk", "classify_occlusion", "classify_maps"):
        expect(chart(page, key)).to_be_visible()
    page.locator(".st-key-classify_occlusion").scroll_into_view_if_needed()
    assert_no_exception(page)
    screenshot(page, "classify_drawn_en", tall=True)

    # The same drawing in Chinese.
    page.get_by_test_id("stSidebar").get_by_text("中文", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1).first).to_have_text("图片分类")
    expect(markdown(page, r"^模型认为这是 1，概率为")).to_be_visible()
    expect(page.get_by_role("heading", name="3. 预测结果：你画的数字")).to_be_visible()
    expect(page.get_by_role("heading", name="4. 为什么是这个答案？")).to_be_visible()
    assert step_images(page) == sources  # the same drawing, prepared the same
    expect(alert(page, "请在画布上画一个数字")).to_have_count(0)
    page.locator(".st-key-classify_canvas canvas").last.wait_for()
    expect(chart(page, "classify_occlusion")).to_be_visible()
    assert_no_exception(page)
    screenshot(page, "classify_drawn_zh", tall=True)

    # Back in English: three pictures at once make a grid of predictions.
    page.get_by_test_id("stSidebar").get_by_text("English", exact=True).click()
    wait_for_app(page)
    page.get_by_role("radio", name="Upload", exact=True).click()
    wait_for_app(page)
    pictures = [("one.png", digit_png("1")), ("zero.png", digit_png("0")),
                ("seven.png", digit_png("7"))]
    upload(page, pictures)
    expect(page.get_by_role("heading", name="All 3 pictures")).to_be_visible()
    wait_for_app(page)
    for name, _ in pictures:
        digit = {"one.png": "1", "zero.png": "0", "seven.png": "7"}[name]
        expect(grid_item(page, name).get_by_test_id("stMarkdownContainer")
               ).to_contain_text(re.compile(rf"^{digit} · \d+%"))
    expect(page.get_by_role("heading", name="3. The answer for one.png")
           ).to_be_visible()
    expect(markdown(page, r"^The model says 1, with a probability of")).to_be_visible()
    assert_no_exception(page)
    screenshot(page, "classify_upload_en", tall=True)

    # A text file renamed .png: refused by name, the three stay classified.
    upload(page, [("notes.png", b"my shopping list: milk, eggs\n")])
    expect(alert(page, "notes.png")).to_contain_text(
        "This file is not a picture that can be read")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="All 3 pictures")).to_be_visible()
    for name, _ in pictures:
        expect(grid_item(page, name)).to_be_visible()
    expect(markdown(page, r"^The model says 1, with a probability of")).to_be_visible()
    assert_no_exception(page)
    screenshot(page, "classify_upload_bad_file_en", tall=True)
