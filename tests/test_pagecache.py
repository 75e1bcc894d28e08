"""Anonymous reading pages are rendered once and served from memory; nothing personal
ever goes into that copy or comes out of it."""

from __future__ import annotations

from sqlalchemy import update

from companion.demo import SAMPLE_TITLE
from companion.extensions import db
from companion.models import Work
from companion.pagecache import cache_of
from tests.conftest import CSRF, count_queries


def test_an_anonymous_chapter_is_rendered_once_then_served_without_queries(app, work):
    client = app.test_client()
    path = f"/works/{work}/chapters/3"
    first, first_queries = count_queries(app, lambda: client.get(path))
    again, again_queries = count_queries(app, lambda: client.get(path))
    assert first.status_code == again.status_code == 200
    assert first_queries and not again_queries
    assert again.data == first.data and b"Chapter 3: Obstinance" in again.data
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == "private, no-cache"
    assert "Set-Cookie" not in again.headers
    # The baseline headers come from the normal response pipeline, cached page or not.
    assert "script-src 'self'" in again.headers["Content-Security-Policy"]


def test_the_browser_revalidates_with_its_etag(app, work):
    client = app.test_client()
    path = f"/works/{work}/chapters/2"
    etag = client.get(path).headers["ETag"]
    not_modified = client.get(path, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.data == b""
    assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200


def test_a_signed_in_reader_never_gets_the_anonymous_copy_and_never_fills_it(app, reader, work):
    path = f"/works/{work}/chapters/3"
    ada = reader("ada")
    personal = ada.get(path).get_data(as_text=True)
    assert "I'm here" in personal and CSRF.search(personal)
    assert len(cache_of(app)) == 0  # a request with a cookie is never stored

    anonymous = app.test_client().get(path).get_data(as_text=True)
    assert "I'm here" not in anonymous and not CSRF.search(anonymous)
    assert len(cache_of(app)) == 1
    # ... and the cached anonymous page is not what the signed-in reader gets next.
    assert "I'm here" in ada.get(path).get_data(as_text=True)


def test_htmx_requests_and_query_strings_bypass_the_cache(app, work):
    client = app.test_client()
    path = f"/works/{work}/chapters/1"
    client.get(path)
    _, with_query = count_queries(app, lambda: client.get(path + "?utm=x"))
    _, over_htmx = count_queries(app, lambda: client.get(path, headers={"HX-Request": "true"}))
    assert with_query and over_htmx


def test_a_changed_work_is_rendered_again_once_the_recheck_is_due(app, work):
    client = app.test_client()
    path = f"/works/{work}"
    assert SAMPLE_TITLE.encode() in client.get(path).data
    with app.app_context():
        db.session.execute(
            update(Work).where(Work.id == work).values(title="Renamed", content_hash="new")
        )
        db.session.commit()
    # Inside the recheck window the worker keeps its copy (at most a second old) ...
    assert SAMPLE_TITLE.encode() in client.get(path).data
    # ... and once it is due, one small query finds the new version.
    cache_of(app).recheck_all()
    assert b"Renamed" in client.get(path).data


def test_missing_works_and_chapters_are_never_cached(app, work):
    client = app.test_client()
    for path in ["/works/999", "/works/999/chapters/1", f"/works/{work}/chapters/99"]:
        assert client.get(path).status_code == 404
        assert client.get(path).status_code == 404
    assert len(cache_of(app)) == 0


def test_the_cache_keeps_only_the_most_recently_used_pages(app, work):
    cache = cache_of(app)
    size = cache.max_pages
    cache.max_pages = 3
    try:
        client = app.test_client()
        for number in range(1, 6):
            client.get(f"/works/{work}/chapters/{number}")
        assert len(cache) == 3
        assert sorted(cache.paths()) == [f"/works/{work}/chapters/{n}" for n in (3, 4, 5)]
    finally:
        cache.max_pages = size


def test_alias_urls_are_served_but_not_stored(app, work):
    client = app.test_client()
    # The int converter accepts leading zeros; only the canonical URL gets a cached copy.
    for path in [f"/works/0{work}/chapters/3", f"/works/{work}/chapters/03"]:
        assert client.get(path).status_code == 200
    assert len(cache_of(app)) == 0


def test_a_response_with_headers_or_session_of_its_own_is_never_stored(tmp_path, monkeypatch):
    from flask import flash, make_response

    from companion import create_app
    from companion.pagecache import same_for_everyone

    monkeypatch.setenv("COMPANION_INSTANCE", str(tmp_path))
    app = create_app({"SECRET_KEY": "test"})
    renders: list[str] = []

    @app.get("/__cookie")
    @same_for_everyone(lambda: "v1")
    def sets_a_cookie():
        renders.append("cookie")
        response = make_response("hello")
        response.set_cookie("seen", "1")
        return response

    @app.get("/__flash")
    @same_for_everyone(lambda: "v1")
    def flashes():
        renders.append("flash")
        flash("Welcome")
        return "hello"

    @app.get("/__plain")
    @same_for_everyone(lambda: "v1")
    def plain():
        renders.append("plain")
        return "hello"

    for path in ["/__cookie", "/__flash", "/__plain"]:
        for _ in range(2):
            assert app.test_client().get(path).status_code == 200
    assert renders == ["cookie", "cookie", "flash", "flash", "plain"]
    assert cache_of(app).paths() == ["/__plain"]


def test_personal_pages_are_never_kept_by_shared_caches(app, reader, work):
    ada = reader("ada")
    for path in [f"/works/{work}/chapters/1", "/account", "/circles"]:
        response = ada.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "private, no-cache", path
        assert "Cookie" in response.headers["Vary"], path
