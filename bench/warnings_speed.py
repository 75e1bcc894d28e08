"""How fast and how big the warning detector is, measured (never asserted in tests).

Targets (issue 14): the sample work detected in under 2 s, a 1,000-paragraph work under
10 s, model files under 25 MB, a worker's resident memory under 300 MB.

    .venv/bin/python bench/warnings_speed.py

Each timing is the best of three runs in a fresh process state (the embedding model is
loaded once first, as a worker does when it starts, and that load is reported apart).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpora" / "pd-fiction"
SAMPLE = ROOT / "seeds" / "000_7177a6315aa087ac.txt"


def _thousand_paragraphs():
    """The first 1,000 paragraphs of a public-domain novel, as 20 chapters of 50."""
    from companion.importers import load
    from companion.importers.base import ChapterData, WorkData

    source = SHARED / "the-jungle.txt"
    paragraphs = [p for c in load(source).chapters for p in c.paragraphs][:1000]
    chapters = [
        ChapterData(number=i + 1, paragraphs=paragraphs[i * 50 : (i + 1) * 50]) for i in range(20)
    ]
    return WorkData(
        title="1,000 paragraphs", chapters=chapters, source_format="text", source_name=source.name
    )


def _measure() -> dict:
    from companion.importers import load
    from companion.warnings import model, semantic
    from companion.warnings.detect import detect_work

    start = time.perf_counter()
    semantic.prototype_matrix()
    model.load()
    load_seconds = time.perf_counter() - start
    out = {"load_s": load_seconds}
    for name, work in (("sample", load(SAMPLE)), ("thousand", _thousand_paragraphs())):
        best = min(_timed(detect_work, work) for _ in range(3))
        out[f"{name}_s"] = best
        out[f"{name}_paragraphs"] = sum(len(c.paragraphs) for c in work.chapters)
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _timed(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def _model_files_mb() -> float:
    from companion.warnings import model, semantic

    weights = Path(semantic._package_folder()) / "weights"
    tokenizer = Path(semantic._package_folder()) / "tokenizers"
    files = [*weights.iterdir(), *tokenizer.glob("*.json"), model.MODEL_PATH]
    return sum(f.stat().st_size for f in files) / 1024 / 1024


def main() -> None:
    if "--child" in sys.argv:
        # A worker as it runs: the app built, the detector loaded, then two works detected.
        from companion import create_app

        create_app()
        print(json.dumps(_measure()))
        return
    child = subprocess.run(
        [sys.executable, __file__, "--child"], capture_output=True, text=True, check=True
    )
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    rows = [
        ("detector load (once per worker)", f"{figures['load_s']:.2f} s", ""),
        (
            f"sample work ({figures['sample_paragraphs']} paragraphs)",
            f"{figures['sample_s']:.2f} s",
            "< 2 s",
        ),
        (
            f"{figures['thousand_paragraphs']}-paragraph work",
            f"{figures['thousand_s']:.2f} s",
            "< 10 s",
        ),
        (
            "model files (embedding, tokenizer, model.json)",
            f"{_model_files_mb():.1f} MB",
            "< 25 MB",
        ),
        ("worker peak RSS", f"{figures['rss_mb']:.0f} MB", "< 300 MB"),
    ]
    print(f"{'measure':<50} {'value':>10}  target")
    for name, value, target in rows:
        print(f"{name:<50} {value:>10}  {target}")


if __name__ == "__main__":
    main()
