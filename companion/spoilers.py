"""The spoiler rules, pure: positions, comment levels and who may see what.

No Flask and no database here. `companion.discussion` turns `visible_clause` into the one
SQL filter every surface uses, so no view can forget the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class Position(NamedTuple):
    """A place in the work: (chapter, paragraph), totally ordered.

    Chapter 0 means "not started". The end of chapter N is (N, last paragraph index).
    Comparison is the tuple's own, so (3, 120) < (4, 0)."""

    chapter: int
    paragraph: int

    def __str__(self) -> str:
        if self.chapter == 0:
            return "not started"
        return f"chapter {self.chapter}, paragraph {self.paragraph + 1}"


START = Position(0, 0)


@dataclass(frozen=True)
class Shape:
    """How many paragraphs each chapter has: what a position can be, for one work."""

    paragraph_counts: tuple[int, ...]  # index 0 is chapter 1

    @property
    def chapters(self) -> int:
        return len(self.paragraph_counts)

    def end_of(self, chapter: int) -> Position:
        return Position(chapter, self.paragraph_counts[chapter - 1] - 1)

    @property
    def end(self) -> Position:
        return self.end_of(self.chapters)

    def is_valid(self, position: Position) -> bool:
        if position == START:
            return True
        return (
            1 <= position.chapter <= self.chapters
            and 0 <= position.paragraph < self.paragraph_counts[position.chapter - 1]
        )

    def has_finished(self, progress: Position, chapter: int) -> bool:
        return progress >= self.end_of(chapter)

    def reading_now(self, progress: Position) -> int:
        """The chapter a reader is in the middle of: theirs, or the next once they have
        finished it. Moving as you read stays inside it, so it never skips a chapter."""
        if progress == START:
            return 1
        if self.has_finished(progress, progress.chapter) and progress.chapter < self.chapters:
            return progress.chapter + 1
        return progress.chapter

    def auto_move_allowed(self, progress: Position, target: Position) -> bool:
        """Moving as you read: forward, inside the chapter being read, and never onto its
        last paragraph (finishing a chapter is always the reader's own press)."""
        return (
            target > progress
            and target.chapter == self.reading_now(progress)
            and target < self.end_of(target.chapter)
        )

    def describe(self, position: Position) -> str:
        """A position in a reader's words: "finished chapter 3", "chapter 5, ¶ 51 of 98"."""
        if position == START:
            return "not started"
        if position >= self.end:
            return "finished the work"
        if self.has_finished(position, position.chapter):
            return f"finished chapter {position.chapter}"
        total = self.paragraph_counts[position.chapter - 1]
        return f"chapter {position.chapter}, ¶ {position.paragraph + 1} of {total}"

    def audience(self, level: Position) -> str:
        """Who sees a comment at this level: "readers who finished chapter 3"."""
        where = self.describe(level)
        if where.startswith("finished"):
            return f"readers who {where}"
        return f"readers at {where}" if level != START else "everyone"

    def finished_chapters(self, progress: Position) -> int:
        """How many whole chapters lie behind this position."""
        if progress.chapter == 0:
            return 0
        done = progress.chapter - 1
        return done + 1 if self.has_finished(progress, progress.chapter) else done


def default_level(poster_progress: Position, anchor: Position) -> Position:
    """Rule 1: a comment is as spoilery as its poster's progress, never below its anchor."""
    return max(poster_progress, anchor)


def choose_level(
    poster_progress: Position, anchor: Position, chosen: Position | None
) -> Position | None:
    """The level a poster asked for, if allowed: between the anchor and their progress.

    None means the choice is out of range (the caller answers 400)."""
    if chosen is None:
        return default_level(poster_progress, anchor)
    if anchor <= chosen <= max(poster_progress, anchor):
        return chosen
    return None


def reply_level(parent_level: Position, own_level: Position) -> Position:
    """Rule 2: a reply is at least as spoilery as what it answers."""
    return max(parent_level, own_level)


def can_see(reader_progress: Position, level: Position, *, is_author: bool = False) -> bool:
    """Rule 3, for one comment in the reader's own circle."""
    return is_author or level <= reader_progress
