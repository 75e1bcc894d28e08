"""Any plain-text novel: hard-wrapped or not, with chapter headings of many shapes, or none.

Parser: our own line-and-block reader over the standard `re` module, no library: plain text
has no grammar to hand to one, only heading *shapes*, and the rules for those are short.

The text is read as blocks (runs of non-blank lines). A chapter heading is a short block
of one of these shapes, tried in this order of trust:

1. a keyword and a number: "CHAPTER I.", "Chapter 12: Title", "Letter 3", "Chapter One",
   "CHAPTER XXXVIII--CONCLUSION" (roman, arabic or spelled-out numbers);
2. a number and a title: "01 My Early Home", "IV. The Storm";
3. a bare number on its own line: "IV", "12.";
4. failing all of those, an all-capitals title line: "STORY OF THE DOOR".

A heading counts only when the numbers run in sequence (a part line such as "Part II",
"VOLUME I" or "Book the First" lets them start again at one) and prose follows it before
the next heading: a run of headings with no prose between them is a contents list, not a
chapter. A text with no such headings is one chapter. A title line just under a numbered
heading ("CHAPTER I" / "JONATHAN HARKER'S JOURNAL") is the chapter's title. Whatever comes
before the first chapter (title page, dedication, contents, prefaces) is front matter: its
prose goes to the work's notes, the rest is dropped. Hard-wrapped lines are joined into
paragraphs; `_italics_` become <em> in the paragraph HTML.

The work's title is a `Title:` line at the top, else a title page's first line when a
"by …" line follows it, else "" (the person importing the file gives one).
"""

from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass
from functools import cached_property

from .base import ChapterData, ImportFailed, WorkData
from .text_encoding import decode_prefix, decode_text

ROMAN = r"[IVXLCDM]+"
ARABIC = r"\d{1,4}"
# Spelled-out numbers, each at its value's index ("_" where no word has that value).
ONES = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
]  # fmt: skip
TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
ORDINALS = [
    "_", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
    "seventeenth", "eighteenth", "nineteenth", "twentieth",
]  # fmt: skip
SPELLED = (
    rf"(?:(?:{'|'.join(TENS[2:])})(?:[\s-](?:{'|'.join(ONES[1:10])}))?"
    rf"|{'|'.join(sorted(ONES[1:], key=len, reverse=True))})"
)
NUMBER = rf"(?:{ARABIC}|{ROMAN}|{SPELLED})"
SEPARATOR = r"\s*(?:[.:;,]|-{1,2}|[\u2013\u2014])\s*"
# "Chapter 4", "CHAPTER IV.", "Letter 1", "Chapter Four: The Storm", "CHAPTER IV--THE STORM".
KEYWORD_HEADING = re.compile(
    rf"^(?P<kind>chapter|letter|stave|canto)\s+(?P<num>{NUMBER})\b"
    rf"(?:{SEPARATOR}(?P<title>.*?)|\s+(?P<loose>[A-Z\"'\u201c\u2018].*?))?\s*$",
    re.IGNORECASE,
)
# "01 My Early Home", "4. The Storm", "IV. The Storm".
NUMBERED_HEADING = re.compile(
    rf"^(?P<num>{ARABIC})\.?\s+(?P<title>[A-Z\"'\u201c\u2018].*?)\s*$"
    rf"|^(?P<rnum>{ROMAN})\.\s+(?P<rtitle>[A-Z\"'\u201c\u2018].*?)\s*$"
)
BARE_HEADING = re.compile(rf"^(?P<num>{ARABIC}|{ROMAN})\.?$")
NAMED_HEADING = re.compile(r"^(?P<kind>prologue|epilogue)\.?$", re.IGNORECASE)
# "Part II", "VOLUME I", "Book 3: The Return", "Book the First", "Phase the First:".
PART_LINE = re.compile(
    rf"^(?:(?:part|book|volume|vol\.)\s+(?:the\s+)?(?:{NUMBER}|{'|'.join(ORDINALS[1:])})"
    rf"|[A-Z][a-z]+\s+the\s+(?:{'|'.join(ORDINALS[1:])}))\b(?:{SEPARATOR}.*)?\s*$",
    re.IGNORECASE,
)
HEADER_LINE = re.compile(r"^(title|author|authors|by|tags|language)\s*:\s+(\S.*)$", re.I)
CONTENTS_LINE = re.compile(r"^(?:table\s+of\s+)?contents\.?:?$", re.IGNORECASE)
BYLINE = re.compile(r"^_?by_?(?:\s+(?P<name>\S.*))?$|\s_?by_?$", re.IGNORECASE)
CONTENTS_ENTRY = re.compile(rf"^(?:{ARABIC}|{ROMAN})\.?\s|\s{ARABIC}$")
END_MARK = re.compile(r"^(?:the\s+end|finis|end)\.?$", re.IGNORECASE)
# Project Gutenberg's own wrapper, often left on a downloaded file.
PG_START = re.compile(r"^\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG", re.IGNORECASE)
PG_END = re.compile(r"^\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG", re.IGNORECASE)
# `[^_]` keeps the search linear: a stray underscore never makes it scan the whole text.
ITALICS = re.compile(r"(?<![\w*])_(?=[^\s_])([^_]+?)(?<=[^\s_])_(?!\w)")
SMALL_WORDS = frozenset(
    {"a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor", "of", "on",
     "or", "the", "to", "with"}
)  # fmt: skip
# Heading and title lines are short; prose is not.
MAX_HEADING = 80
TRAILING_MARKS = "\"'\u201d\u2019_*)] "


