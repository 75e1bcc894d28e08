"""Score the committed detector and the keyword baseline on the sealed gold.

The sealed chapters (tests/data/warnings/sealed/: Dracula, Jane Eyre) were labelled after
the model's design was fixed and are never trained or cross-validated on; this is the one
figure from text nobody looked at while building the detector.

    .venv/bin/python bench/warnings_sealed.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "warnings"))

import keyword_baseline  # noqa: E402

from companion.warnings import model, training  # noqa: E402
from companion.warnings.evaluate import evaluate  # noqa: E402


def main() -> None:
    works = training.load_gold_folder(ROOT / "tests" / "data" / "warnings" / "sealed")
    detector = model.load()
    ours, keywords = [], []
    print(f"detector {model.detector_version(detector)} on the sealed works")
    print(f"{'work':<12} {'ch':>3}  {'body F1':>7} {'P':>6} {'R':>6}  {'keywords F1':>11}")
    for work in works:
        report = evaluate(work.gold, training.predict(work, detector))
        baseline = evaluate(work.gold, keyword_baseline.predict(work.data, work.chapter_numbers))
        ours.append(report)
        keywords.append(baseline)
        body = report.body.micro
        print(
            f"{work.name:<12} {len(report.chapters):>3}  {body.f1:7.3f} {body.precision:6.3f}"
            f" {body.recall:6.3f}  {baseline.body.micro.f1:11.3f}"
        )
    pooled, base = training.pool(ours).body.micro, training.pool(keywords).body.micro
    print(
        f"{'pooled':<12} {sum(len(r.chapters) for r in ours):>3}  {pooled.f1:7.3f}"
        f" {pooled.precision:6.3f} {pooled.recall:6.3f}  {base.f1:11.3f}"
    )


if __name__ == "__main__":
    main()
