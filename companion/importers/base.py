"""Plain data every importer returns, whatever the input format.

Importers parse; they never touch the database. `companion.library.store_work` turns a
`WorkData` into rows in one transaction, so a failed import stores nothing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field


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
    paragraph_html: list[str] | None = None

    @property
    def word_count(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)


@dataclass
class WorkData:
    title: str
    chapters: list[ChapterData]
    source_format: str
    source_name: str = ""
    authors: list[str] = field(default_factory=list)
    rating: str = ""
    archive_warnings: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    summary: str = ""
    notes: str = ""

    def content_hash(self) -> str:
        """Hash of what a reader would read: the same text imported twice is one work."""
        digest = hashlib.sha256()
        for part in (self.title, *self.authors):
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
