"""Private works: readable by their uploader and the members of circles reading them (or
holding them on their shelf); for everyone else they do not exist — 404, never 403, and
nothing of them in any response, the anonymous page cache included."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from companion import accounts
from companion.circles import create_circle
from companion.extensions import db
from companion.library import access, shelf
from companion.models import Circle, Membership, User, Work
from companion.pagecache import cache_of
from tests.conftest import Reader, count_queries, probe_app

SECRET_TITLE = "The Lantern Under Glass"
SECRET_SENTENCE = "Marisol folded the map into a paper heron and let the river take it."
MISSING = 999


@pytest.fixture
def world(app, make_user, small_work):
    """uma uploaded a private work and is in no circle; lena's Lantern club reads it (mia is
    a member); sam's Harbour club reads a public work and has the private one on its shelf;
    otto, an outsider, reads the public work in a circle of his own."""
    ids = {name: make_user(name) for name in ["uma", "lena", "mia", "sam", "otto"]}
    private = small_work(SECRET_TITLE, SECRET_SENTENCE, private=True, uploader_id=ids["uma"])
    public = small_work("Harbour Lights", "The gulls had opinions about everything.")
    with app.app_context():
        users = {name: db.session.get(User, uid) for name, uid in ids.items()}
        lantern = create_circle(users["lena"], "Lantern club", db.session.get(Work, private))
        lantern.memberships.append(Membership(user=users["mia"], role="member"))
        harbour = create_circle(users["sam"], "Harbour club", db.session.get(Work, public))
        other = create_circle(users["otto"], "Other club", db.session.get(Work, public))
        db.session.flush()
        shelf.add_to_shelf(harbour.id, private, ids["sam"])
        tokens = {name: accounts.create_token(user) for name, user in users.items()}
        db.session.commit()
        return {
            "private": private,
            "public": public,
            "ids": ids,
            "tokens": tokens,
            "lantern": lantern.slug,
            "harbour": harbour.slug,
            "other": other.slug,
        }


# Who plays each role: outsiders are signed in (or hold a token) but in no circle reading it.
PEOPLE = {"outsider": "otto", "member": "mia", "shelf member": "sam", "uploader": "uma"}
ROLES = ["anonymous", *PEOPLE]


def work_routes(app):
    """Every page and API route that names a work; circle routes are the circle matrix's."""
    for rule in app.url_map.iter_rules():
        if "<int:work_id>" in rule.rule and not rule.rule.startswith("/c/"):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule.rule, method


# What each allowed reader gets; a new route naming a work must be added here.
READ = {"member": 200, "shelf member": 200, "uploader": 200}
ALLOWED = {
    ("/works/<int:work_id>", "GET"): READ,
    ("/works/<int:work_id>/chapters/<int:number>", "GET"): READ,
    ("/works/<int:work_id>/progress", "POST"): {role: 302 for role in READ},
    ("/works/<int:work_id>/edit", "GET"): {"member": 403, "shelf member": 403, "uploader": 200},
    ("/works/<int:work_id>/edit", "POST"): {"member": 403, "shelf member": 403, "uploader": 302},
    ("/api/v1/works/<int:work_id>", "GET"): READ,
    ("/api/v1/works/<int:work_id>/chapters/<int:number>", "GET"): READ,
    ("/api/v1/works/<int:work_id>/progress", "PUT"): READ,
}
FORM = {"chapter": "1", "paragraph": "0", "title": "A title of its own", "authors": "Wren Alder"}
CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*value=|"X-CSRFToken": )"[^"]+"')


def matrix():
    return [
        pytest.param(path, method, role, id=f"{method} {path} as {role}")
        for path, method in work_routes(probe_app())
        for role in ROLES
    ]


def test_the_table_knows_every_route_that_names_a_work():
    routes = set(work_routes(probe_app()))
    assert len(routes) >= 8
    assert routes <= set(ALLOWED), f"add {sorted(routes - set(ALLOWED))} to ALLOWED"


def send(app, world, role: str, method: str, url: str):
    """The request as that person would make it: pages with their login, the API with
    their token (a cookie never speaks for an API call)."""
    if url.startswith("/api/"):
        name = PEOPLE.get(role)
        headers = {"Authorization": f"Bearer {world['tokens'][name]}"} if name else {}
        client = app.test_client()
        if method == "PUT":
            return client.put(url, json={"chapter": 1, "paragraph": 0}, headers=headers)
        return client.open(url, method=method, headers=headers)
    person = Reader(app) if role == "anonymous" else Reader(app, PEOPLE[role]).login()
    if method == "GET":
        return person.get(url)
    return person.post(url, FORM)  # with a CSRF token, anonymous or not


