"""The delivery engine: what is due is recorded before it is sent, sent once over a real SMTP
server the test starts (aiosmtpd), retried with backoff when the server says "try again",
reported when it never takes it, and never sent twice: not by a second run, a restart, a
crash half-way or two workers at once.

Most tests pass the engine a small composer of their own (the `composer` seam of `run`), so
they are about sending, not wording; the CLI and the periodic task run the real one."""

from __future__ import annotations

import threading
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from companion import comments
from companion.circles import create_circle
from companion.extensions import db
from companion.importers import ChapterData, WorkData
from companion.jobs.queue import queue_of
from companion.library import store_work
from companion.models import (
    Circle,
    Comment,
    Delivery,
    Membership,
    ScheduleEntry,
    User,
    move_progress,
    utcnow,
)
from companion.notify import deliveries, mail
from companion.notify.deliveries import CLAIM_LEASE, MAX_ATTEMPTS, period_key, record_due, run
from companion.notify.messages import Message
from companion.notify.settings import Choice, choose
from companion.reading import find_chapter
from companion.spoilers import Position
from tests.test_mail import MailServer, free_port, outbox_files, send_to

PARAGRAPHS = 3
END = PARAGRAPHS - 1
CHAPTER_1 = Position(1, END)  # "only about chapter 1": olga, at the end, lowers her level
# A moment after everything a test writes (comments and memberships carry the real time),
# and far from a day's edge, so adding minutes or hours stays in the same day.
NOW = datetime.combine(utcnow().date() + timedelta(days=1), time(12, 0))


@pytest.fixture
def circle(app, make_user):
    """ "Harbour readers" reading a three-chapter work. olga (owner) has finished it, ada
    chapter 1, bea has not started; dov has not started either; all four have verified
    addresses. cy's address was never verified."""
    names = ["olga", "ada", "bea", "cy", "dov"]
    ids = {name: make_user(name) for name in names}
    data = WorkData(
        title="Harbour lights",
        source_format="markdown",
        source_name="harbour-lights.md",
        authors=["Wren Alder"],
        chapters=[
            ChapterData(
                number=n,
                title=f"Tide {n}",
                paragraphs=[f"Tide {n}, line {p}: the boats came home." for p in range(PARAGRAPHS)],
            )
            for n in range(1, 4)
        ],
    )
    with app.app_context():
        work = store_work(data).work
        users = {name: db.session.get(User, uid) for name, uid in ids.items()}
        for name, user in users.items():
            user.email = f"{name}@example.org"
            user.email_verified_at = None if name == "cy" else utcnow()
        circle = create_circle(users["olga"], "Harbour readers", work)
        circle.memberships += [Membership(user=users[n]) for n in names[1:]]
        db.session.flush()
        for name, chapter in [("olga", 3), ("ada", 1)]:
            move_progress(ids[name], work.id, Position(chapter, END))
        db.session.commit()
        return {"id": circle.id, "slug": circle.slug, "work": work.id, "ids": ids}


def choose_for(app, circle, name: str, **choice) -> None:
    with app.app_context():
        choose(circle["ids"][name], circle["id"], Choice(**choice))
        db.session.commit()


def write(app, circle, author: str, body: str, chapter: int = 1, **kwargs) -> int:
    with app.app_context():
        row = db.session.get(Circle, circle["id"])
        viewer = comments.viewer_for(row, row.membership_of(circle["ids"][author]))
        chapter_row = find_chapter(circle["work"], chapter)
        comment = comments.post(viewer, chapter_row, PARAGRAPHS, body, **kwargs)
        db.session.commit()
        return comment.id


def recorded(app, circle) -> list[tuple]:
    """(member, kind, period, state, attempts) of every delivery, in order."""
    names = {uid: name for name, uid in circle["ids"].items()}
    with app.app_context():
        rows = db.session.scalars(select(Delivery).order_by(Delivery.id))
        return [(names[r.user_id], r.kind, r.period, r.state, r.attempts) for r in rows]


def delivery(app, **where) -> Delivery:
    with app.app_context():
        row = db.session.scalar(select(Delivery).filter_by(**where).order_by(Delivery.id))
        db.session.expunge(row)
        return row


