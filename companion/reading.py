"""Reading pages (library, contents, chapter) and moving one's own progress."""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .extensions import db, login_manager
from .htmx import focus_after_settle, is_htmx, trigger
from .importers import FORMAT_NAMES
from .library import access
from .models import Chapter, Paragraph, Progress, Work, move_progress
from .pagecache import same_for_everyone
from .spoilers import START, Position, Shape
from .warnings import visible as warnings_gate

bp = Blueprint("reading", __name__)


class ParagraphView(NamedTuple):
    index: int
    anchor: str
    html: str


@lru_cache(maxsize=512)
def _paragraphs(content_hash: str, chapter_id: int) -> tuple[ParagraphView, ...]:
    # Keyed by the work's content hash too: a chapter's text never changes under it.
    rows = db.session.execute(
        select(Paragraph.index, Paragraph.anchor_key, Paragraph.html)
        .where(Paragraph.chapter_id == chapter_id)
        .order_by(Paragraph.index)
    )
    return tuple(ParagraphView(*row) for row in rows)


def paragraphs_of(chapter: Chapter) -> tuple[ParagraphView, ...]:
    return _paragraphs(chapter.work.content_hash, chapter.id)


@lru_cache(maxsize=128)
def _shape(content_hash: str, work_id: int) -> Shape:
    return db.session.get(Work, work_id).shape()


def shape_of(work: Work) -> Shape:
    """Paragraph counts per chapter; fixed for a work's content, so computed once."""
    return _shape(work.content_hash, work.id)


def find_chapter(work_id: int, number: int) -> Chapter:
    chapter = Chapter.of_work(work_id, number)
    if chapter is None:
        abort(404, "That chapter doesn't exist in this work.")
    return chapter


def reader_progress(work_id: int) -> Position | None:
    """The current user's position in a work; None when nobody is logged in."""
    if not current_user.is_authenticated:
        return None
    return Progress.of(current_user.id, work_id)


@bp.get("/")
def library():
    # Public works and the private ones this reader's circles read (or they uploaded).
    works = db.session.scalars(access.readable_works(access.reader_id())).all()
    return render_template("library.html", works=works)


def work_version(work_id: int, **_):
    """What an anonymous visitor's reading pages of a work depend on (None: private)."""
    return access.anonymous_version(work_id)


@bp.get("/works/<int:work_id>")
@same_for_everyone(work_version)
def work(work_id: int):
    user_id = access.reader_id()
    work = access.readable_work_or_404(work_id, user_id, selectinload(Work.chapters))
    upfront = [w for w in warnings_gate.warnings_for(user_id, work_id) if w.shown_on("work")]
    return render_template(
        "work.html",
        work=work,
        progress=reader_progress(work_id),
        can_edit=access.can_edit(user_id, work),
        upfront_warnings=warnings_gate.summarize(upfront),
        # Asked until the reader saves any choice, "tell me nothing" included.
        ask_about_warnings=user_id is not None and not warnings_gate.has_chosen(user_id),
    )


@bp.get("/works/<int:work_id>/chapters/<int:number>")
@same_for_everyone(work_version)
def chapter(work_id: int, number: int):
    # Opening a chapter never moves progress (rule 6): this view only reads.
    chapter = access.readable_chapter_or_404(work_id, number, access.reader_id())
    return render_template("chapter.html", **chapter_context(chapter))


def chapter_context(
    chapter: Chapter, progress: Position | None = None, chapter_url=None, move_url=None
) -> dict:
    """What every chapter page shows; `progress` when the caller already has it, and
    `chapter_url(n)` and `move_url` to keep links and moves inside a circle."""
    work = chapter.work
    paragraphs = paragraphs_of(chapter)
    if progress is None:
        progress = reader_progress(work.id)
    end = Position(chapter.number, len(paragraphs) - 1)
    return (
        warnings_context(chapter, paragraphs)
        | auto_advance_context(chapter, progress, end)
        | {
            "work": work,
            "chapter": chapter,
            "paragraphs": paragraphs,
            "progress": progress,
            "end": end,
            # Rule 7: end notes are story text; they show once the reader has finished.
            "finished": progress is not None and progress >= end,
            "shape": shape_of(work),
            "chapter_url": chapter_url
            or (lambda n: url_for("reading.chapter", work_id=work.id, number=n)),
            "move_url": move_url or url_for("reading.move", work_id=work.id),
            "previous": chapter.number - 1 if chapter.number > 1 else None,
            "following": chapter.number + 1 if chapter.number < work.chapter_count else None,
        }
    )


def auto_advance_context(chapter: Chapter, progress: Position | None, end: Position) -> dict:
    """For a reader who opted into moving as they read: whether this page may move them
    (only the chapter they are in the middle of), and where they are in it (-1: not yet)."""
    on = (
        progress is not None
        and current_user.auto_advance
        and shape_of(chapter.work).reading_now(progress) == chapter.number
        and progress < Position(chapter.number, end.paragraph - 1)
    )
    here = progress.paragraph if on and progress.chapter == chapter.number else -1
    return {"auto_advance": on, "auto_here": here}


