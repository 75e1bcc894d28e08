"""`companion worker`: run the job queue (uploads being parsed and imported) until stopped.

In production it runs beside the app servers, e.g. `companion worker -w 2` next to
gunicorn, on the same `DATABASE_URL` and `REDIS_URL` (or, on one machine without Redis,
the same instance folder, whose `huey.sqlite3` is the queue).

Exactly one worker in the whole deployment runs with `--periodic`: it enqueues the
periodic tasks (the mail that is due, every few minutes), which any worker then runs. Two
would enqueue each run twice (harmless, since deliveries are claimed one by one, but
wasted); none would send no digests or reminders."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from .queue import MAX_POLL_SECONDS, queue_of


@click.command("worker")
@click.option(
    "-w", "--workers", default=2, show_default=True, type=click.IntRange(1, 64),
    help="Jobs run at the same time (threads).",
)  # fmt: skip
@click.option(
    "--periodic/--no-periodic", default=False, show_default=True,
    help="Also enqueue the periodic tasks (sending due mail): on exactly one worker.",
)  # fmt: skip
@with_appcontext
def worker_command(workers: int, periodic: bool) -> None:
    """Run queued jobs (uploads, imports, due mail) until Ctrl+C or SIGTERM."""
    queue = queue_of(current_app)
    if queue.huey.immediate:
        click.echo("error: this app runs jobs inline (HUEY_IMMEDIATE); no worker needed", err=True)
        sys.exit(2)
    tasks = ", with the periodic tasks" if periodic else ""
    click.echo(f"Worker: {workers} thread(s) on {queue.where()}{tasks} (Ctrl+C to stop)")
    # The consumer's own loop: SIGINT finishes the jobs in hand, SIGTERM stops at once.
    consumer = queue.huey.create_consumer(
        workers=workers, worker_type="thread", periodic=periodic, max_delay=MAX_POLL_SECONDS
    )
    consumer.run()
