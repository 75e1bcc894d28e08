"""Plain data every importer returns, whatever the input format.

Importers parse; they never touch the database. `companion.library.store_work` turns a
`WorkData` into rows in one transaction, so a failed import stores nothing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

# What every importer makes of a scene break (<hr>, "* * *", "~~~"…): a paragraph of its
# own, so positions stay what they were, drawn as a break and counted as no words.
SCENE_BREAK = "* * *"


class ImportFailed(ValueError):
    """Input that cannot become a work; the message is shown to the user as one line."""


@dataclass
class ChapterData:
    number: int
    title: str = ""
    summary: str = ""
    begin_notes: str = ""
    end_notes: str = ""
    # One entry per paragraph, plain text (importers of rich formats also fill html).
    paragraphs: list[str] = field(default_factory=list)
    # Inline markup only (em, strong, a, br, span…): each entry is rendered inside a <p>.
    # Untrusted: `companion.sanitize` cleans it when the work is stored.
    paragraph_html: list[str] | None = None
    # Rich formats keep the notes' markup here (untrusted HTML, block level allowed); the
    # plain-text fields above stay filled too, for detection and hashing.
    summary_html: str | None = None
    begin_notes_html: str | None = None
    end_notes_html: str | None = None

    @property
    def word_count(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs if p != SCENE_BREAK)


@dataclass
class WorkData:
    # "" when the file carries no title: whoever imports it must give one.
    title: str
    chapters: list[ChapterData]
    source_format: str
    source_name: str = ""
    authors: list[str] = field(default_factory=list)
    rating: str = ""
    archive_warnings: list[str] = field(default_factory=list)
    # Freeform ("additional") tags; the other tag groups of an archive preface below.
    tags: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    fandoms: list[str] = field(default_factory=list)
    relationships: list[str] = field(default_factory=list)
    characters: list[str] = field(default_factory=list)
    language: str = ""
    series: list[str] = field(default_factory=list)
    # The preface's stats line as given ("Published": "2020-01-01", "Chapters": "3/3", …).
    stats: dict[str, str] = field(default_factory=dict)
    # Where the file says the work lives (an archive's work URL); identifies a re-import.
    source_url: str = ""
    summary: str = ""
    notes: str = ""
    # The afterword's notes (after the last chapter), plain text.
    end_notes: str = ""
    summary_html: str | None = None
    notes_html: str | None = None
    end_notes_html: str | None = None

    def content_hash(self) -> str:
        """Hash of what a reader would read: the same text imported twice is one work."""
        digest = hashlib.sha256()
        for part in (self.title, *self.authors, *([self.end_notes] if self.end_notes else [])):
            digest.update(_normalize(part).encode() + b"\0")
        for chapter in self.chapters:
            for part in (
                str(chapter.number),
                chapter.title,
                chapter.summary,
                chapter.begin_notes,
                chapter.end_notes,
                *chapter.paragraphs,
            ):
                digest.update(_normalize(part).encode() + b"\0")
        return digest.hexdigest()


def _normalize(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
