"""Who may read which work, decided in one place.

A public work is anyone's. A private one (uploaded through a circle, or imported with
`--private`) is readable by its uploader and by the members of every circle reading it: a
circle whose current work it is, or that has it on its shelf (`CircleWork`). Everyone else
is told it does not exist, with the same 404 as an id nobody ever used, never a 403: a 403
would confirm the work is there.

`readable_by(user_id)` is the rule as a SQL clause over `Work` (subqueries, never a loop,
so a list of works stays one query whatever its length); the helpers below apply it to one
work, one chapter, or the anonymous page cache. Inside a circle, membership is itself the
proof (`circles.circle_view`): its members may read the circle's work by this very rule,
so circle pages need no second check. Only the uploader may edit a work's details."""

from __future__ import annotations

from collections.abc import Hashable

from flask import abort
from flask_login import current_user
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import contains_eager

from ..extensions import db
from ..models import Chapter, Circle, CircleWork, Membership, Work

PUBLIC, PRIVATE = "public", "private"
WORK_NOT_FOUND = "We couldn't find that work."
CHAPTER_NOT_FOUND = "That chapter doesn't exist in this work."


def readable_by(user_id: int | None) -> ColumnElement[bool]:
    """The works `user_id` may read (None: an anonymous visitor), as a WHERE clause."""
    public = Work.visibility != PRIVATE
    if user_id is None:
        return public
    their_circles = select(Membership.circle_id).where(Membership.user_id == user_id)
    return or_(
        public,
        Work.uploaded_by_id == user_id,
        Work.id.in_(select(Circle.work_id).where(Circle.id.in_(their_circles))),
        Work.id.in_(select(CircleWork.work_id).where(CircleWork.circle_id.in_(their_circles))),
    )


def startable_by(user_id: int) -> ColumnElement[bool]:
    """The works `user_id` may start a circle reading: public ones, their own uploads, and
    the private works of circles they own. A member may read a private work, but may not
    pass it on: a circle of their own would let them invite anyone."""
    owned = select(Membership.circle_id).where(
        Membership.user_id == user_id, Membership.role == "owner"
    )
    return or_(
        Work.visibility != PRIVATE,
        Work.uploaded_by_id == user_id,
        Work.id.in_(select(Circle.work_id).where(Circle.id.in_(owned))),
        Work.id.in_(select(CircleWork.work_id).where(CircleWork.circle_id.in_(owned))),
    )


def startable_works(user_id: int):
    """A select of the works `user_id` may start a circle with, in library order."""
    return select(Work).where(startable_by(user_id)).order_by(Work.title, Work.id)


def startable_work_or_404(work_id: int, user_id: int) -> Work:
    """The work, if `user_id` may start a circle reading it. One they may read but not
    pass on is a 403 (they know it is there); one they may not read, the usual 404."""
    work = readable_work_or_404(work_id, user_id)
    if db.session.scalar(select(Work.id).where(Work.id == work.id, startable_by(user_id))):
        return work
    abort(403, "This work is private to its circle: only its owner can start another circle.")


def reader_id() -> int | None:
    """The signed-in person on a page (the API passes its token's user instead: a browser
    cookie never speaks for an API call)."""
    return current_user.id if current_user.is_authenticated else None


def can_read(user_id: int | None, work: Work) -> bool:
    if not work.is_private:
        return True
    if user_id is None:
        return False
    if work.uploaded_by_id == user_id:
        return True
    found = db.session.scalar(select(Work.id).where(Work.id == work.id, readable_by(user_id)))
    return found is not None


def readable_works(user_id: int | None):
    """A select of the works `user_id` may read, in library order."""
    return select(Work).where(readable_by(user_id)).order_by(Work.title, Work.id)


def readable_work_or_404(work_id: int, user_id: int | None, *options) -> Work:
    """The work, if `user_id` may read it; the same 404 as a missing one otherwise."""
    work = db.session.scalar(
        select(Work).where(Work.id == work_id, readable_by(user_id)).options(*options)
    )
    if work is None:
        abort(404, WORK_NOT_FOUND)
    return work


def readable_chapter_or_404(work_id: int, number: int, user_id: int | None) -> Chapter:
    """Chapter `number` with its work, in one query; a work the reader may not read is
    missing (so its chapters are too), and a missing chapter of a readable one says so."""
    chapter = db.session.scalar(
        select(Chapter)
        .join(Chapter.work)
        .where(Chapter.work_id == work_id, Chapter.number == number, readable_by(user_id))
        .options(contains_eager(Chapter.work))
    )
    if chapter is None:
        readable_work_or_404(work_id, user_id)  # the same 404 as a missing work, if it is one
        abort(404, CHAPTER_NOT_FOUND)
    return chapter


def can_edit(user_id: int | None, work: Work) -> bool:
    """Only the uploader edits a work's details (a work imported on the command line has
    none, so its details change through the command line only)."""
    return user_id is not None and work.uploaded_by_id == user_id


def require_uploader(work: Work, user_id: int | None) -> None:
    """For someone who may read the work: a 403 unless they uploaded it."""
    if not can_edit(user_id, work):
        abort(403, "Only the person who uploaded this work can edit its details.")


def anonymous_version(work_id: int) -> Hashable | None:
    """What an anonymous visitor's pages of a work depend on: its text, its details and its
    visibility. None for a private (or missing) work, so the page cache never keeps one and
    forgets a work that was made private at its next re-check."""
    row = db.session.execute(
        select(Work.content_hash, Work.visibility, Work.updated_at).where(
            Work.id == work_id, readable_by(None)
        )
    ).first()
    return tuple(row) if row else None
