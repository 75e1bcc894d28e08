"""Finding content warnings in a work: from its tags, its authors' notes, and its text.

Pure functions over importer data (`WorkData`, `ChapterData`, or anything with the same
attributes); they return `Detection` values that the data layer stores as Warning rows.
Flags raised by circle members are a fourth source, handled where members are.

The text detector works paragraph by paragraph with word lists (`lexicon`): a term found
in a paragraph is dropped when negated ("no one died") or when it is part of an idiom
("killing time", "a bleeding heart"); it is weakened when it is only talked about — a
threat, a fear, a memory, a joke — and strengthened by vivid words and by the same label
running through several paragraphs. Consecutive paragraphs with the same label become one
passage, so a reader is warned once per scene rather than once per line.

Paragraph numbers are 0-based indexes into `ChapterData.paragraphs`; chapter numbers are
`ChapterData.number`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from . import lexicon
from .lexicon import Term
from .lexicon_general import GENERAL_TERMS
from .taxonomy import SEVERITIES, TagMatch, labels_for_tag, severity_rank

SOURCES: tuple[str, ...] = ("tags", "notes", "text")
# A detection below this confidence is kept (a reader who wants everything can see it) but
# does not make a chapter "contain" the label for evaluation or chapter-start warnings.
COUNTING_CONFIDENCE = 0.5


@dataclass
class Detection:
    label: str
    severity: str
    source: str  # one of SOURCES
    confidence: float
    evidence: str
    chapter: int | None
    paragraph_start: int | None
    paragraph_end: int | None


class ChapterLike(Protocol):
    number: int
    summary: str
    begin_notes: str
    end_notes: str
    paragraphs: Sequence[str]


class WorkLike(Protocol):
    chapters: Sequence[ChapterLike]
    archive_warnings: Sequence[str]
    tags: Sequence[str]
    summary: str
    notes: str


# --- Compiled once at import ---------------------------------------------------------------

# Text is lowercased once per paragraph (see `_prepare`), so the big patterns need no
# IGNORECASE, which would make them several times slower.
_FLAGS = re.IGNORECASE  # only for the small patterns that read notes as written
_FLASHBACK = lexicon.compile_alternation([lexicon.FLASHBACK])
_JOKE = lexicon.compile_alternation([lexicon.JOKE_CUES])
_INTENSITY = lexicon.compile_alternation([lexicon.INTENSITY])
_NEGATOR = re.compile(rf"(?:{lexicon.NEGATORS})")
_MODAL_WORDS = re.compile(rf"\b(?:{lexicon.MODALS})\b|\w'(?:ll|d)\b")
_CONDITIONAL = re.compile(rf"\b(?:{lexicon.CONDITIONALS})\b")
_REPORTED = re.compile(rf"\b(?:{lexicon.REPORTED})\b")
_FIRST_PERSON = re.compile(r"\b(?:i'm|im|i am|we're|we are|you're|you are)$")
_WORD = re.compile(r"[\w']+")
_CLAUSE_END = re.compile(r"[.!?;:,()\"\u2014\u2013]|\s-\s|\bbut\b|\bthough\b")
_SENTENCE_END = re.compile(r"[.!?]")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


@dataclass(frozen=True)
class _CompiledTerm:
    term: Term
    order: int  # earlier terms win where two overlap
    regex: re.Pattern[str]
    stems: frozenset[str] | None


def _compile_pieces(term: Term, order: int) -> list[_CompiledTerm]:
    return [
        _CompiledTerm(term, order, lexicon.compile_term(piece), lexicon.word_stems(piece))
        for piece in lexicon.split_alternatives(term.pattern)
    ]


def _group_terms(terms: Iterable[Term]) -> list[tuple[str, list[_CompiledTerm]]]:
    by_label: dict[str, list[_CompiledTerm]] = defaultdict(list)
    for term in terms:
        by_label[term.label].extend(_compile_pieces(term, len(by_label[term.label])))
    # Sexual terms go first: whether a paragraph is a sex scene changes how rough words in
    # it are read.
    order = sorted(by_label, key=lambda label: label != "pornographic-content")
    return [(label, by_label[label]) for label in order]


_IDIOM_PIECES = [
    piece for idiom in lexicon.IDIOMS for piece in _compile_pieces(Term("idiom", idiom, 0.0), 0)
]


_TOKEN = re.compile(r"\w+")


def _word_matches(
    regex: re.Pattern[str], text: str, pos: int = 0, endpos: int | None = None
) -> Iterable[re.Match[str]]:
    """Matches of a lexicon regex that start at the beginning of a word (the regexes leave
    out the leading "\\b" for speed; see `lexicon.compile_term`)."""
    endpos = len(text) if endpos is None else endpos
    while True:
        match = regex.search(text, pos, endpos)
        if match is None:
            return
        start = match.start()
        starts_word = text[start].isalnum() or text[start] == "_"
        if starts_word and start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
            pos = start + 1
            continue
        yield match
        pos = max(match.end(), start + 1)


def _has_word_match(
    regex: re.Pattern[str], text: str, pos: int = 0, endpos: int | None = None
) -> bool:
    return next(iter(_word_matches(regex, text, pos, endpos)), None) is not None


def _stems(masked: str) -> set[str]:
    return {word[:3] for word in _TOKEN.findall(masked)}


def _find_terms(
    masked: str, stems: set[str], terms: list[_CompiledTerm]
) -> list[tuple[re.Match[str], Term]]:
    """Every term of one label in a lowercased text, earlier terms in the list winning
    where two overlap ("was killed" over "killed"), as one big alternation would — but a
    term only runs when some word in the text starts the way the term does."""
    candidates = []
    for compiled in terms:
        if compiled.stems is not None and compiled.stems.isdisjoint(stems):
            continue
        for match in _word_matches(compiled.regex, masked):
            candidates.append((match.start(), compiled.order, match, compiled.term))
    candidates.sort(key=lambda c: (c[0], c[1]))
    found = []
    last_end = -1
    for start, _order, match, term in candidates:
        if start >= last_end:
            found.append((match, term))
            last_end = match.end()
    return found


# Chapter text is read with both word lists; notes with the one written for how authors
# write notes (the general list's period vocabulary would read "abuse" in "child abuse"
# as a second label).
_LABEL_TERMS = _group_terms((*lexicon.TERMS, *GENERAL_TERMS))
_NOTE_TERMS = _group_terms(lexicon.TERMS)


# --- Context --------------------------------------------------------------------------------


def _clause_before(text: str, start: int, limit: int = 80) -> str:
    window = text[max(0, start - limit) : start]
    boundaries = list(_CLAUSE_END.finditer(window))
    return window[boundaries[-1].end() :] if boundaries else window


def _sentence_before(text: str, start: int, limit: int = 200) -> str:
    window = text[max(0, start - limit) : start]
    ends = list(_SENTENCE_END.finditer(window))
    return window[ends[-1].end() :] if ends else window


def _negated(text: str, start: int) -> bool:
    """A negator among the three words before the term, in the same clause: "he isn't
    bleeding", "no one died", "there was no blood"."""
    words = _WORD.findall(_clause_before(text, start))[-3:]
    return any(_NEGATOR.fullmatch(word) for word in words)