def warnings_context(chapter: Chapter, paragraphs: tuple[ParagraphView, ...]) -> dict:
    """The reader's opted-in warnings for a chapter: the banner at its start, and the
    passages to collapse, keyed by their first paragraph, each with where "skip" lands."""
    user_id = current_user.id if current_user.is_authenticated else None
    warnings = warnings_gate.warnings_for(user_id, chapter.work_id, chapter.number)
    banner = warnings_gate.summarize([w for w in warnings if w.shown_on("chapter")])
    passages = warnings_gate.passages(warnings, len(paragraphs))
    skip_to = {
        passage.start: f"#p-{paragraphs[passage.end + 1].anchor}"
        if passage.end + 1 < len(paragraphs)
        else "#progress"
        for passage in passages
    }
    return {
        "warning_banner": banner,
        "warning_passages": [(passage, skip_to[passage.start]) for passage in passages],
    }


@bp.post("/works/<int:work_id>/progress")
def move(work_id: int):
    # A private work is missing for whoever may not read it, signed in or not.
    access.readable_work_or_404(work_id, access.reader_id())
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return move_place(work_id)


def move_place(work_id: int, chapter_url=None, move_url=None, markers_of=None, discussion_of=None):
    """Move the reader's position: "I've finished this chapter", "I'm here", or moving as
    they read. Inside a circle, `chapter_url`/`move_url` keep the answer's links there;
    `markers_of(chapter)` (visible comments per paragraph, before the move) and
    `discussion_of(chapter)` (after it) tell which passage markers the move changed
    (comments unlocked or hidden again), so those are swapped too."""
    number = request.form.get("chapter", type=int) or 0
    chapter = access.readable_chapter_or_404(work_id, number, current_user.id)
    paragraphs = paragraphs_of(chapter)
    index = request.form.get("paragraph", type=int)
    if index is None or not 0 <= index < len(paragraphs):
        abort(400, "That paragraph isn't in this chapter.")
    target = Position(chapter.number, index)
    current = Progress.of(current_user.id, work_id)
    urls = {"chapter_url": chapter_url, "move_url": move_url}
    if request.form.get("auto"):
        # Sent by the page as the reader pauses (opt-in): forward inside the chapter
        # being read, never finishing it. Anything else is quietly nothing to do.
        if not current_user.auto_advance:
            abort(400, "Moving as you read is off; turn it on in your account settings.")
        if not shape_of(chapter.work).auto_move_allowed(current, target):
            return "", 204
    elif target < current and request.form.get("confirm") != "back":
        # Moving back hides comments again; make sure it was meant.
        context = chapter_context(chapter, **urls) | {"target": target, "current": current}
        if not is_htmx():
            return render_template("progress_confirm.html", **context)
        response = make_response(render_template("_partials/progress_confirm.html", **context))
        return focus_after_settle(response, "#progress button[type=submit]")
    markers_before = markers_of(chapter.number) if markers_of else None
    move_progress(current_user.id, work_id, target)
    db.session.commit()
    context = chapter_context(chapter, **urls)
    if not is_htmx():
        if target >= current:
            flash(f"Saved. {your_place(context['shape'], target).striptags()}.")
        anchor = "#progress" if index == len(paragraphs) - 1 else f"#p-{paragraphs[index].anchor}"
        return redirect(context["chapter_url"](chapter.number) + anchor)
    context["moved_from"] = current
    if discussion_of:
        context |= {"discussion": discussion_of(chapter.number), "markers_before": markers_before}
    response = render_template("_partials/progress_moved.html", **context)
    response = trigger(response, "progress-moved", {"chapter": target.chapter, "paragraph": index})
    if request.form.get("auto"):
        return response  # the reader is reading; focus stays where it is
    # "I'm here" was pressed beside the paragraph, "finished" in the panel below.
    finished = index == len(paragraphs) - 1
    return focus_after_settle(response, "#progress" if finished else f"#tools-{index}")


@bp.app_template_global("your_place")
def your_place(shape: Shape, position: Position) -> Markup:
    """Where a reader is, in a sentence: "You've finished chapter 3", "You're at
    chapter 5, ¶ 51 of 98"."""
    where = shape.describe(position)
    if position == START:
        return Markup("You haven't started yet")
    if where.startswith("finished"):
        return Markup("You've <strong>{}</strong>").format(where)
    return Markup("You're at <strong>{}</strong>").format(where)


@bp.app_template_global("place_name")
def place_name(shape: Shape, position: Position) -> str:
    """A position as somewhere to go: "the end of chapter 2", "chapter 2, ¶ 5 of 86"."""
    where = shape.describe(position)
    if where.startswith("finished "):
        return "the end of " + where.removeprefix("finished ")
    return where


@bp.app_template_filter("format_name")
def format_name(source_format: str) -> str:
    return FORMAT_NAMES.get(source_format, source_format)


@bp.app_template_filter("duration")
def duration(minutes: int) -> str:
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"
