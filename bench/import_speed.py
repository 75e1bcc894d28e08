"""How long `companion import` takes: the sample work, and a 1,000-paragraph EPUB.

    .venv/bin/python bench/import_speed.py [--runs 5] [--profile]

Each figure is the best of N runs on a fresh SQLite database in a temporary instance
folder: parse (file → WorkData), store (`store_work`: rows, sanitizing, content-warning
detection, commit) and, for reference, detection alone and the wall time of the real
`companion import` in a subprocess (Python start-up and imports included; once on a new
instance, which migrates its database first, and once on a migrated one).

The EPUB is our own prose (a few hundred sentences recombined) in the archive's HTML
download markup, turned into a calibre-style EPUB by the fixture builder in
tests/fixtures/works/build_epub.py. Targets (issue 13, not asserted): the sample under
0.5 s, the EPUB under 3 s. `--profile` prints where the time of one store goes.
"""

from __future__ import annotations

import argparse
import cProfile
import html
import io
import os
import pstats
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "works"))
SEED = ROOT / "seeds" / "000_7177a6315aa087ac.txt"
SAMPLE_TITLE = "Between Coping and Caring"
COMPANION = Path(sys.executable).with_name("companion")
TARGETS = {"sample": 0.5, "epub": 3.0}

# --- our own prose -------------------------------------------------------------------

OPENINGS = [
    "The ferry",
    "Her grandmother",
    "The lighthouse keeper",
    "Nobody on the quay",
    "The youngest of the crew",
    "A gull",
    "The harbour master",
    "Tamsin",
    "Old Hollis",
    "The schoolteacher",
    "A stranger in a grey coat",
    "The baker's boy",
    "Wren",
    "The night watchman",
    "The tide",
    "Someone upstairs",
    "The cartographer",
    "The innkeeper's daughter",
    "A lantern",
    "The fog",
]
MIDDLES = [
    "waited by the rail",
    "counted the boats again",
    "said nothing for a long while",
    "turned the ledger to a clean page",
    "walked the length of the breakwater",
    "forgot the kettle on the stove",
    "laughed at the wrong moment",
    "kept the letter folded in a pocket",
    "climbed the hundred steps",
    "mended the net",
    "watched the weather come in",
    "argued about the price of rope",
    "wrote a name in the margin",
    "left the door unlatched",
    "hummed the old song",
    "looked for the light on the point",
    "swept the sand from the step",
    "asked the question twice",
    "carried the lamp down to the water",
    "slept through the bell",
]
CLOSINGS = [
    "before the rain reached the town.",
    "and nobody asked why.",
    "as the bells rang noon.",
    "while the kettle sang.",
    "until the lamps were lit.",
    "though it changed nothing.",
    "and the harbour went quiet.",
    "with cold hands and a steady voice.",
    "because someone had to.",
    "long after the others had gone home.",
    "as if it were an ordinary day.",
    "and then, at last, sat down.",
    "under a sky the colour of slate.",
    "for the third time that week.",
    "without looking back.",
    "and wrote it all down.",
]


def prose(paragraphs: int, seed: int = 13) -> list[str]:
    """Paragraphs of two to five sentences recombined from 20, 20 and 16 parts."""
    rng = random.Random(seed)
    return [
        " ".join(
            f"{rng.choice(OPENINGS)} {rng.choice(MIDDLES)} {rng.choice(CLOSINGS)}"
            for _ in range(rng.randint(2, 5))
        )
        for _ in range(paragraphs)
    ]


def archive_download(paragraphs: int, chapters: int = 20) -> bytes:
    """An archive HTML download (the markup otwarchive writes) of a work of that size."""
    text = prose(paragraphs)
    per = paragraphs // chapters
    words = sum(len(p.split()) for p in text)
    parts = []
    for n in range(1, chapters + 1):
        body = text[(n - 1) * per : n * per if n < chapters else paragraphs]
        parts.append(
            f"""
<div class="meta group">
  <h2 class="heading">Chapter {n}: The {html.escape(OPENINGS[n % len(OPENINGS)][4:])}</h2>
    <p>Chapter Summary</p>
    <blockquote class="userstuff"><p>{html.escape(text[n])}</p></blockquote>
</div>
<!--chapter content-->
<div class="userstuff">
  {"".join(f"<p>{html.escape(p)}</p>{chr(10)}" for p in body)}
</div>
<!--/chapter content-->
"""
        )
    return f"""<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
<head><meta charset="utf-8" /><title>The Harbour Ledger - Original Work</title></head>
<body>
<div id="preface">
  <h2 class="toc-heading">Preface</h2>
  <p class="message"><b>The Harbour Ledger</b><br/>
    Posted originally on the <a href="https://archiveofourown.org/">Archive of Our Own</a>
    at <a href="https://archiveofourown.org/works/1000">https://archiveofourown.org/works/1000</a>.
  </p>
  <div class="meta">
    <dl class="tags">
      <dt>Rating:</dt><dd><a href="https://archiveofourown.org/tags/G">General Audiences</a></dd>
      <dt>Archive Warnings:</dt>
      <dd><a href="https://archiveofourown.org/tags/N">No Archive Warnings Apply</a></dd>
      <dt>Fandom:</dt><dd><a href="https://archiveofourown.org/tags/O">Original Work</a></dd>
      <dt>Additional Tags:</dt><dd><a href="https://archiveofourown.org/tags/S">Slow Burn</a></dd>
      <dt>Language:</dt><dd>English</dd>
      <dt>Stats:</dt>
      <dd>Published: 2024-02-11 Words: {words:,} Chapters: {chapters}/{chapters}</dd>
    </dl>
    <h1>The Harbour Ledger</h1>
    <div class="byline">by <a rel="author" href="https://archiveofourown.org/users/b">bench</a></div>
    <p>Summary</p>
    <blockquote class="userstuff"><p>{html.escape(text[0])}</p></blockquote>
  </div>
</div>
<div id="chapters" class="userstuff">
{"".join(parts)}
</div>
<div id="afterword">
  <h2 class="toc-heading">Afterword</h2>
  <p class="message">Please <a href="https://archiveofourown.org/works/1000/comments/new">drop
    by the archive and comment</a> to let the creator know if you enjoyed their work!</p>
</div>
</body>
</html>
""".encode()


