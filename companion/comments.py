"""The discussion's data layer: the spoiler gate and everything that reads or writes
comments.

`gate` is the one visibility rule in SQL (DESIGN rules 3 and 4). Every read of comments
anywhere in the app, pages, fragments, API, counts, digest, moderation, goes through a
function here that applies it, so no view can forget it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    and_,
    func,
    literal,
    not_,
    or_,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.orm import joinedload

from . import spoilers
from .extensions import db
from .models import (
    Chapter,
    Circle,
    Comment,
    CommentRevision,
    Membership,
    Progress,
    Report,
    User,
    utcnow,
)
from .sanitize import markdown_html
from .spoilers import Position

MAX_LENGTH = 10_000
MAX_DEPTH = 4  # deeper replies continue on their own page


class DiscussionError(Exception):
    """Something the poster can fix; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Viewer:
    """A member looking at their circle's discussion: whose eyes the gate uses."""

    user_id: int
    circle_id: int
    work_id: int
    progress: Position
    role: str
    can_post: bool

    @property
    def is_moderator(self) -> bool:
        return self.role in ("moderator", "owner")


def viewer_for(circle: Circle, membership: Membership) -> Viewer:
    return Viewer(
        user_id=membership.user_id,
        circle_id=circle.id,
        work_id=circle.work_id,
        progress=Progress.of(membership.user_id, circle.work_id),
        role=membership.role,
        can_post=membership.can_post,
    )


def gate(user_id, circle_id, progress_chapter, progress_paragraph) -> ColumnElement[bool]:
    """Rule 3 in SQL: comments of this circle at or below the reader's progress, plus the
    reader's own. Hidden (moderated) comments only for their author. The progress may be
    values or columns, so the same rule also serves the one-query ETag."""
    own = Comment.author_id == user_id
    return and_(
        Comment.circle_id == circle_id,
        or_(own, Comment.hidden_at.is_(None)),
        reached(user_id, progress_chapter, progress_paragraph),
    )


def reached(user_id, progress_chapter, progress_paragraph) -> ColumnElement[bool]:
    """The level half of the gate: at or below the reader's progress, or their own."""
    return or_(
        Comment.author_id == user_id,
        tuple_(Comment.level_chapter, Comment.level_paragraph)
        <= tuple_(progress_chapter, progress_paragraph),
    )


def sees(viewer: Viewer) -> ColumnElement[bool]:
    p = viewer.progress
    return gate(viewer.user_id, viewer.circle_id, literal(p.chapter), literal(p.paragraph))


def has_reached(viewer: Viewer) -> ColumnElement[bool]:
    p = viewer.progress
    return reached(viewer.user_id, literal(p.chapter), literal(p.paragraph))


def visible(viewer: Viewer, *criteria) -> list[Comment]:
    """Comments the viewer may see, oldest first, with their authors."""
    return list(
        db.session.scalars(
            select(Comment)
            .where(sees(viewer), *criteria)
            .options(joinedload(Comment.author))
            .order_by(Comment.created_at, Comment.id)
        )
    )


def visible_one(viewer: Viewer, comment_id: int) -> Comment:
    comment = db.session.scalar(select(Comment).where(sees(viewer), Comment.id == comment_id))
    if comment is None:
        raise DiscussionError(404, "That comment doesn't exist, or you haven't reached it yet.")
    return comment


def locked_counts(
    viewer: Viewer, chapter: int | None = None, by_discussed_chapter: bool = False
) -> dict[int, int]:
    """How many comments wait beyond the viewer's position, by the chapter that unlocks
    them (or by the chapter they discuss): the only thing a reader learns about comments
    they can't see (rule 4)."""
    key = Comment.chapter if by_discussed_chapter else Comment.level_chapter
    query = (
        select(key, func.count(Comment.id))
        .where(
            Comment.circle_id == viewer.circle_id,
            not_(sees(viewer)),
            Comment.deleted_at.is_(None),
            Comment.hidden_at.is_(None),
        )
        .group_by(key)
        .order_by(key)
    )
    if chapter is not None:
        query = query.where(Comment.chapter == chapter)
    return dict(db.session.execute(query).all())


