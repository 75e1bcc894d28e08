"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json."""

from __future__ import annotations


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": {"$ref": "#/components/responses/Error"},
    "401": {"$ref": "#/components/responses/Error"},
    "404": {"$ref": "#/components/responses/Error"},
}
AUTH = [{"bearer": []}]
OPTIONAL_AUTH = [{}, {"bearer": []}]
INT = {"type": "integer"}
STR = {"type": "string"}


def _param(name: str, schema: dict) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema}


# fmt: off
def document() -> dict:
    position = {
        "type": "object",
        "required": ["chapter", "paragraph"],
        "properties": {
            "chapter": {"type": "integer", "minimum": 0, "description": "0: not started"},
            "paragraph": {"type": "integer", "minimum": 0, "description": "0-based"},
        },
    }
    work = {
        "type": "object",
        "properties": {
            "id": INT, "title": STR, "authors": {"type": "array", "items": STR},
            "rating": STR, "chapters": INT, "words": INT, "url": STR,
        },
        # Made up: examples never name a real work (a private one least of all).
        "examples": [{"id": 1, "title": "An Example Work", "authors": ["A. Writer"],
                      "rating": "General Audiences", "chapters": 3, "words": 12000,
                      "url": "https://companion.example/works/1"}],
    }
    member = {
        "type": "object",
        "properties": {"name": STR, "role": {"enum": ["owner", "moderator", "member"]},
                       "chapter": INT, "paragraph": INT},
    }
    circle = {
        "type": "object",
        "properties": {
            "slug": STR, "name": STR, "work_id": INT,
            "members": {"type": "array", "items": member},
            "schedule": {"type": "array", "items": {"type": "object", "properties": {
                "chapter": INT, "due": {"type": "string", "format": "date"}}}},
        },
    }
    chapter = {
        "type": "object",
        "properties": {
            "work_id": INT, "n": INT, "title": STR, "words": INT,
            "summary_html": STR, "begin_notes_html": STR,
            "end_notes_html": {"type": ["string", "null"],
                               "description": "null until the reader has finished the chapter"},
            "end_notes_locked": {"type": "boolean"},
            "paragraphs": {"type": "array", "items": {"type": "object", "properties": {
                "index": INT, "anchor": STR, "html": STR}}},
            "warnings": {"type": "array", "items": _ref("Warning"),
                         "description": "only the labels you opted into; empty without a token"},
        },
    }
    severity = {"enum": ["mention", "minor", "moderate", "graphic"]}
    mode = {"enum": ["off", "upfront", "chapter", "passage"]}
    warning = {
        "type": "object",
        "properties": {
            "label": STR, "name": STR, "severity": severity,
            "source": {"enum": ["tags", "notes", "text", "member"]},
            "chapter": {"type": ["integer", "null"]},
            "paragraph_start": {"type": ["integer", "null"], "description": "0-based"},
            "paragraph_end": {"type": ["integer", "null"], "description": "inclusive"},
            "mode": mode,
        },
    }
    preference = {
        "type": "object", "required": ["label", "mode"],
        "properties": {"label": STR, "name": STR, "description": STR, "mode": mode,
                       "min_severity": severity},
    }
    preferences = {"type": "object", "properties": {
        "preferences": {"type": "array", "items": _ref("WarningPreference")}}}
    job = {
        "type": "object",
        "properties": {
            "id": STR,
            "state": {"enum": ["uploaded", "parsing", "parsed", "queued", "running", "done",
                               "failed"]},
            "progress": {"type": "integer", "minimum": 0, "maximum": 100},
            "message": {"type": "string", "description": "what is happening, or (failed) the "
                        "one-line reason; nothing was stored then"},
            "work_id": {"type": ["integer", "null"], "description": "set once done"},
        },
        "examples": [{"id": "5f0c2a9d41e37b68a0d1c4e2f9b7a315", "state": "done",
                      "progress": 100, "message": "Imported.", "work_id": 7}],
    }
    upload = {
        "type": "object", "required": ["file"],
        "properties": {
            "file": {"type": "string", "format": "binary",
                     "description": "archive HTML or EPUB, Markdown or text; 20 MB at most"},
            "title": {"type": "string", "maxLength": 500,
                      "description": "required when the file carries no title"},
            "circle": {"type": "string", "description": "slug of a circle you own: the work "
                       "joins its shelf"},
            "private": {"type": "boolean", "description": "readable only by the circles "
                        "reading it and you; default true with `circle`, else false"},
        },
    }
    notification_choice = {
        "type": "object", "additionalProperties": False,
        "properties": {
            "digest": {"enum": ["off", "daily", "weekly"],
                       "description": "a digest of what became visible to you; default off"},
            "replies": {"enum": ["off", "now", "digest"],
                        "description": "replies to your comments: right away, in the digest "
                        "(default), or not at all"},
            "reminders": {"type": "boolean", "description": "a day before a chapter is due, "
                          "if you are behind it; default true"},
        },
    }
    notifications = {
        "type": "object", "required": ["circles"], "additionalProperties": False,
        "properties": {"circles": {
            "type": "object", "additionalProperties": notification_choice,
            "description": "keyed by circle slug: every circle you belong to (GET, PUT "
                           "answer), or just the ones to change (PUT body)"}},
        "examples": [{"circles": {"thursday-readers": {"digest": "weekly", "replies": "now",
                                                       "reminders": True}}}],
    }
    work_id, number, slug = _param("work_id", INT), _param("n", INT), _param("slug", STR)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Companion API",
            "version": "1",
            "description": "Read together without spoilers. Personal tokens come from "
            "`companion token create NAME`; send them as `Authorization: Bearer <token>`. "
            "Everything is gated exactly like the web pages.",
        },
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Position": position, "Work": work, "Circle": circle,
                        "Comment": {"type": "object", "properties": {
                            "id": INT, "chapter": INT,
                            "paragraph": {"type": ["integer", "null"]},
                            "parent_id": {"type": ["integer", "null"]},
                            "author": {"type": ["string", "null"]},
                            "body": {"type": ["string", "null"]},
                            "html": {"type": ["string", "null"]},
                            "level": _ref("Position"), "level_label": STR,
                            "created_at": STR, "edited": {"type": "boolean"},
                            "deleted": {"type": "boolean"}, "hidden": {"type": "boolean"}}},
                        "Chapter": chapter, "Warning": warning, "Job": job,
                        "NotificationSettings": notifications,
                        "WarningPreference": preference, "Error": {"type": "object", "properties": {
                            "error": STR, "status": INT}}},
            "responses": {"Error": _json(_ref("Error"), "A message meant for people")},
        },
        "paths": {
            "/works": {"get": {
                "summary": "The library: public works, and the private ones you may read",
                "security": OPTIONAL_AUTH,
                "responses": {"200": _json({"type": "object", "properties": {
                    "works": {"type": "array", "items": _ref("Work")}}})}},
                "post": {
                    "summary": "Upload a work; it is imported in the background (no preview "
                               "step): poll the job at the Location header",
                    "security": AUTH,
                    "requestBody": {"required": True, "content": {"multipart/form-data": {
                        "schema": upload,
                        "example": {"file": "(the file)", "title": "An Example Work",
                                    "circle": "thursday-readers-1a2b3c", "private": True}}}},
                    "responses": {
                        "202": {"description": "Accepted: the job, at the Location header",
                                "headers": {"Location": {"schema": STR}},
                                "content": {"application/json": {"schema": _ref("Job"),
                                    "example": {"id": "5f0c2a9d41e37b68a0d1c4e2f9b7a315",
                                                "state": "queued", "progress": 0,
                                                "message": "Waiting for a worker…",
                                                "work_id": None}}}},
                        **ERRORS, "403": {"$ref": "#/components/responses/Error"},
                        "413": {"$ref": "#/components/responses/Error"},
                        "429": {"$ref": "#/components/responses/Error"}}}},
            "/jobs/{job_id}": {"get": {
                "summary": "An upload's state and progress (your own jobs only; 404 otherwise)",
                "parameters": [_param("job_id", STR)], "security": AUTH,
                "responses": {"200": _json(_ref("Job")), **ERRORS}}},
            "/works/{work_id}": {"get": {
                "summary": "A work, its contents and (with a token) your position; a private "
                           "work you may not read is a 404, like a missing one",
                "parameters": [work_id], "security": OPTIONAL_AUTH,
                "responses": {"200": _json(_ref("Work")), **ERRORS}}},
            "/works/{work_id}/chapters/{n}": {"get": {
                "summary": "A chapter's text; end notes only once you have finished it",
                "parameters": [work_id, number], "security": OPTIONAL_AUTH,
                "responses": {"200": _json(_ref("Chapter")), **ERRORS}}},
            "/works/{work_id}/progress": {"put": {
                "summary": "Move your position (forward or back)", "security": AUTH,
                "parameters": [work_id], "requestBody": _body(_ref("Position")),
                "responses": {"200": _json(_ref("Position")), **ERRORS}}},
            "/circles": {"post": {
                "summary": "Start a circle for a work; you become its owner", "security": AUTH,
                "requestBody": _body({"type": "object", "required": ["name", "work_id"],
                                      "properties": {"name": STR, "work_id": INT}}),
                "responses": {"201": _json(_ref("Circle"), "Created"), **ERRORS}}},
            "/circles/{slug}": {"get": {
                "summary": "Members and their positions (members only; 404 otherwise)",
                "parameters": [slug], "security": AUTH,
                "responses": {"200": _json(_ref("Circle")), **ERRORS}}},
            "/circles/{slug}/invites": {"post": {
                "summary": "Create an invite link (moderators and the owner)",
                "parameters": [slug], "security": AUTH,
                "requestBody": {"required": False, "content": {"application/json": {
                    "schema": {"type": "object", "properties": {
                        "days": {"type": "integer", "minimum": 1, "maximum": 90},
                        "max_uses": {"type": "integer", "minimum": 1, "maximum": 500}}}}}},
                "responses": {"201": _json({"type": "object", "properties": {
                    "token": STR, "url": STR, "days": INT, "max_uses": INT}}, "Created"),
                    "403": {"$ref": "#/components/responses/Error"}, **ERRORS}}},
            "/circles/{slug}/chapters/{n}/comments": {
                "get": {
                    "summary": "The chapter's discussion as you may see it, and how many "
                               "comments are still locked for you",
                    "parameters": [slug, number], "security": AUTH,
                    "responses": {"200": _json({"type": "object", "properties": {
                        "comments": {"type": "array", "items": _ref("Comment")},
                        "locked": INT,
                        "locked_by_level_chapter": {"type": "object",
                                                    "additionalProperties": INT}}}),
                        **ERRORS}},
                "post": {
                    "summary": "Post a comment or reply; level defaults to your position",
                    "parameters": [slug, number], "security": AUTH,
                    "requestBody": _body({"type": "object", "required": ["body"], "properties": {
                        "body": {"type": "string", "maxLength": 10000},
                        "paragraph": {"type": "integer", "minimum": 0},
                        "parent_id": INT, "level": _ref("Position")}}),
                    "responses": {"201": _json(_ref("Comment"), "Created"), **ERRORS,
                                  "403": {"$ref": "#/components/responses/Error"},
                                  "413": {"$ref": "#/components/responses/Error"}}}},
            "/comments/{comment_id}": {
                "patch": {
                    "summary": "Edit your own comment (the old text is kept as a revision)",
                    "parameters": [_param("comment_id", INT)], "security": AUTH,
                    "requestBody": _body({"type": "object", "required": ["body"],
                                          "properties": {"body": STR}}),
                    "responses": {"200": _json(_ref("Comment")), **ERRORS,
                                  "403": {"$ref": "#/components/responses/Error"}}},
                "delete": {
                    "summary": "Delete your own comment (a tombstone stays if it has replies)",
                    "parameters": [_param("comment_id", INT)], "security": AUTH,
                    "responses": {"204": {"description": "Deleted"}, **ERRORS,
                                  "403": {"$ref": "#/components/responses/Error"}}}},
            "/me/warnings": {
                "get": {
                    "summary": "Your content-warning choices, one per label (default off)",
                    "security": AUTH, "responses": {"200": _json(preferences), **ERRORS}},
                "put": {
                    "summary": "Change some choices (labels not sent keep theirs), or apply a "
                               "preset: nothing, graphic, chapter",
                    "security": AUTH,
                    "requestBody": _body({"oneOf": [preferences, {
                        "type": "object", "required": ["preset"], "properties": {
                            "preset": {"enum": ["nothing", "graphic", "chapter"]}}}]}),
                    "responses": {"200": _json(preferences), **ERRORS}}},
            "/me/notifications": {
                "get": {
                    "summary": "Your notification choices in every circle you belong to (the "
                               "defaults where you chose nothing); mail goes only to a "
                               "verified address",
                    "security": AUTH,
                    "responses": {"200": _json(_ref("NotificationSettings")), **ERRORS}},
                "put": {
                    "summary": "Change some fields of some circles; the rest keep theirs. "
                               "Everything is checked first (a circle you are not in is a "
                               "404, a bad value a 400 naming the field), then saved at once",
                    "security": AUTH,
                    "requestBody": {"required": True, "content": {"application/json": {
                        "schema": _ref("NotificationSettings"),
                        "example": {"circles": {"thursday-readers": {"digest": "daily"}}}}}},
                    "responses": {"200": _json(_ref("NotificationSettings"),
                                               "The whole document, as GET answers it"),
                                  **ERRORS}}},
            "/invites/{token}/accept": {"post": {
                "summary": "Join a circle through an invite",
                "parameters": [_param("token", STR)], "security": AUTH,
                "responses": {"200": _json(_ref("Circle")), **ERRORS,
                              "409": {"$ref": "#/components/responses/Error"},
                              "410": {"$ref": "#/components/responses/Error"}}}},
        },
    }
# fmt: on
