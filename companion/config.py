"""Configuration: safe defaults, overridden from the environment.

DATABASE_URL  PostgreSQL (postgresql://…) instead of SQLite under instance/
REDIS_URL     shared rate-limit storage, caches and the job queue across workers
SECRET_KEY    session signing key; generated once into instance/secret_key otherwise
COMPANION_SECURE_COOKIES=1   mark cookies Secure (set it when served over https)
PUBLIC_URL    where members reach the app, for links in mail (default http://127.0.0.1:5000)
MAIL_SERVER, MAIL_PORT, MAIL_USERNAME, MAIL_PASSWORD, MAIL_USE_TLS, MAIL_FROM   SMTP for mail;
              without MAIL_SERVER each message is an .eml file in instance/outbox/
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{Path(instance_path) / 'companion.sqlite3'}"
    # psycopg 3 is the driver we ship; accept the common spellings of a Postgres URL.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def secret_key(instance_path: str) -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = Path(instance_path) / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        key = secrets.token_hex(32)
        path.write_text(key)
        path.chmod(0o600)
        return key


def from_environment(instance_path: str) -> dict:
    secure = os.environ.get("COMPANION_SECURE_COOKIES", "") in {"1", "true", "yes"}
    redis_url = os.environ.get("REDIS_URL", "").strip()
    return {
        "SECRET_KEY": secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        # A server connection can drop between requests; a SQLite file cannot.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": bool(os.environ.get("DATABASE_URL"))},
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure,
        "WTF_CSRF_TIME_LIMIT": None,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "REDIS_URL": redis_url,
        # The job queue (companion.jobs.queue): Huey on Redis when REDIS_URL is set, else
        # on this SQLite file. None: run jobs inline (Huey's immediate mode) when TESTING.
        "HUEY_SQLITE_PATH": str(Path(instance_path) / "huey.sqlite3"),
        "HUEY_IMMEDIATE": None,
        # A job still "running" this long after its last progress report died with its
        # worker (a killed process never says so); its page then says it stopped.
        "JOB_STALE_SECONDS": 600,
        "UPLOAD_RATE_LIMIT": "20 per hour",
        "TEMPLATES_AUTO_RELOAD": False,
        # Mail is written outside any request (a worker, the CLI): its links start here.
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "").strip() or "http://127.0.0.1:5000",
        **mail_settings(),
    }


MAIL_FROM = "Companion <companion@localhost>"


def mail_settings() -> dict:
    """SMTP when MAIL_SERVER is set (companion.notify.mail), else the outbox folder. The
    MAIL_* names are Flask-Mailman's own; MAIL_FROM is also its default sender."""
    sender = os.environ.get("MAIL_FROM", "").strip() or MAIL_FROM
    port = os.environ.get("MAIL_PORT", "").strip() or "25"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"MAIL_PORT must be a port number (1-65535), not {port!r}")
    return {
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "").strip(),
        "MAIL_PORT": int(port),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", "").strip() or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "").strip().lower() in {"1", "true", "yes"},
        "MAIL_FROM": sender,
        "MAIL_DEFAULT_SENDER": sender,
        # A mail server that stops answering must not hold a worker thread for long.
        "MAIL_TIMEOUT": 30,
    }
