"""Connection settings and schema upgrades."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers run while a writer commits; the busy timeout makes a second
    # writer wait instead of failing; foreign keys are off in SQLite unless asked for.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def upgrade() -> None:
    """Apply every Alembic migration up to head (inside an app context)."""
    from flask_migrate import upgrade as alembic_upgrade

    alembic_upgrade()


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
