"""Every error a user can cause becomes a friendly page (or JSON under /api/), never a
traceback."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

MESSAGES = {
    400: "That request didn't make sense to us.",
    403: "You don't have permission to do that.",
    404: "There's nothing here. The link may be wrong, or the page isn't yours to see.",
    405: "That action isn't available here.",
    409: "That conflicts with what's already there.",
    413: "That's more than we accept in one go.",
    429: "Too many attempts. Please wait a little and try again.",
    500: "Something went wrong on our side. Nothing you did; please try again.",
}


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _respond(400, "Your form expired or was sent from elsewhere. Reload and retry.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        # abort(code, "message") gives a message meant for the user; werkzeug's own
        # default descriptions are for developers, so those get ours instead.
        custom = error.description != type(error).description and code != 429
        message = error.description if custom else MESSAGES.get(code, error.name)
        return _respond(code, message, error)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("unhandled error")
        return _respond(500, MESSAGES[500], InternalServerError())


def _respond(code: int, message: str, error: HTTPException | None = None):
    headers = error.get_headers() if error is not None else []
    headers = [(k, v) for k, v in headers if k.lower() != "content-type"]
    if request.path.startswith("/api/"):
        response = jsonify(error=message, status=code)
    elif request.headers.get("HX-Request") == "true":
        # htmx: show the message in the page's notice area instead of swapping a whole
        # error page into whatever the request was aimed at.
        headers += [("HX-Retarget", "#notices"), ("HX-Reswap", "innerHTML")]
        response = render_template("_partials/error_notice.html", message=message)
    else:
        response = render_template("error.html", code=code, message=message)
    return response, code, headers