def scrubbed(response) -> str:
    return CSRF_VALUE.sub("TOKEN", response.get_data(as_text=True))


@pytest.mark.parametrize(("path", "method", "role"), matrix())
def test_private_work_access_matrix(app, world, path, method, role):
    url = path.replace("<int:work_id>", str(world["private"])).replace("<int:number>", "1")
    assert "<" not in url, f"add a value for {path}"
    response = send(app, world, role, method, url)
    if role in ("anonymous", "outsider"):
        assert response.status_code == 404, response.get_data(as_text=True)[:300]
        body = response.get_data(as_text=True)
        assert SECRET_TITLE not in body and SECRET_SENTENCE not in body
        # Exactly what a work that never existed answers: nothing to tell them apart.
        elsewhere = path.replace("<int:work_id>", str(MISSING)).replace("<int:number>", "1")
        missing = send(app, world, role, method, elsewhere)
        assert missing.status_code == 404 and scrubbed(missing) == scrubbed(response)
    else:
        expected = ALLOWED[(path, method)][role]
        assert response.status_code == expected, response.get_data(as_text=True)[:300]
        if expected == 200 and method == "GET" and "/edit" not in path:
            body = response.get_data(as_text=True)
            assert (SECRET_SENTENCE if "chapters" in path else SECRET_TITLE) in body


def test_the_library_lists_private_works_only_to_those_who_may_read_them(app, world):
    for name in ["uma", "mia", "sam"]:
        page = Reader(app, name).login().get("/").get_data(as_text=True)
        assert SECRET_TITLE in page and "private to your circle" in page, name
        assert "Harbour Lights" in page
    for person in [Reader(app), Reader(app, "otto").login()]:
        page = person.get("/").get_data(as_text=True)
        assert "Harbour Lights" in page
        assert SECRET_TITLE not in page and "private to your circle" not in page


def test_the_api_lists_private_works_only_to_those_who_may_read_them(app, world):
    client = app.test_client()

    def titles(name: str | None) -> list[str]:
        headers = {"Authorization": f"Bearer {world['tokens'][name]}"} if name else {}
        return [w["title"] for w in client.get("/api/v1/works", headers=headers).json["works"]]

    assert titles(None) == titles("otto") == ["Harbour Lights"]
    assert titles("mia") == titles("sam") == titles("uma") == ["Harbour Lights", SECRET_TITLE]
    document = client.get("/api/v1/openapi.json").get_data(as_text=True)
    assert SECRET_TITLE not in document and "Harbour Lights" not in document


def test_a_circle_for_a_private_work_needs_access_to_it(app, world):
    client = app.test_client()

    def start(name: str, work_id: int):
        headers = {"Authorization": f"Bearer {world['tokens'][name]}"}
        return client.post("/api/v1/circles", json={"name": "New club", "work_id": work_id},
                           headers=headers)  # fmt: skip

    refused, missing = start("otto", world["private"]), start("otto", MISSING)
    assert refused.status_code == missing.status_code == 404
    assert refused.json == missing.json and SECRET_TITLE not in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Circle.id))) == 3
    # A member may read it but not pass it on: a circle of their own could invite anyone.
    passed_on = start("mia", world["private"])
    assert passed_on.status_code == 403 and SECRET_TITLE not in passed_on.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Circle.id))) == 3
    # Its uploader, and the owners of circles reading it or holding it on their shelf, may.
    for name in ("uma", "lena", "sam"):
        assert start(name, world["private"]).status_code == 201, name


def test_a_member_is_not_offered_a_private_work_to_start_a_circle_with(app, world):
    mia = Reader(app, "mia").login()
    form = mia.get("/circles").get_data(as_text=True)
    assert f'<option value="{world["private"]}"' not in form
    response = mia.post("/circles", {"name": "Mia's club", "work_id": str(world["private"])})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(Circle.id))) == 3


def test_the_circle_form_offers_only_works_one_may_read(app, world):
    otto = Reader(app, "otto").login()
    assert SECRET_TITLE not in otto.get("/circles").get_data(as_text=True)
    response = otto.post("/circles", {"name": "Sneaky club", "work_id": str(world["private"])})
    assert response.status_code == 400 and SECRET_TITLE not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Circle.id))) == 3
    uma = Reader(app, "uma").login()
    assert SECRET_TITLE in uma.get("/circles").get_data(as_text=True)
    response = uma.post("/circles", {"name": "Uma's club", "work_id": str(world["private"])})
    assert response.status_code == 302


