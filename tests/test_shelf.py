"""A circle's shelf: members see the next read and may read it; the owner starts reading
it together, as a new circle with the same people and roles."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from companion.circles import create_circle
from companion.extensions import db
from companion.library import shelf
from companion.models import Circle, CircleWork, Comment, Membership, Progress, User, Work
from tests.conftest import Reader

NEXT = "The Orchard in Winter"
NEXT_SENTENCE = "Every pear tree had a name, and only Bastien remembered all of them."


@pytest.fixture
def club(app, make_user, small_work):
    """Owen's Tuesday club (mod Maud, member Mick) reads a public work; a private work
    uploaded by Owen is on its shelf. Otis is in no circle."""
    ids = {name: make_user(name) for name in ["owen", "maud", "mick", "otis"]}
    now = small_work("Cold Harbour", "The fog horn counted the hours.")
    upcoming = small_work(NEXT, NEXT_SENTENCE, private=True, uploader_id=ids["owen"], chapters=3)
    with app.app_context():
        users = {name: db.session.get(User, uid) for name, uid in ids.items()}
        circle = create_circle(users["owen"], "Tuesday club", db.session.get(Work, now))
        circle.memberships += [
            Membership(user=users["maud"], role="moderator"),
            Membership(user=users["mick"], role="member", can_post=False),
        ]
        db.session.flush()
        shelf.add_to_shelf(circle.id, upcoming, ids["owen"])
        shelf.add_to_shelf(circle.id, upcoming, ids["owen"])  # once is enough
        db.session.commit()
        return {"slug": circle.slug, "id": circle.id, "now": now, "next": upcoming, "ids": ids}


def start_url(club) -> str:
    return f"/c/{club['slug']}/shelf/{club['next']}/start"


def test_members_see_the_shelf_and_may_read_it(app, club):
    for name in ["owen", "maud", "mick"]:
        person = Reader(app, name).login()
        page = person.get(f"/c/{club['slug']}").get_data(as_text=True)
        assert "Up next" in page and NEXT in page and "3 chapters" in page, name
        assert "private to your circle" in page
        assert f'href="/works/{club["next"]}"' in page
        assert ("Start reading it together" in page) == (name == "owen"), name
        assert NEXT_SENTENCE in person.get(f"/works/{club['next']}/chapters/1").get_data(True)
    assert Reader(app, "otis").login().get(f"/works/{club['next']}").status_code == 404


def test_an_empty_shelf_says_so(app, club):
    with app.app_context():
        db.session.execute(CircleWork.__table__.delete())
        db.session.commit()
    page = Reader(app, "owen").login().get(f"/c/{club['slug']}").get_data(as_text=True)
    assert "Nothing on the shelf yet." in page and NEXT not in page


def test_starting_asks_first_then_makes_a_circle_with_the_same_people(app, club):
    owen = Reader(app, "owen").login()
    question = owen.post(start_url(club))
    assert question.status_code == 200
    text = question.get_data(as_text=True)
    assert f"Start reading “{NEXT}” together?" in text and 'name="confirm" value="yes"' in text
    with app.app_context():
        assert db.session.scalar(select(func.count(Circle.id))) == 1  # asking changed nothing

    response = owen.post(start_url(club), {"confirm": "yes"})
    assert response.status_code == 302
    slug = re.fullmatch(r".*/c/([\w-]+)", response.headers["Location"]).group(1)
    assert slug != club["slug"]
    page = owen.get(f"/c/{slug}").get_data(as_text=True)
    assert f"Tuesday club: {NEXT}" in page and "you are the owner" in page
    with app.app_context():
        new = Circle.by_slug(slug)
        assert new.work_id == club["next"] and new.name == f"Tuesday club: {NEXT}"
        roles = {m.user.name: (m.role, m.can_post) for m in new.memberships}
        assert roles == {"owen": ("owner", True), "maud": ("moderator", True),
                         "mick": ("member", False)}  # fmt: skip
        old = db.session.get(Circle, club["id"])
        assert old.work_id == club["now"] and len(old.memberships) == 3
        assert shelf.shelf_of(old.id) == []
    # Members of the old circle keep reading it, now in the new circle.
    mick = Reader(app, "mick").login()
    assert mick.get(f"/works/{club['next']}").status_code == 200
    assert mick.get(f"/c/{slug}").status_code == 200
    assert "Nothing on the shelf yet." in mick.get(f"/c/{club['slug']}").get_data(True)


def test_each_read_keeps_its_own_discussion_and_progress(app, club):
    owen = Reader(app, "owen").login()
    maud = Reader(app, "maud").login()
    maud.post(f"/works/{club['now']}/progress", {"chapter": "2", "paragraph": "0"})
    slug = owen.post(start_url(club), {"confirm": "yes"}).headers["Location"].rsplit("/", 1)[1]
    posted = maud.post(f"/c/{club['slug']}/chapters/1/comments", {"body": "About the fog horn."})
    assert posted.status_code in (201, 302), posted.get_data(as_text=True)[:300]
    with app.app_context():
        new = Circle.by_slug(slug)
        assert Progress.of(club["ids"]["maud"], club["now"]).chapter == 2
        assert Progress.of(club["ids"]["maud"], club["next"]).chapter == 0
        on_new = db.session.scalar(
            select(func.count(Comment.id)).where(Comment.circle_id == new.id)
        )
        on_old = db.session.scalar(
            select(func.count(Comment.id)).where(Comment.circle_id == club["id"])
        )
        assert (on_old, on_new) == (1, 0)
    new_page = maud.get(f"/c/{slug}/chapters/1").get_data(as_text=True)
    assert "About the fog horn." not in new_page


@pytest.mark.parametrize(("name", "status"), [("maud", 403), ("mick", 403), ("otis", 404)])
def test_only_the_owner_starts_a_read(app, club, name, status):
    response = Reader(app, name).login().post(start_url(club), {"confirm": "yes"})
    assert response.status_code == status
    if status == 404:
        assert NEXT not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Circle.id))) == 1
        assert len(shelf.shelf_of(club["id"])) == 1


def test_a_work_not_on_the_shelf_cannot_be_started(app, club, small_work):
    elsewhere = small_work("Somebody Else's Book")
    owen = Reader(app, "owen").login()
    response = owen.post(f"/c/{club['slug']}/shelf/{elsewhere}/start", {"confirm": "yes"})
    assert response.status_code == 404 and "Somebody" not in response.get_data(as_text=True)
    response = owen.post(f"/c/{club['slug']}/shelf/{club['now']}/start", {"confirm": "yes"})
    assert response.status_code == 404  # the one it reads now is not on its shelf


def test_starting_needs_a_csrf_token_and_a_post(app, club):
    owen = Reader(app, "owen").login()
    assert owen.client.post(start_url(club), data={"confirm": "yes"}).status_code == 400
    assert owen.get(start_url(club)).status_code == 405
    with app.app_context():
        assert db.session.scalar(select(func.count(Circle.id))) == 1


def test_long_names_are_shortened_to_fit(app, make_user, small_work):
    owner = make_user("ozzy")
    long_title = "A Very Long Title About Lighthouses, Ferries and the People Who Keep Them"
    upcoming = small_work(long_title)
    with app.app_context():
        user = db.session.get(User, owner)
        circle = create_circle(user, "The Saturday Morning Readers", db.session.get(Work, upcoming))
        name = shelf.next_read_name(circle, db.session.get(Work, upcoming))
        assert len(name) <= 80 and name.endswith("…") and name.startswith("The Saturday")
