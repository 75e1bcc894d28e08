"""`GET|PUT /api/v1/me/notifications`: the caller's notification choices in every circle
they belong to, `{"circles": {"<slug>": {"digest", "replies", "reminders"}}}`.

A PUT names some circles and some fields; everything is checked before anything is saved
(a circle the caller isn't in is a 404, a bad value a 400 naming the field), then all of it
is saved in one transaction."""

from __future__ import annotations

from dataclasses import replace

from flask import abort, g, jsonify, request
from sqlalchemy import select

from ..api import body, bp, token_required
from ..circles import NOT_FOUND
from ..extensions import db
from ..models import DIGEST_CHOICES, REPLY_CHOICES, Circle, Membership, NotificationSetting
from .settings import DEFAULT, Choice, choose

FIELDS = {
    "digest": lambda value: value in DIGEST_CHOICES,
    "replies": lambda value: value in REPLY_CHOICES,
    "reminders": lambda value: isinstance(value, bool),
}
EXPECTED = {
    "digest": "one of " + ", ".join(f'"{v}"' for v in DIGEST_CHOICES),
    "replies": "one of " + ", ".join(f'"{v}"' for v in REPLY_CHOICES),
    "reminders": "true or false",
}


def choice_json(choice: Choice) -> dict:
    return {"digest": choice.digest, "replies": choice.replies, "reminders": choice.reminders}


def choices_of(user_id: int) -> dict[str, tuple[int, Choice]]:
    """slug → (circle id, what the member chose or the defaults), for every circle of the
    member (two queries)."""
    circles = db.session.execute(
        select(Circle.id, Circle.slug)
        .join(Membership, Membership.circle_id == Circle.id)
        .where(Membership.user_id == user_id)
        .order_by(Circle.slug)
    ).all()
    chosen = {
        row.circle_id: Choice(row.digest, row.replies, row.reminders)
        for row in db.session.scalars(
            select(NotificationSetting).where(NotificationSetting.user_id == user_id)
        )
    }
    return {slug: (cid, chosen.get(cid, DEFAULT)) for cid, slug in circles}


def document(user_id: int) -> dict:
    return {"circles": {slug: choice_json(c) for slug, (_, c) in choices_of(user_id).items()}}


@bp.route("/me/notifications", methods=["GET", "PUT"])
@token_required
def my_notifications():
    if request.method == "PUT":
        save(g.api_user.id, body())
    return jsonify(document(g.api_user.id))


def save(user_id: int, data: dict) -> None:
    """Check the whole document, then store every change (one commit)."""
    if unknown := sorted(set(data) - {"circles"}):
        abort(400, f"Unknown field '{unknown[0]}': send {{\"circles\": {{...}}}}.")
    wanted = data.get("circles")
    if not isinstance(wanted, dict):
        abort(400, "'circles' must be an object keyed by circle slug.")
    mine = choices_of(user_id)
    changes = []
    for slug, fields in wanted.items():
        if slug not in mine:
            abort(404, NOT_FOUND)  # the same answer as every circle route
        if not isinstance(fields, dict):
            abort(400, f"'circles.{slug}' must be an object with digest, replies, reminders.")
        for name, value in fields.items():
            if name not in FIELDS:
                abort(400, f"Unknown field 'circles.{slug}.{name}'.")
            if not FIELDS[name](value):
                abort(400, f"'circles.{slug}.{name}' must be {EXPECTED[name]}.")
        circle_id, choice = mine[slug]
        changes.append((circle_id, replace(choice, **fields)))
    for circle_id, choice in changes:
        choose(user_id, circle_id, choice)
    db.session.commit()
