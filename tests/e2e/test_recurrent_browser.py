"""Recurrent networks in a real browser, English and Chinese: the NumPy first view
draws the unrolled RNN and the gradient chart (no TensorFlow needed), a typed
bad entry is named by position while the charts stay, and a shared link opens at
its step. Training is covered by the AppTest tests (it costs TensorFlow's import
here). Screenshots go to artifacts/screenshots/ (look at them)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import (
    assert_no_exception,
    screenshot,
    wait_for_app,
    wait_for_plot,
)

TEXT = {
    "en": {"title": "Recurrent networks", 
           "bad": "Entry 2 (“x”) is not a number.", "gradients": "Vanishing gradients",
           "step": "Step t = 2"},
    "zh": {"title": "循环神经网络",
           "bad": "第 2 项（“x”）不是数字。", "gradients": "梯度消失",
           "step": "第 t = 2 步"},
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_first_view_and_a_bad_entry(page: Page, lang: str):
    text = TEXT[lang]
    page.goto(f"/recurrent?lang={lang}&step=2")
    wait_for_app(page)
    wait_for_plot(page)
    expect(page.get_by_role("heading", name=text["title"]).first).to_be_visible()
    charts = page.locator(".js-plotly-plot")
    expect(charts).to_have_count(2)  # unrolled RNN + gradients (NumPy)
    # The link's step: cell 2 is computed, so ŷ⟨2⟩ has a value, ŷ⟨3⟩ not yet.
    expect(charts.first).to_contain_text("ŷ⟨2⟩ = ")
    expect(page.get_by_text(text["step"]).first).to_be_visible()
    assert_no_exception(page)
    screenshot(page, f"recurrent_first_view_{lang}", tall=lang == "en")
    if lang == "zh":  # the bad entry once is enough (the AppTests cover both)
        return

    box = page.locator(".st-key-recurrent_sequence input")
    box.fill("1, x, 2")
    box.press("Enter")
    wait_for_app(page)
    expect(page.get_by_text(text["bad"])).to_be_visible()
    expect(charts).to_have_count(2)  # the last good numbers still drawn
    expect(box).to_have_value("1, x, 2")  # what the student typed is kept
    assert_no_exception(page)
    page.get_by_text(text["gradients"]).first.scroll_into_view_if_needed()
    screenshot(page, f"recurrent_bad_entry_{lang}")
