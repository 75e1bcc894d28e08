"""Chapter page vs. a minimal Flask endpoint serving the same bytes, both under
`gunicorn -w 2 --preload`, measured with wrk in the same run.

    .venv/bin/python bench/chapter_page.py [--seconds 5] [--chapter 3]

Target (issue 3): the chapter page as a visitor without an account gets it at >= 0.5x
the minimal endpoint's requests per second at 8 connections. For comparison the same
chapter is also measured as a signed-in reader (personal: "I'm here" buttons, progress,
warnings) and inside the demo circle (plus the discussion the member has reached);
those pages are rendered on every request. Prints numbers; never fails on them.
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
from common import ROOT, USER_AGENT, VENV_BIN, gunicorn, measure, session_cookie, wait_until_up

MEMBER = "jonah"  # the demo member at the end of chapter 3


def fetch(url: str, headers: dict) -> bytes:
    response = urllib.request.urlopen(urllib.request.Request(url, headers=headers))
    assert response.url == url, f"{url} redirected to {response.url}: not signed in?"
    return response.read()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--chapter", type=int, default=3)
    args = parser.parse_args()

    public = f"/works/1/chapters/{args.chapter}"
    circle = f"/c/thursday-readers/chapters/{args.chapter}"
    rows = {}
    with tempfile.TemporaryDirectory() as instance:
        env = {"COMPANION_INSTANCE": instance, "SECRET_KEY": "bench"}
        env.pop("DATABASE_URL", None)
        subprocess.run(
            [str(VENV_BIN / "companion"), "demo", "--setup-only"],
            env={**os.environ, **env}, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        with gunicorn("companion:create_app()", env) as base:
            wait_until_up(base + public)
            body = fetch(base + public, {})
            body_file = Path(instance) / "body.html"
            body_file.write_bytes(body)
            rows["chapter, no account"] = (measure(base + public, args.seconds), len(body))
            signed_in = {"Cookie": session_cookie(base, MEMBER), "User-Agent": USER_AGENT}
            for label, path in [("chapter, signed in", public), ("chapter, in circle", circle)]:
                size = len(fetch(base + path, signed_in))
                rows[label] = (measure(base + path, args.seconds, signed_in), size)
        with gunicorn("minimal_app:app", {"BENCH_BODY_FILE": str(body_file),
                                           "PYTHONPATH": str(ROOT / "bench")}) as base:  # fmt: skip
            wait_until_up(base + "/")
            minimal = measure(base + "/", args.seconds)

    print(f"chapter {args.chapter} of the demo work; gunicorn -w 2 --preload; wrk")
    print(f"{'endpoint':<22}{'bytes':>9}{'p50 @1 (ms)':>14}{'req/s @8':>11}{'vs minimal':>12}")
    for label, (numbers, size) in rows.items():
        ratio = numbers["rps"] / minimal["rps"]
        print(f"{label:<22}{size:>9,}{numbers['p50_ms']:>14.2f}{numbers['rps']:>11.0f}"
              f"{ratio:>11.2f}x")  # fmt: skip
    print(f"{'minimal Flask':<22}{len(body):>9,}{minimal['p50_ms']:>14.2f}{minimal['rps']:>11.0f}")
    ratio = rows["chapter, no account"][0]["rps"] / minimal["rps"]
    print(f"ratio (req/s, chapter without an account / minimal): {ratio:.2f}x  (target >= 0.5x)")


if __name__ == "__main__":
    main()
