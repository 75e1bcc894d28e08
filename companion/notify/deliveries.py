"""Which messages are due, and sending each exactly once: `run` is what `companion notify
run` and the queue's periodic task call.

A run has two steps. First it records every message that is due as a `Delivery` row
(pending) and commits: digests (one per member, circle and day or ISO week), reply notices
(one per member and reply) and schedule reminders (one per member, chapter and due date).
The row's unique key (member, circle, kind, period) is what makes a second run, a restart
or a second worker record nothing new. Then it sends the pending rows: each is claimed by
one atomic UPDATE (so two workers never send the same row), composed through the spoiler
gate (`compose`), sent, and marked sent. A failed send is retried with exponential backoff
and, after `MAX_ATTEMPTS` (or an answer that will never change, such as "no such
mailbox"), marked failed with its error and logged; `companion notify run` prints it.

A process that dies between recording and sending leaves pending rows that the next run
sends; one that dies after claiming a row leaves it claimed for `CLAIM_LEASE`, after which
it is due again. The one window no database can close is a crash after the mail server
accepted a message and before the row says so: that message is sent again, with the same
Message-ID, so mail clients can tell it is the same one.

Days and weeks are UTC's: the daily digest goes out with the first run of each UTC day,
the weekly one with the first run of each ISO week, a reminder the UTC day before a
chapter is due.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask_mailman import BadHeaderError
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import (
    Circle,
    Comment,
    Delivery,
    Membership,
    NotificationSetting,
    ScheduleEntry,
    User,
    Work,
    utcnow,
)
from ..models import Progress as ReadingProgress
from . import mail
from .messages import Message

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF_BASE = timedelta(minutes=1)  # after n failed attempts: wait 1 minute * 2**n
BACKOFF_CAP = timedelta(hours=1)
# How long a claimed row is left to the worker that claimed it: far longer than composing
# and sending one message takes (MAIL_TIMEOUT is 30 s), short enough that a row whose
# worker died is sent by a later run.
CLAIM_LEASE = timedelta(minutes=10)
# Reply notices look back this far before the last scan: a reply whose transaction
# committed after the scan that should have seen it is still found (the unique key
# keeps the overlap from sending anything twice).
REPLY_OVERLAP = timedelta(minutes=10)
PERIOD_LENGTH = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
# The queue's periodic task runs `run` this often (companion.jobs.queue).
EVERY_MINUTES = 5

Composer = Callable[[Delivery], Message | None]


@dataclass(frozen=True)
class Failed:
    """A delivery given up on: what the CLI prints, one line each."""

    id: int
    kind: str
    period: str
    member: str
    circle: str
    attempts: int
    error: str

    def line(self) -> str:
        tries = f"{self.attempts} attempt{'' if self.attempts == 1 else 's'}"
        return (
            f"failed: {self.kind} {self.period} to {self.member} in {self.circle} "
            f"(delivery {self.id}, {tries}): {self.error}"
        )


@dataclass
class Summary:
    recorded: int = 0
    sent: int = 0
    skipped: int = 0  # composed, and there was nothing to say
    retrying: int = 0
    failed: list[Failed] = field(default_factory=list)
    # Not tried in this run because the mail server could not be reached; still pending.
    left: int = 0

    def line(self) -> str:
        text = (
            f"notify: {self.sent} sent, {self.skipped} skipped (nothing to say), "
            f"{self.retrying} retrying, {len(self.failed)} failed"
        )
        if self.left:
            text += f", {self.left} left for the next run (the mail server did not answer)"
        return text


def run(
    now: datetime | None = None, *, force: bool = False, composer: Composer | None = None
) -> Summary:
    """Record every message due at `now` (UTC), then send every pending one that is due.

    `force` (`--now`) makes every enabled digest due now: the current period's, or, when
    that one exists, an extra one covering from where the last one ended. `composer` is
    `compose.compose` unless a test passes its own."""
    now = _naive_utc(now or utcnow())
    summary = Summary(recorded=record_due(now, force=force))
    send_due(now, composer=composer, summary=summary)
    return summary


def periodic_run() -> None:
    """The queue's periodic task: one run, its summary in the worker's log."""
    summary = run()
    if summary.failed:
        log.warning("%s", summary.line())
    elif summary.recorded or summary.sent or summary.skipped or summary.retrying:
        log.info("%s", summary.line())


# --- what is due ------------------------------------------------------------------------


def record_due(now: datetime, *, force: bool = False) -> int:
    """Record (pending, committed) every digest, reply notice and reminder due at `now`;
    returns how many rows were new. Already recorded ones are left as they are."""
    rows = [*_due_digests(now, force), *_due_reply_notices(now), *_due_reminders(now)]
    recorded = _insert_new(rows)
    db.session.commit()
    return recorded


def period_key(digest: str, now: datetime) -> str:
    """ "2026-12-03" for a daily digest, "2026-W49" for a weekly one."""
    if digest == "weekly":
        year, week, _ = now.isocalendar()
        return f"{year}-W{week:02d}"
    return now.date().isoformat()


def _verified():
    return User.verified()


def _setting_of_membership():
    """Joins a membership to its member's notification setting for that circle."""
    return and_(
        NotificationSetting.user_id == Membership.user_id,
        NotificationSetting.circle_id == Membership.circle_id,
    )


