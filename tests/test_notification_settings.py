"""A member's notification choices: the page of each circle and
`GET|PUT /api/v1/me/notifications`, both saving through `companion.notify.settings`."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from companion import accounts
from companion.circles import create_circle
from companion.extensions import db
from companion.models import Membership, NotificationSetting, User, Work
from companion.notify.settings import Choice, choice_of
from tests.conftest import Reader


@pytest.fixture
def circles(app, make_user, small_work):
    """Ada owns "Harbour readers" with Ben in it; Cat owns "Cat's corner" alone; Ben also
    belongs to Cat's corner. Returns slugs and ids."""
    ids = {name: make_user(name) for name in ("ada", "ben", "cat")}
    work_id = small_work("Tide Tables")
    with app.app_context():
        users = {name: db.session.get(User, uid) for name, uid in ids.items()}
        work = db.session.get(Work, work_id)
        harbour = create_circle(users["ada"], "Harbour readers", work)
        harbour.memberships.append(Membership(user=users["ben"], role="member"))
        corner = create_circle(users["cat"], "Cat's corner", work)
        corner.memberships.append(Membership(user=users["ben"], role="member"))
        db.session.commit()
        return {
            "ids": ids,
            "harbour": harbour.slug,
            "harbour_id": harbour.id,
            "corner": corner.slug,
            "corner_id": corner.id,
        }


def verify(app, name: str, address: str) -> None:
    """Give an account a verified address the way the operator's CLI does."""
    with app.app_context():
        accounts.set_email(User.by_name(name), address, verified=True)
        db.session.commit()


def checked(page: str, name: str) -> list[str]:
    """The values of the checked radio buttons of a group on a page."""
    return re.findall(rf'<input checked[^>]*name="{name}"[^>]*value="(\w+)"', page) or re.findall(
        rf'<input[^>]*name="{name}"[^>]*value="(\w+)"[^>]*checked', page
    )


def stored(app, user_id: int, circle_id: int) -> Choice:
    with app.app_context():
        return choice_of(user_id, circle_id)


# --- the page ----------------------------------------------------------------------------


def test_the_page_shows_the_defaults_and_says_nothing_is_sent_without_an_address(app, circles):
    ben = Reader(app, "ben").login()
    response = ben.get(f"/c/{circles['harbour']}/notifications")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert checked(page, "digest") == ["off"]
    assert checked(page, "replies") == ["digest"]
    assert checked(page, "reminders") == ["on"]
    assert "no verified e-mail address" in page and 'href="/account"' in page


def test_a_member_saves_choices_and_sees_them_again(app, circles):
    verify(app, "ben", "ben@example.com")
    ben = Reader(app, "ben").login()
    url = f"/c/{circles['harbour']}/notifications"
    response = ben.post(url, {"digest": "weekly", "replies": "now", "reminders": "off"})
    assert response.status_code == 302 and response.headers["Location"] == url
    assert stored(app, circles["ids"]["ben"], circles["harbour_id"]) == Choice(
        "weekly", "now", False
    )
    page = ben.get(url).get_data(as_text=True)
    assert "Your notification choices are saved." in page
    assert checked(page, "digest") == ["weekly"] and checked(page, "reminders") == ["off"]
    assert "ben@example.com" in page and "no verified e-mail address" not in page
    # The other circle keeps its own (default) choice.
    assert stored(app, circles["ids"]["ben"], circles["corner_id"]) == Choice()


def test_choices_save_without_an_address_but_the_page_says_nothing_is_sent(app, circles):
    ben = Reader(app, "ben").login()
    url = f"/c/{circles['harbour']}/notifications"
    ben.post(url, {"digest": "daily", "replies": "digest", "reminders": "on"})
    assert stored(app, circles["ids"]["ben"], circles["harbour_id"]).digest == "daily"
    assert "Nothing is sent until you verify an e-mail address" in ben.get(url).get_data(
        as_text=True
    )


def test_a_group_not_sent_keeps_its_choice(app, circles):
    ben = Reader(app, "ben").login()
    url = f"/c/{circles['harbour']}/notifications"
    ben.post(url, {"digest": "weekly", "replies": "now", "reminders": "off"})
    assert ben.post(url, {"digest": "daily"}).status_code == 302
    assert stored(app, circles["ids"]["ben"], circles["harbour_id"]) == Choice(
        "daily", "now", False
    )


