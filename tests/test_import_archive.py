"""The archive's HTML and EPUB downloads: every field, the same work in both formats, the
older heading style, single-chapter works, downloads cut short, and bad files refused."""

from __future__ import annotations

import importlib.util
import io
import zipfile
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from companion.importers import ImportFailed, ao3_html, epub, parse_bytes
from companion.importers._html import SCENE_BREAK

WORKS = Path(__file__).resolve().parent / "fixtures" / "works"
_spec = importlib.util.spec_from_file_location("build_epub", WORKS / "build_epub.py")
build_epub = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_epub)


def raw(name: str) -> bytes:
    return (WORKS / name).read_bytes()


@pytest.fixture(scope="module")
def ledger():
    return parse_bytes(raw("lamplighters_ledger.html"), "lamplighters_ledger.html")


@pytest.fixture(scope="module")
def ledger_epub():
    return parse_bytes(raw("lamplighters_ledger.epub"), "lamplighters_ledger.epub")


def failure(data: bytes, fmt: str = "auto", name: str = "work.bin") -> str:
    with pytest.raises(ImportFailed) as caught:
        parse_bytes(data, name, fmt)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{name}: ")
    return message


def zip_of(members: dict[str, bytes], kind: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", kind) as book:
        for name, data in members.items():
            book.writestr(name, data)
    return out.getvalue()


def epub_members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return {name: book.read(name) for name in book.namelist()}


# --- the HTML download, field by field -------------------------------------------------


def test_the_preface_fills_every_work_field(ledger):
    assert ledger.source_format == "ao3-html"
    assert ledger.title == "The Lamplighter's Ledger"
    assert ledger.authors == ["moth_and_wick", "inkhorn"]
    assert ledger.rating == "Teen And Up Audiences"
    assert ledger.archive_warnings == ["Graphic Depictions Of Violence", "Major Character Death"]
    assert ledger.categories == ["F/F", "Gen"]
    assert ledger.fandoms == ["Original Work"]
    assert ledger.relationships == ["Wren Alder/Tamsin Vey"]
    assert ledger.characters == ["Wren Alder", "Tamsin Vey", "Old Hollis"]
    assert ledger.tags == ["Slow Burn", "Found Family", "Canals", "Drowning"]
    assert ledger.language == "English"
    assert ledger.series == ["Part 1 of The Canal Lights"]
    assert ledger.stats == {
        "Published": "2024-02-11",
        "Completed": "2024-04-02",
        "Words": "678",
        "Chapters": "5/5",
    }
    assert ledger.source_url == "https://archiveofourown.org/works/48151623"


def test_work_summary_notes_and_end_notes_keep_text_and_markup(ledger):
    assert ledger.summary.splitlines() == [
        "Every lamp on the Sable Canal is written down in a ledger, and every ledger has a "
        "keeper. Wren has kept this one for six winters. The ledger has never before had a "
        "page torn out.",
        "Now it has two.",
    ]
    assert ledger.summary_html.startswith("<p>Every lamp") and ledger.summary_html.count("<p>") == 2
    assert ledger.notes.splitlines() == [
        "This started as a writing prompt about lists that lie and got out of hand.",
        "Moodboard and map are on my site.",
    ]
    assert "<em>lists that lie</em>" in ledger.notes_html
    assert '<a href="https://example.org/moth-and-wick/ledger-map" rel="nofollow">site</a>' in (
        ledger.notes_html
    )
    # The pointer to the end notes is the archive's, not the author's.
    assert "See the end" not in ledger.notes + ledger.notes_html
    assert ledger.end_notes == (
        "Thank you for reading The Lamplighter's Ledger.\n"
        "Comments are read and treasured, usually out loud to the cat."
    )
    assert "<em>The Lamplighter's Ledger</em>" in ledger.end_notes_html
    assert "drop by the archive" not in ledger.end_notes


# (title, summary, begin notes, end notes, paragraphs, first paragraph starts)
CHAPTERS = [
    ("The Ledger", "Wren finds the first missing page.",
     "Thank you to inkhorn for reading this twice.", "The Weir Lamp is based on a real one", 6,
     "The lamps along the Sable Canal"),
    ("", "", "", "Short one, sorry.", 7, "Tamsin Vey arrived on the nine o'clock barge"),
    ("Interlude: The Flood Year", "Hollis remembers the year the water came over the weir.",
     "", "", 4, "In the flood year the canal rose"),
    ("What the Water Kept", "", "Warning for a drowning in this chapter", "", 10,
     "The second missing page was found"),
    ("Lamps Out", "The count comes right.", "Last one! Thank you all for reading.",
     "If you liked this, the next part of the series", 7, "On the last night of the year"),
]  # fmt: skip


@pytest.mark.parametrize("number", range(1, 6))
def test_each_chapter_has_its_heading_notes_and_text(ledger, number):
    title, summary, begin, end, count, first = CHAPTERS[number - 1]
    chapter = ledger.chapters[number - 1]
    assert chapter.number == number
    assert chapter.title == title
    assert chapter.summary.startswith(summary) and bool(chapter.summary) == bool(summary)
    assert chapter.begin_notes.startswith(begin) and bool(chapter.begin_notes) == bool(begin)
    assert chapter.end_notes.startswith(end) and bool(chapter.end_notes) == bool(end)
    assert len(chapter.paragraphs) == len(chapter.paragraph_html) == count
    assert chapter.paragraphs[0].startswith(first)
    for field in ("summary", "begin_notes", "end_notes"):
        assert bool(getattr(chapter, field)) == bool(getattr(chapter, f"{field}_html"))
    for part in (chapter.summary, chapter.begin_notes, chapter.end_notes, *chapter.paragraphs):
        for label in ("Chapter Summary", "Chapter Notes", "Chapter End Notes", "See the end"):
            assert label not in part
        assert not part.startswith("Chapter ")


def test_scene_breaks_of_every_kind_become_one_marker(ledger):
    # <hr/> in chapter 1, "* * *" in 2, "~~~" in 3, "***" in 5.
    for number, index in [(1, 3), (2, 4), (3, 2), (5, 4)]:
        chapter = ledger.chapters[number - 1]
        assert chapter.paragraphs[index] == chapter.paragraph_html[index] == SCENE_BREAK
    assert sum(p == SCENE_BREAK for c in ledger.chapters for p in c.paragraphs) == 4
    # The &nbsp; paragraph of chapter 2 is dropped, not kept as an empty one.
    assert all(p.strip() for c in ledger.chapters for p in c.paragraphs)


def test_paragraph_html_keeps_inline_markup_and_text_stays_plain(ledger):
    first = ledger.chapters[0]
    assert "<em>like gossips</em>" in first.paragraph_html[1]
    assert "like gossips" in first.paragraphs[1] and "<" not in first.paragraphs[1]
    assert first.paragraph_html[5].count("<i>") == 1
    assert "<strong>NO MOORING</strong>" in ledger.chapters[2].paragraph_html[0]
    assert ledger.chapters[0].begin_notes_html == (
        "<p>Thank you to <strong>inkhorn</strong> for reading this twice.</p>"
    )
    link = '<a href="https://archiveofourown.org/series/3301577">the series</a>'
    assert link in ledger.chapters[4].end_notes_html


def test_blocks_inside_a_chapter_each_become_a_paragraph(ledger):
    chapter = ledger.chapters[3]
    # The author's own heading, blockquote paragraphs, list items and a bare <div>.
    assert chapter.paragraphs[1] == "The Second Ledger"
    assert chapter.paragraphs[3] == "Weir — one, taken by the water, not recorded."
    assert chapter.paragraphs[6:8] == ["The keeper of the flood year.", "The baker's boy."]
    assert chapter.paragraphs[-1].startswith("He had watched, and he had counted")
    assert all("<h3" not in html and "<li" not in html for html in chapter.paragraph_html)


def test_sniff_knows_an_archive_download_from_any_html():
    assert ao3_html.sniff(raw("lamplighters_ledger.html"))
    assert ao3_html.sniff(raw("tide_tables_older.html"))
    assert not ao3_html.sniff(b"<html><body><div id='main'><p>My blog</p></div></body></html>")
    assert not ao3_html.sniff(raw("lamplighters_ledger.epub"))
    assert epub.sniff(raw("lamplighters_ledger.epub"))
    assert not epub.sniff(raw("lamplighters_ledger.html"))


def test_auto_detection_picks_each_format():
    assert parse_bytes(raw("lamplighters_ledger.html"), "x").source_format == "ao3-html"
    assert parse_bytes(raw("lamplighters_ledger.epub"), "x").source_format == "epub"


# --- the EPUB download ------------------------------------------------------------------


def test_the_epub_and_the_html_of_one_work_give_identical_chapters(ledger, ledger_epub):
    assert ledger_epub.source_format == "epub"
    assert len(ledger_epub.chapters) == 5
    for from_html, from_epub in zip(ledger.chapters, ledger_epub.chapters, strict=True):
        assert asdict(from_epub) == asdict(from_html)
        assert from_epub == from_html
    # And the same work-level metadata, every field but where the file came from.
    assert replace(ledger_epub, source_format="", source_name="") == replace(
        ledger, source_format="", source_name=""
    )


def test_the_epub_is_shaped_the_way_calibre_makes_it():
    members = epub_members(raw("lamplighters_ledger.epub"))
    assert members["mimetype"] == b"application/epub+zip"
    assert b'full-path="content.opf"' in members["META-INF/container.xml"]
    assert "toc.ncx" in members
    pages = sorted(name for name in members if name.endswith(".xhtml"))
    assert len(pages) == 8  # preface, chapters 1-4, chapter 5 in two files, afterword
    assert all("_split_" in name for name in pages)
    # The continuation of chapter 5 starts with its text, no heading; the zip holds the
    # files last first, so only the spine gives the reading order.
    continued = members[pages[6]].decode()
    assert "<h2" not in continued and "At midnight Hollis lit the Weir Lamp" in continued
    with zipfile.ZipFile(io.BytesIO(raw("lamplighters_ledger.epub"))) as book:
        stored = [n for n in book.namelist() if n.endswith(".xhtml")]
    assert stored == list(reversed(pages))


def test_a_chapter_continued_in_a_second_file_is_one_chapter(ledger_epub):
    last = ledger_epub.chapters[-1]
    assert last.title == "Lamps Out"
    assert last.paragraphs[0].startswith("On the last night")  # first file
    assert last.paragraphs[3].startswith("At midnight Hollis")  # second file
    assert last.end_notes.startswith("If you liked this")  # also in the second file


def test_the_package_fills_what_the_preface_leaves_out():
    source = raw("one_evening.html").decode()
    bare = source.replace("<h1>One Evening at the Lock</h1>", "").replace(
        "<b>One Evening at the Lock</b>", ""
    )
    book = build_epub.build(bare.encode(), title="From The Package", authors=("packaged",))
    work = parse_bytes(book, "x.epub")
    assert work.title == "From The Package"
    assert work.authors == ["moth_and_wick"]  # the preface's byline wins


@pytest.mark.parametrize("name", ["tide_tables_older.html", "one_evening.html"])
def test_other_works_give_identical_chapters_as_epub(name):
    from_html = parse_bytes(raw(name), name)
    from_epub = parse_bytes(build_epub.build(raw(name), split_inside={1: 1}), name)
    assert from_epub.chapters == from_html.chapters
    assert from_epub.tags == from_html.tags and from_epub.title == from_html.title


def test_a_thousand_paragraph_epub_keeps_every_paragraph():
    # How fast is measured in bench/import_speed.py, never here.
    source = raw("lamplighters_ledger.html").decode()
    body = "".join(
        f"<p>Paragraph {i}: the lamps were counted again, and <em>again</em>, and the count "
        f"came to {i} on the towpath by the weir.</p>\n"
        for i in range(200)
    )
    for number in range(1, 6):
        start = source.index("<!--chapter content-->", source.index(f"Chapter {number}"))
        end = source.index("<!--/chapter content-->", start)
        source = source[:start] + f'<div class="userstuff">{body}</div>' + source[end:]
    book = build_epub.build(source.encode(), split_inside={2: 100, 4: 150})
    work = parse_bytes(book, "big.epub")
    assert sum(len(c.paragraphs) for c in work.chapters) == 1000


def test_calibres_own_anchors_and_classes_change_nothing(ledger):
    members = epub_members(raw("lamplighters_ledger.epub"))
    name = "The_Lamplighters_Ledger_split_002.xhtml"
    page = members[name].decode()
    # calibre marks link targets and TOC entries with empty anchors of its own.
    page = page.replace(
        "<p class=", '<p class="x"><a id="calibre_link-7"></a><span/></p><p class=', 1
    )
    page = page.replace("Tamsin Vey arrived", '<a id="calibre_toc_2"></a>Tamsin Vey arrived', 1)
    members[name] = page.encode()
    work = parse_bytes(zip_of(members), "x.epub")
    assert work.chapters == ledger.chapters


# --- older downloads, single chapters, bodies with headings -----------------------------


def test_title_only_headings_of_older_downloads():
    work = parse_bytes(raw("tide_tables_older.html"), "tide.html")
    # "Chapter 2" is the archive's name for an untitled chapter; "Interlude: …" a title.
    assert [c.title for c in work.chapters] == ["The Crossing", "", "Interlude: Low Tide"]
    assert [c.number for c in work.chapters] == [1, 2, 3]
    assert work.archive_warnings == ["No Archive Warnings Apply"]  # singular labels
    assert work.categories == ["Gen"]
    assert work.characters == ["Ines Marrow", "The Harbourmaster"]
    assert work.stats["Chapters"] == "3/3" and work.stats["Words"] == "99"
    assert work.source_url == "http://archiveofourown.org/works/1207744"
    assert work.chapters[0].begin_notes == "Written for a friend who sails."
    assert work.chapters[0].end_notes == "More soon."
    # A chapter's own byline is not its summary.
    assert work.chapters[1].summary == "A letter from the harbourmaster."
    assert "Chapter by" not in work.chapters[1].summary + work.chapters[1].begin_notes
    assert work.end_notes == "" and work.end_notes_html is None


def test_a_single_chapter_work_has_no_chapter_headings():
    work = parse_bytes(raw("one_evening.html"), "one.html")
    assert len(work.chapters) == 1
    chapter = work.chapters[0]
    assert (chapter.number, chapter.title) == (1, "")
    assert work.summary == "A lock-keeper, a late barge, a kettle."
    # The author's headings and a sentence about a chapter stay in the text.
    assert chapter.paragraphs[0] == "Part One" and chapter.paragraphs[3] == "Part Two"
    assert chapter.paragraphs[2].startswith("Chapter 2 of the rulebook")
    assert len(chapter.paragraphs) == 6


def test_a_heading_like_a_chapter_inside_a_body_does_not_split_it():
    source = raw("lamplighters_ledger.html").decode()
    source = source.replace(
        "<h3>The Second Ledger</h3>", '<h2 class="heading">Chapter 5: Not Really</h2>'
    )
    work = parse_bytes(source.encode(), "x.html")
    assert len(work.chapters) == 5
    assert work.chapters[3].paragraphs[1] == "Chapter 5: Not Really"
    assert work.chapters[4].title == "Lamps Out"


# --- cut short and bad input ------------------------------------------------------------


def test_a_download_cut_short_is_refused():
    message = failure(raw("lamplighters_ledger_cut_short.html"), name="cut.html")
    assert "cut short" in message and "before the afterword" in message
    assert "3 of the 5 chapters" in message


def test_a_download_missing_a_chapter_is_refused():
    source = raw("lamplighters_ledger.html").decode()
    start = source.index('<div class="meta group">', source.index("Chapter 3: Interlude") - 200)
    end = source.index('<div class="meta group">', start + 10)
    message = failure((source[:start] + source[end:]).encode(), name="gap.html")
    assert "cut short" in message and "4 of the 5 chapters its stats list" in message


def test_an_epub_cut_short_before_its_afterword_is_refused():
    members = epub_members(raw("lamplighters_ledger.epub"))
    opf = members["content.opf"].decode()
    members["content.opf"] = opf.replace('<itemref idref="id7"/>', "").encode()
    message = failure(zip_of(members), name="cut.epub")
    assert "cut short" in message and "before the afterword" in message


def test_a_download_cut_anywhere_before_its_end_is_refused():
    html_data = raw("lamplighters_ledger.html")
    end = html_data.rindex(b'<p class="message">')
    for cut in range(0, end, end // 60):
        with pytest.raises(ImportFailed):
            parse_bytes(html_data[:cut] or b" x", "cut.html", "ao3-html")
    epub_data = raw("lamplighters_ledger.epub")
    for cut in range(0, len(epub_data) - 1, len(epub_data) // 40):
        with pytest.raises(ImportFailed):
            parse_bytes(epub_data[:cut] or b" x", "cut.epub", "epub")


def _renamed_zip() -> bytes:
    return zip_of({"notes.txt": b"not a book", "photo.jpg": b"\xff\xd8\xff"})


def _bomb() -> bytes:
    return zip_of({"mimetype": b"application/epub+zip", "chapter.xhtml": bytes(40 * 1024 * 1024)})


def _ratio_bomb() -> bytes:
    return zip_of({"mimetype": b"application/epub+zip", "chapter.xhtml": bytes(8 * 1024 * 1024)})


def _with_member(name: str) -> bytes:
    members = epub_members(raw("lamplighters_ledger.epub"))
    members[name] = b"<html/>"
    return zip_of(members)


def _crc_error() -> bytes:
    data = bytearray(raw("lamplighters_ledger.epub"))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as book:
        info = book.getinfo("The_Lamplighters_Ledger_split_003.xhtml")
    # The local header is 30 bytes, then the name and extra field, then the data.
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    return bytes(data)


def _spine_outside() -> bytes:
    members = epub_members(raw("lamplighters_ledger.epub"))
    opf = members["content.opf"].decode()
    members["content.opf"] = opf.replace(
        'href="The_Lamplighters_Ledger_split_001.xhtml"', 'href="../../etc/passwd.xhtml"'
    ).encode()
    return zip_of(members)


def _no_container() -> bytes:
    return zip_of({"mimetype": b"application/epub+zip", "OEBPS/ch1.xhtml": b"<html/>"})


def _no_package() -> bytes:
    members = epub_members(raw("lamplighters_ledger.epub"))
    del members["content.opf"]
    return zip_of(members)


def _not_archive_epub() -> bytes:
    members = epub_members(raw("lamplighters_ledger.epub"))
    # A book of the same shape whose first page is no archive preface.
    members["The_Lamplighters_Ledger_split_000.xhtml"] = (
        b'<html xmlns="http://www.w3.org/1999/xhtml"><body><h1>A Novel</h1></body></html>'
    )
    return zip_of(members)


BAD = {
    # case: (bytes, forced format, what the message must say)
    "truncated-html": (
        lambda: raw("lamplighters_ledger.html")[: len(raw("lamplighters_ledger.html")) * 2 // 5],
        "ao3-html", "cut short",
    ),
    "html-not-a-work": (
        lambda: b"<!DOCTYPE html><html><head><title>My blog</title></head><body><h1>Hi</h1>"
        b"<p>Posts about boats.</p></body></html>",
        "ao3-html", "not an archive work download",
    ),
    "renamed-zip": (_renamed_zip, "auto", "not an EPUB"),
    "zip-without-container": (_no_container, "epub", "no META-INF/container.xml"),
    "zip-without-package": (_no_package, "epub", "package file (content.opf) is missing"),
    "epub-not-from-the-archive": (_not_archive_epub, "epub", "not an archive EPUB download"),
    "zip-bomb": (_bomb, "auto", "zip bomb"),
    "ratio-bomb": (_ratio_bomb, "epub", "(limit 200:1): refused as a zip bomb"),
    "climbing-path": (lambda: _with_member("../../evil.xhtml"), "epub", "climbs out"),
    "absolute-path": (lambda: _with_member("/etc/evil.xhtml"), "epub", "absolute path"),
    "spine-outside": (_spine_outside, "epub", "points outside the book"),
    "truncated-epub": (
        lambda: raw("lamplighters_ledger.epub")[: len(raw("lamplighters_ledger.epub")) // 2],
        "epub", "damaged or cut short",
    ),
    "crc-error": (_crc_error, "epub", "damaged or cut short"),
    "epub-forced-on-html": (lambda: raw("lamplighters_ledger.html"), "epub", "not an EPUB"),
    "html-forced-on-epub": (lambda: raw("lamplighters_ledger.epub"), "ao3-html", "zip file"),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_refused_with_one_clear_line(case):
    make, fmt, says = BAD[case]
    message = failure(make(), fmt, name=f"{case}.file")
    assert says in message, message


def test_xml_entities_in_an_epub_are_never_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-LINE")
    members = epub_members(raw("lamplighters_ledger.epub"))
    name = "The_Lamplighters_Ledger_split_002.xhtml"
    page = members[name].decode()
    page = page.replace(
        "<html ",
        f'<!DOCTYPE html [<!ENTITY leak SYSTEM "file://{secret}">]>\n<html ',
        1,
    ).replace("Tamsin Vey arrived", "&leak;Tamsin Vey arrived", 1)
    members[name] = page.encode()
    work = parse_bytes(zip_of(members), "x.epub")
    text = " ".join(p for c in work.chapters for p in c.paragraphs)
    assert "TOP-SECRET-LINE" not in text
    assert "Tamsin Vey arrived" in text


# --- stored in the app -----------------------------------------------------------------


def test_a_stored_archive_work_reads_as_chapter_pages(app, client):
    from companion.library import store_work

    with app.app_context():
        result = store_work(parse_bytes(raw("lamplighters_ledger.html"), "ledger.html"))
        work_id = result.work.id
    response = client.get(f"/works/{work_id}/chapters/1")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "The lamps along the Sable Canal were lit at dusk by hand" in page
    assert "<em>like gossips</em>" in page
    chapter3 = client.get(f"/works/{work_id}/chapters/3").get_data(as_text=True)
    assert "Interlude: The Flood Year" in chapter3


HOSTILE_MARKERS = (
    "hostileSummary", "hostile-style", "hostileNotesLink", "hostileTabbed", "hostileNotesImage",
    "hostileNotesClick", "hostileSrcdoc", "hostileHover", "hostileBody", "hostileBodyLink",
    "hostileSvg", "hostile-body-style", "hostileStyleUrl", "hostileObject", "hostileForm",
    "onerror", "onmouseover", "onclick", "onload", "srcdoc", "javascript:",
)  # fmt: skip


def test_hostile_markup_comes_out_with_its_active_parts_removed(app, client):
    from companion.library import store_work

    data = parse_bytes(raw("hostile_ledger.html"), "hostile.html")
    # Script and style are no text: never in the plain-text fields.
    plain = [data.summary, data.notes, *(p for c in data.chapters for p in c.paragraphs)]
    assert not any("hostile" in part for part in plain)
    with app.app_context():
        work_id = store_work(data).work.id
    pages = [
        client.get(f"/works/{work_id}/chapters/1").get_data(as_text=True),
        client.get(f"/works/{work_id}/chapters/2").get_data(as_text=True),
        client.get(f"/works/{work_id}").get_data(as_text=True),
    ]
    for page in pages:
        for marker in HOSTILE_MARKERS:
            assert marker not in page, marker
        assert "<iframe" not in page and "<svg" not in page and "<object" not in page
    assert "Wren turned the page." in pages[0]
    assert "under</em> it in another hand" in pages[0]
    assert "A link that goes nowhere" in pages[0]
    assert "Nobody signed it." in pages[1]


def test_hostile_notes_markup_is_neutralised_by_the_one_sanitizer():
    from companion.sanitize import clean_html

    data = parse_bytes(raw("hostile_ledger.html"), "hostile.html")
    fields = [data.summary_html, data.notes_html, data.chapters[0].begin_notes_html]
    fields += [html for chapter in data.chapters for html in chapter.paragraph_html]
    # What the importer hands over still carries the attack (sanitizing is the store's
    # job, in one place); what the sanitizer makes of it carries none.
    assert "onerror" in data.notes_html and "javascript:" in data.notes_html
    assert "<iframe" in data.chapters[0].begin_notes_html
    cleaned = " ".join(clean_html(field) for field in fields)
    for marker in HOSTILE_MARKERS:
        assert marker not in cleaned, marker
    assert "the map</a>" in cleaned and "Read carefully." in cleaned
