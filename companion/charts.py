"""Reading-progress charts for a circle's dashboard, drawn as server-rendered SVG.

This module owns the arithmetic behind "where is everyone?" -- a reading position as a
fraction of the work, the chapter the schedule expects to be finished today, whether a
member is ahead of or behind it, how fast they have been reading -- and the SVG that draws
it. It is pure: no database, no Flask app and no clock (callers pass `today`), so the same
inputs always give byte-identical output. Only positions are drawn, never comments.

The site's CSP forbids inline scripts and styles, so the SVG carries no <script>, no
<style> and no style="" attributes. Every element has a class for the site stylesheet and
modest presentation attributes (fill="", stroke="", font-size="") as defaults; any CSS rule
on the class overrides those, because presentation attributes have the lowest precedence.

CSS classes:

    chart                 the <svg> of `progress_chart`; it has a viewBox and no width or
                          height, so give it `width: 100%; height: auto` to scale
    chart-lane            <g> per member: tooltip <title>, name, track, bar and dot
    chart-label           the <text> of member names, chapter numbers and the "chapter"
                          caption (target and due texts are styled through their groups)
    chart-track           the full-width rounded <rect> behind each member's bar
    chart-tick            vertical <line> at each chapter boundary, from the top lane down
                          through the axis (doubles as a faint grid line)
    chart-bar             the member's progress <rect>, from the start of the work
    chart-dot             <circle> at the member's position, at the end of the bar
    standing-ahead        on both chart-bar and chart-dot: the member's standing, so one
    standing-on-schedule  rule like `.standing-behind { fill: ... }` colours bar and dot;
    standing-behind       standing-none when the circle has no schedule
    standing-none
    chart-target          <g> with the vertical "target today" <line> and its <text>;
                          style it as `.chart-target line` and `.chart-target text`
    chart-due             <g> per schedule entry, with a <title> "ch 3 · 12 Dec", a small
                          <polygon> triangle under the axis and, where it fits, the same
                          words as <text>; style as `.chart-due polygon`, `.chart-due text`
    spark                 the <svg> of `pace_sparkline` (fixed width/height attributes)
    spark-bar             one <rect> per week in the sparkline

Positions are paragraph-weighted (see `fraction`), paces count chapters finished (see
`pace`), and a member has finished chapter n once at (n, last paragraph) or beyond.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import pairwise

from markupsafe import Markup, escape

__all__ = [
    "AHEAD",
    "BEHIND",
    "NO_SCHEDULE",
    "ON_SCHEDULE",
    "ChapterInfo",
    "MemberProgress",
    "ScheduleEntry",
    "Standing",
    "chapter_boundaries",
    "chapters_finished",
    "fraction",
    "pace",
    "pace_sparkline",
    "progress_chart",
    "scheduled_chapter",
    "standing",
    "standing_detail",
    "weekly_progress",
]

AHEAD = "ahead"
ON_SCHEDULE = "on schedule"
BEHIND = "behind"
NO_SCHEDULE = "no schedule"


@dataclass(frozen=True)
class ChapterInfo:
    number: int  # 1-based, as shown to readers
    title: str
    paragraphs: int


@dataclass
class MemberProgress:
    name: str
    chapter: int  # 0 = not started
    paragraph: int  # 0-based within the chapter
    # (moved_at, chapter, paragraph) after each move, oldest first.
    history: list[tuple[datetime, int, int]] = field(default_factory=list)


@dataclass(frozen=True)
class ScheduleEntry:
    chapter: int
    due: date  # chapter `chapter` should be finished by the end of this day


@dataclass(frozen=True)
class Standing:
    """Where a member stands against the schedule.

    `status` is one of AHEAD, ON_SCHEDULE, BEHIND, NO_SCHEDULE; `chapters` is how many
    chapters ahead or behind (0 otherwise); `finished` and `target` are the chapter counts
    that were compared (`target` is 0 without a schedule).
    """

    status: str
    chapters: int
    finished: int
    target: int

    @property
    def label(self) -> str:
        if self.status in (AHEAD, BEHIND):
            unit = "chapter" if self.chapters == 1 else "chapters"
            return f"{self.status} by {self.chapters} {unit}"
        return self.status

    @property
    def css_class(self) -> str:
        return {
            AHEAD: "standing-ahead",
            ON_SCHEDULE: "standing-on-schedule",
            BEHIND: "standing-behind",
        }.get(self.status, "standing-none")


# --- positions -------------------------------------------------------------------------


def _ordered(chapters: Sequence[ChapterInfo]) -> list[ChapterInfo]:
    return sorted(chapters, key=lambda info: info.number)


def _weight(info: ChapterInfo) -> int:
    # A chapter with no paragraphs still gets a sliver of axis, so its boundary tick does
    # not sit on top of its neighbour's and the total can never be zero.
    return max(info.paragraphs, 1)


def chapter_boundaries(chapters: Sequence[ChapterInfo]) -> list[float]:
    """Fractions of the work at which each chapter ends: [0.0, end of ch 1, ..., 1.0].

    Index n is the end of chapter n (in chapter order), so `fraction` of a member who
    finished chapter n equals `chapter_boundaries(chapters)[n]`.
    """
    ordered = _ordered(chapters)
    total = sum(_weight(info) for info in ordered)
    boundaries = [0.0]
    done = 0
    for info in ordered:
        done += _weight(info)
        boundaries.append(done / total)
    return boundaries


def fraction(chapters: Sequence[ChapterInfo], chapter: int, paragraph: int) -> float:
    """The position (chapter, paragraph) as a fraction 0..1 of the work.

    Chapters are weighted by paragraph count, so the bar shows how much of the text has
    been read and a long chapter takes up more axis than a short one. The paragraph a
    member is at counts as read: (n, last paragraph) lands exactly on the end of chapter
    n, (n, 0) just after its start, and chapter 0 ("not started") is 0.0. Positions past
    the end of the work are 1.0 and paragraphs outside the chapter are clamped.
    """
    ordered = _ordered(chapters)
    if chapter <= 0 or not ordered:
        return 0.0
    total = sum(_weight(info) for info in ordered)
    done = 0
    for info in ordered:
        if info.number == chapter:
            inside = min(max(paragraph, 0) + 1, _weight(info))
            return (done + inside) / total
        if info.number > chapter:
            # A gap in the numbering: treat the missing chapter as the start of the next.
            return done / total
        done += _weight(info)
    return 1.0


def chapters_finished(
    chapter: int, paragraph: int, chapters: Sequence[ChapterInfo] | None = None
) -> int:
    """How many chapters the position (chapter, paragraph) has finished.

    Chapter n is finished at (n, last paragraph) or beyond. Knowing where a chapter ends
    needs its paragraph count: without `chapters`, a member inside chapter n is counted as
    having finished n - 1, which is one short for a member parked on the last paragraph.
    """
    if chapter <= 0:
        return 0
    if not chapters:
        return chapter - 1
    ordered = _ordered(chapters)
    if chapter > ordered[-1].number:
        return ordered[-1].number
    for info in ordered:
        if info.number == chapter:
            return chapter if paragraph >= _weight(info) - 1 else chapter - 1
    return chapter - 1


# --- schedule --------------------------------------------------------------------------


def scheduled_chapter(schedule: Sequence[ScheduleEntry] | None, today: date) -> int:
    """The highest chapter due on or before `today`, or 0 if nothing is due yet."""
    return max((entry.chapter for entry in schedule or () if entry.due <= today), default=0)


def standing_detail(
    member: MemberProgress,
    schedule: Sequence[ScheduleEntry] | None,
    today: date,
    *,
    chapters: Sequence[ChapterInfo] | None = None,
) -> Standing:
    """Compare chapters finished with chapters due today (pass `chapters`, see below).

    Ahead means more chapters finished than are due; a member reading the next chapter
    but not through it yet is on schedule. `chapters` tells where each chapter ends (see
    `chapters_finished`) and caps a schedule that names chapters the work does not have.
    """
    finished = chapters_finished(member.chapter, member.paragraph, chapters)
    if not schedule:
        return Standing(NO_SCHEDULE, 0, finished, 0)
    target = scheduled_chapter(schedule, today)
    if chapters:
        target = min(target, _ordered(chapters)[-1].number)
    difference = finished - target
    if difference > 0:
        return Standing(AHEAD, difference, finished, target)
    if difference < 0:
        return Standing(BEHIND, -difference, finished, target)
    return Standing(ON_SCHEDULE, 0, finished, target)


def standing(
    member: MemberProgress,
    schedule: Sequence[ScheduleEntry] | None,
    today: date,
    *,
    chapters: Sequence[ChapterInfo] | None = None,
) -> str:
    """The standing as words: e.g. "ahead by 2 chapters", "behind by 1 chapter", "on
    schedule" or "no schedule". `standing_detail` has the numbers behind it."""
    return standing_detail(member, schedule, today, chapters=chapters).label


