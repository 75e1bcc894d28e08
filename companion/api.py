"""JSON API under /api/v1: bearer tokens, gated exactly like the pages.

Reads and writes go through the same helpers the pages use (`load_circle`,
`accept_invite`, `move_progress`, …), so the rules can't drift apart."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, g, jsonify, request, url_for
from sqlalchemy import select

from . import accounts, circles, comments, warning_prefs
from .extensions import db
from .library import access
from .models import Circle, Comment, Progress, Work, move_progress
from .reading import find_chapter, paragraphs_of, shape_of
from .spoilers import Position
from .warnings.visible import warnings_for

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def identify():
    g.api_user = None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if header and (scheme.lower() != "bearer" or not token.strip()):
        abort(401, "Send your token as 'Authorization: Bearer <token>'.")
    if token:
        g.api_user = accounts.user_for_token(token.strip())
        if g.api_user is None:
            abort(401, "That token is not valid. Create one with 'companion token create NAME'.")
        db.session.commit()  # last_used_at


@bp.after_request
def no_store(response):
    response.headers.setdefault("Cache-Control", "no-store")
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="companion"'
    return response


def token_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.api_user is None:
            abort(401, "This needs a personal API token: 'Authorization: Bearer <token>'.")
        return view(*args, **kwargs)

    return wrapped


def body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, "Send a JSON object with Content-Type: application/json.")
    return data


def field(data: dict, name: str, kind: type, required: bool = True, default=None):
    value = data.get(name, default)
    if value is None and not required:
        return default
    # bool is an int in Python; a JSON true is not a chapter number.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        abort(400, f"'{name}' must be {'an integer' if kind is int else 'a string'}.")
    return value


def position_json(position: Position) -> dict:
    return {"chapter": position.chapter, "paragraph": position.paragraph}


def work_json(work: Work) -> dict:
    return {
        "id": work.id,
        "title": work.title,
        "authors": work.authors,
        "rating": work.rating,
        "chapters": work.chapter_count,
        "words": work.word_count,
        "url": url_for("reading.work", work_id=work.id, _external=True),
    }


def caller_id() -> int | None:
    return g.api_user.id if g.api_user is not None else None


@bp.get("/works")
def works():
    rows = db.session.scalars(access.readable_works(caller_id()))
    return jsonify(works=[work_json(w) for w in rows])


@bp.get("/works/<int:work_id>")
def work(work_id: int):
    work = access.readable_work_or_404(work_id, caller_id())
    data = work_json(work) | {
        "archive_warnings": work.archive_warnings,
        "tags": work.tags,
        "table_of_contents": [
            {"n": c.number, "title": c.title, "words": c.word_count} for c in work.chapters
        ],
    }
    if g.api_user is not None:
        data["progress"] = position_json(Progress.of(g.api_user.id, work.id))
    return jsonify(data)


@bp.get("/works/<int:work_id>/chapters/<int:number>")
def chapter(work_id: int, number: int):
    chapter = access.readable_chapter_or_404(work_id, number, caller_id())
    paragraphs = paragraphs_of(chapter)
    progress = Progress.of(g.api_user.id, work_id) if g.api_user else None
    finished = progress is not None and progress >= Position(number, len(paragraphs) - 1)
    return jsonify(
        work_id=work_id,
        n=number,
        title=chapter.title,
        words=chapter.word_count,
        summary_html=chapter.summary_html,
        begin_notes_html=chapter.begin_notes_html,
        # Rule 7: end notes only once this reader has finished the chapter.
        end_notes_html=chapter.end_notes_html if finished else None,
        end_notes_locked=bool(chapter.end_notes_html) and not finished,
        paragraphs=[{"index": p.index, "anchor": p.anchor, "html": p.html} for p in paragraphs],
        # Only the labels this caller opted into; none without a token.
        warnings=[
            w.as_json()
            for w in warnings_for(g.api_user.id if g.api_user else None, work_id, number)
        ],
    )


@bp.route("/me/warnings", methods=["GET", "PUT"])
@token_required
def my_warnings():
    if request.method == "PUT":
        return warning_prefs.api_put()
    return warning_prefs.api_get()


@bp.put("/works/<int:work_id>/progress")
def progress(work_id: int):
    # A private work is missing for whoever may not read it, with a token or without.
    access.readable_work_or_404(work_id, caller_id())
    return move_my_progress(work_id)


@token_required
def move_my_progress(work_id: int):
    data = body()
    chapter = access.readable_chapter_or_404(work_id, field(data, "chapter", int), caller_id())
    index = field(data, "paragraph", int)
    if not 0 <= index < len(paragraphs_of(chapter)):
        abort(400, "That paragraph isn't in this chapter.")
    target = Position(chapter.number, index)
    before = move_progress(g.api_user.id, work_id, target)
    db.session.commit()
    return jsonify(position_json(target) | {"previous": position_json(before)})


@bp.post("/circles")
@token_required
def create_circle():
    data = body()
    name = field(data, "name", str).strip()
    if not 2 <= len(name) <= 80:
        abort(400, "A circle's name is 2 to 80 characters.")
    work = access.startable_work_or_404(field(data, "work_id", int), g.api_user.id)
    circle = circles.create_circle(g.api_user, name, work)
    db.session.commit()
    return jsonify(circle_json(circle)), 201


@bp.get("/circles/<slug>")
@token_required
def circle(slug: str):
    circle, _ = circles.load_circle(slug, g.api_user.id)
    return jsonify(circle_json(circle))


@bp.post("/circles/<slug>/invites")
@token_required
def invite(slug: str):
    circle, _ = circles.load_circle(slug, g.api_user.id, "moderator")
    data = request.get_json(silent=True) or {}
    if not isinstance(data, dict):
        abort(400, "Send a JSON object (or nothing).")
    days = field(data, "days", int, required=False, default=7)
    max_uses = field(data, "max_uses", int, required=False, default=10)
    if not (1 <= days <= 90 and 1 <= max_uses <= 500):
        abort(400, "Invites last 1 to 90 days and admit 1 to 500 people.")
    token = circles.create_invite(circle, g.api_user, days, max_uses)
    db.session.commit()
    url = url_for("circles.invite_landing", token=token, _external=True)
    return jsonify(token=token, url=url, days=days, max_uses=max_uses), 201


@bp.post("/invites/<token>/accept")
@token_required
def accept(token: str):
    circle = circles.accept_invite(token, g.api_user)
    db.session.commit()
    return jsonify(circle_json(circle))


def comment_json(comment: Comment, shape) -> dict:
    deleted = comment.deleted_at is not None
    return {
        "id": comment.id,
        "chapter": comment.chapter,
        "paragraph": comment.paragraph,
        "parent_id": comment.parent_id,
        "author": None if deleted else comment.author.name,
        "body": None if deleted else comment.body_source,
        "html": None if deleted else comment.body_html,
        "level": position_json(comment.level),
        "level_label": shape.audience(comment.level),
        "created_at": comment.created_at.isoformat() + "Z",
        "edited": comment.edited_at is not None,
        "deleted": deleted,
        "hidden": comment.hidden_at is not None,
    }


def api_viewer(slug: str):
    circle, membership = circles.load_circle(slug, g.api_user.id)
    return circle, comments.viewer_for(circle, membership)


def discussion_error(error: comments.DiscussionError):
    db.session.rollback()
    abort(error.status, error.message)


@bp.route("/circles/<slug>/chapters/<int:number>/comments", methods=["GET", "POST"])
@token_required
def chapter_comments(slug: str, number: int):
    circle, viewer = api_viewer(slug)
    chapter = find_chapter(circle.work_id, number)
    if request.method == "POST":
        data = body()
        paragraphs = paragraphs_of(chapter)
        paragraph = field(data, "paragraph", int, required=False)
        level = data.get("level")
        if level is not None:
            if not isinstance(level, dict):
                abort(400, '\'level\' must be an object like {"chapter": 3, "paragraph": 0}.')
            level = Position(field(level, "chapter", int), field(level, "paragraph", int))
        try:
            comment = comments.post(
                viewer,
                chapter,
                len(paragraphs),
                field(data, "body", str),
                paragraph=paragraph,
                parent_id=field(data, "parent_id", int, required=False),
                level=level,
                anchor_key=paragraphs[paragraph].anchor
                if paragraph is not None and 0 <= paragraph < len(paragraphs)
                else None,
            )
            db.session.commit()
        except comments.DiscussionError as error:
            discussion_error(error)
        return jsonify(comment_json(comment, shape_of(circle.work))), 201
    shape = shape_of(circle.work)
    visible = comments.visible(viewer, Comment.chapter == number)
    locked = comments.locked_counts(viewer, chapter=number)
    kept = {node.comment.id for node in walk(comments.threads(visible))}
    return jsonify(
        comments=[comment_json(c, shape) for c in visible if c.id in kept],
        locked=sum(locked.values()),
        locked_by_level_chapter={str(k): v for k, v in locked.items()},
    )


def walk(nodes):
    for node in nodes:
        yield node
        yield from walk(node.children)


def own_comment_viewer(comment_id: int):
    """The circle of a comment the token's user is a member of; 404 for anyone else."""
    circle_id = db.session.scalar(select(Comment.circle_id).where(Comment.id == comment_id))
    circle = db.session.get(Circle, circle_id) if circle_id else None
    if circle is None:
        abort(404, "That comment doesn't exist, or you haven't reached it yet.")
    return api_viewer(circle.slug)


