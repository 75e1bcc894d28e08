"""The warnings gate: which stored warnings one reader is shown, and nothing else.

Every page, fragment and API response that carries warnings asks `warnings_for`, the way
every read of comments goes through the spoiler gate. It applies the reader's opt-in in
SQL: a label they left off (the default, and all an anonymous reader or someone who never
chose gets) does not leave the database, so no template can leak it by accident.

Modes are inclusive going later: "up front" also warns at chapter start and at the
passage, "chapter start" also at the passage, "passage" only at the passage itself. What
each surface shows is decided by `WHERE_SHOWN`; the gate only returns what was opted into.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import and_, bindparam, case, or_, select

from ..extensions import db
from ..models import ContentWarning, WarningPreference
from .detect import COUNTING_CONFIDENCE
from .taxonomy import LABELS, LABELS_BY_KEY, SEVERITIES, severity_rank

MODES: tuple[str, ...] = ("off", "upfront", "chapter", "passage")
MODE_NAMES = {
    "off": "Off",
    "upfront": "Up front",
    "chapter": "At chapter start",
    "passage": "At the passage",
}
# Which surfaces each mode reaches (see the module docstring).
WHERE_SHOWN: dict[str, frozenset[str]] = {
    "off": frozenset(),
    "upfront": frozenset({"work", "chapter", "passage"}),
    "chapter": frozenset({"chapter", "passage"}),
    "passage": frozenset({"passage"}),
}
# Where a warning came from, in the words a reader sees beside it.
SOURCE_WORDS = {
    "tags": "the work's tags say so",
    "notes": "the author's notes say so",
    "text": "found in the text",
    "member": "flagged by a member",
}
PRESETS: dict[str, tuple[str, str]] = {
    # name: (mode for every label, minimum severity)
    "nothing": ("off", "mention"),
    "graphic": ("chapter", "graphic"),
    "chapter": ("chapter", "mention"),
}


@dataclass(frozen=True)
class ReaderWarning:
    """A warning as a reader may see it: never the evidence, which can name what happens."""

    label: str
    severity: str
    source: str
    chapter: int | None
    paragraph_start: int | None
    paragraph_end: int | None
    mode: str

    @property
    def name(self) -> str:
        return LABELS_BY_KEY[self.label].name

    @property
    def source_words(self) -> str:
        return SOURCE_WORDS[self.source]

    def shown_on(self, surface: str) -> bool:
        return surface in WHERE_SHOWN[self.mode]

    def as_json(self) -> dict:
        return {
            "label": self.label,
            "name": self.name,
            "severity": self.severity,
            "source": self.source,
            "chapter": self.chapter,
            "paragraph_start": self.paragraph_start,
            "paragraph_end": self.paragraph_end,
            "mode": self.mode,
        }


def _rank(column):
    """A severity column as its rank, in SQL, so the minimum is compared by order."""
    return case({severity: rank for rank, severity in enumerate(SEVERITIES)}, value=column)


@cache
def _opted_in_statement(one_chapter: bool):
    """Built once: the statement is the same for every reader, only the values change."""
    query = (
        select(
            ContentWarning.label,
            ContentWarning.severity,
            ContentWarning.source,
            ContentWarning.chapter,
            ContentWarning.paragraph_start,
            ContentWarning.paragraph_end,
            WarningPreference.mode,
        )
        .join(
            WarningPreference,
            and_(
                WarningPreference.label == ContentWarning.label,
                WarningPreference.user_id == bindparam("user_id"),
            ),
        )
        .where(
            ContentWarning.work_id == bindparam("work_id"),
            WarningPreference.mode != "off",
            _rank(ContentWarning.severity) >= _rank(WarningPreference.min_severity),
            or_(
                and_(
                    ContentWarning.source != "member",
                    ContentWarning.confidence >= COUNTING_CONFIDENCE,
                ),
                and_(ContentWarning.source == "member", ContentWarning.state == "confirmed"),
            ),
        )
        .order_by(ContentWarning.chapter, ContentWarning.paragraph_start, ContentWarning.label)
    )
    if one_chapter:
        query = query.where(ContentWarning.chapter == bindparam("chapter"))
    return query


def warnings_for(
    user_id: int | None, work_id: int, chapter: int | None = None
) -> list[ReaderWarning]:
    """The warnings of a work (or of one chapter of it) this reader opted into.

    Automatic detections count from COUNTING_CONFIDENCE; member flags only once a
    moderator confirmed them. Ordered by chapter, then passage start."""
    if user_id is None:
        return []
    rows = db.session.execute(
        _opted_in_statement(chapter is not None),
        {"user_id": user_id, "work_id": work_id, "chapter": chapter},
    )
    return [ReaderWarning(**row._mapping) for row in rows]


@dataclass(frozen=True)
class LabelSummary:
    """One label for a banner or the work page: strongest severity, every source."""

    label: str
    severity: str
    sources: tuple[str, ...]

    @property
    def name(self) -> str:
        return LABELS_BY_KEY[self.label].name

    @property
    def source_words(self) -> str:
        return "; ".join(SOURCE_WORDS[source] for source in self.sources)


def summarize(warnings: list[ReaderWarning]) -> list[LabelSummary]:
    """One entry per label, in taxonomy order, with its strongest severity."""
    severities: dict[str, str] = {}
    sources: dict[str, list[str]] = {}
    for warning in warnings:
        current = severities.get(warning.label)
        if current is None or severity_rank(warning.severity) > severity_rank(current):
            severities[warning.label] = warning.severity
        if warning.source not in sources.setdefault(warning.label, []):
            sources[warning.label].append(warning.source)
    order = {label.key: i for i, label in enumerate(LABELS)}
    return [
        LabelSummary(label, severities[label], tuple(sorted(sources[label], key=_source_order)))
        for label in sorted(severities, key=order.__getitem__)
    ]


def _source_order(source: str) -> int:
    return tuple(SOURCE_WORDS).index(source)


@dataclass(frozen=True)
class Passage:
    """Paragraphs [start, end] collapsed for these labels; `after` is the index of the
    first paragraph without them (None when the passage runs to the chapter's end)."""

    start: int
    end: int
    labels: tuple[str, ...]

    @property
    def names(self) -> list[str]:
        return [LABELS_BY_KEY[label].name for label in self.labels]


def passages(warnings: list[ReaderWarning], paragraph_count: int) -> list[Passage]:
    """The reader's passage warnings as non-overlapping ranges: overlapping or touching
    ranges merge, so one "skip" always lands on a paragraph free of every such label."""
    ranges = sorted(
        (w.paragraph_start, min(w.paragraph_end, paragraph_count - 1), w.label)
        for w in warnings
        if w.shown_on("passage") and w.paragraph_start is not None and w.paragraph_end is not None
    )
    merged: list[list] = []
    for start, end, label in ranges:
        if merged and start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], end)
            merged[-1][2].add(label)
        else:
            merged.append([start, end, {label}])
    order = {label.key: i for i, label in enumerate(LABELS)}
    return [
        Passage(start, end, tuple(sorted(labels, key=order.__getitem__)))
        for start, end, labels in merged
    ]


