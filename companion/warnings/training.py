"""Training and honest measurement of the text detector's model, from gold files.

A gold folder (`tests/data/warnings/` in the repository) holds one gold file per work in
the DESIGN.md format, each naming its work by a path relative to the file. `fit` trains
the model on some works; `cross_validate` measures it leave-one-work-out: for every work,
a model trained on all the *other* works labels it, so no figure comes from a work the
model (or its thresholds) saw. Thresholds inside each fold are chosen by a second
leave-one-work-out over that fold's training works.

Gold files may mark themselves `"held_out": false` when the rules were written while
reading that work (the sample work): they are trained on, but their figure is reported
apart and left out of the pooled one.

scikit-learn is needed here only; inference (`model`) reads the saved parameters.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..importers import load as load_work
from . import lexicon, semantic
from . import model as model_module
from .detect import from_notes
from .evaluate import Counts, Report, Section, evaluate, predicted_from_detections, validate_gold
from .lexicon_general import GENERAL_TERMS
from .model import FEATURES, ChapterEvidence, Model, chapter_evidence
from .taxonomy import LABEL_KEYS

SEED = 0
# Regularisation strength and the smallest number of positive chapters a label needs in
# training for a threshold of its own (below it, the shared threshold applies).
C = 0.5
MIN_POSITIVES_FOR_OWN_THRESHOLD = 8
CLASS_WEIGHT: str | None = None
THRESHOLD_GRID = tuple(round(0.05 * i, 2) for i in range(2, 20))


@dataclass
class GoldWork:
    name: str  # the gold file's stem
    gold: dict
    data: object  # importers.WorkData
    held_out: bool = True
    evidence: dict[int, ChapterEvidence] = field(default_factory=dict)

    @property
    def chapter_numbers(self) -> list[int]:
        return [int(chapter["n"]) for chapter in self.gold["chapters"]]

    def body_labels(self, n: int) -> set[str]:
        for chapter in self.gold["chapters"]:
            if int(chapter["n"]) == n:
                return set(chapter.get("body") or {})
        return set()


def load_gold_folder(folder: Path) -> list[GoldWork]:
    """Every gold file directly in `folder` (raw annotations live in subfolders)."""
    works = []
    for path in sorted(folder.glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        if problems := validate_gold(gold):
            raise ValueError(f"{path}: {problems[0]}")
        source = (path.parent / gold["work"]).resolve()
        if not source.is_file():
            raise FileNotFoundError(f"{path}: the work {gold['work']!r} is not there")
        works.append(
            GoldWork(path.stem, gold, load_work(source), held_out=gold.get("held_out", True))
        )
    if not works:
        raise FileNotFoundError(f"no gold files in {folder}")
    return works


def _evidence(work: GoldWork) -> dict[int, ChapterEvidence]:
    if not work.evidence:
        wanted = set(work.chapter_numbers)
        work.evidence = {
            chapter.number: chapter_evidence(chapter)
            for chapter in work.data.chapters
            if chapter.number in wanted
        }
    return work.evidence


def _rows(works: Iterable[GoldWork]) -> tuple[list[list[float]], list[str], list[int]]:
    X, labels, y = [], [], []
    for work in works:
        for n, evidence in _evidence(work).items():
            gold = work.body_labels(n)
            for label in LABEL_KEYS:
                X.append(evidence.features(label))
                labels.append(label)
                y.append(int(label in gold))
    return X, labels, y


def _design(X: Sequence[Sequence[float]], labels: Sequence[str], mean, scale):
    """Standardised features and a bias per label (one-hot)."""
    import numpy as np

    base = (np.asarray(X, dtype=float) - mean) / scale
    onehot = np.zeros((len(labels), len(LABEL_KEYS)))
    for i, label in enumerate(labels):
        onehot[i, LABEL_KEYS.index(label)] = 1.0
    return np.hstack([base, onehot])


def _fit_logistic(works: Sequence[GoldWork]) -> Model:
    """The logistic part alone; thresholds are filled in by `fit`."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    X, labels, y = _rows(works)
    array = np.asarray(X, dtype=float)
    mean = array.mean(axis=0)
    scale = array.std(axis=0)
    scale[scale == 0] = 1.0
    classifier = LogisticRegression(
        C=C, class_weight=CLASS_WEIGHT, max_iter=5000, random_state=SEED
    )
    classifier.fit(_design(X, labels, mean, scale), y)
    coef = classifier.coef_[0]
    n = len(FEATURES)
    return Model(
        version="untrained",
        mean=tuple(float(v) for v in mean),
        scale=tuple(float(v) for v in scale),
        coef=tuple(float(v) for v in coef[:n]),
        intercept=float(classifier.intercept_[0]),
        label_bias={key: float(coef[n + i]) for i, key in enumerate(LABEL_KEYS)},
        thresholds={},
        default_threshold=0.5,
        trained_on=tuple(work.name for work in works),
    )


