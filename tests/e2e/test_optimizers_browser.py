"""Optimizers & loss landscapes in a real browser: the race map draws without
TensorFlow, ▶ Play animates the paths on the client (Plotly frames, no server
rerun) and the map stays drawn; then the page in Chinese with the start on the
saddle point. (The presets, divergence and the Keras race are AppTest's; one
test keeps this file within its CI budget.) Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import (
    assert_no_exception,
    chart_data,
    screenshot,
    wait_for_app,
    wait_for_chart_change,
    wait_for_plot,
)


def test_play_the_race_then_chinese_on_the_saddle(page: Page) -> None:
    page.goto("/optimizers?lang=en")
    wait_for_app(page)
    wait_for_plot(page)
    expect(page.get_by_role("heading", level=1).first).to_have_text(
        "Optimizers & loss landscapes")
    assert_no_exception(page)
    before = chart_data(page)
    sgd = [trace for trace in before if trace["name"] == "SGD"][0]
    assert len(sgd["x"]) > 100  # the whole race is drawn first

    race = page.locator(".js-plotly-plot").first
    race.scroll_into_view_if_needed()
    race.locator(".updatemenu-button").first.click()  # ▶ Play
    during = wait_for_chart_change(page, before, timeout_ms=10_000)
    assert len([t for t in during if t["name"] == "SGD"][0]["x"]) < len(sgd["x"])
    race.locator(".updatemenu-button").nth(1).click()  # ❚❚ Pause
    page.wait_for_timeout(500)
    expect(race.locator(".contourlayer path").first).to_be_attached()  # map kept
    screenshot(page, "optimizers_en_paused")

    # In Chinese, with the start on the saddle point (a link a teacher could share).
    page.goto("/optimizers?lang=zh&fn=saddle&x0=0&y0=0")
    wait_for_app(page)
    wait_for_plot(page)
    expect(page.get_by_role("heading", level=1).first).to_have_text("优化器与损失曲面")
    expect(page.get_by_text(re.compile(r"是一个驻点，但不是最小值"))).to_be_visible()
    assert_no_exception(page)
    screenshot(page, "optimizers_zh_saddle", tall=True)
    page.get_by_role("heading", name=re.compile(r"^2\. 批量")
                     ).scroll_into_view_if_needed()
    expect(page.get_by_text(re.compile(r"24 / 6 = 4 → 每个 epoch 4 次迭代"))
           ).to_be_visible()
    screenshot(page, "optimizers_zh_batch")
