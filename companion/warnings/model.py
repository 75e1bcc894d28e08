"""The trained part of the text detector: chapter-level label decisions from evidence.

The word lists and scope rules (`detect`) say where a label's words occur and how they
are used; the sentence embedding (`semantic`) says how close the chapter comes to each
label in meaning. Neither decides alone. For every (chapter, label) this module turns the
evidence into a few numbers (`FEATURES`) and a logistic model, trained on hand-labelled
gold files by `companion warnings train` (see `training`), gives the probability that the
chapter contains the label. A chapter holds the label when that probability reaches the
label's threshold, chosen by cross-validation.

The model is one logistic regression shared by all labels, with a bias per label: with a
few hundred labelled chapters most labels have only a handful of positive examples, far
too few for a model of their own, while "three vivid stabbing words in a chapter" means
much the same whichever label they belong to. Parameters are a small JSON file committed
beside this module (`model.json`); loading it needs neither scikit-learn nor a network.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from . import semantic
from .detect import (
    COUNTING_CONFIDENCE,
    ChapterLike,
    Detection,
    _Hit,
    label_passages,
    text_hits,
)
from .taxonomy import LABEL_KEYS, severity_rank

MODEL_PATH = Path(__file__).with_name("model.json")
# A passage whose own words the rules trust less than this is not shown as a warning of
# its own, even in a chapter that holds the label (the strongest passage always is).
WEAK_PASSAGE = 0.3
# Bumped whenever the rules or the features change meaning; with the trained parameters'
# own version it makes the detector version stored on each work (see `detector_version`).
RULES_VERSION = 3

FEATURES: tuple[str, ...] = (
    "hits",  # log(1 + terms found)
    "happening",  # log(1 + terms on the page, not talked about)
    "vivid",  # log(1 + vivid terms)
    "max_weight",  # the surest single term
    "weight_sum",  # log(1 + summed weights)
    "paragraphs",  # log(1 + paragraphs with a term)
    "density",  # terms per 1,000 words
    "passage_confidence",  # the rules' confidence in their best passage
    "severity",  # the rules' severity of the strongest passage, 0..1
    "strong",  # a term of weight >= 0.7 happened on the page
    *semantic.SEMANTIC_FEATURES,
    "length",  # log of the chapter's words / 1,000
)


@dataclass(frozen=True)
class ChapterEvidence:
    """Everything the model reads about one chapter."""

    number: int
    words: int
    hits: Mapping[str, list[_Hit]]
    passages: Mapping[str, list[Detection]]
    semantic: Mapping[str, tuple[float, ...]]
    closest: Mapping[str, int | None]  # the paragraph that reads most like each label
    _cache: dict[str, list[float]] = field(default_factory=dict, compare=False, repr=False)

    def features(self, label: str) -> list[float]:
        """The numbers the model reads for one label (computed once per label)."""
        cached = self._cache.get(label)
        if cached is not None:
            return cached
        hits = self.hits.get(label, [])
        passages = self.passages.get(label, [])
        weights = [hit.weight for hit in hits]
        happening = sum(1 for hit in hits if hit.strength >= 1)
        vivid = sum(1 for hit in hits if hit.strength >= 2)
        kwords = max(self.words, 1) / 1000
        best_confidence = max((p.confidence for p in passages), default=0.0)
        best_severity = max((severity_rank(p.severity) for p in passages), default=-1)
        strong = any(hit.weight >= 0.7 and hit.strength >= 1 for hit in hits)
        cached = self._cache[label] = [
            math.log1p(len(hits)),
            math.log1p(happening),
            math.log1p(vivid),
            max(weights, default=0.0),
            math.log1p(sum(weights)),
            math.log1p(len({hit.paragraph for hit in hits})),
            min(len(hits) / kwords, 50.0) / 10,
            best_confidence,
            (best_severity + 1) / 4,
            float(strong),
            *self.semantic[label],
            math.log(kwords + 0.1),
        ]
        return cached


def chapter_evidence(chapter: ChapterLike) -> ChapterEvidence:
    hits = text_hits(chapter)
    scores, closest = semantic.chapter_scores(
        chapter.paragraphs,
        {label: {hit.paragraph for hit in label_hits} for label, label_hits in hits.items()},
    )
    return ChapterEvidence(
        number=chapter.number,
        words=sum(len(p.split()) for p in chapter.paragraphs),
        hits=hits,
        passages={
            label: label_passages(label, chapter.number, label_hits)
            for label, label_hits in hits.items()
        },
        semantic=scores,
        closest=closest,
    )


@dataclass(frozen=True)
class Model:
    """Trained parameters (see `training.fit`); `probability` is the whole inference."""

    version: str
    mean: Sequence[float]
    scale: Sequence[float]
    coef: Sequence[float]
    intercept: float
    label_bias: Mapping[str, float]
    thresholds: Mapping[str, float]
    default_threshold: float
    trained_on: Sequence[str] = ()

    def probability(self, features: Sequence[float], label: str) -> float:
        z = self.intercept + self.label_bias.get(label, 0.0)
        for x, m, s, w in zip(features, self.mean, self.scale, self.coef, strict=True):
            z += w * (x - m) / s
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))

    def threshold(self, label: str) -> float:
        return self.thresholds.get(label, self.default_threshold)

    def to_json(self) -> dict:
        return {
            "version": self.version,
            "features": list(FEATURES),
            "mean": [round(v, 6) for v in self.mean],
            "scale": [round(v, 6) for v in self.scale],
            "coef": [round(v, 6) for v in self.coef],
            "intercept": round(self.intercept, 6),
            "label_bias": {k: round(v, 6) for k, v in sorted(self.label_bias.items())},
            "thresholds": {k: round(v, 4) for k, v in sorted(self.thresholds.items())},
            "default_threshold": round(self.default_threshold, 4),
            "trained_on": list(self.trained_on),
        }

    @classmethod
    def from_json(cls, data: Mapping) -> Model:
        if list(data.get("features", [])) != list(FEATURES):
            raise ValueError(
                "the model file was trained on other features; run `companion warnings train`"
            )
        return cls(
            version=str(data["version"]),
            mean=tuple(data["mean"]),
            scale=tuple(data["scale"]),
            coef=tuple(data["coef"]),
            intercept=float(data["intercept"]),
            label_bias=dict(data["label_bias"]),
            thresholds=dict(data["thresholds"]),
            default_threshold=float(data["default_threshold"]),
            trained_on=tuple(data.get("trained_on", ())),
        )


@cache
def load(path: Path = MODEL_PATH) -> Model:
    return Model.from_json(json.loads(path.read_text(encoding="utf-8")))


def detector_version(model: Model | None = None) -> str:
    """What a work's stored warnings were made by; a work with another value is re-detected."""
    model = model or load()
    return f"rules{RULES_VERSION}+model{model.version}"


