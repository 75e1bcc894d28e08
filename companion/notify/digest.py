"""What a digest may tell one member about one circle, through the spoiler gate: the
comments newly visible to them in a window (unlocked by their own moves, or posted at or
below their place), the replies to their comments among them, and where they and the
circle stand against the schedule.

One builder for every surface that shows a digest: the in-app "newly unlocked" page, the
settings page's preview and the digest mail (`compose`), so they cannot differ. Nothing
here names a chapter the member has not reached, counts what they cannot see, or says
when anything beyond them happened (DESIGN rule 4)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from .. import charts, comments
from ..comments import Viewer
from ..extensions import db
from ..models import Chapter, Circle, Comment, Progress, ProgressMove, utcnow
from ..spoilers import Position, Shape


@dataclass(frozen=True)
class Standing:
    """Where the member and the circle stand against the schedule: positions, chapter
    numbers and dates only (positions are what the dashboard shows every member)."""

    where: str  # the member's place, "finished chapter 3"
    label: str  # "behind by 1 chapter", "on schedule", "no schedule"
    last_due: tuple[int, date] | None  # the latest chapter due by today
    next_due: tuple[int, date] | None  # the next one after it
    members: int
    by_status: dict[str, int]  # "ahead" / "on schedule" / "behind" → how many members

    @property
    def has_schedule(self) -> bool:
        return self.label != charts.NO_SCHEDULE


@dataclass
class Digest:
    circle: Circle
    viewer: Viewer
    shape: Shape
    before: Position  # where the member stood when the window opened
    since: datetime | None  # when it opened (None: from the beginning)
    replies: list[Comment]  # newly visible replies to the member's own comments
    by_chapter: dict[int, list[Comment]]  # every other newly visible comment
    headings: dict[int, str]  # "Chapter 2: Title" — titles of reached chapters only
    unlocked: int  # how many became visible because the member moved on
    standing: Standing
    comments: list[Comment] = field(default_factory=list)  # all of them, reading order

    @property
    def total(self) -> int:
        return len(self.comments)

    @property
    def posted(self) -> int:
        return self.total - self.unlocked


def reading_order(comment: Comment) -> tuple:
    # Chapter, then where in it (chapter-wide comments first), then when.
    return (comment.chapter, -1 if comment.paragraph is None else comment.paragraph, comment.id)


def chapter_heading(number: int, titles: dict[int, str], progress: Position) -> str:
    """A chapter's name in a member's words: its title only once they have reached it (a
    title can give the story away: "chapter 7", never what chapter 7 is called)."""
    title = titles.get(number, "").strip()
    if title and progress.chapter >= number:
        return f"Chapter {number}: {title}"
    return f"Chapter {number}"


def position_at(user_id: int, work_id: int, moment: datetime) -> Position:
    """Where a reader was at `moment`, from their history of moves."""
    last = db.session.scalar(
        select(ProgressMove)
        .where(
            ProgressMove.user_id == user_id,
            ProgressMove.work_id == work_id,
            ProgressMove.moved_at <= moment,
        )
        .order_by(ProgressMove.moved_at.desc(), ProgressMove.id.desc())
        .limit(1)
    )
    if last is not None:
        return last.after
    first = db.session.scalar(
        select(ProgressMove)
        .where(
            ProgressMove.user_id == user_id,
            ProgressMove.work_id == work_id,
            ProgressMove.moved_at > moment,
        )
        .order_by(ProgressMove.moved_at, ProgressMove.id)
        .limit(1)
    )
    return first.before if first is not None else Progress.of(user_id, work_id)


def standing_of(circle: Circle, viewer: Viewer, shape: Shape, today: date) -> Standing:
    infos = [charts.ChapterInfo(n, "", count) for n, count in enumerate(shape.paragraph_counts, 1)]
    schedule = [charts.ScheduleEntry(e.chapter, e.due) for e in circle.schedule]
    user_ids = [m.user_id for m in circle.memberships]
    places = {
        user_id: (chapter, paragraph)
        for user_id, chapter, paragraph in db.session.execute(
            select(Progress.user_id, Progress.chapter, Progress.paragraph).where(
                Progress.work_id == circle.work_id, Progress.user_id.in_(user_ids)
            )
        )
    }

    def detail(chapter: int, paragraph: int) -> charts.Standing:
        member = charts.MemberProgress("", chapter, paragraph)
        return charts.standing_detail(member, schedule, today, chapters=infos)

    mine = detail(*viewer.progress)
    by_status = Counter(detail(*places.get(uid, (0, 0))).status for uid in user_ids)
    due = [(e.chapter, e.due) for e in schedule if e.due <= today]
    ahead = [(e.chapter, e.due) for e in schedule if e.due > today]
    return Standing(
        where=shape.describe(viewer.progress),
        label=mine.label,
        last_due=max(due, default=None),
        next_due=min(ahead, key=lambda pair: pair[1], default=None),
        members=len(user_ids),
        by_status={s: by_status[s] for s in (charts.AHEAD, charts.ON_SCHEDULE, charts.BEHIND)},
    )


def build(
    circle: Circle,
    viewer: Viewer,
    *,
    before: Position,
    since: datetime | None,
    until: datetime | None = None,
    today: date,
) -> Digest:
    """The digest of a window: what became visible to the viewer after they stood at
    `before` at `since`, read through the gate with their progress now."""
    shape = circle.work.shape()
    new = comments.newly_visible(viewer, before, since, until)
    new.sort(key=reading_order)
    parent_ids = {c.parent_id for c in new if c.parent_id is not None}
    mine = set()
    if parent_ids:
        own = comments.visible(
            viewer, Comment.id.in_(parent_ids), Comment.author_id == viewer.user_id
        )
        mine = {c.id for c in own}
    replies = [c for c in new if c.parent_id in mine]
    by_chapter: dict[int, list[Comment]] = {}
    for comment in new:
        if comment.parent_id not in mine:
            by_chapter.setdefault(comment.chapter, []).append(comment)
    titles = dict(
        db.session.execute(
            select(Chapter.number, Chapter.title).where(Chapter.work_id == circle.work_id)
        ).all()
    )
    numbers = {c.chapter for c in new}
    return Digest(
        circle=circle,
        viewer=viewer,
        shape=shape,
        before=before,
        since=since,
        replies=replies,
        by_chapter=by_chapter,
        headings={n: chapter_heading(n, titles, viewer.progress) for n in numbers},
        unlocked=sum(1 for c in new if c.level > before),
        standing=standing_of(circle, viewer, shape, today),
        comments=new,
    )


def since_last_move(
    circle: Circle, viewer: Viewer, today: date
) -> tuple[Digest, ProgressMove | None]:
    """The in-app page's window: since the member's last step forward (rule 5). A step
    back (or none yet) leaves nothing newly unlocked."""
    move = db.session.scalar(
        select(ProgressMove)
        .where(ProgressMove.user_id == viewer.user_id, ProgressMove.work_id == viewer.work_id)
        .order_by(ProgressMove.moved_at.desc(), ProgressMove.id.desc())
        .limit(1)
    )
    if move is None or move.after <= move.before:
        # An empty window: nothing lies beyond where they are, nothing was posted after now.
        return build(circle, viewer, before=viewer.progress, since=utcnow(), today=today), None
    return build(circle, viewer, before=move.before, since=move.moved_at, today=today), move


def for_window(
    circle: Circle, viewer: Viewer, covers_from: datetime | None, covers_until: datetime | None
) -> Digest:
    """A digest mail's window: from where the member stood at `covers_from` (None: from
    the beginning, before they had read anything)."""
    before = (
        position_at(viewer.user_id, viewer.work_id, covers_from)
        if covers_from is not None
        else Position(0, 0)
    )
    today = (covers_until or utcnow()).date()
    return build(circle, viewer, before=before, since=covers_from, until=covers_until, today=today)
