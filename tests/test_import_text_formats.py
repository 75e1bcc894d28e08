"""Plain text, Markdown, text encodings and format detection, on texts written for these
tests (our own sentences, in the shapes real files take)."""

from __future__ import annotations

import io
import textwrap
import zipfile

import pytest

from companion.importers import MAX_BYTES, ImportFailed, detect_format, parse_bytes
from companion.importers.text_encoding import decode_text
from tests.conftest import SEED

FLOOD = (
    "The mill stood where the river bent twice, and nobody in the valley could remember a "
    "year when its wheel had been still for longer than a week. That spring it stopped for "
    "nine days, because the water rose over the sluice and sat in the yard like a guest."
)
FERRY = (
    "Maren took the ferry across at first light, with a basket of eggs she did not mean to "
    "sell and a letter she did not mean to deliver. The ferryman asked her nothing, which "
    "was the kindest thing anyone had done for her since the flood."
)
RETURN = (
    "She came back in the autumn, when the wheel was turning again and the yard smelled of "
    "wet flour. Her father was sitting on the step as if he had never moved from it, and "
    "he said only that the kettle was on, which meant that everything was forgiven."
)
PREFACE = (
    "This story was first told to me by a woman who said she had known the miller, though "
    "she would not say how. I have changed the names and kept the river as it was."
)


def wrapped(text: str, width: int = 70) -> str:
    return textwrap.fill(text, width=width)


def novel_with_parts() -> str:
    return "\n".join([
        "THE MILLER'S DAUGHTER", "", "by Ann Example", "", "", "",
        "CONTENTS", "",
        "PART ONE",
        "CHAPTER ONE. The Flood",
        "CHAPTER TWO. The Ferry",
        "PART TWO",
        "CHAPTER ONE. The Return", "", "",
        "PREFACE", "", wrapped(PREFACE), "", "",
        "PART ONE", "", "",
        "CHAPTER ONE", "", "THE FLOOD", "", wrapped(FLOOD), "", wrapped(FERRY[:80] + "."), "",
        "CHAPTER TWO", "", "The Ferry", "", wrapped(FERRY), "",
        "    Row me over, row me home,", "    the river keeps no tally.", "",
        "_It was not far._ She said so twice.", "",
        "PART TWO", "", "CHAPTER ONE", "", "The Return", "", wrapped(RETURN), "", "THE END", "",
    ])  # fmt: skip


def text_work(text: str, name: str = "novel.txt"):
    work = parse_bytes(text.encode(), name)
    assert work.source_format == "text"
    return work


# --- plain text -------------------------------------------------------------------------


def test_a_novel_in_parts_has_its_chapters_titles_and_front_matter_apart():
    work = text_work(novel_with_parts())
    assert [c.title for c in work.chapters] == ["The Flood", "The Ferry", "The Return"]
    assert [c.number for c in work.chapters] == [1, 2, 3]
    assert work.title == "The Miller's Daughter"
    assert work.authors == ["Ann Example"]
    assert work.notes == PREFACE
    first, second, third = work.chapters
    assert first.paragraphs[0] == FLOOD  # the wrapped lines joined back into one paragraph
    assert third.paragraphs == [RETURN]  # no part line, no "THE END"
    assert second.paragraphs[0] == FERRY
    # Verse keeps its lines; `_italics_` is emphasis in the HTML and plain in the text.
    assert second.paragraphs[1] == "Row me over, row me home,\nthe river keeps no tally."
    assert second.paragraph_html[1] == "Row me over, row me home,<br>the river keeps no tally."
    assert second.paragraphs[2] == "It was not far. She said so twice."
    assert second.paragraph_html[2] == "<em>It was not far.</em> She said so twice."
    for chapter in work.chapters:
        for paragraph in chapter.paragraphs:
            assert not paragraph.upper().startswith(("PART ", "CHAPTER ", "CONTENTS", "PREFACE"))


