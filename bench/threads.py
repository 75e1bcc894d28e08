"""A chapter's comment thread (full HTML fragment, as a logged-in member sees it) against
Isso 0.14's GET /?uri= for the same nested threads of 10, 100 and 1000 comments, both
under `gunicorn -w 2 --preload`, measured with wrk in the same run.

    .venv/bin/python bench/threads.py [--seconds 5] [--sizes 10 100 1000]

Target: ours at least 5x faster (p50) at 100 and 1000. Isso is installed into a
throwaway venv under /tmp. Prints numbers; never fails on them.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import USER_AGENT, gunicorn, measure, session_cookie, wait_until_up
from isso.isso_side import isso_server, thread_plan, thread_stats

READER = "mira"  # the demo owner, who has finished the work and so sees every comment


def seed(sizes: list[int]) -> None:
    """Demo data plus one circle per size whose chapter 1 holds the planned thread."""
    from companion import accounts, comments, create_app
    from companion.circles import create_circle
    from companion.demo import setup
    from companion.extensions import db
    from companion.models import Membership, User, Work, move_progress
    from companion.reading import find_chapter
    from companion.spoilers import Position

    app = create_app()
    with app.app_context():
        setup()
        owner = User.by_name(READER)
        work = db.session.get(Work, 1)
        chapter = find_chapter(work.id, 1)
        for size in sizes:
            circle = create_circle(owner, f"Bench {size}", work)
            circle.slug = f"bench-{size}"
            plan = thread_plan(size)
            people = {}
            for name in sorted({c.author for c in plan}):
                handle = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:20] + f"-{size}"
                user = User.by_name(handle) or accounts.create_user(handle, "bench password!")
                people[name] = Membership(user=user)
                circle.memberships.append(people[name])
            db.session.flush()
            for membership in people.values():
                move_progress(membership.user_id, work.id, Position(1, 128))
            viewers = {n: comments.viewer_for(circle, m) for n, m in people.items()}
            ids: list[int] = []
            for planned in plan:
                parent = ids[planned.parent] if planned.parent is not None else None
                row = comments.post(viewers[planned.author], chapter, 129, planned.text,
                                    parent_id=parent, level=Position(1, 0) if parent is None
                                    else None)  # fmt: skip
                db.session.flush()
                ids.append(row.id)
            db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    args = parser.parse_args()

    results = {}
    with tempfile.TemporaryDirectory() as instance:
        env = {"COMPANION_INSTANCE": instance, "SECRET_KEY": "bench"}
        os.environ.update(env)
        os.environ.pop("DATABASE_URL", None)
        seed(args.sizes)
        with gunicorn("companion:create_app()", env) as base:
            wait_until_up(base + "/")
            cookie = session_cookie(base, READER)
            headers = {"Cookie": cookie, "HX-Request": "true", "User-Agent": USER_AGENT}
            for size in args.sizes:
                url = f"{base}/c/bench-{size}/chapters/1/thread"
                request = urllib.request.Request(url, headers=headers)
                response = urllib.request.urlopen(request)
                assert response.url == url, "not logged in: the thread redirected"
                body = response.read().decode()
                shown = body.count('id="comment-')
                results[size] = {"ours": measure(url, args.seconds, headers),
                                 "ours_bytes": len(body), "ours_comments": shown}  # fmt: skip
    for size in args.sizes:
        with isso_server(size) as url:
            length, count = thread_stats(url)
            results[size] |= {"isso": measure(url, args.seconds), "isso_bytes": length,
                              "isso_comments": count}  # fmt: skip

    print("thread of N nested comments; ours: full HTML fragment for a member; Isso: JSON")
    print(f"{'N':>6} {'ours p50':>10} {'Isso p50':>10} {'p50 ratio':>10} "
          f"{'ours req/s':>11} {'Isso req/s':>11} {'req/s ratio':>12}")  # fmt: skip
    for size, r in results.items():
        ours, isso = r["ours"], r["isso"]
        print(f"{size:>6} {ours['p50_ms']:>8.2f}ms {isso['p50_ms']:>8.2f}ms "
              f"{isso['p50_ms'] / ours['p50_ms']:>9.1f}x {ours['rps']:>11.0f} "
              f"{isso['rps']:>11.1f} {ours['rps'] / max(isso['rps'], 0.01):>11.1f}x")  # fmt: skip
    for size, r in results.items():
        print(f"  N={size}: ours {r['ours_comments']} comments in {r['ours_bytes']:,} bytes; "
              f"Isso {r['isso_comments']} comments in {r['isso_bytes']:,} bytes")  # fmt: skip
    print("target: ours >= 5x faster (p50) at 100 and 1000")


if __name__ == "__main__":
    main()
