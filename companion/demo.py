"""`companion demo`: an idempotent sample setup on the seed work.

A circle of four readers at different places, with a reading history and a schedule, so
the dashboard has something to show and the spoiler rules something to hide."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from . import accounts
from .circles import create_circle
from .database import upgrade
from .extensions import db
from .importers import load
from .library import store_work
from .models import (
    Circle,
    Delivery,
    Membership,
    NotificationSetting,
    Progress,
    ScheduleEntry,
    User,
    Work,
    move_progress,
    utcnow,
)
from .notify import deliveries, mail
from .notify.settings import Choice, choose
from .spoilers import Position

SEED = "000_7177a6315aa087ac.txt"
# The pasted chapter pages carry neither a title nor a byline, and the text names no
# author. The title is the demo's, taken from the author's notes to chapter 1: the story
# underlines "a thing halfway between coping and caring".
SAMPLE_TITLE = "Between Coping and Caring"
PASSWORD = "companion-demo"
CIRCLE_SLUG = "thursday-readers"
ADDRESS_DOMAIN = "example.com"  # RFC 2606: never anyone's real mailbox
# (name, role, where they are: a chapter they finished, or (chapter, paragraph))
MEMBERS = [
    ("mira", "owner", "end"),
    ("priya", "moderator", (5, "middle")),
    ("jonah", "member", 3),
    ("sam", "member", 1),
]


def setup() -> list[str]:
    """Migrate, import (or find, or bring up to date) the sample work and its circle;
    returns the lines `companion demo` prints."""
    upgrade()
    earlier = _earlier_sample()
    result = store_work(
        load(Path(current_app.config["SEEDS_DIR"]) / SEED),
        title=SAMPLE_TITLE,
        replace_work_id=earlier.id if earlier else None,
    )
    work = result.work
    what = {"imported": "Imported the sample work", "unchanged": "Found the sample work"}.get(
        result.outcome, f"Updated the sample work to version {result.version}"
    )
    lines = [f"{what}: \u201c{work.title}\u201d, {work.chapter_count} chapters (work {work.id})"]
    circle = Circle.by_slug(CIRCLE_SLUG)
    if circle is None:
        circle = _create_circle(work)
        lines.append(f"Created the demo circle “{circle.name}”.")
    elif returned := _bring_back_members(circle, work):
        lines.append(f"Back in the demo circle: {', '.join(returned)}.")
    lines.append(f"Demo logins (password for all: {PASSWORD}):")
    shape = work.shape()
    for name, _, _ in MEMBERS:
        user = User.by_name(name)
        membership = circle.membership_of(user.id)
        position = Progress.of(user.id, work.id)
        lines.append(f"  {name:<6} {membership.role:<9} {shape.describe(position)}")
    lines += _first_digests(circle)
    return lines


def _first_digests(circle: Circle) -> list[str]:
    """The demo readers' mail: each gets an address (verified: the operator gives it) and
    a daily digest, and once, a first digest of everything they can read so far, sent by
    the delivery engine (to instance/outbox/ unless SMTP is set up). A later run sends
    nothing again: the engine's regular digests take over from where these end."""
    now = utcnow()
    addresses, first = [], 0
    for name, _, _ in MEMBERS:
        user = User.by_name(name)
        if user.email is None:
            try:
                accounts.set_email(user, f"{name}@{ADDRESS_DOMAIN}", verified=True)
            except accounts.AccountError:
                continue  # someone here already verified that address: theirs, not ours
        if not user.verified_email:
            continue
        addresses.append(user.verified_email)
        chosen = select(NotificationSetting.id).filter_by(user_id=user.id, circle_id=circle.id)
        if db.session.scalar(chosen) is None:  # what they chose themselves stays
            choose(user.id, circle.id, Choice(digest="daily"))
        sent = select(Delivery.id).filter_by(user_id=user.id, circle_id=circle.id, kind="digest")
        if db.session.scalar(sent.limit(1)) is not None:
            continue
        # Recorded like the engine's own digests, for today, covering from the beginning:
        # the engine's first digest looks back one day only, and the demo's history is
        # older than that. Tomorrow's digest starts where this one ends.
        db.session.add(
            Delivery(
                user_id=user.id,
                circle_id=circle.id,
                kind="digest",
                period=deliveries.period_key("daily", now),
                covers_from=None,
                covers_until=now,
                to_address=user.verified_email,
            )
        )
        first += 1
    db.session.commit()
    lines = [f"Their mail goes to {', '.join(addresses)} (daily digests)."] if addresses else []
    if not first:
        return lines
    try:
        summary = deliveries.run(now)
    except Exception as error:  # the demo carries on without mail; say why, no traceback
        db.session.rollback()
        reason = deliveries.describe(error)
        lines.append(f"Could not send the first digests ({reason}); try 'companion notify run'.")
        return lines
    where = (
        "sent by SMTP"
        if current_app.config.get("MAIL_SERVER")
        else f"in {mail.outbox_path(current_app.instance_path)} (log in, open /outbox)"
    )
    lines.append(f"First digests: {summary.sent} {where}.")
    lines += [failure.line() for failure in summary.failed]
    if summary.retrying or summary.left:
        lines.append("Some mail is not out yet; 'companion notify run' tries again.")
    return lines