def _hypothetical(text: str, start: int) -> bool:
    """Talked about rather than happening: a modal or a fear shortly before the term in the
    same clause ("might be dead by then", "going to kill him"), or a conditional anywhere
    earlier in the sentence ("if he dies")."""
    # Three words: "might be dead", "going to kill him"; further back, a modal usually
    # governs another verb ("want to hold his killers to account").
    words = _WORD.findall(_clause_before(text, start))[-3:]
    if _MODAL_WORDS.search(" ".join(words)):
        return True
    return bool(_CONDITIONAL.search(_sentence_before(text, start)))


def _reported(text: str, start: int) -> bool:
    """Heard of, read about, rumoured: "she had heard of a murder", "news of his death"."""
    words = _WORD.findall(_clause_before(text, start))[-3:]
    return bool(_REPORTED.search(" ".join(words)))


def _question(text: str, end: int, limit: int = 200) -> bool:
    """Asked, not told: the sentence the term is in ends with a question mark ("is he
    dead?", "did she really kill herself?")."""
    match = _SENTENCE_END.search(text, end, min(len(text), end + limit))
    return match is not None and match.group() == "?"


def _first_person(text: str, start: int) -> bool:
    """ "I'm dead", "you're dead": the way hyperbole is said."""
    return bool(_FIRST_PERSON.search(" ".join(_WORD.findall(_clause_before(text, start))[-2:])))


