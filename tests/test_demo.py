"""`companion demo --setup-only`: idempotent, and it puts the demo circle back together
after people tried things out in it."""

from __future__ import annotations

from sqlalchemy import func, select

from companion import demo
from companion.demo import CIRCLE_SLUG, PASSWORD, SAMPLE_TITLE
from companion.extensions import db
from companion.models import Circle, Comment, Membership, Progress, User, Work
from tests.conftest import Reader


def counts(app) -> dict:
    with app.app_context():
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (User, Circle, Membership, Comment, Progress, Work)
        }


def discussion(app) -> list[tuple]:
    """Every comment of the demo circle, where it sits and its spoiler level."""
    columns = (Comment.id, Comment.chapter, Comment.paragraph)
    levels = (Comment.level_chapter, Comment.level_paragraph)
    with app.app_context():
        rows = db.session.execute(select(*columns, *levels).order_by(Comment.id))
        return [tuple(row) for row in rows]


def test_demo_setup_is_idempotent(app, cli):
    first = cli("demo", "--setup-only")
    assert first.exit_code == 0, first.output
    assert "Imported the sample work" in first.output
    assert "Created the demo circle" in first.output
    for line in ["sam    member    finished chapter 1", "mira   owner     finished the work"]:
        assert line in first.output
    before = counts(app)
    assert before["Membership"] == 4 and before["Comment"] > 0

    again = cli("demo", "--setup-only")
    assert again.exit_code == 0, again.output
    assert "Found the sample work" in again.output and "Created" not in again.output
    assert counts(app) == before


def test_demo_members_who_left_are_brought_back_where_they_were(app, cli):
    assert cli("demo", "--setup-only").exit_code == 0
    sam = Reader(app, "sam").login(PASSWORD)
    assert sam.post(f"/c/{CIRCLE_SLUG}/leave").status_code == 302
    with app.app_context():
        circle = Circle.by_slug(CIRCLE_SLUG)
        assert circle.membership_of(User.by_name("sam").id) is None

    result = cli("demo", "--setup-only")
    assert result.exit_code == 0, result.output
    assert "Back in the demo circle: sam." in result.output
    assert "sam    member    finished chapter 1" in result.output
    with app.app_context():
        circle = Circle.by_slug(CIRCLE_SLUG)
        assert circle.membership_of(User.by_name("sam").id).role == "member"


def test_the_sample_work_has_a_title_not_untitled(app, cli, anonymous):
    result = cli("demo", "--setup-only")
    assert result.exit_code == 0, result.output
    assert f"Imported the sample work: \u201c{SAMPLE_TITLE}\u201d, 8 chapters" in result.output
    library = anonymous.get("/").get_data(as_text=True)
    assert SAMPLE_TITLE in library and "Untitled" not in library
    with app.app_context():
        circle = Circle.by_slug(CIRCLE_SLUG)
        assert circle.work.title == SAMPLE_TITLE
        # The pasted pages name no author, so the demo invents none.
        assert circle.work.authors == []


def test_an_earlier_demo_with_the_untitled_sample_is_updated_in_place(app, cli, monkeypatch):
    # What an earlier Companion set up: the same seed under the importer's placeholder
    # title, which gives the work a different content hash than today's sample.
    with monkeypatch.context() as earlier:
        earlier.setattr(demo, "SAMPLE_TITLE", "Untitled work")
        old = cli("demo", "--setup-only")
    assert old.exit_code == 0, old.output
    with app.app_context():
        (old_id, old_title) = db.session.execute(select(Work.id, Work.title)).one()
    assert old_title == "Untitled work"
    before, comments = counts(app), discussion(app)

    result = cli("demo", "--setup-only")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "Updated the sample work to version 2" in result.output
    assert f"\u201c{SAMPLE_TITLE}\u201d" in result.output
    assert "jonah  member    finished chapter 3" in result.output
    # One work, the same one, renamed; the circle, its members and every comment stay put.
    assert counts(app) == before
    assert discussion(app) == comments
    with app.app_context():
        work = db.session.get(Work, old_id)
        assert work.title == SAMPLE_TITLE
        assert Circle.by_slug(CIRCLE_SLUG).work_id == old_id

    again = cli("demo", "--setup-only")
    assert again.exit_code == 0, again.output
    assert "Found the sample work" in again.output
    assert counts(app) == before
