"""Reading pages: the library, a work's table of contents, a chapter."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .extensions import db
from .models import Chapter, Work

bp = Blueprint("reading", __name__)


@bp.get("/")
def library():
    works = db.session.scalars(select(Work).order_by(Work.title, Work.id)).all()
    return render_template("library.html", works=works)


@bp.get("/works/<int:work_id>")
def work(work_id: int):
    work = db.session.scalar(
        select(Work).where(Work.id == work_id).options(selectinload(Work.chapters))
    )
    if work is None:
        abort(404, "We couldn't find that work.")
    return render_template("work.html", work=work)


@bp.get("/works/<int:work_id>/chapters/<int:number>")
def chapter(work_id: int, number: int):
    chapter = Chapter.of_work(work_id, number)
    if chapter is None:
        abort(404, "That chapter doesn't exist in this work.")
    work = chapter.work
    previous = number - 1 if number > 1 else None
    following = number + 1 if number < work.chapter_count else None
    return render_template(
        "chapter.html", work=work, chapter=chapter, previous=previous, following=following
    )


@bp.app_template_filter("duration")
def duration(minutes: int) -> str:
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"
