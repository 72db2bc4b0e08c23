"""The smallest neural network in a real browser: the first view draws the points
and the loss surface without TensorFlow; Train loads Keras in the worker, the
charts follow the run, and the result shows get_weights() and predict([10]) ≈ 19
(= 2·10 − 1). Then a diverging learning rate, and the page in Chinese.
Screenshots go to artifacts/screenshots/ (look at them)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import (
    assert_no_exception,
    screenshot,
    wait_for_app,
    wait_for_plot,
)

TRAIN_TIMEOUT_MS = 150_000  # TensorFlow's import (first use) + 500 epochs, busy box
PREDICT = re.compile(r"^(\d+\.\d+)")


def predicted(page: Page, label: str) -> float:
    """The value of the metric whose label is ``label``."""
    metric = page.get_by_test_id("stMetric").filter(has_text=label).first
    value = metric.get_by_test_id("stMetricValue").inner_text().strip()
    match = PREDICT.match(value)
    assert match, value
    return float(match.group(1))


def test_train_the_documents_neuron_and_read_predict_10(page: Page) -> None:
    page.goto("/smallest_network?lang=en")
    wait_for_app(page)
    wait_for_plot(page)
    expect(page.get_by_role("heading", level=1).first).to_have_text(
        "The smallest neural network")
    expect(page.locator(".js-plotly-plot")).to_have_count(2)  # line, surface
    assert_no_exception(page)

    page.get_by_role("button", name="Train").click()
    expect(page.get_by_text("Finished all 500 epochs")).to_be_visible(
        timeout=TRAIN_TIMEOUT_MS)
    wait_for_app(page)
    expect(page.get_by_text("The result: get_weights() and predict()")).to_be_visible()
    prediction = predicted(page, "predict([10])")
    assert abs(prediction - 19) < 0.05, prediction  # 2·10 − 1
    expect(page.locator(".js-plotly-plot")).to_have_count(4)
    expect(page.get_by_text("Where the documents' numbers come from")).to_be_visible()
    assert_no_exception(page)
    screenshot(page, "smallest_en", tall=True)

    # Too large a learning rate: the run stops itself and says why.
    page.goto("/smallest_network?lang=en&lr=0.2&epochs=200")
    wait_for_app(page)
    page.get_by_role("button", name="Train").click()
    expect(page.get_by_text("The training diverged and was stopped")).to_be_visible(
        timeout=TRAIN_TIMEOUT_MS)
    wait_for_app(page)
    assert_no_exception(page)
    screenshot(page, "smallest_diverged_en", tall=True)


def test_the_page_in_chinese_with_a_bad_cell(page: Page) -> None:
    page.goto("/smallest_network?lang=zh&x=-1,0,1,2,3,abc&y=-3,-1,1,3,5,7")
    wait_for_app(page)
    wait_for_plot(page)
    expect(page.get_by_role("heading", level=1).first).to_have_text("极简神经网络")
    expect(page.get_by_text("第 6 行：x 不是数字，这个点暂不使用。")).to_be_visible()
    page.get_by_role("button", name="开始训练").click()
    expect(page.get_by_text("全部 500 期训练完成")).to_be_visible(
        timeout=TRAIN_TIMEOUT_MS)
    wait_for_app(page)
    prediction = predicted(page, "predict([10])")
    assert abs(prediction - 19) < 0.1, prediction  # five points, still on 2x − 1
    assert_no_exception(page)
    screenshot(page, "smallest_zh", tall=True)
