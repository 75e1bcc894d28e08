"""Typed models and the query helpers that belong to them."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, fields
from datetime import UTC, date, datetime, timedelta

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    and_,
    false,
    func,
    or_,
    select,
)
from sqlalchemy import (
    text as sql_text,
)
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from .extensions import db
from .importers import WorkData
from .spoilers import START, Position, Shape
from .warnings.detect import Detection

WORDS_PER_MINUTE = 230


def mail_goes_out() -> bool:
    """Whether mail leaves this server (SMTP is configured), or stays in its outbox."""
    return has_app_context() and bool(current_app.config.get("MAIL_SERVER"))


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
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    fandoms: Mapped[list[str]] = mapped_column(JSON, default=list)
    relationships: Mapped[list[str]] = mapped_column(JSON, default=list)
    characters: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(100), default="")
    series: Mapped[list[str]] = mapped_column(JSON, default=list)
    stats: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    end_notes_html: Mapped[str] = mapped_column(Text, default="")
    # Details its owner edited on the work's page (title, tags…): a re-import keeps them.
    edited_details: Mapped[list[str]] = mapped_column(JSON, default=list)
    source_format: Mapped[str] = mapped_column(String(20))
    source_name: Mapped[str] = mapped_column(String(500), default="")
    source_url: Mapped[str] = mapped_column(String(500), default="")
    # What identifies "the same work" across versions: the archive URL when the file has
    # one, else normalized title and authors (see companion.library).
    source_key: Mapped[str] = mapped_column(String(64), default="", index=True)
    # Not unique: two circles may each hold a private copy of the same text.
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    chapter_count: Mapped[int] = mapped_column(Integer, default=0)
    # "public", or "private": readable only by its uploader and the members of circles
    # reading it (companion.library.access decides, in one place).
    visibility: Mapped[str] = mapped_column(String(10), default="public", server_default="public")
    # Which detector made the automatic warnings (`warnings.model.detector_version`); a work
    # whose value is not the current one is re-detected in the background.
    detector_version: Mapped[str] = mapped_column(String(40), default="", server_default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    chapters: Mapped[list[Chapter]] = relationship(
        back_populates="work", order_by="Chapter.number", cascade="all, delete-orphan"
    )
    content_warnings: Mapped[list[ContentWarning]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    versions: Mapped[list[WorkVersion]] = relationship(
        back_populates="work",
        order_by="WorkVersion.number",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def is_private(self) -> bool:
        return self.visibility == "private"

    @property
    def reading_minutes(self) -> int:
        return reading_minutes(self.word_count)

    def shape(self) -> Shape:
        """Paragraph counts per chapter: which positions exist in this work."""
        counts = db.session.execute(
            select(Chapter.number, func.count(Paragraph.id))
            .join(Paragraph, Paragraph.chapter_id == Chapter.id)
            .where(Chapter.work_id == self.id)
            .group_by(Chapter.number)
            .order_by(Chapter.number)
        ).all()
        return Shape(tuple(count for _, count in counts))

    @classmethod
    def store(cls, data: WorkData) -> tuple[Work, bool]:
        """Kept for older callers: `companion.library.store_work`, uncommitted; (work,
        created). New code calls `store_work`."""
        from .library.store import store_work

        result = store_work(data, commit=False)
        return result.work, result.created


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
    # The whole text as one piece of sanitized HTML, rendered at import. Reading pages
    # build theirs from the (cached) paragraph rows, which carry the reader's controls,
    # so this large column is only loaded when asked for.
    body_html: Mapped[str] = mapped_column(Text, default="", deferred=True)
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


class WorkVersion(db.Model):
    """One imported version of a work: the first import, then every re-import that changed
    its text. `changes` says what the re-import did to anchors (matched, moved, fell back)."""

    __tablename__ = "work_version"
    __table_args__ = (UniqueConstraint("work_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("work.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    source_format: Mapped[str] = mapped_column(String(20))
    source_name: Mapped[str] = mapped_column(String(500), default="")
    chapter_count: Mapped[int] = mapped_column(Integer, default=0)
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    imported_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    work: Mapped[Work] = relationship(back_populates="versions")
    imported_by: Mapped[User | None] = relationship()


def render_body(paragraphs: list[Paragraph]) -> str:
    """The chapter text as anchored paragraphs; the anchor is the paragraph's stable key."""
    return "\n".join(
        f'<p id="p-{p.anchor_key}" data-index="{p.index}">{p.html}</p>' for p in paragraphs
    )