def build_epub(paragraphs: int) -> bytes:
    from build_epub import build  # tests/fixtures/works: the archive's calibre EPUB shape

    # calibre cuts a long chapter in two; so do we, in chapter 3.
    return build(archive_download(paragraphs), stem="The_Harbour_Ledger", split_inside={3: 20})


# --- measuring -----------------------------------------------------------------------


def best(runs: int, measure) -> dict[str, float]:
    """Each part's best time over the runs (measure returns {part: seconds})."""
    results = [measure() for _ in range(runs)]
    return {part: min(r[part] for r in results) for part in results[0]}


def in_process(app, raw: bytes, name: str, fmt: str, title: str | None, runs: int, profile: bool):
    from sqlalchemy import delete

    from companion.extensions import db
    from companion.importers import parse_bytes
    from companion.library import store_work
    from companion.models import Work
    from companion.warnings.detect import detect_work

    def once() -> dict[str, float]:
        with app.app_context():
            db.session.execute(delete(Work))
            db.session.commit()
            start = time.perf_counter()
            data = parse_bytes(raw, name, fmt)
            parsed = time.perf_counter()
            result = store_work(data, title=title)
            stored = time.perf_counter()
            assert result.outcome == "imported", result.outcome
            detect_work(data)
            detected = time.perf_counter()
            once.paragraphs = sum(len(c.paragraphs) for c in data.chapters)
            once.chapters = len(data.chapters)
        return {
            "parse": parsed - start,
            "store": stored - parsed,
            "parse + store": stored - start,
            "detection alone": detected - stored,
        }

    figures = best(runs, once)
    if profile:
        with app.app_context():
            db.session.execute(delete(Work))
            db.session.commit()
            profiler = cProfile.Profile()
            profiler.enable()
            store_work(parse_bytes(raw, name, fmt), title=title)
            profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        print(out.getvalue())
    return figures, once.chapters, once.paragraphs


def cli_wall(path: Path, args: list[str], runs: int) -> dict[str, float]:
    """The real command: on a new instance (migrations included) and on a migrated one."""

    def companion(instance: str, *command: str) -> float:
        env = {**os.environ, "COMPANION_INSTANCE": instance}
        env.pop("DATABASE_URL", None)
        start = time.perf_counter()
        subprocess.run(
            [str(COMPANION), *command], env=env, check=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        return time.perf_counter() - start

    def once() -> dict[str, float]:
        with tempfile.TemporaryDirectory() as fresh, tempfile.TemporaryDirectory() as migrated:
            first = companion(fresh, "import", str(path), *args)
            companion(migrated, "db", "upgrade")
            second = companion(migrated, "import", str(path), *args)
        return {"CLI, new instance": first, "CLI, migrated instance": second}

    return best(runs, once)


def report(label: str, figures: dict[str, float], target: float) -> None:
    for part, seconds in figures.items():
        mark = ""
        if part == "parse + store":
            mark = f"   target < {target:g} s: {'met' if seconds < target else 'MISSED'}"
        print(f"  {part:<24}{seconds * 1000:>9.1f} ms{mark}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--paragraphs", type=int, default=1000)
    parser.add_argument("--profile", action="store_true", help="cProfile one store of each")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as instance, tempfile.TemporaryDirectory() as files:
        os.environ["COMPANION_INSTANCE"] = instance
        os.environ.pop("DATABASE_URL", None)
        from companion import create_app
        from companion.database import upgrade

        app = create_app({"SECRET_KEY": "bench"})
        with app.app_context():
            upgrade()

        raw = SEED.read_bytes()
        figures, chapters, paragraphs = in_process(
            app, raw, SEED.name, "auto", SAMPLE_TITLE, args.runs, args.profile
        )
        figures |= cli_wall(SEED, ["--title", SAMPLE_TITLE], max(1, args.runs // 2))
        print(f"sample ({SEED.name}: {len(raw):,} bytes, {chapters} chapters, "
              f"{paragraphs} paragraphs), best of {args.runs}:")  # fmt: skip
        report("sample", figures, TARGETS["sample"])

        epub = build_epub(args.paragraphs)
        epub_path = Path(files) / "the_harbour_ledger.epub"
        epub_path.write_bytes(epub)
        figures, chapters, paragraphs = in_process(
            app, epub, epub_path.name, "auto", None, args.runs, args.profile
        )
        figures |= cli_wall(epub_path, [], max(1, args.runs // 2))
        print(f"EPUB ({len(epub):,} bytes, {chapters} chapters, {paragraphs} paragraphs), "
              f"best of {args.runs}:")  # fmt: skip
        report("epub", figures, TARGETS["epub"])


if __name__ == "__main__":
    main()
