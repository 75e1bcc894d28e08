"""Reading pages: library, contents, chapter, 404s and the headers every response carries."""

from __future__ import annotations

import re

import pytest


def test_library_lists_the_work(client, work):
    page = client.get("/").get_data(as_text=True)
    assert f'href="/works/{work}"' in page
    assert "8 chapters" in page


def test_empty_library_says_how_to_import(client, app):
    page = client.get("/").get_data(as_text=True)
    assert "companion import" in page


def test_work_page_lists_chapters_with_word_counts_and_reading_time(client, work):
    page = client.get(f"/works/{work}").get_data(as_text=True)
    for number, title in [(1, "Infatuation"), (2, "Self-Sacrifice"), (8, "Love")]:
        assert f'href="/works/{work}/chapters/{number}"' in page
        assert title in page
    assert "6,274 words" in page  # chapter 1
    assert "27 min" in page  # 6274 words at 230 per minute


def test_chapter_page_has_anchored_paragraphs_and_neighbours(client, work):
    response = client.get(f"/works/{work}/chapters/3")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    paragraphs = re.findall(r'<div class="para" id="p-([0-9a-f-]+)" data-index="(\d+)">', page)
    assert len(paragraphs) == 104
    assert [int(i) for _, i in paragraphs] == list(range(104))
    assert len({key for key, _ in paragraphs}) == 104
    assert f'rel="prev" href="/works/{work}/chapters/2"' in page
    assert f'rel="next" href="/works/{work}/chapters/4"' in page
    assert page.count("<h1") == 1 and "Chapter 3: Obstinance" in page
    assert "<title>Chapter 3: Obstinance" in page


def test_first_and_last_chapters_have_one_neighbour(client, work):
    first = client.get(f"/works/{work}/chapters/1").get_data(as_text=True)
    last = client.get(f"/works/{work}/chapters/8").get_data(as_text=True)
    assert 'rel="prev"' not in first and 'rel="next"' in first
    assert 'rel="next"' not in last and 'rel="prev"' in last


def test_summary_and_notes_are_collapsed_and_end_notes_wait_for_the_reader(client, work):
    page = client.get(f"/works/{work}/chapters/2").get_data(as_text=True)
    assert '<details class="front-matter">' in page  # collapsed: no "open"
    assert "<details open" not in page
    chapter1 = client.get(f"/works/{work}/chapters/1").get_data(as_text=True)
    assert "The author of the fic that in part inspired" not in chapter1
    assert "Log in</a> to keep your place" in chapter1


def test_page_is_accessible_in_shape(client, work):
    page = client.get(f"/works/{work}/chapters/1").get_data(as_text=True)
    assert 'class="skip-link" href="#main"' in page
    assert '<main id="main"' in page and "<header" in page and "<nav" in page
    assert "<footer" in page and '<html lang="en">' in page
    assert "<script>" not in page and " style=" not in page and "<style" not in page


@pytest.mark.parametrize(
    "path",
    ["/works/999", "/works/999/chapters/1", "/works/{work}/chapters/0",
     "/works/{work}/chapters/9", "/works/abc", "/nowhere"],
)  # fmt: skip
def test_unknown_things_are_a_friendly_404(client, work, path):
    response = client.get(path.format(work=work))
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Not found" in page and "Traceback" not in page
    assert "Back to the library" in page


def test_baseline_security_headers_on_every_response(client, work):
    for path in ["/", f"/works/{work}/chapters/1", "/nowhere", "/static/css/companion.css"]:
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_htmx_is_vendored_with_its_version(client):
    page = client.get("/").get_data(as_text=True)
    src = re.search(r'<script src="(/static/vendor/htmx-[\d.]+\.min\.js)\?v=\w+"', page).group(1)
    script = client.get(src)
    assert script.status_code == 200 and b"htmx" in script.data[:200]


def test_a_server_error_is_a_friendly_page(tmp_path, monkeypatch):
    from companion import create_app

    monkeypatch.setenv("COMPANION_INSTANCE", str(tmp_path))
    app = create_app({"SECRET_KEY": "test", "PROPAGATE_EXCEPTIONS": False})

    @app.get("/__boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/__boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something broke" in page
    assert "secret internals" not in page and "Traceback" not in page


def test_a_scene_break_is_drawn_as_one_and_counts_no_words(app, client, small_work):
    from companion.importers import ChapterData

    work_id = small_work("Two Rooms", "* * *")
    page = client.get(f"/works/{work_id}/chapters/1").get_data(as_text=True)
    assert '<div class="para scene-break"' in page
    assert '<p role="separator" aria-label="Scene break">* * *</p>' in page
    chapter = ChapterData(1, paragraphs=["One two three.", "* * *", "Four five."])
    assert chapter.word_count == 5