# --- pace ------------------------------------------------------------------------------


def _finished_by(member: MemberProgress, day: date, chapters: Sequence[ChapterInfo] | None) -> int:
    """Chapters finished at the end of `day`, from the last move made on or before it.

    Days, not instants, so naive and timezone-aware history timestamps both work; with no
    move yet the member had not started, because the history holds every move.
    """
    position = (0, 0)
    for moved_at, chapter, paragraph in member.history:
        if moved_at.date() > day:
            break
        position = (chapter, paragraph)
    return chapters_finished(*position, chapters)


def pace(
    member: MemberProgress,
    today: date,
    weeks: int = 4,
    *,
    chapters: Sequence[ChapterInfo] | None = None,
) -> float:
    """Chapters finished per week over the `weeks` weeks ending with `today` (inclusive).

    Counted as chapter boundaries crossed, net: chapters finished at the end of today
    minus chapters finished just before the window opened, divided by `weeks`, and never
    below 0. Net rather than every forward move, so jumping back to re-read and returning
    is not counted twice and an accidental jump ahead that was undone counts as nothing;
    a member who ends the window behind where they started reads 0, not a negative pace.
    Pass `chapters` so a member on a chapter's last paragraph counts it as finished.
    """
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    before = _finished_by(member, today - timedelta(weeks=weeks), chapters)
    gained = _finished_by(member, today, chapters) - before
    return max(gained, 0) / weeks


