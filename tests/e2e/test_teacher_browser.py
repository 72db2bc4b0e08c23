"""Teacher mode in a real browser: a shared link with ?teacher=1 opens the
playground with its advanced settings out of sight (Chinese), the toggle brings
them back, and the overfitting page's Share box carries the mode and the hidden
values (English). Screenshots go to artifacts/screenshots/ (look at them)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_no_exception, screenshot, wait_for_app

PLAYGROUND_ADVANCED = ("pg_optimizer", "pg_reg", "pg_reg_rate", "pg_dropout",
                       "pg_batch", "pg_seed", "pg_points", "pg_train", "pg_discrete")
PLAYGROUND_LESSON = ("pg_lr", "pg_data", "pg_noise", "pg_features", "pg_act_0",
                     "pg_show_test")


def test_a_teacher_link_hides_advanced_settings_until_the_toggle_is_off(
        page: Page) -> None:
    page.goto("/playground?lang=zh&teacher=1&batch=30")
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1).first).to_have_text("神经网络游乐场")
    for key in PLAYGROUND_LESSON:
        expect(page.locator(f".st-key-{key}")).to_be_visible()
    for key in PLAYGROUND_ADVANCED:
        expect(page.locator(f".st-key-{key}")).to_be_hidden()
    expect(page.get_by_text("教师模式：进阶设置已隐藏")).to_be_visible()
    assert_no_exception(page)
    screenshot(page, "teacher_playground_zh")
    page.locator(".st-key-_teacher_mode_widget label").click()
    wait_for_app(page)
    for key in PLAYGROUND_ADVANCED:
        expect(page.locator(f".st-key-{key}")).to_be_visible()
    expect(page.locator(".st-key-pg_batch input")).to_have_value("30")
    assert "teacher=" not in page.url and "batch=30" in page.url
    screenshot(page, "teacher_playground_zh_off")


def test_the_share_box_carries_teacher_mode_and_the_hidden_values(
        page: Page) -> None:
    page.goto("/overfitting?lang=en&seed=5&patience=7")
    wait_for_app(page)
    expect(page.locator(".st-key-overfit_seed")).to_be_visible()
    page.locator(".st-key-_teacher_mode_widget label").click()
    wait_for_app(page)
    expect(page.locator(".st-key-overfit_seed")).to_be_hidden()
    expect(page.locator(".st-key-overfit_patience")).to_be_hidden()
    expect(page.locator(".st-key-overfit_degree")).to_be_visible()
    page.locator(".st-key-_share_open label").click()
    wait_for_app(page)
    link = page.get_by_test_id("stSidebarUserContent").get_by_test_id(
        "stCode").inner_text()
    assert "teacher=1" in link and "seed=5" in link and "patience=7" in link
    assert_no_exception(page)
    screenshot(page, "teacher_overfitting_en_share")
