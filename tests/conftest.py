"""Shared fixtures: one migrated database per test session (SQLite, or PostgreSQL when
DATABASE_URL is set), emptied after every test; real rows through real code paths."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import text
from werkzeug.serving import make_server

from companion import create_app
from companion.cli import import_work, main
from companion.database import upgrade
from companion.extensions import db, limiter
from companion.importers import load

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_7177a6315aa087ac.txt"


@pytest.fixture(scope="session")
def app(tmp_path_factory, monkeypatch_session):
    instance = tmp_path_factory.mktemp("instance")
    monkeypatch_session.setenv("COMPANION_INSTANCE", str(instance))
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SERVER_NAME": None})
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(scope="session")
def monkeypatch_session():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


@pytest.fixture(autouse=True)
def _clean_database(request):
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                quoted = ", ".join(f'"{name}"' for name in tables)
                connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
            else:
                for name in tables:
                    connection.execute(text(f'DELETE FROM "{name}"'))
        limiter.reset()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def cli(app):
    """Run `companion ...` against the test app; returns click's Result."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(main, list(args), obj=ScriptInfo(create_app=lambda: app), input=input)

    return invoke


@pytest.fixture(scope="session")
def seed_data():
    return load(SEED)


@pytest.fixture
def work(app, seed_data):
    """The sample work, imported through the same path as `companion import`."""
    with app.app_context():
        work, _ = import_work(seed_data)
        return work.id


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """pytest-playwright launches the machine's Chromium, never a downloaded one."""
    return {
        "executable_path": "/usr/bin/chromium",
        "headless": True,
        "args": ["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
    }