def plain(delivery: Delivery) -> Message:
    """A composer of our own: one line naming the delivery, for the member's address."""
    user = db.session.get(User, delivery.user_id)
    return Message(
        to=user.verified_email,
        subject=f"{delivery.kind} {delivery.period}",
        text=f"For {user.name}: {delivery.kind} {delivery.period}\n",
        html=f"<p>For {user.name}: {delivery.kind} {delivery.period}</p>",
        headers={"List-Unsubscribe": "<http://127.0.0.1:5000/unsubscribe/x>"},
    )


def engine(app, at: datetime = NOW, **options) -> deliveries.Summary:
    """One run in an app context of its own: a fresh session, as a restarted worker has."""
    with app.app_context():
        return run(at, composer=options.pop("composer", plain), **options)


@pytest.fixture
def smtp(app, monkeypatch):
    with MailServer() as server:
        send_to(monkeypatch, app, server)
        yield server


def test_period_keys_are_the_utc_day_and_the_iso_week():
    assert period_key("daily", datetime(2026, 12, 3, 23, 59)) == "2026-12-03"
    assert period_key("weekly", datetime(2026, 12, 3, 8, 0)) == "2026-W49"
    # ISO weeks cross the new year: 1 January 2027 is in the last week of 2026.
    assert period_key("weekly", datetime(2027, 1, 1, 8, 0)) == "2026-W53"
    assert period_key("weekly", datetime(2027, 1, 4, 8, 0)) == "2027-W01"


def test_a_digest_is_sent_once_per_period_over_smtp(app, circle, smtp):
    choose_for(app, circle, "ada", digest="daily")
    choose_for(app, circle, "bea", digest="weekly")

    summary = engine(app)

    assert (summary.recorded, summary.sent, summary.skipped) == (2, 2, 0)
    assert sorted(m["To"] for m in smtp.messages()) == ["ada@example.org", "bea@example.org"]
    assert {m["Subject"] for m in smtp.messages()} == {
        f"digest {NOW.date().isoformat()}",
        f"digest {period_key('weekly', NOW)}",
    }
    ada = delivery(app, user_id=circle["ids"]["ada"])
    assert ada.state == "sent" and ada.sent_at == NOW and ada.attempts == 1
    [to_ada] = [m for m in smtp.messages() if m["To"] == "ada@example.org"]
    assert to_ada["Message-ID"] == ada.message_id
    assert ada.covers_until == NOW

    # Later the same day, in a fresh context (a restart): nothing is due, nothing is sent.
    assert engine(app, NOW + timedelta(hours=3)).sent == 0
    assert len(smtp.received) == 2


def test_the_next_digest_starts_where_the_last_one_ended(app, circle, smtp):
    choose_for(app, circle, "ada", digest="daily")
    engine(app)
    engine(app, NOW + timedelta(days=1))
    engine(app, NOW + timedelta(days=3))  # the worker was down for a day: nothing is skipped

    rows = recorded(app, circle)
    days = [(NOW + timedelta(days=n)).date().isoformat() for n in (0, 1, 3)]
    assert rows == [("ada", "digest", day, "sent", 1) for day in days]
    with app.app_context():
        windows = db.session.execute(
            select(Delivery.covers_from, Delivery.covers_until).order_by(Delivery.id)
        ).all()
    assert [until for _, until in windows] == [NOW + timedelta(days=n) for n in (0, 1, 3)]
    assert [start for start, _ in windows[1:]] == [until for _, until in windows[:-1]]
    # The first digest looks back one day, never to before the member joined.
    with app.app_context():
        joined = db.session.get(Circle, circle["id"]).membership_of(circle["ids"]["ada"]).joined_at
    assert windows[0][0] == max(joined, NOW - timedelta(days=1))


