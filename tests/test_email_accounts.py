"""An account's e-mail address (verified by a signed link; a change verifies again) and
password reset by e-mail (one answer for everyone, single use, expiring, rate limited).
Mail is read from the outbox folder the app writes to, with the standard `email` package."""

from __future__ import annotations

import email
import email.policy
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from companion import accounts
from companion.circles import create_circle
from companion.comments import post, viewer_for
from companion.extensions import db
from companion.models import Membership, User, Work, move_progress, utcnow
from companion.notify import tokens
from companion.reading import find_chapter
from companion.spoilers import Position
from tests.conftest import PASSWORD, Reader

NEW_PASSWORD = "a freshly chosen password"


@pytest.fixture
def outbox(app):
    """sent() → the mail written since the test began, oldest first, each parsed."""
    folder = Path(app.instance_path) / "outbox"
    before = set(folder.glob("*.eml")) if folder.is_dir() else set()

    def sent() -> list[email.message.EmailMessage]:
        files = sorted(set(folder.glob("*.eml")) - before) if folder.is_dir() else []
        return [
            email.message_from_bytes(file.read_bytes(), policy=email.policy.default)
            for file in files
        ]

    return sent


def parts(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None, "both a text and an HTML part"
    return text.get_content(), html.get_content()


def link_in(message, path: str) -> str:
    """The one link to `path` in the mail: the same in both parts; returned as a path."""
    text, html = parts(message)
    urls = set(re.findall(r"https?://[^\s\"<>]+", text))
    found = [url for url in urls if urlsplit(url).path.startswith(path)]
    assert len(found) == 1, text
    assert f'href="{found[0]}"' in html
    return urlsplit(found[0]).path


def account(app, name: str) -> User:
    with app.app_context():
        user = User.by_name(name)
        db.session.expunge(user)
        return user


def give_address(app, name: str, address: str) -> None:
    """A verified address, the way the operator's CLI sets one."""
    with app.app_context():
        accounts.set_email(User.by_name(name), address, verified=True)
        db.session.commit()


def made_days_ago(app, days: float, make):
    """A token made by our own code, `days` ago (the clock itsdangerous reads, turned back)."""
    real = time.time
    with app.app_context(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(time, "time", lambda: real() - days * 24 * 3600)
        return make()


def text_of(response) -> str:
    return response.get_data(as_text=True).replace("&#39;", "'").replace("&#34;", '"')


# --- verifying an address ----------------------------------------------------------------


def test_saving_an_address_sends_a_link_that_verifies_it(app, reader, anonymous, outbox):
    ada = reader("ada")
    response = ada.post("/account/email", {"address": "  Ada.Lovelace@Example.ORG "})
    assert response.status_code == 302
    stored = account(app, "ada")
    assert stored.email == "Ada.Lovelace@example.org"  # the domain lowercased, nothing else
    assert stored.email_verified_at is None and stored.verified_email is None
    assert "not verified yet" in text_of(ada.get("/account"))

    [mail] = outbox()
    assert mail["To"] == "Ada.Lovelace@example.org"
    assert mail["Subject"] == "Confirm your address for Companion"
    text, html = parts(mail)
    assert "ada" in text and "3 days" in text and "<a href=" in html
    path = link_in(mail, "/account/verify/")

    # Opening the link (a mail scanner does it too) only asks; nothing changes.
    page = anonymous.get(path)
    assert page.status_code == 200
    assert "Ada.Lovelace@example.org" in text_of(page) and "Yes, verify it" in text_of(page)
    assert account(app, "ada").email_verified_at is None

    # The button verifies it, without logging in: the link is the proof.
    assert anonymous.post(path).status_code == 302
    assert account(app, "ada").verified_email == "Ada.Lovelace@example.org"
    assert "— verified." in text_of(ada.get("/account"))


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("no-at-sign.example.org", "doesn't look like an e-mail address"),
        ("ada@localhost", "doesn't look like an e-mail address"),
        ("ada lovelace@example.org", "doesn't look like an e-mail address"),
        ("ada@-example.org", "doesn't look like an e-mail address"),
        ("ada..l@example.org", "doesn't look like an e-mail address"),
        ("<ada@example.org>", "doesn't look like an e-mail address"),
        ("ada@example.org\r\nBcc: eve@example.org", "doesn't look like an e-mail address"),
        ("ada@10.0.0.1", "doesn't look like an e-mail address"),
        ("a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 63 + ".org", "at most 254"),
        ("", "This field is required"),
    ],
)
def test_an_implausible_address_is_refused_and_nothing_is_sent(
    app, reader, outbox, address, message
):
    ada = reader("ada")
    response = ada.post("/account/email", {"address": address})
    assert response.status_code == 400
    assert message in text_of(response)
    assert account(app, "ada").email is None
    assert outbox() == []


def test_changing_the_address_unverifies_it_and_the_old_link_fails(app, reader, outbox):
    ada = reader("ada")
    give_address(app, "ada", "ada@old.example")
    assert ada.post("/account/email", {"address": "ada@new.example"}).status_code == 302
    assert account(app, "ada").email_verified_at is None  # no mail until the new one is proven
    # A link made for the previous address, still within its three days:
    with app.app_context():
        payload = {"user": account(app, "ada").id, "email": "ada@old.example"}
        old = tokens.make(tokens.VERIFY_EMAIL, payload)
    for response in (ada.get(f"/account/verify/{old}"), ada.post(f"/account/verify/{old}")):
        assert response.status_code == 400
        assert "no longer on the account" in text_of(response)
        assert "Send a new link" in text_of(response)
    assert account(app, "ada").verified_email is None

    [mail] = outbox()
    assert mail["To"] == "ada@new.example"
    assert ada.post(link_in(mail, "/account/verify/")).status_code == 302
    assert account(app, "ada").verified_email == "ada@new.example"


def test_an_earlier_link_dies_when_the_address_changes_again(app, reader, outbox):
    ada = reader("ada")
    ada.post("/account/email", {"address": "first@example.org"})
    ada.post("/account/email", {"address": "second@example.org"})
    first, second = outbox()
    response = ada.post(link_in(first, "/account/verify/"))
    assert response.status_code == 400 and "no longer on the account" in text_of(response)
    assert ada.post(link_in(second, "/account/verify/")).status_code == 302
    assert account(app, "ada").verified_email == "second@example.org"


def test_an_expired_verification_link_is_refused(app, make_user, anonymous):
    make_user("ada")
    with app.app_context():
        accounts.set_email(User.by_name("ada"), "ada@example.org")
        db.session.commit()
    token = made_days_ago(app, 3.1, lambda: accounts.verification_token(User.by_name("ada")))
    fresh = made_days_ago(app, 2.9, lambda: accounts.verification_token(User.by_name("ada")))
    path = f"/account/verify/{token}"
    for response in (anonymous.get(path), anonymous.post(path)):
        assert response.status_code == 400
        assert "expired" in text_of(response)
    assert account(app, "ada").email_verified_at is None
    assert anonymous.post(f"/account/verify/{fresh}").status_code == 302  # within 3 days


def test_tampered_and_wrong_purpose_links_are_refused(app, make_user, anonymous):
    make_user("ada")
    give_address(app, "ada", "ada@example.org")
    with app.app_context():
        user = User.by_name("ada")
        user.email_verified_at = None
        db.session.commit()
        verify = accounts.verification_token(user)
        unsubscribe = tokens.make(tokens.UNSUBSCRIBE, {"user": user.id, "email": user.email})
    tampered = verify[:-3] + ("AAA" if not verify.endswith("AAA") else "BBB")
    for token in (tampered, unsubscribe, "not-a-token"):
        for response in (
            anonymous.get(f"/account/verify/{token}"),
            anonymous.post(f"/account/verify/{token}"),
        ):
            assert response.status_code == 400
            assert "not valid" in text_of(response)
    assert account(app, "ada").email_verified_at is None
    # A verification link is no reset link either.
    response = anonymous.get(f"/reset/{verify}")
    assert response.status_code == 400 and "Ask for a new link" in text_of(response)


def test_an_address_verified_on_another_account_cannot_be_verified_again(
    app, reader, make_user, monkeypatch
):
    from tests.test_mail import MailServer, send_to

    make_user("bea")
    give_address(app, "bea", "shared@example.org")
    ada = reader("ada")
    with MailServer() as server:  # mail really goes out: the link proves the mailbox
        send_to(monkeypatch, app, server)
        # Saving says what it says for any address: whose it is stays unknown to ada.
        response = ada.post("/account/email", {"address": "SHARED@example.org"})
        assert response.status_code == 302
        [mail] = server.messages()
    # Whoever reads that mailbox follows the link and learns it is in use; ada doesn't.
    response = ada.post(link_in(mail, "/account/verify/"))
    assert response.status_code == 400
    assert "already confirmed on another Companion account" in text_of(response)
    assert "bea" not in text_of(response)
    assert account(app, "ada").verified_email is None
    assert account(app, "bea").verified_email == "shared@example.org"


def test_resend_and_remove(app, reader, outbox):
    ada = reader("ada")
    ada.post("/account/email", {"address": "ada@example.org"})
    assert ada.post("/account/email/resend").status_code == 302
    first, second = outbox()
    assert first["To"] == second["To"] == "ada@example.org"
    ada.post(link_in(second, "/account/verify/"))
    ada.post("/account/email/resend")  # verified: nothing more to send
    assert len(outbox()) == 2
    assert ada.post("/account/email/remove").status_code == 302
    user = account(app, "ada")
    assert user.email is None and user.email_verified_at is None
    assert "No address yet" in text_of(ada.get("/account"))


def test_the_address_form_needs_a_login_and_its_csrf_token(app, reader, anonymous, outbox):
    response = anonymous.post("/account/email", {"address": "ada@example.org"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    ada = reader("ada")
    response = ada.client.post("/account/email", data={"address": "ada@example.org"})
    assert response.status_code == 400
    assert account(app, "ada").email is None and outbox() == []


# --- password reset ----------------------------------------------------------------------


def ask_for_reset(client: Reader, value: str):
    return client.post("/reset", {"name_or_address": value})


def test_the_answer_is_the_same_whoever_is_asked_for(app, make_user, outbox):
    make_user("ada")
    give_address(app, "ada", "ada@example.org")
    make_user("bea")  # an account without an address
    with app.app_context():
        accounts.set_email(User.by_name("bea"), "bea@example.org")  # not verified
        db.session.commit()
    answers = {}
    for value in ["ada", "bea", "bea@example.org", "nobody", "nobody@example.org", "x@y"]:
        response = ask_for_reset(Reader(app), value)
        answers[value] = (response.status_code, response.get_data(as_text=True))
    assert len(set(answers.values())) == 1, "the answer must not depend on the account"
    status, body = answers["ada"]
    assert status == 200 and "If that account has a verified e-mail address" in body
    [mail] = outbox()  # exactly one, to the one verified address
    assert mail["To"] == "ada@example.org"
    assert mail["Subject"] == "Reset your Companion password"
    text, _ = parts(mail)
    assert "within an hour" in text
    link_in(mail, "/reset/")


def test_the_reset_link_sets_the_password_and_logs_out_everywhere(app, reader, outbox):
    laptop = reader("ada")
    give_address(app, "ada", "ada@example.org")
    stranger = Reader(app)
    assert ask_for_reset(stranger, "ADA@example.org").status_code == 200  # by address, any case
    [mail] = outbox()
    path = link_in(mail, "/reset/")

    form = stranger.get(path)
    assert form.status_code == 200 and "Set a new password" in text_of(form)
    response = stranger.post(path, {"new": NEW_PASSWORD, "again": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/login"

    assert laptop.get("/circles").status_code == 302  # the other session has ended
    Reader(app, "ada").login(NEW_PASSWORD)
    old = Reader(app, "ada")
    token = old.csrf("/login")
    login = {"name": "ada", "password": PASSWORD, "csrf_token": token}
    failed = old.client.post("/login", data=login)
    assert failed.status_code == 401

    # The same link again: dead, on the form and on the post.
    other = "yet another password"
    for again in (stranger.get(path), stranger.post(path, {"new": other, "again": other})):
        assert again.status_code == 400
        assert "already been used" in text_of(again) and "Ask for a new link" in text_of(again)
    Reader(app, "ada").login(NEW_PASSWORD)


@pytest.mark.parametrize(
    ("new", "again", "message"),
    [
        ("short", "short", "at least 10"),
        (NEW_PASSWORD, NEW_PASSWORD + "!", "not the same"),
    ],
)
def test_a_bad_new_password_changes_nothing_and_keeps_the_link(
    app, make_user, outbox, new, again, message
):
    make_user("ada")
    give_address(app, "ada", "ada@example.org")
    person = Reader(app)
    ask_for_reset(person, "ada")
    path = link_in(outbox()[0], "/reset/")
    response = person.post(path, {"new": new, "again": again})
    assert response.status_code == 400 and message in text_of(response)
    Reader(app, "ada").login()  # the old password still works
    assert person.post(path, {"new": NEW_PASSWORD, "again": NEW_PASSWORD}).status_code == 302


def test_expired_wrong_and_outdated_reset_links_are_refused(app, reader, anonymous):
    ada = reader("ada")
    give_address(app, "ada", "ada@example.org")
    expired = made_days_ago(app, 61 / (24 * 60), lambda: accounts.reset_token(User.by_name("ada")))
    with app.app_context():
        current = accounts.reset_token(User.by_name("ada"))
        verify = accounts.verification_token(User.by_name("ada"))
    cases = {
        expired: "expired",
        current[:-4] + "abcd": "not valid",
        verify: "not valid",  # a verification link is not a reset link
    }
    for token, message in cases.items():
        for response in (
            anonymous.get(f"/reset/{token}"),
            anonymous.post(f"/reset/{token}", {"new": NEW_PASSWORD, "again": NEW_PASSWORD}),
        ):
            assert response.status_code == 400, token
            assert message in text_of(response) and "Ask for a new link" in text_of(response)
    # Changing the password another way kills the link that was sent before.
    ada.post("/account", {"current": PASSWORD, "new": "changed on the account page"})
    response = anonymous.get(f"/reset/{current}")
    assert response.status_code == 400 and "already been used" in text_of(response)
    Reader(app, "ada").login("changed on the account page")


def test_a_reset_link_dies_when_the_address_changes(app, reader):
    ada = reader("ada")
    give_address(app, "ada", "ada@example.org")
    with app.app_context():
        token = accounts.reset_token(User.by_name("ada"))
    ada.post("/account/email", {"address": "ada@elsewhere.example"})
    assert Reader(app).get(f"/reset/{token}").status_code == 400


def test_the_reset_form_is_rate_limited_per_account_asked_for_and_per_ip(app, make_user, outbox):
    make_user("ada")
    give_address(app, "ada", "ada@example.org")
    for _ in range(3):
        assert ask_for_reset(Reader(app), "ada").status_code == 200
    assert ask_for_reset(Reader(app), " ADA ").status_code == 429
    assert len(outbox()) == 3
    # Other names from the same place go on, up to the per-IP limit of 20 an hour.
    for n in range(17):
        assert ask_for_reset(Reader(app), f"someone-{n}").status_code == 200
    assert ask_for_reset(Reader(app), "someone-else").status_code == 429


def test_the_login_page_links_to_the_reset_form(anonymous):
    page = anonymous.get("/login")
    assert 'href="/reset"' in page.get_data(as_text=True)
    assert "Forgot your password?" in page.get_data(as_text=True)
    assert anonymous.get("/reset").status_code == 200


# --- the operator's CLI -----------------------------------------------------------------


def test_user_create_with_an_address_counts_it_as_verified(app, cli, outbox):
    result = cli("user", "create", "bea", "--email", "Bea@Example.ORG", input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "created user bea" in result.output
    assert account(app, "bea").verified_email == "Bea@example.org"
    assert outbox() == []  # the operator vouched for it: no link to follow
    Reader(app, "bea").login()


@pytest.mark.parametrize(
    ("address", "message"),
    [("not an address", "doesn't look like an e-mail address"), ("taken@example.org", "another")],
)
def test_user_create_with_a_bad_address_stores_nothing(app, cli, make_user, address, message):
    make_user("ada")
    give_address(app, "ada", "taken@example.org")
    result = cli("user", "create", "bea", "--email", address, input=PASSWORD + "\n")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0]
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 1


# --- never shown to other members ----------------------------------------------------------


def test_addresses_are_never_shown_to_other_members(app, make_user, small_work):
    ids = {name: make_user(name) for name in ["ada", "bea"]}
    give_address(app, "ada", "ada.private@example.org")
    give_address(app, "bea", "bea.private@example.org")
    work_id = small_work("Tide Tables")
    with app.app_context():
        ada, bea = (db.session.get(User, ids[n]) for n in ("ada", "bea"))
        circle = create_circle(ada, "Pier readers", db.session.get(Work, work_id))
        circle.memberships.append(Membership(user=bea, role="member"))
        db.session.flush()
        for uid in ids.values():
            move_progress(uid, work_id, Position(1, 2))
        chapter = find_chapter(work_id, 1)
        post(viewer_for(circle, circle.memberships[0]), chapter, 2, "Ada's note.", paragraph=1)
        token = accounts.create_token(bea)
        db.session.commit()
        slug = circle.slug
    as_bea = Reader(app, "bea").login()
    pages = {
        path: text_of(as_bea.get(path))
        for path in ["/circles", f"/c/{slug}", f"/c/{slug}/chapters/1", f"/c/{slug}/unlocked"]
    }
    pages["api"] = as_bea.client.get(
        f"/api/v1/circles/{slug}", headers={"Authorization": f"Bearer {token}"}
    ).get_data(as_text=True)
    assert "ada" in pages[f"/c/{slug}"] and "ada" in pages["api"]  # these pages do name her
    for where, body in pages.items():
        assert "ada.private@example.org" not in body, where
        assert "@example.org" not in body, where
    # Bea sees her own address on her own account page, and only hers.
    own = text_of(as_bea.get("/account"))
    assert "bea.private@example.org" in own and "ada.private" not in own


def test_with_no_mail_server_an_outbox_verification_proves_nothing(
    app, reader, make_user, outbox, monkeypatch
):
    """The outbox shows a member the link for any address they type: following it is no
    proof of the mailbox. It never refuses (that would tell whether the address has an
    account), never makes the address anyone's, and stops counting once mail goes out."""
    make_user("bea")
    give_address(app, "bea", "bea@example.org")
    mallory = reader("mallory")
    assert mallory.post("/account/email", {"address": "bea@example.org"}).status_code == 302
    [mail] = outbox()
    assert mallory.post(link_in(mail, "/account/verify/")).status_code == 302  # no oracle
    with app.app_context():
        assert account(app, "mallory").email_verified_via == "outbox"
        assert accounts.verified_owner("bea@example.org").name == "bea"
    assert account(app, "mallory").verified_email == "bea@example.org"  # the demo's outbox
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    with app.app_context():
        assert User.by_name("mallory").verified_email is None  # never real mail
        assert User.by_name("bea").verified_email == "bea@example.org"


def test_the_database_keeps_an_address_proven_on_one_account_only(app, make_user):
    """Two verifications at the same moment would both pass the check in code: the
    database refuses the second (an outbox verification is no proof, and is not refused)."""
    from sqlalchemy.exc import IntegrityError

    make_user("bea")
    make_user("cal")
    give_address(app, "bea", "Shared@example.org")
    with app.app_context():
        cal = User.by_name("cal")
        cal.email, cal.email_verified_at, cal.email_verified_via = (
            "shared@example.org",
            utcnow(),
            "mail",
        )
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        cal = User.by_name("cal")
        cal.email, cal.email_verified_at, cal.email_verified_via = (
            "shared@example.org",
            utcnow(),
            "outbox",
        )
        db.session.commit()