def weekly_progress(
    member: MemberProgress,
    today: date,
    weeks: int = 6,
    *,
    chapters: Sequence[ChapterInfo] | None = None,
) -> list[int]:
    """Chapters finished in each of the last `weeks` weeks, oldest first; the last week
    ends with `today`. Each week is net and clamped at 0 like `pace`, so the weeks can add
    up to more than `pace * weeks` when a member moved back in one week and on in the next.
    """
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    ends = [today - timedelta(weeks=weeks - k) for k in range(weeks + 1)]
    counts = [_finished_by(member, end, chapters) for end in ends]
    return [max(later - earlier, 0) for earlier, later in pairwise(counts)]


# --- SVG helpers -----------------------------------------------------------------------

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Characters XML 1.0 forbids even as references: escaping cannot save them, so drop them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_MIDDLE_DOT = "\u00b7"
_ELLIPSIS = "\u2026"


def _text(value: object) -> str:
    """Text or attribute content, XML-escaped (& < > " ') and stripped of invalid chars."""
    return str(escape(_NOT_XML.sub("", str(value))))


def _n(value: float) -> str:
    """A coordinate with at most one decimal, so output is short and stable."""
    rounded = round(value, 1)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.1f}"


def _short_date(day: date, today: date) -> str:
    # Month names from a table, not strftime, so the output does not depend on the locale.
    label = f"{day.day} {_MONTHS[day.month - 1]}"
    return label if day.year == today.year else f"{label} {day.year}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _position_text(chapters: Sequence[ChapterInfo], chapter: int, paragraph: int) -> str:
    """E.g. "chapter 3, paragraph 12 of 104", counting paragraphs from 1 as readers do."""
    if chapter <= 0:
        return "not started"
    for info in chapters:
        if info.number == chapter:
            shown = min(max(paragraph, 0), _weight(info) - 1) + 1
            return f"chapter {chapter}, paragraph {shown} of {info.paragraphs}"
    return f"chapter {chapter}, paragraph {max(paragraph, 0) + 1}"


def _short_name(name: str, limit: int = 20) -> str:
    # The label column is narrow; the full name stays in the lane's tooltip.
    return name if len(name) <= limit else name[: limit - 1] + _ELLIPSIS


# --- progress chart --------------------------------------------------------------------

