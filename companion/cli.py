"""The `companion` command: a Flask CLI group over the app factory."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from . import create_app
from .extensions import db
from .importers import FORMATS, ImportFailed, load


def fail(message: str) -> None:
    """One clear line on stderr and exit status 2, for input the user can fix."""
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False)
def main() -> None:
    """Companion: read one work together, talk without spoilers."""


@main.command("import")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=True))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="auto", show_default=True)
@with_appcontext
def import_command(path: Path, fmt: str) -> None:
    """Import a work from PATH; prints its id, title and chapter count."""
    from .database import upgrade

    upgrade()
    try:
        data = load(path, fmt)
    except ImportFailed as error:
        fail(str(error))
    work, created = import_work(data)
    state = "imported" if created else "already imported"
    click.echo(f"{state}: work {work.id} \u201c{work.title}\u201d, {len(work.chapters)} chapters")


def import_work(data):
    """Store a parsed work in one transaction: all of it, or nothing."""
    from .models import Work

    try:
        work, created = Work.store(data)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return work, created


user_group = click.Group("user", help="Manage accounts.")
token_group = click.Group("token", help="Manage personal API tokens.")
main.add_command(user_group)
main.add_command(token_group)


@user_group.command("create")
@click.argument("name")
@with_appcontext
def user_create(name: str) -> None:
    """Create an account; the password is read from stdin."""
    from . import accounts
    from .database import upgrade

    upgrade()
    password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else None
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create_user(name, password)
        db.session.commit()
    except accounts.AccountError as error:
        db.session.rollback()
        fail(str(error))
    click.echo(f"created user {user.name} (id {user.id})")


@token_group.command("create")
@click.argument("name")
@with_appcontext
def token_create(name: str) -> None:
    """Print a new personal API token for user NAME (shown once)."""
    from . import accounts
    from .models import User

    user = User.by_name(name)
    if user is None:
        fail(f"no user named {name!r}; create one with 'companion user create {name}'")
    token = accounts.create_token(user)
    db.session.commit()
    click.echo(token)


@main.command("demo")
@click.option("--setup-only", is_flag=True, help="Prepare the demo data, don't serve.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def demo_command(setup_only: bool, host: str, port: int) -> None:
    """Create the database, import the sample work and serve the demo."""
    from . import demo

    summary = demo.setup()
    for line in summary:
        click.echo(line)
    if setup_only:
        return
    click.echo(f"Serving on http://{host}:{port}/  (Ctrl+C to stop)")
    # Flask refuses app.run() inside its own CLI; the same server, started directly.
    from werkzeug.serving import run_simple

    run_simple(host, port, current_app._get_current_object(), threaded=True)
