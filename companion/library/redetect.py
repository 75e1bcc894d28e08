"""Re-detecting a stored work's warnings when the detector changes.

Each work records which detector made its automatic warnings (`Work.detector_version`).
When `companion warnings train` or an upgrade brings a new one, the works made by another
are re-detected in the background job queue: from the stored text, tags and notes, the
same `detect_work` an import runs. Only automatic warnings (tags, notes, text) are
replaced, in one transaction with the new version mark; flags raised by circle members
and what moderators decided about them are never touched.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from lxml import html as lxml_html
from sqlalchemy import delete, select

from ..extensions import db
from ..importers import ChapterData, WorkData
from ..models import Chapter, ContentWarning, Job, Work, utcnow
from ..warnings.detect import detect_work
from ..warnings.model import detector_version
from .store import stored_text

KIND = "redetect"
# A job that has said nothing for this long is taken for lost (its worker died), and a work
# whose re-detection failed is left alone this long before it is tried again.
STALLED_AFTER = timedelta(minutes=30)
RETRY_FAILED_AFTER = timedelta(days=1)
_BLOCKS = ("p", "br", "li", "div", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "pre")


def _text(fragment: str) -> str:
    """Stored (sanitized) HTML of a summary or note as the plain text detectors read."""
    if not fragment or not fragment.strip():
        return ""
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    for block in root.iter(*_BLOCKS):
        # A line break before and after every block: "<h3>Warnings</h3><p>CW: x</p>" is
        # two lines, as the importer read them, not "WarningsCW: x".
        block.text = "\n" + (block.text or "")
        block.tail = "\n" + (block.tail or "")
    return "\n".join(line.strip() for line in root.text_content().splitlines() if line.strip())


def stored_work(work: Work) -> WorkData:
    """A stored work as the importer's `WorkData`, which is what the detectors read."""
    stored = {
        chapter.number: chapter
        for chapter in db.session.scalars(select(Chapter).where(Chapter.work_id == work.id))
    }
    chapters = [
        ChapterData(
            number=text.number,
            title=text.title,
            summary=_text(stored[text.number].summary_html),
            begin_notes=_text(stored[text.number].begin_notes_html),
            end_notes=_text(stored[text.number].end_notes_html),
            paragraphs=list(text.paragraphs),
        )
        for text in stored_text(work)
    ]
    return WorkData(
        title=work.title,
        chapters=chapters,
        source_format=work.source_format,
        rating=work.rating or "",
        archive_warnings=list(work.archive_warnings or []),
        tags=list(work.tags or []),
        summary=_text(work.summary_html),
        notes=_text(work.notes_html),  # as an import reads it: not the work's end notes
    )


def redetect(work: Work) -> int | None:
    """Replace the work's automatic warnings with what the current detector finds; the
    caller commits. Returns how many warnings were stored, or None when there was nothing
    to do: the current detector made them already, or a new version of the work was
    imported meanwhile (its import stored fresh warnings)."""
    if work.detector_version == detector_version():
        return None
    version = work.version
    detections = detect_work(stored_work(work))
    # Reading a long work takes a while: lock the row and look again before writing, so an
    # import that committed in between keeps its warnings.
    db.session.refresh(work, with_for_update=True)
    if work.version != version or work.detector_version == detector_version():
        return None
    db.session.execute(
        delete(ContentWarning).where(
            ContentWarning.work_id == work.id, ContentWarning.source != "member"
        )
    )
    for detection in detections:
        row = ContentWarning.stored(detection)
        row.work_id = work.id
        db.session.add(row)
    work.detector_version = detector_version()
    work.updated_at = utcnow()
    return len(detections)


def stale_work_ids() -> list[int]:
    """Works whose warnings another detector made."""
    return list(
        db.session.scalars(
            select(Work.id).where(Work.detector_version != detector_version()).order_by(Work.id)
        )
    )


def enqueue_stale() -> list[str]:
    """A re-detection job for every stale work that has none waiting; returns job ids."""
    from ..jobs.queue import submit
    from ..jobs.tasks import redetect_work

    now = utcnow()
    waiting = set(
        db.session.scalars(
            select(Job.work_id).where(
                Job.kind == KIND,
                Job.state.in_(("queued", "running")),
                Job.updated_at > now - STALLED_AFTER,
            )
        )
    )
    failed = set(
        db.session.scalars(
            select(Job.work_id).where(
                Job.kind == KIND, Job.state == "failed", Job.finished_at > now - RETRY_FAILED_AFTER
            )
        )
    )
    jobs = [
        Job(id=secrets.token_hex(16), kind=KIND, work_id=work_id, message="Waiting to re-detect…")
        for work_id in stale_work_ids()
        if work_id not in waiting and work_id not in failed
    ]
    db.session.add_all(jobs)
    db.session.commit()
    for job in jobs:
        submit(redetect_work, job.id)
    return [job.id for job in jobs]