def test_a_refused_send_is_retried_with_backoff_then_sent_exactly_once(app, circle, monkeypatch):
    choose_for(app, circle, "ada", digest="daily")
    with MailServer(refuse=2) as server:
        send_to(monkeypatch, app, server)

        first = engine(app)
        assert (first.sent, first.retrying, first.failed) == (0, 1, [])
        row = delivery(app, kind="digest")
        # Recorded (and committed) before the send was tried: the refusal is on the row.
        assert (row.state, row.attempts) == ("pending", 1)
        assert row.last_error == "451 4.3.0 Try again later"
        assert row.next_attempt_at == NOW + timedelta(minutes=2)
        message_id = row.message_id

        assert engine(app, NOW + timedelta(minutes=1)).retrying == 0  # not due yet
        assert server.refused == 1
        assert engine(app, NOW + timedelta(minutes=2)).retrying == 1
        assert delivery(app, kind="digest").next_attempt_at == NOW + timedelta(minutes=6)

        done = engine(app, NOW + timedelta(minutes=6))
        assert (done.sent, done.retrying) == (1, 0)
        assert engine(app, NOW + timedelta(hours=2)).sent == 0

    [received] = server.messages()
    assert received["To"] == "ada@example.org"
    row = delivery(app, kind="digest")
    assert (row.state, row.attempts, row.last_error) == ("sent", 3, "")
    # The same Message-ID on every attempt: a resent message is the same message.
    assert row.message_id == message_id == received["Message-ID"]
    assert row.sent_at == NOW + timedelta(minutes=6)


def test_a_send_that_keeps_failing_is_marked_failed_and_kept(app, circle, monkeypatch):
    choose_for(app, circle, "ada", digest="daily")
    with MailServer(refuse=100) as server:
        send_to(monkeypatch, app, server)
        at, waits = NOW, []
        for _ in range(MAX_ATTEMPTS):
            summary = engine(app, at)
            row = delivery(app, kind="digest")
            if row.next_attempt_at:
                waits.append(row.next_attempt_at - at)
                at = row.next_attempt_at
        assert server.refused == MAX_ATTEMPTS
        assert engine(app, at + timedelta(hours=1)).failed == []  # given up: not retried
        assert server.refused == MAX_ATTEMPTS

    assert waits == [timedelta(minutes=m) for m in (2, 4, 8, 16)]
    assert len(summary.failed) == 1
    failed = summary.failed[0]
    assert (failed.member, failed.circle, failed.kind, failed.attempts) == (
        "ada",
        circle["slug"],
        "digest",
        MAX_ATTEMPTS,
    )
    assert failed.line().startswith(f"failed: digest {NOW.date()} to ada in {circle['slug']}")
    assert failed.line().endswith(f"{MAX_ATTEMPTS} attempts): 451 4.3.0 Try again later")
    row = delivery(app, kind="digest")
    assert (row.state, row.attempts, row.next_attempt_at) == ("failed", MAX_ATTEMPTS, None)
    assert row.last_error == "451 4.3.0 Try again later"
    with app.app_context():
        assert [f.id for f in deliveries.failed_deliveries()] == [row.id]


def test_a_mailbox_that_does_not_exist_fails_at_once(app, circle, monkeypatch):
    choose_for(app, circle, "ada", digest="daily")
    with MailServer(refuse=100, refusal="550 5.1.1 No such mailbox") as server:
        send_to(monkeypatch, app, server)
        summary = engine(app)
        assert server.refused == 1
    assert [f.error for f in summary.failed] == ["550 5.1.1 No such mailbox"]
    assert recorded(app, circle) == [("ada", "digest", NOW.date().isoformat(), "failed", 1)]


def test_a_failed_digest_is_carried_into_the_next_one(app, circle, monkeypatch):
    choose_for(app, circle, "ada", digest="daily")
    with MailServer(refuse=1, refusal="550 5.7.1 Not today") as server:
        send_to(monkeypatch, app, server)
        engine(app)
        engine(app, NOW + timedelta(days=1))
    with app.app_context():
        rows = db.session.scalars(select(Delivery).order_by(Delivery.id)).all()
        assert [r.state for r in rows] == ["failed", "sent"]
        assert rows[1].covers_from == rows[0].covers_from


