"""What each message says, for the member it goes to: digests, reply notices and reminders
carry only what the spoiler gate lets that member see, never a title of a chapter they have
not reached, with both parts, a settings link and a one-click unsubscribe."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from companion import comments
from companion.circles import create_circle
from companion.extensions import db
from companion.importers import ChapterData, WorkData
from companion.library import store_work
from companion.models import (
    Circle,
    Delivery,
    Membership,
    ScheduleEntry,
    User,
    move_progress,
    utcnow,
)
from companion.notify import tokens
from companion.notify.compose import compose
from companion.notify.settings import Choice, choice_of, choose
from companion.reading import find_chapter
from companion.spoilers import Position
from tests.conftest import Reader

TITLES = ["Morning Tide", "Lanternfall", "The Ashen Bridge", "Last Harbour"]
PARAGRAPHS = 3
END = PARAGRAPHS - 1


@pytest.fixture
def book(app, make_user):
    """ "Thursday readers" reading a four-chapter work: ada at the end of chapter 1, bea at
    the end of chapter 3, olga (owner) and quillon at the end of the work; everyone has a
    verified address."""
    ids = {name: make_user(name) for name in ["olga", "ada", "bea", "quillon"]}
    data = WorkData(
        title="Four tides",
        source_format="markdown",
        source_name="four-tides.md",
        authors=["Wren Alder"],
        chapters=[
            ChapterData(
                number=n,
                title=title,
                paragraphs=[f"Tide {n}, line {p}: the water came in." for p in range(PARAGRAPHS)],
            )
            for n, title in enumerate(TITLES, 1)
        ],
    )
    with app.app_context():
        work = store_work(data).work
        users = {name: db.session.get(User, uid) for name, uid in ids.items()}
        for name, user in users.items():
            user.email, user.email_verified_at = f"{name}@example.org", utcnow()
        circle = create_circle(users["olga"], "Thursday readers", work)
        circle.memberships += [Membership(user=users[n]) for n in ["ada", "bea", "quillon"]]
        db.session.flush()
        for name, chapter in [("olga", 4), ("ada", 1), ("bea", 3), ("quillon", 4)]:
            move_progress(ids[name], work.id, Position(chapter, END), at=utcnow() - timedelta(1))
        db.session.commit()
        return {"slug": circle.slug, "id": circle.id, "work": work.id, "ids": ids}


def write(app, book, author: str, chapter: int, body: str, **kwargs) -> int:
    with app.app_context():
        circle = db.session.get(Circle, book["id"])
        viewer = comments.viewer_for(circle, circle.membership_of(book["ids"][author]))
        row = comments.post(viewer, find_chapter(book["work"], chapter), PARAGRAPHS, body, **kwargs)
        db.session.commit()
        return row.id


def move(app, book, name: str, chapter: int, paragraph: int = END):
    with app.app_context():
        move_progress(book["ids"][name], book["work"], Position(chapter, paragraph))
        db.session.commit()


def message(app, book, name: str, kind: str, period: str, **window):
    """Record a delivery as the engine does (or find the one recorded: a retry), then
    compose it."""
    with app.app_context():
        key = {"user_id": book["ids"][name], "circle_id": book["id"], "kind": kind,
               "period": period}  # fmt: skip
        row = db.session.scalar(select(Delivery).filter_by(**key))
        if row is None:
            row = Delivery(**key, to_address=f"{name}@example.org", **window)
            db.session.add(row)
            db.session.commit()
        return compose(row)


def everything(msg) -> str:
    return "\n".join([msg.subject, msg.text, msg.html, *msg.headers.values(), msg.to])


def digest_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'id="digest-(\d+)"', html)]


@pytest.fixture
def talk(app, book):
    """Comments at many levels: what ada (end of chapter 1) may and may not see."""
    ids = {
        "visible": write(app, book, "olga", 1, "EARLY-VISIBLE **bold**", level=Position(1, END)),
        "ahead": write(app, book, "quillon", 1, "SECRET-AHEAD", level=Position(3, 0)),
        "late": write(app, book, "quillon", 4, "SECRET-LATE-CHAPTER"),
        "own": write(app, book, "ada", 1, "ADA-OWN"),
    }
    # Two replies under the hidden one (its reply count must never show), one reply to
    # ada that only readers of chapter 3 may see (bea's default level), and one she can.
    ids["ahead_reply"] = write(app, book, "bea", 1, "SECRET-REPLY", parent_id=ids["ahead"])
    ids["ahead_reply2"] = write(app, book, "olga", 1, "SECRET-REPLY-2", parent_id=ids["ahead"])
    ids["hidden_reply"] = write(app, book, "bea", 1, "SECRET-TO-ADA", parent_id=ids["own"])
    ids["reply"] = write(
        app, book, "bea", 1, "VISIBLE-TO-ADA", parent_id=ids["own"], level=Position(1, END)
    )
    return ids


SECRETS = ["SECRET-AHEAD", "SECRET-LATE-CHAPTER", "SECRET-REPLY", "SECRET-TO-ADA", "quillon"]


def assert_nothing_beyond_ada(msg, talk):
    text = everything(msg)
    for secret in SECRETS:
        assert secret not in text
    for title in TITLES[1:]:  # ada has reached chapter 1 only
        assert title not in text
    for key in ["ahead", "late", "ahead_reply", "ahead_reply2", "hidden_reply"]:
        assert f"/comments/{talk[key]}" not in text and f"digest-{talk[key]}" not in text
    assert not re.search(r"\b2 repl", text)  # the hidden comment's replies, uncounted


# --- digests ---------------------------------------------------------------------------


def test_a_digest_holds_what_the_member_sees_and_nothing_beyond(app, book, talk):
    msg = message(app, book, "ada", "digest", "2026-12-03")
    assert msg.to == "ada@example.org"
    assert msg.subject == "Thursday readers: 2 new comments you can read"
    assert_nothing_beyond_ada(msg, talk)
    assert sorted(digest_ids(msg.html)) == sorted([talk["visible"], talk["reply"]])
    assert f"digest-{talk['own']}" not in msg.html
    # Her reply under "Replies to your comments", the rest under their chapter, titled
    # because she has reached it; links absolute.
    replies, chapter = (
        msg.text.index("Replies to your comments"),
        msg.text.index("Chapter 1: Morning Tide"),
    )
    assert replies < msg.text.index("VISIBLE-TO-ADA") < chapter < msg.text.index("EARLY")
    assert f"http://127.0.0.1:5000/c/{book['slug']}/comments/{talk['reply']}" in msg.text
    assert f'href="http://127.0.0.1:5000/c/{book["slug"]}/comments/{talk["visible"]}"' in msg.html
    # Text from the markdown source, HTML from the sanitized body.
    assert "EARLY-VISIBLE **bold**" in msg.text and "<strong>bold</strong>" in msg.html
    assert "Where the circle stands" in msg.html and "You: finished chapter 1" in msg.text


def test_a_reader_further_on_gets_more_and_titles_up_to_their_place(app, book, talk):
    msg = message(app, book, "bea", "digest", "2026-12-03")
    shown = set(digest_ids(msg.html))
    assert {talk["ahead"], talk["visible"], talk["own"]} <= shown
    assert talk["late"] not in shown and "SECRET-LATE-CHAPTER" not in everything(msg)
    assert talk["ahead_reply2"] not in shown and "SECRET-REPLY-2" not in everything(msg)
    assert talk["ahead_reply"] not in shown  # her own
    assert "Last Harbour" not in everything(msg)  # chapter 4: beyond her


def test_a_window_tells_only_what_is_new_since_it_opened(app, book, talk):
    opened = utcnow()
    move(app, book, "ada", 2)  # unlocks chapter 2's talk at her level
    unlocked = write(app, book, "olga", 2, "ABOUT-CHAPTER-TWO", level=Position(2, 1))
    fresh = write(app, book, "bea", 1, "FRESH-ON-ONE", level=Position(1, 0))
    msg = message(
        app, book, "ada", "digest", "2026-12-04", covers_from=opened, covers_until=utcnow()
    )
    assert sorted(digest_ids(msg.html)) == sorted([unlocked, fresh])
    assert "EARLY-VISIBLE" not in msg.text  # she could read it before the window
    assert "Lanternfall" in msg.text  # chapter 2 is hers now; 3 and 4 are not
    assert "The Ashen Bridge" not in everything(msg) and "Last Harbour" not in everything(msg)


def test_moving_back_takes_comments_out_of_the_next_digest(app, book, talk):
    move(app, book, "bea", 1)
    msg = message(app, book, "bea", "digest", "2026-12-03")
    assert "SECRET-AHEAD" not in everything(msg)
    assert talk["ahead"] not in digest_ids(msg.html)


def test_a_digest_with_nothing_new_is_not_sent(app, book, talk):
    later = utcnow() + timedelta(minutes=1)
    assert message(app, book, "ada", "digest", "2026-12-05", covers_from=later) is None


def test_the_digest_page_and_the_digest_mail_list_the_same_comments(app, book, talk):
    before_move = utcnow()
    move(app, book, "ada", 3)
    ada = Reader(app, "ada").login()
    page = ada.get(f"/c/{book['slug']}/unlocked").get_data(as_text=True)
    msg = message(app, book, "ada", "digest", "2026-12-06", covers_from=before_move)
    assert digest_ids(page) and digest_ids(page) == digest_ids(msg.html)
    assert "Replies to your comments" in page and "Where the circle stands" in page
    assert "SECRET-LATE-CHAPTER" not in page and "Last Harbour" not in page


# --- reply notices ---------------------------------------------------------------------


def test_a_reply_notice_carries_the_reply_only_if_the_member_sees_it(app, book, talk):
    msg = message(app, book, "ada", "reply", f"comment-{talk['reply']}")
    assert msg.subject == "Thursday readers: bea replied to your comment"
    assert "VISIBLE-TO-ADA" in msg.text and "VISIBLE-TO-ADA" in msg.html
    assert "ADA-OWN" in msg.text  # her own comment, for context
    assert f"/c/{book['slug']}/comments/{talk['reply']}" in msg.html
    assert_nothing_beyond_ada(msg, talk)
    assert "EARLY-VISIBLE" not in everything(msg)  # nothing about other comments
    # Beyond her (bea's own level), to someone else's comment, or her own: nothing.
    assert message(app, book, "ada", "reply", f"comment-{talk['hidden_reply']}") is None
    assert message(app, book, "ada", "reply", f"comment-{talk['ahead_reply']}") is None
    assert message(app, book, "quillon", "reply", f"comment-{talk['reply']}") is None
    own = write(app, book, "ada", 1, "TALKING-TO-MYSELF", parent_id=talk["own"])
    assert message(app, book, "ada", "reply", f"comment-{own}") is None


def test_a_reply_notice_is_dropped_once_the_member_moves_back_past_it(app, book, talk):
    late_reply = write(app, book, "olga", 1, "LATE-REPLY", parent_id=talk["ahead_reply"])
    assert message(app, book, "bea", "reply", f"comment-{late_reply}") is None  # level 4
    quick = write(app, book, "olga", 1, "QUICK", parent_id=talk["ahead_reply"],
                  level=Position(3, END))  # fmt: skip
    assert "QUICK" in message(app, book, "bea", "reply", f"comment-{quick}").text
    move(app, book, "bea", 2)  # a retry after she moved back says nothing
    assert message(app, book, "bea", "reply", f"comment-{quick}") is None
    assert message(app, book, "bea", "reply", "comment-x") is None  # a period we never wrote


# --- reminders -------------------------------------------------------------------------


def test_a_reminder_names_the_chapter_by_number_and_only_behind_readers_get_it(app, book):
    tomorrow = utcnow().date() + timedelta(days=1)
    with app.app_context():
        circle = db.session.get(Circle, book["id"])
        circle.schedule = [ScheduleEntry(chapter=1, due=utcnow().date() - timedelta(days=3)),
                           ScheduleEntry(chapter=3, due=tomorrow)]  # fmt: skip
        db.session.commit()
    period = f"chapter-3-{tomorrow.isoformat()}"
    msg = message(app, book, "ada", "reminder", period)
    assert msg.subject == "Thursday readers: chapter 3 is due tomorrow"
    assert "2 chapters to finish by then" in msg.text
    for title in TITLES:
        assert title not in everything(msg)
    assert "You: finished chapter 1 (on schedule)" in msg.text
    assert f"http://127.0.0.1:5000/c/{book['slug']}/chapters/2" in msg.text  # read on
    assert "Continue with chapter 2" in msg.html
    assert message(app, book, "bea", "reminder", period) is None  # she has finished it
    assert message(app, book, "ada", "reminder", "chapter-2-whenever") is None  # not due


# --- every message ---------------------------------------------------------------------


def test_every_message_has_both_parts_a_settings_link_and_one_click_unsubscribe(app, book, talk):
    for kind, period in [("digest", "2026-12-03"), ("reply", f"comment-{talk['reply']}")]:
        msg = message(app, book, "ada", kind, period)
        assert msg.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        url = re.fullmatch(r"<(http://127\.0\.0\.1:5000/unsubscribe/([^>]+))>",
                           msg.headers["List-Unsubscribe"])  # fmt: skip
        assert url, msg.headers
        with app.app_context():
            payload = tokens.read(tokens.UNSUBSCRIBE, url.group(2), tokens.UNSUBSCRIBE_MAX_AGE)
        assert payload == {"user": book["ids"]["ada"], "circle": book["id"], "kind": kind}
        settings_url = f"http://127.0.0.1:5000/c/{book['slug']}/notifications"
        for part in (msg.text, msg.html):
            assert settings_url in part and url.group(1) in part
        assert msg.html.startswith("<!doctype html>") and "Hi ada," in msg.text


def test_the_unsubscribe_link_works_in_one_click_without_logging_in(app, book, talk):
    with app.app_context():
        choose(book["ids"]["ada"], book["id"], Choice(digest="daily"))
        db.session.commit()
    msg = message(app, book, "ada", "digest", "2026-12-03")
    path = msg.headers["List-Unsubscribe"].strip("<>").removeprefix("http://127.0.0.1:5000")
    response = app.test_client().post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code < 400
    with app.app_context():
        assert choice_of(book["ids"]["ada"], book["id"]).digest == "off"


def test_the_html_part_is_escaped_and_headers_stay_on_one_line(app, book, talk):
    with app.app_context():
        circle = db.session.get(Circle, book["id"])
        circle.name = "Tom & <b>Jerry</b>\nBcc: x@example.org"
        db.session.commit()
    write(app, book, "olga", 1, "Look <script>alert(1)</script> here", level=Position(1, 0))
    msg = message(app, book, "ada", "digest", "2026-12-03")
    assert "\n" not in msg.subject and msg.subject.startswith("Tom & <b>Jerry</b> Bcc:")
    assert "Tom &amp; &lt;b&gt;Jerry&lt;/b&gt;" in msg.html and "<b>Jerry" not in msg.html
    assert "<script>" not in msg.html


def test_no_address_or_no_membership_means_no_message(app, book, talk):
    with app.app_context():
        row = Delivery(user_id=book["ids"]["ada"], circle_id=book["id"], kind="digest",
                       period="x")  # fmt: skip
        db.session.get(User, book["ids"]["ada"]).email_verified_at = None
        db.session.add(row)
        db.session.commit()
        assert compose(row) is None
        membership = db.session.scalar(
            select(Membership).where(Membership.user_id == book["ids"]["bea"])
        )
        db.session.delete(membership)
        db.session.commit()
    assert message(app, book, "bea", "digest", "2026-12-03") is None


def test_links_start_at_the_public_url_whatever_request_is_running(app, book, talk, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://reading.example.org/club")
    with app.test_request_context("/", base_url="http://internal:8000"):
        msg = message(app, book, "ada", "digest", "2026-12-03")
    links = re.findall(r'href="([^"]+)"', msg.html)
    assert links and all(link.startswith("https://reading.example.org/club/") for link in links)
    assert msg.headers["List-Unsubscribe"].startswith("<https://reading.example.org/club/unsub")
    assert "internal:8000" not in everything(msg)


def test_the_settings_preview_is_the_next_digest(app, book, talk):
    from companion.notify.compose import digest_preview

    msg = message(app, book, "ada", "digest", "2026-12-03")
    with app.app_context():
        preview = digest_preview(db.session.get(User, book["ids"]["ada"]),
                                 db.session.get(Circle, book["id"]))  # fmt: skip
        assert [c.id for c in preview.replies] == [talk["reply"]]
        assert sorted(c.id for c in preview.comments) == sorted(digest_ids(msg.html))
