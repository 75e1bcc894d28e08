"""The XSS corpus through every imported field: title, authors, tags, rating, summary,
notes, end notes and body, as archive text, archive HTML, Markdown, plain text and as the
parsed data a rich importer hands over. Every work is stored through `store_work` and its pages are
rendered; nothing active may come out, neither in what is stored nor on any page.

Payloads are batched: a work carries 50 of them, one chapter each (its title, summary,
notes, end notes and a paragraph), and all 50 in its lists (authors, tags…). A file the
importer refuses is split until each refusal is down to one payload, which must then be
an `ImportFailed` that stored nothing. Single-valued work fields (title, rating) get every
payload in a sweep of one small work per payload."""

from __future__ import annotations

import html
import importlib.util
import json
import re
import zlib
from collections import Counter
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import urlsplit

import lxml.html
import pytest
from sqlalchemy import func, select

from companion.circles import create_circle
from companion.extensions import db
from companion.importers import MODULES, ChapterData, ImportFailed, WorkData, parse_bytes
from companion.library import store_work
from companion.models import Chapter, Paragraph, User, Work
from tests.test_xss import SAFE_SCHEMES, inert, payloads

BATCH = 50
# Column limits (PostgreSQL enforces them): a payload is cut to fit, it stays hostile.
TITLE_MAX, RATING_MAX = 500, 100
# Elements our page templates emit a fixed number of (meta, link, our two scripts) or
# never; a hostile work's page must hold exactly as many as a harmless work's.
DANGEROUS = frozenset(
    {"unparseable markup", "script", "style", "iframe", "frame", "frameset", "object",
     "embed", "applet", "svg", "math", "base", "meta", "link", "img", "image", "video",
     "audio", "source", "track",
     "picture", "template", "noscript", "xmp", "plaintext", "noembed", "noframes", "portal",
     "marquee", "isindex", "use", "animate", "set", "foreignobject", "dialog", "slot"}
)  # fmt: skip
# Forms and buttons are not counted: ours vary with the page (a warning banner, a
# reader's "I'm here" buttons); theirs are checked by where they send.
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "poster", "background", "xlink:href", "data",
     "srcset", "ping", "cite", "longdesc", "lowsrc", "dynsrc", "codebase", "archive",
     "hx-get", "hx-post", "hx-put", "hx-patch", "hx-delete"}
)  # fmt: skip
C0 = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_importer(fmt: str) -> bool:
    return importlib.util.find_spec(f"companion.importers.{MODULES[fmt]}") is not None


CASES = payloads()
PAYLOADS = [case["payload"] for case in CASES if case["payload"].strip()]


# --- checking a rendered page --------------------------------------------------------


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str]]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag.lower(), [(n.lower(), v or "") for n, v in attrs]))

    handle_startendtag = handle_starttag


