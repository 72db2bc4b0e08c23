"""A shared link is the first thing a fresh server sees (a teacher posts it before
anyone opened the home page). It must open the lesson inside the app — translated
menu, the link's settings — not Streamlit's bare file-name menu for ``pages/``."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Page, expect

from tests.e2e.conftest import (
    assert_no_exception,
    screenshot,
    wait_for_app,
    wait_for_plot,
)


def test_first_request_is_a_deep_link(page: Page, fresh_server: str) -> None:
    page.goto(f"{fresh_server}/activations?lang=zh&fn=tanh&x0=-3")
    wait_for_app(page)
    wait_for_plot(page)
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_text("课程地图")).to_be_visible()
    expect(nav.get_by_text("激活函数")).to_be_visible()
    expect(nav.get_by_text("activations", exact=True)).to_have_count(0)
    expect(page.get_by_role("heading", level=1).first).to_have_text("激活函数")
    params = parse_qs(urlparse(page.url).query)
    assert params["fn"] == ["tanh"] and params["x0"] == ["-3"]
    expect(page.get_by_test_id("stSlider").first).to_contain_text("-3.00")
    assert_no_exception(page)
    screenshot(page, "deep_link_fresh_server_zh")