def test_circle_pages_an_outsider_sees_say_nothing_of_it(app, world):
    otto = Reader(app, "otto").login()
    for path in [f"/c/{world['other']}", "/circles", "/account", f"/c/{world['lantern']}"]:
        body = otto.get(path).get_data(as_text=True)
        assert SECRET_TITLE not in body and SECRET_SENTENCE not in body, path


def test_a_member_who_leaves_loses_access(app, world):
    mia = Reader(app, "mia").login()
    work_page = f"/works/{world['private']}"
    assert mia.get(work_page).status_code == 200
    assert mia.post(f"/c/{world['lantern']}/leave").status_code == 302
    assert mia.get(work_page).status_code == 404
    assert mia.get(f"{work_page}/chapters/1").status_code == 404
    assert SECRET_TITLE not in mia.get("/").get_data(as_text=True)
    token = {"Authorization": f"Bearer {world['tokens']['mia']}"}
    assert app.test_client().get(f"/api/v1{work_page}", headers=token).status_code == 404


def test_can_read_agrees_with_the_sql_rule(app, world):
    with app.app_context():
        work = db.session.get(Work, world["private"])
        for name, uid in world["ids"].items():
            listed = (
                world["private"]
                in db.session.scalars(select(Work.id).where(access.readable_by(uid))).all()
            )
            assert access.can_read(uid, work) == listed == (name != "otto"), name
        assert not access.can_read(None, work)
        assert access.can_read(None, db.session.get(Work, world["public"]))


def test_the_library_costs_the_same_queries_however_many_private_works(app, world, small_work):
    mia = Reader(app, "mia").login()
    _, before = count_queries(app, lambda: mia.get("/"))
    more = [small_work(f"Another private work {n}", private=True) for n in range(4)]
    with app.app_context():
        lena = db.session.get(User, world["ids"]["lena"])
        mia_user = db.session.get(User, world["ids"]["mia"])
        for n, work_id in enumerate(more):
            circle = create_circle(lena, f"Club {n}", db.session.get(Work, work_id))
            circle.memberships.append(Membership(user=mia_user, role="member"))
        db.session.commit()
    response, after = count_queries(app, lambda: mia.get("/"))
    assert response.get_data(as_text=True).count("private to your circle") == 5
    assert len(after) == len(before)


# --- the anonymous page cache -------------------------------------------------------------


def test_private_pages_never_enter_the_anonymous_cache(app, world):
    paths = [f"/works/{world['private']}", f"/works/{world['private']}/chapters/1"]
    mia = Reader(app, "mia").login()
    anonymous = app.test_client()
    for path in paths:
        assert mia.get(path).status_code == 200
        assert anonymous.get(path).status_code == 404
        assert anonymous.get(path).status_code == 404
    assert anonymous.get(f"/works/{world['public']}").status_code == 200
    assert cache_of(app).paths() == [f"/works/{world['public']}"]


def test_a_work_made_private_stops_being_served_at_the_next_recheck(app, world):
    cache = cache_of(app)
    anonymous = app.test_client()
    paths = [f"/works/{world['public']}", f"/works/{world['public']}/chapters/1"]
    for path in paths:
        assert b"Harbour Lights" in anonymous.get(path).data
    assert sorted(cache.paths()) == sorted(paths)
    with app.app_context():
        db.session.get(Work, world["public"]).visibility = "private"
        db.session.commit()
    recheck = cache.recheck_seconds
    cache.recheck_seconds = 0  # the re-check window has passed
    try:
        for path in paths:
            response = anonymous.get(path)
            assert response.status_code == 404 and b"Harbour Lights" not in response.data
        assert cache.paths() == []  # the copies are gone, not just skipped
    finally:
        cache.recheck_seconds = recheck
    # Its circle still reads it; an outsider no longer can.
    assert Reader(app, "sam").login().get(paths[1]).status_code == 200
    assert Reader(app, "mia").login().get(paths[1]).status_code == 404


def test_the_anonymous_version_covers_visibility_and_details(app, world):
    with app.app_context():
        assert access.anonymous_version(world["private"]) is None
        assert access.anonymous_version(MISSING) is None
        work = db.session.get(Work, world["public"])
        first = access.anonymous_version(work.id)
        work.updated_at = work.updated_at.replace(year=work.updated_at.year + 1)
        db.session.commit()
        assert access.anonymous_version(work.id) not in (None, first)
