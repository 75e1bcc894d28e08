"""What a member wants to be told about a circle. No row means the defaults: no digest
until they choose one (DESIGN: off by default), replies gathered in the digest, reminders
on; and nothing at all is sent to an account without a verified address."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..models import DIGEST_CHOICES, REPLY_CHOICES, NotificationSetting, utcnow


@dataclass(frozen=True)
class Choice:
    digest: str = "off"  # off | daily | weekly
    replies: str = "digest"  # off | now | digest
    reminders: bool = True


DEFAULT = Choice()


def choice_of(user_id: int, circle_id: int) -> Choice:
    row = db.session.scalar(
        select(NotificationSetting).where(
            NotificationSetting.user_id == user_id, NotificationSetting.circle_id == circle_id
        )
    )
    return Choice(row.digest, row.replies, row.reminders) if row else DEFAULT


def choose(user_id: int, circle_id: int, choice: Choice) -> NotificationSetting:
    """Store a member's choice (validated here; no commit)."""
    if choice.digest not in DIGEST_CHOICES:
        raise ValueError(f"digest must be one of {', '.join(DIGEST_CHOICES)}")
    if choice.replies not in REPLY_CHOICES:
        raise ValueError(f"replies must be one of {', '.join(REPLY_CHOICES)}")
    row = db.session.scalar(
        select(NotificationSetting).where(
            NotificationSetting.user_id == user_id, NotificationSetting.circle_id == circle_id
        )
    )
    if row is None:
        row = NotificationSetting(user_id=user_id, circle_id=circle_id)
        db.session.add(row)
    row.digest, row.replies, row.reminders = choice.digest, choice.replies, bool(choice.reminders)
    row.updated_at = utcnow()
    return row