def _joking(text: str, start: int, end: int) -> bool:
    return _has_word_match(_JOKE, text, max(0, start - 150), min(len(text), end + 150))


def _snippet(text: str, start: int, end: int, context: int = 40) -> str:
    """The triggering words with a little context, cut at word boundaries."""
    left = max(0, start - context)
    right = min(len(text), end + context)
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space != -1 else right
    quote = " ".join(text[left:right].split())
    return ("…" if left > 0 else "") + quote + ("…" if right < len(text) else "")


def _prepare(raw: str) -> tuple[str, str, str]:
    """(text as written with plain quotes, a lowercased copy, and the lowercased copy with
    idioms blanked out). All three have the same length, so an offset found in one is valid
    in the others."""
    text = raw.translate(_QUOTES)
    lowered = text.lower()
    if len(lowered) != len(text):
        # A few characters lowercase to two ("İ"); keep those as they are.
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    masked = lowered
    for match, _term in _find_terms(lowered, _stems(lowered), _IDIOM_PIECES):
        start, end = match.span()
        masked = masked[:start] + " " * (end - start) + masked[end:]
    return text, lowered, masked


# --- Text ----------------------------------------------------------------------------------


@dataclass
class _Hit:
    label: str
    paragraph: int
    weight: float
    strength: int  # 0 talked about, 1 happening, 2 vivid detail (see lexicon.Term)
    evidence: str
    # Paragraph context, the same for every hit of one paragraph: a vivid detail of any
    # label (pools of blood make the torture beside them graphic), intensity words.
    vivid_paragraph: bool = False
    intense_paragraph: bool = False


def _scan_paragraph(raw: str, index: int) -> list[_Hit]:
    text, lowered, masked = _prepare(raw)
    remembered = _has_word_match(_FLASHBACK, masked)
    # Read before idioms are blanked: a "blood-curdling scream" is not blood, but it is
    # intense.
    intense = _has_word_match(_INTENSITY, lowered)
    hits: list[_Hit] = []
    sex_scene = False
    stems = _stems(masked)
    for label, terms in _LABEL_TERMS:
        label_hits: list[_Hit] = []
        for match, term in _find_terms(masked, stems, terms):
            start, end = match.span()
            if _negated(masked, start):
                continue
            weight, strength = term.weight, term.strength
            if _hypothetical(masked, start) or _question(masked, end):
                if term.jokeable and _joking(masked, start, end):
                    continue
                # Strongly specific words ("tortured") still earn a mention when only
                # feared or threatened; everyday ones ("stab", "die") no longer count.
                weight *= 0.6
                strength = 0
            elif (
                term.jokeable
                and (strength == 0 or _first_person(masked, start))
                and _joking(masked, start, end)
            ):
                # "I'm dying," she wheezed with laughter.
                continue
            elif _reported(masked, start):
                strength = 0  # it happened, but off the page
            if remembered and strength:
                # A memory is told, not shown: one step less intense, and a little less sure
                # it belongs to this chapter's events.
                strength -= 1
                weight *= 0.9
            if sex_scene and label in ("violence", "blood"):
                # Rough words inside a consensual sex scene are usually not violence.
                weight *= 0.6
            if label == "underage" and not sex_scene:
                weight *= 0.4
            label_hits.append(_Hit(label, index, weight, strength, _snippet(text, start, end)))
        if label == "pornographic-content":
            explicit = sum(1 for hit in label_hits if hit.strength >= 2)
            total = sum(hit.weight for hit in label_hits)
            sex_scene = (
                explicit >= lexicon.SEXUAL_SCENE_MIN_TERMS
                or total >= lexicon.SEXUAL_SCENE_MIN_WEIGHT
            )
        hits.extend(label_hits)
    vivid = any(hit.strength >= 2 for hit in hits)
    for hit in hits:
        hit.vivid_paragraph = vivid
        hit.intense_paragraph = intense
    return hits


