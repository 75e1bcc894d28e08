"""A circle's shelf: the works it means to read next, besides the one it reads now.

A work on the shelf is readable by the circle's members even when private (see `access`).
When the owner starts reading one together, the shelf entry becomes a circle of its own
with the same members and roles: each read keeps its own discussion, and progress stays
per work. Nothing here commits; the caller decides the transaction."""

from __future__ import annotations

from sqlalchemy import delete, select

from ..extensions import db
from ..models import Circle, CircleWork, Membership, Work

NAME_LENGTH = 80  # Circle.name


def shelf_of(circle_id: int) -> list[Work]:
    """The works on a circle's shelf, first added first, in one query."""
    return list(
        db.session.scalars(
            select(Work)
            .join(CircleWork, CircleWork.work_id == Work.id)
            .where(CircleWork.circle_id == circle_id)
            .order_by(CircleWork.added_at, CircleWork.id)
        )
    )


def add_to_shelf(circle_id: int, work_id: int, added_by_id: int | None) -> CircleWork:
    """Put a work on a circle's shelf (once: adding it again keeps the first entry)."""
    entry = db.session.scalar(
        select(CircleWork).where(CircleWork.circle_id == circle_id, CircleWork.work_id == work_id)
    )
    if entry is None:
        entry = CircleWork(circle_id=circle_id, work_id=work_id, added_by_id=added_by_id)
        db.session.add(entry)
    return entry


def shelved_work(circle_id: int, work_id: int) -> Work | None:
    """The work, if it is on this circle's shelf."""
    return db.session.scalar(
        select(Work)
        .join(CircleWork, CircleWork.work_id == Work.id)
        .where(CircleWork.circle_id == circle_id, Work.id == work_id)
    )


def next_read_name(circle: Circle, work: Work) -> str:
    """ "Book club: The Title", shortened to fit a circle's name."""
    name = f"{circle.name}: {work.title}"
    if len(name) > NAME_LENGTH:
        name = name[: NAME_LENGTH - 1].rstrip() + "\u2026"
    return name


def move_to_new_circle(circle: Circle, work: Work, new_circle: Circle) -> None:
    """Everyone in `circle` joins `new_circle` (made for `work`) with the role they have
    now, and the work leaves the shelf. The new circle's owner is already in it."""
    db.session.flush()  # the new circle and its owner's membership get their ids
    already = {m.user_id for m in new_circle.memberships}
    for membership in circle.memberships:
        if membership.user_id not in already:
            new_circle.memberships.append(
                Membership(
                    user_id=membership.user_id,
                    role=membership.role,
                    can_post=membership.can_post,
                )
            )
    db.session.execute(
        delete(CircleWork).where(CircleWork.circle_id == circle.id, CircleWork.work_id == work.id)
    )
