"""The archive's HTML download, as otwarchive writes it (its `app/views/downloads/`).

Parsed with lxml: a maintained, fast C parser whose HTML mode recovers from broken markup
the way browsers do, and whose XML mode reads the EPUB's XHTML into the same kind of tree,
so one reader (`ArchiveReader`) serves both downloads.

The download is three parts, each found by its id and classes:

    div#preface   h2.toc-heading, p.message (title, the work's archive link),
                  div.meta: dl.tags (Rating … Stats), h1 title, div.byline,
                  "Summary" + blockquote, "Notes" + blockquote, div.endnote-link
    div#chapters  per chapter: div.meta.group (h2.heading, "Chapter Summary" + blockquote,
                  "Chapter Notes" + blockquote, div.endnote-link), div.userstuff (the text),
                  div#endnotesN ("Chapter End Notes" + blockquote);
                  a single-chapter work has only its div.userstuff
    div#afterword h2.toc-heading, div#endnotes ("End Notes" + blockquote), p.message

A download that stops before its afterword, or holds fewer chapters than its stats say
were posted, was cut short and is refused rather than imported half.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from . import _html
from ._html import children, classes, localname, text_of
from .base import ChapterData, ImportFailed, WorkData
from .text_encoding import decode_text

# Current downloads: "Chapter 3: Title" or "Chapter 3"; older ones print the title alone
# ("Interlude: Low Tide"), and "Chapter 2" only for a chapter without one.
CHAPTER_HEADING = re.compile(r"^Chapter\s+(\d+)\s*(?::\s*(.*))?$", re.IGNORECASE)
# dt label (singular or plural, as the archive has printed both) → WorkData field.
TAG_GROUPS = {
    "rating": "rating",
    "ratings": "rating",
    "archive warning": "archive_warnings",
    "archive warnings": "archive_warnings",
    "category": "categories",
    "categories": "categories",
    "fandom": "fandoms",
    "fandoms": "fandoms",
    "relationship": "relationships",
    "relationships": "relationships",
    "character": "characters",
    "characters": "characters",
    "additional tags": "tags",
    "additional tag": "tags",
    "freeform": "tags",
}
STAT = re.compile(r"([A-Za-z][A-Za-z ]*?):\s*(\S+)")
SERIES_PART = re.compile(r"Part\s+\d+\s+of\s+.+?(?=,\s*Part\s+\d+\s+of\s|$)")
SNIFF = re.compile(rb"""<div[^>]*\bid\s*=\s*["']?preface\b""", re.IGNORECASE)
SNIFF_ALSO = re.compile(rb"Posted originally on the|<dl[^>]*class\s*=\s*[\"']?tags", re.IGNORECASE)
ZIP_MAGIC = b"PK\x03\x04"


def sniff(raw: bytes) -> bool:
    head = raw[:300_000]
    return not head.startswith(ZIP_MAGIC) and bool(SNIFF.search(head) and SNIFF_ALSO.search(head))


def parse(raw: bytes, name: str = "") -> WorkData:
    if raw.startswith(ZIP_MAGIC):
        raise ImportFailed("this is a zip file (an EPUB?), not an archive HTML download")
    text = decode_text(raw)
    try:
        root = _html.parse_html(text)
    except (ValueError, TypeError, etree.ParserError):
        raise ImportFailed("this is not an HTML file") from None
    reader = ArchiveReader()
    try:
        reader.feed(_html.body_of(root))
    except RecursionError:
        raise ImportFailed("the HTML is nested too deeply to read") from None
    return reader.finish(source_format="ao3-html", source_name=name)


@dataclass
class _Chapter:
    headed: bool = False  # began at a chapter heading (kept even with no text: an image)
    title: str = ""
    fields: dict[str, tuple[str, str]] = field(default_factory=dict)
    paragraphs: list[tuple[str, str]] = field(default_factory=list)


