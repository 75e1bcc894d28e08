"""Every payload of the shared XSS corpus, as a comment and as imported text: nothing
active survives, stored or rendered."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from companion.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, clean_html, markdown_html

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "xss" / "payloads.jsonl"
OWN = Path(__file__).resolve().parent / "data" / "xss_extra.jsonl"
SAFE_SCHEMES = {"", "http", "https", "mailto"}


def payloads() -> list[dict]:
    rows = [json.loads(line) for line in OWN.read_text().split("\n") if line.strip()]
    if CORPUS.exists():
        rows += [json.loads(line) for line in CORPUS.read_text().split("\n") if line.strip()]
    return rows


class Inspector(HTMLParser):
    """Collects every element and attribute the browser would build from the HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"element <{tag}>")
        allowed = ALLOWED_ATTRIBUTES.get(tag, [])
        for name, value in attrs:
            if name not in allowed:
                self.problems.append(f"attribute {name} on <{tag}>")
            elif name == "href":
                # The parser has already decoded entities, as the browser would.
                squeezed = "".join(ch for ch in (value or "") if ch > " ").lower()
                scheme = urlsplit(squeezed).scheme
                if scheme not in SAFE_SCHEMES:
                    self.problems.append(f"href scheme {scheme!r}")

    handle_startendtag = handle_starttag


def inert(html: str) -> list[str]:
    inspector = Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector.problems


CASES = payloads()


def test_the_corpus_is_there_and_large():
    assert len(CASES) >= 1000 or not CORPUS.exists()
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_payload_as_a_comment_is_inert(case):
    assert inert(markdown_html(case["payload"])) == []


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_payload_as_imported_html_is_inert(case):
    assert inert(clean_html(case["payload"])) == []


def test_inspector_catches_what_it_should():
    assert inert('<a href="jav&#x09;ascript:alert(1)">x</a>')
    assert inert('<p onclick="x()">x</p>')
    assert inert("<svg><script>alert(1)</script></svg>")
    assert inert('<a href="https://example.org">x</a>') == []


def test_payloads_posted_as_comments_render_inert_in_the_thread(app, work, make_user):
    from companion import comments
    from companion.circles import create_circle
    from companion.extensions import db
    from companion.models import User, Work
    from companion.reading import find_chapter
    from tests.conftest import Reader

    make_user("ada")
    with app.app_context():
        circle = create_circle(User.by_name("ada"), "XSS", db.session.get(Work, work))
        db.session.flush()
        viewer = comments.viewer_for(circle, circle.memberships[0])
        chapter = find_chapter(work, 1)
        for case in CASES[::9]:
            comments.post(viewer, chapter, 129, case["payload"] or "x")
        db.session.commit()
        slug = circle.slug
    page = Reader(app, "ada").login().get(f"/c/{slug}/chapters/1/thread").get_data(as_text=True)
    bodies = page.split('<div class="comment-body">')[1:]
    assert len(bodies) == len(CASES[::9])
    for body in bodies:
        assert inert(body.split("</div>", 1)[0]) == []
