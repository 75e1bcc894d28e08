"""The uploader edits a work's title, authors and tags: validated, kept as text, feeding
the warnings layer, and seen by every page (the anonymous page cache included)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from companion.circles import create_circle
from companion.extensions import db
from companion.library import details
from companion.models import ContentWarning, Membership, User, Work
from companion.pagecache import cache_of
from tests.conftest import Reader

TITLE = "Salt on the Window"


@pytest.fixture
def uploaded(app, make_user, small_work):
    """ula uploaded a public work with a tag that warns; rue reads it in ula's circle;
    pia uploaded a private one nobody else reads."""
    ids = {name: make_user(name) for name in ["ula", "rue", "pia"]}
    work_id = small_work(
        TITLE,
        "The kettle sang while the storm went over.",
        uploader_id=ids["ula"],
        archive_warnings=["Major Character Death"],
        tags=["Fluff"],
        rating="Teen And Up Audiences",
    )
    hidden = small_work("Pia's Notebook", private=True, uploader_id=ids["pia"])
    with app.app_context():
        users = {name: db.session.get(User, uid) for name, uid in ids.items()}
        circle = create_circle(users["ula"], "Window club", db.session.get(Work, work_id))
        circle.memberships.append(Membership(user=users["rue"], role="moderator"))
        db.session.commit()
    return {"work": work_id, "hidden": hidden, "ids": ids}


def form(**changes) -> dict:
    data = {
        "title": TITLE,
        "authors": "Wren Alder",
        "rating": "Teen And Up Audiences",
        "archive_warnings": "Major Character Death",
        "fandoms": "",
        "relationships": "",
        "characters": "",
        "tags": "Fluff",
    }
    return data | changes


def tag_warnings(app, work_id: int) -> dict[str, str]:
    with app.app_context():
        rows = db.session.scalars(
            select(ContentWarning).where(
                ContentWarning.work_id == work_id, ContentWarning.source == "tags"
            )
        )
        return {row.label: row.severity for row in rows}


def test_the_uploader_edits_title_authors_and_tag_groups(app, uploaded):
    ula = Reader(app, "ula").login()
    page = ula.get(f"/works/{uploaded['work']}/edit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'value="{TITLE}"' in html and "Major Character Death" in html
    with app.app_context():
        before = db.session.get(Work, uploaded["work"]).updated_at
    response = ula.post(
        f"/works/{uploaded['work']}/edit",
        form(
            title="  Salt on the   Window, Revised ",
            authors="Wren Alder, Juniper Vale, wren alder",
            rating="Mature",
            fandoms="Original Work",
            relationships="Ines/Tomas",
            characters="Ines, Tomas, , Ines",
            tags="Fluff, Found Family",
        ),
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/works/{uploaded['work']}")
    with app.app_context():
        work = db.session.get(Work, uploaded["work"])
        assert work.title == "Salt on the Window, Revised"
        assert work.authors == ["Wren Alder", "Juniper Vale"]
        assert work.rating == "Mature"
        assert (work.fandoms, work.relationships) == (["Original Work"], ["Ines/Tomas"])
        assert work.characters == ["Ines", "Tomas"]
        assert work.tags == ["Fluff", "Found Family"]
        assert work.updated_at > before
    shown = ula.get(f"/works/{uploaded['work']}").get_data(as_text=True)
    assert "Salt on the Window, Revised" in shown and "Details saved." in shown
    assert "Juniper Vale" in shown and "Found Family" in shown and "Ines/Tomas" in shown


def test_saving_reruns_tag_detection_and_keeps_the_other_sources(app, uploaded):
    assert tag_warnings(app, uploaded["work"]) == {"death": "moderate"}
    with app.app_context():
        db.session.add(
            ContentWarning(work_id=uploaded["work"], chapter=1, label="violence",
                           severity="minor", source="text", evidence="storm")
        )  # fmt: skip
        db.session.commit()
    ula = Reader(app, "ula").login()
    changed = form(archive_warnings="Graphic Depictions Of Violence", tags="Self-Harm")
    assert ula.post(f"/works/{uploaded['work']}/edit", changed).status_code == 302
    assert tag_warnings(app, uploaded["work"]) == {"violence": "graphic", "self-harm": "moderate"}
    with app.app_context():
        text = db.session.scalars(
            select(ContentWarning.label).where(ContentWarning.source == "text")
        ).all()
        assert text == ["violence"]


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"title": ""}, "A work needs a title."),
        ({"title": " \u200b "}, "A work needs a title."),
        ({"title": "x" * 501}, "At most 500 characters."),
        ({"tags": "y" * 151}, "longer than 150 characters"),
        ({"characters": ", ".join(f"Person {n}" for n in range(76))}, "At most 75 entries"),
        ({"rating": "r" * 101}, "At most 100 characters."),
    ],
)
def test_bad_details_get_a_field_error_and_change_nothing(app, uploaded, changes, error):
    ula = Reader(app, "ula").login()
    response = ula.post(f"/works/{uploaded['work']}/edit", form(**changes))
    assert response.status_code == 400
    assert error in response.get_data(as_text=True)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    with app.app_context():
        work = db.session.get(Work, uploaded["work"])
        assert (work.title, work.tags) == (TITLE, ["Fluff"])


def test_details_are_kept_as_text_and_shown_escaped(app, uploaded):
    ula = Reader(app, "ula").login()
    hostile = '<script>alert(1)</script> "Quoted" <img src=x onerror=alert(2)>'
    changes = form(title=hostile, tags="<b>bold</b>, \x07bell\u202e", authors="A & B")
    assert ula.post(f"/works/{uploaded['work']}/edit", changes).status_code == 302
    with app.app_context():
        work = db.session.get(Work, uploaded["work"])
        assert work.title == hostile  # text, exactly as typed
        assert work.tags == ["<b>bold</b>", "bell"]  # control and bidi characters dropped
    for path in [f"/works/{uploaded['work']}", "/", f"/works/{uploaded['work']}/chapters/1"]:
        page = ula.get(path).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page and "<b>bold" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, path
    api = app.test_client().get(f"/api/v1/works/{uploaded['work']}").json
    assert api["title"] == hostile and api["authors"] == ["A & B"]


def test_only_the_uploader_may_edit(app, uploaded):
    url = f"/works/{uploaded['work']}/edit"
    rue = Reader(app, "rue").login()  # reads it in a circle, even moderates that circle
    assert rue.get(url).status_code == 403
    assert rue.post(url, form(title="Taken over")).status_code == 403
    anonymous = Reader(app).get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    # pia's private work: those who can't read it learn nothing, signed in or not.
    hidden = f"/works/{uploaded['hidden']}/edit"
    for person in [Reader(app), Reader(app, "ula").login()]:
        response = person.get(hidden)
        assert response.status_code == 404
        assert "Notebook" not in response.get_data(as_text=True)
    assert Reader(app, "pia").login().get(hidden).status_code == 200
    with app.app_context():
        assert db.session.get(Work, uploaded["work"]).title == TITLE


def test_the_edit_link_is_for_the_uploader_only(app, uploaded):
    link = f'href="/works/{uploaded["work"]}/edit"'
    assert link in Reader(app, "ula").login().get(f"/works/{uploaded['work']}").get_data(True)
    assert link not in Reader(app, "rue").login().get(f"/works/{uploaded['work']}").get_data(True)
    assert link not in app.test_client().get(f"/works/{uploaded['work']}").get_data(True)


def test_a_post_without_csrf_is_refused(app, uploaded):
    ula = Reader(app, "ula").login()
    response = ula.client.post(f"/works/{uploaded['work']}/edit", data=form(title="Forged"))
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Work, uploaded["work"]).title == TITLE


def test_anonymous_pages_show_the_new_title_once_the_recheck_is_due(app, uploaded):
    anonymous = app.test_client()
    paths = [f"/works/{uploaded['work']}", f"/works/{uploaded['work']}/chapters/1"]
    for path in paths:
        assert TITLE in anonymous.get(path).get_data(as_text=True)
    ula = Reader(app, "ula").login()
    assert ula.post(paths[0] + "/edit", form(title="Fresh Paint")).status_code == 302
    cache_of(app).recheck_all()
    for path in paths:
        page = anonymous.get(path).get_data(as_text=True)
        assert "Fresh Paint" in page and TITLE not in page, path


def test_split_names_and_plain_text():
    assert details.split_names(" a ,b,, A , c\td ") == ["a", "b", "c d"]
    assert details.split_names(None) == []
    assert details.plain_text("one\n\ntwo\u00a0three\x00\u200b") == "one two three"


def test_a_new_version_keeps_what_the_uploader_edited_and_takes_the_rest(app, uploaded):
    from companion.importers import ChapterData, WorkData
    from companion.library import store_work

    ula = Reader(app, "ula").login()
    edited = form(title="Salt on the Window, Revised", tags="Fluff, Found Family")
    assert ula.post(f"/works/{uploaded['work']}/edit", edited).status_code == 302
    with app.app_context():
        work = db.session.get(Work, uploaded["work"])
        assert work.edited_details == ["tags", "title"]
        # The corrected file still says the old title and tags, and a new rating.
        result = store_work(
            WorkData(
                title=TITLE,
                source_format="markdown",
                authors=["Wren Alder"],
                rating="Mature",
                tags=["Fluff"],
                chapters=[
                    ChapterData(1, "Part 1", paragraphs=["The kettle sang, and then it didn't."])
                ],
            ),
            uploader_id=uploaded["ids"]["ula"],
            replace_work_id=work.id,
        )
        assert result.outcome == "updated"
        work = db.session.get(Work, uploaded["work"])
        assert work.title == "Salt on the Window, Revised"  # edited: kept
        assert work.tags == ["Fluff", "Found Family"]  # edited: kept
        assert work.rating == "Mature"  # not edited: the new file's
