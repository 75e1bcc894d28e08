"""Where a work's old paragraphs went in its new version, and what that means for the
positions people left in it (comment anchors, spoiler levels, reading progress).

Pure: plain texts in, a `Matching` out; no Flask, no queries. `companion.library.store`
applies it to the rows.

How paragraphs are matched, in order of trust:
1. chapters first, so an inserted chapter does not shift everything after it: by the
   exact paragraphs they share and their titles, aligned in order; chapters left over
   between two aligned ones are then compared by their words;
2. inside each pair of chapters, paragraphs whose words are unchanged (case, punctuation
   and spacing ignored, as `anchor_keys` ignores them), aligned in order;
3. between two such exact matches, the old and new paragraphs are aligned word by word:
   an old paragraph that kept at least `KEPT_SHARE` of its words is matched to the new
   paragraph holding most of them (a split paragraph goes to its biggest piece, the first
   on a tie; merged paragraphs all go to the one they became);
4. what is still unmatched is looked for in the neighbouring chapters (a paragraph moved
   across a chapter break): the same words, else a close `fuzz.ratio`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from ..models import anchor_words
from ..spoilers import START, Position

# A paragraph that kept this share of its words is the same paragraph, edited. A fixed
# typo keeps ~95% of a paragraph's words and a reworded clause in a three-sentence
# paragraph ~70%; below 60% more than a sentence in two has changed, and a comment about
# it would point readers at text that no longer says what the comment answers.
KEPT_SHARE = 0.6
# A new paragraph holds a piece of an old one when it took at least this share of its
# words (and two words), or is mostly made of them: less is coincidence, "the" and "said"
# aligned across a rewrite.
PIECE_SHARE = 0.2
# Matching across a chapter break has no order to lean on, so it asks for more:
# `fuzz.ratio` (0-100) of the normalized texts; a typo or two in a paragraph scores 90+.
MOVED_CUTOFF = 85.0
# Chapters: how much of an old chapter's text a new chapter must share to be "the same".
CHAPTER_SHARE = 0.2
TITLE_WEIGHT = 0.5
# Word-by-word alignment costs len(old words) x len(new words); beyond this a long run
# of edited paragraphs is first cut at paragraphs that still closely match.
WORD_ALIGN_LIMIT = 40_000_000
ANCHOR_WINDOW = 25

# What matching compares: the words, lowercased, without punctuation or spacing.
words = anchor_words


@dataclass(frozen=True)
class ChapterText:
    number: int
    title: str
    paragraphs: Sequence[str]


@dataclass(frozen=True)
class Landing:
    """Where one old paragraph is in the new text (new chapter number, paragraph indexes)."""

    chapter: int
    paragraph: int  # the new paragraph holding most of it: where its comments go
    first: int  # the first and last new paragraphs holding a piece of it
    last: int
    exact: bool


@dataclass
class Matching:
    """Old positions → new ones. Old positions use the old chapter numbers."""

    chapters: dict[int, int | None]  # old chapter number → new number, None: gone
    paragraphs: dict[tuple[int, int], Landing | None]
    old_counts: dict[int, int]
    new_counts: dict[int, int]
    # For each new paragraph, the latest old paragraph whose text went into it.
    sources: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)

    # --- the counts a version records -----------------------------------------------

    def counts(self) -> dict[str, int]:
        landings = list(self.paragraphs.values())
        matched = set(self.chapters.values())
        return {
            "exact": sum(1 for x in landings if x is not None and x.exact),
            "fuzzy": sum(1 for x in landings if x is not None and not x.exact),
            "fell_back": sum(1 for x in landings if x is None),
            "chapters_added": sum(1 for n in self.new_counts if n not in matched),
            "chapters_removed": sum(1 for n in self.chapters.values() if n is None),
            "paragraphs_added": sum(
                1
                for chapter, count in self.new_counts.items()
                for i in range(count)
                if (chapter, i) not in self.sources
            ),
        }

    # --- positions -------------------------------------------------------------------

    def landing(self, chapter: int, paragraph: int) -> Landing | None:
        return self.paragraphs.get((chapter, paragraph))

    def chapter_for(self, old_chapter: int) -> int | None:
        """The new chapter an old one became; None when it is gone."""
        return self.chapters.get(old_chapter)

    def fallback_chapter(self, old_chapter: int) -> int:
        """Where things of a gone chapter go: the chapter the nearest earlier surviving
        chapter became, else the first chapter."""
        for number in sorted((n for n in self.old_counts if n <= old_chapter), reverse=True):
            if (new := self.chapters.get(number)) is not None:
                return new
        return min(self.new_counts) if self.new_counts else 1

    def level(self, old: Position) -> Position:
        """A spoiler level in the new text, never earlier than it was (a level is a
        promise to the readers behind it): the later of the old position and where its
        paragraph went; a level whose paragraph is gone moves to the next surviving one,
        and a "finished chapter N" level stays at the end of the chapter N became."""
        if old == START or not self.new_counts:
            return old
        old = self._clamp_old(old)
        # Where the level's own paragraph went, else the next surviving paragraph: either
        # holds text from beyond every reader the level was hiding the comment from, so it
        # stays beyond their new places too (see `progress`).
        if (land := self.landing(*old)) is not None:
            target = Position(land.chapter, land.last)
        else:
            for later in self._old_after(old):
                if (land := self.landing(*later)) is not None:
                    target = Position(land.chapter, land.paragraph)
                    break
            else:
                target = self._end()
        new_chapter = self.chapters.get(old.chapter)
        if new_chapter is not None and old.paragraph == self.old_counts[old.chapter] - 1:
            target = max(target, self._end_of(new_chapter))
        return self._fit_forward(max(old, target))

    def progress(self, old: Position) -> Position:
        """A reader's place in the new text, never forward (that would unlock comments
        about text they have not read): where their paragraph went; when it is gone, the
        nearest earlier surviving paragraph; stepping back off a paragraph that also
        holds text from further on (two paragraphs merged)."""
        if old == START or not self.new_counts:
            return START
        old = self._clamp_old(old)
        land = self.landing(*old)
        if land is None:
            for earlier in self._old_before(old):
                if (land := self.landing(*earlier)) is not None:
                    break
            else:
                return START
        place = Position(land.chapter, land.last)
        # Not past the first new paragraph that holds text from beyond the old place: a
        # reader must have read everything up to their new place (a swapped paragraph,
        # or one moved across a chapter break, must not carry them past unread text).
        unread = bisect_right(self._read_up_to, tuple(old))
        if unread < len(self._new_positions):
            first_unread = Position(*self._new_positions[unread])
            if place >= first_unread:
                place = self._before(first_unread)
        return place

    # --- helpers over the two shapes ----------------------------------------------------

    def _clamp_old(self, old: Position) -> Position:
        count = self.old_counts.get(old.chapter, 0)
        if count == 0:
            return old
        return Position(old.chapter, min(old.paragraph, count - 1))

    @cached_property
    def _old_positions(self) -> list[tuple[int, int]]:
        return [(c, p) for c in sorted(self.old_counts) for p in range(self.old_counts[c])]

    @cached_property
    def _new_positions(self) -> list[tuple[int, int]]:
        return [(c, p) for c in sorted(self.new_counts) for p in range(self.new_counts[c])]

    @cached_property
    def _read_up_to(self) -> list[tuple[int, int]]:
        """For each new paragraph in reading order, the latest old paragraph whose text is
        in it or before it (added text counts as nothing): a reader who had read up to old
        position P has read every new paragraph before the first entry beyond P."""
        latest, running = (0, -1), []
        for position in self._new_positions:
            latest = max(latest, self.sources.get(position, (0, -1)))
            running.append(latest)
        return running

    def _old_after(self, old: Position):
        positions = self._old_positions
        return (positions[k] for k in range(bisect_right(positions, tuple(old)), len(positions)))

    def _old_before(self, old: Position):
        positions = self._old_positions
        return (positions[k] for k in range(bisect_left(positions, tuple(old)) - 1, -1, -1))

    def _end_of(self, new_chapter: int) -> Position:
        return Position(new_chapter, max(self.new_counts[new_chapter] - 1, 0))

    def _end(self) -> Position:
        return self._end_of(max(self.new_counts))

    def _before(self, place: Position) -> Position:
        if place.paragraph > 0:
            return Position(place.chapter, place.paragraph - 1)
        earlier = [n for n in self.new_counts if n < place.chapter and self.new_counts[n]]
        return self._end_of(max(earlier)) if earlier else START

    def _fit_forward(self, place: Position) -> Position:
        """A position that exists in the new text, at or after `place`; past the last
        paragraph of the work, the end of the work (no reader could ever pass a level
        beyond it, so the comment would be hidden for good)."""
        for number in sorted(self.new_counts):
            if number < place.chapter or not self.new_counts[number]:
                continue
            if number > place.chapter:
                return Position(number, 0)
            if place.paragraph < self.new_counts[number]:
                return place
        return self._end()


# --- matching -------------------------------------------------------------------------


def match(old: Sequence[ChapterText], new: Sequence[ChapterText]) -> Matching:
    """Where each old paragraph went in the new chapters."""
    old_words = [[words(p) for p in c.paragraphs] for c in old]
    new_words = [[words(p) for p in c.paragraphs] for c in new]
    old_keys = [[" ".join(w) for w in c] for c in old_words]
    new_keys = [[" ".join(w) for w in c] for c in new_words]

    pairs = _match_chapters(old, new, old_keys, new_keys, old_words, new_words)
    result = Matching(
        chapters={c.number: None for c in old},
        paragraphs={(c.number, i): None for c in old for i in range(len(c.paragraphs))},
        old_counts={c.number: len(c.paragraphs) for c in old},
        new_counts={c.number: len(c.paragraphs) for c in new},
    )
    claimed: set[tuple[int, int]] = set()  # new (chapter index, paragraph) already taken

    def land(o: int, i: int, n: int, anchor: int, first: int, last: int, exact: bool):
        result.paragraphs[(old[o].number, i)] = Landing(new[n].number, anchor, first, last, exact)

    def feed(o: int, i: int, n: int, j: int):
        claimed.add((n, j))
        source, key = (old[o].number, i), (new[n].number, j)
        result.sources[key] = max(result.sources.get(key, source), source)

    for o, n in pairs:
        result.chapters[old[o].number] = new[n].number
        for i, j in _exact_pairs(old_keys[o], new_keys[n]):
            land(o, i, n, j, j, j, True)
            feed(o, i, n, j)
        for i, pieces in _fuzzy_pieces(old_keys[o], new_keys[n], old_words[o], new_words[n]):
            anchor = max(pieces, key=lambda j: (pieces[j], -j))
            land(o, i, n, anchor, min(pieces), max(pieces), False)
            for j in pieces:
                feed(o, i, n, j)

    _match_moved(old, new, old_keys, new_keys, pairs, result, claimed, land, feed)
    return result


def _match_chapters(old, new, old_keys, new_keys, old_words, new_words) -> list[tuple[int, int]]:
    """(old index, new index) of chapters that are the same chapter, in order."""
    where: dict[str, set[int]] = defaultdict(set)
    for n, keys in enumerate(new_keys):
        for key in keys:
            if len(key.split()) >= 3:  # "Yes." or a scene break says nothing of a chapter
                where[key].add(n)
    shared: dict[tuple[int, int], float] = defaultdict(float)
    for o, keys in enumerate(old_keys):
        for key in set(keys):
            for n in where.get(key, ()):
                shared[(o, n)] += 1 / max(len(keys), 1)

    def by_text(o: int, n: int) -> float:
        title = old[o].title.strip().lower()
        same_title = bool(title) and title == new[n].title.strip().lower()
        # The same number breaks ties between otherwise equal candidates.
        return (
            shared.get((o, n), 0.0)
            + (TITLE_WEIGHT if same_title else 0.0)
            + (0.01 if old[o].number == new[n].number else 0.0)
        )

    pairs = _align(range(len(old)), range(len(new)), by_text, CHAPTER_SHARE)

    # Chapters left between two aligned ones: compared by their words (every paragraph
    # edited leaves no exact paragraph to vote with).
    def by_words(o: int, n: int) -> float:
        a = [w for p in old_words[o] for w in p]
        b = [w for p in new_words[n] for w in p]
        if not a or not b or len(a) * len(b) > WORD_ALIGN_LIMIT:
            return 0.0
        return Indel.normalized_similarity(a, b)

    filled: list[tuple[int, int]] = []
    bounds = [(-1, -1), *pairs, (len(old), len(new))]
    for (o1, n1), (o2, n2) in pairwise(bounds):
        if o2 - o1 > 1 and n2 - n1 > 1:
            filled += _align(range(o1 + 1, o2), range(n1 + 1, n2), by_words, 0.5)
    return sorted(pairs + filled)


def _align(
    rows: range, cols: range, score: Callable[[int, int], float], minimum: float
) -> list[tuple[int, int]]:
    """The in-order one-to-one pairing of rows and columns with the highest total score,
    using only pairs scoring at least `minimum`."""
    n, m = len(rows), len(cols)
    if not n or not m:
        return []
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    took = [[False] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            s = score(rows[i - 1], cols[j - 1])
            here = max(best[i - 1][j], best[i][j - 1])
            if s >= minimum and best[i - 1][j - 1] + s > here:
                here, took[i][j] = best[i - 1][j - 1] + s, True
            best[i][j] = here
    pairs = []
    i, j = n, m
    while i and j:
        if took[i][j]:
            pairs.append((rows[i - 1], cols[j - 1]))
            i, j = i - 1, j - 1
        elif best[i - 1][j] >= best[i][j - 1]:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


def _exact_pairs(old_keys, new_keys):
    """Paragraphs with unchanged words, aligned in order: (old index, new index)."""
    for block in Indel.opcodes(old_keys, new_keys).as_matching_blocks():
        for k in range(block.size):
            yield block.a + k, block.b + k


def _gaps(old_keys, new_keys):
    """(old range, new range) between two exact matches, both non-empty."""
    blocks = Indel.opcodes(old_keys, new_keys).as_matching_blocks()
    i = j = 0
    for block in blocks:
        if block.a > i and block.b > j:
            yield range(i, block.a), range(j, block.b)
        i, j = block.a + block.size, block.b + block.size


def _fuzzy_pieces(old_keys, new_keys, old_words, new_words):
    """For each edited old paragraph: {new index: words of it that went there}."""
    for olds, news in _gaps(old_keys, new_keys):
        yield from _fuzzy_in_gap(olds, news, old_keys, new_keys, old_words, new_words)


def _fuzzy_in_gap(olds: range, news: range, old_keys, new_keys, old_words, new_words):
    size = sum(len(old_words[i]) for i in olds) * sum(len(new_words[j]) for j in news)
    if size > WORD_ALIGN_LIMIT:
        # A long run of edits: cut it where paragraphs still closely match, then align
        # the shorter runs between.
        cuts = _close_pairs(olds, news, old_keys, new_keys)
        if not cuts:
            return
        bounds = [(olds.start - 1, news.start - 1), *cuts, (olds.stop, news.stop)]
        for (i1, j1), (i2, j2) in pairwise(bounds):
            if (i2, j2) in cuts:
                yield i2, {j2: len(old_words[i2])}
            if i2 - i1 > 1 and j2 - j1 > 1:
                yield from _fuzzy_in_gap(
                    range(i1 + 1, i2), range(j1 + 1, j2), old_keys, new_keys, old_words, new_words
                )
        return
    old_flat, old_owner = _flatten(olds, old_words)
    new_flat, new_owner = _flatten(news, new_words)
    overlap: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for block in Indel.opcodes(old_flat, new_flat).as_matching_blocks():
        for k in range(block.size):
            overlap[old_owner[block.a + k]][new_owner[block.b + k]] += 1
    for i in olds:
        total = len(old_words[i])
        went = overlap.get(i, {})
        if not total or sum(went.values()) < KEPT_SHARE * total:
            continue
        # A piece: a good share of the old paragraph, or most of the new one.
        pieces = {
            j: c
            for j, c in went.items()
            if c >= max(2, PIECE_SHARE * total) or c >= KEPT_SHARE * len(new_words[j])
        }
        if not pieces:
            pieces = {max(went, key=lambda j: (went[j], -j)): max(went.values())}
        yield i, pieces


def _close_pairs(olds: range, news: range, old_keys, new_keys) -> list[tuple[int, int]]:
    """In-order (old, new) pairs of paragraphs that closely match, each new one looked
    for just after the last pair."""
    pairs = []
    start = news.start
    for i in olds:
        window = {j: new_keys[j] for j in range(start, min(start + ANCHOR_WINDOW, news.stop))}
        if not window or not old_keys[i]:
            continue
        found = process.extractOne(
            old_keys[i], window, scorer=fuzz.ratio, score_cutoff=MOVED_CUTOFF
        )
        if found is not None:
            pairs.append((i, found[2]))
            start = found[2] + 1
    return pairs


def _flatten(indexes: range, paragraph_words) -> tuple[list[str], list[int]]:
    flat: list[str] = []
    owner: list[int] = []
    for i in indexes:
        flat += paragraph_words[i]
        owner += [i] * len(paragraph_words[i])
    return flat, owner


def _match_moved(old, new, old_keys, new_keys, pairs, result, claimed, land, feed) -> None:
    """Still-unmatched old paragraphs, looked for in the chapters next to where their
    chapter went (or, for a gone chapter, between where its neighbours went)."""
    to_new = dict(pairs)
    for o, chapter in enumerate(old):
        lost = [
            i
            for i in range(len(chapter.paragraphs))
            if result.paragraphs[(chapter.number, i)] is None and old_keys[o][i]
        ]
        if not lost or not new:
            continue
        if o in to_new:
            near = range(max(to_new[o] - 1, 0), min(to_new[o] + 2, len(new)))
        else:
            before = [n for x, n in to_new.items() if x < o]
            after = [n for x, n in to_new.items() if x > o]
            near = range(max(before, default=0), min(after, default=len(new) - 1) + 1)
        free = {
            (n, j): new_keys[n][j]
            for n in near
            for j in range(len(new_keys[n]))
            if (n, j) not in claimed and new_keys[n][j]
        }
        by_key: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for spot, key in free.items():
            by_key[key].append(spot)
        for i in lost:
            key = old_keys[o][i]
            spot = by_key[key][0] if by_key.get(key) else None
            exact = spot is not None
            if spot is None and free:
                found = process.extractOne(key, free, scorer=fuzz.ratio, score_cutoff=MOVED_CUTOFF)
                spot = found[2] if found is not None else None
            if spot is None:
                continue
            n, j = spot
            land(o, i, n, j, j, j, exact)
            feed(o, i, n, j)
            by_key[free.pop(spot)].remove(spot)