def test_outsiders_get_404_and_the_anonymous_are_sent_to_log_in(app, circles):
    cat = Reader(app, "cat").login()
    url = f"/c/{circles['harbour']}/notifications"
    for response in (cat.get(url), cat.post(url, {"digest": "daily"})):
        assert response.status_code == 404
        assert "Harbour readers" not in response.get_data(as_text=True)
    anonymous = Reader(app).client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(NotificationSetting)) == 0


def test_a_post_without_the_csrf_token_changes_nothing(app, circles):
    ben = Reader(app, "ben").login()
    url = f"/c/{circles['harbour']}/notifications"
    response = ben.client.post(url, data={"digest": "daily", "replies": "now"})
    assert response.status_code == 400
    assert stored(app, circles["ids"]["ben"], circles["harbour_id"]) == Choice()


@pytest.mark.parametrize(
    "data", [{"digest": "hourly"}, {"replies": "sometimes"}, {"reminders": "maybe"}]
)
def test_a_choice_not_offered_is_refused_and_nothing_is_saved(app, circles, data):
    ben = Reader(app, "ben").login()
    url = f"/c/{circles['harbour']}/notifications"
    response = ben.post(url, {"digest": "weekly", "replies": "now", "reminders": "off"} | data)
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert stored(app, circles["ids"]["ben"], circles["harbour_id"]) == Choice()


def test_the_dashboard_links_to_the_page(app, circles):
    ben = Reader(app, "ben").login()
    page = ben.get(f"/c/{circles['harbour']}").get_data(as_text=True)
    assert f'href="/c/{circles["harbour"]}/notifications"' in page


# --- the API -----------------------------------------------------------------------------


@pytest.fixture
def token(app, circles):
    def make(name: str) -> dict:
        with app.app_context():
            secret = accounts.create_token(User.by_name(name))
            db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return make


def test_get_lists_every_circle_of_the_caller_with_the_defaults(client, circles, token):
    response = client.get("/api/v1/me/notifications", headers=token("ben"))
    assert response.status_code == 200
    default = {"digest": "off", "replies": "digest", "reminders": True}
    assert response.get_json() == {
        "circles": {circles["harbour"]: default, circles["corner"]: default}
    }
    # Ada sees only her own circle.
    ada = client.get("/api/v1/me/notifications", headers=token("ada")).get_json()
    assert list(ada["circles"]) == [circles["harbour"]]


def test_the_api_needs_a_token(client, circles):
    assert client.get("/api/v1/me/notifications").status_code == 401
    assert client.put("/api/v1/me/notifications", json={"circles": {}}).status_code == 401


def test_put_changes_only_what_it_names_and_answers_the_whole_document(app, client, circles, token):
    headers = token("ben")
    first = {"circles": {circles["harbour"]: {"digest": "weekly", "reminders": False}}}
    response = client.put("/api/v1/me/notifications", json=first, headers=headers)
    assert response.status_code == 200
    assert response.get_json() == {
        "circles": {
            circles["harbour"]: {"digest": "weekly", "replies": "digest", "reminders": False},
            circles["corner"]: {"digest": "off", "replies": "digest", "reminders": True},
        }
    }
    second = {"circles": {circles["harbour"]: {"replies": "now"}}}
    after = client.put("/api/v1/me/notifications", json=second, headers=headers).get_json()
    assert after["circles"][circles["harbour"]] == {
        "digest": "weekly", "replies": "now", "reminders": False,
    }  # fmt: skip
    assert stored(app, circles["ids"]["ben"], circles["harbour_id"]) == Choice(
        "weekly", "now", False
    )
    # What the page shows is what the API saved.
    page = Reader(app, "ben").login().get(f"/c/{circles['harbour']}/notifications")
    assert checked(page.get_data(as_text=True), "replies") == ["now"]


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"digest": "hourly"}, "digest"),
        ({"replies": True}, "replies"),
        ({"reminders": "yes"}, "reminders"),
        ({"reminders": 1}, "reminders"),
        ({"sound": "loud"}, "sound"),
    ],
)
def test_a_bad_value_is_a_400_naming_the_field_and_saves_nothing(
    app, client, circles, token, fields, named
):
    document = {
        "circles": {
            circles["corner"]: {"digest": "daily"},  # valid, and still not saved
            circles["harbour"]: fields,
        }
    }
    response = client.put("/api/v1/me/notifications", json=document, headers=token("ben"))
    assert response.status_code == 400
    assert f"circles.{circles['harbour']}.{named}" in response.get_json()["error"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(NotificationSetting)) == 0