def _severity(paragraphs: dict[int, list[_Hit]]) -> str:
    """How intense a passage is, from what is happening in it, not from how often a word
    repeats: a paragraph is one step up when it is intense ("screams", "agony") or piles up
    three happening terms, a passage one more when it runs over three such paragraphs, and
    only vivid detail can make it graphic."""
    levels = []
    for para_hits in paragraphs.values():
        level = max(hit.strength for hit in para_hits)
        happening = sum(1 for hit in para_hits if hit.strength >= 1)
        if level >= 1 and (para_hits[0].intense_paragraph or happening >= 3):
            level += 1
        levels.append(level)
    level = max(levels)
    if sum(1 for lv in levels if lv >= 1) >= 3:
        level += 1  # the same thing across several paragraphs is a scene, not a mention
    vivid = any(
        hit.vivid_paragraph and hit.strength >= 1 for hits in paragraphs.values() for hit in hits
    )
    ceiling = SEVERITIES.index("graphic") if vivid else SEVERITIES.index("moderate")
    return SEVERITIES[min(level, ceiling)]


def _passage(label: str, chapter: int, hits: list[_Hit]) -> Detection:
    paragraphs: dict[int, list[_Hit]] = defaultdict(list)
    for hit in hits:
        paragraphs[hit.paragraph].append(hit)
    best = max(hits, key=lambda hit: (hit.weight, hit.strength))
    # A few more occurrences nearby make us surer; near-misses (weight < 0.3) do not.
    support = sum(1 for hit in hits if hit is not best and hit.weight >= 0.3)
    confidence = min(0.99, best.weight + 0.1 * support)
    return Detection(
        label=label,
        severity=_severity(paragraphs),
        source="text",
        confidence=round(confidence, 2),
        evidence=best.evidence,
        chapter=chapter,
        paragraph_start=min(paragraphs),
        paragraph_end=max(paragraphs),
    )


# Paragraphs with the same label this close together are one passage; fan fiction puts
# every line of dialogue in its own paragraph, so a scene is rarely unbroken.
_MAX_GAP = 1


def text_hits(chapter: ChapterLike) -> dict[str, list[_Hit]]:
    """Every lexicon term found in the chapter text that survived the scope rules, by
    label, in paragraph order."""
    by_label: dict[str, list[_Hit]] = defaultdict(list)
    for index, paragraph in enumerate(chapter.paragraphs):
        for hit in _scan_paragraph(paragraph, index):
            by_label[hit.label].append(hit)
    return by_label


def label_passages(label: str, chapter_n: int, hits: list[_Hit]) -> list[Detection]:
    """One label's hits in one chapter as passages: hits close together are one scene."""
    passages = []
    group: list[_Hit] = []
    for hit in hits:
        if group and hit.paragraph - group[-1].paragraph > _MAX_GAP + 1:
            passages.append(_passage(label, chapter_n, group))
            group = []
        group.append(hit)
    if group:
        passages.append(_passage(label, chapter_n, group))
    return passages


def from_text(chapter: ChapterLike) -> list[Detection]:
    """What the word lists and scope rules alone find in the chapter text, one detection
    per label per passage, with the rules' own confidence. The trained model
    (`model.detect_text`) decides from this and more whether a chapter holds a label."""
    detections = []
    for label, hits in text_hits(chapter).items():
        detections.extend(label_passages(label, chapter.number, hits))
    detections.sort(key=lambda d: (d.paragraph_start, d.label))
    return detections


# --- Notes and summaries -----------------------------------------------------------------------