def _earlier_sample() -> Work | None:
    """The sample as an earlier demo run stored it (perhaps under the old "Untitled work",
    which hashes differently), so this run updates it in place instead of adding a copy:
    the demo circle's work when it is the seed, else the first work imported from it."""
    circle = Circle.by_slug(CIRCLE_SLUG)
    if circle is not None and circle.work is not None and circle.work.source_name == SEED:
        return circle.work
    return db.session.scalar(select(Work).where(Work.source_name == SEED).order_by(Work.id))


def _bring_back_members(circle: Circle, work) -> list[str]:
    """Demo readers who left the circle (or were removed) while trying it out rejoin in
    their demo role; where they had got to in the work is theirs and stays."""
    returned = []
    for name, role, where in MEMBERS:
        user = User.by_name(name) or accounts.create_user(name, PASSWORD)
        db.session.flush()
        if circle.membership_of(user.id) is not None:
            continue
        has_owner = any(m.role == "owner" for m in circle.memberships)
        circle.memberships.append(
            Membership(user=user, role="member" if role == "owner" and has_owner else role)
        )
        if Progress.of(user.id, work.id) == (0, 0):
            move_progress(user.id, work.id, _target(work.shape(), where))
        returned.append(name)
    db.session.commit()
    return returned


def _create_circle(work) -> Circle:
    shape = work.shape()
    users = {}
    for name, _, _ in MEMBERS:
        users[name] = User.by_name(name) or accounts.create_user(name, PASSWORD)
    db.session.flush()
    circle = create_circle(users["mira"], "Thursday readers", work)
    circle.slug = CIRCLE_SLUG
    for name, role, _ in MEMBERS[1:]:
        circle.memberships.append(Membership(user=users[name], role=role))
    now = utcnow()
    start = (now - timedelta(days=21)).date()
    circle.schedule = [
        ScheduleEntry(chapter=n, due=start + timedelta(days=5 * n)) for n in range(1, 9)
    ]
    for name, _, where in MEMBERS:
        target = _target(shape, where)
        # A believable history: one chapter every few days up to where they are now.
        steps = [shape.end_of(n) for n in range(1, target.chapter)] + [target]
        for i, step in enumerate(steps):
            when = now - timedelta(days=3 * (len(steps) - i), hours=len(name))
            move_progress(users[name].id, work.id, step, at=when)
    db.session.flush()
    _seed_discussion(circle, shape)
    db.session.commit()
    return circle