def reading_minutes(words: int) -> int:
    return max(1, round(words / WORDS_PER_MINUTE))


def anchor_words(text: str) -> list[str]:
    """What a paragraph's anchor is made of: its words, lowercased, without punctuation or
    spacing (re-import matching compares paragraphs by the same words)."""
    return re.findall(r"\w+", text.lower())


def anchor_keys(paragraphs: list[str]) -> list[str]:
    """A key per paragraph derived from its words, not its position: inserting or removing
    a paragraph elsewhere, or fixing punctuation and case, leaves the key unchanged, so
    links and comments anchored to it survive a re-import of a corrected text."""
    keys: list[str] = []
    seen: dict[str, int] = {}
    for text in paragraphs:
        words = " ".join(anchor_words(text))
        key = hashlib.blake2s(words.encode(), digest_size=4).hexdigest()
        seen[key] = seen.get(key, 0) + 1
        keys.append(key if seen[key] == 1 else f"{key}-{seen[key]}")
    return keys


# --- people, circles and progress -------------------------------------------------------

ROLES = ("member", "moderator", "owner")


# An address is proven on one account at most, by the database too (two verifications at
# the same moment would both pass a check in code). Outbox verifications prove nothing.
PROVEN_EMAIL = "email_verified_at IS NOT NULL AND (email_verified_via IS NULL OR email_verified_via <> 'outbox')"  # noqa: E501


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (
        Index(
            "uq_user_account_proven_email",
            func.lower(sql_text("email")),
            unique=True,
            sqlite_where=sql_text(PROVEN_EMAIL),
            postgresql_where=sql_text(PROVEN_EMAIL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    # Part of the login cookie's id: bumping it logs the user out everywhere.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # Opt-in (DESIGN rule 6): pausing on a paragraph moves the reader's place forward.
    auto_advance: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Optional; never shown to other members. Mail goes only to a verified address (a
    # changed address is unverified again until its link is followed).
    email: Mapped[str | None] = mapped_column(String(254), default=None, index=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(default=None)
    # How: "mail" (its link followed from a real mailbox), "operator" (given on the command
    # line), or "outbox" (a server with no mail server shows the link on the member's own
    # page, which proves nothing: such a verification never counts once mail goes out).
    email_verified_via: Mapped[str | None] = mapped_column(String(10), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def verified_email(self) -> str | None:
        if not (self.email and self.email_verified_at):
            return None
        if self.email_verified_via == "outbox" and mail_goes_out():
            return None
        return self.email

    @classmethod
    def verified(cls) -> ColumnElement[bool]:
        """`verified_email` as a WHERE clause, for queries over many accounts."""
        verified = and_(cls.email.is_not(None), cls.email != "", cls.email_verified_at.is_not(None))
        if not mail_goes_out():
            return verified
        proven = or_(cls.email_verified_via.is_(None), cls.email_verified_via != "outbox")
        return and_(verified, proven)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @classmethod
    def by_name(cls, name: str) -> User | None:
        return db.session.scalar(select(cls).where(cls.name == name.strip().lower()))


class ApiToken(db.Model):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship()


class Circle(db.Model):
    __tablename__ = "circle"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("work.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    work: Mapped[Work] = relationship()
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="circle", cascade="all, delete-orphan", order_by="Membership.joined_at"
    )
    schedule: Mapped[list[ScheduleEntry]] = relationship(
        cascade="all, delete-orphan", order_by="ScheduleEntry.chapter"
    )

    @classmethod
    def by_slug(cls, slug: str) -> Circle | None:
        return db.session.scalar(select(cls).where(cls.slug == slug))

    def membership_of(self, user_id: int) -> Membership | None:
        return db.session.scalar(
            select(Membership).where(Membership.circle_id == self.id, Membership.user_id == user_id)
        )

    @property
    def owner(self) -> User:
        return next(m.user for m in self.memberships if m.role == "owner")


class Membership(db.Model):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("circle_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circle.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20), default="member")
    can_post: Mapped[bool] = mapped_column(Boolean, default=True)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    circle: Mapped[Circle] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()

    def at_least(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


class CircleWork(db.Model):
    """A work on a circle's shelf besides the one it reads now (the next read, added by the
    owner): its members may read it, even when it is private."""

    __tablename__ = "circle_work"
    __table_args__ = (UniqueConstraint("circle_id", "work_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circle.id", ondelete="CASCADE"))
    work_id: Mapped[int] = mapped_column(ForeignKey("work.id", ondelete="CASCADE"), index=True)
    added_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    circle: Mapped[Circle] = relationship()
    work: Mapped[Work] = relationship()


class Invite(db.Model):
    __tablename__ = "invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circle.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    expires_at: Mapped[datetime] = mapped_column()
    max_uses: Mapped[int] = mapped_column(Integer, default=10)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    circle: Mapped[Circle] = relationship()

    def unusable_because(self, now: datetime | None = None) -> str | None:
        """Why this link can no longer be used, in the invitee's words; None if it can."""
        if self.revoked_at is not None:
            return "This invite link was revoked. Ask for a new one."
        if (now or utcnow()) >= self.expires_at:
            return "This invite link has expired. Ask for a new one."
        if self.uses >= self.max_uses:
            return "This invite link has been used as often as it allows. Ask for a new one."
        return None


class ScheduleEntry(db.Model):
    __tablename__ = "schedule_entry"
    __table_args__ = (UniqueConstraint("circle_id", "chapter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circle.id", ondelete="CASCADE"))
    chapter: Mapped[int] = mapped_column(Integer)
    due: Mapped[date] = mapped_column(Date)


class Progress(db.Model):
    """Where a reader is in a work; one row per (user, work), shared by all their circles."""

    __tablename__ = "progress"
    __table_args__ = (UniqueConstraint("user_id", "work_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    work_id: Mapped[int] = mapped_column(ForeignKey("work.id", ondelete="CASCADE"))
    chapter: Mapped[int] = mapped_column(Integer, default=0)
    paragraph: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def position(self) -> Position:
        return Position(self.chapter, self.paragraph)

    @classmethod
    def of(cls, user_id: int, work_id: int) -> Position:
        row = db.session.execute(
            select(cls.chapter, cls.paragraph).where(cls.user_id == user_id, cls.work_id == work_id)
        ).first()
        return Position(*row) if row else START


class ProgressMove(db.Model):
    """History of progress, for pace charts and the "newly unlocked" digest."""

    __tablename__ = "progress_move"
    __table_args__ = (Index("ix_progress_move_user_work", "user_id", "work_id", "moved_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    work_id: Mapped[int] = mapped_column(ForeignKey("work.id", ondelete="CASCADE"))
    from_chapter: Mapped[int] = mapped_column(Integer)
    from_paragraph: Mapped[int] = mapped_column(Integer)
    to_chapter: Mapped[int] = mapped_column(Integer)
    to_paragraph: Mapped[int] = mapped_column(Integer)
    moved_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def before(self) -> Position:
        return Position(self.from_chapter, self.from_paragraph)

    @property
    def after(self) -> Position:
        return Position(self.to_chapter, self.to_paragraph)


def move_progress(user_id: int, work_id: int, to: Position, at: datetime | None = None) -> Position:
    """Set a reader's position and record the move; returns where they were. No commit."""
    row = db.session.scalar(
        select(Progress).where(Progress.user_id == user_id, Progress.work_id == work_id)
    )
    if row is None:
        row = Progress(user_id=user_id, work_id=work_id, chapter=0, paragraph=0)
        db.session.add(row)
    before = Position(row.chapter or 0, row.paragraph or 0)
    if before != to:
        when = at or utcnow()
        row.chapter, row.paragraph, row.updated_at = to.chapter, to.paragraph, when
        db.session.add(
            ProgressMove(
                user_id=user_id,
                work_id=work_id,
                from_chapter=before.chapter,
                from_paragraph=before.paragraph,
                to_chapter=to.chapter,
                to_paragraph=to.paragraph,
                moved_at=when,
            )
        )
    return before


def invite_expiry(days: int) -> datetime:
    return utcnow() + timedelta(days=days)


# --- discussion ------------------------------------------------------------------------


class Comment(db.Model):
    """A post in a circle's discussion of one chapter, optionally on one paragraph.

    Never read directly by views: `companion.comments` applies the spoiler gate."""

    __tablename__ = "comment"
    __table_args__ = (
        Index("ix_comment_circle_chapter", "circle_id", "chapter"),
        Index("ix_comment_circle_level", "circle_id", "level_chapter", "level_paragraph"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circle.id", ondelete="CASCADE"))
    chapter: Mapped[int] = mapped_column(Integer)
    paragraph: Mapped[int | None] = mapped_column(Integer, default=None)
    anchor_key: Mapped[str | None] = mapped_column(String(16), default=None)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), index=True, default=None
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    level_chapter: Mapped[int] = mapped_column(Integer)
    level_paragraph: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Any change a reader could notice (edit, delete, hide, restore): drives ETags.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(default=None)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
    hidden_at: Mapped[datetime | None] = mapped_column(default=None)
    hidden_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    # Set by a re-import whose new text lost the paragraph this comment was about: the
    # comment then sits with its chapter, and readers are told why.
    anchor_note: Mapped[str | None] = mapped_column(String(300), default=None)

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    revisions: Mapped[list[CommentRevision]] = relationship(
        cascade="all, delete-orphan", order_by="CommentRevision.id", passive_deletes=True
    )

    @property
    def level(self) -> Position:
        return Position(self.level_chapter, self.level_paragraph)

    @property
    def anchor(self) -> Position:
        return Position(self.chapter, self.paragraph or 0)


class CommentRevision(db.Model):
    """What a comment said before an edit."""

    __tablename__ = "comment_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), index=True
    )
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Report(db.Model):
    __tablename__ = "report"
    __table_args__ = (UniqueConstraint("comment_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)

    comment: Mapped[Comment] = relationship()
    reporter: Mapped[User] = relationship()


# --- content warnings ------------------------------------------------------------------

WARNING_SOURCES = ("tags", "notes", "text", "member")
FLAG_STATES = ("pending", "confirmed", "dismissed")
WARNING_MODES = ("off", "upfront", "chapter", "passage")


EVIDENCE_CHARS = 2000  # what is kept of a detection's evidence


class ContentWarning(db.Model):
    """Something a reader may want to be warned about, where it happens and who says so.

    Every automatic detection is stored with its confidence, weak ones included: the
    read side (`companion.warnings.visible`) decides what counts, so `warnings detect`
    and `warnings eval` see exactly what the detector found. Never read by views directly:
    `warnings_for` applies the reader's opt-in."""

    __tablename__ = "content_warning"
    __table_args__ = (Index("ix_content_warning_work_chapter", "work_id", "chapter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("work.id", ondelete="CASCADE"))
    # None: the whole work (its tags, its own summary and notes).
    chapter: Mapped[int | None] = mapped_column(Integer, default=None)
    paragraph_start: Mapped[int | None] = mapped_column(Integer, default=None)
    paragraph_end: Mapped[int | None] = mapped_column(Integer, default=None)
    label: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20))
    confidence: Mapped[float] = mapped_column(default=1.0)
    # What the detector or the member saw; for the CLI and moderators, never for readers.
    evidence: Mapped[str] = mapped_column(Text, default="")
    # Member flags only: pending until a moderator confirms or dismisses; None otherwise.
    state: Mapped[str | None] = mapped_column(String(20), default=None)
    circle_id: Mapped[int | None] = mapped_column(
        ForeignKey("circle.id", ondelete="CASCADE"), default=None
    )
    flagged_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    flagged_by: Mapped[User | None] = relationship(foreign_keys=[flagged_by_id])
    circle: Mapped[Circle | None] = relationship()

    @classmethod
    def stored(cls, detection: Detection) -> ContentWarning:
        """A detection as a row (evidence capped: it is kept for moderators, not shown)."""
        row = cls(**asdict(detection))
        row.evidence = detection.evidence[:EVIDENCE_CHARS]
        return row

    def detection(self) -> Detection:
        return Detection(**{f.name: getattr(self, f.name) for f in fields(Detection)})


class WarningPreference(db.Model):
    """One reader's choice for one label: when to be told (mode) and from what severity."""

    __tablename__ = "warning_preference"
    __table_args__ = (UniqueConstraint("user_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(40))
    mode: Mapped[str] = mapped_column(String(20), default="off")
    min_severity: Mapped[str] = mapped_column(String(20), default="mention")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- background jobs -------------------------------------------------------------------

JOB_STATES = ("uploaded", "parsing", "parsed", "queued", "running", "done", "failed")


class Job(db.Model):
    """A long task the job queue runs (an import, a re-detection), with the state and
    progress a page or the API polls. The queue (Huey) only carries the job's id; the truth
    about a job is this row, so any machine's worker can run it and any server report it."""

    __tablename__ = "job"
    __table_args__ = (Index("ix_job_user_created", "user_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), default="queued")
    progress: Mapped[int] = mapped_column(Integer, default=0)  # percent, 0..100
    # One line for the person who started it: what is happening, or why it failed.
    message: Mapped[str] = mapped_column(String(500), default="")
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), default=None
    )
    circle_id: Mapped[int | None] = mapped_column(
        ForeignKey("circle.id", ondelete="SET NULL"), default=None
    )
    work_id: Mapped[int | None] = mapped_column(
        ForeignKey("work.id", ondelete="SET NULL"), default=None
    )
    # Options the job was started with (format, title, private, circle name, …) and, once
    # parsed, the preview shown before confirming.
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    preview: Mapped[dict | None] = mapped_column(JSON, default=None)
    filename: Mapped[str] = mapped_column(String(300), default="")
    # The uploaded file itself, kept in the database (not on one machine's disk) until the
    # job is done, so a worker on another machine can read it.
    payload: Mapped[bytes | None] = mapped_column(LargeBinary, default=None, deferred=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


# --- notifications ---------------------------------------------------------------------

DIGEST_CHOICES = ("off", "daily", "weekly")
REPLY_CHOICES = ("off", "now", "digest")
DELIVERY_KINDS = ("digest", "reply", "reminder")
# skipped: composed, and there was nothing to say (a digest with nothing new, a reply the
# member cannot see); kept so that period is never tried again.
DELIVERY_STATES = ("pending", "sent", "skipped", "failed")


class NotificationSetting(db.Model):
    """What one member wants to be told about one circle, and how often. No row: the
    defaults (digest off, replies in the digest, reminders on), nothing sent without a
    verified address."""

    __tablename__ = "notification_setting"
    __table_args__ = (UniqueConstraint("user_id", "circle_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    circle_id: Mapped[int] = mapped_column(ForeignKey("circle.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(10), default="off")
    replies: Mapped[str] = mapped_column(String(10), default="digest")
    reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Delivery(db.Model):
    """One message to one member, recorded before it is sent: the unique key (member,
    circle, kind, period) makes sending idempotent across restarts, and `state`, attempts
    and the last error make a failed send visible instead of lost."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("user_id", "circle_id", "kind", "period"),
        Index("ix_delivery_state_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    circle_id: Mapped[int] = mapped_column(ForeignKey("circle.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    # Which one: "2026-12-03" (a daily digest), "2026-W49" (weekly), "comment-42" (a
    # reply notice), "chapter-5-2026-12-04" (a reminder).
    period: Mapped[str] = mapped_column(String(40))
    # What a digest covers: comments that became visible after covers_from, up to
    # covers_until (the next digest starts where this one ended).
    covers_from: Mapped[datetime | None] = mapped_column(default=None)
    covers_until: Mapped[datetime | None] = mapped_column(default=None)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    to_address: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(300), default="")
    message_id: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
