"""The little htmx needs from the server: is this an htmx request, and server-sent events
(HX-Trigger) instead of client glue code."""

from __future__ import annotations

import json

from flask import Response, make_response, request


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def trigger(body, event: str, detail: dict | None = None) -> Response:
    response = make_response(body)
    response.headers["HX-Trigger"] = json.dumps({event: detail or {}})
    return response


def focus_after_settle(response: Response, *selectors: str) -> Response:
    """Where keyboard focus goes once htmx has swapped the answer in: the first of
    `selectors` on the page (the new comment, the reader's new place). Without it, focus
    falls back to <body> when the control that had it is swapped away."""
    response.headers["HX-Trigger-After-Settle"] = json.dumps(
        {"companion-focus": {"selectors": list(selectors)}}
    )
    return response


def vary_on_htmx(response: Response) -> Response:
    """Responses that differ by HX-Request say so, so caches keep them apart."""
    response.vary.add("HX-Request")
    return response


def init_app(app) -> None:
    app.after_request(vary_on_htmx)