def marker_counts(viewer: Viewer, chapter: int) -> dict[int, int]:
    """Visible comments per paragraph, for the margin markers."""
    rows = db.session.execute(
        select(Comment.paragraph, func.count(Comment.id))
        .where(
            sees(viewer),
            Comment.chapter == chapter,
            Comment.paragraph.is_not(None),
            Comment.deleted_at.is_(None),
        )
        .group_by(Comment.paragraph)
    )
    return dict(rows.all())


def counts_by_chapter(viewer: Viewer) -> dict[int, int]:
    rows = db.session.execute(
        select(Comment.chapter, func.count(Comment.id))
        .where(sees(viewer), Comment.deleted_at.is_(None))
        .group_by(Comment.chapter)
    )
    return dict(rows.all())


def open_reports(viewer: Viewer) -> int:
    return db.session.scalar(
        select(func.count(Report.id))
        .join(Comment, Report.comment_id == Comment.id)
        .where(Comment.circle_id == viewer.circle_id, Report.resolved_at.is_(None))
    )


def latest_activity(viewer: Viewer) -> datetime | None:
    return db.session.scalar(
        select(func.max(Comment.created_at)).where(sees(viewer), Comment.deleted_at.is_(None))
    )


def unlocked_by_last_move(viewer: Viewer, before: Position) -> list[Comment]:
    """Rule 5: what became visible when the viewer moved forward from `before`."""
    return visible(
        viewer,
        tuple_(Comment.level_chapter, Comment.level_paragraph)
        > tuple_(literal(before.chapter), literal(before.paragraph)),
        Comment.author_id != viewer.user_id,
        Comment.deleted_at.is_(None),
    )


def newly_visible(
    viewer: Viewer, before: Position, since: datetime | None, until: datetime | None = None
) -> list[Comment]:
    """What a digest may tell (rules 4 and 5): comments others wrote that the viewer sees
    now and could not see when the window opened, at `before` and `since` (unlocked by
    their moves since, or posted since). None for `since` means from the beginning."""
    unlocked = tuple_(Comment.level_chapter, Comment.level_paragraph) > tuple_(
        literal(before.chapter), literal(before.paragraph)
    )
    new = or_(unlocked, Comment.created_at > since) if since is not None else true()
    window = [Comment.created_at <= until] if until is not None else []
    return visible(
        viewer, new, *window, Comment.author_id != viewer.user_id, Comment.deleted_at.is_(None)
    )


def thread_etag_query(user_id: int, session_version: int, slug: str, chapter: int):
    """One statement for an idle poll: the member's role and progress and a fingerprint of
    what they can see in a chapter (count, newest change, locked count). None for anyone
    who is not a member or whose session is stale."""
    progress_chapter = func.coalesce(Progress.chapter, 0)
    progress_paragraph = func.coalesce(Progress.paragraph, 0)
    visible_now = gate(user_id, Circle.id, progress_chapter, progress_paragraph)

    def about_chapter(*columns, where):
        return (
            select(*columns)
            .where(Comment.chapter == chapter, *where)
            .correlate(Circle, Progress)
            .scalar_subquery()
        )

    live = (
        Comment.circle_id == Circle.id,
        Comment.deleted_at.is_(None),
        Comment.hidden_at.is_(None),
    )
    return db.session.execute(
        select(
            Membership.role,
            progress_chapter,
            progress_paragraph,
            about_chapter(func.count(Comment.id), where=[visible_now]),
            about_chapter(func.max(Comment.updated_at), where=[visible_now]),
            about_chapter(func.count(Comment.id), where=[*live, not_(visible_now)]),
        )
        .select_from(Circle)
        .join(Membership, and_(Membership.circle_id == Circle.id, Membership.user_id == user_id))
        .join(User, and_(User.id == user_id, User.session_version == session_version))
        .outerjoin(Progress, and_(Progress.user_id == user_id, Progress.work_id == Circle.work_id))
        .where(Circle.slug == slug)
    ).first()


# --- threads ---------------------------------------------------------------------------


@dataclass
class Node:
    comment: Comment
    children: list[Node] = field(default_factory=list)
    parent_hidden: bool = False  # a reply whose parent lies beyond the reader (own replies)

    @property
    def reply_count(self) -> int:
        return sum(
            (0 if child.comment.deleted_at else 1) + child.reply_count for child in self.children
        )