class ArchiveReader:
    """Reads the download's parts from one or more <body> elements in order: the HTML has
    one, the EPUB one per file in its spine, where calibre may have cut a chapter in two."""

    def __init__(self) -> None:
        self.work: dict = {}
        self.chapters: list[_Chapter] = []
        self.saw_preface = False
        self.saw_afterword = False

    def feed(self, body) -> None:
        for element in children(body):
            self._part(element)

    def _part(self, element) -> None:
        kind = _part_kind(element)
        if kind == "preface":
            self._preface(element)
        elif kind == "afterword":
            self._afterword(element)
        elif kind == "wrapper":
            for child in children(element):
                self._part(child)
        elif kind == "chapters":
            for child in children(element):
                self._chapter_part(child)

    # --- preface -----------------------------------------------------------------------

    def _preface(self, preface) -> None:
        self.saw_preface = True
        for element in preface.iter():
            name = localname(element)
            if name == "p" and "message" in classes(element):
                self._message(element)
            elif name == "dl" and "tags" in classes(element):
                self._tags(element)
            elif name == "h1":
                self.work.setdefault("title", text_of(element))
            elif name == "div" and "byline" in classes(element):
                self.work["authors"] = _names(element)
        # Summary and notes: a label paragraph, then the blockquote it names.
        heading = next((e for e in preface.iter() if localname(e) == "h1"), None)
        labels = {"summary": "summary", "notes": "notes"}
        self._labelled_blockquotes(heading.getparent() if heading is not None else preface, labels)

    def _message(self, message) -> None:
        title = next((e for e in children(message) if localname(e) == "b"), None)
        if title is not None:
            self.work.setdefault("message_title", text_of(title))
        for link in message.iter():
            href = (link.get("href") or "").strip()
            if localname(link) == "a" and "/works/" in href:
                self.work["source_url"] = href

    def _tags(self, dl) -> None:
        label = ""
        for element in children(dl):
            name = localname(element)
            if name == "dt":
                label = text_of(element).rstrip(":").strip().lower()
            elif name == "dd" and label:
                if label in TAG_GROUPS:
                    self.work[TAG_GROUPS[label]] = _names(element)
                elif label == "language":
                    self.work["language"] = text_of(element)
                elif label == "series":
                    self.work["series"] = SERIES_PART.findall(text_of(element))
                elif label == "stats":
                    self.work["stats"] = dict(STAT.findall(text_of(element)))

    def _labelled_blockquotes(self, container, labels: dict[str, str], into=None) -> None:
        target = self.work if into is None else into
        label = None
        for element in children(container):
            name = localname(element)
            if name == "p" and text_of(element).lower() in labels:
                label = labels[text_of(element).lower()]
            elif name == "blockquote" and label:
                target[label] = _html.notes(element)
                label = None

    # --- chapters ----------------------------------------------------------------------

    def _chapter_part(self, element) -> None:
        name, names = localname(element), classes(element)
        element_id = element.get("id") or ""
        if element_id.startswith("endnotes"):
            self._labelled_blockquotes(
                element, {"chapter end notes": "end_notes", "end notes": "end_notes"},
                into=self._current().fields,
            )  # fmt: skip
        elif name == "div" and "meta" in names:
            self._chapter_meta(element)
        elif name == "h2" and "toc-heading" in names:
            pass  # a single-chapter work's title, printed again by older downloads
        elif _holds_chapter_parts(element):
            # div#chapters itself, or calibre's copy of it (or of a wrapper) in a later file.
            for child in children(element):
                self._chapter_part(child)
        else:
            # The chapter's text; in an EPUB file that continues a chapter it comes
            # without a heading and belongs to the chapter before.
            self._current().paragraphs.extend(_html.paragraphs(element))

    def _chapter_meta(self, meta) -> None:
        heading = next((e for e in children(meta) if localname(e) == "h2"), None)
        if heading is not None:
            self.chapters.append(_Chapter(headed=True, title=self._title(text_of(heading))))
        labels = {
            "chapter summary": "summary",
            "summary": "summary",
            "chapter notes": "begin_notes",
            "notes": "begin_notes",
        }
        self._labelled_blockquotes(meta, labels, into=self._current().fields)

    def _title(self, heading: str) -> str:
        match = CHAPTER_HEADING.match(heading)
        if match and int(match.group(1)) == len(self.chapters) + 1:
            return (match.group(2) or "").strip()
        return heading

    def _current(self) -> _Chapter:
        if not self.chapters:
            self.chapters.append(_Chapter())
        return self.chapters[-1]

    # --- afterword ---------------------------------------------------------------------

    def _afterword(self, afterword) -> None:
        for element in afterword.iter():
            if element.get("id") == "endnotes":
                self._labelled_blockquotes(element, {"end notes": "end_notes"})
            elif localname(element) == "p" and "message" in classes(element):
                # The "please comment" line closes every download: a file that has it
                # was not cut short on the way.
                self.saw_afterword = True

    # --- the result --------------------------------------------------------------------

    def finish(self, source_format: str, source_name: str = "") -> WorkData:
        if not self.saw_preface:
            raise ImportFailed("not an archive work download (no preface with the work's tags)")
        chapters = [c for c in self.chapters if c.headed or c.paragraphs or c.fields]
        posted = _posted_chapters(self.work.get("stats", {}))
        of_posted = f"{len(chapters)} of the {posted} chapters" if posted else "its chapters"
        if not self.saw_afterword:
            raise ImportFailed(
                f"the download was cut short: it ends before the afterword ({of_posted}); "
                "download it again"
            )
        if len(chapters) < posted:
            raise ImportFailed(
                f"the download was cut short: it holds {of_posted} its stats list; "
                "download it again"
            )
        if not any(c.paragraphs for c in chapters):
            raise ImportFailed("the work's chapters have no text")
        work = self.work
        summary, summary_html = work.get("summary", ("", None))
        notes, notes_html = work.get("notes", ("", None))
        end_notes, end_notes_html = work.get("end_notes", ("", None))
        return WorkData(
            title=work.get("title") or work.get("message_title", ""),
            chapters=[_chapter_data(i, c) for i, c in enumerate(chapters, start=1)],
            source_format=source_format,
            source_name=source_name,
            authors=work.get("authors", []),
            rating=", ".join(work.get("rating", [])),
            archive_warnings=work.get("archive_warnings", []),
            tags=work.get("tags", []),
            categories=work.get("categories", []),
            fandoms=work.get("fandoms", []),
            relationships=work.get("relationships", []),
            characters=work.get("characters", []),
            language=work.get("language", ""),
            series=work.get("series", []),
            stats=work.get("stats", {}),
            source_url=work.get("source_url", ""),
            summary=summary,
            notes=notes,
            end_notes=end_notes,
            summary_html=summary_html,
            notes_html=notes_html,
            end_notes_html=end_notes_html,
        )


