"""The playground in a real browser: language switch, navigation, live charts.

Each test asserts on what a reader sees and saves screenshots under
``artifacts/screenshots/`` (look at them before calling a page done).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Locator, Page, expect

from components.lessons import LESSONS
from tests.e2e.conftest import (
    assert_no_exception,
    chart_data,
    screenshot,
    wait_for_app,
    wait_for_chart_change,
    wait_for_plot,
)

LANG_ZH = re.compile(r"[?&]lang=zh(&|$)")


def heading(page: Page) -> Locator:
    """The page title (the one ``h1``)."""
    return page.get_by_role("heading", level=1).first


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def curve_x_range(traces: list[dict]) -> tuple[float, float]:
    """The x-range spanned by the f(x) curves (trace names end in "f(x)")."""
    curves = [t for t in traces if t["name"].rstrip().endswith("f(x)") and t["x"]]
    assert curves, f"no f(x) curves among {[t['name'] for t in traces]}"
    return (min(min(t["x"]) for t in curves), max(max(t["x"]) for t in curves))


def probe_x(traces: list[dict]) -> float:
    probes = [t for t in traces if t["name"] == "probe" and len(t["x"]) == 1]
    assert probes, f"no probe marker among {[t['name'] for t in traces]}"
    return probes[0]["x"][0]


def test_home_switches_to_chinese(page: Page) -> None:
    page.goto("/")
    wait_for_app(page)
    title = heading(page)
    expect(title).to_contain_text("Neural Playground")
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_role("link", name="Activation functions")).to_be_visible()
    assert_no_exception(page)
    screenshot(page, "home_en", tall=True)

    language = page.get_by_role("radiogroup", name=re.compile("Language"))
    chinese = language.get_by_role("radio", name="中文", exact=True)
    chinese.click()
    expect(title).to_contain_text("神经网络游乐场")
    expect(nav.get_by_role("link", name="激活函数")).to_be_visible()
    expect(chinese).to_have_attribute("aria-checked", "true")
    expect(page).to_have_url(LANG_ZH)
    expect(page.get_by_role("link", name="进入本课").first).to_be_visible()
    wait_for_app(page)
    expect(title).not_to_contain_text("Neural Playground")
    assert_no_exception(page)
    screenshot(page, "home_zh", tall=True)


def test_open_lesson_from_chinese_home(page: Page) -> None:
    page.goto("/?lang=zh")
    wait_for_app(page)
    expect(heading(page)).to_contain_text("神经网络游乐场")
    activations = [lesson.key for lesson in LESSONS].index("activations")
    page.get_by_role("link", name="进入本课").nth(activations).click()

    expect(page).to_have_url(re.compile(r"/activations\?"))
    wait_for_app(page)
    expect(heading(page)).to_have_text("激活函数")
    expect(page.get_by_label("x 最大值", exact=True)).to_be_visible()
    expect(page.get_by_label("x 最小值", exact=True)).to_be_visible()
    wait_for_plot(page)
    assert curve_x_range(chart_data(page)) == pytest.approx((-6.0, 6.0))
    expect(page).to_have_url(LANG_ZH)
    assert_no_exception(page)
    screenshot(page, "activations_zh", tall=True)


def test_controls_redraw_chart_and_update_url(page: Page) -> None:
    page.goto("/activations?lang=en")
    wait_for_app(page)
    expect(heading(page)).to_have_text("Activation functions")
    wait_for_plot(page)
    assert_no_exception(page)
    screenshot(page, "activations_en", tall=True)
    before = chart_data(page)
    assert curve_x_range(before) == pytest.approx((-6.0, 6.0))
    assert probe_x(before) == pytest.approx(2.0)
    assert "x_max" not in query(page)

    # Type a new x max and press Enter: the curves now reach x = 9.
    x_max = page.get_by_label("x max", exact=True)
    x_max.fill("9")
    x_max.press("Enter")
    after_range = wait_for_chart_change(page, before)
    assert curve_x_range(after_range) == pytest.approx((-6.0, 9.0))
    expect(page).to_have_url(re.compile(r"[?&]x_max=9(&|$)"))
    expect(x_max).to_have_value(re.compile(r"^9(\.0+)?$"))

    # One step right on the probe slider moves the probe marker to the right.
    slider = page.get_by_test_id("stSlider").filter(
        has=page.get_by_text("x", exact=True)).get_by_role("slider")
    slider.focus()
    slider.press("ArrowRight")
    after_probe = wait_for_chart_change(page, after_range)
    moved_to = probe_x(after_probe)
    assert 2.0 < moved_to < 2.5, moved_to
    assert float(query(page)["x0"][0]) == pytest.approx(moved_to, abs=1e-3)
    assert query(page)["x_max"] == ["9"]
    assert_no_exception(page)
    screenshot(page, "activations_en_changed")


def test_inverted_range_from_link_is_explained(page: Page) -> None:
    page.goto("/activations?lang=en&x_min=5&x_max=-5")
    wait_for_app(page)
    warning = page.get_by_test_id("stAlert").filter(
        has_text="x min must be smaller than x max")
    expect(warning).to_be_visible()
    wait_for_plot(page)
    # The default range is drawn until the reader fixes the inputs.
    assert curve_x_range(chart_data(page)) == pytest.approx((-6.0, 6.0))
    assert_no_exception(page)
    screenshot(page, "activations_en_inverted_range")
