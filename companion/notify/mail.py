"""Sending a `Message`: over SMTP when `MAIL_SERVER` is set, else as one `.eml` file per
message in `instance/outbox/`, which the demo's outbox page lists (`outbox_messages`).

Flask-Mailman does the mail itself: a maintained port of Django's mail API, which gives
SMTP with STARTTLS and login, one connection reused for many messages, multipart/alternative
messages and header-injection checks for free. The outbox backend is ours: Flask-Mailman's
file backend appends every message of a connection to one log file, and the demo needs one
parseable file per message.

The backend is chosen from the app's config when a message is sent, not when the app is
built, so a test (or an operator's shell) can point a running app at another server."""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import re
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import make_msgid, parseaddr
from pathlib import Path

from flask import Flask, current_app
from flask_mailman import EmailMultiAlternatives, Mail
from flask_mailman.backends.base import BaseEmailBackend

from .messages import Message

mail = Mail()

OUTBOX = "outbox"
# 20261203T082212123456Z-1a2b3c4d.eml: the name sorts by the time it was written.
OUTBOX_NAME = re.compile(r"^\d{8}T\d{12}Z-[0-9a-f]{8}\.eml$")
# Set by `send` itself; a composer's headers may not replace them.
OWN_HEADERS = {"message-id", "from", "to", "subject", "cc", "bcc", "reply-to"}


def init_app(app: Flask) -> None:
    mail.init_app(app)


def send(message: Message, *, message_id: str | None = None) -> str:
    """Send one message now (its own connection); returns its Message-ID."""
    with Outgoing() as outgoing:
        return outgoing.send(message, message_id=message_id)


class Outgoing:
    """One connection for many messages (a run of the delivery engine), opened on the
    first send. After a failed send the connection is dropped, so the next message gets a
    fresh one instead of a half-broken session."""

    def __init__(self) -> None:
        self._backend: BaseEmailBackend | None = None

    def send(self, message: Message, *, message_id: str | None = None) -> str:
        message_id = message_id or new_message_id()
        mail_message = build(message, message_id)
        try:
            if self._backend is None:
                self._backend = _backend()
                self._backend.open()
            self._backend.send_messages([mail_message])
        except BaseException:
            self.close()
            raise
        return message_id

    def close(self) -> None:
        backend, self._backend = self._backend, None
        if backend is not None:
            # A server that hung up already leaves nothing to close.
            with contextlib.suppress(Exception):
                backend.close()

    def __enter__(self) -> Outgoing:
        return self

    def __exit__(self, *_) -> None:
        self.close()


MEMBER_HEADER = "X-Companion-Member"


def new_message_id() -> str:
    """A Message-ID on the sender's domain, e.g. <…@localhost>."""
    domain = parseaddr(current_app.config["MAIL_FROM"])[1].rpartition("@")[2] or "localhost"
    return make_msgid(domain=domain)


def build(message: Message, message_id: str) -> EmailMultiAlternatives:
    """The mail for `message`: multipart/alternative, the plain text first and the HTML
    last (the part a client prefers), From MAIL_FROM, and the message's own headers."""
    headers = {k: v for k, v in message.headers.items() if k.lower() not in OWN_HEADERS}
    if message.member_id is not None and not current_app.config.get("MAIL_SERVER"):
        # Only in the outbox (never over SMTP): whose mail it is, for the outbox page.
        headers[MEMBER_HEADER] = str(message.member_id)
    mail_message = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        from_email=current_app.config["MAIL_FROM"],
        to=[message.to],
        headers={**headers, "Message-ID": message_id},
    )
    mail_message.attach_alternative(message.html, "text/html")
    return mail_message


def _backend() -> BaseEmailBackend:
    config = current_app.config
    if config.get("MAIL_SERVER"):
        return mail.get_connection(
            "smtp",
            host=config["MAIL_SERVER"],
            port=config["MAIL_PORT"],
            username=config.get("MAIL_USERNAME") or None,
            password=config.get("MAIL_PASSWORD") or None,
            use_tls=bool(config.get("MAIL_USE_TLS")),
            timeout=config.get("MAIL_TIMEOUT"),
        )
    return mail.get_connection(OutboxEmailBackend, file_path=outbox_path(current_app.instance_path))


def outbox_path(instance_path: str) -> Path:
    return Path(instance_path) / OUTBOX


class OutboxEmailBackend(BaseEmailBackend):
    """Writes each message as its own .eml file, atomically (a hidden temporary file,
    then a rename), so a reader of the folder never sees half a message."""

    def __init__(self, *args, file_path: str | Path, **kwargs):
        super().__init__(*args, **kwargs)
        self.folder = Path(file_path)

    def send_messages(self, email_messages) -> int:
        self.folder.mkdir(parents=True, exist_ok=True)
        for mail_message in email_messages:
            self._write(mail_message.message().as_bytes())
        return len(email_messages)

    def _write(self, data: bytes) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = self.folder / f"{stamp}-{secrets.token_hex(4)}.eml"
        descriptor, temporary = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return target


# --- reading the outbox (the demo's outbox page) ---------------------------------------


@dataclass
class OutboxMessage:
    name: str  # the file's name: an id for one message's page
    date: datetime | None
    sender: str
    to: str
    subject: str
    text: str
    html: str
    message_id: str
    headers: dict[str, str] = field(default_factory=dict)


def outbox_messages(instance_path: str, limit: int | None = None) -> list[OutboxMessage]:
    """The messages in the outbox, newest first (at most `limit`)."""
    names = sorted(_outbox_names(instance_path), reverse=True)
    if limit is not None:
        names = names[:limit]
    found = (outbox_message(instance_path, name) for name in names)
    return [message for message in found if message is not None]


def outbox_message(instance_path: str, name: str) -> OutboxMessage | None:
    """One message by its file name; None for a name that is not an outbox file's (so a
    page can answer 404, and no path outside the outbox is ever read)."""
    if not OUTBOX_NAME.match(name):
        return None
    try:
        data = (outbox_path(instance_path) / name).read_bytes()
    except OSError:
        return None
    return parse(name, data)


def parse(name: str, data: bytes) -> OutboxMessage:
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    text = parsed.get_body(preferencelist=("plain",))
    html = parsed.get_body(preferencelist=("html",))
    when = getattr(parsed["Date"], "datetime", None)
    if when is not None and when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return OutboxMessage(
        name=name,
        date=when,
        sender=str(parsed["From"] or ""),
        to=str(parsed["To"] or ""),
        subject=str(parsed["Subject"] or ""),
        text=text.get_content() if text is not None else "",
        html=html.get_content() if html is not None else "",
        message_id=str(parsed["Message-ID"] or ""),
        # Unfolded: a long header continues on the next line, after a space.
        headers={key: str(value).strip() for key, value in parsed.items()},
    )


def _outbox_names(instance_path: str) -> Iterator[str]:
    try:
        entries = list(os.scandir(outbox_path(instance_path)))
    except FileNotFoundError:
        return
    for entry in entries:
        if OUTBOX_NAME.match(entry.name) and entry.is_file():
            yield entry.name