@pytest.mark.parametrize(
    "document",
    [
        lambda slugs: {"circle": {}},
        lambda slugs: {"circles": []},
        lambda slugs: {"circles": {slugs["harbour"]: "daily"}},
        lambda slugs: {"circles": {}, "email": "ada@example.com"},
        lambda slugs: ["circles"],
    ],
)
def test_a_malformed_document_is_a_400(app, client, circles, token, document):
    response = client.put("/api/v1/me/notifications", json=document(circles), headers=token("ada"))
    assert response.status_code == 400 and response.get_json()["error"]


@pytest.mark.parametrize("whose", ["another member's", "unknown"])
def test_a_circle_the_caller_is_not_in_is_404_and_nothing_is_saved(
    app, client, circles, token, whose
):
    slug = circles["corner"] if whose == "another member's" else "no-such-circle"
    document = {"circles": {circles["harbour"]: {"digest": "daily"}, slug: {"digest": "weekly"}}}
    response = client.put("/api/v1/me/notifications", json=document, headers=token("ada"))
    assert response.status_code == 404
    assert "Cat's corner" not in response.get_data(as_text=True)
    assert stored(app, circles["ids"]["ada"], circles["harbour_id"]) == Choice()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(NotificationSetting)) == 0


def test_the_openapi_document_describes_the_exact_shape(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    path = spec["paths"]["/me/notifications"]
    assert set(path) == {"get", "put"}
    schema = spec["components"]["schemas"]["NotificationSettings"]
    assert list(schema["properties"]) == ["circles"]
    one = schema["properties"]["circles"]["additionalProperties"]
    assert set(one["properties"]) == {"digest", "replies", "reminders"}
    assert one["properties"]["digest"]["enum"] == ["off", "daily", "weekly"]
    assert one["properties"]["replies"]["enum"] == ["off", "now", "digest"]
    example = schema["examples"][0]
    assert set(example) == {"circles"}
    for choice in example["circles"].values():
        assert set(choice) == {"digest", "replies", "reminders"}


# --- the preview -------------------------------------------------------------------------


def test_the_preview_shows_what_the_digest_mail_would_say_and_nothing_ahead(app, circles):
    from companion import comments
    from companion.models import Circle, Delivery, move_progress
    from companion.notify import compose
    from companion.reading import find_chapter, paragraphs_of
    from companion.spoilers import Position

    verify(app, "ben", "ben@example.com")
    with app.app_context():
        circle = Circle.by_slug(circles["harbour"])
        ada = circle.membership_of(circles["ids"]["ada"])
        move_progress(circles["ids"]["ada"], circle.work_id, Position(2, 2))
        shape = circle.work.shape()
        move_progress(circles["ids"]["ben"], circle.work_id, shape.end_of(1))
        for number, text in [(1, "The pier scene felt like home."), (2, "Part two turns it.")]:
            chapter = find_chapter(circle.work_id, number)
            count = len(paragraphs_of(chapter))
            viewer = comments.viewer_for(circle, ada)
            comments.post(viewer, chapter, count, text, level=shape.end_of(number))
        db.session.commit()
        mail = compose.compose(
            Delivery(user_id=circles["ids"]["ben"], circle_id=circle.id, kind="digest",
                     period="preview-test")
        )  # fmt: skip
    page = Reader(app, "ben").login().get(f"/c/{circles['harbour']}/notifications")
    text = page.get_data(as_text=True)
    assert "The pier scene felt like home." in text and "The pier scene" in mail.html
    # Chapter 2's comment is beyond Ben: in neither, and neither names chapter 2's title.
    assert "Part two turns it." not in text and "Part two turns it." not in mail.text
    assert "Part 2" not in text and "Part 2" not in mail.text
    assert 'href="/c/' + circles["harbour"] + "/comments/" in text


# --- the outbox page and the demo's first digests ------------------------------------------


@pytest.fixture
def outbox(app):
    """The outbox folder, empty before and after (the app's instance lives all session)."""
    from companion.notify import mail

    folder = mail.outbox_path(app.instance_path)

    def empty():
        for path in folder.glob("*.eml"):
            path.unlink()

    empty()
    yield folder
    empty()


def delivery_count(app) -> int:
    from companion.models import Delivery

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Delivery))