def test_an_unreachable_server_stops_the_run_and_loses_nothing(app, circle, monkeypatch):
    for name in ["olga", "ada", "bea"]:
        choose_for(app, circle, name, digest="daily")
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nobody listens there

    summary = engine(app)

    assert (summary.recorded, summary.sent, summary.retrying, summary.left) == (3, 0, 1, 2)
    assert "2 left for the next run" in summary.line()
    assert sorted(attempts for *_, attempts in recorded(app, circle)) == [0, 0, 1]
    with MailServer() as server:
        send_to(monkeypatch, app, server)
        later = engine(app, NOW + timedelta(minutes=2))
    assert later.sent == 3
    assert sorted(m["To"] for m in server.messages()) == [
        "ada@example.org",
        "bea@example.org",
        "olga@example.org",
    ]


class Crash(BaseException):
    """The process dying (not an error the engine could catch and record)."""


def test_a_crash_after_recording_leaves_pending_rows_the_next_run_sends(app, circle, smtp):
    choose_for(app, circle, "ada", digest="daily")
    with app.app_context():
        record_due(NOW)  # … and the process dies here, before anything is sent
    assert recorded(app, circle) == [("ada", "digest", NOW.date().isoformat(), "pending", 0)]
    assert smtp.received == []

    assert engine(app).sent == 1  # the restarted worker
    assert engine(app).sent == 0
    assert [m["To"] for m in smtp.messages()] == ["ada@example.org"]


def test_a_crash_while_sending_leaves_the_row_to_a_later_run(app, circle, smtp):
    choose_for(app, circle, "ada", digest="daily")

    def dies(delivery):
        raise Crash

    with pytest.raises(Crash):
        engine(app, composer=dies)
    assert recorded(app, circle) == [("ada", "digest", NOW.date().isoformat(), "pending", 1)]

    # The claim is the dead worker's for a while: a run meanwhile does not send it …
    assert engine(app, NOW + timedelta(minutes=1)).sent == 0
    # … and once the claim has lapsed, the next run does, once.
    assert engine(app, NOW + CLAIM_LEASE).sent == 1
    assert engine(app, NOW + CLAIM_LEASE + timedelta(minutes=5)).sent == 0
    assert [m["To"] for m in smtp.messages()] == ["ada@example.org"]


def test_two_runs_at_once_never_send_a_message_twice(app, circle, monkeypatch):
    names = ["olga", "ada", "bea", "dov"]
    for name in names:
        choose_for(app, circle, name, digest="daily", replies="now")
    summaries, errors = [], []
    start = threading.Barrier(2)

    def worker():
        try:
            start.wait()
            summaries.append(engine(app))
        except Exception as error:  # reported below: a thread's failure must fail the test
            errors.append(error)

    with MailServer(delay=0.05) as server:
        send_to(monkeypatch, app, server)
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)

    assert errors == []
    assert sorted(m["To"] for m in server.messages()) == sorted(f"{n}@example.org" for n in names)
    assert sum(s.sent for s in summaries) == len(names)
    assert sum(s.recorded for s in summaries) == len(names)
    assert {state for *_, state, _ in recorded(app, circle)} == {"sent"}


def test_nothing_is_sent_to_an_address_that_is_not_verified(app, circle, smtp):
    choose_for(app, circle, "cy", digest="daily", replies="now")
    choose_for(app, circle, "ada", digest="daily")
    with app.app_context():
        db.session.add(ScheduleEntry(circle_id=circle["id"], chapter=1, due=NOW.date()))
        db.session.add(ScheduleEntry(circle_id=circle["id"], chapter=2, due=NOW.date()))
        db.session.commit()
    with app.app_context():
        record_due(NOW)
        # ada changes her address after the digest was recorded: the new one is unverified.
        db.session.get(User, circle["ids"]["ada"]).email_verified_at = None
        db.session.commit()

    summary = engine(app)

    assert (summary.sent, summary.skipped) == (0, 1)
    assert [(name, state) for name, _, _, state, _ in recorded(app, circle)] == [("ada", "skipped")]
    assert smtp.received == []


