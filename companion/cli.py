"""The `companion` command: a Flask CLI group over the app factory."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from . import create_app
from .extensions import db
from .importers import FORMATS, ImportFailed, WorkData, load
from .jobs.cli import worker_command
from .jobs.queue import queue_of
from .library import StoreResult, store_work
from .library.store import Progress as ProgressCallback
from .notify.cli import notify_group

if TYPE_CHECKING:
    from .models import Work

# An import shorter than this never shows a progress bar, even on a terminal.
SHOW_PROGRESS_AFTER = 0.3


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
@click.option("--title", help="The work's title: for a file that carries none, or to replace it.")
@click.option("--private", is_flag=True, help="Readable only by its owner and their circles.")
@click.option(
    "--owner",
    metavar="NAME",
    help="The account the work belongs to: it may read (if private) and edit it.",
)
@with_appcontext
def import_command(
    path: Path, fmt: str, title: str | None, private: bool, owner: str | None
) -> None:
    """Import a work from PATH, a file or a folder of files (each one a work).

    Prints each work's id, title and chapter count; a folder ends with a summary table.
    Exit status 2 when any file failed (the others are still imported)."""
    from .database import upgrade
    from .models import User

    files = _files_to_import(path)
    if title is not None and not title.strip():
        fail("--title is empty")
    if title and len(files) > 1:
        fail(f"--title names one work, and {path} holds {len(files)} files; import them one by one")
    if private and not owner:
        fail("--private needs --owner NAME: a private work is read by its owner and their circles")
    upgrade()
    owner_id = None
    if owner:
        account = User.by_name(owner)
        if account is None:
            fail(f"no user named {owner!r}; create one with 'companion user create {owner}'")
        owner_id = account.id
    outcomes = [_import_one(file, fmt, title, private, owner_id) for file in files]
    if len(files) > 1:
        _print_summary(outcomes)
    if any(outcome.error for outcome in outcomes):
        sys.exit(2)


@dataclass
class _Outcome:
    """What `companion import` did with one file, for its line and the summary table."""

    file: Path
    result: StoreResult | None = None
    error: str = ""


def _files_to_import(path: Path) -> list[Path]:
    """PATH itself, or every regular, non-hidden file directly inside the folder PATH."""
    if not path.exists():
        fail(f"{path}: no such file or folder")
    if not path.is_dir():
        return [path]
    try:
        files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
    except OSError as error:
        fail(f"{path}: cannot read the folder ({error.strerror})")
    if not files:
        fail(f"{path}: the folder holds no files to import")
    return files


def _import_one(
    file: Path, fmt: str, title: str | None, private: bool, owner_id: int | None
) -> _Outcome:
    """Parse and store one file in its own transaction; a failure is reported, not raised,
    so the next file of a folder still gets its turn."""
    outcome = _Outcome(file)
    try:
        data = load(file, fmt)
        with _progress_bar(file.name) as on_progress:
            outcome.result = store_work(
                data, title=title, private=private, uploader_id=owner_id, on_progress=on_progress
            )
    except ImportFailed as error:
        outcome.error = str(error)
    except SQLAlchemyError as error:
        # store_work has rolled back: nothing of this file is stored.
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        outcome.error = f"the database refused it ({reason})"
    except Exception as error:  # a bug in one file's import must not cost the others their turn
        db.session.rollback()
        outcome.error = f"could not import it ({type(error).__name__}: {error}); please report this"
    if outcome.error:
        if not outcome.error.startswith((file.name, str(file))):
            outcome.error = f"{file.name}: {outcome.error}"
        click.echo(f"error: {outcome.error}", err=True)
    else:
        click.echo(_describe(outcome.result))
    return outcome


def _describe(result: StoreResult) -> str:
    """`imported: work 1 “Title”, 8 chapters`, and its "already imported" and "updated" kin."""
    work = result.work
    state = {"imported": "imported", "unchanged": "already imported"}.get(result.outcome)
    if state is None:
        state, version = "updated", f" to version {result.version}"
    else:
        version = ""
    quoted = f"\u201c{work.title}\u201d"
    chapters = f"{work.chapter_count} chapter{'' if work.chapter_count == 1 else 's'}"
    return f"{state}: work {work.id} {quoted}{version}, {chapters}"


@contextmanager
def _progress_bar(name: str) -> Iterator[ProgressCallback]:
    """A rich progress bar on stderr for an import that takes a while, fed by store_work.

    Only on a terminal, and only once the import has run for a moment: short imports,
    pipes, logs and tests get nothing but the result lines."""
    if not sys.stderr.isatty():
        yield lambda done, total, what: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as ProgressDisplay

    display = ProgressDisplay(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    started = time.monotonic()
    task = None

    def on_progress(done: int, total: int, what: str) -> None:
        nonlocal task
        if task is None:
            if time.monotonic() - started < SHOW_PROGRESS_AFTER:
                return
            display.start()
            task = display.add_task(name, total=total)
        display.update(task, completed=done, total=total, description=f"{name}: {what}")

    try:
        yield on_progress
    finally:
        if task is not None:
            display.stop()


def _print_summary(outcomes: list[_Outcome]) -> None:
    """One row per file: what happened, or why it failed."""
    from rich.console import Console
    from rich.table import Table

    # A pipe or a log gets a table wide enough for the reasons, not 80 columns.
    console = Console(width=None if sys.stdout.isatty() else 120, highlight=False)
    table = Table()
    for column in ("file", "outcome", "work", "title, or why it failed", "chapters"):
        table.add_column(column, overflow="fold")
    for outcome in outcomes:
        if outcome.error:
            reason = outcome.error.removeprefix(f"{outcome.file.name}: ")
            table.add_row(outcome.file.name, "failed", "", reason, "")
            continue
        result, work = outcome.result, outcome.result.work
        state = {"imported": "imported", "unchanged": "already imported"}.get(
            result.outcome, f"updated to version {result.version}"
        )
        table.add_row(outcome.file.name, state, str(work.id), work.title, str(work.chapter_count))
    failed = sum(1 for outcome in outcomes if outcome.error)
    console.print(table)
    click.echo(f"{len(outcomes) - failed} of {len(outcomes)} files imported, {failed} failed")


def import_work(data: WorkData, **options) -> tuple[Work, bool]:
    """Store a parsed work through `companion.library.store_work`; (work, created).

    Kept for the tests and scripts that import works by this name."""
    result = store_work(data, **options)
    return result.work, result.created


user_group = click.Group("user", help="Manage accounts.")
token_group = click.Group("token", help="Manage personal API tokens.")
main.add_command(user_group)
main.add_command(token_group)


@user_group.command("create")
@click.argument("name")
@click.option("--email", metavar="ADDR", help="The account's address; counts as verified.")
@with_appcontext
def user_create(name: str, email: str | None) -> None:
    """Create an account; the password is read from stdin."""
    from . import accounts
    from .database import upgrade

    if email is not None:
        try:
            accounts.check_email(email)  # before asking for a password that would be wasted
        except accounts.AccountError as error:
            fail(str(error))
    upgrade()
    password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else None
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create_user(name, password)
        if email is not None:
            # The operator vouches for the address they type: no link to follow.
            accounts.set_email(user, email, verified=True)
        db.session.commit()
    except accounts.AccountError as error:
        db.session.rollback()
        fail(str(error))
    except IntegrityError:  # the address was proven on another account meanwhile
        db.session.rollback()
        fail(accounts.IN_USE)
    verified = f", verified address {user.email}" if user.email else ""
    click.echo(f"created user {user.name} (id {user.id}){verified}")


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
    import os

    from . import demo

    if not os.environ.get("PUBLIC_URL", "").strip():
        # Links in the demo's mail point at the server this command starts.
        current_app.config["PUBLIC_URL"] = f"http://{host}:{port}"
    summary = demo.setup()
    for line in summary:
        click.echo(line)
    if setup_only:
        return
    # Uploads import in the background: the queue's worker runs here too, in threads.
    queue_of(current_app).start_worker(periodic=True)  # the demo's one periodic consumer
    click.echo(f"Serving on http://{host}:{port}/  (Ctrl+C to stop)")
    # Flask refuses app.run() inside its own CLI; the same server, started directly.
    from werkzeug.serving import run_simple

    run_simple(host, port, current_app._get_current_object(), threaded=True)


main.add_command(worker_command)
main.add_command(notify_group)
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


@warnings_group.command("redetect")
@click.option("--now", is_flag=True, help="Re-detect here and now instead of queueing jobs.")
@with_appcontext
def warnings_redetect(now: bool) -> None:
    """Re-detect every work whose warnings an older detector made (member flags stay).

    Queues one background job per work (a worker runs them; `companion worker --periodic`
    also does this by itself every ten minutes), or with --now does the work at once."""
    from .database import upgrade
    from .library import redetect
    from .models import Work
    from .warnings.model import detector_version

    upgrade()
    stale = redetect.stale_work_ids()
    if not stale:
        click.echo(f"every work is detected by the current detector ({detector_version()})")
        return
    if now:
        for work_id in stale:
            work = db.session.get(Work, work_id)
            count = redetect.redetect(work) if work is not None else None
            db.session.commit()
            if count is not None:
                click.echo(f"work {work_id}: {count} automatic warnings")
        return
    jobs = redetect.enqueue_stale()
    click.echo(f"queued re-detection of {len(jobs)} works for the job queue's workers")


# The gold files the detector is trained and cross-validated on, in a checkout.
GOLD_FOLDER = Path(__file__).resolve().parents[1] / "tests" / "data" / "warnings"


def _gold_folder(path: Path | None) -> Path:
    folder = path or GOLD_FOLDER
    if not folder.is_dir() or not any(folder.glob("*.json")):
        fail(f"{folder}: no gold files here; pass a folder of gold files")
    return folder


@warnings_group.command("train")
@click.option(
    "--gold",
    "gold_folder",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of gold files (default: tests/data/warnings of this checkout).",
)
def warnings_train(gold_folder: Path | None) -> None:
    """Rebuild the detector's model from the gold files (same files, same model).

    Writes companion/warnings/model.json; works detected by an older model are re-detected
    by the job queue (`companion warnings redetect`, or a worker with --periodic). Restart
    running servers and workers afterwards: each keeps the model it loaded."""
    from .warnings import model, training

    folder = _gold_folder(gold_folder)
    try:
        trained = training.train(folder)
    except (ValueError, OSError) as error:
        fail(str(error))
    click.echo(
        f"trained on {len(trained.trained_on)} works from {folder}: "
        f"detector {model.detector_version(trained)}, written to {model.MODEL_PATH}"
    )


def _cross_validate(folder: Path, verbose: bool) -> None:
    from .warnings import training
    from .warnings.evaluate import format_report

    try:
        works = training.load_gold_folder(folder)
    except (ValueError, FileNotFoundError) as error:
        fail(str(error))
    result = training.cross_validate(works)
    click.echo(f"leave-one-work-out over {len(works)} works in {folder}")
    click.echo(f"{'work':<22} {'ch':>3}  {'body F1':>7} {'P':>6} {'R':>6}  {'notes F1':>8}")
    for name, report in result.reports.items():
        body, notes = report.body.micro, report.notes.micro
        mark = "" if name in result.held_out else "  (not held out: rules written on it)"
        click.echo(
            f"{name:<22} {len(report.chapters):>3}  {body.f1:7.3f} {body.precision:6.3f}"
            f" {body.recall:6.3f}  {notes.f1:8.3f}{mark}"
        )
    click.echo("")
    click.echo(f"pooled over the {len(result.held_out)} held-out works:")
    click.echo(format_report(result.pooled, verbose=verbose))


@warnings_group.command("eval")
@click.argument("gold_path", metavar="GOLD.json", type=click.Path(path_type=Path), required=False)
@click.option("--verbose", is_flag=True, help="Also list what was missed or extra per chapter.")
@click.option(
    "--cross-validate",
    "cross",
    is_flag=True,
    help="Leave-one-work-out over a folder of gold files (GOLD.json may name the folder; "
    "default tests/data/warnings): per work and pooled, body and notes apart.",
)
@with_appcontext
def warnings_eval(gold_path: Path | None, verbose: bool, cross: bool) -> None:
    """Score stored chapter-level detections against a hand-made gold file.

    The gold file's "work" is the source file name of an imported work, or else a path
    relative to the gold file, which is imported first. Prints body and notes figures
    separately; the last line is `micro-F1 X macro-F1 Y` over both."""
    import json

    if cross:
        return _cross_validate(_gold_folder(gold_path), verbose)
    if gold_path is None:
        fail("name a gold file, or use --cross-validate")

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
            data = load(source)
            # An evaluation run needs the text, not a title: a titleless file is named by
            # its file name rather than refused.
            work = store_work(data, title=None if data.title.strip() else source.stem).work
        except ImportFailed as error:
            fail(f"{source}: {error}")
    numbers = [int(chapter["n"]) for chapter in gold["chapters"]]
    predicted = predicted_from_detections(_stored_detections(work.id), numbers, work=name)
    click.echo(f"work {work.id} \u201c{work.title}\u201d")
    click.echo(format_report(evaluate(gold, predicted), verbose=verbose))