def test_a_contents_list_with_a_line_under_each_entry_gives_way_to_the_chapters():
    text = "\n\n".join([
        "Contents", "Chapter 1", "In which the mill floods.", "Chapter 2",
        "In which the ferry sinks.", "Chapter 1", wrapped(FLOOD), "Chapter 2", wrapped(FERRY),
    ])  # fmt: skip
    work = text_work(text)
    assert [c.paragraphs for c in work.chapters] == [[FLOOD], [FERRY]]


def test_bare_roman_numerals_and_numbered_titles_are_headings():
    roman = "\n\n".join(["I", wrapped(FLOOD), "II", wrapped(FERRY), "III", wrapped(RETURN)])
    assert [c.paragraphs for c in text_work(roman).chapters] == [[FLOOD], [FERRY], [RETURN]]
    numbered = "\n\n".join(["01 The Flood", wrapped(FLOOD), "02 The Ferry", wrapped(FERRY)])
    work = text_work(numbered)
    assert [(c.title, c.paragraphs) for c in work.chapters] == [
        ("The Flood", [FLOOD]),
        ("The Ferry", [FERRY]),
    ]


def test_capital_title_lines_are_chapters_when_nothing_is_numbered():
    text = "\n\n".join([
        "THE FLOOD", wrapped(FLOOD), "THE FERRY", wrapped(FERRY), "THE RETURN", wrapped(RETURN),
    ])  # fmt: skip
    work = text_work(text)
    assert [c.title for c in work.chapters] == ["The Flood", "The Ferry", "The Return"]


def test_numbers_out_of_sequence_stay_in_the_text():
    text = "\n\n".join([
        "Chapter 1", wrapped(FLOOD), "Chapter 7", "That was what the ledger said.",
        "Chapter 2", wrapped(FERRY), "3.", wrapped(RETURN),
    ])  # fmt: skip
    work = text_work(text)
    assert len(work.chapters) == 2
    assert work.chapters[0].paragraphs == [FLOOD, "Chapter 7", "That was what the ledger said."]
    assert work.chapters[1].paragraphs == [FERRY, "3.", RETURN]


def test_a_text_without_headings_is_one_chapter_after_its_title_page():
    work = text_work(f"A Quiet Year\n\nby Ann Example\n\n{wrapped(FLOOD)}\n\n{wrapped(FERRY)}\n")
    assert work.title == "A Quiet Year" and work.authors == ["Ann Example"]
    assert len(work.chapters) == 1
    assert work.chapters[0].paragraphs == [FLOOD, FERRY]


def test_title_and_author_header_lines_and_no_title_otherwise():
    work = text_work(f"Title: The Mill\nAuthor: Ann Example\n\nChapter 1\n\n{wrapped(FLOOD)}\n")
    assert (work.title, work.authors) == ("The Mill", ["Ann Example"])
    assert work.chapters[0].paragraphs == [FLOOD]
    assert text_work(f"Chapter 1\n\n{wrapped(FLOOD)}\n").title == ""


def test_unwrapped_text_has_a_paragraph_per_line():
    text = "\n".join([FLOOD + " " + FERRY, RETURN + " " + FLOOD, FERRY + " " + RETURN])
    assert len(text_work(text).chapters[0].paragraphs) == 3


def test_a_short_text_is_a_work_and_a_file_with_no_words_is_not():
    work = text_work("hello")
    assert [c.paragraphs for c in work.chapters] == [["hello"]]
    with pytest.raises(ImportFailed, match="no text in this file"):
        parse_bytes(b"1234 5678\n----\n", "x.txt")


def test_windows_line_endings_change_nothing():
    text = novel_with_parts()
    crlf = parse_bytes(text.replace("\n", "\r\n").encode(), "novel.txt")
    assert crlf.chapters == text_work(text).chapters


# --- encodings --------------------------------------------------------------------------