def elements(page: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every element of the page as two parsers see it: the tokenizer the sanitizer tests
    use, and libxml2's HTML parser, which repairs markup the way a browser would."""
    tokens = _Elements()
    try:
        tokens.feed(page)
        tokens.close()
    except AssertionError as error:  # the stdlib tokenizer gives up on "<![" and kin
        tokens.found.append(("unparseable markup", [("near", str(error))]))
    tree = lxml.html.document_fromstring(page)
    parsed = [
        (el.tag.lower(), [(n.lower(), v) for n, v in el.attrib.items()])
        for el in tree.iter()
        if isinstance(el.tag, str)
    ]
    return tokens.found + parsed


def scheme_of(url: str) -> str:
    # Entities are already decoded; a browser ignores controls and spaces inside a scheme.
    return urlsplit("".join(ch for ch in url if ch > " ").lower()).scheme


def page_problems(page: str, expected: Counter) -> list[str]:
    """What on this page could run: handlers, inline style, script URLs, an element our
    templates do not put there (compared with the same page of a harmless work)."""
    problems = []
    found = elements(page)
    for tag, attrs in found:
        for name, value in attrs:
            if name.startswith(("on", "hx-on", "data-hx-on")) or name in ("style", "srcdoc"):
                problems.append(f"attribute {name} on <{tag}>")
            elif name in URL_ATTRIBUTES and scheme_of(value) not in SAFE_SCHEMES:
                problems.append(f"{name}={value[:40]!r} on <{tag}>")
        if tag == "form" and not dict(attrs).get("action", "/").startswith("/"):
            problems.append(f"form action {dict(attrs).get('action')!r}")
        if tag == "script" and not dict(attrs).get("src", "").startswith("/static/"):
            problems.append("a script that is not one of ours")
    counted = Counter(tag for tag, _ in found if tag in DANGEROUS)
    if counted != expected:
        problems.append(f"elements {dict(counted - expected)} beyond our template's")
    return problems


def dangerous_counter(page: str) -> Counter:
    return Counter(tag for tag, _ in elements(page) if tag in DANGEROUS)


def test_the_page_checker_catches_what_it_should():
    harmless = "<html><head><script src='/static/a.js'></script></head><body><p>x</p></body>"
    expected = dangerous_counter(harmless)
    assert page_problems(harmless, expected) == []
    for hostile in [
        "<p onclick=x()>a</p>",
        "<a href='jav&#x09;ascript:alert(1)'>a</a>",
        "<svg><use href='#x'/></svg>",
        "<p style='color:red'>a</p>",
        "<form action='javascript:alert(1)'><button>x</button></form>",
        "<iframe srcdoc='&lt;script&gt;'></iframe>",
        "<script>alert(1)</script>",
        "<div hx-on:click='alert(1)'>a</div>",
        "<title></title><img src=x>",
    ]:
        page = harmless.replace("<p>x</p>", hostile)
        assert page_problems(page, expected), hostile


# --- works carrying payloads, one builder per route ------------------------------------


def one_line(payload: str) -> str:
    """A payload for a line-based field (a header line, a heading, a paragraph)."""
    return " ".join(payload.split()) or "x"


def plain(payload: str) -> str:
    """What an importer can hand over at all: decoding refuses control characters."""
    return C0.sub("", payload)


def ao3_text_file(batch: list[str]) -> tuple[bytes, str]:
    lines = [one_line(p) for p in batch]
    header = [
        f"Title: {lines[0][:TITLE_MAX]}",
        f"Author: {', '.join(lines)}",
        f"Rating: {lines[-1][:RATING_MAX]}",
        f"Archive Warning: {', '.join(lines)}",
        f"Additional Tags: {', '.join(lines)}",
    ]
    chapters = []
    for n, line in enumerate(lines, start=1):
        chapters += [
            f"Chapter {n}: {line[:TITLE_MAX]}",
            "Summary:", line,
            "Notes:", line,
            "Chapter Text",
            f"The harbour was quiet on the morning of day {n}.", line,
            "Notes:", line,
        ]  # fmt: skip
    return "\n".join(header + chapters).encode(), "ao3-text"


ARCHIVE_PAGE = """<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
<head><meta charset="utf-8" />
<title>{title} - Original Work [Archive of Our Own]</title></head>
<body>
<div id="preface">
  <h2 class="toc-heading">Preface</h2>
  <p class="message"><b>{title}</b><br/>
    Posted originally on the <a href="https://archiveofourown.org/">Archive of Our Own</a>
    at <a href="https://archiveofourown.org/works/{number}"
      >https://archiveofourown.org/works/{number}</a>.
  </p>
  <div class="meta">
    <dl class="tags">
      <dt>Rating:</dt><dd><a href="https://archiveofourown.org/tags/r">{rating}</a></dd>
      <dt>Archive Warnings:</dt><dd>{links}</dd>
      <dt>Categories:</dt><dd>{links}</dd>
      <dt>Fandom:</dt><dd>{links}</dd>
      <dt>Relationship:</dt><dd>{links}</dd>
      <dt>Characters:</dt><dd>{links}</dd>
      <dt>Additional Tags:</dt><dd>{links}</dd>
      <dt>Language:</dt><dd>{rating}</dd>
      <dt>Series:</dt>
      <dd>Part 1 of <a href="https://archiveofourown.org/series/1">{rating}</a></dd>
      <dt>Stats:</dt><dd>Published: 2024-02-11 Words: 900 Chapters: {count}/{count}</dd>
    </dl>
    <h1>{title}</h1>
    <div class="byline">by {authors}</div>
    <p>Summary</p>
    <blockquote class="userstuff">{first}</blockquote>
    <p>Notes</p>
    <blockquote class="userstuff">{first}</blockquote>
    <div class="endnote-link">
      See the end of the work for more <a href="#endnotes">notes</a>
    </div>
  </div>
</div>
<div id="chapters" class="userstuff">
{chapters}
</div>
<div id="afterword">
  <h2 class="toc-heading">Afterword</h2>
  <div class="meta"><div id="endnotes"><p>End Notes</p>
    <blockquote class="userstuff">{last}</blockquote></div></div>
  <p class="message">Please <a href="https://archiveofourown.org/works/{number}/comments/new">drop
    by the archive and comment</a> to let the creator know if you enjoyed their work!</p>
</div>
</body>
</html>
"""
ARCHIVE_CHAPTER = """
<div class="meta group">
  <h2 class="heading">Chapter {n}: {title}</h2>
  <p>Chapter Summary</p>
  <blockquote class="userstuff">{payload}</blockquote>
  <p>Chapter Notes</p>
  <blockquote class="userstuff">{payload}</blockquote>
  <div class="endnote-link">
    See the end of the chapter for <a href="#endnotes{n}">more notes</a>
  </div>
</div>
<!--chapter content-->
<div class="userstuff">
  <p>The canal froze early in the year of chapter {n}.</p>
  <p>{payload}</p>
</div>
<!--/chapter content-->
<div class="meta" id="endnotes{n}">
  <p>Chapter End Notes</p>
  <blockquote class="userstuff">{payload}</blockquote>
</div>
"""


def ao3_html_file(batch: list[str]) -> tuple[bytes, str]:
    """The archive's download markup with the payloads as the markup a hostile file holds:
    raw where the archive puts the author's HTML, escaped where it puts text."""
    texts = [html.escape(one_line(p)) for p in batch]
    links = ", ".join(f'<a href="https://archiveofourown.org/tags/t">{t}</a>' for t in texts)
    chapters = "".join(
        ARCHIVE_CHAPTER.format(n=n, title=html.escape(one_line(p)[:TITLE_MAX]), payload=p)
        for n, p in enumerate(batch, start=1)
    )
    page = ARCHIVE_PAGE.format(
        title=html.escape(one_line(batch[0])[:TITLE_MAX]),
        rating=html.escape(one_line(batch[-1])[:RATING_MAX]),
        number=zlib.crc32("".join(batch).encode()),
        links=links,
        authors=", ".join(f'<a rel="author" href="/users/u">{t}</a>' for t in texts),
        count=len(batch),
        first=batch[0],
        last=batch[-1],
        chapters=chapters,
    )
    return page.encode(), "ao3-html"


def markdown_file(batch: list[str]) -> tuple[bytes, str]:
    """Front matter (JSON strings are YAML strings), notes before the first chapter, and
    one chapter per payload, the payload as the chapter's title and Markdown paragraphs."""
    lines = [one_line(p) for p in batch]
    listed = "[" + ", ".join(json.dumps(line, ensure_ascii=False) for line in lines) + "]"
    front = [
        "---",
        f"title: {json.dumps(lines[0][:TITLE_MAX], ensure_ascii=False)}",
        f"authors: {listed}",
        f"tags: {listed}",
        f"rating: {json.dumps(lines[-1][:RATING_MAX], ensure_ascii=False)}",
        f"summary: {json.dumps(batch[0], ensure_ascii=False)}",
        "---",
        "",
        batch[-1].strip(),
        "",
    ]
    body = []
    for n, payload in enumerate(batch, start=1):
        body += [f"# Chapter {n}: {lines[n - 1][:TITLE_MAX]}", "", "The ferry ran late.", ""]
        body += [payload.strip(), "", "* * *", "", lines[n - 1], ""]
    return "\n".join(front + body).encode(), "markdown"


def plain_text_file(batch: list[str]) -> tuple[bytes, str]:
    """A plain-text novel: a title line, then "Chapter N" headings, the payload as prose
    (its own line breaks kept, as a hard-wrapped text has them) and as a title line."""
    lines = [one_line(p) for p in batch]
    parts = [f"Title: {lines[0][:TITLE_MAX]}", ""]
    for n, (payload, line) in enumerate(zip(batch, lines, strict=True), start=1):
        parts += [f"Chapter {n}", "", f"The wind turned on the evening of day {n}.", ""]
        parts += [payload.strip(), "", f"_{line}_", ""]
    return "\n".join(parts).encode(), "text"


def work_data(batch: list[str]) -> WorkData:
    """The parsed data a rich importer hands over, every field hostile, `*_html` too."""
    texts = [plain(p) for p in batch]
    lines = [one_line(t) for t in texts]
    return WorkData(
        title=lines[0][:TITLE_MAX],
        chapters=[
            ChapterData(
                number=n,
                title=line[:TITLE_MAX],
                summary=text,
                begin_notes=text,
                end_notes=text,
                summary_html=text,
                begin_notes_html=text,
                end_notes_html=text,
                paragraphs=["The tide came in twice that day.", line],
                paragraph_html=["The tide came in twice that day.", text],
            )
            for n, (text, line) in enumerate(zip(texts, lines, strict=True), start=1)
        ],
        source_format="ao3-html",
        source_name=f"{lines[0][:40]}.html",
        authors=lines,
        rating=lines[-1][:RATING_MAX],
        archive_warnings=lines,
        tags=lines,
        categories=lines,
        fandoms=lines,
        relationships=lines,
        characters=lines,
        language=lines[-1][:RATING_MAX],
        series=lines,
        stats={line[:40]: line for line in lines},
        source_url=lines[0][:TITLE_MAX],
        summary=texts[0],
        notes=texts[0],
        end_notes=texts[-1],
        summary_html=texts[0],
        notes_html=texts[0],
        end_notes_html=texts[-1],
    )


# A batch of payloads → (file bytes, format), or the WorkData itself.
Builder = Callable[[list[str]], object]
ROUTES: dict[str, Builder] = {
    "ao3-text": ao3_text_file,
    "ao3-html": ao3_html_file,
    "markdown": markdown_file,
    "text": plain_text_file,
    "work-data": work_data,
}


def parsed(build: Builder, batch: list[str], n: int) -> WorkData:
    made = build(batch)
    if isinstance(made, WorkData):
        return made
    raw, fmt = made
    return parse_bytes(raw, f"hostile-{n}.txt", fmt)


def store_batches(build: Builder, batch: list[str], uploader_id: int, refused: list) -> list[int]:
    """Store the batch as one work; when the importer refuses it, its halves, down to the
    single payloads it refuses (which must leave nothing behind)."""
    before = db.session.scalar(select(func.count(Work.id)))
    try:
        data = parsed(build, batch, before)
        return [store_work(data, uploader_id=uploader_id).work.id]
    except ImportFailed as error:
        assert db.session.scalar(select(func.count(Work.id))) == before
        if len(batch) == 1:
            refused.append((batch[0], str(error)))
            return []
    middle = len(batch) // 2
    return store_batches(build, batch[:middle], uploader_id, refused) + store_batches(
        build, batch[middle:], uploader_id, refused
    )


def stored_html_problems(work_id: int) -> list[str]:
    """Every sanitized field as stored, against the sanitizer's own allowlist."""
    work = db.session.get(Work, work_id)
    fields = [work.summary_html, work.notes_html, work.end_notes_html]
    for chapter in db.session.scalars(select(Chapter).where(Chapter.work_id == work_id)):
        fields += [chapter.summary_html, chapter.begin_notes_html, chapter.end_notes_html]
    fields += db.session.scalars(
        select(Paragraph.html).join(Chapter).where(Chapter.work_id == work_id)
    ).all()
    return [problem for field in fields for problem in inert(field)]


def pages_of(client, work: tuple[int, int], slug: str | None = None) -> dict[str, str]:
    """The pages of work (id, chapter count) as rendered; with a circle slug, its chapters
    inside the circle and the uploader's edit page. Called outside any app context, so
    each request signs its client in afresh."""
    work_id, chapter_count = work
    pages = {"work": client.get(f"/works/{work_id}")}
    for n in range(1, chapter_count + 1):
        url = f"/c/{slug}/chapters/{n}" if slug else f"/works/{work_id}/chapters/{n}"
        pages[f"chapter {n}"] = client.get(url)
    if slug:
        pages["edit"] = client.get(f"/works/{work_id}/edit")
    for name, response in pages.items():
        assert response.status_code == 200, (name, response.status_code)
    return {name: response.get_data(as_text=True) for name, response in pages.items()}


def kind_of(page_name: str) -> str:
    return page_name if page_name in ("work", "edit") else "chapter"


def expected_counters(client, work: tuple[int, int], slug: str | None = None) -> dict:
    """The elements a harmless work's pages hold, per kind of page."""
    return {
        kind_of(name): dangerous_counter(page)
        for name, page in pages_of(client, work, slug).items()
    }


def store_route(app, build: Builder, uploader_id: int, circles: bool):
    """The control work and the hostile ones as (id, chapter count), with their circle
    slugs when asked for, and the refused payloads."""
    refused: list = []
    with app.app_context():
        ada = db.session.get(User, uploader_id)
        control = store_batches(build, [f"quiet words {i}" for i in range(BATCH)], uploader_id, [])
        assert len(control) == 1
        ids = []
        for start in range(0, len(PAYLOADS), BATCH):
            ids += store_batches(build, PAYLOADS[start : start + BATCH], uploader_id, refused)
        works = [(i, db.session.get(Work, i).chapter_count) for i in [*control, *ids]]
        slugs = {}
        if circles:
            for work_id, _ in works:
                circle = create_circle(ada, f"Circle {work_id}", db.session.get(Work, work_id))
                db.session.flush()
                slugs[work_id] = circle.slug
            db.session.commit()
        stored = [f"work {i} stored: {p}" for i in ids for p in stored_html_problems(i)]
    return works[0], works[1:], slugs, refused, stored


@pytest.mark.parametrize("route", ROUTES)
def test_payloads_in_every_field_are_stored_and_rendered_inert(app, reader, route):
    if route in ("ao3-html", "markdown", "text") and not has_importer(route):
        pytest.skip(f"no {route} importer yet")
    ada = reader("ada")
    anonymous = app.test_client()
    # The library's own elements do not depend on how many works it lists.
    library_expected = dangerous_counter(anonymous.get("/").get_data(as_text=True))
    with app.app_context():
        ada_id = User.by_name("ada").id
    signed_in = route == "work-data"  # the circle and edit pages: once, for the richest route
    control, works, slugs, refused, problems = store_route(app, ROUTES[route], ada_id, signed_in)
    # Most files import (with the active parts removed); the test must test something.
    assert len(refused) < len(PAYLOADS) / 2, refused[:5]
    assert len(works) >= len(PAYLOADS) // BATCH

    expected = expected_counters(anonymous, control)
    if signed_in:
        inside = expected_counters(ada.client, control, slugs[control[0]])
    for work in works:
        for name, page in pages_of(anonymous, work).items():
            problems += [
                f"{name} of {work[0]}: {p}" for p in page_problems(page, expected[kind_of(name)])
            ]
        if signed_in:
            for name, page in pages_of(ada.client, work, slugs[work[0]]).items():
                problems += [
                    f"{name} in circle, {work[0]}: {p}"
                    for p in page_problems(page, inside[kind_of(name)])
                ]
    library = anonymous.get("/").get_data(as_text=True)
    problems += [f"library: {p}" for p in page_problems(library, library_expected)]
    assert problems == []


def test_every_payload_as_title_and_rating_renders_inert(app, client):
    """One small work per payload, so each one is a title, a rating, an author, a chapter
    title: the single-valued fields every page prints."""
    with app.app_context():
        control = (store_work(sweep_work("quiet words", 0)).work.id, 1)
    expected = {
        kind_of(name): dangerous_counter(page) for name, page in pages_of(client, control).items()
    }
    library_expected = dangerous_counter(client.get("/").get_data(as_text=True))
    lines = sorted({one_line(plain(payload)) for payload in PAYLOADS})
    with app.app_context():
        works = [(store_work(sweep_work(line, i)).work.id, 1) for i, line in enumerate(lines, 1)]
        assert db.session.scalar(select(func.count(Work.id))) == len(lines) + 1
    problems = []
    for work in works:
        for name, page in pages_of(client, work).items():
            problems += [
                f"{name} of {work[0]}: {p}" for p in page_problems(page, expected[kind_of(name)])
            ]
    library = client.get("/").get_data(as_text=True)
    problems += [f"library: {p}" for p in page_problems(library, library_expected)]
    assert problems == []


def sweep_work(line: str, i: int) -> WorkData:
    return WorkData(
        title=line[:TITLE_MAX],
        chapters=[ChapterData(1, title=line[:TITLE_MAX], paragraphs=[f"Quiet paragraph {i}."])],
        source_format="ao3-text",
        source_name=f"sweep-{i}.txt",
        authors=[line],
        rating=line[:RATING_MAX],
        tags=[line],
        # Its own archive address: works sharing a title and author would be versions.
        source_url=f"https://archiveofourown.org/works/{i}",
    )
