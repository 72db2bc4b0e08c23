"""The shape & parameter calculator in a real browser: pasted code, a broken paste
that keeps the last network, the layer editor, Keras' own check, and the Chinese
page with listing 4.2's refused layer. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_no_exception, screenshot, wait_for_app

FASHION_MLP = """from tensorflow import keras
model = keras.models.Sequential([
    keras.layers.Flatten(input_shape=[28, 28]),
    keras.layers.Dense(300, activation=“relu”),
    keras.layers.Dense(100, activation=“relu”),
    keras.layers.Dense(10, activation=“softmax”)
])"""


def open_lesson(page: Page, query: str) -> None:
    page.goto(f"/architecture?{query}")
    wait_for_app(page)
    page.get_by_test_id("stMetric").first.wait_for()


def first_metric(page: Page):
    return page.get_by_test_id("stMetricValue").first


def test_paste_code_break_it_and_edit_layers(page: Page) -> None:
    open_lesson(page, "lang=en")
    expect(first_metric(page)).to_have_text("15,120")
    screenshot(page, "architecture_small_cnn_en", tall=True)

    # Pasted code with typographic quotes, as copied from a web page.
    page.get_by_text("Pasted Keras code", exact=True).click()
    wait_for_app(page)
    box = page.get_by_role("textbox", name="Keras code (read, never run)")
    box.fill(FASHION_MLP)
    box.press("Control+Enter")
    wait_for_app(page)
    expect(first_metric(page)).to_have_text("266,610")
    assert_no_exception(page)
    screenshot(page, "architecture_pasted_code_en")

    # Cut short: a clear message with the line; the last good network stays.
    box.fill(FASHION_MLP[:-30])
    box.press("Control+Enter")
    wait_for_app(page)
    expect(page.get_by_test_id("stAlert").filter(
        has_text="not valid Python")).to_be_visible()
    expect(first_metric(page)).to_have_text("266,610")
    assert_no_exception(page)
    screenshot(page, "architecture_broken_paste_en")

    # The layer editor starts from the network on screen; the URL carries it.
    box.fill(FASHION_MLP)
    box.press("Control+Enter")
    wait_for_app(page)
    page.get_by_text("The layer editor", exact=True).click()
    wait_for_app(page)
    shape = page.get_by_role("textbox", name="Input shape (without the batch axis)")
    expect(shape).to_have_value("28, 28")
    expect(first_metric(page)).to_have_text("266,610")
    params = parse_qs(urlparse(page.url).query)
    assert params["mode"] == ["editor"] and params["input"] == ["28,28"]
    assert params["net"][0].startswith("Flatten(); Dense(300, activation='relu')")
    shape.fill("32, 32, 3")
    shape.press("Enter")
    wait_for_app(page)
    expect(first_metric(page)).to_have_text(f"{(3072 + 1) * 300 + 30100 + 1010:,}")
    assert_no_exception(page)
    screenshot(page, "architecture_editor_en", tall=True)


def test_verify_with_keras_in_the_browser(page: Page) -> None:
    open_lesson(page, "lang=en&preset=full_cnn")
    expect(first_metric(page)).to_have_text("592,554")
    page.get_by_text("Verify with Keras").click()
    page.get_by_role("button", name="Build it in Keras and compare").click()
    expect(page.get_by_text("All 19 rows agree with Keras.")).to_be_visible(
        timeout=90_000)
    assert_no_exception(page)
    screenshot(page, "architecture_keras_check_en", tall=True)


def test_chinese_listing_4_2_names_the_layer_that_breaks(page: Page) -> None:
    open_lesson(page, "lang=zh&preset=listing_4_2")
    alert = page.get_by_test_id("stAlert").filter(has_text="Conv2D #3")
    expect(alert).to_contain_text("6 − 7 + 1 = 0")
    expect(alert).to_contain_text("的窗口已经放不进")
    expect(page.get_by_role("heading", level=1).first).to_have_text("输出形状与参数量")
    expect(first_metric(page)).to_have_text("29,024")
    assert_no_exception(page)
    screenshot(page, "architecture_listing_4_2_zh", tall=True)
