"""Uploading a work in the browser and through the JSON API, with the Flask test client:
upload, preview, confirm, the progress fragment, and everyone who must not see it."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from companion import accounts
from companion.circles import create_invite
from companion.extensions import db
from companion.importers import MAX_BYTES
from companion.jobs import uploads
from companion.models import Circle, CircleWork, Comment, Job, User, Work, utcnow
from tests.test_jobs import BINARY, NOT_AN_EPUB, ledger

# A plain text with chapter headings and no title of its own (our own prose).
UNTITLED = b"""Chapter 1

The ferry left without them, and the harbour master only shrugged when Ines asked when
the next one was due.

Chapter 2

They slept in the waiting room, under a timetable nobody had updated in years.
"""


def upload(
    person,
    raw: bytes,
    name: str = "ledger.txt",
    circle: str | None = None,
    work: int | None = None,
    **fields,
):
    data = {"file": (io.BytesIO(raw), name), **fields}
    if circle is None and work is None:
        data.setdefault("circle_name", "Lamp club")
    path = f"/upload?circle={circle}" if circle else f"/upload?work={work}" if work else "/upload"
    return person.post(path, data=data, content_type="multipart/form-data")


def job_id_of(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    match = re.search(r"/jobs/([0-9a-f]{32})$", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def confirm(person, job_id: str, **fields):
    return person.post(f"/jobs/{job_id}/confirm", data={"private": "y", **fields})


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def job_row(app, job_id: str) -> Job:
    with app.app_context():
        job = db.session.get(Job, job_id)
        db.session.expunge(job)
        return job


def test_upload_preview_confirm_and_read(app, reader):
    ada = reader("ada")
    page = ada.get("/upload")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html and "data-drop-zone" in html
    assert "js/upload.js" in html

    job_id = job_id_of(upload(ada, ledger()))
    preview = ada.get(f"/jobs/{job_id}").get_data(as_text=True)
    for seen in (
        "The Lighthouse Keeper&#39;s Ledger",
        "Wren Halloway",
        "Text copied from archive pages",
        "Found Family, Slow Burn",
        '<td>Lamp Oil</td><td class="num">30</td>',
        "3 chapters, 84 words",
        "Confirm and import",
    ):
        assert seen in preview, seen
    assert 'checked id="private" name="private" type="checkbox"' in preview
    assert count(app, Work) == 0  # nothing stored before confirming

    assert confirm(ada, job_id).status_code == 303
    fragment = ada.get(f"/jobs/{job_id}/progress", headers={"HX-Request": "true"})
    assert fragment.status_code == 286  # done: htmx stops polling
    text = fragment.get_data(as_text=True)
    assert "hx-trigger" not in text and 'value="100"' in text
    job = job_row(app, job_id)
    assert job.state == "done"
    with app.app_context():
        work = db.session.get(Work, job.work_id)
        circle = db.session.get(Circle, job.circle_id)
        assert work.visibility == "private" and work.uploaded_by_id == job.user_id
        assert (circle.name, circle.work_id, circle.owner.name) == ("Lamp club", work.id, "ada")
        slug = circle.slug
    assert f'href="/c/{slug}/chapters/1"' in text  # read it with the new circle
    assert "Done: <cite>The Lighthouse Keeper&#39;s Ledger</cite>, 3 chapters." in text
    chapter = ada.get(f"/works/{job.work_id}/chapters/1")
    assert chapter.status_code == 200
    assert "The fog came in at four" in chapter.get_data(as_text=True)


def test_a_job_being_worked_on_is_polled_with_a_progress_bar(app, reader):
    ada = reader("ada")
    with app.app_context():
        user_id = User.by_name("ada").id
        job = uploads.start(user_id, ledger(), "ledger.txt", preview=False)
        job.state, job.progress = "running", 42
        db.session.commit()
        job_id = job.id
    page = ada.get(f"/jobs/{job_id}").get_data(as_text=True)
    fragment = ada.get(f"/jobs/{job_id}/progress", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    for html in (page, fragment.get_data(as_text=True)):
        assert f'hx-get="/jobs/{job_id}/progress" hx-trigger="every 1s"' in html
        assert re.search(r'<progress[^>]*value="42"', html)
        assert "style=" not in html and "<script>" not in html


def test_a_job_whose_worker_died_says_it_stopped_and_polling_ends(app, reader):
    ada = reader("ada")
    with app.app_context():
        job = uploads.start(User.by_name("ada").id, ledger(), "ledger.txt", preview=False)
        job.state, job.progress = "running", 60
        job.updated_at = utcnow() - timedelta(seconds=app.config["JOB_STALE_SECONDS"] + 1)
        db.session.commit()
        job_id = job.id
    fragment = ada.get(f"/jobs/{job_id}/progress", headers={"HX-Request": "true"})
    assert fragment.status_code == 286
    page = ada.get(f"/jobs/{job_id}")
    for html in (fragment.get_data(as_text=True), page.get_data(as_text=True)):
        assert "stopped before it finished" in html and "Nothing was stored." in html
        assert "hx-trigger" not in html
    assert count(app, Work) == 0
    assert ada.post(f"/jobs/{job_id}/cancel").status_code == 303  # and it can be cleared away


def test_the_preview_needs_a_title_when_the_file_has_none(app, reader):
    ada = reader("ada")
    job_id = job_id_of(upload(ada, UNTITLED, name="ferry.txt"))
    page = ada.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "none in the file" in page and "give the work one" in page
    refused = confirm(ada, job_id, title="  ")
    assert refused.status_code == 400
    assert "This file carries no title" in refused.get_data(as_text=True)
    assert job_row(app, job_id).state == "parsed" and count(app, Work) == 0
    assert confirm(ada, job_id, title="The Missed Ferry").status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Work.title)) == "The Missed Ferry"


def test_a_title_given_at_confirm_replaces_the_files(app, reader):
    ada = reader("ada")
    job_id = job_id_of(upload(ada, ledger()))
    confirm(ada, job_id, title="Ledger, Revised", private="")
    with app.app_context():
        work = db.session.scalars(select(Work)).one()
        assert (work.title, work.visibility) == ("Ledger, Revised", "public")


@pytest.mark.parametrize(
    ("raw", "status", "error"),
    [
        (b"", 400, "That file is empty"),
        (b"   \n\n  ", 400, "That file is empty"),
        (b"x" * (MAX_BYTES + 1), 413, "Companion accepts files of up to 20 MB"),
        (b"x" * (MAX_BYTES + 1024 * 1024), 413, "Companion accepts files of up to 20 MB"),
    ],
    ids=["empty", "blank", "just-over-20-MB", "21-MB"],
)
def test_empty_and_oversized_files_get_a_form_error(app, reader, raw, status, error):
    response = upload(reader("ada"), raw)
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert error in html and 'class="error"' in html and "Traceback" not in html
    assert "data-drop-zone" in html  # the form again, to choose another file
    assert count(app, Job) == 0 and count(app, Work) == 0


@pytest.mark.parametrize(
    ("raw", "reason"),
    [(BINARY, "this is a binary file"), (NOT_AN_EPUB, "not an EPUB")],
    ids=["binary", "renamed-zip"],
)
def test_a_file_that_is_no_work_shows_why_on_the_form(app, reader, raw, reason):
    ada = reader("ada")
    job_id = job_id_of(upload(ada, raw, name="photo.jpg"))
    page = ada.get(f"/jobs/{job_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Nothing was stored." in html and reason in html and 'id="file-error"' in html
    assert 'value="Lamp club"' in html  # the circle's name is kept for the next try
    assert ada.get(f"/jobs/{job_id}/progress").status_code == 286
    assert count(app, Work) == 0 and count(app, Circle) == 0


def test_the_app_wide_limit_stays_2_MB(app, reader):
    ada = reader("ada")
    response = ada.post("/circles", data={"name": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413


def test_an_upload_without_its_csrf_token_is_refused(app, reader):
    ada = reader("ada")
    response = ada.client.post(
        "/upload",
        data={"file": (io.BytesIO(ledger()), "ledger.txt"), "circle_name": "Lamp club"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert count(app, Job) == 0
    job_id = job_id_of(upload(ada, ledger()))
    assert ada.client.post(f"/jobs/{job_id}/confirm", data={"private": "y"}).status_code == 400
    assert ada.client.post(f"/jobs/{job_id}/cancel").status_code == 400
    assert job_row(app, job_id).state == "parsed"


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("..\\..\\C:/etc/ledger.txt", "ledger.txt"),
        ("led\u202eger\x07.txt", "ledger.txt"),
        ("  my\tledger.txt ", "my ledger.txt"),
        ("", "upload"),
    ],
)
def test_an_uploaded_file_keeps_its_name_without_folders_or_controls(app, reader, sent, kept):
    ada = reader("ada")
    job_id = job_id_of(upload(ada, ledger(), name=sent or "x"))
    if sent:
        assert job_row(app, job_id).filename == kept
    assert uploads.safe_filename(sent) == kept


def test_a_job_is_its_owners_alone(app, reader):
    ada, ben = reader("ada"), reader("ben")
    job_id = job_id_of(upload(ada, ledger()))
    for path in (f"/jobs/{job_id}", f"/jobs/{job_id}/progress"):
        response = ben.get(path)
        assert response.status_code == 404
        assert "Lighthouse" not in response.get_data(as_text=True)
    assert confirm(ben, job_id).status_code == 404
    assert ben.post(f"/jobs/{job_id}/cancel").status_code == 404
    assert job_row(app, job_id).state == "parsed"
    assert ben.get(f"/jobs/{'0' * 32}").status_code == 404
    anonymous = app.test_client().get(f"/jobs/{job_id}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_cancel_forgets_the_upload(app, reader):
    ada = reader("ada")
    job_id = job_id_of(upload(ada, ledger()))
    response = ada.post(f"/jobs/{job_id}/cancel")
    assert response.status_code == 303 and response.headers["Location"].endswith("/circles")
    assert count(app, Job) == 0 and count(app, Work) == 0
    assert ada.get(f"/jobs/{job_id}").status_code == 404


def test_confirm_counts_once(app, reader):
    ada = reader("ada")
    job_id = job_id_of(upload(ada, ledger()))
    assert confirm(ada, job_id).status_code == 303
    assert confirm(ada, job_id).status_code == 409
    assert ada.get("/circles").get_data(as_text=True).count("Lamp club") == 1
    assert count(app, Work) == 1


def make_circle(app, reader, owner_name: str, member_name: str | None = None):
    """A circle started by uploading a work, as in the browser: (owner, member, slug)."""
    owner = reader(owner_name)
    first = ledger(**{"The Lighthouse Keeper's Ledger": "The Harbour Log"})
    job_id = job_id_of(upload(owner, first, circle_name="Harbour readers"))
    confirm(owner, job_id)
    with app.app_context():
        circle = db.session.get(Circle, job_row(app, job_id).circle_id)
        slug = circle.slug
        token = create_invite(circle, circle.owner)
        db.session.commit()
    member = None
    if member_name:
        member = reader(member_name)
        assert member.post(f"/invites/{token}/accept").status_code == 302
    return owner, member, slug


def test_the_owner_adds_the_next_read_to_the_shelf(app, reader):
    ada, ben, slug = make_circle(app, reader, "ada", "ben")
    dashboard = ada.get(f"/c/{slug}").get_data(as_text=True)
    assert f'href="/upload?circle={slug}"' in dashboard and "Add the next read" in dashboard
    assert f"/upload?circle={slug}" not in ben.get(f"/c/{slug}").get_data(as_text=True)
    page = ada.get(f"/upload?circle={slug}").get_data(as_text=True)
    assert "Add the next read" in page and 'name="circle_name"' not in page

    job_id = job_id_of(upload(ada, ledger(), circle=slug))
    assert confirm(ada, job_id).status_code == 303
    job = job_row(app, job_id)
    assert job.state == "done", job.message
    with app.app_context():
        circle = Circle.by_slug(slug)
        reading = db.session.scalar(select(Work.title).where(Work.id == circle.work_id))
        assert job.circle_id == circle.id and reading == "The Harbour Log"  # as before
        shelf = db.session.scalars(
            select(CircleWork.work_id).where(CircleWork.circle_id == circle.id)
        ).all()
        assert shelf == [job.work_id]
        assert db.session.get(Work, job.work_id).visibility == "private"
    assert count(app, Circle) == 1
    # Ben, a member, may read the circle's next read; he may not add one.
    assert ben.get(f"/works/{job.work_id}/chapters/1").status_code == 200
    assert ben.get(f"/upload?circle={slug}").status_code == 403
    assert upload(ben, ledger(), circle=slug).status_code == 403


def test_only_members_may_even_ask_to_add_a_next_read(app, reader):
    _, _, slug = make_circle(app, reader, "ada")
    carol = reader("carol")
    assert carol.get(f"/upload?circle={slug}").status_code == 404
    assert upload(carol, ledger(), circle=slug).status_code == 404
    assert carol.get("/upload?circle=no-such-circle").status_code == 404
    assert count(app, Job) == 1  # the circle's own first upload


def test_an_outsider_never_sees_a_private_upload(app, reader):
    ada, carol = reader("ada"), reader("carol")
    job_id = job_id_of(upload(ada, ledger()))
    confirm(ada, job_id)
    work_id = job_row(app, job_id).work_id
    for path in (f"/works/{work_id}", f"/works/{work_id}/chapters/1"):
        response = carol.get(path)
        assert response.status_code == 404
        assert "Lighthouse" not in response.get_data(as_text=True)


def test_uploads_are_rate_limited(app, reader, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_RATE_LIMIT", "2 per hour")
    ada = reader("ada")
    assert upload(ada, ledger()).status_code == 303
    assert upload(ada, ledger()).status_code == 303
    refused = upload(ada, ledger())
    assert refused.status_code == 429 and "Traceback" not in refused.get_data(as_text=True)
    # Counted per person, not per address: someone else may still upload.
    assert upload(reader("ben"), ledger()).status_code == 303


# --- the JSON API ---------------------------------------------------------------------


@pytest.fixture
def token(app, make_user):
    def make(name: str) -> dict:
        make_user(name)
        with app.app_context():
            value = accounts.create_token(User.by_name(name))
            db.session.commit()
        return {"Authorization": f"Bearer {value}"}

    return make


def api_upload(client, headers, raw: bytes = b"", name: str = "ledger.txt", **fields):
    data = {"file": (io.BytesIO(raw or ledger()), name), **fields}
    return client.post("/api/v1/works", data=data, headers=headers)


def test_api_upload_answers_202_with_a_job_to_poll(app, client, token):
    ada = token("ada")
    response = api_upload(client, ada)
    assert response.status_code == 202
    job = response.get_json()
    assert set(job) == {"id", "state", "progress", "message", "work_id"}
    assert response.headers["Location"].endswith(f"/api/v1/jobs/{job['id']}")
    polled = client.get(response.headers["Location"], headers=ada).get_json()
    assert (polled["state"], polled["progress"]) == ("done", 100)
    work = client.get(f"/api/v1/works/{polled['work_id']}", headers=ada).get_json()
    assert work["title"] == "The Lighthouse Keeper's Ledger"
    with app.app_context():
        # No circle: public unless asked, and no circle is made for it.
        assert db.session.get(Work, polled["work_id"]).visibility == "public"
        assert count(app, Circle) == 0


def test_api_upload_reports_a_bad_file_on_its_job(app, client, token):
    ada = token("ada")
    job = api_upload(client, ada, BINARY, name="photo.jpg").get_json()
    polled = client.get(f"/api/v1/jobs/{job['id']}", headers=ada).get_json()
    assert polled["state"] == "failed" and polled["work_id"] is None
    assert "photo.jpg: this is a binary file" in polled["message"]
    assert count(app, Work) == 0


def test_api_upload_needs_a_title_for_a_file_without_one(app, client, token):
    ada = token("ada")
    failed = api_upload(client, ada, UNTITLED, name="ferry.txt").get_json()
    assert failed["state"] == "failed" and "title" in failed["message"]
    done = api_upload(client, ada, UNTITLED, name="ferry.txt", title="The Missed Ferry")
    assert done.get_json()["state"] == "done"


def test_api_upload_to_a_circle_needs_its_owner(app, client, reader, token):
    _, _, slug = make_circle(app, reader, "ada", "ben")
    with app.app_context():
        headers = {}
        for name in ("ada", "ben"):
            value = accounts.create_token(User.by_name(name))
            headers[name] = {"Authorization": f"Bearer {value}"}
        db.session.commit()
    carol = token("carol")
    assert api_upload(client, headers["ben"], circle=slug).status_code == 403
    assert api_upload(client, carol, circle=slug).status_code == 404
    assert api_upload(client, carol, circle="no-such-circle").status_code == 404
    assert count(app, Job) == 1
    job = api_upload(client, headers["ada"], circle=slug).get_json()
    assert job["state"] == "done", job["message"]
    with app.app_context():
        # With a circle, private unless asked otherwise; on the circle's shelf.
        assert db.session.get(Work, job["work_id"]).visibility == "private"
        assert db.session.scalars(select(CircleWork.work_id)).all() == [job["work_id"]]
    # Carol may not read it, nor learn about the job.
    assert client.get(f"/api/v1/works/{job['work_id']}", headers=carol).status_code == 404
    assert client.get(f"/api/v1/jobs/{job['id']}", headers=carol).status_code == 404


@pytest.mark.parametrize(
    ("fields", "status", "error"),
    [
        ({"private": "perhaps"}, 400, "'private' is true or false"),
        ({"title": "t" * 501}, 400, "at most 500 characters"),
    ],
)
def test_api_upload_refuses_bad_fields(app, client, token, fields, status, error):
    response = api_upload(client, token("ada"), **fields)
    assert response.status_code == status and error in response.get_json()["error"]
    assert count(app, Job) == 0


def test_api_upload_refuses_missing_empty_and_oversized_files(app, client, token):
    ada = token("ada")
    missing = client.post("/api/v1/works", data={"title": "x"}, headers=ada)
    assert missing.status_code == 400 and "'file'" in missing.get_json()["error"]
    empty = client.post("/api/v1/works", data={"file": (io.BytesIO(b""), "a.txt")}, headers=ada)
    assert empty.status_code == 400 and "empty" in empty.get_json()["error"]
    huge = api_upload(client, ada, b"x" * (MAX_BYTES + 1024 * 1024))
    assert huge.status_code == 413 and "20 MB" in huge.get_json()["error"]
    assert api_upload(client, {}).status_code == 401
    assert count(app, Job) == 0


def test_api_uploads_are_rate_limited_per_token_owner(app, client, token, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_RATE_LIMIT", "1 per hour")
    ada, ben = token("ada"), token("ben")
    assert api_upload(client, ada).status_code == 202
    refused = api_upload(client, ada)
    assert refused.status_code == 429 and "error" in refused.get_json()
    assert api_upload(client, ben).status_code == 202


def test_api_jobs_are_their_owners_alone(app, client, token):
    ada, ben = token("ada"), token("ben")
    job = api_upload(client, ada).get_json()
    assert client.get(f"/api/v1/jobs/{job['id']}", headers=ben).status_code == 404
    assert client.get(f"/api/v1/jobs/{job['id']}").status_code == 401


def test_openapi_describes_uploads_and_jobs(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    upload = paths["/works"]["post"]
    assert "202" in upload["responses"] and "413" in upload["responses"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    schema = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert set(schema["properties"]) == {"file", "title", "circle", "private"}
    assert "200" in paths["/jobs/{job_id}"]["get"]["responses"]


def test_the_uploader_sends_a_new_version_and_the_comments_stay(app, reader):
    ada, ben, slug = make_circle(app, reader, "ada", "ben")
    with app.app_context():
        circle = Circle.by_slug(slug)
        work_id = circle.work_id
    # Ben comments on chapter 2's second paragraph ("Mara counted the cans twice…").
    posted = ben.post(
        f"/c/{slug}/chapters/2/comments", data={"body": "Who takes the oil?", "paragraph": "1"}
    )
    assert posted.status_code in (200, 302, 303), posted.get_data(as_text=True)[:300]
    work_page = ada.get(f"/works/{work_id}").get_data(as_text=True)
    assert f'href="/upload?work={work_id}"' in work_page
    assert "/upload?work=" not in ben.get(f"/works/{work_id}").get_data(as_text=True)

    page = ada.get(f"/upload?work={work_id}").get_data(as_text=True)
    assert "Upload a new version" in page and 'name="circle_name"' not in page
    # The corrected file: a typo fixed and a new paragraph in front of the commented one.
    corrected = ledger(
        **{
            "The Lighthouse Keeper's Ledger": "The Harbour Log",
            "since the spring.": "since the spring.\nThe harbour master said it was rats.",
            "did not write": "didn't write",
        }
    )
    job_id = job_id_of(upload(ada, corrected, work=work_id))
    preview = ada.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "This becomes version 2 of" in preview and 'name="private"' not in preview
    assert confirm(ada, job_id).status_code == 303
    job = job_row(app, job_id)
    assert job.state == "done", job.message
    assert job.work_id == work_id and "version 2" in job.message
    with app.app_context():
        work = db.session.get(Work, work_id)
        assert (work.version, work.visibility) == (2, "private")
        assert count(app, Circle) == 1 and count(app, Work) == 1
        comment = db.session.scalar(select(Comment).where(Comment.body_source.like("Who%")))
        # It followed its paragraph, which is now the third of chapter 2.
        assert (comment.chapter, comment.paragraph, comment.anchor_note) == (2, 2, None)
    assert "Versions" in ada.get(f"/works/{work_id}").get_data(as_text=True)


def test_only_the_uploader_may_send_a_new_version(app, reader):
    _, ben, slug = make_circle(app, reader, "ada", "ben")
    carol = reader("carol")
    with app.app_context():
        work_id = Circle.by_slug(slug).work_id
    assert ben.get(f"/upload?work={work_id}").status_code == 403  # may read, may not replace
    assert carol.get(f"/upload?work={work_id}").status_code == 404  # may not even read
    assert carol.get("/upload?work=not-a-number").status_code == 404
    response = upload(ben, ledger(), name="mine.txt", circle_name="")
    assert response.status_code == 400  # without ?work= it is a new circle: it needs a name
    before = count(app, Job)
    assert upload(ben, ledger(), work=work_id).status_code == 403
    assert count(app, Job) == before


def test_uploads_left_unconfirmed_for_a_day_are_forgotten_with_their_files(app, reader):
    ada = reader("ada")
    left = job_id_of(upload(ada, ledger()))
    assert job_row(app, left).state == "parsed"
    with app.app_context():
        job = db.session.get(Job, left)
        job.updated_at = utcnow() - uploads.ABANDONED_AFTER - timedelta(minutes=1)
        db.session.commit()
    recent = job_id_of(upload(ada, ledger(), name="again.txt"))
    with app.app_context():
        assert db.session.get(Job, left) is None
        assert db.session.get(Job, recent) is not None
    assert ada.get(f"/jobs/{left}").status_code == 404