# "CW: blood, torture" / "warnings for major character death and gore" / "TW - self harm"
_CUE_LIST = re.compile(
    r"\b(?:c\.?w|t\.?w|content warnings?|trigger warnings?|warnings?|heads[- ]up)\b"
    r"\s*(?:for|about|on|:|-|\u2013|\u2014|/+)\s*(?P<items>[^.!?]+)",
    _FLAGS,
)
_CUE = re.compile(
    r"\b(?:c\.?w|t\.?w|warn(?:ing|ings|ed)?|trigger|heads[- ]up|mind the tags|"
    r"(?:check|read|heed) the tags)\b",
    _FLAGS,
)
_LIST_SPLIT = re.compile(r"[,;/&+]|\band\b|\bplus\b|\bas well as\b", _FLAGS)
_GRAPHIC_CUE = re.compile(r"\b(?:graphic|explicit|detailed|gory|brutal)\b", _FLAGS)
# Someone else's work: a recommendation, an inspiration, a fic by another author.
_OTHER_WORK = re.compile(
    r"\b(?:inspired|inspiration|recommend\w*|recs?|go read|check out|shout-?out|"
    r"listed here|written by)\b|\b(?:fics?|fanfics?|stor(?:y|ies)|works?|books?|series|"
    r"one-?shots?)\b[^.!?]{0,80}\bby\s+@?[\w.-]+",
    _FLAGS,
)
_BY_AUTHOR_ASIDE = re.compile(r"\bby\s+@?[\w.-]+\s*\([^)]*\)", _FLAGS)
_SELF_REFERENCE = re.compile(
    r"\bthis (?:story|fic|chapter|work|part|instal+ment|update)\b|\bmy (?:story|fic)\b",
    _FLAGS,
)
_OTHER_CHAPTER = re.compile(
    r"\b(?:next|previous|last|upcoming|following|future|later|coming|earlier|prior|"
    r"another) (?:chapters?|parts?|updates?|instal+ments?)\b|\bsequel\b|"
    r"\bchapters? (?P<number>\d+)\b",
    _FLAGS,
)
_PLAYLIST_INTRO = re.compile(
    r"\b(?:songs?|playlists?|soundtracks?|lyrics|listen(?:ed|ing)? to|music)\b", _FLAGS
)
# "Title - Artist" with an optional "(aside)", and nothing that reads like a sentence.
_SONG_LINE = re.compile(r"^[^.!?()\n]{1,70}\s[-\u2013\u2014]\s[^.!?()\n]{1,50}(?:\s*\(.*\))?$")
_NOTE_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[\"'(]?[A-Za-z])|\n")


def _song_lines(lines: list[str]) -> set[int]:
    """Lines of a playlist. A song title is not a warning ("Everyone Will Die")."""
    shaped = [bool(_SONG_LINE.match(line.strip())) for line in lines]
    songs = set()
    in_playlist = False
    for i, line in enumerate(lines):
        if shaped[i]:
            neighbour = (i > 0 and shaped[i - 1]) or (i + 1 < len(lines) and shaped[i + 1])
            if in_playlist or neighbour:
                songs.add(i)
                continue
        in_playlist = bool(_PLAYLIST_INTRO.search(line)) or (in_playlist and shaped[i])
    return songs


_NEXT_CHAPTER = re.compile(
    r"\b(?:next|upcoming|following|coming) (?:chapters?|parts?|updates?|instal+ments?)\b|"
    r"\bchapters? (?P<number>\d+)\b",
    _FLAGS,
)
# Evidence of a warning one chapter's notes give about another chapter ("next chapter gets
# dark: hospital stuff") starts with this; `chapter_labels` leaves such warnings out of
# the notes figures, since gold labels each chapter's own notes.
TEASER_PREFIX = "said in the notes of chapter"


def _teaser_target(sentence: str, chapter: int) -> int | None:
    """The chapter a teaser sentence is about: the next one, or the one it names."""
    match = _NEXT_CHAPTER.search(sentence)
    if match is None:
        return None
    if match.group("number"):
        target = int(match.group("number"))
        return target if target != chapter else None
    return chapter + 1


