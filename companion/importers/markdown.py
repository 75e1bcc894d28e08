"""A work written in Markdown: optional YAML front matter, `# Chapter N: Title` headings.

Parser: PyYAML's `safe_load` for the front matter (plain data only, never objects), our own
line reader for the chapter structure, and markdown-it-py (CommonMark, raw HTML off, through
`companion.sanitize`, the one module that renders markup) for the text inside a paragraph.

    ---
    title: The Long Road
    author: someone            # or authors: [someone, another]
    tags: [Angst, Hurt/Comfort]
    rating: Teen And Up Audiences
    summary: One line or many.
    ---
    # Chapter 1: Leaving
    Text with *emphasis* and [links](https://example.org).

    * * *                      # a scene break: a paragraph that reads "* * *"

Chapters are the `Chapter N` headings at the highest level they occur (`# Chapter 1`,
`## Chapter 2: Title`); a heading above that level before the first chapter is the work's
title, and between chapters it is a part heading (dropped). Without `Chapter N` headings
every level-1 heading starts a chapter titled by it; with no heading at all the work is one
chapter. Headings below the chapter level stay in the chapter as paragraphs. Text before
the first chapter becomes the work's notes.
"""

from __future__ import annotations

import html
import re

import yaml

from ..sanitize import work_markdown_inline
from .base import ChapterData, ImportFailed, WorkData
from .text_encoding import decode_prefix, decode_text

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
CHAPTER = re.compile(
    r"^chapter\s+(?:\d+|[IVXLCDM]+|[a-z]+(?:[\s-][a-z]+)?)\b\s*(?:[:.\-\u2013\u2014]+\s*(.*))?$",
    re.IGNORECASE,
)
SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
SCENE_BREAK = re.compile(r"^ {0,3}([*\-_])(?:[ \t]*\1){2,}[ \t]*$")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
QUOTE = re.compile(r"^ {0,3}> ?")
SCENE_BREAK_TEXT = "* * *"
TAG = re.compile(r"<[^>]+>")
BREAK = re.compile(r"<br\s*/?>\n?")


def parse(raw: bytes, source_name: str = "") -> WorkData:
    return parse_text(decode_text(raw), source_name)


def sniff(raw: bytes) -> bool:
    try:
        text = decode_prefix(raw).replace("\r\n", "\n").lstrip("\ufeff")
    except ImportFailed:
        return False
    if (match := FRONT_MATTER.match(text)) and re.search(r"^\w+\s*:", match.group(1) or "", re.M):
        return True
    headings = [m for line in text.split("\n") if (m := HEADING.match(line))]
    return (
        any(CHAPTER.match(m.group(2)) for m in headings)
        or sum(len(m.group(1)) == 1 for m in headings) >= 2
    )


def parse_text(text: str, source_name: str = "") -> WorkData:
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    meta, body = _front_matter(text)
    items = _items(body.split("\n"))
    headings = [(i, item) for i, item in enumerate(items) if item[0] == "heading"]
    chapter_level = min(
        (level for _, (_, level, title) in headings if CHAPTER.match(title)), default=None
    )
    by_number = chapter_level is not None
    if not by_number and any(level == 1 for _, (_, level, _) in headings):
        chapter_level = 1

    def starts_chapter(item: tuple) -> bool:
        return (
            item[0] == "heading"
            and item[1] == chapter_level
            and (not by_number or bool(CHAPTER.match(item[2])))
        )

    starts = [i for i, item in enumerate(items) if starts_chapter(item)]
    title = _meta_text(meta, "title")
    front = items[: starts[0]] if starts else []
    if not title and chapter_level:
        # "# The Long Road" above "## Chapter 1": the work's own title.
        title = next(
            (item[2] for item in front if item[0] == "heading" and item[1] < chapter_level), ""
        )
    chapters = []
    for n, start in enumerate(starts, start=1):
        end = starts[n] if n < len(starts) else len(items)
        heading = items[start][2]
        match = CHAPTER.match(heading) if by_number else None
        chapter_title = (match.group(1) or "").strip() if match else heading
        chapters.append(_chapter(n, chapter_title, items[start + 1 : end], chapter_level))
    if not starts:
        chapters = [_chapter(1, "", items, 7)]
    for chapter in chapters:
        if not chapter.paragraphs:
            name = f" (\u201c{chapter.title}\u201d)" if chapter.title else ""
            raise ImportFailed(f"chapter {chapter.number}{name} has no text")
    notes = [text for text, _ in _paragraphs(front, chapter_level or 7)]
    return WorkData(
        title=_plain(work_markdown_inline(title)).strip() if title else "",
        authors=_meta_list(meta, "authors") or _meta_list(meta, "author"),
        tags=_meta_list(meta, "tags"),
        rating=_meta_text(meta, "rating"),
        language=_meta_text(meta, "language"),
        summary=_meta_text(meta, "summary"),
        notes="\n".join(filter(None, [_meta_text(meta, "notes"), *notes])),
        chapters=chapters,
        source_format="markdown",
        source_name=source_name,
    )


