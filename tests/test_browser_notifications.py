"""Notifications in real Chromium: a demo reader chooses what mail they want on their
circle's page, then reads their first digest on the demo's outbox page. No console error
and no CSP violation on the way."""

from __future__ import annotations

import pytest

from companion import demo
from companion.extensions import db
from companion.models import Circle, User
from companion.notify import mail
from companion.notify.settings import Choice, choice_of
from tests.conftest import watch

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_data(app):
    """`companion demo --setup-only`'s data, in the live server's app, with an outbox that
    holds only this test's mail."""
    folder = mail.outbox_path(app.instance_path)
    for path in folder.glob("*.eml"):
        path.unlink()
    with app.app_context():
        lines = demo.setup()
        db.session.remove()
    yield lines
    for path in folder.glob("*.eml"):
        path.unlink()


def test_a_reader_sets_notifications_and_reads_the_demo_outbox(
    browser, live_server, app, demo_data, tmp_path
):
    assert any(line.startswith("First digests: 4") for line in demo_data)
    page = browser.new_context().new_page()
    problems = watch(page)
    page.goto(live_server + "/login")
    page.get_by_label("Name").fill("jonah")
    page.get_by_label("Password").fill(demo.PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server}/c/{demo.CIRCLE_SLUG}")
    page.get_by_role("link", name="Notifications").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Notifications"
    # The demo turned Jonah's daily digest on, and his address is verified.
    assert page.get_by_label("Daily").is_checked()
    page.get_by_text("Mail goes to jonah@example.com").wait_for()
    page.get_by_label("Weekly").check()
    page.get_by_label("Tell me right away").check()
    page.get_by_label("No reminders").check()
    page.get_by_role("button", name="Save my choices").click()
    page.get_by_text("Your notification choices are saved.").wait_for()
    assert page.get_by_label("Weekly").is_checked()
    assert page.get_by_label("No reminders").is_checked()
    with app.app_context():
        jonah = User.by_name("jonah").id
        circle = Circle.by_slug(demo.CIRCLE_SLUG).id
        assert choice_of(jonah, circle) == Choice("weekly", "now", False)
    # The preview: his first digest covered everything, so nothing is new yet.
    page.get_by_role("heading", name="Your next digest").wait_for()
    page.screenshot(path=tmp_path / "notifications.png", full_page=True)

    page.get_by_role("link", name="outbox").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Your mail"
    messages = page.locator(".outbox-message")
    assert messages.count() == 1  # his own first digest, nobody else's
    subject = messages.get_by_role("heading", level=2).inner_text()
    assert subject.startswith("Thursday readers:") and "new comment" in subject
    text = messages.locator(".mail-text")
    assert text.is_visible()  # the newest message opens with its plain text
    assert "Genma as a reluctant wingman" in text.inner_text()  # Sam, on chapter 1
    assert "I did not see that loss coming" not in text.inner_text()  # chapter 4: ahead
    for other in ("mira", "priya", "sam"):
        assert f"{other}@example.com" not in page.content()
    page.screenshot(path=tmp_path / "outbox.png", full_page=True)

    page.get_by_role("link", name="view the HTML part").click()
    page.get_by_text("Genma as a reluctant wingman").first.wait_for()
    stop = page.get_by_role("link", name="Stop these digests")
    assert "/unsubscribe/" in stop.get_attribute("href")
    assert problems == []
    page.context.close()