def _members_choosing(*criteria):
    """(membership, setting, user) of verified members whose setting meets `criteria`."""
    return db.session.execute(
        select(Membership, NotificationSetting, User)
        .join(User, User.id == Membership.user_id)
        .join(
            NotificationSetting,
            _setting_of_membership(),
        )
        .where(_verified(), *criteria)
        .order_by(Membership.circle_id, Membership.user_id)
    ).all()


def _due_digests(now: datetime, force: bool) -> list[dict]:
    rows = []
    for membership, setting, user in _members_choosing(
        NotificationSetting.digest.in_(PERIOD_LENGTH)
    ):
        key = period_key(setting.digest, now)
        mine = (
            Delivery.user_id == user.id,
            Delivery.circle_id == membership.circle_id,
            Delivery.kind == "digest",
        )
        # The next digest starts where the last one that was (or will be) delivered ended;
        # a failed one's comments are carried into the next, not lost.
        last = db.session.scalar(
            select(Delivery)
            .where(*mine, Delivery.state != "failed", Delivery.covers_until.is_not(None))
            .order_by(Delivery.covers_until.desc(), Delivery.id.desc())
            .limit(1)
        )
        if db.session.scalar(select(Delivery.id).where(*mine, Delivery.period == key)):
            if not force or (last is not None and last.covers_until >= now):
                continue
            key = f"{key}@{now:%Y-%m-%dT%H:%M:%S}"
        if last is not None:
            start = last.covers_until
        else:
            # Only failed ones before: from where the first of them began. None at all: a
            # first digest looks back one period, never to before the member joined.
            start = db.session.scalar(
                select(func.min(Delivery.covers_from)).where(*mine, Delivery.state == "failed")
            ) or max(membership.joined_at, now - PERIOD_LENGTH[setting.digest])
        rows.append(_row(user, membership.circle_id, "digest", key, start, now))
    return rows


def _due_reply_notices(now: datetime) -> list[dict]:
    """One per reply to the member's own comment since the last scan; whether the member
    may see it (and so be told anything) is `compose`'s to decide, through the gate."""
    rows = []
    parent = aliased(Comment)
    for membership, setting, user in _members_choosing(NotificationSetting.replies == "now"):
        last_scan = db.session.scalar(
            select(func.max(Delivery.covers_until)).where(
                Delivery.user_id == user.id,
                Delivery.circle_id == membership.circle_id,
                Delivery.kind == "reply",
            )
        )
        since = (last_scan or max(membership.joined_at, setting.updated_at)) - REPLY_OVERLAP
        replies = db.session.scalars(
            select(Comment.id)
            .join(parent, Comment.parent_id == parent.id)
            .where(
                Comment.circle_id == membership.circle_id,
                parent.author_id == user.id,
                Comment.author_id != user.id,
                Comment.deleted_at.is_(None),
                Comment.created_at > since,
                Comment.created_at <= now,
            )
            .order_by(Comment.id)
        )
        for reply_id in replies:
            rows.append(_row(user, membership.circle_id, "reply", f"comment-{reply_id}", None, now))
    return rows


