"""Scoring detected warnings against a hand-made gold file.

Gold and predictions share one format (DESIGN.md, "Content-warning layer"):

    {"work": FILE, "chapters": [{"n": 1, "body": {"violence": "moderate", ...},
                                 "notes": ["violence", ...]}, ...]}

`body` is what the chapter text contains, `notes` what the chapter's own summary and notes
signal. Scoring is on label presence per chapter: each (chapter, label) is one decision,
for body and for notes separately, and for both together. Severity in `body` does not
change the scores; how often it agrees is reported on the side.

Conventions, so the numbers are unambiguous:
- only chapters present in the gold file are scored; a gold chapter missing from the
  predictions counts as "nothing predicted";
- a label with no predictions has precision 0 (and F1 0), as does one with no gold;
- macro-F1 averages over the labels that occur in gold or predictions of that section;
  "both together" pools a label's body and notes decisions before averaging;
- with nothing in gold and nothing predicted, every score is 1.0 (nothing was missed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .detect import COUNTING_CONFIDENCE, Detection, chapter_labels
from .taxonomy import LABELS_BY_KEY, SEVERITIES

KINDS = ("body", "notes")


@dataclass(frozen=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def empty(self) -> bool:
        return not (self.tp or self.fp or self.fn)

    @property
    def precision(self) -> float:
        if self.empty:
            return 1.0
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        if self.empty:
            return 1.0
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        if self.empty:
            return 1.0
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Section:
    """Scores for one kind of source ("body", "notes") or for both ("all")."""

    name: str
    labels: dict[str, Counts]

    @property
    def micro(self) -> Counts:
        return sum(self.labels.values(), Counts())

    @property
    def macro_f1(self) -> float:
        if not self.labels:
            return 1.0
        return sum(counts.f1 for counts in self.labels.values()) / len(self.labels)


@dataclass(frozen=True)
class ChapterDiff:
    n: int
    kind: str
    missed: tuple[str, ...]
    extra: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    body: Section
    notes: Section
    overall: Section
    chapters: tuple[int, ...]
    diffs: tuple[ChapterDiff, ...] = ()
    # (gold severity, predicted severity) for body labels both sides have.
    severity_pairs: tuple[tuple[str, str], ...] = field(default=())

    @property
    def severity_exact(self) -> float | None:
        if not self.severity_pairs:
            return None
        return sum(g == p for g, p in self.severity_pairs) / len(self.severity_pairs)

    @property
    def severity_within_one(self) -> float | None:
        if not self.severity_pairs:
            return None
        close = sum(
            abs(SEVERITIES.index(g) - SEVERITIES.index(p)) <= 1 for g, p in self.severity_pairs
        )
        return close / len(self.severity_pairs)


def _labels(chapter: Mapping | None, kind: str) -> dict[str, str | None]:
    """{label: severity or None}; accepts a dict (body style) or a list (notes style)."""
    if not chapter:
        return {}
    value = chapter.get(kind) or {}
    if isinstance(value, Mapping):
        return {str(label): severity for label, severity in value.items()}
    return {str(label): None for label in value}


def evaluate(gold: Mapping, predicted: Mapping) -> Report:
    """Compare predicted chapter labels with gold ones (both in the gold-file format)."""
    gold_chapters = {int(chapter["n"]): chapter for chapter in gold.get("chapters", [])}
    predicted_chapters = {int(chapter["n"]): chapter for chapter in predicted.get("chapters", [])}
    per_kind: dict[str, dict[str, Counts]] = {kind: {} for kind in KINDS}
    diffs: list[ChapterDiff] = []
    severity_pairs: list[tuple[str, str]] = []

    for n in sorted(gold_chapters):
        for kind in KINDS:
            expected = _labels(gold_chapters[n], kind)
            found = _labels(predicted_chapters.get(n), kind)
            counts = per_kind[kind]
            for label in expected.keys() | found.keys():
                hit = Counts(
                    tp=int(label in expected and label in found),
                    fp=int(label in found and label not in expected),
                    fn=int(label in expected and label not in found),
                )
                counts[label] = counts.get(label, Counts()) + hit
                if kind == "body" and hit.tp and expected[label] and found[label]:
                    severity_pairs.append((expected[label], found[label]))
            missed = tuple(sorted(expected.keys() - found.keys()))
            extra = tuple(sorted(found.keys() - expected.keys()))
            if missed or extra:
                diffs.append(ChapterDiff(n, kind, missed, extra))

    pooled: dict[str, Counts] = {}
    for counts in per_kind.values():
        for label, value in counts.items():
            pooled[label] = pooled.get(label, Counts()) + value
    return Report(
        body=Section("body", dict(sorted(per_kind["body"].items()))),
        notes=Section("notes", dict(sorted(per_kind["notes"].items()))),
        overall=Section("all", dict(sorted(pooled.items()))),
        chapters=tuple(sorted(gold_chapters)),
        diffs=tuple(diffs),
        severity_pairs=tuple(severity_pairs),
    )


def predicted_from_detections(
    detections: Iterable[Detection],
    chapter_numbers: Iterable[int],
    work: str = "",
    min_confidence: float = COUNTING_CONFIDENCE,
) -> dict:
    """Detections as a gold-format dict, ready for `evaluate`."""
    detections = list(detections)
    chapters = []
    for n in chapter_numbers:
        body = chapter_labels(detections, n, "body", min_confidence)
        notes = chapter_labels(detections, n, "notes", min_confidence)
        chapters.append({"n": n, "body": dict(sorted(body.items())), "notes": sorted(notes)})
    return {"work": work, "chapters": chapters}


def validate_gold(gold: Mapping) -> list[str]:
    """Problems that would make a gold file score something other than intended."""
    problems = []
    if not isinstance(gold.get("chapters"), list) or not gold["chapters"]:
        return ["gold has no 'chapters' list"]
    seen = set()
    for index, chapter in enumerate(gold["chapters"]):
        where = f"chapter entry {index + 1}"
        n = chapter.get("n")
        if not isinstance(n, int):
            problems.append(f"{where}: 'n' must be a chapter number")
        elif n in seen:
            problems.append(f"{where}: chapter {n} appears twice")
        seen.add(n)
        body = chapter.get("body", {})
        if not isinstance(body, Mapping):
            problems.append(f"{where}: 'body' must map labels to severities")
            body = {}
        for label, severity in body.items():
            if label not in LABELS_BY_KEY:
                problems.append(f"{where}: unknown body label {label!r}")
            if severity not in SEVERITIES:
                problems.append(f"{where}: unknown severity {severity!r} for {label}")
        notes = chapter.get("notes", [])
        for label in notes if isinstance(notes, list) else [None]:
            if label not in LABELS_BY_KEY:
                problems.append(f"{where}: unknown notes label {label!r}")
    return problems


def _section_lines(section: Section, title: str) -> list[str]:
    lines = [title, f"  {'label':<22} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4}"]
    for label, c in section.labels.items():
        lines.append(
            f"  {label:<22} {c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f}"
            f" {c.tp:4d} {c.fp:4d} {c.fn:4d}"
        )
    micro = section.micro
    lines.append(
        f"{section.name} micro-F1 {micro.f1:.3f} macro-F1 {section.macro_f1:.3f}"
        f" (precision {micro.precision:.3f}, recall {micro.recall:.3f})"
    )
    return lines


def format_report(report: Report, verbose: bool = False) -> str:
    """A plain-text report; the last line is always `micro-F1 X macro-F1 Y` for body and
    notes together. `verbose` adds what was missed or extra, chapter by chapter."""
    lines = [f"chapters scored: {len(report.chapters)}", ""]
    lines += _section_lines(report.body, "body (chapter text)")
    if report.severity_pairs:
        lines.append(
            f"severity on {len(report.severity_pairs)} labels found by both: "
            f"exact {report.severity_exact:.3f}, within one step {report.severity_within_one:.3f}"
        )
    lines.append("")
    lines += _section_lines(report.notes, "notes (summaries and author's notes)")
    if verbose and report.diffs:
        lines += ["", "differences:"]
        for diff in report.diffs:
            parts = []
            if diff.missed:
                parts.append("missed " + ", ".join(diff.missed))
            if diff.extra:
                parts.append("extra " + ", ".join(diff.extra))
            lines.append(f"  chapter {diff.n} {diff.kind}: " + "; ".join(parts))
    overall = report.overall
    lines += ["", f"micro-F1 {overall.micro.f1:.3f} macro-F1 {overall.macro_f1:.3f}"]
    return "\n".join(lines)
