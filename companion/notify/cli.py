"""`companion notify run [--now]`: send every digest, reply notice and reminder that is due,
once, as the queue's periodic task does (companion.notify.deliveries)."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

notify_group = click.Group("notify", help="E-mail notifications: digests, replies, reminders.")


@notify_group.command("run")
@click.option(
    "--now", "force", is_flag=True,
    help="Treat every enabled digest as due now (a new one from where the last one ended).",
)  # fmt: skip
@with_appcontext
def notify_run(force: bool) -> None:
    """Record and send what is due; prints a summary, and a line per delivery given up on.

    Exit status 1 when a delivery failed for good in this run (after its retries, or
    refused by the mail server for good): it is kept, marked failed, with its error."""
    from ..database import upgrade
    from ..extensions import db
    from .deliveries import run

    upgrade()
    try:
        summary = run(force=force)
    except SQLAlchemyError as error:
        db.session.rollback()
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        click.echo(f"error: the database refused it ({reason}); the run stopped there", err=True)
        sys.exit(1)
    click.echo(summary.line())
    for failed in summary.failed:
        click.echo(failed.line(), err=True)
    if summary.failed:
        sys.exit(1)