@dataclass
class Block:
    """A run of non-blank lines; `lines` keep their indentation, lose trailing spaces."""

    lines: list[str]

    @cached_property
    def text(self) -> str:
        return " ".join(" ".join(line.split()) for line in self.lines)

    @property
    def single(self) -> str | None:
        return self.text if len(self.lines) == 1 else None


@dataclass
class Heading:
    at: int  # block index
    kind: str  # "chapter", "letter", "numbered", "bare-roman", "caps" …
    number: int
    label: str  # the heading as written, tidied: "Chapter One", "Letter 1"
    title: str = ""
    prose: bool = False  # running text follows, not only a line or two


def parse(raw: bytes, source_name: str = "") -> WorkData:
    return parse_text(decode_text(raw), source_name)


def sniff(raw: bytes) -> bool:
    """The last resort: any text that decodes (`parse` refuses one with no words in it)."""
    try:
        decode_prefix(raw)
    except ImportFailed:
        return False
    return True


# A web page or an XML file: markup, not prose (an archive download is read by ao3_html,
# which has already said no by the time a file gets here).
_MARKUP = re.compile(r"\A\s*(?:<!doctype\s+html|<html[\s>]|<\?xml|<head[\s>]|<body[\s>])", re.I)


def parse_text(text: str, source_name: str = "") -> WorkData:
    if not any(ch.isalpha() for ch in text):
        raise ImportFailed("there is no text in this file, only numbers and signs")
    if _MARKUP.match(text):
        raise ImportFailed(
            "this is a web page, not a work we can read: use the archive's HTML or EPUB "
            "download, or save the work as Markdown or text"
        )
    lines = _unwrap_gutenberg(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    blocks = _blocks(lines)
    headings = _find_headings(blocks)
    header = _header(blocks)
    if headings:
        front = blocks[: headings[0].at]
        chapters = _chapters(blocks, headings)
    else:
        start = _title_page_end(blocks)
        front = blocks[:start]
        body = blocks[start:]
        while body and HEADER_LINE.match(body[0].text):  # "Title:" lines with no title page
            body = body[1:]
        chapters = [_chapter(1, "", body)]
    _drop_end_mark(chapters[-1])
    chapters = [c for c in chapters if c.paragraphs]
    if not chapters:
        raise ImportFailed("no chapter text found")
    title, authors = _title_page(front)
    return WorkData(
        title=header.get("title") or title,
        authors=_split(header.get("author") or header.get("authors") or header.get("by", ""))
        or authors,
        tags=_split(header.get("tags", "")),
        language=header.get("language", ""),
        notes=_front_notes(front),
        chapters=chapters,
        source_format="text",
        source_name=source_name,
    )


# --- reading blocks ---------------------------------------------------------------------


def _unwrap_gutenberg(lines: list[str]) -> list[str]:
    """A Project Gutenberg download: only what is between its START and END lines, with
    the header's "Title:"/"Author:" lines kept on top for the metadata."""
    start = next((i for i, line in enumerate(lines) if PG_START.match(line.strip())), None)
    if start is None:
        return lines
    end = next((i for i, line in enumerate(lines) if PG_END.match(line.strip())), len(lines))
    header = [line for line in lines[:start] if HEADER_LINE.match(line.strip())]
    return [*header, "", *lines[start + 1 : end]]


def _blocks(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    current: list[str] = []
    for line in lines:
        line = line.rstrip().expandtabs(4)
        if line.strip():
            current.append(line)
        elif current:
            blocks.append(Block(current))
            current = []
    if current:
        blocks.append(Block(current))
    # A heading written straight above its text ("CHAPTER I" / "It was …") is a block of
    # its own, so that every heading can be judged alone.
    split: list[Block] = []
    for block in blocks:
        first = block.lines[0].strip()
        if len(block.lines) > 1 and len(first) <= MAX_HEADING and _strict_keyword(first):
            split.extend([Block(block.lines[:1]), Block(block.lines[1:])])
            continue
        split.append(block)
    return split


def _strict_keyword(line: str) -> bool:
    match = KEYWORD_HEADING.match(line)
    return bool(match and not match.group("loose")) or bool(PART_LINE.match(line))


def _is_prose(block: Block) -> bool:
    """Running text, as opposed to a heading, a title page line or a contents entry."""
    text = block.text
    words = text.split()
    if len(words) < 8 or not re.search(r"[a-z]", text):
        return False
    # Contents entries: "Mina Murray's Journal ... 59", or a column of "46 Hard Times" lines.
    if all(CONTENTS_ENTRY.search(" ".join(line.split())) for line in block.lines):
        return False
    width = max(len(" ".join(line.split())) for line in block.lines)
    return width >= 40 and (len(block.lines) > 1 or text[-1] in ".!?\"'\u201d\u2019)")


# --- headings ---------------------------------------------------------------------------


def _number(token: str) -> int | None:
    token = token.strip()
    if token.isdigit():
        return int(token)
    if re.fullmatch(ROMAN, token.upper()):
        # "IV" or "iv", not a word such as "Liv" or "mix" that happens to be spelled so.
        value = _roman(token.upper())
        return value if token.isupper() or (token.islower() and (value or 0) <= 100) else None
    parts = re.split(r"[\s-]+", token.lower())
    if len(parts) == 1 and parts[0] in ONES:
        return ONES.index(parts[0])
    if parts[0] in TENS[2:]:
        tens = TENS.index(parts[0]) * 10
        return tens + (ONES.index(parts[1]) if len(parts) > 1 and parts[1] in ONES[:10] else 0)
    return None


def _roman(token: str) -> int | None:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for i, ch in enumerate(token):
        value = values[ch]
        total += -value if i + 1 < len(token) and values[token[i + 1]] > value else value
    # Only well-formed numerals: "IIII" or "VX" are not chapter numbers.
    return total if total and _to_roman(total) == token else None


def _to_roman(number: int) -> str:
    out = ""
    for value, numeral in (
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ):  # fmt: skip
        while number >= value:
            out += numeral
            number -= value
    return out


def _candidate(block: Block, at: int, tier: str) -> Heading | None:
    line = block.single
    if line is None or len(line) > MAX_HEADING:
        return None
    if tier == "keyword":
        if match := KEYWORD_HEADING.match(line):
            number = _number(match.group("num"))
            title = (match.group("title") or match.group("loose") or "").strip()
            if number is not None and not title.endswith((",", ";")):
                label = f"{match.group('kind').capitalize()} {_nice(match.group('num'))}"
                return Heading(at, match.group("kind").lower(), number, label, _tidy(title))
        if match := NAMED_HEADING.match(line):
            return Heading(at, match.group("kind").lower(), 0, _nice(line.rstrip(".")))
    elif tier == "numbered":
        if (match := NUMBERED_HEADING.match(line)) and _title_shaped(line):
            if match.group("num"):
                number, title, kind = int(match.group("num")), match.group("title"), "numbered"
            else:
                number, title, kind = _roman(match.group("rnum")), match.group("rtitle"), "nroman"
            if number is not None and len(title.split()) <= 12:
                return Heading(at, kind, number, "", _tidy(title))
    elif tier == "bare":
        if match := BARE_HEADING.match(line):
            token = match.group("num")
            number = int(token) if token.isdigit() else _roman(token)
            kind = "bare-arabic" if token.isdigit() else "bare-roman"
            if number is not None:
                return Heading(at, kind, number, f"Chapter {token}")
    elif tier == "caps":
        letters = [ch for ch in line if ch.isalpha()]
        if (
            len(letters) >= 4
            and all(ch.isupper() for ch in letters)
            and _title_shaped(line)
            and len(line.split()) <= 12
            and not CONTENTS_LINE.match(line)
        ):
            return Heading(at, "caps", 0, "", _nice(line))
    return None


def _title_shaped(line: str, capitals_may_end_in_stop: bool = False) -> bool:
    """A line that reads as a title: starts with a letter, digit or opening quote and does
    not end like a sentence or a clause (a capitals line may end in a full stop)."""
    if not re.match(r"[\w\"'\u201c\u2018]", line):
        return False
    end = re.sub(r"\s*\*+$", "", line).rstrip(TRAILING_MARKS)
    if capitals_may_end_in_stop and re.match(r"\W*[A-Z]{2,}\W+[A-Z]{2,}", end):
        end = end.rstrip(".").rstrip(TRAILING_MARKS)  # "DR. SEWARD'S DIARY--_continued_."
    return bool(end) and end[-1] not in ".,;:-\u2013\u2014"


def _mostly_capitals(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 4 and sum(ch.isupper() for ch in letters) > 0.7 * len(letters)


def _find_headings(blocks: list[Block]) -> list[Heading]:
    parts = [i for i, block in enumerate(blocks) if _is_part_line(block)]
    contents: set[str] = set()
    for tier in ("keyword", "numbered", "bare", "caps"):
        found = [h for i, b in enumerate(blocks) if (h := _candidate(b, i, tier))]
        found, empty = _with_prose(blocks, found, parts)
        contents |= {_key(blocks[h.at].text) for h in empty}
        if tier == "caps":
            # Capital lines are the weakest sign; where a contents list names the chapters,
            # only the lines it names are headings.
            if contents:
                found = [h for h in found if _key(blocks[h.at].text) in contents]
            return found if len(found) >= 3 else []
        found = _in_sequence(found, parts)
        numbered = [h for h in found if h.kind not in ("prologue", "epilogue")]
        if len(numbered) >= 2 or any(h.kind == "chapter" for h in numbered):
            return _place_named(found)
    return []


def _is_part_line(block: Block) -> bool:
    line = block.single
    return bool(line and len(line) <= MAX_HEADING and PART_LINE.match(line))


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


def _with_prose(
    blocks: list[Block], found: list[Heading], parts: list[int]
) -> tuple[list[Heading], list[Heading]]:
    """Headings followed by text before the next heading or part line; and the others
    (contents entries, or a run of title-page lines). A heading over a sentence or two is
    kept but marked thin, so that a contents list with a line under each entry can still
    give way to the real chapters (see `_in_sequence`)."""
    bounds = sorted({h.at for h in found} | set(parts) | {len(blocks)})
    kept, empty = [], []
    for heading in found:
        end = bounds[bisect.bisect_right(bounds, heading.at)]
        segment = blocks[heading.at + 1 : end]
        heading.prose = any(_is_prose(block) for block in segment)
        if heading.prose or any(_is_sentence(block) for block in segment):
            kept.append(heading)
        else:
            empty.append(heading)
    return kept, empty


def _is_sentence(block: Block) -> bool:
    text = block.text
    return (
        bool(re.search(r"[a-z]", text))
        and bool(re.search(r"[.!?\u2026][\"'\u201d\u2019)]*$", text))
        and not all(CONTENTS_ENTRY.search(" ".join(line.split())) for line in block.lines)
    )


def _in_sequence(found: list[Heading], parts: list[int]) -> list[Heading]:
    """Headings whose numbers run on (or start again at one after a part line), each kind
    counting by itself: "Letter 1 … 4" then "Chapter 1 … 24" are two runs. When the
    numbers start again with no part line, and the run so far had only a line or two under
    each heading while this one has prose, the run so far was a contents list."""
    kept: list[Heading] = []
    runs: dict[str, list[Heading]] = {}
    restart: dict[str, bool] = {}
    part_at = iter(sorted(parts))
    next_part = next(part_at, None)
    for heading in found:
        while next_part is not None and next_part < heading.at:
            restart = dict.fromkeys(runs, True)
            next_part = next(part_at, None)
        if heading.kind in ("prologue", "epilogue"):
            kept.append(heading)
            continue
        run = runs.get(heading.kind)
        if (
            not run
            or heading.number == run[-1].number + 1
            or (heading.number == 1 and restart.get(heading.kind))
        ):
            runs.setdefault(heading.kind, []).append(heading)
        elif heading.prose and heading.number <= run[0].number and not any(h.prose for h in run):
            dropped = {h.at for h in run}
            kept = [h for h in kept if h.at not in dropped]
            runs[heading.kind] = [heading]
        else:
            continue
        restart[heading.kind] = False
        kept.append(heading)
    return kept


def _place_named(found: list[Heading]) -> list[Heading]:
    """A prologue only before the first numbered chapter, an epilogue only after the last."""
    numbered = [h.at for h in found if h.kind not in ("prologue", "epilogue")]
    first, last = min(numbered, default=0), max(numbered, default=0)
    return [
        h
        for h in found
        if (h.kind != "prologue" or h.at < first) and (h.kind != "epilogue" or h.at > last)
    ]


# --- chapters ---------------------------------------------------------------------------


def _chapters(blocks: list[Block], headings: list[Heading]) -> list[ChapterData]:
    parts = {i for i, block in enumerate(blocks) if _is_part_line(block)}
    restarted = _numbering_restarts(headings)
    chapters = []
    part_label = ""
    for n, heading in enumerate(headings, start=1):
        end = headings[n].at if n < len(headings) else len(blocks)
        body = blocks[heading.at + 1 : end]
        # A part line before the next chapter ends this one; what follows it up to that
        # chapter (the part's name, an epigraph) belongs to no chapter.
        cut = len(body)
        for i in range(len(body) - 1, -1, -1):  # from the end, up to the last prose
            if heading.at + 1 + i in parts:
                cut = i
            elif _is_prose(body[i]):
                break
        body = body[:cut]
        part_label = _part_before(blocks, heading.at, parts) or part_label
        title = heading.title
        if not title and heading.kind != "caps" and body and _is_title_line(body):
            title, body = _tidy(body[0].text), body[1:]
        if not title:
            title = _label(heading, n, part_label if restarted else "")
        chapters.append(_chapter(n, title, body))
    return chapters


def _part_before(blocks: list[Block], at: int, parts: set[int]) -> str:
    """The part line just above a heading (only non-prose between), tidied: "Part II"."""
    for i in range(at - 1, max(at - 6, -1), -1):
        if i in parts:
            return _nice(re.split(r"\s*[:.]\s*|\s+[\u2013\u2014-]+\s+", blocks[i].text)[0])
        if _is_prose(blocks[i]):
            return ""
    return ""


def _numbering_restarts(headings: list[Heading]) -> bool:
    seen: set[tuple[str, int]] = set()
    for heading in headings:
        if (heading.kind, heading.number) in seen:
            return True
        seen.add((heading.kind, heading.number))
    return False


def _label(heading: Heading, position: int, part: str) -> str:
    """What the book calls a chapter when our number alone would not say it: "Letter 2",
    "Chapter 1" after four letters, "Part II, Chapter One"."""
    if part:
        return f"{part}, {heading.label}" if heading.label else part
    if heading.kind in ("chapter", "bare-roman", "bare-arabic") and heading.number == position:
        return ""
    return heading.label


def _is_title_line(body: list[Block]) -> bool:
    line = body[0].single
    return (
        line is not None
        and len(body) > 1
        and len(line) <= MAX_HEADING
        and len(line.split()) <= 14
        and _title_shaped(line, capitals_may_end_in_stop=True)
        and bool(re.match(r"[\"'\u201c\u2018]?[A-Z0-9]", line))
        and not _is_part_line(body[0])
    )


def _chapter(number: int, title: str, body: list[Block]) -> ChapterData:
    width = _wrap_width(body)
    paragraphs: list[str] = []
    rich: list[str] = []
    for block in body:
        for text, markup in _paragraphs(block, width):
            paragraphs.append(text)
            rich.append(markup)
    return ChapterData(number=number, title=title, paragraphs=paragraphs, paragraph_html=rich)


def _wrap_width(body: list[Block]) -> int:
    lengths = sorted(len(line.strip()) for block in body for line in block.lines)
    return lengths[int(len(lengths) * 0.9)] if lengths else 0


def _paragraphs(block: Block, width: int) -> list[tuple[str, str]]:
    """A block as paragraphs: wrapped lines joined; verse, letters' closings and addresses
    (every line but the last well short of the wrap width) keep their line breaks; a file
    that is not hard-wrapped at all has a paragraph on each line."""
    lines = [" ".join(line.split()) for line in block.lines]
    if width > 150:
        return [_render([line]) for line in lines]
    if len(lines) > 1 and all(len(line) < 0.75 * width for line in lines[:-1]):
        return [_render(lines)]
    text = lines[0]
    for line in lines[1:]:
        # A line ending in a hyphen or dash runs straight on: wrapped texts break after
        # "broken-" or "--", never inside a word.
        text += line if text.endswith(("-", "\u2014", "\u2013")) else " " + line
    return [_render([text])]


def _render(lines: list[str]) -> tuple[str, str]:
    """(plain text, inline HTML) of one paragraph given as lines; `_x_` is emphasis."""
    text = "\n".join(ITALICS.sub(r"\1", line) for line in lines)
    markup = "<br>".join(ITALICS.sub(r"<em>\1</em>", html.escape(line)) for line in lines)
    return text, markup


def _drop_end_mark(chapter: ChapterData) -> None:
    if chapter.paragraphs and END_MARK.match(chapter.paragraphs[-1].strip()):
        chapter.paragraphs.pop()
        if chapter.paragraph_html:
            chapter.paragraph_html.pop()


# --- front matter -----------------------------------------------------------------------


def _header(blocks: list[Block]) -> dict[str, str]:
    """The "Title: …" / "Author: …" lines at the top of the file."""
    header: dict[str, str] = {}
    for block in blocks[:3]:
        for line in block.lines:
            if match := HEADER_LINE.match(line.strip()):
                header.setdefault(match.group(1).lower(), match.group(2).strip())
    return header


def _title_page_end(blocks: list[Block]) -> int:
    """Where the story starts in a text with no headings: after a title page, which is
    non-prose lines on top with a "by …" line among them (or "Title:" lines)."""
    for i, block in enumerate(blocks[:8]):
        if _is_prose(block):
            title_page = blocks[:i]
            has_byline = any(BYLINE.search(line.strip()) for b in title_page for line in b.lines)
            has_header = any(HEADER_LINE.match(b.text) for b in title_page)
            return i if has_byline or has_header else 0
    return 0


def _title_page(front: list[Block]) -> tuple[str, list[str]]:
    """(title, authors) from a title page: its first line, when a "by" line follows in the
    next few blocks ("by Anna Sewell", "BY" / "CHARLOTTE BRONTE", "_by_" / "Bram Stoker")."""
    page = [b for b in front[:6] if not HEADER_LINE.match(b.text)]
    lines = [line.strip() for block in page for line in block.lines]
    if not lines or _is_prose(page[0]):
        return "", []
    for i, line in enumerate(lines[1:12], start=1):
        if (match := BYLINE.search(line)) and not _is_prose(Block([line])):
            name = (match.group("name") or "").strip()
            if not name and i + 1 < len(lines):
                name = lines[i + 1]
            name = re.sub(r"\s*\[.*?\]\s*", " ", name).strip(" _.,")
            title = lines[0].rstrip(" ;:,")
            return _nice(title), [_nice(name)] if name else []
    return "", []


def _front_notes(front: list[Block]) -> str:
    """The prose of the front matter (prefaces, a foreword), one paragraph per line; the
    title page, contents list, part lines and header lines are left out."""
    notes: list[str] = []
    in_contents = False
    seen_prose = False
    for i, block in enumerate(front):
        prose = _is_prose(block)
        if CONTENTS_LINE.match(block.text):
            in_contents = True
            continue
        if in_contents and not prose:
            continue
        in_contents = False
        if prose:
            seen_prose = True
        heads_prose = i + 1 < len(front) and _is_prose(front[i + 1])
        if not seen_prose or not (prose or heads_prose) or _is_part_line(block):
            continue
        notes.extend(text for text, _ in _paragraphs(block, 80))
    return "\n".join(note.replace("\n", " / ") for note in notes)


# --- small helpers ----------------------------------------------------------------------


def _tidy(title: str) -> str:
    title = re.sub(r"\s*\*+$", "", title.strip())  # a footnote mark
    title = ITALICS.sub(r"\1", title).strip(" _")
    if re.match(r"[A-Z]{2,}\W+[A-Z]{2,}", title) and not re.search(r"[A-Z]\.$", title):
        title = title.rstrip(".")
    return _nice(title)


def _nice(text: str) -> str:
    """Text set in capitals, in title case ("JONATHAN HARKER'S JOURNAL--continued" →
    "Jonathan Harker's Journal--continued"); text in small letters is left as written."""
    text = " ".join(text.split())
    if not (_mostly_capitals(text) or re.match(r"\W*[A-Z]{2,}\S*\s+[A-Z]{2,}", text)):
        return text
    out = []
    for i, word in enumerate(re.split(r"(\s+|-{2,}|[\u2013\u2014])", text)):
        core = word.strip(".,;:!?\"'()[]\u201c\u201d\u2018\u2019_")
        if re.search(r"[a-z]", word) or not core:
            out.append(word)  # the small letters were meant, or a separator
        elif core == "I" or (len(core) > 1 and re.fullmatch(ROMAN, core) and _roman(core)):
            out.append(word)  # a numeral stays one: "Part II"
        elif i and core.lower() in SMALL_WORDS and core == word:
            out.append(word.lower())
        else:
            out.append(re.sub(r"[a-z]", lambda m: m.group().upper(), word.lower(), count=1))
    return "".join(out)


def _split(value: str) -> list[str]:
    return [part.strip() for part in re.split(r",|\band\b|&", value) if part.strip()]