def threads(comments: list[Comment]) -> list[Node]:
    """Visible comments as reply trees, oldest first. A deleted comment stays as a
    tombstone only while something visible hangs under it."""
    nodes = {c.id: Node(c) for c in comments}
    roots: list[Node] = []
    for node in nodes.values():
        parent = nodes.get(node.comment.parent_id) if node.comment.parent_id else None
        if parent is not None:
            parent.children.append(node)
        else:
            node.parent_hidden = node.comment.parent_id is not None
            roots.append(node)
    return [n for n in (_prune(r) for r in roots) if n is not None]


def _prune(node: Node) -> Node | None:
    node.children = [c for c in (_prune(child) for child in node.children) if c is not None]
    if node.comment.deleted_at and not node.children:
        return None
    return node


def find_node(roots: list[Node], comment_id: int) -> Node | None:
    for node in roots:
        if node.comment.id == comment_id:
            return node
        if found := find_node(node.children, comment_id):
            return found
    return None


# --- writing ---------------------------------------------------------------------------


def clean_body(body: str | None) -> str:
    body = (body or "").strip()
    if not body:
        raise DiscussionError(400, "Your comment is empty.")
    if len(body) > MAX_LENGTH:
        raise DiscussionError(
            413, f"Comments can be at most {MAX_LENGTH:,} characters; this one has {len(body):,}."
        )
    return body


def level_floor(chapter: int, paragraph: int | None, parent: Comment | None) -> Position:
    anchor = Position(chapter, paragraph or 0)
    return max(anchor, parent.level) if parent else anchor


def level_choices(
    shape: spoilers.Shape, floor: Position, progress: Position
) -> list[tuple[Position, str]]:
    """The spoiler levels a poster may pick (rule 1): from where they are down to the
    anchor, at the chapter ends between."""
    top = max(progress, floor)
    choices = [(top, f"{shape.describe(top)}{' (where you are)' if top == progress else ''}")]
    for n in range(top.chapter - 1, floor.chapter - 1, -1):
        end = shape.end_of(n)
        if floor < end < top:
            choices.append((end, f"finished chapter {n}"))
    if floor < top:
        choices.append((floor, f"{shape.describe(floor)} (only up to here)"))
    return choices


def post(
    viewer: Viewer,
    chapter: Chapter,
    paragraph_count: int,
    body: str | None,
    *,
    paragraph: int | None = None,
    parent_id: int | None = None,
    level: Position | None = None,
    anchor_key: str | None = None,
) -> Comment:
    """Write a comment (not committed). Raises DiscussionError with the right status."""
    if not viewer.can_post:
        raise DiscussionError(403, "A moderator has paused your posting in this circle.")
    text = clean_body(body)
    parent = None
    if parent_id is not None:
        parent = visible_one(viewer, parent_id)
        if parent.chapter != chapter.number or parent.deleted_at or parent.hidden_at:
            raise DiscussionError(400, "You can only reply to a comment on this chapter.")
        paragraph, anchor_key = parent.paragraph, parent.anchor_key
    if paragraph is not None and not 0 <= paragraph < paragraph_count:
        raise DiscussionError(400, "That paragraph isn't in this chapter.")
    floor = level_floor(chapter.number, paragraph, parent)
    chosen = spoilers.choose_level(viewer.progress, floor, level)
    if chosen is None:
        raise DiscussionError(
            400,
            "That spoiler level isn't allowed: pick between this passage and where you are.",
        )
    if parent is not None:
        chosen = spoilers.reply_level(parent.level, chosen)
    comment = Comment(
        circle_id=viewer.circle_id,
        chapter=chapter.number,
        paragraph=paragraph,
        anchor_key=anchor_key,
        parent_id=parent.id if parent else None,
        author_id=viewer.user_id,
        body_source=text,
        body_html=markdown_html(text),
        level_chapter=chosen.chapter,
        level_paragraph=chosen.paragraph,
    )
    db.session.add(comment)
    return comment


