"""Shared fixtures: one migrated database per test session (SQLite, or PostgreSQL when
DATABASE_URL is set), emptied after every test; real rows through real code paths."""

from __future__ import annotations

import functools
import os
import re
import tempfile
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import event, text
from werkzeug.serving import make_server

from companion import accounts, create_app
from companion.cli import import_work, main
from companion.database import upgrade
from companion.extensions import db, limiter
from companion.importers import load
from companion.pagecache import cache_of

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_7177a6315aa087ac.txt"


@pytest.fixture(scope="session")
def app(tmp_path_factory, monkeypatch_session):
    instance = tmp_path_factory.mktemp("instance")
    monkeypatch_session.setenv("COMPANION_INSTANCE", str(instance))
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "FAST_PASSWORD_HASHES": True})
    with app.app_context():
        upgrade()
    return app


@functools.cache
def probe_app():
    """An app for reading the url_map at collection time (no database is touched)."""
    previous = os.environ.get("COMPANION_INSTANCE")
    os.environ["COMPANION_INSTANCE"] = tempfile.mkdtemp(prefix="companion-probe-")
    try:
        return create_app({"TESTING": True, "SECRET_KEY": "probe"})
    finally:
        if previous is None:
            os.environ.pop("COMPANION_INSTANCE")
        else:
            os.environ["COMPANION_INSTANCE"] = previous


@pytest.fixture(scope="session")
def monkeypatch_session():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def empty_database(app) -> None:
    """Every table emptied, rate limits and cached pages forgotten: a clean slate
    between tests (work ids start again at 1)."""
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
    cache_of(app).clear()


def count_queries(app, call):
    """(call's result, the SQL statements it ran)."""
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def listener(_conn, _cursor, statement, *_):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        result = call()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return result, statements


@pytest.fixture(autouse=True)
def _clean_database(request):
    yield
    if "app" in request.fixturenames:
        empty_database(request.getfixturevalue("app"))


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
    from companion.demo import SAMPLE_TITLE

    with app.app_context():
        # The pasted chapter pages carry no title: the demo's, as `companion demo` gives it.
        work, _ = import_work(seed_data, title=SAMPLE_TITLE)
        return work.id


@pytest.fixture
def small_work(app):
    """small_work("Title", "A sentence only this work has.", private=True, uploader_id=uid)
    → the id of a short work in our own words (two chapters unless `chapters=`), stored
    through `store_work` like every import; other keyword arguments set WorkData fields."""
    from companion.importers import ChapterData, WorkData
    from companion.library import store_work

    def make(title: str, sentence: str = "", *, private: bool = False,
             uploader_id: int | None = None, chapters: int = 2, **fields) -> int:  # fmt: skip
        data = WorkData(
            title=title,
            source_format="markdown",
            source_name=f"{title.lower().replace(' ', '-')}.md",
            authors=fields.pop("authors", ["Wren Alder"]),
            chapters=[
                ChapterData(
                    number=n,
                    title=f"Part {n}",
                    paragraphs=[
                        f"Part {n} began as the others had, with the tide over the flats.",
                        *([sentence] if sentence and n == 1 else []),
                        "Nobody on the pier said what they were all thinking.",
                    ],
                )
                for n in range(1, chapters + 1)
            ],
            **fields,
        )
        with app.app_context():
            result = store_work(data, private=private, uploader_id=uploader_id)
            return result.work.id

    return make


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


@pytest.fixture
def make_user(app):
    """Create an account through the real accounts module; returns its id."""

    def make(name: str, password: str = PASSWORD) -> int:
        with app.app_context():
            user = accounts.create_user(name, password)
            db.session.commit()
            return user.id

    return make


class Reader:
    """A test client for one person: logs in through the form and sends CSRF tokens the
    way the browser does (form field, or the X-CSRFToken header htmx sends)."""

    def __init__(self, app, name: str | None = None):
        self.client = app.test_client()
        self.name = name

    def csrf(self, path: str = "/login") -> str:
        match = CSRF.search(self.client.get(path).get_data(as_text=True))
        assert match, f"no CSRF token on {path}"
        return match.group(1) or match.group(2)

    def login(self, password: str = PASSWORD):
        token = self.csrf("/login")
        response = self.client.post(
            "/login", data={"name": self.name, "password": password, "csrf_token": token}
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return self

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict | None = None, htmx: bool = False, **kwargs):
        token = self.csrf("/account" if self.name else "/login")
        headers = kwargs.pop("headers", {})
        if htmx:
            headers |= {"HX-Request": "true", "X-CSRFToken": token}
        else:
            data = {"csrf_token": token, **(data or {})}
        return self.client.post(path, data=data, headers=headers, **kwargs)


@pytest.fixture
def reader(app, make_user):
    """reader("ada") → a logged-in Reader for a new account named ada."""

    def make(name: str) -> Reader:
        make_user(name)
        return Reader(app, name).login()

    return make


@pytest.fixture
def anonymous(app):
    return Reader(app)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """pytest-playwright launches the machine's Chromium, never a downloaded one."""
    return {
        "executable_path": "/usr/bin/chromium",
        "headless": True,
        "args": ["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
    }


def watch(page) -> list[str]:
    """Collect a browser page's console errors and uncaught exceptions (CSP violations
    are console errors); browser tests assert the list stays empty."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def join_by_invite(browser, link: str, name: str, password: str = "another long password"):
    """A new person, in a browser context of their own, follows an invite link, signs up
    and joins the circle: (their page, the problems `watch` collects on it)."""
    page = browser.new_context().new_page()
    problems = watch(page)
    page.goto(link)
    page.get_by_role("link", name="Sign up to join").click()
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign up").click()
    page.get_by_role("button", name="Join the circle").click()
    return page, problems
