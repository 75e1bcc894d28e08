"""Re-detection: works an older detector read are read again in the job queue, and what
members flagged (and moderators decided) survives it."""

from __future__ import annotations

from sqlalchemy import select

from companion.extensions import db
from companion.importers.base import ChapterData
from companion.library import redetect
from companion.models import ContentWarning, Job, Work
from companion.warnings.detect import TEASER_PREFIX, chapter_labels, notes_and_teasers
from companion.warnings.model import detector_version


def _automatic(work_id: int) -> list[tuple]:
    rows = db.session.scalars(
        select(ContentWarning).where(
            ContentWarning.work_id == work_id, ContentWarning.source != "member"
        )
    )
    return sorted(
        (r.chapter or 0, r.label, r.source, r.paragraph_start or 0, r.severity, r.confidence)
        for r in rows
    )


def _flag(work_id: int, state: str) -> ContentWarning:
    flag = ContentWarning(
        work_id=work_id, chapter=1, paragraph_start=2, paragraph_end=3, label="animal-cruelty",
        severity="minor", source="member", state=state,
    )  # fmt: skip
    db.session.add(flag)
    return flag


def test_an_imported_work_carries_the_current_detector_version(app, work):
    with app.app_context():
        assert db.session.get(Work, work).detector_version == detector_version()
        assert redetect.stale_work_ids() == []


def test_a_stale_work_is_redetected_by_the_queue_and_member_flags_survive(app, work):
    with app.app_context():
        before = _automatic(work)
        pending, confirmed = _flag(work, "pending"), _flag(work, "confirmed")
        row = db.session.get(Work, work)
        row.detector_version = "rules1+modelold"
        db.session.commit()
        flag_ids = {pending.id: "pending", confirmed.id: "confirmed"}
        assert redetect.stale_work_ids() == [work]

        # Tests run the queue inline (Huey's immediate mode): the job is done on return.
        [job_id] = redetect.enqueue_stale()
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        assert (job.kind, job.state, job.work_id) == ("redetect", "done", work)
        assert db.session.get(Work, work).detector_version == detector_version()
        # The same detector on the same text: the same automatic warnings, new rows.
        assert _automatic(work) == before
        members = db.session.scalars(
            select(ContentWarning).where(ContentWarning.source == "member")
        ).all()
        assert {m.id: m.state for m in members} == flag_ids
        assert redetect.stale_work_ids() == [] and redetect.enqueue_stale() == []


def test_redetect_command_reports_and_runs_now(app, cli, work):
    with app.app_context():
        db.session.get(Work, work).detector_version = ""
        db.session.commit()
    result = cli("warnings", "redetect", "--now")
    assert result.exit_code == 0, result.output
    assert f"work {work}:" in result.output
    result = cli("warnings", "redetect")
    assert "every work is detected by the current detector" in result.output


def test_a_teaser_in_the_notes_warns_the_chapter_it_names_not_its_own():
    chapter = ChapterData(
        number=3,
        end_notes="Next chapter gets dark, heads up: a hospital scene and some blood.",
        paragraphs=["They made tea and talked about nothing."],
    )
    own, moved = notes_and_teasers(chapter, [1, 2, 3, 4])
    assert own == []  # chapter 3's own notes say nothing about chapter 3
    assert {d.label for d in moved} >= {"medical", "blood"}
    assert {d.chapter for d in moved} == {4}
    assert all(d.source == "notes" and d.evidence.startswith(TEASER_PREFIX) for d in moved)
    # Chapter 4's own notes did not say it, so it is not scored as chapter 4's notes.
    assert chapter_labels(moved, 4, "notes") == {}
    # The last chapter's teaser has nowhere to go.
    assert notes_and_teasers(chapter, [1, 2, 3]) == ([], [])


def test_stored_notes_read_back_line_by_line():
    assert redetect._text("<h3>Warnings</h3><p>CW: blood</p><p>Thanks, <b>all</b>!</p>") == (
        "Warnings\nCW: blood\nThanks, all!"
    )
    assert redetect._text("") == ""


def test_reused_detections_tell_apart_notes_that_differ_only_in_line_breaks(app):
    from companion.importers.base import WorkData
    from companion.library.store import _detections

    def work(notes: str) -> WorkData:
        chapter = ChapterData(number=1, begin_notes=notes, paragraphs=["A quiet afternoon."])
        return WorkData(title="Notes", chapters=[chapter], source_format="text")

    playlist = (
        "Songs for this chapter:\nBlood on the Tracks - The Lanterns\nDeath Waltz - Minor Key"
    )
    one_line = playlist.replace("\n", " ")
    with app.app_context():
        as_lines = {(w.label, w.source) for w in _detections(work(playlist))}
        as_sentence = {(w.label, w.source) for w in _detections(work(one_line))}
    # A playlist is no warning; the same words run together into a sentence are read.
    assert ("blood", "notes") not in as_lines
    assert as_lines != as_sentence