WIDTH = 720
NAME_RIGHT = 142  # names are right-aligned against this x
TRACK_LEFT = 150
TRACK_RIGHT = 700
LANE_HEIGHT = 26
DIGIT_WIDTH = 6.0  # a digit at font-size 10, roughly; used to keep labels apart
NICE_STEPS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)

_FILLS = {
    "standing-ahead": "#2e7d32",
    "standing-on-schedule": "#1565c0",
    "standing-behind": "#c62828",
    "standing-none": "#546e7a",
}


def _x(part: float) -> float:
    return TRACK_LEFT + part * (TRACK_RIGHT - TRACK_LEFT)


def _thin(positions: list[tuple[float, float]]) -> list[int]:
    """Indexes of labels to draw, left to right, so that none overlap.

    `positions` is (x, width) per label. Greedy from the left, but the last label always
    stays (the final chapter matters most), dropping its neighbour if they collide.
    """
    kept: list[int] = []
    for index, (x, width) in enumerate(positions):
        if not kept or x - width / 2 >= _right_edge(positions[kept[-1]]):
            kept.append(index)
    last = len(positions) - 1
    if positions and kept[-1] != last:
        while kept and _right_edge(positions[kept[-1]]) > positions[last][0] - (
            positions[last][1] / 2
        ):
            kept.pop()
        kept.append(last)
    return kept


def _chapter_numbers(chapters: list[ChapterInfo], boundaries: list[float], y: int) -> list[str]:
    """Chapter numbers under their end ticks: every chapter when they fit, else every
    2nd, 5th, 10th... (a regular step reads better than a ragged one), thinned again where
    paragraph weighting crowds them, and always the last chapter."""
    if not chapters:
        return []
    label_width = DIGIT_WIDTH * len(str(chapters[-1].number)) + 4
    average_gap = (TRACK_RIGHT - TRACK_LEFT) / len(chapters)
    step = next((s for s in NICE_STEPS if s * average_gap >= label_width), NICE_STEPS[-1])
    chosen = [
        index
        for index, info in enumerate(chapters)
        if info.number % step == 0 or index == len(chapters) - 1
    ]
    positions = [
        (_x(boundaries[index + 1]), DIGIT_WIDTH * len(str(chapters[index].number)))
        for index in chosen
    ]
    return [
        f'<text class="chart-label" x="{_n(positions[k][0])}" y="{y}" text-anchor="middle" '
        f'font-size="10" fill="currentColor">{chapters[chosen[k]].number}</text>'
        for k in _thin(positions)
    ]


def _right_edge(position: tuple[float, float]) -> float:
    x, width = position
    return x + width / 2 + 4


def progress_chart(
    chapters: Sequence[ChapterInfo],
    members: Sequence[MemberProgress],
    schedule: Sequence[ScheduleEntry] | None,
    today: date,
) -> Markup:
    """Every member's position along the work as an accessible SVG, one lane per member
    in the order given. With a schedule, adds the "target today" line, due-date markers
    on the axis and each member's standing as a bar class (and in the tooltip, so the
    standing is not conveyed by colour alone).
    """
    ordered = _ordered(chapters)
    boundaries = chapter_boundaries(ordered)
    has_schedule = bool(schedule)
    top = 30 if has_schedule else 10  # room above the lanes for the target label
    axis_y = top + len(members) * LANE_HEIGHT + 4
    height = axis_y + (46 if has_schedule else 24)

    parts: list[str] = []
    standings = [standing_detail(m, schedule, today, chapters=ordered) for m in members]

    # Title and description first: they are the accessible name and description.
    parts.append("<title>Reading progress</title>")
    target = _target_chapter(ordered, schedule, today) if schedule else None
    parts.append(f"<desc>{_text(_summary(ordered, members, standings, target))}</desc>")

    # Ticks first so the tracks and bars paint over them.
    for part in boundaries:
        x = _n(_x(part))
        parts.append(
            f'<line class="chart-tick" x1="{x}" y1="{top}" x2="{x}" y2="{axis_y + 5}" '
            'stroke="#cfd8dc" stroke-width="1"/>'
        )
    parts.append(
        f'<text class="chart-label" x="{NAME_RIGHT}" y="{axis_y + 16}" text-anchor="end" '
        'font-size="10" fill="currentColor">chapter</text>'
    )
    parts.extend(_chapter_numbers(ordered, boundaries, axis_y + 16))

    for row, (member, result) in enumerate(zip(members, standings, strict=True)):
        parts.append(_lane(ordered, member, result, top + row * LANE_HEIGHT, has_schedule))

    if schedule:
        parts.append(_target(ordered, boundaries, schedule, today, top, axis_y))
        parts.extend(_due_markers(ordered, boundaries, schedule, today, axis_y))

    body = "".join(parts)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}">{body}</svg>'
    )


