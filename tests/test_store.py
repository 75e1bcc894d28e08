"""Storing a parsed work: every field the file gave, its identity, its first version, its
place on a circle's shelf, progress as it goes, and nothing at all when it fails."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from companion.circles import create_circle
from companion.extensions import db
from companion.importers import ChapterData, ImportFailed, WorkData
from companion.library import store_work
from companion.library.store import normalized_url, source_key
from companion.models import (
    Chapter,
    CircleWork,
    ContentWarning,
    Paragraph,
    User,
    Work,
    WorkVersion,
)


def archive_work(**fields) -> WorkData:
    """A two-chapter work with every preface field an archive download carries."""
    values = dict(
        title="Salt and Signal",
        authors=["Tamsin Vale", "Oren Pike"],
        rating="Teen And Up Audiences",
        archive_warnings=["Graphic Depictions Of Violence"],
        tags=["Lighthouses", "Slow Burn"],
        categories=["F/F"],
        fandoms=["Original Work"],
        relationships=["Edda/Marit"],
        characters=["Edda", "Marit"],
        language="English",
        series=["Part 2 of Coastal Lights"],
        stats={"Published": "2024-03-01", "Chapters": "2/2", "Words": "40"},
        source_url="https://archiveofourown.org/works/4815162",
        summary="Two keepers, one coast.",
        summary_html="<p>Two <em>keepers</em>, one coast.<script>alert(1)</script></p>",
        notes="Written for a friend.\nThanks for reading.",
        end_notes="The end, for now.",
        source_format="ao3-html",
        source_name="salt-and-signal.html",
        chapters=[
            ChapterData(
                number=1,
                title="Beacon",
                summary="Edda lights the lamp.",
                summary_html='<p onclick="x()">Edda lights <strong>the lamp</strong>.</p>',
                begin_notes="A short one.",
                end_notes="More soon.",
                paragraphs=[
                    "Edda lit the lamp at dusk.",
                    "Across the bay, another light answered.",
                ],
                paragraph_html=[
                    "Edda lit the <em>lamp</em> at dusk.",
                    'Across the bay, <a href="javascript:alert(1)">another</a> light answered.',
                ],
            ),
            ChapterData(
                number=2,
                title="Answer",
                paragraphs=["Marit kept her own log.", "It said the same thing every night."],
            ),
        ],
    )
    values |= fields
    return WorkData(**values)


def test_every_field_of_the_file_is_stored_and_sanitized(app):
    with app.app_context():
        result = store_work(archive_work())
        assert result.outcome == "imported" and result.created and result.version == 1
        work = db.session.get(Work, result.work.id)
        assert work.authors == ["Tamsin Vale", "Oren Pike"]
        assert (work.rating, work.language) == ("Teen And Up Audiences", "English")
        assert work.archive_warnings == ["Graphic Depictions Of Violence"]
        assert work.tags == ["Lighthouses", "Slow Burn"]
        assert (work.categories, work.fandoms) == (["F/F"], ["Original Work"])
        assert (work.relationships, work.characters) == (["Edda/Marit"], ["Edda", "Marit"])
        assert work.series == ["Part 2 of Coastal Lights"]
        assert work.stats["Chapters"] == "2/2"
        assert work.source_url == "https://archiveofourown.org/works/4815162"
        # The importer's markup, cleaned; plain text as paragraphs when there is none.
        assert work.summary_html == "<p>Two <em>keepers</em>, one coast.alert(1)</p>"
        assert work.notes_html == "<p>Written for a friend.</p><p>Thanks for reading.</p>"
        assert work.end_notes_html == "<p>The end, for now.</p>"
        first = work.chapters[0]
        assert first.summary_html == "<p>Edda lights <strong>the lamp</strong>.</p>"
        assert first.begin_notes_html == "<p>A short one.</p>"
        assert first.end_notes_html == "<p>More soon.</p>"
        htmls = [p.html for p in first.paragraphs]
        assert htmls[0] == "Edda lit the <em>lamp</em> at dusk."
        assert "javascript" not in htmls[1] and "another" in htmls[1]
        assert (work.chapter_count, work.word_count) == (2, 6 + 6 + 5 + 7)
        assert (work.visibility, work.uploaded_by_id, work.version) == ("public", None, 1)
        assert work.source_key == source_key(archive_work())


def test_the_first_import_is_version_one(app, make_user):
    uploader = make_user("wren")
    with app.app_context():
        work = store_work(archive_work(), private=True, uploader_id=uploader).work
        versions = db.session.scalars(select(WorkVersion)).all()
        assert [(v.number, v.content_hash, v.chapter_count) for v in versions] == [
            (1, work.content_hash, 2)
        ]
        assert versions[0].imported_by_id == uploader
        assert (work.visibility, work.uploaded_by_id) == ("private", uploader)


def test_tags_feed_the_warnings_layer(app):
    with app.app_context():
        work = store_work(archive_work()).work
        tagged = db.session.scalars(
            select(ContentWarning.label).where(
                ContentWarning.work_id == work.id, ContentWarning.source == "tags"
            )
        ).all()
    assert "violence" in tagged


@pytest.mark.parametrize(
    "url",
    [
        "https://archiveofourown.org/works/4815162",
        "http://www.archiveofourown.org/works/4815162/",
        "https://ARCHIVEOFOUROWN.org/works/4815162/chapters/99?view_adult=true#main",
    ],
)
def test_an_archive_address_is_one_identity_however_it_is_written(url):
    assert normalized_url(url) == "archiveofourown.org/works/4815162"
    assert source_key(archive_work(source_url=url)) == source_key(archive_work())


def test_identity_without_an_address_is_title_and_authors():
    plain = archive_work(source_url="")
    respelled = archive_work(
        source_url="", title="  salt AND   signal", authors=["Oren Pike", "Tamsin Vale"]
    )
    assert source_key(plain) == source_key(respelled)
    assert source_key(plain) != source_key(archive_work(source_url="", authors=["Someone Else"]))
    assert source_key(plain) != source_key(archive_work(source_url="https://example.org/w/1"))
    assert normalized_url("javascript:alert(1)") == normalized_url("not a url") == ""


def test_a_new_text_at_the_same_address_is_a_new_version_even_retitled(app):
    with app.app_context():
        first = store_work(archive_work()).work
        newer = archive_work(title="Salt and Signal (complete)")
        newer.chapters[1].paragraphs.append("Then one night it said something else.")
        result = store_work(newer)
        assert (result.outcome, result.work.id, result.version) == ("updated", first.id, 2)
        assert result.work.title == "Salt and Signal (complete)"
        assert db.session.scalar(select(func.count(Work.id))) == 1
        assert db.session.scalar(select(func.count(WorkVersion.id))) == 2
        # The rebuilt text is the new one, and only it.
        texts = db.session.scalars(
            select(Paragraph.text).join(Chapter).where(Chapter.work_id == first.id)
        ).all()
        assert len(texts) == 5 and "Then one night it said something else." in texts


def test_the_same_text_twice_is_unchanged(app):
    with app.app_context():
        first = store_work(archive_work())
        again = store_work(archive_work())
        assert (again.outcome, again.work.id, again.created) == ("unchanged", first.work.id, False)
        assert db.session.scalar(select(func.count(WorkVersion.id))) == 1


def test_a_work_joins_a_circles_shelf_once(app, make_user):
    owner_id = make_user("marit")
    with app.app_context():
        owner = db.session.get(User, owner_id)
        reading = store_work(archive_work(source_url="", title="First read")).work
        circle = create_circle(owner, "Keepers", reading)
        db.session.commit()
        work = store_work(archive_work(), circle_id=circle.id, uploader_id=owner_id).work
        store_work(archive_work(), circle_id=circle.id, uploader_id=owner_id)
        shelf = db.session.execute(select(CircleWork.circle_id, CircleWork.work_id)).all()
        assert shelf == [(circle.id, work.id)]
        with pytest.raises(ImportFailed, match="no such circle"):
            store_work(archive_work(title="Elsewhere", source_url=""), circle_id=circle.id + 99)
        assert db.session.scalar(select(func.count(Work.id))) == 2


def test_progress_is_reported_as_it_goes(app):
    calls = []
    with app.app_context():
        store_work(archive_work(), on_progress=lambda *call: calls.append(call))
    totals = {total for _, total, _ in calls}
    assert len(totals) == 1
    total = totals.pop()
    assert [done for done, _, _ in calls] == sorted(done for done, _, _ in calls)
    assert calls[-1][:2] == (total, total)
    whats = [what for _, _, what in calls]
    assert "Stored chapter 1" in whats and "Stored chapter 2" in whats
    assert "Looking for content warnings" in whats


def test_a_title_comes_from_the_file_or_from_whoever_imports_it(app):
    with app.app_context():
        with pytest.raises(ImportFailed, match="no title"):
            store_work(archive_work(title="  "))
        assert db.session.scalar(select(func.count(Work.id))) == 0
        work = store_work(archive_work(title=""), title="  Named by hand ").work
        assert work.title == "Named by hand"


def test_a_failed_import_stores_nothing(app):
    def fail_after_first_chapter(done, total, what):
        if what == "Stored chapter 2":
            raise RuntimeError("stopped")

    with app.app_context():
        with pytest.raises(RuntimeError):
            store_work(archive_work(), on_progress=fail_after_first_chapter)
        counts = [
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Work, Chapter, Paragraph, ContentWarning, WorkVersion)
        ]
    assert counts == [0, 0, 0, 0, 0]


def test_the_older_model_helper_still_stores_through_store_work(app):
    with app.app_context():
        work, created = Work.store(archive_work())
        db.session.commit()
        assert created and work.version == 1 and len(work.versions) == 1
        assert Work.store(archive_work()) == (work, False)
