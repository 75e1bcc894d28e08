"""Build the gold files in this folder from the raw annotations in raw/.

Every chapter was labelled by two annotators working apart (raw/<batch>-A.jsonl and
raw/<batch>-B.jsonl; each saw only ../../../../shared/warnings-guidelines.md and the
chapter). Where they agree on a label, it is gold; where one has a label the other does
not, a third reader's decision (raw/recon-*.jsonl, made from the chapter and the
guidelines) settles it. Severities: agreed labels take the more severe of the two
readings when they differ (a reader opting in at "moderate" should not miss a scene one
annotator found moderate), third-read labels take the third reader's.

    python tests/data/warnings/assemble.py          # rewrites the gold files
    python tests/data/warnings/assemble.py --check  # agreement figures only
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
RAW = HERE / "raw"
SEVERITIES = ("mention", "minor", "moderate", "graphic")
PD = "../../../../shared/corpora/pd-fiction/{}.txt"
MODERN = "works/{}.html"
# Labelled last and kept out of training, model design and cross-validation: scored once,
# by the final model, as a test nobody tuned on (see sealed/README.md).
SEALED = ("dracula", "jane-eyre")
ABOUT = (
    "Chapter-level warnings by two independent annotators per chapter, disagreements "
    "settled by a third read; raw annotations in raw/. Labels and severities as in "
    "shared/warnings-guidelines.md. Built by assemble.py."
)


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _pairs() -> dict[str, tuple[list[dict], list[dict]]]:
    batches = {}
    for a_path in sorted(RAW.glob("*-A.jsonl")):
        batch = a_path.name[: -len("-A.jsonl")]
        batches[batch] = (_lines(a_path), _lines(RAW / f"{batch}-B.jsonl"))
    return batches


def _third_reads() -> dict[tuple[str, int, str, str], dict]:
    decisions = {}
    for path in sorted(RAW.glob("recon-*.jsonl")):
        for row in _lines(path):
            decisions[(row["work"], int(row["n"]), row.get("kind", "body"), row["label"])] = row
    return decisions


def _worse(a: str, b: str) -> str:
    return a if SEVERITIES.index(a) >= SEVERITIES.index(b) else b


def assemble() -> tuple[dict[str, list[dict]], list[tuple]]:
    """({work: gold chapters}, [unsettled (work, n, kind, label)])."""
    third = _third_reads()
    chapters: dict[str, list[dict]] = defaultdict(list)
    unsettled = []
    for first, second in _pairs().values():
        by_key = {(r["work"], int(r["n"])): r for r in second}
        for a in first:
            key = (a["work"], int(a["n"]))
            b = by_key[key]
            body: dict[str, str] = {}
            for label in a["body"].keys() | b["body"].keys():
                if label in a["body"] and label in b["body"]:
                    body[label] = _worse(a["body"][label], b["body"][label])
                    continue
                decision = third.get((*key, "body", label))
                if decision is None:
                    unsettled.append((*key, "body", label))
                elif decision["present"]:
                    body[label] = decision["severity"] or "mention"
            notes = set(a.get("notes", [])) & set(b.get("notes", []))
            for label in set(a.get("notes", [])) ^ set(b.get("notes", [])):
                decision = third.get((*key, "notes", label))
                if decision is None:
                    unsettled.append((*key, "notes", label))
                elif decision["present"]:
                    notes.add(label)
            chapters[key[0]].append(
                {"n": key[1], "body": dict(sorted(body.items())), "notes": sorted(notes)}
            )
    return chapters, unsettled


def agreement() -> dict:
    """Cohen's kappa and positive agreement over every (chapter, label, kind) decision."""
    sys.path.insert(0, str(HERE.parents[2]))
    from companion.warnings.taxonomy import LABEL_KEYS

    agree = total = a_pos = b_pos = both = 0
    for first, second in _pairs().values():
        by_key = {(r["work"], int(r["n"])): r for r in second}
        for a in first:
            b = by_key[(a["work"], int(a["n"]))]
            for kind in ("body", "notes"):
                la, lb = set(a.get(kind) or []), set(b.get(kind) or [])
                for label in LABEL_KEYS:
                    x, y = label in la, label in lb
                    total += 1
                    agree += x == y
                    a_pos += x
                    b_pos += y
                    both += x and y
    po = agree / total
    pa, pb = a_pos / total, b_pos / total
    pe = pa * pb + (1 - pa) * (1 - pb)
    return {
        "decisions": total,
        "kappa": round((po - pe) / (1 - pe), 3),
        "positive_agreement": round(2 * both / (a_pos + b_pos), 3),
        "disagreements": a_pos + b_pos - 2 * both,
    }


def main(argv: list[str]) -> None:
    print(json.dumps(agreement()))
    if "--check" in argv:
        return
    chapters, unsettled = assemble()
    if unsettled:
        raise SystemExit(f"no third read for: {unsettled[:5]} ({len(unsettled)} in all)")
    for work, rows in sorted(chapters.items()):
        source = MODERN.format(work) if (HERE / MODERN.format(work)).is_file() else PD.format(work)
        folder = HERE / "sealed" if work in SEALED else HERE
        if folder != HERE:
            source = "../" + source
        gold = {"work": source, "about": ABOUT, "chapters": sorted(rows, key=lambda r: r["n"])}
        folder.mkdir(exist_ok=True)
        (folder / f"{work}.json").write_text(json.dumps(gold, indent=1) + "\n", encoding="utf-8")
        print(f"{folder.name}/{work}.json: {len(rows)} chapters")


if __name__ == "__main__":
    main(sys.argv[1:])