def _note_sentences(
    text: str, chapter: int | None, teasers: list[tuple[int, str]] | None = None
) -> list[str]:
    """The sentences of a note that speak about this chapter of this work; sentences about
    another chapter of it go to `teasers` as (chapter, sentence) when a list is given."""
    lines = text.translate(_QUOTES).splitlines()
    songs = _song_lines(lines)
    kept = []
    for i, line in enumerate(lines):
        if i in songs:
            continue
        for sentence in _NOTE_SENTENCE.split(line):
            sentence = sentence.strip()
            if not sentence:
                continue
            if _OTHER_WORK.search(sentence):
                if not _SELF_REFERENCE.search(sentence):
                    continue
                # "this story was inspired by X by Y (a tear jerker, be warned)": the aside
                # belongs to the other work.
                sentence = _BY_AUTHOR_ASIDE.sub(" ", sentence)
            other = _OTHER_CHAPTER.search(sentence)
            if other and not (
                other.group("number")
                and chapter is not None
                and int(other.group("number")) == chapter
            ):
                if teasers is not None and chapter is not None:
                    target = _teaser_target(sentence, chapter)
                    if target is not None:
                        teasers.append((target, sentence))
                continue
            kept.append(sentence)
    return kept


def _scan_note_sentence(sentence: str) -> list[tuple[str, float, str, int, int]]:
    """(label, confidence, severity, start, end) for one sentence of a note."""
    found: list[tuple[str, float, str, int, int]] = []
    cue = bool(_CUE.search(sentence))
    for listing in _CUE_LIST.finditer(sentence):
        start = listing.start("items")
        for item in _LIST_SPLIT.split(listing.group("items")):
            # Each item reads like a tag ("major character death", "implied self harm"),
            # severity words included.
            for match in labels_for_tag(item):
                confidence = min(0.95, match.confidence + 0.05)
                found.append((match.label, confidence, match.severity, start, listing.end()))
    sentence, _lowered, masked = _prepare(sentence)
    stems = _stems(masked)
    for label, terms in _NOTE_TERMS:
        for match, term in _find_terms(masked, stems, terms):
            start, end = match.span()
            if _negated(masked, start):
                continue
            confidence = term.weight_in_notes
            if _hypothetical(masked, start):
                if term.jokeable and _joking(masked, start, end):
                    continue
                # A summary that asks "will he survive?" still signals the risk.
                confidence *= 0.85
            if cue:
                confidence = min(0.95, confidence + 0.15)
            graphic = _GRAPHIC_CUE.search(" ".join(_WORD.findall(masked[:start])[-2:]))
            found.append((label, confidence, "graphic" if graphic else "mention", start, end))
    return found


def _scan_notes(
    parts: Iterable[tuple[str, str]],
    chapter: int | None,
    teasers: list[tuple[int, str]] | None = None,
) -> list[Detection]:
    found = []
    for where, text in parts:
        if text and text.strip():
            found += [(where, s, chapter) for s in _note_sentences(text, chapter, teasers)]
    return _best_per_label(found)


def _best_per_label(sentences: Iterable[tuple[str, str, int | None]]) -> list[Detection]:
    """(where, sentence, chapter it is about) → the surest detection per label and chapter."""
    best: dict[tuple[str, int | None], Detection] = {}
    for where, sentence, chapter in sentences:
        for label, confidence, severity, start, end in _scan_note_sentence(sentence):
            candidate = Detection(
                label=label,
                severity=severity,
                source="notes",
                confidence=round(confidence, 2),
                evidence=f"{where}: {_snippet(sentence, start, end)}",
                chapter=chapter,
                paragraph_start=None,
                paragraph_end=None,
            )
            current = best.get((label, chapter))
            if current is None or (candidate.confidence, severity_rank(severity)) > (
                current.confidence,
                severity_rank(current.severity),
            ):
                best[(label, chapter)] = candidate
    return sorted(best.values(), key=lambda d: (d.chapter or 0, d.label))


def _chapter_notes(chapter: ChapterLike) -> tuple[tuple[str, str], ...]:
    return (
        ("summary", chapter.summary),
        ("notes", chapter.begin_notes),
        ("end notes", chapter.end_notes),
    )


def from_notes(chapter: ChapterLike) -> list[Detection]:
    """Warnings the chapter's own summary, notes and end notes signal, one per label.

    Summaries are excerpts or teasers of the chapter, so what happens in them counts; notes
    count when they warn ("CW: …", "warning for …", "mind the tags") or speak plainly about
    what the chapter holds. Recommendations of other works, playlists, and remarks about
    other chapters are skipped (teasers go to the chapter they name: `notes_and_teasers`).
    """
    return _scan_notes(_chapter_notes(chapter), chapter.number)