# (author, chapter, paragraph or None, level: "end" of the chapter / "mine" (the author's
#  own position) / a chapter number whose end it is / (chapter, paragraph), text, replies)
DISCUSSION = [
    (
        "sam",
        1,
        None,
        "end",
        "The market scene made me laugh out loud. Genma as a reluctant "
        "wingman is exactly the energy I needed.",
        [
            (
                "jonah",
                "end",
                "Right? \"I'll see you tonight. Don't be late.\" Iruka is in charge "
                "and everyone knows it.",
            ),
            (
                "mira",
                "end",
                "Keep an eye on how often people call each other an idiot in this "
                "story. It starts as a joke.",
            ),
        ],
    ),
    (
        "priya",
        1,
        7,
        (1, 7),
        "This line is the thesis of the whole first chapter, I think.",
        [
            ("sam", (1, 7), "Agreed. Kakashi says the quiet part out loud."),
        ],
    ),
    (
        "mira",
        1,
        None,
        "mine",
        "Re-reading chapter 1 after finishing is brutal. Every light moment lands differently now.",
        [],
    ),
    (
        "jonah",
        2,
        None,
        "end",
        "The building infiltration had me holding my breath. I had to "
        "put my phone down for a minute.",
        [
            (
                "priya",
                "end",
                "The summary warns you, but it's still a lot. The author doesn't look away.",
            ),
        ],
    ),
    ("priya", 2, 30, (2, 30), "Planning three ways out at once is *so* in character.", []),
    (
        "mira",
        2,
        None,
        5,
        "The choices in this chapter echo all the way to the end of chapter 5.",
        [],
    ),
    (
        "jonah",
        3,
        None,
        "end",
        'I love that Iruka is the stubborn one here. "I\'m not leaving you here" hits hard.',
        [],
    ),
    ("priya", 3, None, 4, "Knowing how chapter 4 goes, this ending is even more tense.", []),
    (
        "priya",
        4,
        None,
        "end",
        "I did not see that loss coming. I need a minute.",
        [
            ("mira", "end", "Same. The end note says it hurt to write, and you can tell."),
        ],
    ),
    (
        "priya",
        5,
        None,
        "mine",
        "Halfway through, and the conversation about regret is so quiet and so sad.",
        [],
    ),
    ("mira", 5, None, "end", "That last scene of the chapter! Nobody breathe.", []),
    ("mira", 6, None, "end", "Working through the night on the seals is such a love language.", []),
    (
        "mira",
        8,
        None,
        "end",
        "I cried. Go read something happy afterwards, like the author says.",
        [],
    ),
]


def _seed_discussion(circle: Circle, shape) -> None:
    """Comments and replies written through the same code path as the pages."""
    from .comments import post, viewer_for
    from .reading import find_chapter, paragraphs_of

    members = {m.user.name: m for m in circle.memberships}
    started = utcnow() - timedelta(days=12)

    def level_of(spec, author: str, chapter: int) -> Position:
        viewer = viewer_for(circle, members[author])
        if spec == "mine":
            return viewer.progress
        if spec == "end":
            return shape.end_of(chapter)
        return shape.end_of(spec) if isinstance(spec, int) else Position(*spec)

    for i, (author, number, paragraph, level, text, replies) in enumerate(DISCUSSION):
        chapter = find_chapter(circle.work_id, number)
        count = len(paragraphs_of(chapter))
        viewer = viewer_for(circle, members[author])
        parent = post(
            viewer, chapter, count, text, paragraph=paragraph,
            level=level_of(level, author, number),
        )  # fmt: skip
        parent.created_at = parent.updated_at = started + timedelta(hours=20 * i)
        db.session.flush()
        for j, (replier, reply_level, reply_text) in enumerate(replies):
            replier_view = viewer_for(circle, members[replier])
            reply_at = level_of(reply_level, replier, number)
            reply = post(
                replier_view, chapter, count, reply_text, parent_id=parent.id, level=reply_at
            )
            reply.created_at = reply.updated_at = parent.created_at + timedelta(hours=2 + j)
            db.session.flush()


def _target(shape, where) -> Position:
    if where == "end":
        return shape.end
    if isinstance(where, int):
        return shape.end_of(where)
    chapter, _ = where
    return Position(chapter, shape.paragraph_counts[chapter - 1] // 2)
