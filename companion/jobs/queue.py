"""The job queue: one Huey instance per app, on Redis when `REDIS_URL` is set, else on a
SQLite file in the instance folder (`instance/huey.sqlite3`).

A queued message carries only a `Job` id; the `Job` row is the truth a page polls, so a
worker on any machine can run the job and any app server can report it. Each task runs
inside an app context of the app that built the queue: the worker process builds its
app once with `create_app()`, `companion demo` runs the same queue in threads beside its
server, and under TESTING (unless `HUEY_IMMEDIATE` says otherwise) Huey's immediate mode
runs every job at once, inline, through the very same task code.

Periodic tasks (sending the mail that is due, `companion.notify.deliveries`, every few
minutes; queueing re-detection of works an older detector read) are enqueued by exactly
one consumer: `companion worker --periodic` on one machine, or the embedded worker of
`companion demo`. Any worker may then run them.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer

EXTENSION = "companion_jobs"
NAME = "companion"
# How long an idle worker waits before asking the SQLite queue again: a second at most,
# so an upload starts importing promptly (Redis workers block on the list instead).
MAX_POLL_SECONDS = 1.0

log = logging.getLogger(__name__)


@dataclass
class JobQueue:
    huey: Huey
    # Task name → the Huey task that runs it in the app's context.
    tasks: dict[str, Callable] = field(default_factory=dict)

    def submit(self, task: Callable[[str], None], job_id: str) -> None:
        """Queue `task` (a function of companion.jobs.tasks) for the job `job_id`."""
        self.tasks[task.__name__](job_id)

    def where(self) -> str:
        if self.huey.immediate:
            return "inline (immediate mode)"
        storage = self.huey.storage
        return getattr(storage, "filename", None) or "Redis"

    def start_worker(self, workers: int = 2, *, periodic: bool = False) -> Consumer | None:
        """Run the queue in daemon threads of this process (`companion demo`), without
        taking over its signals: Ctrl+C still stops the server, and the threads with it.
        `periodic`: this consumer also enqueues the periodic tasks (only one may).
        Nothing to start in immediate mode, where jobs run as they are queued."""
        if self.huey.immediate:
            return None
        consumer = EmbeddedConsumer(
            self.huey, workers=workers, periodic=periodic, max_delay=MAX_POLL_SECONDS
        )
        consumer.start()
        return consumer


class EmbeddedConsumer(Consumer):
    """A consumer that shares its process with a server, whose signal handlers stay."""

    def _set_signal_handlers(self) -> None:
        pass


def build_queue(app: Flask, *, immediate: bool | None = None) -> JobQueue:
    from .tasks import TASKS

    if immediate is None:
        immediate = app.config.get("HUEY_IMMEDIATE")
    if immediate is None:
        immediate = app.testing
    # Results are never read (the Job row says how a job went), so none are kept.
    if redis_url := app.config.get("REDIS_URL"):
        huey = RedisHuey(NAME, url=redis_url, results=False, immediate=immediate)
    else:
        huey = SqliteHuey(
            NAME, filename=app.config["HUEY_SQLITE_PATH"], results=False, immediate=immediate
        )
    queue = JobQueue(huey)
    for name, function in TASKS.items():
        queue.tasks[name] = huey.task(name=name)(_in_app_context(app, function))
    for name, (when, function) in _periodic_tasks().items():
        queue.tasks[name] = huey.periodic_task(when, name=name)(_periodic(app, function))
    return queue


def _periodic_tasks() -> dict[str, tuple[Callable, Callable[[], None]]]:
    from ..library import redetect
    from ..notify import deliveries

    every = f"*/{deliveries.EVERY_MINUTES}"
    return {
        "notify_run": (crontab(minute=every), deliveries.periodic_run),
        # After `warnings train` or an upgrade, works made by another detector are queued
        # for re-detection within ten minutes (cheap when there are none: one query).
        "redetect_stale": (crontab(minute="*/10"), redetect.enqueue_stale),
    }


def _periodic(app: Flask, function: Callable[[], None]) -> Callable[[], None]:
    @functools.wraps(function)
    def run() -> None:
        with app.app_context():
            function()

    return run


def _in_app_context(app: Flask, function: Callable[[str], None]) -> Callable[[str], None]:
    @functools.wraps(function)
    def run(job_id: str) -> None:
        # A context of its own, so its own database session: in immediate mode the job
        # runs inside a request, whose session must not see (or roll back) the job's work.
        with app.app_context():
            function(job_id)

    return run


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = build_queue(app)


def queue_of(app: Flask | None = None) -> JobQueue:
    return (app or current_app).extensions[EXTENSION]


def submit(task: Callable[[str], None], job_id: str) -> None:
    queue_of().submit(task, job_id)
