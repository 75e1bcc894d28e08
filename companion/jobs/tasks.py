"""The tasks the job queue runs, each given only a `Job` id (in an app context).

`parse_upload` reads an uploaded file and keeps a preview of what it found on the job;
`import_upload` stores the work, in one transaction with what comes with it (the new
circle reading it, or its place on a circle's shelf) and the job's "done". Progress goes
to the job row in short transactions of its own, so the job's page sees it while the work
is still being stored. Whatever goes wrong, the work's transaction is rolled back and the
job is marked failed with one line saying why."""

from __future__ import annotations

import logging

from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from ..circles import create_circle
from ..extensions import db
from ..importers import ImportFailed, WorkData, parse_bytes
from ..library import store_work
from ..models import Circle, Job, User, Work, utcnow
from . import uploads

log = logging.getLogger(__name__)

UNEXPECTED = "Something went wrong on our side while importing; nothing was stored. Try again."
# Shares of the bar: reading the file, then storing it (store_work reports its steps).
PARSED_AT, STORED_AT = 15, 95


def parse_upload(job_id: str) -> None:
    job = db.session.get(Job, job_id)
    if job is None or job.state != "uploaded":
        return  # cancelled meanwhile, or delivered twice
    _move(job, "parsing", 0, "Reading your file…")
    try:
        data = parse_bytes(job.payload, job.filename)
    except ImportFailed as error:
        return _fail(job, str(error))
    except Exception:
        log.exception("parsing upload %s failed", job_id)
        return _fail(job, UNEXPECTED)
    job.preview = uploads.preview_of(data)
    _move(job, "parsed", 100, "Check what we found, then confirm.")


def import_upload(job_id: str) -> None:
    job = db.session.get(Job, job_id)
    if job is None or job.state != "queued":
        return
    _move(job, "running", 0, "Reading your file…")
    try:
        data = parse_bytes(job.payload, job.filename)
        record_progress(job_id, PARSED_AT, "Storing the chapters…")
        _store(job, data)
    except ImportFailed as error:
        db.session.rollback()
        return _fail(job, str(error))
    except Exception:
        db.session.rollback()
        log.exception("import %s failed", job_id)
        return _fail(job, UNEXPECTED)


def _store(job: Job, data: WorkData) -> None:
    """The work, its circle (new, or the one whose shelf it joins) and the job's "done",
    committed together: a worker dying half-way leaves none of them."""
    options = job.options
    uploader = db.session.get(User, job.user_id)
    circle = db.session.get(Circle, job.circle_id) if job.circle_id else None
    next_read = options.get("next_read", False)
    replace_work_id = options.get("replace_work_id")
    if replace_work_id is not None:
        # Asked again now, not only when the file was sent: the work may have changed hands.
        replacing = db.session.get(Work, replace_work_id)
        if replacing is None or replacing.uploaded_by_id != uploader.id:
            raise ImportFailed("only the person who uploaded the work can add a new version")
    if next_read:
        if circle is None:
            raise ImportFailed("the circle was deleted before its next read was imported")
        membership = circle.membership_of(uploader.id)
        if membership is None or membership.role != "owner":
            raise ImportFailed("only the circle's owner can add its next read")

    def on_progress(done: int, total: int, what: str) -> None:
        share = PARSED_AT + (STORED_AT - PARSED_AT) * done // max(total, 1)
        record_progress(job.id, share, what)

    result = store_work(
        data,
        title=options.get("title"),
        private=options.get("private", False),
        uploader_id=uploader.id,
        circle_id=circle.id if next_read else None,
        replace_work_id=replace_work_id,
        on_progress=on_progress,
        commit=False,
    )
    db.session.flush()  # the work's id, for the circle and the job
    if not next_read and not replace_work_id and options.get("circle_name"):
        circle = create_circle(uploader, options["circle_name"], result.work)
        db.session.flush()  # the circle's id, for the job
    job.work_id = result.work.id
    job.circle_id = circle.id if circle else None
    job.payload = None  # the file has served its purpose
    _set(job, "done", 100, _done_message(result, next_read))
    db.session.commit()


def _done_message(result, next_read: bool) -> str:
    if result.outcome == "unchanged":
        said = "This exact text was already in the library, so that copy is used."
    elif result.outcome == "updated":
        said = f"Imported as version {result.version} of the work you uploaded before."
    else:
        said = "Imported."
    return f"{said} It is on the circle's shelf." if next_read else said


def record_progress(job_id: str, percent: int, message: str) -> None:
    """Write progress in a transaction of its own, visible to the job's page at once.

    SQLite has one writer at a time: once the work's own transaction has written, a tick
    is skipped (the next one, or "done", tells), and another writer is waited for briefly
    only. The work must never wait on, or fail for, its progress bar."""
    sqlite = db.engine.dialect.name == "sqlite"
    if sqlite and _writing_on_sqlite():
        return
    with db.engine.connect() as connection:
        if sqlite:
            wait = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
            connection.exec_driver_sql("PRAGMA busy_timeout=200")
        try:
            connection.execute(
                update(Job)
                .where(Job.id == job_id, Job.progress <= percent)
                .values(progress=percent, message=message[:500], updated_at=utcnow())
            )
            connection.commit()
        except OperationalError:
            connection.rollback()
        finally:
            if sqlite:
                connection.exec_driver_sql(f"PRAGMA busy_timeout={int(wait)}")


def _writing_on_sqlite() -> bool:
    """Whether this job's own transaction has written (and so holds SQLite's lock)."""
    if not db.session().in_transaction():
        return False
    return bool(db.session.connection().connection.dbapi_connection.in_transaction)


def _set(job: Job, state: str, progress: int, message: str) -> None:
    job.state, job.progress, job.message = state, progress, message[:500]
    job.updated_at = utcnow()
    if state in ("done", "failed"):
        job.finished_at = job.updated_at


def _move(job: Job, state: str, progress: int, message: str) -> None:
    _set(job, state, progress, message)
    db.session.commit()


def _fail(job: Job, reason: str) -> None:
    job = db.session.get(Job, job.id)
    if job is None:
        return
    job.payload = None
    # One line: the page and the API show the reason as a sentence, never a trace.
    lines = reason.strip().splitlines()
    _move(job, "failed", job.progress, lines[0] if lines else UNEXPECTED)


def redetect_work(job_id: str) -> None:
    """Re-detect one work's automatic warnings with the current detector (member flags
    stay); the new warnings, the work's version mark and the job's "done" commit together."""
    from ..library.redetect import redetect

    job = db.session.get(Job, job_id)
    if job is None or job.state != "queued":
        return
    _move(job, "running", 0, "Re-detecting content warnings…")
    try:
        work = db.session.get(Work, job.work_id) if job.work_id else None
        if work is None:
            return _fail(job, "the work was deleted before it could be re-detected")
        count = redetect(work)
        if count is None:
            _set(job, "done", 100, "Already detected by the current detector.")
        else:
            _set(job, "done", 100, f"Re-detected: {count} automatic warnings.")
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("re-detection %s failed", job_id)
        return _fail(job, "Something went wrong while re-detecting; the old warnings stay.")


TASKS = {task.__name__: task for task in (parse_upload, import_upload, redetect_work)}
