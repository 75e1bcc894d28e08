"""Circles: the access matrix over every circle route, invites, roles and bad input."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from companion import comments
from companion.circles import create_circle, create_invite
from companion.extensions import db
from companion.library import shelf
from companion.models import (
    Circle,
    ContentWarning,
    Invite,
    Membership,
    User,
    Work,
    move_progress,
    utcnow,
)
from companion.reading import find_chapter
from companion.spoilers import Position
from tests.conftest import Reader, probe_app

ROLES = ["anonymous", "outsider", "member", "moderator", "owner"]
RANK = {"member": 0, "moderator": 1, "owner": 2}


@pytest.fixture
def club(app, work, make_user, small_work):
    """A circle with an owner, a moderator, two members, an invite and a private work on
    its shelf; plus an outsider who owns a circle of their own. Returns names and ids for
    URLs."""
    ids = {name: make_user(name) for name in ["olive", "mona", "mel", "tess", "otto"]}
    next_read = small_work("Shelf Read", private=True, uploader_id=ids["olive"])
    with app.app_context():
        users = {name: db.session.get(User, uid) for name, uid in ids.items()}
        book = db.session.get(Work, work)
        circle = create_circle(users["olive"], "Book club", book)
        circle.memberships += [
            Membership(user=users["mona"], role="moderator"),
            Membership(user=users["mel"], role="member"),
            Membership(user=users["tess"], role="member"),
        ]
        other = create_circle(users["otto"], "Other club", book)
        token = create_invite(circle, users["olive"])
        other_token = create_invite(other, users["otto"])
        db.session.flush()
        for name in ids:
            move_progress(ids[name], work, Position(1, 5))
        chapter = find_chapter(work, 1)
        tess = next(m for m in circle.memberships if m.user.name == "tess")
        comment = comments.post(
            comments.viewer_for(circle, tess), chapter, 129, "Tess was here.", paragraph=2
        )
        flag = ContentWarning(
            work_id=work, chapter=1, paragraph_start=2, paragraph_end=3, label="violence",
            severity="minor", source="member", state="pending", circle=circle,
            flagged_by_id=ids["tess"],
        )  # fmt: skip
        db.session.add(flag)
        shelf.add_to_shelf(circle.id, next_read, ids["olive"])
        db.session.commit()
        return {
            "next_read": next_read,
            "slug": circle.slug,
            "name": circle.name,
            "work": work,
            "other_slug": other.slug,
            "ids": ids,
            "token": token,
            "other_token": other_token,
            "comment_id": comment.id,
            "flag_id": flag.id,
            "invite_id": db.session.scalar(select(Invite.id).where(Invite.circle_id == circle.id)),
            "other_invite_id": db.session.scalar(
                select(Invite.id).where(Invite.circle_id == other.id)
            ),
        }


def as_role(app, role: str) -> Reader:
    name = {"outsider": "otto", "member": "mel", "moderator": "mona", "owner": "olive"}
    if role == "anonymous":
        return Reader(app)
    return Reader(app, name[role]).login()


def circle_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/c/<slug>"):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def test_every_circle_route_is_guarded_in_one_place(app):
    routes = list(circle_routes(app))
    assert len(routes) >= 9
    for rule, _ in routes:
        view = app.view_functions[rule.endpoint]
        assert hasattr(view, "circle_role"), f"{rule.rule} does not use circle_view"


def matrix():
    # Built at collection time from the real url_map: a new route is covered automatically.
    return [
        pytest.param(rule.rule, rule.endpoint, method, role, id=f"{method} {rule.rule} as {role}")
        for rule, method in circle_routes(probe_app())
        for role in ROLES
    ]


# What an allowed request answers, where it is not the plain 200 (GET) / 302 (POST).
NOT_THE_AUTHOR = {
    (f"/c/<slug>/comments/<int:comment_id>/{action}", role): 403
    for action in ("edit", "delete")
    for role in ("member", "moderator", "owner")
}
ALLOWED = {
    ("/c/<slug>/leave", "owner"): 409,  # owners hand over the circle first
    **NOT_THE_AUTHOR,
}


@pytest.mark.parametrize(("path", "endpoint", "method", "role"), matrix())
def test_access_matrix(app, club, path, endpoint, method, role):
    url = (
        path.replace("<slug>", club["slug"])
        .replace("<int:user_id>", str(club["ids"]["tess"]))
        .replace("<int:invite_id>", str(club["invite_id"]))
        .replace("<int:comment_id>", str(club["comment_id"]))
        .replace("<int:flag_id>", str(club["flag_id"]))
        .replace("<int:number>", "1")
        .replace("<int:index>", "2")
        .replace("<int:work_id>", str(club["next_read"]))
    )
    assert "<" not in url, f"add a value for {path}"
    client = as_role(app, role)
    data = {
        "role": "moderator", "days": "7", "max_uses": "5", "confirm_name": club["name"],
        "chapter_1": "2030-01-01", "body": "Hello, circle.", "reason": "Spoils chapter 6",
        "label": "violence", "first": "1", "chapter": "8", "paragraph": "0", "confirm": "yes",
    }  # fmt: skip
    response = client.get(url) if method == "GET" else client.post(url, data)
    required = app.view_functions[endpoint].circle_role
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    elif role == "outsider":
        assert response.status_code == 404
        body = response.get_data(as_text=True)
        assert club["name"] not in body and "Shelf Read" not in body  # nor its private work
    elif RANK[role] < RANK[required]:
        assert response.status_code == 403
    else:
        expected = ALLOWED.get((path, role), 200 if method == "GET" else 302)
        assert response.status_code == expected, response.get_data(as_text=True)[:300]


def test_a_user_sees_only_their_own_circles(app, club):
    page = as_role(app, "member").get("/circles").get_data(as_text=True)
    assert "Book club" in page and "Other club" not in page
    page = as_role(app, "outsider").get("/circles").get_data(as_text=True)
    assert "Other club" in page and "Book club" not in page


def test_create_a_circle_and_become_its_owner(app, reader, work):
    ada = reader("ada")
    response = ada.post("/circles", {"name": "Night owls", "work_id": str(work)})
    assert response.status_code == 302
    page = ada.get(response.headers["Location"]).get_data(as_text=True)
    assert "Night owls" in page and "you are the owner" in page


def test_create_a_circle_for_a_missing_work_is_refused(app, reader, work):
    ada = reader("ada")
    response = ada.post("/circles", {"name": "Night owls", "work_id": "999"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(Circle.id))) == 0


def test_invite_link_is_shown_once_and_only_its_hash_is_stored(app, club):
    owner = as_role(app, "owner")
    response = owner.post(f"/c/{club['slug']}/invites", {"days": "3", "max_uses": "2"})
    page = owner.get(response.headers["Location"]).get_data(as_text=True)
    token = re.search(r"/invites/([\w-]+)\"", page).group(1)
    assert "shown only once" in page
    again = owner.get(f"/c/{club['slug']}").get_data(as_text=True)
    assert token not in again
    with app.app_context():
        stored = db.session.scalars(select(Invite.token_hash)).all()
        assert token not in stored and all(len(h) == 64 for h in stored)


def test_join_through_an_invite(app, club, reader):
    newbie = reader("nina")
    landing = newbie.get(f"/invites/{club['token']}")
    assert landing.status_code == 200 and "Book club" in landing.get_data(as_text=True)
    response = newbie.post(f"/invites/{club['token']}/accept")
    assert response.status_code == 302
    assert newbie.get(f"/c/{club['slug']}").status_code == 200


def test_joining_twice_is_a_conflict(app, club):
    member = as_role(app, "member")
    response = member.post(f"/invites/{club['token']}/accept")
    assert response.status_code == 409
    assert "already in this circle" in response.get_data(as_text=True)


def expire(app, token_id, **changes):
    with app.app_context():
        invite = db.session.get(Invite, token_id)
        for key, value in changes.items():
            setattr(invite, key, value)
        db.session.commit()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"expires_at": utcnow() - timedelta(minutes=1)}, "expired"),
        ({"revoked_at": utcnow()}, "revoked"),
        ({"uses": 10, "max_uses": 10}, "used as often"),
    ],
)
def test_unusable_invites_are_gone_and_change_nothing(app, club, reader, change, message):
    expire(app, club["invite_id"], **change)
    newbie = reader("nina")
    for response in (
        newbie.get(f"/invites/{club['token']}"),
        newbie.post(f"/invites/{club['token']}/accept"),
    ):
        assert response.status_code == 410
        assert message in response.get_data(as_text=True)
    assert newbie.get(f"/c/{club['slug']}").status_code == 404


def test_an_unknown_invite_is_404(app, reader):
    assert reader("nina").post("/invites/not-a-real-token/accept").status_code == 404


def test_the_last_place_on_an_invite_goes_once(app, club, reader):
    expire(app, club["invite_id"], max_uses=1)
    assert reader("nina").post(f"/invites/{club['token']}/accept").status_code == 302
    assert reader("noah").post(f"/invites/{club['token']}/accept").status_code == 410
    with app.app_context():
        assert db.session.get(Invite, club["invite_id"]).uses == 1


def test_another_circles_ids_in_urls_are_404(app, club):
    owner = as_role(app, "owner")
    base = f"/c/{club['slug']}"
    otto = club["ids"]["otto"]
    for path in [f"{base}/members/{otto}/remove", f"{base}/members/{otto}/role",
                 f"{base}/members/{otto}/transfer",
                 f"{base}/invites/{club['other_invite_id']}/revoke"]:  # fmt: skip
        assert owner.post(path, {"role": "moderator"}).status_code == 404, path
    with app.app_context():
        assert db.session.get(Invite, club["other_invite_id"]).revoked_at is None


def test_moderators_cannot_remove_the_owner_or_each_other(app, club):
    mod = as_role(app, "moderator")
    olive = club["ids"]["olive"]
    assert mod.post(f"/c/{club['slug']}/members/{olive}/remove").status_code == 403
    tess = club["ids"]["tess"]
    assert mod.post(f"/c/{club['slug']}/members/{tess}/remove", YES).status_code == 302


YES = {"confirm": "yes"}


def test_transfer_ownership_asks_first(app, club):
    owner = as_role(app, "owner")
    tess = club["ids"]["tess"]
    asked = owner.post(f"/c/{club['slug']}/members/{tess}/transfer")
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Hand Book club to tess?" in page
    assert 'name="confirm" value="yes"' in page
    with app.app_context():
        assert Circle.by_slug(club["slug"]).owner.name == "olive"  # nothing changed yet
    assert owner.post(f"/c/{club['slug']}/members/{tess}/transfer", YES).status_code == 302
    with app.app_context():
        circle = Circle.by_slug(club["slug"])
        assert circle.owner.name == "tess"
        assert circle.membership_of(club["ids"]["olive"]).role == "moderator"
    assert owner.post(f"/c/{club['slug']}/leave").status_code == 302  # now she may leave


def test_schedule_rejects_bad_dates_and_keeps_the_old_one(app, club):
    owner = as_role(app, "owner")
    assert owner.post(f"/c/{club['slug']}/schedule", {"chapter_2": "2030-02-01"}).status_code == 302
    bad = owner.post(f"/c/{club['slug']}/schedule", {"chapter_2": "next tuesday"})
    assert bad.status_code == 400
    with app.app_context():
        schedule = Circle.by_slug(club["slug"]).schedule
        assert [(e.chapter, e.due.isoformat()) for e in schedule] == [(2, "2030-02-01")]


def test_missing_csrf_token_changes_nothing(app, club):
    owner = as_role(app, "owner")
    tess = club["ids"]["tess"]
    response = owner.client.post(f"/c/{club['slug']}/members/{tess}/remove")
    assert response.status_code == 400
    with app.app_context():
        assert Circle.by_slug(club["slug"]).membership_of(tess) is not None


def test_dashboard_shows_positions_and_nothing_else(app, club):
    owner = as_role(app, "owner")
    owner.post(f"/works/{club['work']}/progress", {"chapter": "2", "paragraph": "0"})
    page = owner.get(f"/c/{club['slug']}").get_data(as_text=True)
    assert "<svg" in page and "chapter 2, ¶ 1 of 86" in page
    for name in ["olive", "mona", "mel", "tess"]:
        assert name in page
    assert "otto" not in page


def test_removing_a_member_asks_first(app, club):
    owner = as_role(app, "owner")
    tess = club["ids"]["tess"]
    asked = owner.post(f"/c/{club['slug']}/members/{tess}/remove")
    assert asked.status_code == 200
    assert "Remove tess from Book club?" in asked.get_data(as_text=True)
    with app.app_context():
        assert Circle.by_slug(club["slug"]).membership_of(tess) is not None
    assert owner.post(f"/c/{club['slug']}/members/{tess}/remove", YES).status_code == 302
    with app.app_context():
        assert Circle.by_slug(club["slug"]).membership_of(tess) is None
