"""Typed models and the query helpers that belong to them."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from .extensions import db
from .importers import WorkData
from .sanitize import paragraph_html, text_to_html

WORDS_PER_MINUTE = 230


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Work(db.Model):
    __tablename__ = "work"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    rating: Mapped[str] = mapped_column(String(100), default="")
    archive_warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary_html: Mapped[str] = mapped_column(Text, default="")
    notes_html: Mapped[str] = mapped_column(Text, default="")
    source_format: Mapped[str] = mapped_column(String(20))
    source_name: Mapped[str] = mapped_column(String(500), default="")
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    chapter_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    chapters: Mapped[list[Chapter]] = relationship(
        back_populates="work", order_by="Chapter.number", cascade="all, delete-orphan"
    )

    @property
    def reading_minutes(self) -> int:
        return reading_minutes(self.word_count)

    @classmethod
    def by_hash(cls, content_hash: str) -> Work | None:
        return db.session.scalar(select(cls).where(cls.content_hash == content_hash))

    @classmethod
    def store(cls, data: WorkData) -> tuple[Work, bool]:
        """The existing work for this content, or a new one; (work, created).

        Adds to the session without committing, so the caller decides the transaction."""
        content_hash = data.content_hash()
        if existing := cls.by_hash(content_hash):
            return existing, False
        work = cls(
            title=data.title,
            authors=data.authors,
            rating=data.rating,
            archive_warnings=data.archive_warnings,
            tags=data.tags,
            summary_html=text_to_html(data.summary),
            notes_html=text_to_html(data.notes),
            source_format=data.source_format,
            source_name=data.source_name,
            content_hash=content_hash,
            word_count=sum(chapter.word_count for chapter in data.chapters),
            chapter_count=len(data.chapters),
        )
        for chapter_data in data.chapters:
            chapter = Chapter(
                number=chapter_data.number,
                title=chapter_data.title,
                summary_html=text_to_html(chapter_data.summary),
                begin_notes_html=text_to_html(chapter_data.begin_notes),
                end_notes_html=text_to_html(chapter_data.end_notes),
                word_count=chapter_data.word_count,
            )
            keys = anchor_keys(chapter_data.paragraphs)
            htmls = chapter_data.paragraph_html or [None] * len(chapter_data.paragraphs)
            chapter.paragraphs = [
                Paragraph(index=i, text=text, html=paragraph_html(text, html), anchor_key=key)
                for i, (text, html, key) in enumerate(
                    zip(chapter_data.paragraphs, htmls, keys, strict=True)
                )
            ]
            chapter.body_html = render_body(chapter.paragraphs)
            work.chapters.append(chapter)
        db.session.add(work)
        return work, True


class Chapter(db.Model):
    __tablename__ = "chapter"
    __table_args__ = (UniqueConstraint("work_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("work.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500), default="")
    summary_html: Mapped[str] = mapped_column(Text, default="")
    begin_notes_html: Mapped[str] = mapped_column(Text, default="")
    end_notes_html: Mapped[str] = mapped_column(Text, default="")
    # The paragraphs rendered once at import: reading a chapter is one row, not hundreds.
    body_html: Mapped[str] = mapped_column(Text, default="")
    word_count: Mapped[int] = mapped_column(Integer, default=0)

    work: Mapped[Work] = relationship(back_populates="chapters")
    paragraphs: Mapped[list[Paragraph]] = relationship(
        back_populates="chapter", order_by="Paragraph.index", cascade="all, delete-orphan"
    )

    @property
    def heading(self) -> str:
        return f"Chapter {self.number}: {self.title}" if self.title else f"Chapter {self.number}"

    @property
    def reading_minutes(self) -> int:
        return reading_minutes(self.word_count)

    @classmethod
    def of_work(cls, work_id: int, number: int) -> Chapter | None:
        """The chapter with its work, in one query."""
        return db.session.scalar(
            select(cls)
            .where(cls.work_id == work_id, cls.number == number)
            .options(joinedload(cls.work))
        )


class Paragraph(db.Model):
    __tablename__ = "paragraph"
    __table_args__ = (
        UniqueConstraint("chapter_id", "index"),
        UniqueConstraint("chapter_id", "anchor_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chapter_id: Mapped[int] = mapped_column(ForeignKey("chapter.id", ondelete="CASCADE"))
    index: Mapped[int] = mapped_column(Integer)
    html: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    anchor_key: Mapped[str] = mapped_column(String(16))

    chapter: Mapped[Chapter] = relationship(back_populates="paragraphs")


def render_body(paragraphs: list[Paragraph]) -> str:
    """The chapter text as anchored paragraphs; the anchor is the paragraph's stable key."""
    return "\n".join(
        f'<p id="p-{p.anchor_key}" data-index="{p.index}">{p.html}</p>' for p in paragraphs
    )


def reading_minutes(words: int) -> int:
    return max(1, round(words / WORDS_PER_MINUTE))


def anchor_keys(paragraphs: list[str]) -> list[str]:
    """A key per paragraph derived from its words, not its position: inserting or removing
    a paragraph elsewhere, or fixing punctuation and case, leaves the key unchanged, so
    links and comments anchored to it survive a re-import of a corrected text."""
    keys: list[str] = []
    seen: dict[str, int] = {}
    for text in paragraphs:
        words = " ".join(re.findall(r"\w+", text.lower()))
        key = hashlib.blake2s(words.encode(), digest_size=4).hexdigest()
        seen[key] = seen.get(key, 0) + 1
        keys.append(key if seen[key] == 1 else f"{key}-{seen[key]}")
    return keys
