"""Static files: linked under a content fingerprint and then kept by browsers; anything
else is revalidated."""

from __future__ import annotations

import re

from companion.assets import fingerprint


def test_pages_link_fingerprinted_assets_that_browsers_keep(client):
    page = client.get("/").get_data(as_text=True)
    links = re.findall(r'(?:href|src)="(/static/[^"?]+)\?v=([0-9a-f]{10})"', page)
    assert {path for path, _ in links} >= {"/static/css/companion.css", "/static/js/companion.js"}
    for path, _ in links:
        response = client.get(f"{path}?v={_}")
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_unfingerprinted_or_stale_links_are_revalidated(client):
    for url in ["/static/css/companion.css", "/static/css/companion.css?v=0000000000"]:
        response = client.get(url)
        assert response.status_code == 200
        assert "immutable" not in response.headers["Cache-Control"]
        assert "no-cache" in response.headers["Cache-Control"]


def test_the_fingerprint_follows_the_content(app, tmp_path):
    with app.app_context():
        folder = app.static_folder
        app.static_folder = str(tmp_path)
        try:
            (tmp_path / "x.css").write_text("body { color: red }")
            before = fingerprint("x.css")
            assert fingerprint("x.css") == before
            (tmp_path / "x.css").write_text("body { color: blue; }")
            assert fingerprint("x.css") != before
        finally:
            app.static_folder = folder
