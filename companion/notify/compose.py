"""What each message says: a recorded Delivery → a Message for the member it goes to, or
None when there is nothing to say (a digest with nothing new, a reply they can no longer
see, a reminder for a chapter they have already finished).

Everything about the discussion is read through the spoiler gate (`companion.comments`)
with the member's progress at the moment the message is written, and chapter titles only
for chapters they have reached: nothing above their place reaches the subject, either
part or the headers (DESIGN rule 4). Both parts come from one template pair under
templates/mail/, with a footer linking to the member's settings and a one-click
unsubscribe (RFC 8058) signed for this member, circle and kind of message."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urlsplit

from flask import current_app, render_template

from .. import comments
from ..comments import DiscussionError, Viewer, viewer_for
from ..extensions import db
from ..models import Circle, Delivery, ScheduleEntry, User, utcnow
from . import digest, tokens
from .messages import Message
from .settings import choice_of

KINDS = ("digest", "reply", "reminder")


def external_url(endpoint: str, **values) -> str:
    """An absolute link for mail. Mail is written outside any request (a worker, the CLI)
    and must point where members reach the app, PUBLIC_URL, whoever's request (if any)
    happens to be running: so the URL map is bound to it rather than to a request."""
    base = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word if count == 1 else (words or word + 's')}"


def one_line(text: str) -> str:
    # A header never carries a line break (a circle's name is the member's words).
    return " ".join(text.split())


def compose(delivery: Delivery) -> Message | None:
    """The message a recorded delivery sends, written now, for its member; None if there
    is nothing (any more) to say or nobody to say it to."""
    if delivery.kind not in KINDS:
        raise ValueError(f"unknown kind of message: {delivery.kind!r}")
    user = db.session.get(User, delivery.user_id)
    circle = db.session.get(Circle, delivery.circle_id)
    membership = circle.membership_of(user.id) if user and circle else None
    to = delivery.to_address or (user.verified_email if user else None)
    if membership is None or not to:
        return None
    viewer = viewer_for(circle, membership)
    write = {"digest": _digest, "reply": _reply, "reminder": _reminder}[delivery.kind]
    content = write(delivery, circle, viewer)
    if content is None:
        return None
    subject, template, context = content
    return _message(to, user, circle, delivery.kind, subject, template, context)


def digest_preview(user: User, circle: Circle) -> digest.Digest | None:
    """What the member's next digest would say now (the settings page's preview): the
    window opens where their last digest ended, or at the beginning."""
    membership = circle.membership_of(user.id)
    if membership is None:
        return None
    last = db.session.scalar(
        db.select(db.func.max(Delivery.covers_until)).where(
            Delivery.user_id == user.id,
            Delivery.circle_id == circle.id,
            Delivery.kind == "digest",
            Delivery.state == "sent",
        )
    )
    return digest.for_window(circle, viewer_for(circle, membership), last, None)


# --- the three kinds -------------------------------------------------------------------


def _digest(delivery: Delivery, circle: Circle, viewer: Viewer):
    content = digest.for_window(circle, viewer, delivery.covers_from, delivery.covers_until)
    if not content.total:
        return None
    subject = f"{circle.name}: {plural(content.total, 'new comment')} you can read"
    return subject, "digest", {"digest": content, "often": choice_of(viewer.user_id, circle.id)}


def _reply(delivery: Delivery, circle: Circle, viewer: Viewer):
    """Someone answered one of the member's comments: the reply alone, if they see it."""
    match = re.fullmatch(r"comment-(\d+)", delivery.period)
    if match is None:
        return None
    try:
        reply = comments.visible_one(viewer, int(match.group(1)))
        if reply.parent_id is None:
            return None
        parent = comments.visible_one(viewer, reply.parent_id)
    except DiscussionError:
        return None  # beyond them now (they moved back), hidden or gone
    if reply.deleted_at or reply.author_id == viewer.user_id or parent.author_id != viewer.user_id:
        return None
    subject = f"{circle.name}: {reply.author.name} replied to your comment"
    return subject, "reply", {"reply": reply, "parent": parent}


def _reminder(delivery: Delivery, circle: Circle, viewer: Viewer):
    """A chapter is due soon and the member has not finished it: its number (never its
    title: they have not read it), where they are and a link to read on."""
    match = re.fullmatch(r"chapter-(\d+)(?:-.*)?", delivery.period)
    if match is None:
        return None
    entry = db.session.scalar(
        db.select(ScheduleEntry).where(
            ScheduleEntry.circle_id == circle.id, ScheduleEntry.chapter == int(match.group(1))
        )
    )
    shape = circle.work.shape()
    today = utcnow().date()
    if entry is None or entry.chapter > shape.chapters or entry.due < today:
        return None
    if shape.has_finished(viewer.progress, entry.chapter):
        return None
    when = due_words(entry.due, today)
    context = {
        "chapter": entry.chapter,
        "when": when,
        "to_go": entry.chapter - shape.finished_chapters(viewer.progress),
        "next_chapter": shape.reading_now(viewer.progress),
        "standing": digest.standing_of(circle, viewer, shape, today),
    }
    return f"{circle.name}: chapter {entry.chapter} is due {when}", "reminder", context


def due_words(due: date, today: date) -> str:
    if due == today:
        return "today"
    if due == today + timedelta(days=1):
        return "tomorrow"
    return f"on {due.strftime('%A')} {due.day} {due.strftime('%B')}"


# --- rendering -------------------------------------------------------------------------

WHAT = {"digest": "digests", "reply": "reply notices", "reminder": "schedule reminders"}


def _message(to: str, user: User, circle: Circle, kind: str, subject: str, name: str, context):
    token = tokens.make(tokens.UNSUBSCRIBE, {"user": user.id, "circle": circle.id, "kind": kind})
    unsubscribe = external_url("notify.unsubscribe", token=token)
    subject = one_line(subject)
    context = context | {
        "user": user,
        "circle": circle,
        "subject": subject,
        "link": external_url,
        "what": WHAT[kind],
        "settings_url": external_url("notify.settings", slug=circle.slug),
        "unsubscribe_url": unsubscribe,
    }
    text = render_template(f"mail/{name}.txt", **context)
    html = render_template(f"mail/{name}.html", **context)
    host = urlsplit(current_app.config["PUBLIC_URL"]).hostname or "localhost"
    headers = {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"<{circle.slug}.{host}>",
        "Auto-Submitted": "auto-generated",  # RFC 3834: no vacation replies, please
    }
    return Message(
        to=to, subject=subject, text=tidy(text), html=html, headers=headers, member_id=user.id
    )


def tidy(text: str) -> str:
    """Template whitespace out of the plain-text part: no trailing blanks, at most one
    empty line in a row."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"
