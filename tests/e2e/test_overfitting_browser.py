"""Overfitting & regularisation in a real browser: the NumPy first view draws the
polynomial fits, the U curve, the (empty) loss chart and the diamond vs circle
without TensorFlow, and a slider redraws the polynomial fits; then the page in
Chinese from a link with absurd values. Training is covered by the AppTest tests
(the worker thread is the same); screenshots of a live run were looked at by hand.
Screenshots go to artifacts/screenshots/ (look at them)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import (
    assert_no_exception,
    chart_data,
    screenshot,
    wait_for_app,
    wait_for_chart_change,
    wait_for_plot,
)


def test_the_first_view_and_the_degree_slider(page: Page) -> None:
    page.goto("/overfitting?lang=en&degree=4")
    wait_for_app(page)
    wait_for_plot(page)
    expect(page.get_by_role("heading", level=1).first).to_have_text(
        "Overfitting & regularisation")
    expect(page.locator(".js-plotly-plot")).to_have_count(5)
    expect(page.get_by_text("best: degree 5")).to_be_visible()
    expect(page.get_by_text("w₂ = 0 (exactly)")).to_be_visible()
    before = chart_data(page)
    assert "degree 4" in [trace["name"] for trace in before]
    slider = page.get_by_role("slider").first  # the degree of the flexible fit
    slider.focus()
    slider.press("ArrowRight")
    after = wait_for_chart_change(page, before)
    assert "degree 5" in [trace["name"] for trace in after]
    assert_no_exception(page)
    screenshot(page, "overfitting_en", tall=True)


def test_the_page_in_chinese_with_absurd_link_values(page: Page) -> None:
    page.goto("/overfitting?lang=zh&l2=-5&dropout=1&n=500&t=0.5")
    wait_for_app(page)
    wait_for_plot(page)
    expect(page.get_by_role("heading", level=1).first).to_have_text("过拟合与正则化")
    expect(page.get_by_text("链接中「dropout」的值「1.0」不是可选项")).to_be_visible()
    expect(page.get_by_text("链接中「n」的值超出")).to_be_visible()
    expect(page.get_by_text("w₂ = 0（恰好为零）")).to_be_visible()
    expect(page.locator(".js-plotly-plot")).to_have_count(5)
    assert_no_exception(page)
    screenshot(page, "overfitting_zh", tall=True)
