"""Two members of the demo circle open the same chapter in real Chromium and see
different threads; the one behind marks progress and the unlocked comments appear."""

from __future__ import annotations

import pytest

from companion.demo import PASSWORD, setup
from tests.conftest import watch

pytestmark = pytest.mark.browser


def log_in(context, base: str, name: str):
    page = context.new_page()
    problems = watch(page)
    page.goto(base + "/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/circles")
    return page, problems


def test_members_see_different_threads_and_progress_unlocks(app, browser, live_server, tmp_path):
    with app.app_context():
        setup()
    chapter1 = live_server + "/c/thursday-readers/chapters/1"
    sam, sam_problems = log_in(browser.new_context(), live_server, "sam")  # finished ch. 1
    priya, priya_problems = log_in(browser.new_context(), live_server, "priya")  # mid ch. 5
    sam.goto(chapter1)
    priya.goto(chapter1)
    thread = "#thread"
    # The comment written at chapter 5's end is for priya's eyes only... not even hers yet.
    assert "Re-reading chapter 1" not in sam.locator(thread).inner_text()
    assert "Re-reading chapter 1" not in priya.locator(thread).inner_text()
    # Chapter 2's thread: sam has not reached it, priya has.
    sam.goto(live_server + "/c/thursday-readers/chapters/2")
    priya.goto(live_server + "/c/thursday-readers/chapters/2")
    assert "holding my breath" in priya.locator(thread).inner_text()
    assert "holding my breath" not in sam.locator(thread).inner_text()
    assert "unlock" in sam.locator(thread).inner_text()

    # sam finishes chapter 2: htmx moves progress, the thread refreshes by itself.
    sam.get_by_role("button", name="I've finished this chapter").click()
    sam.locator(thread).get_by_text("holding my breath").wait_for()
    sam.locator("#unlock-notice").get_by_text("just unlocked").wait_for()
    sam.screenshot(path=tmp_path / "unlocked.png", full_page=True)
    assert sam_problems == [] and priya_problems == []


def test_a_passage_comment_posts_in_place(app, browser, live_server):
    """The page stays where the reader is, the marker counts the new comment."""
    with app.app_context():
        setup()
    sam, problems = log_in(browser.new_context(viewport={"width": 1280, "height": 900}),
                           live_server, "sam")  # fmt: skip
    sam.goto(live_server + "/c/thursday-readers/chapters/1")
    before_count = int(sam.locator("#disc-7 a").inner_text())
    sam.locator("#disc-7 a").click()
    passage = sam.locator("#passage-7")
    passage.locator("textarea").fill("The market scene, again.")
    post = passage.get_by_role("button", name="Post")
    post.scroll_into_view_if_needed()  # the click itself must not be what scrolls
    scrolled = sam.evaluate("scrollY")
    post.click()
    passage.get_by_text("The market scene, again.").wait_for()
    assert abs(sam.evaluate("scrollY") - scrolled) < 50
    assert int(sam.locator("#disc-7 a").inner_text()) == before_count + 1
    # Keyboard focus lands on the comment just written, not on <body>.
    sam.wait_for_function("() => document.activeElement.id.startsWith('comment-')")
    focused = sam.evaluate("document.activeElement.innerText")
    assert "The market scene, again." in focused
    assert problems == []


def test_an_opened_reply_can_be_cancelled_in_place(app, browser, live_server):
    with app.app_context():
        setup()
    sam, problems = log_in(browser.new_context(), live_server, "sam")
    sam.goto(live_server + "/c/thursday-readers/chapters/1")
    comment = sam.locator("#thread li.comment").first
    comment.get_by_role("link", name="Reply").first.click()
    form = comment.locator(".reply-slot form").first
    form.wait_for()
    form.get_by_role("link", name="Cancel").click()
    assert comment.locator(".reply-slot form").count() == 0
    assert sam.evaluate("document.activeElement.id") == comment.get_attribute("id")
    assert sam.url.endswith("/chapters/1")  # closed in place, no navigation
    assert problems == []
