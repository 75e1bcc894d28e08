"""A message ready to send: who to, what it says (plain text and HTML from the same
templates), and its headers (List-Unsubscribe and friends). Built by `compose`, sent by
`mail`; nothing here touches the database."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Message:
    to: str
    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)
    # The account it is for: the demo's outbox shows each member their own mail by it
    # (an address may not be verified yet, and may be typed by anyone).
    member_id: int | None = None
