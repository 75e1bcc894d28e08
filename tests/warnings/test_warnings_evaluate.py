"""Scoring against gold: the arithmetic on a small example worked out by hand."""

from __future__ import annotations

import pytest

from companion.warnings.detect import Detection
from companion.warnings.evaluate import (
    Counts,
    evaluate,
    format_report,
    predicted_from_detections,
    validate_gold,
)

GOLD = {
    "work": "tiny.txt",
    "chapters": [
        {"n": 1, "body": {"violence": "moderate", "blood": "minor"}, "notes": ["violence"]},
        {"n": 2, "body": {"death": "graphic"}, "notes": []},
    ],
}
PREDICTED = {
    "work": "tiny.txt",
    "chapters": [
        {"n": 1, "body": {"violence": "graphic", "death": "minor"}, "notes": ["violence", "blood"]},
        {"n": 2, "body": {"death": "graphic"}, "notes": []},
    ],
}


def test_per_label_counts_for_body_and_notes():
    report = evaluate(GOLD, PREDICTED)
    assert report.body.labels == {
        "blood": Counts(tp=0, fp=0, fn=1),
        "death": Counts(tp=1, fp=1, fn=0),
        "violence": Counts(tp=1, fp=0, fn=0),
    }
    assert report.notes.labels == {
        "blood": Counts(tp=0, fp=1, fn=0),
        "violence": Counts(tp=1, fp=0, fn=0),
    }
    assert report.overall.labels == {
        "blood": Counts(tp=0, fp=1, fn=1),
        "death": Counts(tp=1, fp=1, fn=0),
        "violence": Counts(tp=2, fp=0, fn=0),
    }


def test_micro_and_macro_f1_by_hand():
    report = evaluate(GOLD, PREDICTED)
    # body: tp 2, fp 1, fn 1 -> P = R = F1 = 2/3
    assert report.body.micro.f1 == pytest.approx(2 / 3)
    # body per label F1: violence 1, blood 0, death 2*.5*1/1.5 = 2/3
    assert report.body.macro_f1 == pytest.approx((1 + 0 + 2 / 3) / 3)
    # notes: tp 1, fp 1 -> P 1/2, R 1, F1 2/3; per label: violence 1, blood 0
    assert report.notes.micro.precision == pytest.approx(0.5)
    assert report.notes.micro.recall == pytest.approx(1.0)
    assert report.notes.micro.f1 == pytest.approx(2 / 3)
    assert report.notes.macro_f1 == pytest.approx(0.5)
    # together: tp 3, fp 2, fn 1 -> P .6, R .75, F1 2/3; labels: violence 1, blood 0, death 2/3
    assert report.overall.micro.precision == pytest.approx(0.6)
    assert report.overall.micro.recall == pytest.approx(0.75)
    assert report.overall.micro.f1 == pytest.approx(2 / 3)
    assert report.overall.macro_f1 == pytest.approx((1 + 0 + 2 / 3) / 3)


def test_severity_agreement_is_reported_but_does_not_change_scores():
    report = evaluate(GOLD, PREDICTED)
    # violence moderate vs graphic (one step), death graphic vs graphic (exact)
    assert sorted(report.severity_pairs) == [("graphic", "graphic"), ("moderate", "graphic")]
    assert report.severity_exact == pytest.approx(0.5)
    assert report.severity_within_one == pytest.approx(1.0)


def test_last_line_is_micro_and_macro_for_body_and_notes_together():
    text = format_report(evaluate(GOLD, PREDICTED), verbose=True)
    assert text.splitlines()[-1] == "micro-F1 0.667 macro-F1 0.556"
    assert "body micro-F1 0.667 macro-F1 0.556" in text
    assert "notes micro-F1 0.667 macro-F1 0.500" in text
    assert "chapter 1 body: missed blood; extra death" in text


def test_perfect_and_empty_predictions():
    assert evaluate(GOLD, GOLD).overall.micro.f1 == 1.0
    nothing = evaluate(GOLD, {"chapters": []})
    assert nothing.overall.micro.f1 == 0.0
    assert nothing.overall.micro.recall == 0.0
    # Nothing to find and nothing found is not a failure.
    empty_gold = {"chapters": [{"n": 1, "body": {}, "notes": []}]}
    assert evaluate(empty_gold, {"chapters": []}).overall.micro.f1 == 1.0
    assert (
        format_report(evaluate(empty_gold, {})).splitlines()[-1] == "micro-F1 1.000 macro-F1 1.000"
    )


def test_chapters_missing_from_gold_are_not_scored():
    predicted = {"chapters": [*PREDICTED["chapters"], {"n": 9, "body": {"incest": "graphic"}}]}
    assert evaluate(GOLD, predicted).overall.labels == evaluate(GOLD, PREDICTED).overall.labels


def test_predictions_are_built_from_confident_detections_only():
    detections = [
        Detection("violence", "minor", "text", 0.9, "…", 1, 0, 2),
        Detection("violence", "graphic", "text", 0.8, "…", 1, 5, 6),
        Detection("blood", "minor", "text", 0.3, "…", 1, 5, 5),
        Detection("death", "mention", "notes", 0.7, "summary: …", 1, None, None),
        Detection("torture", "moderate", "tags", 0.9, "Torture", None, None, None),
    ]
    predicted = predicted_from_detections(detections, [1, 2], work="w.txt")
    assert predicted == {
        "work": "w.txt",
        "chapters": [
            {"n": 1, "body": {"violence": "graphic"}, "notes": ["death"]},
            {"n": 2, "body": {}, "notes": []},
        ],
    }


def test_validate_gold_names_each_problem():
    bad = {
        "chapters": [
            {"n": 1, "body": {"violence": "severe", "gore": "graphic"}, "notes": ["sadness"]},
            {"n": 1, "body": {}, "notes": []},
        ]
    }
    problems = validate_gold(bad)
    assert any("severity 'severe'" in p for p in problems)
    assert any("'gore'" in p for p in problems)
    assert any("'sadness'" in p for p in problems)
    assert any("appears twice" in p for p in problems)
    assert validate_gold(GOLD) == []
    assert validate_gold({}) == ["gold has no 'chapters' list"]