@bp.patch("/comments/<int:comment_id>")
@token_required
def edit_comment(comment_id: int):
    circle, viewer = own_comment_viewer(comment_id)
    data = body()
    try:
        comment = comments.edit(viewer, comment_id, field(data, "body", str))
        db.session.commit()
    except comments.DiscussionError as error:
        discussion_error(error)
    return jsonify(comment_json(comment, shape_of(circle.work)))


@bp.delete("/comments/<int:comment_id>")
@token_required
def delete_comment(comment_id: int):
    _, viewer = own_comment_viewer(comment_id)
    try:
        comments.delete(viewer, comment_id)
        db.session.commit()
    except comments.DiscussionError as error:
        discussion_error(error)
    return "", 204


def circle_json(circle: Circle) -> dict:
    members = circle.memberships
    positions = {
        row.user_id: row.position
        for row in db.session.scalars(
            select(Progress).where(
                Progress.work_id == circle.work_id,
                Progress.user_id.in_([m.user_id for m in members]),
            )
        )
    }
    return {
        "slug": circle.slug,
        "name": circle.name,
        "work_id": circle.work_id,
        "members": [
            {"name": m.user.name, "role": m.role}
            | position_json(positions.get(m.user_id, Position(0, 0)))
            for m in members
        ],
        "schedule": [{"chapter": e.chapter, "due": e.due.isoformat()} for e in circle.schedule],
    }


@bp.get("/openapi.json")
def openapi():
    from .openapi import document

    return jsonify(document())


from .jobs import api as _jobs_api  # noqa: E402, F401  (POST /works, GET /jobs/<id>)
from .notify import api as _notify_api  # noqa: E402, F401  (GET|PUT /me/notifications)
