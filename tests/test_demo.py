"""`companion demo --setup-only`: idempotent, and it puts the demo circle back together
after people tried things out in it."""

from __future__ import annotations

from sqlalchemy import func, select

from companion.demo import CIRCLE_SLUG, PASSWORD
from companion.extensions import db
from companion.models import Circle, Comment, Membership, Progress, User
from tests.conftest import Reader


def counts(app) -> dict:
    with app.app_context():
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (User, Circle, Membership, Comment, Progress)
        }


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