def notes_and_teasers(
    chapter: ChapterLike, chapter_numbers: Iterable[int]
) -> tuple[list[Detection], list[Detection]]:
    """In one reading of the chapter's notes: what they signal for this chapter
    (`from_notes`), and the warnings they give about another chapter of the work ("next
    chapter gets dark: hospital stuff"), placed on that chapter if the work has it."""
    about: list[tuple[int, str]] = []
    own = _scan_notes(_chapter_notes(chapter), chapter.number, about)
    numbers = set(chapter_numbers)
    where = f"{TEASER_PREFIX} {chapter.number}"
    moved = _best_per_label((where, sentence, n) for n, sentence in about if n in numbers)
    return own, moved


# --- Tags ----------------------------------------------------------------------------------------


def from_tags(work: WorkLike) -> list[Detection]:
    """Work-level warnings from archive warnings, freeform tags and an Explicit rating."""
    best: dict[str, tuple[TagMatch, list[str]]] = {}
    tags = [*getattr(work, "archive_warnings", []), *getattr(work, "tags", [])]
    for tag in tags:
        for match in labels_for_tag(tag):
            if match.label in best:
                current, evidence = best[match.label]
                evidence.append(tag)
                if (match.confidence, severity_rank(match.severity)) > (
                    current.confidence,
                    severity_rank(current.severity),
                ):
                    best[match.label] = (match, evidence)
            else:
                best[match.label] = (match, [tag])
    rating = (getattr(work, "rating", "") or "").strip().lower()
    if rating == "explicit" and "pornographic-content" not in best:
        # Explicit is also given for violence alone, so this is a weak signal on its own.
        best["pornographic-content"] = (
            TagMatch("pornographic-content", "moderate", 0.5),
            ["Rating: Explicit"],
        )
    return [
        Detection(
            label=label,
            severity=match.severity,
            source="tags",
            confidence=match.confidence,
            evidence=", ".join(evidence),
            chapter=None,
            paragraph_start=None,
            paragraph_end=None,
        )
        for label, (match, evidence) in sorted(best.items())
    ]


# --- Whole work ----------------------------------------------------------------------------------


def detect_work(work: WorkLike) -> list[Detection]:
    """Everything the three automatic sources find: tags and the work's own summary and
    notes (chapter None), then each chapter's notes (and what other chapters' notes say
    about it) and its text, as the trained model reads it."""
    detections = from_tags(work)
    work_notes = (
        ("work summary", getattr(work, "summary", "") or ""),
        ("work notes", getattr(work, "notes", "") or ""),
    )
    detections.extend(_scan_notes(work_notes, None))
    numbers = [chapter.number for chapter in work.chapters]
    from .model import detect_text  # the trained model reads what this module finds

    for chapter in work.chapters:
        own, moved = notes_and_teasers(chapter, numbers)
        detections.extend(own + moved)
        detections.extend(detect_text(chapter))
    return detections


_SOURCE_KINDS = {"body": "text", "text": "text", "notes": "notes", "tags": "tags"}


def chapter_labels(
    detections: Iterable[Detection],
    chapter_n: int | None,
    source_kind: str,
    min_confidence: float = COUNTING_CONFIDENCE,
) -> dict[str, str]:
    """{label: highest severity} for one chapter and one kind of source: "body" (the
    text detector) or "notes". Detections below `min_confidence` do not count."""
    source = _SOURCE_KINDS[source_kind]
    labels: dict[str, str] = {}
    for detection in detections:
        if detection.source != source or detection.chapter != chapter_n:
            continue
        if detection.evidence.startswith(TEASER_PREFIX):
            continue  # another chapter's notes said it: not this chapter's notes
        if detection.confidence < min_confidence:
            continue
        current = labels.get(detection.label)
        if current is None or severity_rank(detection.severity) > severity_rank(current):
            labels[detection.label] = detection.severity
    return labels