def _summary(
    chapters: list[ChapterInfo],
    members: Sequence[MemberProgress],
    standings: list[Standing],
    target: int | None,
) -> str:
    """The <desc>: member count, furthest chapter and, with a schedule, today's target and
    how many members are ahead, on schedule and behind."""
    sentence = _plural(len(members), "member")
    started = [m for m in members if m.chapter > 0]
    if started:
        furthest = max(started, key=lambda m: fraction(chapters, m.chapter, m.paragraph))
        shown = min(furthest.chapter, _last_number(chapters)) if chapters else furthest.chapter
        sentence += f"; furthest: chapter {shown}"
    elif members:
        sentence += "; nobody has started"
    if target is not None:
        sentence += f"; target today: {f'chapter {target}' if target else 'nothing due yet'}"
        counts = [
            f"{sum(s.status == status for s in standings)} {status}"
            for status in (AHEAD, ON_SCHEDULE, BEHIND)
        ]
        sentence += "; " + ", ".join(counts)
    return sentence + "."


def _last_number(chapters: list[ChapterInfo]) -> int:
    # A position past the last chapter is shown as the last chapter.
    return chapters[-1].number if chapters else 0


def _target_chapter(
    chapters: list[ChapterInfo], schedule: Sequence[ScheduleEntry], today: date
) -> int:
    """Today's scheduled chapter, capped at the work's last chapter as `standing_detail`
    caps it."""
    target = scheduled_chapter(schedule, today)
    return min(target, _last_number(chapters)) if chapters else target


def _lane(
    chapters: list[ChapterInfo],
    member: MemberProgress,
    result: Standing,
    lane_top: int,
    has_schedule: bool,
) -> str:
    middle = lane_top + LANE_HEIGHT // 2
    end = _x(fraction(chapters, member.chapter, member.paragraph))
    tooltip = f"{member.name}: {_position_text(chapters, member.chapter, member.paragraph)}"
    if has_schedule:
        tooltip += f" ({result.label})"
    fill = _FILLS[result.css_class]
    track_width = TRACK_RIGHT - TRACK_LEFT
    return (
        '<g class="chart-lane">'
        f"<title>{_text(tooltip)}</title>"
        f'<text class="chart-label" x="{NAME_RIGHT}" y="{middle + 4}" text-anchor="end" '
        f'font-size="12" fill="currentColor">{_text(_short_name(member.name))}</text>'
        f'<rect class="chart-track" x="{TRACK_LEFT}" y="{middle - 4}" width="{track_width}" '
        'height="8" rx="4" fill="#eceff1"/>'
        f'<rect class="chart-bar {result.css_class}" x="{TRACK_LEFT}" y="{middle - 4}" '
        f'width="{_n(end - TRACK_LEFT)}" height="8" rx="4" fill="{fill}"/>'
        f'<circle class="chart-dot {result.css_class}" cx="{_n(end)}" cy="{middle}" r="5" '
        f'fill="{fill}" stroke="#ffffff" stroke-width="1.5"/>'
        "</g>"
    )


def _boundary_x(chapters: list[ChapterInfo], boundaries: list[float], chapter: int) -> float:
    """x of the end of chapter `chapter` (0 = the start), clamped to the work."""
    index = sum(1 for info in chapters if info.number <= chapter)
    return _x(boundaries[index])


