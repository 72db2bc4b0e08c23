"""The denoising lesson in a real browser: wait for the server's shared model (it
trains on the first visit of any session), draw a "7" with the mouse, see how the
drawing becomes an MNIST input and how the model restores it; then the same
drawing in Chinese. Screenshots go to artifacts/screenshots/ (look at them)."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import (
    assert_no_exception,
    draw_stroke,
    screenshot,
    wait_for_app,
    wait_for_plot,
)

SHARED_MODEL_TIMEOUT_MS = 150_000  # TensorFlow's import + 10 epochs, on a busy box
MSE = re.compile(r"MSE\s+([\d.]+)")


def score_column(page: Page, name: str) -> Locator:
    """The result column whose markdown starts with ``name`` ("Restored", …)."""
    return page.get_by_test_id("stColumn").filter(
        has=page.get_by_test_id("stMarkdownContainer").filter(
            has_text=re.compile(rf"^{name}[:：]\s*MSE"))).first


def image_src(column: Locator) -> str:
    source = column.locator("[data-testid='stImage'] img").first.get_attribute("src")
    assert source, "the column has no image"
    return source


def mse(column: Locator) -> float:
    match = MSE.search(column.inner_text())
    assert match, column.inner_text()
    return float(match.group(1))


def test_draw_a_seven_and_watch_it_restored_in_both_languages(page: Page) -> None:
    page.goto("/denoising?lang=en")
    page.wait_for_selector('[data-testid="stApp"]')
    # The shared model may still be training (this server's first visit): its
    # status fragment reruns every second and reruns the page once it is ready.
    restored = score_column(page, "Restored")
    expect(restored).to_be_visible(timeout=SHARED_MODEL_TIMEOUT_MS)
    wait_for_app(page)
    expect(page.get_by_text("Shared model: trained on 4,000 digits")).to_be_visible()
    expect(page.get_by_test_id("stAlert").filter(
        has_text="Draw a digit on the canvas")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(
        r"3\. Clean, damaged, restored: test digit #1"))).to_be_visible()
    before = image_src(restored)

    # A "7": the bar, then the slanted leg (the canvas is 280 × 280).
    restored_img = restored.locator("[data-testid='stImage'] img").first
    draw_stroke(page, "denoise_canvas", [(70, 60), (140, 60), (215, 60)])
    expect(page.get_by_role("heading", name=re.compile(
        r"3\. Clean, damaged, restored: your drawing"))).to_be_visible()
    expect(restored_img).not_to_have_attribute("src", before)
    wait_for_app(page)
    bar = image_src(restored)
    draw_stroke(page, "denoise_canvas", [(215, 62), (180, 140), (140, 235)])
    expect(restored_img).not_to_have_attribute("src", bar)  # the whole "7"
    wait_for_app(page)
    after = image_src(restored)
    assert after not in (before, bar)
    expect(page.get_by_test_id("stAlert").filter(
        has_text="Draw a digit on the canvas")).to_have_count(0)

    steps = page.get_by_test_id("stExpander").filter(
        has_text="How a drawing becomes an MNIST input")
    expect(steps.locator("[data-testid='stImage'] img")).to_have_count(4)
    for caption in ("① Grayscale as ink (dark ink on light paper",
                    "② Cropped to the ink:", "③ Fitted into 20 × 20",
                    "④ Placed in 28 × 28"):
        expect(steps.get_by_text(caption)).to_be_visible()
    damaged = score_column(page, "Damaged")
    assert mse(restored) < mse(damaged), (mse(restored), mse(damaged))
    expect(page.get_by_role("heading", name="4. What it learned")).to_be_visible()
    wait_for_plot(page)
    expect(page.locator(".st-key-denoise_map_chart .js-plotly-plot")).to_be_visible()
    assert_no_exception(page)
    screenshot(page, "denoising_drawn_en", tall=True)
    steps_sources = [img.get_attribute("src") for img in
                     steps.locator("[data-testid='stImage'] img").all()]

    # The same drawing in Chinese.
    page.get_by_test_id("stSidebar").get_by_text("中文", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1).first).to_have_text("数字去噪")
    expect(page.get_by_role("heading", name=re.compile(
        r"3\. 干净、损坏、还原：你画的数字"))).to_be_visible()
    expect(page.get_by_role("heading", name="4. 它学到了什么")).to_be_visible()
    restored_zh = score_column(page, "还原后")
    expect(restored_zh).to_be_visible()
    assert image_src(restored_zh) == after  # the same drawing, the same result
    assert mse(restored_zh) < mse(score_column(page, "损坏后"))
    steps_zh = page.get_by_test_id("stExpander").filter(
        has_text="手写图如何变成 MNIST 输入")
    expect(steps_zh.locator("[data-testid='stImage'] img")).to_have_count(4)
    assert [img.get_attribute("src") for img in
            steps_zh.locator("[data-testid='stImage'] img").all()] == steps_sources
    expect(page.get_by_test_id("stAlert").filter(
        has_text="请在画布上画一个数字")).to_have_count(0)
    page.locator(".st-key-denoise_canvas canvas").last.wait_for()
    assert_no_exception(page)
    screenshot(page, "denoising_drawn_zh", tall=True)