def _due_reminders(now: datetime) -> list[dict]:
    """A day before a chapter is due, to each verified member with reminders on (the
    default) who has not finished that chapter."""
    tomorrow = now.date() + timedelta(days=1)
    rows = []
    for entry in db.session.scalars(select(ScheduleEntry).where(ScheduleEntry.due == tomorrow)):
        circle = db.session.get(Circle, entry.circle_id)
        shape = db.session.get(Work, circle.work_id).shape()
        if not 1 <= entry.chapter <= shape.chapters:
            continue  # a schedule left over from a longer version of the work
        members = db.session.execute(
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .outerjoin(NotificationSetting, _setting_of_membership())
            .where(
                Membership.circle_id == circle.id,
                _verified(),
                or_(NotificationSetting.id.is_(None), NotificationSetting.reminders.is_(True)),
            )
            .order_by(Membership.user_id)
        ).all()
        for _membership, user in members:
            if shape.has_finished(ReadingProgress.of(user.id, circle.work_id), entry.chapter):
                continue
            period = f"chapter-{entry.chapter}-{entry.due.isoformat()}"
            rows.append(_row(user, circle.id, "reminder", period, None, now))
    return rows


def _row(user: User, circle_id: int, kind: str, period: str, start, until) -> dict:
    return {
        "user_id": user.id,
        "circle_id": circle_id,
        "kind": kind,
        "period": period,
        "covers_from": start,
        "covers_until": until,
        "state": "pending",
        "attempts": 0,
        "last_error": "",
        "to_address": user.verified_email or "",
        "subject": "",
        "message_id": "",
        "created_at": utcnow(),
    }


def _insert_new(rows: list[dict]) -> int:
    """Insert the rows whose key is not taken yet; another run recording the same ones at
    the same moment makes this a no-op for those, never an error."""
    if not rows:
        return 0
    key = ["user_id", "circle_id", "kind", "period"]
    dialect = db.session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        new = 0
        for row in rows:
            statement = insert(Delivery).values(**row).on_conflict_do_nothing(index_elements=key)
            # RETURNING says whether the row went in (rowcount is -1 here under psycopg).
            new += len(db.session.execute(statement.returning(Delivery.id)).all())
        return new
    new = 0
    for row in rows:  # any other database: one savepoint per row
        try:
            with db.session.begin_nested():
                db.session.add(Delivery(**row))
            new += 1
        except IntegrityError:
            pass
    return new


# --- sending ----------------------------------------------------------------------------


def _due(now: datetime):
    return and_(
        Delivery.state == "pending",
        or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),
    )


def send_due(
    now: datetime, *, composer: Composer | None = None, summary: Summary | None = None
) -> Summary:
    """Send every pending delivery due at `now`, oldest first, over one connection."""
    if composer is None:
        from .compose import compose as composer
    summary = summary or Summary()
    ids = list(
        db.session.scalars(
            select(Delivery.id).where(_due(now)).order_by(Delivery.created_at, Delivery.id)
        )
    )
    db.session.commit()
    with mail.Outgoing() as outgoing:
        for position, delivery_id in enumerate(ids):
            outcome = _deliver(delivery_id, now, composer, outgoing, summary)
            if outcome == "unreachable":
                summary.left = len(ids) - position - 1
                break
    return summary


def _claim(delivery_id: int, now: datetime) -> bool:
    """Take the row for this worker: one UPDATE that only a due, pending row matches, so
    of two workers asking at once exactly one gets it. Counts the attempt, and leaves the
    row to this worker for CLAIM_LEASE, counted from the claim itself (a long run's `now`
    is its start: a lease counted from there could already have run out, and a second
    run would take the row this one is sending)."""
    moment = max(now, utcnow())
    result = db.session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, _due(moment))
        .values(attempts=Delivery.attempts + 1, next_attempt_at=moment + CLAIM_LEASE)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _deliver(
    delivery_id: int, now: datetime, composer: Composer, outgoing: mail.Outgoing, summary: Summary
) -> str | None:
    if not _claim(delivery_id, now):
        return None  # another worker has it, or had it
    delivery = db.session.get(Delivery, delivery_id)
    user = db.session.get(User, delivery.user_id)
    circle = db.session.get(Circle, delivery.circle_id)
    # Checked again at sending: the address may have changed, the member may have left.
    if user is None or circle is None or not user.verified_email:
        return _finish(delivery, "skipped", summary)
    if circle.membership_of(user.id) is None:
        return _finish(delivery, "skipped", summary)
    delivery.to_address = user.verified_email
    try:
        message = composer(delivery)
        if message is None:
            return _finish(delivery, "skipped", summary)
        delivery.to_address = message.to[:254]
        delivery.subject = message.subject[:300]
        # Kept from the first attempt: a message sent again after a crash is the same one.
        delivery.message_id = delivery.message_id or mail.new_message_id()
        db.session.commit()
        outgoing.send(message, message_id=delivery.message_id)
    except Exception as error:
        db.session.rollback()
        return _failed_attempt(delivery_id, now, error, summary)
    delivery.sent_at = now
    return _finish(delivery, "sent", summary)


