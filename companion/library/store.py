"""WorkData → Work, Chapter and Paragraph rows, in one transaction: all of it, or nothing.

A work seen for the first time becomes version 1. The same text again changes nothing.
A new text of a work already here (named by `replace_work_id`, else found by its
identity: the archive URL, else title and authors) becomes its next version: the chapters
are rebuilt from the new text, and everything people left in the old one, comments and
their spoiler levels, reading progress, members' flags, is moved to where its paragraph
went (`anchors`); what lost its paragraph stays with its chapter, with a note saying why.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

from sqlalchemy import delete, select

from ..extensions import db
from ..importers import ChapterData, ImportFailed, WorkData
from ..models import (
    Chapter,
    Circle,
    Comment,
    ContentWarning,
    Paragraph,
    ProgressMove,
    Work,
    WorkVersion,
    anchor_keys,
    render_body,
    utcnow,
)
from ..models import Progress as ReadingProgress
from ..sanitize import clean_html, paragraph_html, text_to_html
from ..spoilers import START, Position
from ..warnings.detect import Detection, detect_work
from ..warnings.model import detector_version
from . import anchors, shelf

# Called with (done, total, what) as the import goes: chapters stored, detection run…
Progress = Callable[[int, int, str], None]

TITLE_CHARS = 500  # Work.title, Chapter.title, source name and URL columns
SHORT_CHARS = 100  # Work.rating, Work.language

PASSAGE_NOTE = (
    "The passage this comment was about changed in version {version}; it now sits with the chapter."
)
CHAPTER_NOTE = (
    "The chapter this comment was about changed in version {version}; "
    "it now sits with chapter {chapter}."
)


@dataclass
class StoreResult:
    work: object  # companion.models.Work
    # "imported" (a new work), "updated" (a new version of a work already here) or
    # "unchanged" (this exact text was imported before).
    outcome: str
    version: int = 1

    @property
    def created(self) -> bool:
        return self.outcome == "imported"


def store_work(
    data: WorkData,
    *,
    title: str | None = None,
    private: bool = False,
    uploader_id: int | None = None,
    circle_id: int | None = None,
    replace_work_id: int | None = None,
    on_progress: Progress | None = None,
    commit: bool = True,
) -> StoreResult:
    """Store a parsed work (or a new version of one) and commit; roll back on any error.

    `title` overrides (or supplies, when the file has none) the work's title. `private`
    makes a new work readable only by its uploader and the circles reading it; an existing
    work's visibility is never changed by a re-import. `circle_id` puts the work on that
    circle's shelf. `replace_work_id` names the work this is a new version of; without it
    a work with the same identity (archive URL, else title and authors), the same uploader
    and the same visibility is updated. With `commit=False` the caller commits (an error
    still rolls the session back: nothing is ever left half-stored)."""
    report = on_progress or (lambda done, total, what: None)
    try:
        replacing = db.session.get(Work, replace_work_id) if replace_work_id else None
        if replace_work_id and replacing is None:
            raise ImportFailed("there is no such work to replace")
        _prepare(data, title, replacing)
        content_hash = data.content_hash()
        if replacing is not None:
            existing = replacing if replacing.content_hash == content_hash else None
        else:
            existing = _own_work(Work.content_hash == content_hash, uploader_id, private)
        if existing is not None:
            result = StoreResult(existing, "unchanged", existing.version)
        else:
            key = source_key(data)
            target = replacing or _own_work(Work.source_key == key, uploader_id, private)
            if target is None:
                work = _new_work(data, content_hash, key, private, uploader_id, report)
                result = StoreResult(work, "imported", 1)
            else:
                _new_version(target, data, content_hash, key, uploader_id, report)
                result = StoreResult(target, "updated", target.version)
        if circle_id is not None:
            _shelve(result.work, circle_id, uploader_id)
        if commit:
            db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result


# --- identity -------------------------------------------------------------------------


def source_key(data: WorkData) -> str:
    """What makes two files the same work: its archive URL when the file gives one, else
    its title and authors (case, spacing and author order ignored)."""
    if url := normalized_url(data.source_url):
        basis = f"url {url}"
    else:
        authors = sorted(_squeeze(a) for a in data.authors if a.strip())
        basis = f"title {_squeeze(data.title)} by {', '.join(authors)}"
    return hashlib.sha256(basis.encode()).hexdigest()


def normalized_url(url: str) -> str:
    """ "archiveofourown.org/works/123" for any spelling of that work's address (scheme,
    www., a chapter's page, query, fragment, trailing slash); "" for no usable URL."""
    parts = urlsplit((url or "").strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.scheme.lower() not in ("http", "https") or not host:
        return ""
    path = parts.path.rstrip("/")
    if work := re.match(r"(/works/\d+)(?:/|$)", path):
        path = work.group(1)
    return f"{host}{path}"


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def _own_work(criterion, uploader_id: int | None, private: bool) -> Work | None:
    """The work a file is (the same text, or a new version of), when nobody named one:
    matching `criterion`, with the same uploader and the same visibility. Someone else's
    upload of the same story is theirs to keep: an upload never reaches, nor reveals, a
    work its uploader could not replace; two circles may each hold a private copy."""
    uploader = (
        Work.uploaded_by_id.is_(None)
        if uploader_id is None
        else (Work.uploaded_by_id == uploader_id)
    )
    return db.session.scalar(
        select(Work)
        .where(criterion, uploader, Work.visibility == ("private" if private else "public"))
        .order_by(Work.id)
        .limit(1)
    )


def _prepare(data: WorkData, title: str | None, replacing: Work | None) -> None:
    """Refuse what cannot be stored before anything is written."""
    if title and title.strip():
        data.title = title.strip()
    elif not data.title.strip() and replacing is not None:
        data.title = replacing.title
    if not data.title.strip():
        raise ImportFailed("the file carries no title; give one (--title, or the upload form)")
    if len(data.title.strip()) > TITLE_CHARS:
        raise ImportFailed(f"the title is longer than {TITLE_CHARS} characters; give a shorter one")
    # The rest of what a file says about itself is kept as far as its column allows, the
    # same on every database (PostgreSQL refuses what SQLite would silently keep).
    data.rating, data.language = data.rating[:SHORT_CHARS], data.language[:SHORT_CHARS]
    data.source_url = data.source_url if len(data.source_url) <= TITLE_CHARS else ""
    data.source_name = data.source_name[-TITLE_CHARS:]
    for chapter in data.chapters:
        chapter.title = chapter.title[:TITLE_CHARS]
    if not data.chapters:
        raise ImportFailed("the file has no chapters")
    numbers = [chapter.number for chapter in data.chapters]
    if len(set(numbers)) != len(numbers):
        twice = next(n for n in numbers if numbers.count(n) > 1)
        raise ImportFailed(f"chapter {twice} appears twice")


# --- rows -----------------------------------------------------------------------------


def _html(text: str, rich: str | None) -> str:
    """The importer's markup when the format had some, else the text; sanitized either way."""
    return clean_html(rich) if rich is not None else text_to_html(text)


def _describe(work: Work, data: WorkData, content_hash: str, key: str) -> None:
    """Everything about the work the file says (not who may read it, nor its uploader),
    except the details its owner edited by hand, which a new version keeps."""
    details = {
        "title": data.title.strip(),
        "authors": list(data.authors),
        "rating": data.rating,
        "archive_warnings": list(data.archive_warnings),
        "tags": list(data.tags),
        "fandoms": list(data.fandoms),
        "relationships": list(data.relationships),
        "characters": list(data.characters),
    }
    kept = set(work.edited_details or [])
    for name, value in details.items():
        if name not in kept:
            setattr(work, name, value)
    work.categories = list(data.categories)
    work.language = data.language
    work.series = list(data.series)
    work.stats = dict(data.stats)
    work.source_url = data.source_url
    work.summary_html = _html(data.summary, data.summary_html)
    work.notes_html = _html(data.notes, data.notes_html)
    work.end_notes_html = _html(data.end_notes, data.end_notes_html)
    work.source_format = data.source_format
    work.source_name = data.source_name
    work.source_key = key
    work.content_hash = content_hash
    work.word_count = sum(chapter.word_count for chapter in data.chapters)
    work.chapter_count = len(data.chapters)
    work.detector_version = detector_version()  # its warnings are detected with the text


def _chapters(data: WorkData, report: Progress, total: int) -> list[Chapter]:
    chapters = []
    for done, chapter_data in enumerate(data.chapters, start=1):
        chapters.append(_chapter(chapter_data))
        report(done, total, f"Stored chapter {chapter_data.number}")
    return chapters


def _chapter(data: ChapterData) -> Chapter:
    chapter = Chapter(
        number=data.number,
        title=data.title,
        summary_html=_html(data.summary, data.summary_html),
        begin_notes_html=_html(data.begin_notes, data.begin_notes_html),
        end_notes_html=_html(data.end_notes, data.end_notes_html),
        word_count=data.word_count,
    )
    keys = anchor_keys(data.paragraphs)
    htmls = data.paragraph_html or [None] * len(data.paragraphs)
    chapter.paragraphs = [
        Paragraph(index=i, text=text, html=paragraph_html(text, html), anchor_key=key)
        for i, (text, html, key) in enumerate(zip(data.paragraphs, htmls, keys, strict=True))
    ]
    chapter.body_html = render_body(chapter.paragraphs)
    return chapter


# Detection is a pure function of the parsed file; the same file imported again (a second
# circle's copy, a retried upload, a test suite importing the sample hundreds of times)
# reuses the last few results instead of reading the whole text again. Kept as plain
# field dicts (nothing can change them) under a lock (import jobs run in threads).
_DETECTED: OrderedDict[str, tuple[dict, ...]] = OrderedDict()
_DETECTED_KEPT = 8
_DETECTED_LOCK = threading.Lock()


def _detection_key(data: WorkData) -> str:
    """Everything detection reads, exactly as written (line breaks matter to notes)."""
    digest = hashlib.sha256(detector_version().encode())
    parts = [data.rating, data.summary, data.notes, *data.archive_warnings, "\0", *data.tags]
    for chapter in data.chapters:
        parts += ["\1", str(chapter.number), chapter.summary, chapter.begin_notes]
        parts += [chapter.end_notes, *chapter.paragraphs]
    for part in parts:
        digest.update((part or "").encode() + b"\0")
    return digest.hexdigest()


def _detections(data: WorkData) -> list[ContentWarning]:
    # Detection is part of the import: the warnings are in the same transaction as the
    # text, so a work is never readable without them.
    key = _detection_key(data)
    with _DETECTED_LOCK:
        found = _DETECTED.get(key)
        if found is not None:
            _DETECTED.move_to_end(key)
    if found is None:
        found = tuple(asdict(d) for d in detect_work(data))
        with _DETECTED_LOCK:
            _DETECTED[key] = found
            while len(_DETECTED) > _DETECTED_KEPT:
                _DETECTED.popitem(last=False)
    return [ContentWarning.stored(Detection(**fields)) for fields in found]


def _version(work: Work, data: WorkData, uploader_id: int | None, changes: dict) -> WorkVersion:
    return WorkVersion(
        number=work.version,
        content_hash=work.content_hash,
        source_format=data.source_format,
        source_name=data.source_name,
        chapter_count=work.chapter_count,
        word_count=work.word_count,
        changes=changes,
        imported_by_id=uploader_id,
    )


def _new_work(
    data: WorkData,
    content_hash: str,
    key: str,
    private: bool,
    uploader_id: int | None,
    report: Progress,
) -> Work:
    total = len(data.chapters) + 1
    work = Work(version=1, visibility="private" if private else "public")
    work.uploaded_by_id = uploader_id
    _describe(work, data, content_hash, key)
    work.chapters = _chapters(data, report, total)
    report(total - 1, total, "Looking for content warnings")
    work.content_warnings = _detections(data)
    work.versions = [_version(work, data, uploader_id, {})]
    db.session.add(work)
    db.session.flush()
    report(total, total, "Stored")
    return work


def _shelve(work: Work, circle_id: int, added_by_id: int | None) -> None:
    """Put the work on a circle's shelf (once; not the work the circle reads now)."""
    circle = db.session.get(Circle, circle_id)
    if circle is None:
        raise ImportFailed("there is no such circle")
    db.session.flush()  # a new work gets its id
    if circle.work_id != work.id:
        shelf.add_to_shelf(circle_id, work.id, added_by_id)


# --- a new version --------------------------------------------------------------------


def _new_version(
    work: Work,
    data: WorkData,
    content_hash: str,
    key: str,
    uploader_id: int | None,
    report: Progress,
) -> None:
    total = len(data.chapters) + 4
    matching = anchors.match(stored_text(work), _new_text(data))
    report(1, total, "Matched the new text to the old")

    # The old text goes; what points into it is moved below, by chapter number and
    # paragraph index (nothing refers to chapter or paragraph rows by id).
    chapter_ids = select(Chapter.id).where(Chapter.work_id == work.id).scalar_subquery()
    db.session.execute(delete(Paragraph).where(Paragraph.chapter_id.in_(chapter_ids)))
    db.session.execute(delete(Chapter).where(Chapter.work_id == work.id))
    db.session.execute(
        delete(ContentWarning).where(
            ContentWarning.work_id == work.id, ContentWarning.source != "member"
        )
    )
    db.session.expire(work, ["chapters", "content_warnings"])

    work.version += 1
    work.updated_at = utcnow()
    _describe(work, data, content_hash, key)
    chapters = [_chapter(chapter_data) for chapter_data in data.chapters]
    for done, chapter in enumerate(chapters, start=2):
        chapter.work_id = work.id
        db.session.add(chapter)
        report(done, total, f"Stored chapter {chapter.number}")
    keys = {(c.number, p.index): p.anchor_key for c in chapters for p in c.paragraphs}

    changes = matching.counts()
    changes |= _move_comments(work, matching, keys)
    _move_progress(work, matching)
    _move_history(work, matching)
    _move_flags(work, matching)
    report(total - 2, total, "Kept comments, places and flags where they were")

    report(total - 1, total, "Looking for content warnings")
    for row in _detections(data):
        row.work_id = work.id
        db.session.add(row)
    work.versions.append(_version(work, data, uploader_id, changes))
    db.session.flush()
    report(total, total, "Stored")


def stored_text(work: Work) -> list[anchors.ChapterText]:
    """Each stored chapter's number, title and paragraph texts, in order."""
    rows = db.session.execute(
        select(Chapter.number, Chapter.title, Paragraph.text)
        .outerjoin(Paragraph, Paragraph.chapter_id == Chapter.id)
        .where(Chapter.work_id == work.id)
        .order_by(Chapter.number, Paragraph.index)
    ).all()
    chapters: dict[int, tuple[str, list[str]]] = {}
    for number, title, text in rows:
        chapters.setdefault(number, (title, []))
        if text is not None:
            chapters[number][1].append(text)
    return [anchors.ChapterText(n, title, texts) for n, (title, texts) in chapters.items()]


def _new_text(data: WorkData) -> list[anchors.ChapterText]:
    return [anchors.ChapterText(c.number, c.title, c.paragraphs) for c in data.chapters]


def _move_comments(
    work: Work, matching: anchors.Matching, keys: dict[tuple[int, int], str]
) -> dict[str, int]:
    """Every comment of every circle reading the work, to where its paragraph went; its
    level never earlier than it was, nor below its anchor, nor below its parent's."""
    comments = db.session.scalars(
        select(Comment)
        .join(Circle, Circle.id == Comment.circle_id)
        .where(Circle.work_id == work.id)
        .order_by(Comment.id)
    ).all()
    now, moved, fell_back = utcnow(), 0, 0
    levels: dict[int, Position] = {}
    for comment in comments:  # parents before their replies: ids grow
        before = (comment.chapter, comment.paragraph, comment.anchor_key, comment.level)
        note = None
        new_chapter = matching.chapter_for(comment.chapter)
        if comment.paragraph is not None:
            landing = matching.landing(comment.chapter, comment.paragraph)
            if landing is not None:
                comment.chapter, comment.paragraph = landing.chapter, landing.paragraph
                comment.anchor_key = keys[(landing.chapter, landing.paragraph)]
            else:
                note = PASSAGE_NOTE.format(version=work.version)
                comment.paragraph = comment.anchor_key = None
                if new_chapter is None:
                    new_chapter = matching.fallback_chapter(comment.chapter)
                    note = CHAPTER_NOTE.format(version=work.version, chapter=new_chapter)
                comment.chapter = new_chapter
        elif new_chapter is not None:
            comment.chapter = new_chapter
        else:
            comment.chapter = matching.fallback_chapter(comment.chapter)
            note = CHAPTER_NOTE.format(version=work.version, chapter=comment.chapter)
        level = max(
            matching.level(comment.level),
            Position(comment.chapter, comment.paragraph or 0),
            levels.get(comment.parent_id, START),
        )
        levels[comment.id] = level
        comment.level_chapter, comment.level_paragraph = level
        if note is not None:
            comment.anchor_note = note
            fell_back += 1
        if (comment.chapter, comment.paragraph, comment.anchor_key, comment.level) != before:
            moved += 1
        # Every comment's box is re-rendered: render caches and thread ETags key on this,
        # and even an unmoved comment's "for readers who finished chapter 2" may now read
        # differently in the new text.
        comment.updated_at = now
    return {"comments_moved": moved, "comments_fell_back": fell_back}


def _move_progress(work: Work, matching: anchors.Matching) -> None:
    """Readers' places, never forward (that would unlock comments on unread text)."""
    for row in db.session.scalars(
        select(ReadingProgress).where(ReadingProgress.work_id == work.id)
    ):
        place = matching.progress(row.position)
        if place != row.position:
            row.chapter, row.paragraph = place


def _move_history(work: Work, matching: anchors.Matching) -> None:
    """Past moves too, by the same rule: pace charts and the "newly unlocked" digest read
    them in the new text's positions."""
    moves = db.session.scalars(select(ProgressMove).where(ProgressMove.work_id == work.id))
    for move in moves:
        before, after = matching.progress(move.before), matching.progress(move.after)
        if (before, after) != (move.before, move.after):
            move.from_chapter, move.from_paragraph = before
            move.to_chapter, move.to_paragraph = after


def _move_flags(work: Work, matching: anchors.Matching) -> None:
    """Members' flags cover the new paragraphs their passage went to; a flag whose whole
    passage is gone stays on its chapter."""
    flags = db.session.scalars(
        select(ContentWarning).where(
            ContentWarning.work_id == work.id, ContentWarning.source == "member"
        )
    )
    for flag in flags:
        if flag.chapter is None:
            continue
        old_chapter = flag.chapter
        new_chapter = matching.chapter_for(old_chapter) or matching.fallback_chapter(old_chapter)
        if flag.paragraph_start is None:
            flag.chapter = new_chapter
            continue
        end = flag.paragraph_end if flag.paragraph_end is not None else flag.paragraph_start
        landings = [
            landing
            for i in range(flag.paragraph_start, end + 1)
            if (landing := matching.landing(old_chapter, i)) is not None
        ]
        if not landings:
            flag.chapter, flag.paragraph_start, flag.paragraph_end = new_chapter, None, None
            continue
        chapter = landings[0].chapter
        same = [landing for landing in landings if landing.chapter == chapter]
        flag.chapter = chapter
        flag.paragraph_start = min(landing.first for landing in same)
        flag.paragraph_end = max(landing.last for landing in same)