def _target(
    chapters: list[ChapterInfo],
    boundaries: list[float],
    schedule: Sequence[ScheduleEntry],
    today: date,
    top: int,
    axis_y: int,
) -> str:
    target = _target_chapter(chapters, schedule, today)
    x = _boundary_x(chapters, boundaries, target)
    label = f"target today: end of ch {target}" if target else "target today: nothing due yet"
    # Keep the label inside the viewBox when the line is near either edge.
    if x > TRACK_RIGHT - 90:
        anchor = "end"
    elif x < TRACK_LEFT + 90:
        anchor = "start"
    else:
        anchor = "middle"
    return (
        '<g class="chart-target">'
        f'<line x1="{_n(x)}" y1="{top - 8}" x2="{_n(x)}" y2="{axis_y + 5}" '
        'stroke="#d97706" stroke-width="2" stroke-dasharray="4 3"/>'
        f'<text x="{_n(x)}" y="{top - 12}" text-anchor="{anchor}" font-size="11" '
        f'fill="#b45309">{_text(label)}</text>'
        "</g>"
    )


def _due_markers(
    chapters: list[ChapterInfo],
    boundaries: list[float],
    schedule: Sequence[ScheduleEntry],
    today: date,
    axis_y: int,
) -> list[str]:
    entries = sorted(schedule, key=lambda entry: (entry.chapter, entry.due))
    labels = [
        f"ch {entry.chapter} {_MIDDLE_DOT} {_short_date(entry.due, today)}" for entry in entries
    ]
    xs = [_boundary_x(chapters, boundaries, entry.chapter) for entry in entries]
    # Roughly 5.4 units per character at font-size 9. A label is centred under its marker
    # but pushed inward at the edges so it stays inside the viewBox; overlaps are thinned
    # on those final positions. Every marker keeps its <title> either way.
    widths = [5.4 * len(label) for label in labels]
    centres = [
        min(max(x, width / 2 + 2), WIDTH - width / 2 - 2)
        for x, width in zip(xs, widths, strict=True)
    ]
    visible = set(_thin(list(zip(centres, widths, strict=True))))
    marker_y = axis_y + 22
    markers = []
    for index, (x, label) in enumerate(zip(xs, labels, strict=True)):
        points = f"{_n(x - 4)},{marker_y + 7} {_n(x + 4)},{marker_y + 7} {_n(x)},{marker_y}"
        text = ""
        if index in visible:
            text = (
                f'<text x="{_n(centres[index])}" y="{marker_y + 18}" text-anchor="middle" '
                f'font-size="9" fill="#b45309">{_text(label)}</text>'
            )
        markers.append(
            f'<g class="chart-due"><title>{_text(label)}</title>'
            f'<polygon points="{points}" fill="#d97706"/>{text}</g>'
        )
    return markers


# --- sparkline -------------------------------------------------------------------------

SPARK_HEIGHT = 20
SPARK_STEP = 8  # bar width 6 plus a gap of 2


def pace_sparkline(
    member: MemberProgress,
    today: date,
    weeks: int = 6,
    *,
    chapters: Sequence[ChapterInfo] | None = None,
) -> Markup:
    """A tiny bar chart of chapters finished per week (see `weekly_progress`), oldest on
    the left, for a table cell. Bars scale to the busiest week; an empty week is a 1-unit
    stub so the baseline stays visible. Every bar has a tooltip with its week and count.
    """
    counts = weekly_progress(member, today, weeks, chapters=chapters)
    tallest = max(max(counts), 1)
    width = weeks * SPARK_STEP - 2
    first_end = today - timedelta(weeks=weeks - 1)
    bars = []
    for week, count in enumerate(counts):
        bar_height = max(round(count / tallest * (SPARK_HEIGHT - 2), 1), 1)
        week_end = first_end + timedelta(weeks=week)
        tip = f"week to {_short_date(week_end, today)}: {_plural(count, 'chapter')}"
        bars.append(
            f'<rect class="spark-bar" x="{week * SPARK_STEP}" '
            f'y="{_n(SPARK_HEIGHT - bar_height)}" width="6" height="{_n(bar_height)}" '
            f'fill="#546e7a"><title>{_text(tip)}</title></rect>'
        )
    title = f"{member.name}: chapters finished per week, last {_plural(weeks, 'week')}"
    desc = ", ".join(str(count) for count in counts) + " (oldest first)"
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="spark" role="img" '
        f'viewBox="0 0 {width} {SPARK_HEIGHT}" width="{width}" height="{SPARK_HEIGHT}">'
        f"<title>{_text(title)}</title><desc>{_text(desc)}</desc>{''.join(bars)}</svg>"
    )