def _best_threshold(pairs: Sequence[tuple[float, int]]) -> float:
    """The grid threshold with the best F1 over (probability, truth) pairs; ties go to
    the higher threshold (fewer false alarms)."""
    best, best_f1 = 0.5, -1.0
    for t in THRESHOLD_GRID:
        tp = sum(1 for p, truth in pairs if p >= t and truth)
        fp = sum(1 for p, truth in pairs if p >= t and not truth)
        fn = sum(1 for p, truth in pairs if p < t and truth)
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 >= best_f1:
            best, best_f1 = t, f1
    return best


def fit(works: Sequence[GoldWork], version: str = "trained") -> Model:
    """Train on `works`: one logistic model, thresholds from out-of-fold probabilities
    (leave one work out within `works`)."""
    out_of_fold: dict[str, list[tuple[float, int]]] = {key: [] for key in LABEL_KEYS}
    if len(works) > 2:
        for held in works:
            inner = _fit_logistic([w for w in works if w is not held])
            for n, evidence in _evidence(held).items():
                gold = held.body_labels(n)
                for label in LABEL_KEYS:
                    p = inner.probability(evidence.features(label), label)
                    out_of_fold[label].append((p, int(label in gold)))
    final = _fit_logistic(works)
    pooled = [pair for pairs in out_of_fold.values() for pair in pairs]
    default = _best_threshold(pooled) if pooled else 0.5
    thresholds = {}
    for label, pairs in out_of_fold.items():
        if sum(truth for _, truth in pairs) >= MIN_POSITIVES_FOR_OWN_THRESHOLD:
            # Halfway between the label's own best and the shared one: a label's best
            # threshold on a few dozen examples is noisy.
            thresholds[label] = round((_best_threshold(pairs) + default) / 2, 3)
    return replace(final, version=version, thresholds=thresholds, default_threshold=default)


def predict(work: GoldWork, model: Model) -> dict:
    """The detector's chapter labels for a gold work, in the gold format."""
    evidence = _evidence(work)
    detections = []
    for chapter in work.data.chapters:
        if chapter.number in evidence:
            detections.extend(from_notes(chapter))
            detections.extend(model_module.detect_text(chapter, model, evidence[chapter.number]))
    return predicted_from_detections(detections, work.chapter_numbers, work=work.name)


@dataclass(frozen=True)
class CrossValidation:
    reports: dict[str, Report]  # per work, each from a model that never saw it
    held_out: tuple[str, ...]

    @property
    def pooled(self) -> Report:
        return pool(self.reports[name] for name in self.held_out)


def cross_validate(works: Sequence[GoldWork]) -> CrossValidation:
    reports = {}
    for held in works:
        trained = fit([w for w in works if w is not held], version=f"cv-{held.name}")
        reports[held.name] = evaluate(held.gold, predict(held, trained))
    return CrossValidation(reports, tuple(w.name for w in works if w.held_out))


def pool(reports: Iterable[Report]) -> Report:
    """Several works' reports as one: every (chapter, label) decision counted once."""
    reports = list(reports)

    def merged(pick) -> dict[str, Counts]:
        out: dict[str, Counts] = {}
        for report in reports:
            for label, counts in pick(report).labels.items():
                out[label] = out.get(label, Counts()) + counts
        return dict(sorted(out.items()))

    return Report(
        body=Section("body", merged(lambda r: r.body)),
        notes=Section("notes", merged(lambda r: r.notes)),
        overall=Section("all", merged(lambda r: r.overall)),
        chapters=tuple(range(sum(len(r.chapters) for r in reports))),
        diffs=(),
        severity_pairs=tuple(pair for r in reports for pair in r.severity_pairs),
    )


def train(folder: Path, out: Path = model_module.MODEL_PATH) -> Model:
    """Rebuild the committed model from every gold file in `folder`; same input, same
    file (fixed seed, deterministic solver, rounded parameters)."""
    works = load_gold_folder(folder)
    version = _version_of(works)
    trained = fit(works, version=version)
    out.write_text(json.dumps(trained.to_json(), indent=1) + "\n", encoding="utf-8")
    model_module.load.cache_clear()
    return trained


def _version_of(works: Sequence[GoldWork]) -> str:
    """A short fingerprint of the training data, so that retraining on new gold gives a
    new detector version and the works detected before it are re-detected."""
    import hashlib

    digest = hashlib.sha256()
    for work in works:
        digest.update(json.dumps(work.gold, sort_keys=True).encode())
    # The rules and prototypes the features are computed from: editing a word list makes
    # a new detector even when the gold is the same.
    terms = [(t.label, t.pattern, t.weight, t.strength) for t in (*lexicon.TERMS, *GENERAL_TERMS)]
    digest.update(json.dumps([terms, semantic.PROTOTYPES, semantic.MIN_WINDOW_WORDS]).encode())
    digest.update(json.dumps([FEATURES, C, model_module.RULES_VERSION]).encode())
    return digest.hexdigest()[:10]
