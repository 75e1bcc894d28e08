"""Moving as you read, in real Chromium: opted in on the account page, the reader's place
follows their pauses forward, never back, and a jump to a linked paragraph moves nothing."""

from __future__ import annotations

import pytest

from companion.models import Progress, User
from tests.conftest import watch
from tests.test_browser_circles import sign_up

pytestmark = pytest.mark.browser


def place(app, name: str, work: int):
    with app.app_context():
        return Progress.of(User.by_name(name).id, work)


def bring_to_reading_line(page, index: int) -> None:
    """Scroll with the mouse wheel, as a reader would, until paragraph `index` sits on
    the reading line (30% from the top of the window)."""
    page.mouse.move(400, 300)
    for _ in range(60):
        offset = page.evaluate(
            "i => document.querySelector(`.para[data-index='${i}']`).getBoundingClientRect().top"
            " - window.innerHeight * 0.3 + 5",
            index,
        )
        if abs(offset) < 8:
            return
        page.mouse.wheel(0, offset)
        page.wait_for_timeout(50)
    raise AssertionError(f"could not bring paragraph {index} to the reading line")


def test_the_place_follows_the_reader_forward_only(app, browser, live_server, work):
    page = browser.new_context(viewport={"width": 1000, "height": 800}).new_page()
    problems = watch(page)
    sign_up(page, live_server, "ada")
    page.goto(live_server + "/account")
    page.get_by_label("Move my place forward as I read").check()
    page.get_by_role("button", name="Save").first.click()
    assert "moves forward when you pause" in page.locator(".flash").inner_text()

    # A link straight to a paragraph far into the chapter moves nothing by itself.
    chapter = page.goto(f"{live_server}/works/{work}/chapters/1")
    assert chapter.ok
    anchor = page.locator(".para[data-index='60']").get_attribute("id")
    page.goto(f"{live_server}/works/{work}/chapters/1#{anchor}")
    page.wait_for_timeout(3500)
    assert place(app, "ada", work) == (0, 0)

    bring_to_reading_line(page, 20)
    page.wait_for_function(
        "() => document.querySelector('#progress').innerText.includes('chapter 1, ¶ 21')",
        timeout=8000,
    )
    assert place(app, "ada", work) == (1, 20)
    assert page.locator("[data-index='20'] .here-badge").inner_text() == "You're here"

    # Scrolling back up to re-read moves nothing.
    bring_to_reading_line(page, 8)
    page.wait_for_timeout(3800)
    assert place(app, "ada", work) == (1, 20)
    assert problems == []


def test_im_here_by_keyboard_keeps_focus_on_the_paragraph(app, browser, live_server, work):
    page = browser.new_context(viewport={"width": 1000, "height": 800}).new_page()
    problems = watch(page)
    sign_up(page, live_server, "ben")
    page.goto(f"{live_server}/works/{work}/chapters/2")
    button = page.locator("[data-index='5'] button.here")
    button.focus()
    page.keyboard.press("Enter")
    page.locator("[data-index='5'] .here-badge").wait_for()
    page.wait_for_function("() => document.activeElement.id === 'tools-5'")
    assert place(app, "ben", work) == (2, 5)
    # The next Tab goes on through the text from here, not from the top of the page.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.para').dataset.index") == "6"
    assert problems == []
