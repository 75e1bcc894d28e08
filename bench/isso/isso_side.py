"""Isso 0.14 serving a nested comment thread: the other side of the comment-thread benchmark.

    .venv/bin/python bench/isso/isso_side.py [--seconds 3] [--sizes 10 100 1000]

Isso runs from a throwaway venv (default /tmp/companion-bench-isso-venv, made on first use,
never inside the repository) under `gunicorn -w 2 --preload isso.run:application`, the way
Companion is served. Each server gets a fresh temporary directory holding its isso.cfg and
SQLite database; the thread `/thread` is filled through Isso's own HTTP API
(`POST /new?uri=/thread`), one comment at a time, so Isso applies its own rules to every
comment. The URL to load is `GET /?uri=/thread` with neither `limit` nor `nested_limit`,
which makes Isso return every comment of the thread (checked by counting them).

Nesting: `thread_plan()` draws a tree (each comment after the first replies to a random
earlier one with probability 0.7, fixed seed) and the plan is posted as drawn. Isso keeps
only one level of nesting: on insert it replaces a reply's parent by that parent's top-level
ancestor, so the stored thread is top-level comments each with a flat list of replies. The
plan is importable, so the Companion side can build the same tree.

Per fetch Isso runs one query for the top-level comments plus one per top-level comment with
replies, and renders every comment's Markdown (mistune, then bleach) again: it caches no
responses, only the per-commenter hash (every comment here comes from 127.0.0.1 without an
email, so that is one cached pbkdf2 hash per worker).

At 1000 comments a request takes ~0.5 s, so 8 connections on 2 workers queue past wrk's
default 2 s timeout: some requests time out (common.wrk() does not report those) and req/s @8
rests on a handful of requests; main() prints a note when that happens.

Use from another script (bench/ on sys.path, as for `common`):

    from isso.isso_side import ensure_isso_venv, isso_server, thread_stats
    ensure_isso_venv()
    with isso_server(100) as url:
        size, count = thread_stats(url)
        numbers = measure(url, seconds)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import free_port, measure, wait_until_up

ISSO_VERSION = "0.14.0"
DEFAULT_VENV = Path(tempfile.gettempdir()) / "companion-bench-isso-venv"
THREAD_URI = "/thread"
WRK_TIMEOUT_MS = 2000  # wrk's default --timeout, which common.wrk() keeps

# Words for the comment texts: plain prose with a little Markdown, which Isso renders.
# fmt: off
_WORDS = (
    "the", "chapter", "reader", "scene", "letter", "house", "garden", "river", "morning",
    "evening", "promise", "quiet", "storm", "memory", "sister", "brother", "friend", "village",
    "road", "window", "candle", "winter", "summer", "surprising", "gentle", "bitter", "honest",
    "careful", "strange", "familiar", "sudden",
)
# fmt: on


@dataclass(frozen=True)
class PlannedComment:
    """One comment of a planned thread; `parent` is the index of an earlier comment."""

    author: str
    text: str
    parent: int | None


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(6, 14))]
    if rng.random() < 0.3:
        at = rng.randrange(len(words))
        words[at] = f"*{words[at]}*"
    return " ".join(words).capitalize() + "."


def thread_plan(
    comments: int, seed: int = 1, reply_probability: float = 0.7
) -> list[PlannedComment]:
    """A deterministic comment tree: comment i replies to a random earlier comment with
    probability `reply_probability`, otherwise it starts a new top-level branch."""
    rng = random.Random(seed)
    plan = []
    for index in range(comments):
        parent = None
        if index and rng.random() < reply_probability:
            parent = rng.randrange(index)
        paragraphs = [
            " ".join(_sentence(rng) for _ in range(rng.randint(1, 3)))
            for _ in range(rng.choice((1, 1, 2)))
        ]
        plan.append(PlannedComment(f"Reader {rng.randint(1, 12)}", "\n\n".join(paragraphs), parent))
    return plan


def plan_depth(plan: list[PlannedComment]) -> int:
    """Deepest nesting level of a plan (0 for top-level comments)."""
    depths: list[int] = []
    for comment in plan:
        depths.append(0 if comment.parent is None else depths[comment.parent] + 1)
    return max(depths, default=0)


def _venv_ready(bin_dir: Path) -> bool:
    check = (
        "import isso, gunicorn; from isso import make_app; "
        f"assert isso.__version__ == {ISSO_VERSION!r}, isso.__version__"
    )
    if not (bin_dir / "python").exists() or not (bin_dir / "gunicorn").exists():
        return False
    result = subprocess.run(
        [str(bin_dir / "python"), "-c", check], capture_output=True, cwd=tempfile.gettempdir()
    )
    return result.returncode == 0


def ensure_isso_venv(path: Path = DEFAULT_VENV) -> Path:
    """Make a venv at `path` holding isso 0.14.0 and gunicorn (the same gunicorn version as
    the calling environment's, when it has one) unless it already works; returns its bin/."""
    bin_dir = path / "bin"
    if _venv_ready(bin_dir):
        return bin_dir
    try:
        gunicorn = f"gunicorn=={metadata.version('gunicorn')}"
    except metadata.PackageNotFoundError:
        gunicorn = "gunicorn"
    steps = [
        [sys.executable, "-m", "venv", "--clear", str(path)],
        [str(bin_dir / "pip"), "install", "--quiet", f"isso=={ISSO_VERSION}", gunicorn],
    ]
    for step in steps:
        result = subprocess.run(step, capture_output=True, text=True)
        if result.returncode:
            raise SystemExit(f"{' '.join(step)} failed:\n{result.stdout}{result.stderr}")
    if not _venv_ready(bin_dir):
        raise SystemExit(f"isso {ISSO_VERSION} was installed in {path} but does not import")
    return bin_dir


def _config(directory: Path, base: str) -> str:
    return f"""\
[general]
dbpath = {directory / "comments.db"}
host = {base}/
max-age = 15m
notify = stdout
reply-notifications = false
gravatar = false
latest-enabled = false

[admin]
enabled = false

[moderation]
enabled = false

[server]
listen = {base}/

[guard]
enabled = false
ratelimit = 1000000
direct-reply = 1000000
reply-to-self = true
require-author = false
require-email = false
"""


def _post(base: str, comment: PlannedComment, parent_id: int | None, title: str | None) -> int:
    body: dict[str, object] = {"text": comment.text, "author": comment.author}
    if title is not None:  # names the thread; Isso needs one when the first comment creates it
        body["title"] = title
    if parent_id is not None:
        body["parent"] = parent_id
    request = urllib.request.Request(
        f"{base}/new?uri={THREAD_URI}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["id"]


def fill_thread(base: str, plan: list[PlannedComment]) -> None:
    """Post the planned comments to Isso in order, replies naming their planned parent."""
    ids: list[int] = []
    for comment in plan:
        parent_id = None if comment.parent is None else ids[comment.parent]
        title = None if ids else "Benchmark thread"
        ids.append(_post(base, comment, parent_id, title))


def thread_stats(url: str) -> tuple[int, int]:
    """(response size in bytes, comments in the response, replies included) for a fetch URL."""
    with urllib.request.urlopen(url, timeout=60) as response:
        body = response.read()

    def count(replies: list[dict]) -> int:
        return sum(1 + count(reply.get("replies", [])) for reply in replies)

    return len(body), count(json.loads(body)["replies"])


@contextlib.contextmanager
def isso_server(
    comments: int,
    *,
    seed: int = 1,
    reply_probability: float = 0.7,
    workers: int = 2,
    venv: Path = DEFAULT_VENV,
) -> Iterator[str]:
    """Run Isso with a thread of `comments` nested comments (see `thread_plan`); yields the
    URL that fetches the whole thread. The server and its files are gone on exit."""
    bin_dir = ensure_isso_venv(venv)
    plan = thread_plan(comments, seed, reply_probability)
    with tempfile.TemporaryDirectory(prefix="companion-bench-isso-") as temp:
        directory = Path(temp)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        (directory / "isso.cfg").write_text(_config(directory, base))
        env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
        env["ISSO_SETTINGS"] = str(directory / "isso.cfg")
        env["VIRTUAL_ENV"] = str(venv)
        log_path = directory / "isso.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [str(bin_dir / "gunicorn"), "-w", str(workers), "--preload",
                 "-b", f"127.0.0.1:{port}", "--log-level", "warning", "isso.run:application"],
                env=env,
                cwd=directory,  # not the repository: bench/isso/ would shadow the isso package
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            try:
                wait_until_up(base + "/info")
                fill_thread(base, plan)
            except (SystemExit, OSError) as error:
                tail = log_path.read_text(errors="replace")[-3000:]
                raise SystemExit(f"isso failed ({error}); its log ends:\n{tail}") from error
            yield f"{base}/?uri={THREAD_URI}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    bin_dir = ensure_isso_venv()
    rows = []
    for size in args.sizes:
        plan = thread_plan(size, args.seed)
        started = time.monotonic()
        with isso_server(size, seed=args.seed) as url:
            fill_seconds = time.monotonic() - started
            body_bytes, returned = thread_stats(url)
            if returned != size:
                raise SystemExit(f"{url} returned {returned} comments, expected {size}")
            numbers = measure(url, args.seconds)
        top_level = sum(comment.parent is None for comment in plan)
        rows.append((size, top_level, plan_depth(plan), returned, body_bytes, numbers))
        print(f"{size} comments: filled over HTTP in {fill_seconds:.1f} s", file=sys.stderr)

    print(f"isso {ISSO_VERSION} ({bin_dir.parent}), gunicorn -w 2 --preload, wrk, "
          f"GET /?uri={THREAD_URI}")  # fmt: skip
    header = ("comments", "top-level", "plan depth", "returned", "bytes", "p50 @1 (ms)", "req/s @8")
    print("".join(f"{title:>12}" for title in header))
    for size, top_level, depth, returned, body_bytes, numbers in rows:
        print(f"{size:>12}{top_level:>12}{depth:>12}{returned:>12}{body_bytes:>12,}"
              f"{numbers['p50_ms']:>12.2f}{numbers['rps']:>12.1f}")  # fmt: skip
    slow = [str(row[0]) for row in rows if row[5]["p50_ms"] * 8 / 2 >= WRK_TIMEOUT_MS]
    if slow:
        print(f"note: at {', '.join(slow)} comments, 8 connections queue past wrk's default "
              f"{WRK_TIMEOUT_MS / 1000:.0f} s timeout: some requests time out and req/s @8 "
              "is rough (few requests in the window)")  # fmt: skip


if __name__ == "__main__":
    main()