def _finish(delivery: Delivery, state: str, summary: Summary) -> str:
    delivery.state, delivery.next_attempt_at, delivery.last_error = state, None, ""
    if state == "sent":
        summary.sent += 1
    else:
        summary.skipped += 1
    db.session.commit()
    return state


def _failed_attempt(delivery_id: int, now: datetime, error: Exception, summary: Summary) -> str:
    delivery = db.session.get(Delivery, delivery_id)
    delivery.last_error = describe(error)[:500]
    where = f"delivery {delivery.id} ({delivery.kind} {delivery.period})"
    if _never_changes(error) or delivery.attempts >= MAX_ATTEMPTS:
        delivery.state, delivery.next_attempt_at = "failed", None
        log.error("%s failed for good after %d attempts: %s", where, delivery.attempts, error)
        summary.failed.append(_failed(delivery))
        outcome = "failed"
    else:
        delivery.next_attempt_at = now + backoff(delivery.attempts)
        log.warning("%s: attempt %d failed, retrying: %s", where, delivery.attempts, error)
        summary.retrying += 1
        outcome = "retrying"
    db.session.commit()
    return "unreachable" if _unreachable(error) else outcome


def backoff(attempts: int) -> timedelta:
    """How long to wait after `attempts` failed attempts: 2, 4, 8, 16 minutes …, capped."""
    return min(BACKOFF_BASE * 2**attempts, BACKOFF_CAP)


def describe(error: Exception) -> str:
    """One line saying why a send failed, in the mail server's words where it gave any."""
    if isinstance(error, smtplib.SMTPRecipientsRefused) and error.recipients:
        code, text = next(iter(error.recipients.values()))
        return f"{code} {_text(text)}"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_text(error.smtp_error)}"
    return f"{type(error).__name__}: {error}".splitlines()[0]


def _text(value) -> str:
    text = value.decode(errors="replace") if isinstance(value, bytes) else str(value)
    return " ".join(text.split())


def _never_changes(error: Exception) -> bool:
    """A refusal of this message itself (5xx for the recipient or the content, a header
    that cannot be sent): trying again gives the same answer. A refused login or sender
    is the operator's setting to fix, so those are retried meanwhile."""
    if isinstance(error, BadHeaderError):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500


def _unreachable(error: Exception) -> bool:
    """The mail server could not be reached at all: the rest of the run would only wait
    for the same timeout, one message after another."""
    if isinstance(error, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def _failed(delivery: Delivery) -> Failed:
    user = db.session.get(User, delivery.user_id)
    circle = db.session.get(Circle, delivery.circle_id)
    return Failed(
        id=delivery.id,
        kind=delivery.kind,
        period=delivery.period,
        member=user.name if user else f"user {delivery.user_id}",
        circle=circle.slug if circle else f"circle {delivery.circle_id}",
        attempts=delivery.attempts,
        error=delivery.last_error,
    )


def failed_deliveries(limit: int = 50) -> list[Failed]:
    """Deliveries given up on, newest first (for a page or the CLI)."""
    rows = db.session.scalars(
        select(Delivery).where(Delivery.state == "failed").order_by(Delivery.id.desc()).limit(limit)
    )
    return [_failed(row) for row in rows]


def _naive_utc(moment: datetime) -> datetime:
    """The database keeps naive UTC; an aware time is converted, a naive one taken as UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