def _front_matter(text: str) -> tuple[dict, str]:
    match = FRONT_MATTER.match(text)
    if not match:
        if text.startswith("---\n") and re.match(r"---\n\w+\s*:", text):
            raise ImportFailed("the front matter has no closing '---' line")
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1) or "") or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        problem = getattr(error, "problem", None) or "it cannot be read"
        raise ImportFailed(f"the front matter is not valid YAML{where}: {problem}") from None
    if not isinstance(meta, dict):
        raise ImportFailed("the front matter must be 'key: value' lines")
    return {str(key).lower(): value for key, value in meta.items()}, text[match.end() :]


def _meta_text(meta: dict, key: str) -> str:
    value = meta.get(key)
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise ImportFailed(f"the front matter's '{key}' must be text")
    return str(value).strip()


def _meta_list(meta: dict, key: str) -> list[str]:
    value = meta.get(key)
    if value is None:
        return []
    if isinstance(value, dict):
        raise ImportFailed(f"the front matter's '{key}' must be text or a list")
    items = value if isinstance(value, list) else str(value).split(",")
    return [str(item).strip() for item in items if item is not None and str(item).strip()]


def _items(lines: list[str]) -> list[tuple]:
    """The body as ("heading", level, text), ("break",), ("code", lines), ("text", lines)
    and ("blank",) items; nothing inside a fenced code block is a heading."""
    items: list[tuple] = []
    fence: str | None = None
    code: list[str] = []
    for line in lines:
        if fence is not None:
            if line.strip().startswith(fence):
                items.append(("code", code))
                fence, code = None, []
            else:
                code.append(line)
            continue
        if match := FENCE.match(line):
            fence = match.group(1)
            continue
        if not line.strip():
            items.append(("blank",))
        elif (match := SETEXT.match(line)) and items and items[-1][0] == "text":
            # "Chapter 1" over "=========": the text above is the heading ("---" is level 2).
            text = " ".join(part.strip() for part in items.pop()[1])
            items.append(("heading", 1 if match.group(1)[0] == "=" else 2, text))
        elif match := HEADING.match(line):
            items.append(("heading", len(match.group(1)), match.group(2).strip()))
        elif SCENE_BREAK.match(line):
            items.append(("break",))
        elif items and items[-1][0] == "text":
            items[-1][1].append(line)
        else:
            items.append(("text", [line]))
    if fence is not None:
        items.append(("code", code))
    return items


def _chapter(number: int, title: str, items: list[tuple], level: int) -> ChapterData:
    pairs = _paragraphs(items, level)
    return ChapterData(
        number=number,
        title=_plain(work_markdown_inline(title)).strip() if title else "",
        paragraphs=[text for text, _ in pairs],
        paragraph_html=[markup for _, markup in pairs],
    )


def _paragraphs(items: list[tuple], level: int) -> list[tuple[str, str]]:
    """(text, inline HTML) per paragraph; headings at or above `level` (part headings, the
    work's title) are left out, smaller ones become a paragraph of their own."""
    out: list[tuple[str, str]] = []
    for item in items:
        kind = item[0]
        if kind == "break":
            out.append((SCENE_BREAK_TEXT, SCENE_BREAK_TEXT))
        elif kind == "heading" and item[1] > level:
            markup = work_markdown_inline(item[2])
            out.append((_plain(markup), f"<strong>{markup}</strong>"))
        elif kind == "code" and any(line.strip() for line in item[1]):
            out.append(("\n".join(item[1]), "<br>".join(html.escape(x) for x in item[1])))
        elif kind == "text":
            source = "\n".join(QUOTE.sub("", line) for line in item[1]).strip()
            markup = work_markdown_inline(source)
            if text := _plain(markup).strip():
                out.append((text, markup))
    return out


def _plain(markup: str) -> str:
    """The text of markdown-it's inline HTML (its own tags only: raw HTML was escaped)."""
    text = BREAK.sub("\0", markup).replace("\n", " ")  # a soft break is a space
    return html.unescape(TAG.sub("", text)).replace("\0", "\n")
