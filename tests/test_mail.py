"""Sending mail: over SMTP to a real server the test starts (aiosmtpd on 127.0.0.1), read
back with the standard `email` package; and, with no MAIL_SERVER, one parseable .eml file
per message in the instance's outbox folder."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from companion import config
from companion.models import utcnow
from companion.notify import mail
from companion.notify.messages import Message

UNSUBSCRIBE = "<http://127.0.0.1:5000/notifications/unsubscribe/signed-token>"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    peer: tuple  # the client's address and port: one per connection
    login: bytes | None

    def parsed(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailServer:
    """A real SMTP server on 127.0.0.1 for one test, keeping what it accepts. It answers
    `refusal` to the first `refuse` messages (a server that is busy, or that will never
    take them), and may take `delay` seconds over each one."""

    def __init__(
        self,
        *,
        refuse: int = 0,
        refusal: str = "451 4.3.0 Try again later",
        delay: float = 0.0,
        logins: dict[str, str] | None = None,
    ):
        self.refuse, self.refusal, self.delay = refuse, refusal, delay
        self.logins = logins
        self.received: list[Received] = []
        self.refused = 0
        self._lock = threading.Lock()
        self.port = free_port()
        options = {}
        if logins is not None:
            options = {"authenticator": self._authenticate, "auth_require_tls": False}
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, **options)

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and self.logins.get(auth_data.login.decode()) == auth_data.password.decode()
        )
        # handled=False: aiosmtpd answers a refusal itself (535).
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        with self._lock:
            if self.refused < self.refuse:
                self.refused += 1
                return self.refusal
            login = getattr(session.auth_data, "login", None)
            self.received.append(
                Received(
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    envelope.original_content,
                    session.peer,
                    login,
                )
            )
        return "250 2.0.0 Accepted"

    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return [received.parsed() for received in self.received]

    def __enter__(self) -> MailServer:
        self.controller.start()
        return self

    def __exit__(self, *_) -> None:
        self.controller.stop()


def send_to(monkeypatch, app, server: MailServer | None, **settings) -> None:
    """Point the app's mail at `server` for this test (restored afterwards), or at the
    outbox folder when `server` is None."""
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1" if server else "")
    monkeypatch.setitem(app.config, "MAIL_PORT", server.port if server else 25)
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)


@pytest.fixture
def smtp(app, monkeypatch):
    with MailServer() as server:
        send_to(monkeypatch, app, server)
        yield server


def a_message(to: str = "ada@example.org", **changes) -> Message:
    fields = {
        "to": to,
        "subject": "Thursday readers: 2 new comments you can read",
        "text": "Two comments are new for you.\nRead them: http://127.0.0.1:5000/c/x\n",
        "html": "<p>Two comments are <strong>new</strong> for you.</p>",
        "headers": {
            "List-Unsubscribe": UNSUBSCRIBE,
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    }
    return Message(**(fields | changes))


def test_a_message_goes_over_smtp_with_both_parts_and_its_headers(app, smtp):
    with app.app_context():
        message_id = mail.send(a_message(text="Déjà lu: two comments are new for you.\n"))

    [received] = smtp.received
    assert received.mail_from == "companion@localhost"
    assert received.rcpt_tos == ["ada@example.org"]
    parsed = received.parsed()
    assert parsed["Subject"] == "Thursday readers: 2 new comments you can read"
    assert parsed["From"] == "Companion <companion@localhost>"
    assert parsed["To"] == "ada@example.org"
    assert parsed["Message-ID"] == message_id
    assert message_id.startswith("<") and message_id.endswith("@localhost>")
    assert parsed["Date"] is not None
    # A long header is folded onto a continuation line (RFC 5322), the URL left whole.
    assert parsed["List-Unsubscribe"].strip() == UNSUBSCRIBE
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed.get_content_type() == "multipart/alternative"
    # Plain text first, HTML last: the last part is the one a mail client prefers.
    parts = list(parsed.iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    # SMTP carries CRLF line ends; the text is the same.
    assert parts[0].get_content().splitlines() == ["Déjà lu: two comments are new for you."]
    assert "<strong>new</strong>" in parts[1].get_content()


def test_mail_from_and_a_login_come_from_the_settings(app, monkeypatch):
    with MailServer(logins={"companion": "s3cret-relay"}) as server:
        send_to(
            monkeypatch,
            app,
            server,
            MAIL_FROM="Thursday Readers <club@reading.example>",
            MAIL_USERNAME="companion",
            MAIL_PASSWORD="s3cret-relay",
        )
        with app.app_context():
            message_id = mail.send(a_message())

    [received] = server.received
    assert received.login == b"companion"
    assert received.mail_from == "club@reading.example"
    assert received.parsed()["From"] == "Thursday Readers <club@reading.example>"
    assert message_id.endswith("@reading.example>")


def test_a_wrong_login_is_an_error_not_a_silent_loss(app, monkeypatch):
    import smtplib

    with MailServer(logins={"companion": "s3cret-relay"}) as server:
        send_to(monkeypatch, app, server, MAIL_USERNAME="companion", MAIL_PASSWORD="guess")
        with app.app_context(), pytest.raises(smtplib.SMTPAuthenticationError):
            mail.send(a_message())
    assert server.received == []


def test_one_connection_carries_a_run_of_messages(app, smtp):
    with app.app_context(), mail.Outgoing() as outgoing:
        ids = [outgoing.send(a_message(to=f"reader{n}@example.org")) for n in range(3)]

    assert len(set(ids)) == 3
    assert [r.rcpt_tos for r in smtp.received] == [[f"reader{n}@example.org"] for n in range(3)]
    assert len({r.peer for r in smtp.received}) == 1


def test_a_message_may_not_replace_the_senders_own_headers(app, smtp):
    forged = a_message(headers={"From": "mallory@example.org", "Bcc": "eve@example.org"})
    with app.app_context():
        mail.send(forged)

    [received] = smtp.received
    assert received.rcpt_tos == ["ada@example.org"]
    assert received.parsed()["From"] == "Companion <companion@localhost>"
    assert received.parsed()["Bcc"] is None


def test_a_header_with_a_line_break_is_refused_before_anything_is_sent(app, smtp):
    from flask_mailman import BadHeaderError

    with app.app_context(), pytest.raises(BadHeaderError):
        mail.send(a_message(subject="Hello\nBcc: eve@example.org"))
    assert smtp.received == []


# --- the outbox -------------------------------------------------------------------------


def outbox_files(app) -> set[str]:
    folder = mail.outbox_path(app.instance_path)
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def test_without_a_mail_server_each_message_is_an_eml_file_in_the_outbox(app, monkeypatch):
    send_to(monkeypatch, app, None)
    before = outbox_files(app)
    started = utcnow() - timedelta(seconds=1)
    with app.app_context():
        first = mail.send(a_message(to="ada@example.org", subject="First"))
        second = mail.send(a_message(to="bea@example.org", subject="Second"))

    new = sorted(outbox_files(app) - before)
    assert len(new) == 2
    # Written atomically: no temporary file is left, and the names sort by time.
    assert all(mail.OUTBOX_NAME.match(name) for name in new)
    folder = mail.outbox_path(app.instance_path)
    parsed = [
        email.message_from_bytes((folder / name).read_bytes(), policy=email.policy.default)
        for name in new
    ]
    assert [p["Message-ID"] for p in parsed] == [first, second]
    assert [p["Subject"] for p in parsed] == ["First", "Second"]
    assert parsed[1]["List-Unsubscribe"].strip() == UNSUBSCRIBE

    listed = [m for m in mail.outbox_messages(app.instance_path) if m.name in new]
    assert [m.subject for m in listed] == ["Second", "First"]  # newest first
    newest = listed[0]
    assert newest.to == "bea@example.org"
    assert newest.sender == "Companion <companion@localhost>"
    assert newest.text.startswith("Two comments are new for you.")
    assert "<strong>new</strong>" in newest.html
    assert newest.message_id == second
    assert newest.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert started <= newest.date <= utcnow() + timedelta(seconds=1)
    assert mail.outbox_message(app.instance_path, newest.name) == newest


@pytest.mark.parametrize(
    "name", ["../secret_key", "..%2Fsecret_key", "companion.sqlite3", "x.eml", ""]
)
def test_the_outbox_reads_only_its_own_files(app, name):
    assert mail.outbox_message(app.instance_path, name) is None


def test_the_outbox_of_an_instance_that_never_sent_mail_is_empty(tmp_path):
    assert mail.outbox_messages(str(tmp_path)) == []


# --- settings from the environment ------------------------------------------------------


def test_mail_settings_come_from_the_environment(monkeypatch):
    for name in ["MAIL_SERVER", "MAIL_PORT", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_FROM"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("MAIL_USE_TLS", raising=False)
    defaults = config.mail_settings()
    assert defaults["MAIL_SERVER"] == ""
    assert defaults["MAIL_FROM"] == "Companion <companion@localhost>"
    assert defaults["MAIL_USE_TLS"] is False

    monkeypatch.setenv("MAIL_SERVER", "smtp.example.org")
    monkeypatch.setenv("MAIL_PORT", "587")
    monkeypatch.setenv("MAIL_USE_TLS", "1")
    monkeypatch.setenv("MAIL_USERNAME", "club")
    monkeypatch.setenv("MAIL_PASSWORD", "relay password")
    monkeypatch.setenv("MAIL_FROM", "Club <club@example.org>")
    settings = config.mail_settings()
    assert settings["MAIL_SERVER"] == "smtp.example.org"
    assert settings["MAIL_PORT"] == 587
    assert settings["MAIL_USE_TLS"] is True
    assert (settings["MAIL_USERNAME"], settings["MAIL_PASSWORD"]) == ("club", "relay password")
    assert settings["MAIL_FROM"] == settings["MAIL_DEFAULT_SENDER"] == "Club <club@example.org>"


@pytest.mark.parametrize("port", ["smtp", "0", "70000", "-25"])
def test_a_mail_port_that_is_no_port_is_one_clear_error(monkeypatch, port):
    monkeypatch.setenv("MAIL_PORT", port)
    with pytest.raises(ValueError, match="MAIL_PORT must be a port number"):
        config.mail_settings()
