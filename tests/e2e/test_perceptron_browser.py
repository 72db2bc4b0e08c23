"""The perceptron lesson in a real browser: press Step on AND and watch the
update and the weights change, run XOR to its cycle, then switch to Chinese and
find the same state. Screenshots go to artifacts/screenshots/ (look at them)."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import (
    assert_no_exception,
    screenshot,
    wait_for_app,
    wait_for_plot,
)


def now_line(page: Page, label: str) -> Locator:
    """The "Now: w = …, b = …" paragraph of the perceptron rule section."""
    return page.get_by_test_id("stMarkdownContainer").filter(
        has_text=re.compile(rf"^{label}")).first


def step_button(page: Page, name: str) -> Locator:
    return page.locator(".st-key-perceptron_step_button").get_by_role(
        "button", name=name)


def test_step_through_and_then_in_chinese(page: Page) -> None:
    page.goto("/perceptron?lang=en")
    wait_for_app(page)
    wait_for_plot(page)
    expect(page.get_by_role("heading", level=1).first).to_have_text(
        "Neurons & perceptrons")
    assert_no_exception(page)
    # All eleven section charts (and the empty errors chart is not there yet).
    expect(page.locator(".js-plotly-plot")).to_have_count(11)

    now = now_line(page, "Now:")
    expect(now).to_have_text("Now: w = (0, 0), b = 0")
    step = step_button(page, "Step")
    step.scroll_into_view_if_needed()
    texts = []
    for _ in range(4):
        step.click()
        wait_for_app(page)
        texts.append(now.inner_text())
    assert texts == ["Now: w = (0, 0), b = 0"] * 3 + ["Now: w = (1, 1), b = 1"]
    expect(page.get_by_text("Step 4 of 24 · epoch 1")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^It should have fired"))).to_be_visible()
    step.click()
    wait_for_app(page)
    expect(now).to_have_text("Now: w = (1, 1), b = 0")
    expect(page.get_by_text(re.compile(r"^It should not have fired"))).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]step=5(&|$)"))
    assert_no_exception(page)
    page.locator(".st-key-perceptron_rule_chart").scroll_into_view_if_needed()
    page.get_by_role("heading", name=re.compile(r"^2\. Learning logic gates")
                     ).scroll_into_view_if_needed()
    screenshot(page, "perceptron_en", tall=True)

    # The same state in Chinese: the step and the weights are kept.
    page.get_by_test_id("stSidebar").get_by_text("中文", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1).first).to_have_text("神经元与感知机")
    now_zh = now_line(page, "当前：")
    expect(now_zh).to_have_text("当前：w = (1, 1)，b = 0")
    expect(page.get_by_text("第 5 步（共 24 步）· 第 2 轮")).to_be_visible()
    expect(step_button(page, "下一步")).to_be_visible()
    assert_no_exception(page)
    page.get_by_role("heading", name=re.compile(r"^2\. 学习逻辑门")
                     ).scroll_into_view_if_needed()
    screenshot(page, "perceptron_zh", tall=True)


def test_xor_cycles_in_the_browser(page: Page) -> None:
    page.goto("/perceptron?lang=zh&gate=xor")
    wait_for_app(page)
    wait_for_plot(page)
    page.locator(".st-key-perceptron_end_button").get_by_role("button").click()
    wait_for_app(page)
    alert = page.get_by_test_id("stAlert").filter(has_text="永远在循环")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("单个感知机无法学会异或门")
    assert_no_exception(page)
    alert.scroll_into_view_if_needed()
    screenshot(page, "perceptron_xor_zh")
    # Further down: scikit-learn, logistic regression and the symmetry charts.
    page.get_by_role("heading", name=re.compile(r"^4\. ")).scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    screenshot(page, "perceptron_iris_zh", tall=True)
    page.get_by_role("heading", name=re.compile(r"^6\. ")).scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    screenshot(page, "perceptron_symmetry_zh")