SENTENCE = (
    "\u201cSe\u00f1or Mu\u00f1oz,\u201d she said \u2014 caf\u00e9, \u00fcber, na\u00efve, 5 \u20ac."
)
ACCENTS = "D\u00e9j\u00e0 vu at the caf\u00e9: se\u00f1or, \u00fcber, \u00e5ngstr\u00f6m."


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(SENTENCE.encode("cp1252"), id="windows-1252"),
        pytest.param(SENTENCE.encode("utf-8"), id="utf-8"),
        pytest.param(b"\xef\xbb\xbf" + SENTENCE.encode("utf-8"), id="utf-8-bom"),
        pytest.param(SENTENCE.encode("utf-16"), id="utf-16-bom"),
        pytest.param(b"\xfe\xff" + SENTENCE.encode("utf-16-be"), id="utf-16-be-bom"),
        pytest.param(("Chapter 1. " + SENTENCE).encode("utf-16-le"), id="utf-16-no-bom"),
    ],
)
def test_text_encodings_decode_to_the_same_sentence(raw):
    assert decode_text(raw).removeprefix("Chapter 1. ") == SENTENCE


def test_latin_1_reads_right():
    assert decode_text(ACCENTS.encode("latin-1")) == ACCENTS
    work = parse_bytes(f"Chapter 1\n\n{ACCENTS}\n".encode("latin-1"), "x.txt")
    assert work.chapters[0].paragraphs == [ACCENTS]


def test_a_windows_1252_file_imports_with_its_quotes_and_accents():
    text = f"Chapter 1\n\n{wrapped(SENTENCE + ' ' + FLOOD)}\n"
    paragraph = parse_bytes(text.encode("cp1252"), "x.txt").chapters[0].paragraphs[0]
    assert paragraph == SENTENCE + " " + FLOOD
    assert not any(0x80 <= ord(ch) <= 0x9F or ch == "\ufffd" for ch in paragraph)


def misread(text: str) -> str:
    """UTF-8 read as Windows-1252 (bytes it leaves undefined kept as they are)."""
    return "".join(
        chr(b) if b in b"\x81\x8d\x8f\x90\x9d" else bytes([b]).decode("cp1252")
        for b in text.encode("utf-8")
    )


def test_mojibake_is_repaired_when_every_damaged_sequence_can_be_undone():
    garbled = misread(SENTENCE)
    assert "\u00e2\u20ac" in garbled  # "â€", as such files look
    assert decode_text(garbled.encode("utf-8")) == SENTENCE
    # Mixed with text that was never damaged, each sequence is undone alone.
    mixed = "It\u2019s fine. " + misread("It\u2019s broken \u201cthere\u201d.")
    assert decode_text(mixed.encode()) == "It\u2019s fine. It\u2019s broken \u201cthere\u201d."


def test_honest_capitals_next_to_quotes_are_not_taken_for_mojibake():
    honest = "\u201cCAF\u00c9\u201d and \u201c\u00dcBER\u201d, said \u00c5SA."
    assert decode_text(honest.encode()) == honest


