"""Unsubscribing from a mail's link: a page that asks first (GET changes nothing), the
RFC 8058 one-click POST a mail client sends without a login or cookie, idempotence, and
clear 400s for a link that is tampered with, expired or made for something else."""

from __future__ import annotations

import time

import pytest
from itsdangerous import timed

from companion.circles import create_circle
from companion.extensions import db
from companion.models import Membership, User, Work
from companion.notify import tokens
from companion.notify.settings import Choice, choice_of, choose
from tests.conftest import Reader

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def club(app, make_user, small_work):
    """Ben is in "Harbour readers" with weekly digests, replies right away and reminders;
    also in "Second shelf" with the same choices."""
    ada, ben = make_user("ada"), make_user("ben")
    work_id = small_work("Tide Tables")
    with app.app_context():
        work = db.session.get(Work, work_id)
        found = {}
        for name in ("Harbour readers", "Second shelf"):
            circle = create_circle(db.session.get(User, ada), name, work)
            circle.memberships.append(Membership(user=db.session.get(User, ben), role="member"))
            db.session.flush()
            choose(ben, circle.id, Choice("weekly", "now", True))
            found[name] = circle.id
        db.session.commit()
    return {"ben": ben, "harbour": found["Harbour readers"], "second": found["Second shelf"]}


def link(app, club, kind: str = "digest", **changes) -> str:
    payload = {"user": club["ben"], "circle": club["harbour"], "kind": kind} | changes
    with app.app_context():
        return "/unsubscribe/" + tokens.make(tokens.UNSUBSCRIBE, payload)


def choice(app, club, circle: str = "harbour") -> Choice:
    with app.app_context():
        return choice_of(club["ben"], club[circle])


def test_the_link_shows_what_will_stop_and_changes_nothing(app, club, client):
    response = client.get(link(app, club))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Stop digests from Harbour readers?" in page
    assert 'name="csrf_token"' in page and ">Stop digests</button>" in page
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert choice(app, club) == Choice("weekly", "now", True)


def test_one_click_post_without_login_or_cookie_turns_the_digest_off(app, club):
    url = link(app, club)
    mail_client = app.test_client(use_cookies=False)
    response = mail_client.post(url, data=ONE_CLICK)
    assert response.status_code == 200
    assert "You will get no more digests from Harbour readers." in response.get_data(as_text=True)
    assert choice(app, club) == Choice("off", "now", True)
    # Only that circle, only that kind.
    assert choice(app, club, "second") == Choice("weekly", "now", True)


@pytest.mark.parametrize(
    ("kind", "after"),
    [("reply", Choice("weekly", "off", True)), ("reminder", Choice("weekly", "now", False))],
)
def test_each_kind_stops_only_itself(app, club, kind, after):
    response = app.test_client(use_cookies=False).post(link(app, club, kind), data=ONE_CLICK)
    assert response.status_code == 200
    assert choice(app, club) == after


def test_unsubscribing_twice_is_the_same_as_once(app, club):
    url = link(app, club)
    mail_client = app.test_client(use_cookies=False)
    assert mail_client.post(url, data=ONE_CLICK).status_code == 200
    again = mail_client.post(url, data=ONE_CLICK)
    assert again.status_code == 200 and "no more digests" in again.get_data(as_text=True)
    assert choice(app, club) == Choice("off", "now", True)
    assert "already off" in mail_client.get(url).get_data(as_text=True)


def test_the_page_button_works_and_needs_its_csrf_token(app, club):
    url = link(app, club)
    visitor = Reader(app)
    refused = visitor.client.post(url, data={})
    assert refused.status_code == 400
    assert choice(app, club) == Choice("weekly", "now", True)
    token = visitor.csrf(url)
    response = visitor.client.post(url, data={"csrf_token": token})
    assert response.status_code == 200
    assert choice(app, club) == Choice("off", "now", True)


def test_a_signed_in_member_unsubscribes_only_the_member_the_link_names(app, club, reader):
    # Someone else's browser, logged in as someone else: the link still speaks for Ben.
    cat = reader("cat")
    assert cat.post(link(app, club)).status_code == 200
    assert choice(app, club) == Choice("off", "now", True)
    with app.app_context():
        assert choice_of(User.by_name("cat").id, club["harbour"]) == Choice()


def tampered(app, club, _) -> str:
    """Ben's signature on a payload naming another circle."""
    mine = link(app, club).removeprefix("/unsubscribe/")
    other = link(app, club, circle=club["second"]).removeprefix("/unsubscribe/")
    return "/unsubscribe/" + ".".join([other.split(".")[0], *mine.split(".")[1:]])


def expired(app, club, monkeypatch) -> str:
    year_and_a_day = tokens.UNSUBSCRIBE_MAX_AGE + 24 * 3600
    then = int(time.time()) - year_and_a_day
    with monkeypatch.context() as patched:
        patched.setattr(timed.TimestampSigner, "get_timestamp", lambda self: then)
        return link(app, club)


def other_purpose(app, club, _) -> str:
    payload = {"user": club["ben"], "circle": club["harbour"], "kind": "digest"}
    with app.app_context():
        return "/unsubscribe/" + tokens.make(tokens.VERIFY_EMAIL, payload)


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (tampered, "not valid"),
        (expired, "expired"),
        (other_purpose, "not valid"),
        (lambda app, club, _: link(app, club, kind="everything"), "not valid"),
        (lambda app, club, _: link(app, club, user="ben"), "not valid"),
        (lambda app, club, _: "/unsubscribe/nonsense", "not valid"),
    ],
    ids=["tampered", "expired", "made-to-verify-an-address", "unknown-kind", "bad-user", "junk"],
)
def test_a_bad_link_is_a_400_that_says_how_to_stop_mail_anyway(app, club, monkeypatch, make, says):
    url = make(app, club, monkeypatch)
    mail_client = app.test_client(use_cookies=False)
    for response in (mail_client.get(url), mail_client.post(url, data=ONE_CLICK)):
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert says in page and 'href="/login' in page and "Notifications" in page
    assert choice(app, club) == Choice("weekly", "now", True)


def test_a_link_for_a_deleted_circle_says_there_is_nothing_left_to_stop(app, club):
    from companion.models import Circle

    url = link(app, club)
    with app.app_context():
        db.session.delete(db.session.get(Circle, club["harbour"]))
        db.session.commit()
    response = app.test_client(use_cookies=False).post(url, data=ONE_CLICK)
    assert response.status_code == 200
    assert "Nothing more to stop" in response.get_data(as_text=True)
