"""Upload jobs as rows: starting one, finding one for its owner, and what it says now.

The pages and the JSON API both go through here, so a job is visible to its owner alone
(everyone else gets the same 404 as an id nobody ever used) and a job whose worker died
is reported the same way everywhere."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePath

from flask import abort, current_app
from sqlalchemy import delete, select

from ..extensions import db
from ..importers import FORMAT_NAMES, MAX_BYTES, WorkData
from ..library.details import plain_text
from ..models import Job, utcnow

# The whole request may be a little larger than the file: the form around it.
REQUEST_LIMIT = MAX_BYTES + 256 * 1024
NOT_FOUND = "We couldn't find that upload. It may have been cancelled, or it isn't yours."
STOPPED = (
    "The import stopped before it finished (its worker was interrupted). Nothing was "
    "stored; please upload the file again."
)
STILL_WAITING = (
    "Still waiting for the job queue's worker: it may be busy, or stopped. The upload keeps "
    "its place; you can leave this page and come back."
)
# A job no worker has picked up after this long says so (it keeps waiting).
WAITING_NOTICE_AFTER = timedelta(minutes=1)
# An upload nobody confirmed (or that no worker ever read) is forgotten after this long:
# its file would otherwise sit in the database for good.
ABANDONED_AFTER = timedelta(days=1)
# States in which a worker is busy with the job and reports progress as it goes.
WORKING = ("parsing", "running")
# States in which a job waits for a worker to pick it up.
WAITING = ("uploaded", "queued")
# States a page keeps polling in: the job is waiting for, or in the hands of, a worker.
PENDING = (*WAITING, *WORKING)


class UploadRefused(ValueError):
    """A file refused before any job starts; the message is the form's error."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def check_file(raw: bytes) -> None:
    if not raw.strip():
        raise UploadRefused("That file is empty. Choose the file of the work itself.")
    if len(raw) > MAX_BYTES:
        raise UploadRefused(too_large(len(raw)), 413)


def too_large(size: int | None = None) -> str:
    got = f" ({size / 1024 / 1024:.0f} MB)" if size else ""
    return f"That file is too large{got}: Companion accepts files of up to 20 MB."


def safe_filename(name: str | None) -> str:
    """The name as the person knows it, without any folder part a browser may send, nor
    control or format characters (a right-to-left override could disguise it)."""
    base = plain_text(PurePath((name or "").replace("\\", "/")).name)
    return base[:300] or "upload"


def start(
    user_id: int,
    raw: bytes,
    filename: str,
    *,
    preview: bool,
    circle_id: int | None = None,
    **options,
) -> Job:
    """A new import job holding the file. With `preview` it waits in "uploaded" for the
    parse that shows what was found; without, it is queued to import straight away.
    The caller commits, then submits the job's first task."""
    check_file(raw)
    forget_abandoned()
    job = Job(
        id=secrets.token_hex(16),
        kind="import",
        state="uploaded" if preview else "queued",
        message="Reading your file…" if preview else "Waiting for a worker…",
        user_id=user_id,
        circle_id=circle_id,
        filename=safe_filename(filename),
        payload=raw,
        options={"preview": preview, **options},
    )
    db.session.add(job)
    return job


def forget_abandoned(now: datetime | None = None) -> int:
    """Delete uploads left unconfirmed (or never read) for longer than ABANDONED_AFTER,
    with their files; the number deleted. Run whenever an upload starts, so the database
    never keeps more than a day of walked-away files, on any number of machines."""
    cutoff = (now or utcnow()) - ABANDONED_AFTER
    return db.session.execute(
        delete(Job).where(Job.state.in_(("uploaded", "parsed")), Job.updated_at < cutoff)
    ).rowcount


def job_of(user_id: int, job_id: str) -> Job:
    """The job, if `user_id` started it; 404 otherwise (whether or not it exists)."""
    job = db.session.scalar(select(Job).where(Job.id == job_id, Job.user_id == user_id))
    if job is None:
        abort(404, NOT_FOUND)
    return job


@dataclass(frozen=True)
class Report:
    """What a job's page or API answer says about it right now."""

    state: str
    progress: int
    message: str

    @property
    def pending(self) -> bool:
        return self.state in PENDING


def report(job: Job) -> Report:
    """The job as stored, except that one stuck in a working state long after its last
    progress report is said to have stopped (nothing is written: a GET changes nothing,
    and the work it was storing was rolled back with its transaction)."""
    stale_after = timedelta(seconds=current_app.config["JOB_STALE_SECONDS"])
    quiet_for = utcnow() - job.updated_at
    if job.state in WORKING and quiet_for > stale_after:
        return Report("failed", job.progress, STOPPED)
    if job.state in WAITING and quiet_for > WAITING_NOTICE_AFTER:
        return Report(job.state, job.progress, STILL_WAITING)
    return Report(job.state, job.progress, job.message)


def preview_of(data: WorkData) -> dict:
    """What the person sees before confirming: plain values, kept on the job as JSON."""
    return {
        "title": data.title,
        "authors": data.authors,
        "format": data.source_format,
        "format_name": FORMAT_NAMES.get(data.source_format, data.source_format),
        "rating": data.rating,
        "archive_warnings": data.archive_warnings,
        "fandoms": data.fandoms,
        "relationships": data.relationships,
        "characters": data.characters,
        "tags": data.tags,
        "language": data.language,
        "chapters": [
            {"n": chapter.number, "title": chapter.title, "words": chapter.word_count}
            for chapter in data.chapters
        ],
        "words": sum(chapter.word_count for chapter in data.chapters),
    }