@pytest.mark.parametrize(
    "raw, reason",
    [
        pytest.param(b"caf\xe9 \x81 here", "0x81", id="byte-undefined-in-cp1252"),
        pytest.param(b"Chapter 1\n\x00\x00\x00binary", "binary", id="nul-bytes"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG", id="png"),
        pytest.param(b"%PDF-1.7\n%\xe2\xe3", "PDF", id="pdf"),
        pytest.param("\u041f\u0440\u0438\u0432\u0435\u0442 \u043c\u0438\u0440".encode("cp1251"),
                     "Windows-1252 or Latin-1", id="another-code-page"),
        pytest.param("a\u0085b".encode(), "control character", id="c1-control-in-utf-8"),
        pytest.param(b"bell\x07", "control character", id="c0-control"),
        pytest.param("lost \ufffd letters".encode(), "U+FFFD", id="replacement-character"),
        pytest.param("broken \u00e2\u20ac here".encode(), "garbled", id="mojibake-remnant"),
        pytest.param(b"\xef\xbb\xbfcaf\xe9", "UTF-8", id="bom-that-lies"),
    ],
)  # fmt: skip
def test_text_that_cannot_be_read_right_is_refused_in_one_line(raw, reason):
    with pytest.raises(ImportFailed) as error:
        decode_text(raw)
    message = str(error.value)
    assert reason in message and "\n" not in message


# --- Markdown ---------------------------------------------------------------------------

MARKDOWN = """---
title: The Long Road
authors: [Ann Example, Bo Example]
tags: [Angst, Found Family]
rating: Teen And Up Audiences
summary: Two people walk home.
---
A word before we start.

# Chapter 1: Leaving
She *left* at [dawn](https://example.org) and <b onclick="x()">never</b>
looked back.

* * *

## The other road

He stayed.

# Chapter 2
Home, **at last**.
"""


def test_markdown_front_matter_chapters_and_scene_breaks():
    work = parse_bytes(MARKDOWN.encode(), "road.md")
    assert work.source_format == "markdown"
    assert work.title == "The Long Road"
    assert work.authors == ["Ann Example", "Bo Example"]
    assert work.tags == ["Angst", "Found Family"]
    assert work.rating == "Teen And Up Audiences"
    assert work.summary == "Two people walk home."
    assert work.notes == "A word before we start."
    first, second = work.chapters
    assert (first.title, second.title) == ("Leaving", "")
    assert first.paragraphs == [
        'She left at dawn and <b onclick="x()">never</b> looked back.',
        "* * *",
        "The other road",
        "He stayed.",
    ]
    assert first.paragraph_html[0] == (
        'She <em>left</em> at <a href="https://example.org">dawn</a> and '
        "&lt;b onclick=&quot;x()&quot;&gt;never&lt;/b&gt;\nlooked back."
    )
    assert first.paragraph_html[1] == "* * *"
    assert first.paragraph_html[2] == "<strong>The other road</strong>"
    assert second.paragraphs == ["Home, at last."]
    assert second.paragraph_html == ["Home, <strong>at last</strong>."]


def test_markdown_title_headings_are_chapters_without_chapter_numbers():
    work = parse_bytes(b"# The Flood\n\nWater.\n\n# The Ferry\n\nA boat.\n", "x.md")
    assert work.title == ""
    assert [(c.title, c.paragraphs) for c in work.chapters] == [
        ("The Flood", ["Water."]),
        ("The Ferry", ["A boat."]),
    ]


def test_markdown_work_title_above_chapter_headings():
    text = b"# The Long Road\n\n## Chapter 1: Out\n\nGone.\n\n## Chapter 2: Back\n\nHome.\n"
    work = parse_bytes(text, "x.md")
    assert work.title == "The Long Road"
    assert [c.title for c in work.chapters] == ["Out", "Back"]


def test_markdown_headings_inside_code_are_text():
    text = b"# Chapter 1\n\n```\n# Chapter 2\n```\n\nEnd.\n"
    work = parse_bytes(text, "x.md")
    assert len(work.chapters) == 1
    assert work.chapters[0].paragraphs == ["# Chapter 2", "End."]


@pytest.mark.parametrize(
    "text, reason",
    [
        ("---\ntitle: [unclosed\n---\n# Chapter 1\n\nText.\n", "not valid YAML"),
        ("---\n- just\n- a list\n---\n# Chapter 1\n\nText.\n", "'key: value' lines"),
        ("---\ntitle: Open\n# Chapter 1\n\nText.\n", "no closing '---'"),
        ("---\ntitle: {a: 1}\n---\n# Chapter 1\n\nText.\n", "'title' must be text"),
        ("# Chapter 1\n\nText.\n\n# Chapter 2\n\n# Chapter 3\n\nMore.\n", "chapter 2 has no"),
    ],
)
def test_bad_markdown_is_refused_in_one_line(text, reason):
    with pytest.raises(ImportFailed, match=reason) as error:
        parse_bytes(text.encode(), "x.md", "markdown")
    assert "\n" not in str(error.value)


# --- detection and bad input -------------------------------------------------------------

ARCHIVE_PAGE = b"""<!DOCTYPE html><html><head><title>The Long Road</title></head><body>
<div id="preface"><p class="message">Posted originally on the
<a href="http://archiveofourown.org/">Archive of Our Own</a> at
<a href="http://archiveofourown.org/works/1">http://archiveofourown.org/works/1</a>.</p>
<div class="meta"><dl class="tags"><dt>Rating:</dt><dd>General Audiences</dd></dl></div>
</div><div id="chapters" class="userstuff"><p>Water.</p></div></body></html>"""


def an_epub() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        book.writestr("META-INF/container.xml", "<container/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "raw, expected",
    [
        pytest.param(an_epub(), "epub", id="epub"),
        pytest.param(ARCHIVE_PAGE, "ao3-html", id="archive-html"),
        pytest.param(MARKDOWN.encode(), "markdown", id="markdown-front-matter"),
        pytest.param(b"# Chapter 1: Out\n\nGone.\n", "markdown", id="markdown-headings"),
        pytest.param(SEED.read_bytes(), "ao3-text", id="pasted-archive-text"),
        pytest.param(b"Chapter 1: Out\nChapter Text\nGone.\n", "ao3-text", id="ao3-text-small"),
        pytest.param(novel_with_parts().encode(), "text", id="plain-text"),
        pytest.param(novel_with_parts().encode("cp1252"), "text", id="plain-text-cp1252"),
    ],
)
def test_each_format_is_detected(raw, expected):
    assert detect_format(raw) == expected


@pytest.mark.parametrize(
    "raw, fmt, reason",
    [
        pytest.param(b"\x00\x01\x02\x03" * 64, "markdown", "binary", id="markdown-on-binary"),
        pytest.param(MARKDOWN.encode(), "ao3-text", "Chapter", id="ao3-text-on-markdown"),
        pytest.param(an_epub(), "text", "zip", id="text-on-a-zip"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00", "markdown", "PNG", id="markdown-on-png"),
    ],
)
def test_a_format_forced_on_the_wrong_file_is_refused_clearly(raw, fmt, reason):
    with pytest.raises(ImportFailed, match=reason) as error:
        parse_bytes(raw, "wrong.bin", fmt)
    message = str(error.value)
    assert message.startswith("wrong.bin: ") and "\n" not in message


@pytest.mark.parametrize(
    "raw, reason",
    [
        pytest.param(b"", "empty", id="empty"),
        pytest.param(b"  \n\t\n  ", "blank space", id="whitespace"),
        pytest.param(bytes(range(256)) * 8, "binary", id="nul-bytes"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "PNG", id="png"),
        pytest.param(b"a" * (MAX_BYTES + 1), "too large", id="over-20-mb"),
        pytest.param("\u041f\u0440\u0438\u0432\u0435\u0442".encode("cp1251") * 9,
                     "Windows-1252", id="unknown-encoding"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_one_clear_line(raw, reason):
    with pytest.raises(ImportFailed, match=reason) as error:
        parse_bytes(raw, "bad.txt")
    message = str(error.value)
    assert message.startswith("bad.txt: ") and "\n" not in message


def test_markdown_underlined_headings_are_headings_and_a_spaced_rule_is_a_scene_break():
    text = (
        b"Chapter 1: Out\n==============\n\nGone.\n\n---\n\nStill gone.\n\n"
        b"Chapter 2\n=========\n\nHome.\n"
    )
    work = parse_bytes(text, "x.md", "markdown")
    assert [c.title for c in work.chapters] == ["Out", ""]
    assert work.chapters[0].paragraphs == ["Gone.", "* * *", "Still gone."]


@pytest.mark.parametrize(
    "page",
    [
        b"<!DOCTYPE html><html><head><title>Soup</title></head><body><h1>Leek soup</h1>"
        b"<p>Sweat the leeks in butter.</p></body></html>",
        b"  <html lang='en'><body><p>Our opening hours</p></body></html>",
        b"<?xml version='1.0'?><catalogue><item>tea</item></catalogue>",
    ],
    ids=["web-page", "bare-html", "xml"],
)
def test_a_page_that_is_not_a_work_is_refused_with_a_clear_line(page):
    for fmt in ("auto", "text"):
        with pytest.raises(ImportFailed, match="this is a web page, not a work we can read"):
            parse_bytes(page, "page.html", fmt)
