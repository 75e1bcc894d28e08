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


warnings_group = click.Group("warnings", help="Content warnings: detection and evaluation.")
main.add_command(warnings_group)


def _stored_detections(work_id: int) -> list:
    """The automatic detections stored for a work at import, as `Detection` values."""
    from sqlalchemy import select

    from .models import ContentWarning

    rows = db.session.scalars(
        select(ContentWarning)
        .where(ContentWarning.work_id == work_id, ContentWarning.source != "member")
        .order_by(
            ContentWarning.chapter,
            ContentWarning.paragraph_start,
            ContentWarning.source,
            ContentWarning.label,
        )
    )
    return [row.detection() for row in rows]


@warnings_group.command("detect")
@click.argument("work_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="One JSON document instead of text.")
@with_appcontext
def warnings_detect(work_id: int, as_json: bool) -> None:
    """Print what detection found in work WORK_ID at import, chapter by chapter.

    Weak detections (confidence below 0.5) are listed too, marked "weak": readers are
    only ever shown the others."""
    import json
    from dataclasses import asdict

    from .models import Work
    from .warnings.detect import COUNTING_CONFIDENCE

    work = db.session.get(Work, work_id)
    if work is None:
        fail(f"no work with id {work_id}; 'companion import PATH' prints the ids")
    detections = _stored_detections(work.id)
    chapters: dict[int | None, list] = {None: []}
    chapters.update({chapter.number: [] for chapter in work.chapters})
    for detection in detections:
        chapters.setdefault(detection.chapter, []).append(detection)
    if as_json:
        document = {
            "work_id": work.id,
            "title": work.title,
            "chapters": [
                {"n": n, "detections": [asdict(d) for d in found]} for n, found in chapters.items()
            ],
        }
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    click.echo(f"work {work.id} \u201c{work.title}\u201d: {len(detections)} detections")
    for n, found in chapters.items():
        click.echo("whole work:" if n is None else f"chapter {n}:")
        if not found:
            click.echo("  (nothing)")
        for d in found:
            where = (
                f" \u00b6{d.paragraph_start + 1}-{d.paragraph_end + 1}"
                if d.paragraph_start is not None and d.paragraph_end is not None
                else ""
            )
            weak = " weak" if d.confidence < COUNTING_CONFIDENCE else ""
            evidence = d.evidence if len(d.evidence) <= 80 else d.evidence[:77] + "..."
            click.echo(
                f"  {d.label:<22} {d.severity:<9} {d.source:<6} {d.confidence:.2f}{weak}"
                f"{where}  {evidence}"
            )


@warnings_group.command("eval")
@click.argument("gold_path", metavar="GOLD.json", type=click.Path(path_type=Path))
@click.option("--verbose", is_flag=True, help="Also list what was missed or extra per chapter.")
@with_appcontext
def warnings_eval(gold_path: Path, verbose: bool) -> None:
    """Score stored chapter-level detections against a hand-made gold file.

    The gold file's "work" is the source file name of an imported work, or else a path
    relative to the gold file, which is imported first. Prints body and notes figures
    separately; the last line is `micro-F1 X macro-F1 Y` over both."""
    import json

    from sqlalchemy import select

    from .database import upgrade
    from .models import Work
    from .warnings.evaluate import (
        evaluate,
        format_report,
        predicted_from_detections,
        validate_gold,
    )

    try:
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail(f"{gold_path}: no such gold file")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        fail(f"{gold_path}: not a readable JSON gold file ({error})")
    if not isinstance(gold, dict):
        fail(f"{gold_path}: a gold file is a JSON object with 'work' and 'chapters'")
    name = gold.get("work")
    if not isinstance(name, str) or not name.strip():
        fail(f"{gold_path}: 'work' must name the work's source file")
    if problems := validate_gold(gold):
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        fail(f"{gold_path}: {problems[0]}{more}")

    upgrade()
    work = db.session.scalar(
        select(Work).where(Work.source_name == Path(name).name).order_by(Work.id).limit(1)
    )
    if work is None:
        source = (gold_path.parent / name).resolve()
        if not source.is_file():
            fail(f"{gold_path}: work {name!r} is neither imported nor a file next to the gold")
        try:
            work, _ = import_work(load(source))
        except ImportFailed as error:
            fail(f"{source}: {error}")
    numbers = [int(chapter["n"]) for chapter in gold["chapters"]]
    predicted = predicted_from_detections(_stored_detections(work.id), numbers, work=name)
    click.echo(f"work {work.id} \u201c{work.title}\u201d")
    click.echo(format_report(evaluate(gold, predicted), verbose=verbose))