def test_reply_notices_go_right_away_once_per_reply(app, circle, smtp):
    mine = write(app, circle, "ada", "The harbour scene is my favourite.")
    write(app, circle, "ada", "And the lighthouse too.", parent_id=mine)  # her own: no notice
    theirs = write(app, circle, "olga", "A comment of olga's.", level=CHAPTER_1)
    choose_for(app, circle, "ada", replies="now")
    choose_for(app, circle, "olga", replies="digest")  # gathered in her digest, not sent now
    first = write(app, circle, "olga", "Mine too!", parent_id=mine, level=CHAPTER_1)
    write(app, circle, "ada", "A reply to olga.", parent_id=theirs)

    # Replies are found by when they were written: these runs keep the real time.
    assert engine(app, utcnow()).sent == 1
    assert recorded(app, circle) == [("ada", "reply", f"comment-{first}", "sent", 1)]
    assert engine(app, utcnow()).recorded == 0

    second = write(app, circle, "olga", "Also, the boats.", parent_id=mine, level=CHAPTER_1)
    scanned = utcnow()
    assert engine(app, scanned).sent == 1
    # A reply whose transaction began before that scan and committed after it: the next
    # scan still finds it.
    late = write(app, circle, "olga", "And the nets.", parent_id=mine, level=CHAPTER_1)
    with app.app_context():
        db.session.get(Comment, late).created_at = scanned - timedelta(seconds=5)
        db.session.commit()
    assert engine(app, utcnow()).sent == 1
    assert [period for _, _, period, _, _ in recorded(app, circle)] == [
        f"comment-{first}",
        f"comment-{second}",
        f"comment-{late}",
    ]
    assert [m["To"] for m in smtp.messages()] == ["ada@example.org"] * 3


def test_a_notice_with_nothing_to_say_is_skipped_and_never_tried_again(app, circle, smtp):
    mine = write(app, circle, "ada", "What a start.")
    choose_for(app, circle, "ada", replies="now")
    write(app, circle, "olga", "Wait until chapter 3.", parent_id=mine)

    summary = engine(app, composer=lambda delivery: None)

    assert (summary.sent, summary.skipped) == (0, 1)
    assert [state for *_, state, _ in recorded(app, circle)] == ["skipped"]
    assert engine(app, NOW + timedelta(minutes=5)).skipped == 0
    assert smtp.received == []


def test_reminders_go_a_day_before_only_to_members_behind_the_chapter(app, circle, smtp):
    choose_for(app, circle, "dov", reminders=False)
    with app.app_context():
        for chapter, days in [(1, 1), (2, 2)]:
            due = NOW.date() + timedelta(days=days)
            db.session.add(ScheduleEntry(circle_id=circle["id"], chapter=chapter, due=due))
        db.session.commit()
    tomorrow, after = (NOW.date() + timedelta(days=n) for n in (1, 2))

    engine(app)
    # Chapter 1 is due tomorrow: bea has not finished it (ada and olga have; dov said no
    # reminders, cy's address is not verified). Chapter 2 is not due tomorrow yet.
    assert recorded(app, circle) == [("bea", "reminder", f"chapter-1-{tomorrow}", "sent", 1)]

    engine(app, NOW + timedelta(hours=6))
    engine(app, NOW + timedelta(days=1))
    assert recorded(app, circle)[1:] == [
        ("ada", "reminder", f"chapter-2-{after}", "sent", 1),
        ("bea", "reminder", f"chapter-2-{after}", "sent", 1),
    ]
    assert [m["To"] for m in smtp.messages()] == [
        "bea@example.org",
        "ada@example.org",
        "bea@example.org",
    ]


def test_now_makes_every_enabled_digest_due_and_twice_in_a_row_sends_nothing(app, circle, smtp):
    choose_for(app, circle, "ada", digest="daily")
    choose_for(app, circle, "bea", digest="weekly")
    choose_for(app, circle, "dov", digest="off", reminders=False)

    assert engine(app, force=True).sent == 2  # the period's own digests: none were sent yet
    assert engine(app, NOW + timedelta(minutes=30)).sent == 0
    later = NOW + timedelta(hours=1)
    assert engine(app, later, force=True).sent == 2
    assert engine(app, later, force=True).sent == 0
    assert engine(app, later).sent == 0

    stamp = f"@{later:%Y-%m-%dT%H:%M:%S}"
    day, week = NOW.date().isoformat(), period_key("weekly", NOW)
    assert [(name, period) for name, _, period, _, _ in recorded(app, circle)] == [
        ("ada", day),
        ("bea", week),
        ("ada", day + stamp),
        ("bea", week + stamp),
    ]
    extra = delivery(app, period=day + stamp)
    assert (extra.covers_from, extra.covers_until) == (NOW, later)
    assert len(smtp.received) == 4


