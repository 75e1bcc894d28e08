"""Helpers shared by the benchmarks: start a server, load it with wrk, read the numbers."""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
USER_AGENT = "companion-bench"
DEMO_PASSWORD = "companion-demo"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            urllib.request.urlopen(url, timeout=1).read()
            return
        time.sleep(0.2)
    raise SystemExit(f"server at {url} did not come up")


@contextlib.contextmanager
def gunicorn(app_spec: str, env: dict[str, str], workers: int = 2) -> Iterator[str]:
    """`gunicorn -w N --preload APP` on a free loopback port; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "-w", str(workers), "--preload", "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", app_spec],
        env={**os.environ, **env},
        cwd=ROOT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def wrk(url: str, connections: int, seconds: int = 5, headers: dict | None = None) -> dict:
    """Run wrk; returns {"p50_ms", "rps"}."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    args = ["wrk", "--latency", "-t", str(min(connections, 2)), "-c", str(connections)]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    args += ["-d", f"{seconds}s", url]
    output = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)", output, re.M)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} error responses under load")
    factor = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p50.group(2)]
    return {"p50_ms": float(p50.group(1)) * factor, "rps": float(rps.group(1))}


def measure(url: str, seconds: int, headers: dict | None = None) -> dict:
    """p50 latency at 1 connection and throughput at 8, after a short warm-up."""
    wrk(url, 8, 1, headers)
    one = wrk(url, 1, seconds, headers)
    eight = wrk(url, 8, seconds, headers)
    return {"p50_ms": one["p50_ms"], "rps": eight["rps"]}


def session_cookie(base: str, name: str, password: str = DEMO_PASSWORD) -> str:
    """Log in through the real form; returns the Cookie header for wrk."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    # Sessions are tied to the browser (Flask-Login strong protection): wrk must send the
    # same User-Agent as the login did.
    opener.addheaders = [("User-Agent", USER_AGENT)]
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = {"name": name, "password": password, "csrf_token": token}
    opener.open(base + "/login", urllib.parse.urlencode(form).encode()).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)
