"""Chapter page vs. a minimal Flask endpoint serving the same bytes, both under
`gunicorn -w 2 --preload`, measured with wrk in the same run.

    .venv/bin/python bench/chapter_page.py [--seconds 5]

Target: the chapter page at >= 0.5x the minimal endpoint's requests per second at 8
connections. Prints numbers; never fails on them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, VENV_BIN, gunicorn, measure, wait_until_up


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--chapter", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as instance:
        env = {"COMPANION_INSTANCE": instance, "SECRET_KEY": "bench"}
        env.pop("DATABASE_URL", None)
        subprocess.run(
            [str(VENV_BIN / "companion"), "demo", "--setup-only"],
            env={**os.environ, **env}, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        path = f"/works/1/chapters/{args.chapter}"
        with gunicorn("companion:create_app()", env) as base:
            wait_until_up(base + path)
            body = urllib.request.urlopen(base + path).read()
            body_file = Path(instance) / "body.html"
            body_file.write_bytes(body)
            ours = measure(base + path, args.seconds)
        with gunicorn("minimal_app:app", {"BENCH_BODY_FILE": str(body_file),
                                           "PYTHONPATH": str(ROOT / "bench")}) as base:  # fmt: skip
            wait_until_up(base + "/")
            minimal = measure(base + "/", args.seconds)

    print(f"chapter page: {path}, {len(body):,} bytes, gunicorn -w 2 --preload, wrk")
    print(f"{'endpoint':<20}{'p50 @1 (ms)':>14}{'req/s @8':>12}")
    print(f"{'chapter page':<20}{ours['p50_ms']:>14.2f}{ours['rps']:>12.0f}")
    print(f"{'minimal Flask':<20}{minimal['p50_ms']:>14.2f}{minimal['rps']:>12.0f}")
    ratio = ours["rps"] / minimal["rps"]
    print(f"ratio (req/s, chapter / minimal): {ratio:.2f}x  (target >= 0.5x)")


if __name__ == "__main__":
    main()
