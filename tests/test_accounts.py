"""Accounts: sign up, log in, sessions that end when they should, rate limits, CSRF."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from companion.extensions import db
from companion.models import User
from tests.conftest import PASSWORD, Reader


def count_users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def test_signup_logs_you_in_and_hashes_with_argon2(app, anonymous):
    response = anonymous.post("/signup", {"name": "Ada", "password": PASSWORD})
    assert response.status_code == 302
    assert "ada" in anonymous.get("/circles").get_data(as_text=True)
    with app.app_context():
        user = User.by_name("ada")
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [
        ("a", PASSWORD, "2 to 30 characters"),
        ("no spaces", PASSWORD, "lowercase letters"),
        ("<script>", PASSWORD, "lowercase letters"),
        ("ada", "short", "at least 10"),
        ("ada", "x" * 201, "at most 200"),
    ],
)
def test_signup_rejects_bad_names_and_passwords(app, anonymous, name, password, message):
    response = anonymous.post("/signup", {"name": name, "password": password})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True).replace("&#39;", "'")
    assert count_users(app) == 0


def test_signup_with_a_taken_name_changes_nothing(app, make_user, anonymous):
    make_user("ada")
    response = anonymous.post("/signup", {"name": "ADA", "password": PASSWORD})
    assert response.status_code == 400
    assert "taken" in response.get_data(as_text=True)
    assert count_users(app) == 1


def test_login_starts_a_fresh_session(app, make_user):
    make_user("ada")
    reader = Reader(app, "ada")
    with reader.client.session_transaction() as session:
        session["planted"] = "by an attacker"
    reader.login()
    with reader.client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].endswith(":1")  # id:session version


def test_wrong_password_is_401_and_the_eleventh_try_is_429(app, make_user):
    make_user("ada")
    reader = Reader(app, "ada")
    for _ in range(10):
        token = reader.csrf("/login")
        response = reader.client.post(
            "/login", data={"name": "ada", "password": "wrong password!", "csrf_token": token}
        )
        assert response.status_code == 401
        assert "don&#39;t match" in response.get_data(as_text=True)
    token = reader.csrf("/login")
    response = reader.client.post(
        "/login", data={"name": "ada", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def test_unknown_name_looks_like_a_wrong_password(app, anonymous):
    token = anonymous.csrf("/login")
    response = anonymous.client.post(
        "/login", data={"name": "nobody", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 401


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(app, anonymous):
    response = anonymous.client.post("/signup", data={"name": "ada", "password": PASSWORD})
    assert response.status_code == 400
    assert "form expired" in response.get_data(as_text=True)
    assert count_users(app) == 0


def test_logout_is_a_post_and_ends_the_session(reader):
    ada = reader("ada")
    assert ada.get("/logout").status_code == 405  # no state change on GET
    assert ada.get("/circles").status_code == 200
    assert ada.post("/logout").status_code == 302
    assert ada.get("/circles").status_code == 302


def test_changing_the_password_logs_out_other_devices(app, reader):
    laptop = reader("ada")
    phone = Reader(app, "ada").login()
    response = laptop.post("/account", {"current": PASSWORD, "new": "a brand new password"})
    assert response.status_code == 302
    assert laptop.get("/circles").status_code == 200
    assert phone.get("/circles").status_code == 302
    Reader(app, "ada").login("a brand new password")


def test_wrong_current_password_changes_nothing(app, reader):
    ada = reader("ada")
    response = ada.post("/account", {"current": "not my password", "new": "a brand new password"})
    assert response.status_code == 400
    Reader(app, "ada").login()  # the old password still works


def test_log_out_everywhere_ends_every_session(app, reader):
    laptop = reader("ada")
    phone = Reader(app, "ada").login()
    assert phone.post("/account/logout-everywhere").status_code == 302
    assert laptop.get("/circles").status_code == 302
    assert phone.get("/circles").status_code == 302
    Reader(app, "ada").login()  # logging in again works


def test_session_cookie_is_hardened(app, make_user):
    make_user("ada")
    reader = Reader(app, "ada")
    token = reader.csrf("/login")
    response = reader.client.post(
        "/login", data={"name": "ada", "password": PASSWORD, "csrf_token": token}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_next_cannot_send_you_to_another_site(app, make_user):
    make_user("ada")
    for target in ["https://evil.example/", "//evil.example/", "/\\\\evil.example"]:
        reader = Reader(app, "ada")
        token = reader.csrf("/login")
        response = reader.client.post(
            f"/login?next={target}",
            data={"name": "ada", "password": PASSWORD, "csrf_token": token},
        )
        assert response.headers["Location"] == "/circles"


def test_user_create_reads_the_password_from_stdin(app, cli):
    result = cli("user", "create", "bea", input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "created user bea" in result.output
    Reader(app, "bea").login()
    again = cli("user", "create", "bea", input=PASSWORD + "\n")
    assert again.exit_code == 2 and "taken" in again.stderr


def test_secure_cookies_when_configured(tmp_path, monkeypatch):
    from companion import config

    monkeypatch.setenv("COMPANION_SECURE_COOKIES", "1")
    settings = config.from_environment(str(tmp_path))
    assert settings["SESSION_COOKIE_SECURE"] and settings["REMEMBER_COOKIE_SECURE"]
