"""The Training lab in a real browser: start a small training, watch the curve
grow while the model trains on the server, press Stop, read the results; then a
short run in Chinese. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_no_exception, screenshot, wait_for_app

# The loss chart's number of steps drawn so far (its first trace's x values).
_STEPS_JS = """
() => {
  const gd = document.querySelector('.st-key-train_batch_chart_1 .js-plotly-plot');
  if (!gd || !gd.data || !gd.data.length) return 0;
  const x = gd.data[0].x;
  if (!x) return 0;
  if (typeof x.bdata === 'string') {  // a typed array: bytes / bytes per item
    const size = {i1: 1, u1: 1, i2: 2, u2: 2, i4: 4, u4: 4, f4: 4, f8: 8};
    return atob(x.bdata).length / (size[x.dtype] || 8);
  }
  return x.length;
}
"""


def steps_drawn(page: Page) -> int:
    return int(page.evaluate(_STEPS_JS) or 0)


def test_train_watch_stop_and_read_results(page: Page) -> None:
    page.goto("/training?lang=en&subset=2000&epochs=40")
    wait_for_app(page)
    expect(page.get_by_text("= 57 steps (batches) per epoch")).to_be_visible()
    page.get_by_role("button", name="Start training").click()
    # TensorFlow loads in the worker on first use; then the curve grows.
    page.wait_for_function(f"({_STEPS_JS})() > 20", timeout=120_000)
    first = steps_drawn(page)
    page.wait_for_function(f"({_STEPS_JS})() > {first + 20}", timeout=60_000)
    expect(page.get_by_text("Epoch", exact=False).first).to_be_visible()
    assert_no_exception(page)
    screenshot(page, "training_live_en", tall=True)

    # Away to the lesson map and back: the run is still there, still training.
    nav = page.get_by_test_id("stSidebarNav")
    nav.get_by_role("link", name="Lesson map").click()
    wait_for_app(page)
    nav.get_by_role("link", name="Training lab").click()
    wait_for_app(page)
    expect(page.get_by_text("#1 Your own MLP")).to_be_visible()
    before = steps_drawn(page)
    page.wait_for_function(f"({_STEPS_JS})() > {before + 10}", timeout=60_000)

    page.get_by_role("button", name="Stop").click()
    expect(page.get_by_text("Stopped after")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Results on the test images")).to_be_visible(
        timeout=60_000)
    expect(page.get_by_test_id("stMetricLabel").filter(
        has_text="Test accuracy")).to_be_visible()
    expect(page.get_by_text("Ten random test images")).to_be_visible()
    assert_no_exception(page)
    screenshot(page, "training_results_en", tall=True)


def test_a_short_run_in_chinese(page: Page) -> None:
    page.goto("/training?lang=zh&subset=1000&epochs=1")
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1).first).to_have_text("训练实验室")
    page.get_by_role("button", name="开始训练").click()
    expect(page.get_by_text("全部 1 轮训练完成。")).to_be_visible(timeout=120_000)
    expect(page.get_by_text("在测试图像上的结果")).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stMetricLabel").filter(
        has_text="测试准确率")).to_be_visible()
    assert_no_exception(page)
    screenshot(page, "training_results_zh", tall=True)
