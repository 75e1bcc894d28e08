"""The job queue and its tasks, run through the real queue: Huey's immediate mode (the
test app), a SQLite queue drained by `companion worker` in a process of its own, and
the embedded worker `companion demo` starts."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from huey import RedisHuey
from sqlalchemy import event, func, select

from companion import create_app
from companion.extensions import db
from companion.jobs import queue, tasks, uploads
from companion.models import Chapter, Circle, Job, Paragraph, Work, utcnow

# Our own prose, in the shape of text copied from archive pages.
LEDGER = """Title: The Lighthouse Keeper's Ledger
Author: Wren Halloway
Rating: General Audiences
Additional Tags: Found Family, Slow Burn
Chapter 1: Fog
Chapter Text
The fog came in at four, as it always did, and Mara lit the lamp an hour early.
She wrote the hour in the ledger, and under it, in smaller letters, that the boat was late.
Chapter 2: Lamp Oil
Chapter Text
The oil was low again. Someone had been taking it, a cup at a time, since the spring.
Mara counted the cans twice and did not write the number down.
Chapter 3: The Boat
Chapter Text
When the boat came at last its keel was white with salt, and nobody aboard would say why.
"""
BINARY = bytes(range(256)) * 64


def _zip_of_text() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "a renamed zip, not a book")
    return buffer.getvalue()


NOT_AN_EPUB = _zip_of_text()


def ledger(**changes) -> bytes:
    text = LEDGER
    for old, new in changes.items():
        text = text.replace(old, new)
    return text.encode()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def start_job(user_id: int, raw: bytes, *, preview: bool = False, **options) -> str:
    job = uploads.start(user_id, raw, "ledger.txt", preview=preview, **options)
    db.session.commit()
    return job.id


def fresh(job_id: str) -> Job:
    db.session.expire_all()
    return db.session.get(Job, job_id)


def test_the_test_app_runs_jobs_inline(app):
    assert queue.queue_of(app).huey.immediate


def test_an_import_job_stores_the_work_and_says_done(app, ctx, make_user):
    ada = make_user("ada")
    job_id = start_job(ada, ledger(), private=True, circle_name="Lamp club")
    queue.submit(tasks.import_upload, job_id)
    job = fresh(job_id)
    assert (job.state, job.progress, job.message) == ("done", 100, "Imported.")
    assert job.payload is None and job.finished_at is not None
    work = db.session.get(Work, job.work_id)
    assert work.title == "The Lighthouse Keeper's Ledger"
    assert [c.title for c in work.chapters] == ["Fog", "Lamp Oil", "The Boat"]
    assert (work.visibility, work.uploaded_by_id) == ("private", ada)
    # A new circle reads it, its owner the uploader.
    circle = db.session.get(Circle, job.circle_id)
    assert (circle.name, circle.work_id, circle.owner.id) == ("Lamp club", work.id, ada)


def test_a_parse_job_keeps_a_preview_and_stores_nothing(app, ctx, make_user):
    job_id = start_job(make_user("ada"), ledger(), preview=True)
    queue.submit(tasks.parse_upload, job_id)
    job = fresh(job_id)
    assert job.state == "parsed"
    assert job.preview["title"] == "The Lighthouse Keeper's Ledger"
    assert job.preview["authors"] == ["Wren Halloway"]
    assert job.preview["tags"] == ["Found Family", "Slow Burn"]
    assert job.preview["format"] == "ao3-text"
    assert [(c["n"], c["title"], c["words"]) for c in job.preview["chapters"]] == [
        (1, "Fog", 36),
        (2, "Lamp Oil", 30),
        (3, "The Boat", 18),
    ]
    assert count(Work) == 0


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (BINARY, "ledger.txt: this is a binary file"),
        (NOT_AN_EPUB, "not an EPUB"),
        (b"Chapter 1\n\nOne chapter, and no title anywhere.\n", "carries no title"),
    ],
    ids=["binary", "zip", "untitled"],
)
def test_a_bad_file_fails_the_job_with_one_line_and_stores_nothing(
    app, ctx, make_user, raw, reason
):
    job_id = start_job(make_user("ada"), raw)
    queue.submit(tasks.import_upload, job_id)
    job = fresh(job_id)
    assert job.state == "failed"
    assert reason in job.message and "\n" not in job.message
    assert job.payload is None and job.work_id is None
    assert count(Work) == 0 and count(Chapter) == 0


def test_a_failure_half_way_through_storing_rolls_everything_back(app, ctx, make_user):
    """The database refuses the paragraphs after the work and its chapters went in: the
    job says it failed, and none of the work is left behind."""
    job_id = start_job(make_user("ada"), ledger(), circle_name="Lamp club")

    def refuse_paragraphs(_conn, _cursor, statement, *_):
        if statement.lstrip().upper().startswith("INSERT INTO PARAGRAPH"):
            raise RuntimeError("disk full")

    engine = db.engine
    event.listen(engine, "before_cursor_execute", refuse_paragraphs)
    try:
        queue.submit(tasks.import_upload, job_id)
    finally:
        event.remove(engine, "before_cursor_execute", refuse_paragraphs)
    job = fresh(job_id)
    assert (job.state, job.message) == ("failed", tasks.UNEXPECTED)
    assert count(Work) == count(Chapter) == count(Paragraph) == count(Circle) == 0


def test_progress_only_goes_up_and_ends_at_100(app, ctx, make_user):
    job_id = start_job(make_user("ada"), ledger())
    written: list[int] = []

    def progress_writes(_conn, _cursor, _statement, _params, context, _many):
        if context.isupdate and context.compiled.statement.table.name == "job":
            written.extend(p["progress"] for p in context.compiled_parameters if "progress" in p)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", progress_writes)
    try:
        queue.submit(tasks.import_upload, job_id)
    finally:
        event.remove(engine, "before_cursor_execute", progress_writes)
    assert written == sorted(written) and len(set(written)) >= 3
    assert written[-1] == 100
    assert any(0 < p < 100 for p in written)
    # Ticks from storing itself, between reading the file and "done".
    assert any(tasks.PARSED_AT < p < 100 for p in written), written


def test_a_job_whose_worker_died_is_reported_stopped(app, ctx, make_user):
    job_id = start_job(make_user("ada"), ledger())
    job = fresh(job_id)
    job.state, job.progress = "running", 40
    job.updated_at = utcnow() - timedelta(seconds=app.config["JOB_STALE_SECONDS"] + 60)
    db.session.commit()
    report = uploads.report(fresh(job_id))
    assert (report.state, report.progress, report.message) == ("failed", 40, uploads.STOPPED)
    assert not report.pending
    assert fresh(job_id).state == "running"  # reporting wrote nothing
    # A job that reported progress recently is still running.
    job = fresh(job_id)
    job.updated_at = utcnow()
    db.session.commit()
    assert uploads.report(fresh(job_id)).state == "running"


def test_a_job_no_worker_picked_up_says_so_and_keeps_waiting(app, ctx, make_user):
    job_id = start_job(make_user("ada"), ledger())
    assert uploads.report(fresh(job_id)).message == "Waiting for a worker…"
    job = fresh(job_id)
    job.updated_at = utcnow() - uploads.WAITING_NOTICE_AFTER - timedelta(seconds=1)
    db.session.commit()
    report = uploads.report(fresh(job_id))
    assert (report.state, report.message) == ("queued", uploads.STILL_WAITING)
    assert report.pending  # its page keeps polling


def test_a_job_runs_only_from_the_state_it_was_queued_in(app, ctx, make_user):
    """A task delivered twice, or for a job cancelled meanwhile, does nothing."""
    job_id = start_job(make_user("ada"), ledger())
    queue.submit(tasks.import_upload, job_id)
    queue.submit(tasks.import_upload, job_id)
    assert count(Work) == 1
    queue.submit(tasks.parse_upload, "no-such-job")  # gone: nothing to do, no error


def test_the_worker_command_refuses_an_inline_queue(cli):
    result = cli("worker")
    assert result.exit_code == 2
    assert "no worker needed" in result.output


@pytest.fixture
def queued_app(app):
    """The web side of a deployment without Redis: the same database and instance folder
    as the test app, its queue a real SQLite file there."""
    web = create_app({"SECRET_KEY": "test", "HUEY_IMMEDIATE": False})
    assert not queue.queue_of(web).huey.immediate
    queue.queue_of(web).huey.flush()
    return web


def wait_for(job_id: str, app, seconds: float = 30.0) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with app.app_context():
            job = db.session.get(Job, job_id)
            if job.state in ("done", "failed"):
                return job
        time.sleep(0.1)
    pytest.fail(f"job {job_id} did not finish within {seconds} s")


def test_companion_worker_drains_the_sqlite_queue(app, queued_app, make_user):
    web = queued_app
    huey = queue.queue_of(web).huey
    assert Path(huey.storage.filename).parent == Path(web.instance_path)
    with web.app_context():
        job_id = start_job(make_user("ada"), ledger(), title="A Ledger")
        queue.submit(tasks.import_upload, job_id)
        assert fresh(job_id).state == "queued"  # nobody has run it yet
    assert huey.pending_count() == 1

    companion = Path(sys.executable).with_name("companion")
    worker = subprocess.Popen(
        [str(companion), "worker", "-w", "1"],
        env=os.environ | {"COMPANION_INSTANCE": web.instance_path},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        job = wait_for(job_id, web)
    finally:
        worker.send_signal(signal.SIGINT)
        output, _ = worker.communicate(timeout=20)
    assert worker.returncode == 0, output
    assert "Worker: 1 thread(s) on" in output and "huey.sqlite3" in output
    assert job.state == "done", job.message
    assert huey.pending_count() == 0
    with web.app_context():
        assert db.session.get(Work, job.work_id).title == "A Ledger"


@pytest.fixture
def redis_url(tmp_path):
    """A Redis server of our own, on a socket in a temp folder."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    socket = tmp_path / "redis.sock"
    process = subprocess.Popen(
        [server, "--port", "0", "--unixsocket", str(socket), "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not socket.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"unix://{socket}"
    process.terminate()
    process.wait(timeout=10)


def test_with_redis_url_the_queue_is_redis(app, redis_url, make_user):
    web = create_app({"SECRET_KEY": "test", "HUEY_IMMEDIATE": False, "REDIS_URL": redis_url})
    jobs = queue.queue_of(web)
    assert isinstance(jobs.huey, RedisHuey) and jobs.where() == "Redis"
    with web.app_context():
        job_id = start_job(make_user("ada"), ledger())
        queue.submit(tasks.import_upload, job_id)
    assert jobs.huey.pending_count() == 1
    consumer = jobs.start_worker(workers=1)
    try:
        job = wait_for(job_id, web)
    finally:
        consumer.stop(graceful=True)
    assert job.state == "done", job.message
    assert jobs.huey.pending_count() == 0


def test_the_embedded_worker_runs_jobs_beside_the_server(app, queued_app, make_user):
    """What `companion demo` starts before serving: threads of its own process."""
    web = queued_app
    consumer = queue.queue_of(web).start_worker(workers=1)
    try:
        with web.app_context():
            job_id = start_job(make_user("ada"), ledger(), preview=True)
            queue.submit(tasks.parse_upload, job_id)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with web.app_context():
                if db.session.get(Job, job_id).state == "parsed":
                    break
            time.sleep(0.1)
        with web.app_context():
            assert db.session.get(Job, job_id).preview["chapters"][2]["title"] == "The Boat"
    finally:
        consumer.stop(graceful=True)
    assert not any(t.is_alive() for _, t in consumer.worker_threads)