def _calibrated(probability: float, threshold: float) -> float:
    """The model's probability mapped so that its threshold lands on COUNTING_CONFIDENCE:
    stored detections keep one meaning of "counts" whatever the label's threshold."""
    if probability >= threshold:
        span = (probability - threshold) / max(1e-9, 1 - threshold)
        return round(COUNTING_CONFIDENCE + (0.99 - COUNTING_CONFIDENCE) * span, 2)
    return round(COUNTING_CONFIDENCE * probability / max(threshold, 1e-9) * 0.98, 2)


def decide(evidence: ChapterEvidence, model: Model) -> dict[str, float]:
    """{label: probability} for every label."""
    return {label: model.probability(evidence.features(label), label) for label in LABEL_KEYS}


def detect_text(
    chapter: ChapterLike, model: Model | None = None, evidence: ChapterEvidence | None = None
) -> list[Detection]:
    """The chapter's text warnings: the rules' passages, each carrying the model's verdict
    for its label as its confidence (at or above COUNTING_CONFIDENCE when the chapter holds
    the label). A label the model finds with no passage of its own words (a paraphrase)
    is placed at the paragraph that reads most like it, as a mention. `evidence`, when the
    caller has it already (training), saves reading the chapter again; it is not changed."""
    model = model or load()
    evidence = evidence or chapter_evidence(chapter)
    detections: list[Detection] = []
    for label, probability in decide(evidence, model).items():
        confidence = _calibrated(probability, model.threshold(label))
        passages = evidence.passages.get(label, [])
        strongest = max(passages, key=lambda p: p.confidence, default=None)
        for passage in passages:
            shown = confidence
            if passage is not strongest and passage.confidence < WEAK_PASSAGE:
                # The chapter holds the label, but not necessarily here: a lone weak word
                # elsewhere ("go all doctor on me") is kept as weak, never collapsed.
                shown = min(confidence, round(COUNTING_CONFIDENCE - 0.01, 2))
            detections.append(replace(passage, confidence=shown))
        if not passages and confidence >= COUNTING_CONFIDENCE:
            paragraph = evidence.closest.get(label)
            detections.append(
                Detection(
                    label=label,
                    severity="mention",
                    source="text",
                    confidence=confidence,
                    evidence="reads like this label (sentence similarity), no listed words",
                    chapter=chapter.number,
                    paragraph_start=paragraph,
                    paragraph_end=paragraph,
                )
            )
    detections.sort(key=lambda d: (d.paragraph_start or 0, d.label))
    return detections
