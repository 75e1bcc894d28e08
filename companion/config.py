"""Configuration: safe defaults, overridden from the environment.

DATABASE_URL  PostgreSQL (postgresql://…) instead of SQLite under instance/
REDIS_URL     shared rate-limit storage, caches and the job queue across workers
SECRET_KEY    session signing key; generated once into instance/secret_key otherwise
COMPANION_SECURE_COOKIES=1   mark cookies Secure (set it when served over https)
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
    }
