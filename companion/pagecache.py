"""Pages that are the same for everyone without a cookie, rendered once per content
version and then served from memory.

A visitor who sends no cookie and no credentials has no progress, no circle, no warning
preferences and no session, so the reading pages they get depend on the URL and the
work's content only. Such a page is rendered once per worker and kept with the version
it was rendered from (the work's content, details and visibility; a private work has
none, so its pages are never kept); at most once a second a hit re-reads the
version with one small query, so a work imported or removed by another process shows up
within a second. Anything personal (a cookie, an Authorization header, an htmx request,
a query string) bypasses the cache entirely, and a response is stored only when it is a
plain 200 that neither writes to the session nor sets headers of its own.

Browsers get an ETag on these pages and a 304 when they already hold the bytes."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import wraps

from flask import Flask, Response, current_app, make_response, request, session, url_for

RECHECK_SECONDS = 1.0
MAX_PAGES = 256


@dataclass
class CachedPage:
    version: Hashable
    checked_at: float
    body: bytes
    content_type: str
    etag: str


class PageCache:
    """A bounded, least-recently-used store of rendered pages for one worker."""

    def __init__(self, max_pages: int = MAX_PAGES, recheck_seconds: float = RECHECK_SECONDS):
        self.max_pages = max_pages
        self.recheck_seconds = recheck_seconds
        self._pages: OrderedDict[Hashable, CachedPage] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> CachedPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: Hashable, page: CachedPage) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.max_pages:
                self._pages.popitem(last=False)

    def discard(self, key: Hashable) -> None:
        with self._lock:
            self._pages.pop(key, None)

    def paths(self) -> list[str]:
        with self._lock:
            return [path for _, path in self._pages]

    def recheck_all(self) -> None:
        """Make every page check its version on its next hit."""
        with self._lock:
            for page in self._pages.values():
                page.checked_at = float("-inf")

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()

    def __len__(self) -> int:
        return len(self._pages)


def init_app(app: Flask) -> None:
    app.extensions["page_cache"] = PageCache(
        max_pages=app.config.get("PAGE_CACHE_SIZE", MAX_PAGES),
        recheck_seconds=app.config.get("PAGE_CACHE_RECHECK_SECONDS", RECHECK_SECONDS),
    )


def cache_of(app: Flask) -> PageCache:
    return app.extensions["page_cache"]


def is_anonymous_request() -> bool:
    """Nothing in the request could make the page personal."""
    environ = request.environ
    return (
        request.method in ("GET", "HEAD")
        and not environ.get("HTTP_COOKIE")
        and not environ.get("HTTP_AUTHORIZATION")
        and not environ.get("HTTP_HX_REQUEST")
        and not environ.get("QUERY_STRING")
    )


def same_for_everyone(version: Callable[..., Hashable | None]):
    """Decorate a view whose page, for an anonymous visitor, is fixed by its URL and by
    `version(**view_args)`; a None version (nothing there) always runs the view."""

    def decorate(view):
        @wraps(view)
        def wrapper(**view_args):
            pages = cache_of(current_app)
            if not pages.max_pages or not is_anonymous_request():
                return view(**view_args)
            key = (request.script_root, request.path)
            page = pages.get(key)
            now = time.monotonic()
            if page is not None and now - page.checked_at < pages.recheck_seconds:
                return _serve(page)
            current = version(**view_args)
            if current is None:
                # Gone, or no longer anyone's to see (made private): drop the copy now.
                pages.discard(key)
                return view(**view_args)
            if page is not None and page.version == current:
                page.checked_at = now
                return _serve(page)
            response = make_response(view(**view_args))
            if not _storable(response, view_args):
                return response
            body = response.get_data()
            page = CachedPage(
                version=current,
                checked_at=now,
                body=body,
                content_type=response.content_type,
                etag=hashlib.blake2s(body, digest_size=12).hexdigest(),
            )
            pages.put(key, page)
            return _serve(page)

        return wrapper

    return decorate


# What a replayed page carries besides its body: the rest come from after_request hooks.
REPLAYED_HEADERS = {"content-type", "content-length"}


def _storable(response: Response, view_args: dict) -> bool:
    """Only a plain 200 with nothing personal, under the page's canonical URL (the int
    converter also accepts /works/01, and aliases would only crowd the cache out)."""
    return (
        response.status_code == 200
        and not session.modified
        and not session  # the view made the visit personal (a flash, a CSRF token)
        and {name.lower() for name, _ in response.headers} <= REPLAYED_HEADERS
        and url_for(request.endpoint, **view_args) == request.path
    )


def _serve(page: CachedPage) -> Response:
    response = Response(page.body, content_type=page.content_type)
    response.set_etag(page.etag)
    # Revalidate every time: a shared cache must not hand this copy to a signed-in
    # reader, and the browser learns about a changed work on its next visit.
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    return response.make_conditional(request)