def own_comment(viewer: Viewer, comment_id: int) -> Comment:
    comment = visible_one(viewer, comment_id)
    if comment.author_id != viewer.user_id:
        raise DiscussionError(403, "You can only change your own comments.")
    if comment.deleted_at:
        raise DiscussionError(409, "That comment was deleted.")
    return comment


def edit(viewer: Viewer, comment_id: int, body: str | None) -> Comment:
    comment = own_comment(viewer, comment_id)
    text = clean_body(body)
    if text != comment.body_source:
        comment.revisions.append(
            CommentRevision(
                body_source=comment.body_source,
                body_html=comment.body_html,
                created_at=comment.edited_at or comment.created_at,
            )
        )
        comment.body_source, comment.body_html = text, markdown_html(text)
        comment.edited_at = comment.updated_at = utcnow()
    return comment


def delete(viewer: Viewer, comment_id: int) -> bool:
    """Delete one's own comment; a comment with replies becomes a tombstone so the thread
    keeps its shape. Returns True when a tombstone was left."""
    comment = own_comment(viewer, comment_id)
    has_replies = db.session.scalar(
        select(func.count(Comment.id)).where(Comment.parent_id == comment.id)
    )
    if not has_replies:
        db.session.delete(comment)
        return False
    comment.body_source = comment.body_html = ""
    comment.revisions.clear()
    comment.deleted_at = comment.updated_at = utcnow()
    return True


def report(viewer: Viewer, comment_id: int, reason: str | None) -> Report:
    comment = visible_one(viewer, comment_id)
    reason = (reason or "").strip()
    if not reason:
        raise DiscussionError(400, "Please say briefly what is wrong with the comment.")
    if len(reason) > 500:
        raise DiscussionError(400, "Keep the reason under 500 characters.")
    duplicate = db.session.scalar(
        select(Report.id).where(
            Report.comment_id == comment.id, Report.reporter_id == viewer.user_id
        )
    )
    if duplicate:
        raise DiscussionError(409, "You've already reported this comment.")
    row = Report(comment_id=comment.id, reporter_id=viewer.user_id, reason=reason)
    db.session.add(row)
    return row


def in_circle(viewer: Viewer, comment_id: int) -> Comment:
    """A comment of the viewer's circle, for moderators acting on it; visibility is not
    required (they may act on a report without reading ahead), text is not shown."""
    comment = db.session.scalar(
        select(Comment).where(Comment.id == comment_id, Comment.circle_id == viewer.circle_id)
    )
    if comment is None:
        raise DiscussionError(404, "That comment isn't part of this circle.")
    return comment


def set_hidden(viewer: Viewer, comment_id: int, hidden: bool) -> bool:
    """Hide or show a comment, resolving its open reports; returns whether it was hidden
    before (showing a visible one is how a moderator dismisses its reports)."""
    comment = in_circle(viewer, comment_id)
    was_hidden = comment.hidden_at is not None
    comment.hidden_at = utcnow() if hidden else None
    comment.hidden_by_id = viewer.user_id if hidden else None
    comment.updated_at = utcnow()
    db.session.execute(
        update(Report)
        .where(Report.comment_id == comment.id, Report.resolved_at.is_(None))
        .values(resolved_at=utcnow())
    )
    return was_hidden


def moderation_queue(viewer: Viewer) -> list[tuple[Report, Comment, bool]]:
    """Open reports with, for each, whether the moderator has reached the comment: the
    gate decides what they may read without an explicit reveal (rule 3)."""
    rows = db.session.execute(
        select(Report, Comment, has_reached(viewer).label("reached"))
        .join(Comment, Report.comment_id == Comment.id)
        .where(Comment.circle_id == viewer.circle_id, Report.resolved_at.is_(None))
        .options(joinedload(Report.reporter), joinedload(Comment.author))
        .order_by(Report.created_at)
    )
    return [(r, c, bool(reached)) for r, c, reached in rows.all()]


def hidden_comments(viewer: Viewer) -> list[tuple[Comment, bool]]:
    rows = db.session.execute(
        select(Comment, has_reached(viewer).label("reached"))
        .where(Comment.circle_id == viewer.circle_id, Comment.hidden_at.is_not(None))
        .options(joinedload(Comment.author))
        .order_by(Comment.hidden_at.desc())
    )
    return [(c, bool(reached)) for c, reached in rows.all()]
