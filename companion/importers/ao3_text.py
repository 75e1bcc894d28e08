"""Text copied from an archive's chapter pages (the sample work's format).

Each chapter looks like this, with the summary, notes and end notes optional:

    Chapter 2: Self-Sacrifice
    Summary:
    ...
    Notes:
    ...
    (See the end of the chapter for more notes.)
    Chapter Text
    one paragraph per line
    ...
    Notes:
    end notes

A few "Key: value" lines before the first chapter (Title:, Author:, Rating:, Archive
Warning:, Additional Tags:) fill in the work's metadata when they are present. Chapter pages
carry no work title, so without a "Title:" line the title is "" and the person importing the
file gives one.

Parser: our own line reader over `re`: the pasted page is lines, its markers are fixed words.
"""

from __future__ import annotations

import re

from .base import ChapterData, ImportFailed, WorkData
from .text_encoding import decode_prefix, decode_text

HEADING = re.compile(r"^Chapter\s+(\d+)(?:\s*[:.\-\u2013\u2014]\s*(.*))?$")
CHAPTER_TEXT = re.compile(r"^(Chapter|Work) Text:?$")
END_NOTES_POINTER = re.compile(
    r"^\(See the end of the (chapter|work) for (more )?notes\.?\)$", re.IGNORECASE
)
SECTION = {"Summary:": "summary", "Notes:": "begin_notes"}
HEADER_KEYS = {
    "title": "title",
    "author": "authors",
    "authors": "authors",
    "by": "authors",
    "rating": "rating",
    "archive warning": "archive_warnings",
    "archive warnings": "archive_warnings",
    "additional tags": "tags",
    "tags": "tags",
}


def parse(raw: bytes, source_name: str = "") -> WorkData:
    return parse_text(decode_text(raw), source_name)


def sniff(raw: bytes) -> bool:
    try:
        text = decode_prefix(raw)
    except ImportFailed:
        return False
    return looks_like(text) and any(CHAPTER_TEXT.match(line.strip()) for line in text.splitlines())


def parse_text(text: str, source_name: str = "") -> WorkData:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    starts = _chapter_starts(lines)
    if not starts:
        raise ImportFailed("no chapters found: expected a line like 'Chapter 1: Title'")
    if not any(CHAPTER_TEXT.match(line.strip()) for line in lines):
        raise ImportFailed(
            "this is not text copied from archive chapter pages: no 'Chapter Text' line"
        )
    header = _parse_header(lines[: starts[0]])
    chapters = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(lines)
        chapters.append(_parse_chapter(lines[start:end], number=i + 1))
    if not any(chapter.paragraphs for chapter in chapters):
        raise ImportFailed("the chapters have no text")
    return WorkData(
        title=header.get("title", ""),
        authors=_split_list(header.get("authors", "")),
        rating=header.get("rating", ""),
        archive_warnings=_split_list(header.get("archive_warnings", "")),
        tags=_split_list(header.get("tags", "")),
        chapters=chapters,
        source_format="ao3-text",
        source_name=source_name,
    )


def looks_like(text: str) -> bool:
    return bool(_chapter_starts(text.splitlines()))


def _chapter_starts(lines: list[str]) -> list[int]:
    """Heading lines, accepted only in sequence (1, 2, 3 …) so that a body line such as
    "Chapter 12 was the best" never splits a chapter."""
    starts: list[int] = []
    for i, line in enumerate(lines):
        match = HEADING.match(line.strip())
        if match and int(match.group(1)) == len(starts) + 1:
            starts.append(i)
    return starts


def _parse_header(lines: list[str]) -> dict[str, str]:
    header: dict[str, str] = {}
    for line in lines:
        key, sep, value = line.partition(":")
        field = HEADER_KEYS.get(key.strip().lower())
        if sep and field and value.strip():
            header[field] = value.strip()
    return header


def _parse_chapter(block: list[str], number: int) -> ChapterData:
    title = (HEADING.match(block[0].strip()).group(2) or "").strip()
    rest = block[1:]
    marker = next((i for i, line in enumerate(rest) if CHAPTER_TEXT.match(line.strip())), None)
    front, body = (rest[:marker], rest[marker + 1 :]) if marker is not None else ([], rest)

    sections = {"summary": [], "begin_notes": []}
    current = None
    for line in front:
        stripped = line.strip()
        if stripped in SECTION:
            current = SECTION[stripped]
        elif END_NOTES_POINTER.match(stripped):
            continue
        elif current:
            sections[current].append(line)

    # The last "Notes:" line of the body starts the end notes; the archive prints nothing
    # else between the chapter text and the next heading.
    notes_at = max((i for i, line in enumerate(body) if line.strip() == "Notes:"), default=None)
    end_notes = body[notes_at + 1 :] if notes_at is not None else []
    body = body[:notes_at] if notes_at is not None else body

    return ChapterData(
        number=number,
        title=title,
        summary=_join(sections["summary"]),
        begin_notes=_join(sections["begin_notes"]),
        end_notes=_join(end_notes),
        paragraphs=[line.strip() for line in body if line.strip()],
    )


def _join(lines: list[str]) -> str:
    return "\n".join(line.strip() for line in lines if line.strip())


def _split_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]
