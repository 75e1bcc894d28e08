"""The JSON API: bearer tokens, the same gates as the pages, clear errors."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from companion.extensions import db
from companion.models import Circle, Progress, User


@pytest.fixture
def token(cli, make_user):
    """token("ada") → a personal token for a new user ada, made by the real CLI."""

    def make(name: str) -> str:
        make_user(name)
        result = cli("token", "create", name)
        assert result.exit_code == 0, result.output
        return result.output.strip()

    return make


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_token_create_for_an_unknown_user_fails_clearly(cli, app):
    result = cli("token", "create", "ghost")
    assert result.exit_code == 2 and "no user named 'ghost'" in result.stderr


def test_works_are_public_and_chapters_carry_anchored_paragraphs(client, work):
    works = client.get("/api/v1/works").get_json()["works"]
    assert [w["id"] for w in works] == [work] and works[0]["chapters"] == 8
    detail = client.get(f"/api/v1/works/{work}").get_json()
    assert [c["n"] for c in detail["table_of_contents"]] == list(range(1, 9))
    assert "progress" not in detail
    chapter = client.get(f"/api/v1/works/{work}/chapters/3").get_json()
    assert chapter["title"] == "Obstinance" and len(chapter["paragraphs"]) == 104
    assert chapter["paragraphs"][0]["anchor"]


def test_end_notes_follow_rule_7_in_the_api(client, token, work):
    ada = token("ada")
    locked = client.get(f"/api/v1/works/{work}/chapters/1", headers=auth(ada)).get_json()
    assert locked["end_notes_html"] is None and locked["end_notes_locked"] is True
    client.put(f"/api/v1/works/{work}/progress", json={"chapter": 1, "paragraph": 128},
               headers=auth(ada))  # fmt: skip
    done = client.get(f"/api/v1/works/{work}/chapters/1", headers=auth(ada)).get_json()
    assert "The author of the fic" in done["end_notes_html"]


def test_progress_put_moves_and_reports_the_previous_position(app, client, token, work):
    ada = token("ada")
    response = client.put(
        f"/api/v1/works/{work}/progress", json={"chapter": 2, "paragraph": 5}, headers=auth(ada)
    )
    assert response.status_code == 200
    assert response.get_json() == {"chapter": 2, "paragraph": 5,
                                   "previous": {"chapter": 0, "paragraph": 0}}  # fmt: skip
    detail = client.get(f"/api/v1/works/{work}", headers=auth(ada)).get_json()
    assert detail["progress"] == {"chapter": 2, "paragraph": 5}


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"chapter": 9, "paragraph": 0}, 404),
        ({"chapter": 2, "paragraph": 86}, 400),
        ({"chapter": 2, "paragraph": -1}, 400),
        ({"chapter": "2", "paragraph": 0}, 400),
        ({"chapter": True, "paragraph": 0}, 400),
        ({"chapter": 2}, 400),
        ([2, 0], 400),
        ("not json", 400),
    ],
)
def test_bad_progress_is_refused_and_changes_nothing(app, client, token, work, payload, status):
    ada = token("ada")
    kwargs = {"data": payload} if isinstance(payload, str) else {"json": payload}
    response = client.put(f"/api/v1/works/{work}/progress", headers=auth(ada), **kwargs)
    assert response.status_code == status
    assert response.is_json and response.get_json()["error"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Progress.id))) == 0


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic YWRhOnB3", "Bearer "])
def test_writes_need_a_valid_bearer_token(client, work, header):
    headers = {"Authorization": header} if header else {}
    response = client.put(
        f"/api/v1/works/{work}/progress", json={"chapter": 1, "paragraph": 0}, headers=headers
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_session_cookies_do_not_authenticate_the_api(reader, work):
    ada = reader("ada")  # logged in through the web form
    response = ada.client.put(f"/api/v1/works/{work}/progress", json={"chapter": 1, "paragraph": 0})
    assert response.status_code == 401


def test_circle_lifecycle_through_the_api(app, client, token, work):
    olive, nina, otto = token("olive"), token("nina"), token("otto")
    created = client.post("/api/v1/circles", json={"name": "API club", "work_id": work},
                          headers=auth(olive))  # fmt: skip
    assert created.status_code == 201
    slug = created.get_json()["slug"]
    invite = client.post(f"/api/v1/circles/{slug}/invites", json={"max_uses": 1},
                         headers=auth(olive))  # fmt: skip
    assert invite.status_code == 201
    url, invite_token = invite.get_json()["url"], invite.get_json()["token"]
    assert url.endswith(f"/invites/{invite_token}")
    # Outsiders can't see the circle or invite to it, and it looks like it doesn't exist.
    assert client.get(f"/api/v1/circles/{slug}", headers=auth(otto)).status_code == 404
    assert client.post(f"/api/v1/circles/{slug}/invites", headers=auth(otto)).status_code == 404
    joined = client.post(f"/api/v1/invites/{invite_token}/accept", headers=auth(nina))
    assert joined.status_code == 200
    assert [m["name"] for m in joined.get_json()["members"]] == ["olive", "nina"]
    # A member is not a moderator; the invite is used up; joining twice is a conflict.
    assert client.post(f"/api/v1/circles/{slug}/invites", headers=auth(nina)).status_code == 403
    assert client.post(f"/api/v1/invites/{invite_token}/accept",
                       headers=auth(otto)).status_code == 410  # fmt: skip
    assert client.post(f"/api/v1/invites/{invite_token}/accept",
                       headers=auth(nina)).status_code == 409  # fmt: skip
    client.put(f"/api/v1/works/{work}/progress", json={"chapter": 3, "paragraph": 7},
               headers=auth(nina))  # fmt: skip
    members = client.get(f"/api/v1/circles/{slug}", headers=auth(olive)).get_json()["members"]
    assert {m["name"]: (m["chapter"], m["paragraph"]) for m in members} == {
        "olive": (0, 0), "nina": (3, 7)}  # fmt: skip


@pytest.mark.parametrize(
    "payload",
    [{"name": "x", "work_id": 1}, {"name": "Fine name"}, {"name": 5, "work_id": 1}, {}],
)
def test_bad_circle_bodies_store_nothing(app, client, token, work, payload):
    response = client.post("/api/v1/circles", json=payload, headers=auth(token("ada")))
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(Circle.id))) == 0


def test_a_circle_for_a_missing_work_is_404(client, token, work):
    response = client.post("/api/v1/circles", json={"name": "Club", "work_id": 999},
                           headers=auth(token("ada")))  # fmt: skip
    assert response.status_code == 404


def test_openapi_describes_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    described = {
        (path, method.upper()) for path, item in document["paths"].items() for method in item
    }
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi":
            path = rule.rule.removeprefix("/api/v1")
            for name in rule.arguments:
                path = path.replace(f"<int:{name}>", f"{{{name}}}").replace(
                    f"<{name}>", f"{{{name}}}"
                )
            path = path.replace("{number}", "{n}")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (path, method) in described, f"{method} {path} is not in openapi.json"


def test_api_errors_are_json_never_html(client):
    response = client.get("/api/v1/works/999/chapters/1")
    assert response.status_code == 404 and response.is_json
    assert client.get("/api/v1/nothing-here").is_json


def test_tokens_are_stored_hashed(app, token):
    raw = token("ada")
    with app.app_context():
        user = User.by_name("ada")
        from companion.models import ApiToken

        stored = db.session.scalar(select(ApiToken.token_hash).where(ApiToken.user_id == user.id))
        assert stored != raw and len(stored) == 64
