"""Static files linked under a fingerprint of their content: pages point at
/static/css/companion.css?v=<hash>, which browsers may keep for a year without asking
again; a changed file gets a new link, so nobody is served a stale one. A link without
the fingerprint is revalidated every time, as before."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, current_app, request, url_for

YEAR = 365 * 24 * 3600


def asset_url(filename: str) -> str:
    return url_for("static", filename=filename, v=fingerprint(filename))


def fingerprint(filename: str) -> str:
    path = Path(current_app.static_folder) / filename
    stat = path.stat()
    return _fingerprint(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _fingerprint(path: Path, _mtime_ns: int, _size: int) -> str:
    # Keyed by modification time and size too: an edited file is hashed again.
    return hashlib.blake2s(path.read_bytes(), digest_size=5).hexdigest()


def _keep_fingerprinted(response: Response) -> Response:
    if (
        request.endpoint == "static"
        and response.status_code == 200
        and request.args.get("v") == fingerprint(request.view_args["filename"])
    ):
        response.cache_control.public = True
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
        response.cache_control.no_cache = None
    return response


def init_app(app: Flask) -> None:
    app.add_template_global(asset_url)
    app.after_request(_keep_fingerprinted)
