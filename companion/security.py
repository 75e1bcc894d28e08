"""Baseline response headers: a strict CSP (no inline script or style) and friends."""

from __future__ import annotations

from flask import Flask, Response

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    # Pages are personal unless a view says otherwise (static files say no-cache, the
    # anonymous page cache sets its own): never stored by a shared cache.
    "Cache-Control": "private, no-cache",
}


def init_app(app: Flask) -> None:
    baseline = dict(HEADERS)
    if app.config.get("SESSION_COOKIE_SECURE"):
        baseline["Strict-Transport-Security"] = "max-age=63072000"
    by_lower_name = {name.lower(): (name, value) for name, value in baseline.items()}

    @app.after_request
    def baseline_headers(response: Response) -> Response:
        # A view may set its own value for any of these; the rest are added. One pass
        # over the headers instead of a look-up per name: this runs on every response.
        present = {name.lower() for name, _ in response.headers}
        response.headers.extend(
            [pair for lower, pair in by_lower_name.items() if lower not in present]
        )
        return response
