"""`companion demo`: an idempotent sample setup on the seed work.

A circle of four readers at different places, with a reading history and a schedule, so
the dashboard has something to show and the spoiler rules something to hide."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import current_app

from . import accounts
from .circles import create_circle
from .database import upgrade
from .extensions import db
from .importers import load
from .models import Circle, Membership, Progress, ScheduleEntry, User, move_progress, utcnow
from .spoilers import Position

SEED = "000_7177a6315aa087ac.txt"
PASSWORD = "companion-demo"
CIRCLE_SLUG = "thursday-readers"
# (name, role, where they are: a chapter they finished, or (chapter, paragraph))
MEMBERS = [
    ("mira", "owner", "end"),
    ("priya", "moderator", (5, "middle")),
    ("jonah", "member", 3),
    ("sam", "member", 1),
]


def setup() -> list[str]:
    from .cli import import_work

    upgrade()
    work, created = import_work(load(Path(current_app.config["SEEDS_DIR"]) / SEED))
    lines = [
        f"{'Imported' if created else 'Found'} the sample work: {work.title!r}, "
        f"{work.chapter_count} chapters (work {work.id})"
    ]
    circle = Circle.by_slug(CIRCLE_SLUG)
    if circle is None:
        circle = _create_circle(work)
        lines.append(f"Created the demo circle “{circle.name}”.")
    lines.append(f"Demo logins (password for all: {PASSWORD}):")
    shape = work.shape()
    for name, _, _ in MEMBERS:
        user = User.by_name(name)
        membership = circle.membership_of(user.id)
        position = Progress.of(user.id, work.id)
        lines.append(f"  {name:<6} {membership.role:<9} {shape.describe(position)}")
    return lines


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
    db.session.commit()
    return circle


def _target(shape, where) -> Position:
    if where == "end":
        return shape.end
    if isinstance(where, int):
        return shape.end_of(where)
    chapter, _ = where
    return Position(chapter, shape.paragraph_counts[chapter - 1] // 2)
