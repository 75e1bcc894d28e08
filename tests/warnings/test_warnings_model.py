"""The trained detector: it loads offline, it is rebuilt reproducibly from the gold files,
and measured leave-one-work-out it beats a plain keyword list.

The leave-one-work-out figures printed here are the detector's real ones: each work is
scored by a model that was trained (thresholds included) without it. The sample work,
whose reading shaped the first rules, is trained on but never pooled.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

import pytest

from companion.warnings import model, semantic, training
from companion.warnings.evaluate import evaluate
from companion.warnings.taxonomy import LABEL_KEYS

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "data" / "warnings"
sys.path.insert(0, str(Path(__file__).parent))

import keyword_baseline  # noqa: E402

# The gold names its novels by paths into ../shared beside the checkout (they are not
# copied into the repository); a checkout somewhere else cannot train or score on them.
SHARED = ROOT.parent / "shared" / "corpora" / "pd-fiction"

pytestmark = [
    # No database is involved here: CI runs the suite on SQLite and again on PostgreSQL,
    # and these (the slowest: a full cross-validation) run once, in the SQLite pass.
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="database-independent; runs in the SQLite pass",
    ),
    pytest.mark.skipif(
        not SHARED.is_dir(), reason="../shared/corpora/pd-fiction is not beside the checkout"
    ),
]


@pytest.fixture(scope="module")
def works():
    return training.load_gold_folder(GOLD)


def test_the_embedding_and_the_model_load_with_the_network_cut(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network is off in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    semantic.embedder.cache_clear()
    semantic.prototype_matrix.cache_clear()
    model.load.cache_clear()
    try:
        scores, _ = semantic.chapter_scores(["He drew the knife and stabbed the man in the chest."])
        loaded = model.load()
    finally:
        semantic.embedder.cache_clear()
        semantic.prototype_matrix.cache_clear()
    # The violent sentence reads more like violence than like childbirth.
    assert scores["violence"][0] > scores["childbirth"][0]
    assert loaded.version and set(loaded.label_bias) == set(LABEL_KEYS)


def test_the_model_files_are_small():
    weights = Path(semantic._package_folder()) / "weights"
    sizes = [p.stat().st_size for p in weights.iterdir()] + [model.MODEL_PATH.stat().st_size]
    assert sum(sizes) < 25 * 1024 * 1024


def test_train_rebuilds_the_committed_model_byte_for_byte(tmp_path):
    out = tmp_path / "model.json"
    training.train(GOLD, out=out)
    try:
        assert out.read_bytes() == model.MODEL_PATH.read_bytes(), (
            "tests/data/warnings changed without `companion warnings train`"
        )
    finally:
        model.load.cache_clear()


def test_a_model_file_for_other_features_is_refused(tmp_path):
    data = json.loads(model.MODEL_PATH.read_text())
    data["features"] = data["features"][:-1]
    with pytest.raises(ValueError, match="companion warnings train"):
        model.Model.from_json(data)


def test_every_gold_chapter_was_labelled_twice_and_the_gold_is_well_formed(works):
    raw = GOLD / "raw"
    chapters = sum(len(w.gold["chapters"]) for w in works if w.held_out)
    assert chapters >= 100 + 3 * 5
    pd_works = {w.name for w in works if "pd-fiction" in w.gold["work"]}
    assert len(pd_works) >= 8
    for first in raw.glob("*-A.jsonl"):
        second = first.with_name(first.name.replace("-A.jsonl", "-B.jsonl"))
        keys = [
            {(json.loads(line)["work"], json.loads(line)["n"]) for line in path.open()}
            for path in (first, second)
        ]
        assert keys[0] == keys[1], f"{first.name} and {second.name} cover other chapters"


def test_leave_one_work_out_beats_the_keyword_list(works):
    result = training.cross_validate(works)
    keywords = {
        w.name: evaluate(w.gold, keyword_baseline.predict(w.data, w.chapter_numbers)) for w in works
    }
    print(f"{'work':<20} {'model':>6} {'keywords':>9}")
    for name, report in result.reports.items():
        print(f"{name:<20} {report.body.micro.f1:6.3f} {keywords[name].body.micro.f1:9.3f}")
    ours = result.pooled.body.micro.f1
    theirs = training.pool(keywords[name] for name in result.held_out).body.micro.f1
    print(f"pooled body micro-F1: model {ours:.3f}, keywords {theirs:.3f}")
    assert "sample" not in result.held_out
    assert ours > theirs