def _chapter_data(number: int, chapter: _Chapter) -> ChapterData:
    def part(name: str) -> tuple[str, str | None]:
        return chapter.fields.get(name, ("", None))

    (summary, summary_html), (begin, begin_html), (end, end_html) = (
        part("summary"),
        part("begin_notes"),
        part("end_notes"),
    )
    return ChapterData(
        number=number,
        title=chapter.title,
        summary=summary,
        begin_notes=begin,
        end_notes=end,
        paragraphs=[text for text, _ in chapter.paragraphs],
        paragraph_html=[markup for _, markup in chapter.paragraphs],
        summary_html=summary_html,
        begin_notes_html=begin_html,
        end_notes_html=end_html,
    )


def _part_kind(element) -> str:
    """preface, chapters, afterword, or a wrapper around them (an older layout's div#main).
    calibre may drop the ids of the copies it makes when it splits a file, so the part's
    own heading and contents identify it too; anything else is chapter material."""
    element_id = element.get("id") or ""
    if element_id in ("preface", "afterword", "chapters"):
        return element_id
    first = next(children(element), None)
    if first is not None and "toc-heading" in classes(first):
        heading = text_of(first).lower()
        if heading in ("preface", "afterword"):
            return heading
    if any(child.get("id") in ("preface", "chapters", "afterword") for child in children(element)):
        return "wrapper"
    if any(localname(e) == "dl" and "tags" in classes(e) for e in element.iter()):
        return "preface"
    return "chapters"


def _holds_chapter_parts(element) -> bool:
    return localname(element) == "div" and any(
        localname(child) == "div"
        and (
            classes(child) & {"meta", "userstuff"} or (child.get("id") or "").startswith("endnotes")
        )
        for child in children(element)
    )


def _names(element) -> list[str]:
    """Tag or author names: the archive links each one; without links, split on commas
    (the archive allows no comma inside a tag)."""
    links = [text_of(a) for a in element.iter() if localname(a) == "a"]
    if links:
        return [name for name in links if name]
    text = re.sub(r"^by\s+", "", text_of(element))
    return [name.strip() for name in text.split(",") if name.strip()]


def _posted_chapters(stats: dict[str, str]) -> int:
    match = re.match(r"(\d+)", stats.get("Chapters", "").replace(",", ""))
    return int(match.group(1)) if match else 0