# --- the command and the periodic task (with the real composer) ---------------------------


def test_notify_run_now_writes_the_digest_to_the_outbox(app, circle, cli, monkeypatch):
    send_to(monkeypatch, app, None)
    choose_for(app, circle, "ada", digest="daily")
    write(
        app, circle, "olga", "The harbour at dawn is the best scene in chapter 1.", level=CHAPTER_1
    )
    before = outbox_files(app)

    result = cli("notify", "run", "--now")

    assert result.exit_code == 0, result.output
    assert result.output.startswith("notify: 1 sent, 0 skipped (nothing to say)")
    [name] = outbox_files(app) - before
    message = mail.outbox_message(app.instance_path, name)
    assert message.to == "ada@example.org"
    assert "The harbour at dawn" in message.text and "The harbour at dawn" in message.html
    assert message.headers["List-Unsubscribe"].startswith("<http")

    again = cli("notify", "run")
    assert again.exit_code == 0 and again.output.startswith("notify: 0 sent")
    assert outbox_files(app) - before == {name}


def test_notify_run_prints_a_delivery_it_gave_up_on_and_exits_1(app, circle, cli, monkeypatch):
    today = utcnow().date()
    with app.app_context():
        db.session.add(
            ScheduleEntry(circle_id=circle["id"], chapter=1, due=today + timedelta(days=1))
        )
        db.session.commit()
    choose_for(app, circle, "dov", reminders=False)
    with MailServer(refuse=100, refusal="550 5.1.1 No such mailbox here") as server:
        send_to(monkeypatch, app, server)
        result = cli("notify", "run")

    assert result.exit_code == 1
    assert "notify: 0 sent, 0 skipped (nothing to say), 0 retrying, 1 failed" in result.output
    assert (
        f"failed: reminder chapter-1-{today + timedelta(days=1)} to bea in {circle['slug']}"
        in result.output
    )
    assert "550 5.1.1 No such mailbox here" in result.output


def test_one_periodic_task_runs_the_engine_every_five_minutes(app, circle, monkeypatch):
    send_to(monkeypatch, app, None)
    queue = queue_of(app)
    task = queue.tasks["notify_run"]
    assert [t.name for t in queue.huey.read_periodic(datetime(2026, 12, 3, 8, 5))] == ["notify_run"]
    assert queue.huey.read_periodic(datetime(2026, 12, 3, 8, 7)) == []

    choose_for(app, circle, "ada", digest="daily")
    write(app, circle, "olga", "Chapter 1's storm had me reading by torchlight.", level=CHAPTER_1)
    task()  # the test app's queue runs it inline, as a worker would

    [row] = [r for r in recorded(app, circle) if r[1] == "digest"]
    assert row[0] == "ada" and row[3] == "sent"


def test_only_a_worker_asked_to_runs_the_periodic_tasks(cli):
    from companion.jobs.cli import worker_command

    assert "--periodic / --no-periodic" in cli("worker", "--help").output
    [periodic] = [option for option in worker_command.params if option.name == "periodic"]
    assert periodic.default is False


def test_a_long_run_still_holds_the_row_it_claims_late(app, circle):
    """A run that started long ago (a slow server, many members) claims a row late: its
    lease counts from the claim, so a run started since can't take the same row."""
    choose_for(app, circle, "ada", digest="daily")
    real = utcnow()
    started_long_ago = real - CLAIM_LEASE - timedelta(minutes=1)
    with app.app_context():
        record_due(started_long_ago)
        row_id = db.session.scalar(select(Delivery.id))
        assert deliveries._claim(row_id, started_long_ago)
        assert not deliveries._claim(row_id, real - timedelta(minutes=1))