# --- preferences -------------------------------------------------------------------------


def preferences_of(user_id: int) -> dict[str, WarningPreference]:
    rows = db.session.scalars(select(WarningPreference).where(WarningPreference.user_id == user_id))
    return {row.label: row for row in rows}


def has_chosen(user_id: int) -> bool:
    """Whether the reader ever saved preferences (the first-visit prompt asks until then)."""
    return (
        db.session.scalar(
            select(WarningPreference.id).where(WarningPreference.user_id == user_id).limit(1)
        )
        is not None
    )


class PreferenceError(ValueError):
    """A mode, severity or label that does not exist; the message is shown as is."""


def check_choice(label: str, mode: str, min_severity: str) -> None:
    if label not in LABELS_BY_KEY:
        raise PreferenceError(f"There is no warning label {label!r}.")
    if mode not in MODES:
        raise PreferenceError(f"The mode for {label} must be one of {', '.join(MODES)}.")
    if min_severity not in SEVERITIES:
        raise PreferenceError(
            f"The minimum severity for {label} must be one of {', '.join(SEVERITIES)}."
        )


def save_preferences(user_id: int, choices: dict[str, tuple[str, str]]) -> None:
    """Set {label: (mode, min_severity)} for a reader; other labels keep their choice,
    and a reader who saves anything gets a row for every label (so "never chose" is
    distinguishable from "chose nothing"). Validates everything first; no commit."""
    for label, (mode, min_severity) in choices.items():
        check_choice(label, mode, min_severity)
    existing = preferences_of(user_id)
    for label in LABELS:
        row = existing.get(label.key)
        if row is None:
            row = WarningPreference(user_id=user_id, label=label.key)
            row.mode, row.min_severity = "off", "mention"
            db.session.add(row)
        if label.key in choices:
            row.mode, row.min_severity = choices[label.key]


def preset_choices(preset: str) -> dict[str, tuple[str, str]]:
    if preset not in PRESETS:
        raise PreferenceError("That preset doesn't exist.")
    return {label.key: PRESETS[preset] for label in LABELS}
