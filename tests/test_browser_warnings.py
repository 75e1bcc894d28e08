"""Content warnings in real Chromium: a reader who opted into torture at the passage
finds it collapsed in chapter 2 and skips it; a reader who chose nothing sees nothing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import watch

pytestmark = pytest.mark.browser


def sign_up(page, base: str, name: str) -> None:
    page.goto(base + "/signup")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Sign up").click()


def test_torture_at_the_passage_is_collapsed_and_can_be_skipped(browser, live_server, work):
    page = browser.new_context().new_page()
    problems = watch(page)
    sign_up(page, live_server, "ada")
    page.get_by_role("link", name="Warnings").click()
    page.get_by_label("When to tell me about Torture").select_option("passage")
    page.get_by_role("button", name="Save my choices").click()
    assert page.get_by_text("Your warning choices are saved.").is_visible()

    page.goto(f"{live_server}/works/{work}/chapters/2")
    passage = page.locator(".cw-passage").first
    assert passage.locator(".cw-label").inner_text() == "Torture"
    hidden_paragraph = passage.locator(".para").first
    assert not hidden_paragraph.is_visible()  # collapsed until the reader asks
    assert page.locator(".cw-banner").count() == 0

    skip = passage.get_by_role("link", name="Skip to the next paragraph without it")
    target = skip.get_attribute("href")
    skip.focus()
    page.keyboard.press("Enter")  # keyboard-operable, no script needed
    # The jump lands when the browser gets to it (retried, not raced).
    expect(page).to_have_url(re.compile(re.escape(target) + "$"))
    landing = page.locator(target)
    assert landing.is_visible() and landing.locator("xpath=ancestor::details").count() == 0

    # "Show" opens the passage from the keyboard too.
    passage.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(hidden_paragraph).to_be_visible()
    assert problems == []


def test_a_reader_with_everything_off_sees_no_warning_anywhere(browser, live_server, work):
    page = browser.new_context().new_page()
    problems = watch(page)
    sign_up(page, live_server, "ben")
    page.goto(f"{live_server}/works/{work}")
    page.get_by_role("button", name="No warnings, thanks").click()
    assert re.search(rf"/works/{work}$", page.url)
    assert page.locator(".cw-prompt").count() == 0

    for path in (f"/works/{work}", f"/works/{work}/chapters/2"):
        page.goto(live_server + path)
        assert page.locator("[data-warning], [data-warning-labels]").count() == 0
        assert page.locator(".cw-banner, .cw-passage, .cw-upfront, details.cw-details").count() == 0
        # Every paragraph of the chapter is simply there to read.
    assert (
        page.locator(".chapter-text .para").count()
        == page.locator(".chapter-text .para:visible").count()
    )
    assert problems == []