def test_demo_setup_leaves_each_members_first_digest_in_the_outbox_once(app, cli, outbox):
    first = cli("demo", "--setup-only")
    assert first.exit_code == 0, first.output
    assert "sam@example.com" in first.output and "First digests: 4 in" in first.output
    files = sorted(outbox.glob("*.eml"))
    assert len(files) == 4
    deliveries = delivery_count(app)
    with app.app_context():
        from companion.demo import CIRCLE_SLUG
        from companion.models import Circle

        circle = Circle.by_slug(CIRCLE_SLUG)
        for name in ("mira", "priya", "jonah", "sam"):
            user = User.by_name(name)
            assert user.verified_email == f"{name}@example.com"
            assert choice_of(user.id, circle.id).digest == "daily"

    again = cli("demo", "--setup-only")
    assert again.exit_code == 0, again.output
    assert "First digests" not in again.output
    assert sorted(outbox.glob("*.eml")) == files and delivery_count(app) == deliveries


def test_demo_setup_without_a_reachable_mail_server_says_so_and_carries_on(
    app, cli, outbox, monkeypatch
):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    result = cli("demo", "--setup-only")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "not out yet" in result.output and "companion notify run" in result.output
    assert list(outbox.glob("*.eml")) == []


def test_the_outbox_page_shows_only_the_members_own_mail(app, cli, outbox):
    from companion.demo import PASSWORD

    assert cli("demo", "--setup-only").exit_code == 0
    sam = Reader(app, "sam").login(PASSWORD)
    page = sam.get("/outbox").get_data(as_text=True)
    assert page.count('class="outbox-message"') == 1
    assert "to sam@example.com" in page and "Thursday readers:" in page
    for other in ("mira", "priya", "jonah"):
        assert f"{other}@example.com" not in page
    # Sam has finished chapter 1 only: what is said about chapter 4 is not in his digest.
    assert "I did not see that loss coming" not in page
    assert "Iruka is in charge and everyone knows it" in page  # Jonah's reply on chapter 1

    from companion.notify import mail

    with app.app_context():
        mine = [m for m in mail.outbox_messages(app.instance_path) if "sam@" in m.to]
        theirs = [m for m in mail.outbox_messages(app.instance_path) if "mira@" in m.to]
    html = sam.get(f"/outbox/{mine[0].name}/html")
    assert html.status_code == 200 and "Iruka is in charge" in html.get_data(as_text=True)
    assert html.headers["Content-Security-Policy"].startswith("sandbox;")
    assert "script-src" not in html.headers["Content-Security-Policy"]
    # Mira's message, by its real name: as missing for Sam as a made-up one.
    assert sam.get(f"/outbox/{theirs[0].name}/html").status_code == 404
    assert sam.get("/outbox/../../secret_key/html").status_code == 404


def test_a_new_member_reads_their_verification_link_in_the_outbox_and_only_they_do(
    app, cli, outbox, reader
):
    from companion.demo import PASSWORD

    assert cli("demo", "--setup-only").exit_code == 0
    zed = reader("zed")
    page = zed.get("/outbox").get_data(as_text=True)
    assert "outbox-message" not in page and "Add an address on your account page" in page
    assert zed.post("/account/email", {"address": "zed@example.com"}).status_code == 302
    page = zed.get("/outbox").get_data(as_text=True)
    assert page.count('class="outbox-message"') == 1
    assert "Confirm your address for Companion" in page and "/account/verify/" in page
    sam = Reader(app, "sam").login(PASSWORD).get("/outbox").get_data(as_text=True)
    assert "Confirm your address" not in sam and "zed@example.com" not in sam
    assert Reader(app).client.get("/outbox").status_code == 302  # log in first


def test_with_smtp_configured_the_outbox_page_says_mail_goes_out_by_smtp(
    app, cli, outbox, monkeypatch
):
    from companion.demo import PASSWORD

    assert cli("demo", "--setup-only").exit_code == 0
    monkeypatch.setitem(app.config, "MAIL_SERVER", "mail.example.com")
    page = Reader(app, "sam").login(PASSWORD).get("/outbox").get_data(as_text=True)
    assert "sends mail by SMTP" in page and "outbox-message" not in page
