"""Discussion pages and fragments: a chapter's thread, passage threads, posting, editing,
reporting, moderation and the "newly unlocked" digest. Thin: the rules live in
`companion.comments` (the gate) and `companion.spoilers`."""

from __future__ import annotations

import hashlib

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import select

from . import comments
from .circles import circle_view, member_of
from .comments import Comment, DiscussionError, Viewer, viewer_for
from .extensions import db
from .htmx import focus_after_settle, is_htmx
from .models import Circle, Membership, ProgressMove, utcnow
from .notify import digest as digest_of
from .reading import chapter_context, find_chapter, move_place, paragraphs_of, shape_of
from .spoilers import Position
from .warning_prefs import pending_flags
from .warnings.taxonomy import LABELS

bp = Blueprint("discussion", __name__)


def fail(error: DiscussionError):
    abort(error.status, error.message)


def parse_level(value: str | None) -> Position | None:
    """A level from a form ("chapter:paragraph"); None means "the default"."""
    if not value:
        return None
    chapter, _, paragraph = value.partition(":")
    if not (chapter.isdigit() and paragraph.isdigit()):
        abort(400, "That spoiler level isn't one we offered.")
    return Position(int(chapter), int(paragraph))


def optional_int(name: str) -> int | None:
    value = request.form.get(name, "").strip()
    if not value:
        return None
    if not value.lstrip("-").isdigit():
        abort(400, f"'{name}' must be a number.")
    return int(value)


class Discussion:
    """Everything one member sees of one chapter's discussion, from two queries: the
    visible comments and the locked counts."""

    def __init__(self, circle: Circle, viewer: Viewer, chapter_number: int):
        self.circle, self.viewer, self.chapter = circle, viewer, chapter_number
        self.slug = circle.slug
        self.comments = comments.visible(viewer, Comment.chapter == chapter_number)
        self.locked = comments.locked_counts(viewer, chapter=chapter_number)
        self.markers: dict[int, int] = {}
        self._passage_prefix: str | None = None
        for comment in self.comments:
            if comment.paragraph is not None and not comment.deleted_at:
                self.markers[comment.paragraph] = self.markers.get(comment.paragraph, 0) + 1

    def threads(self, paragraph: int | None = None):
        return comments.threads([c for c in self.comments if c.paragraph == paragraph])

    def passage_url(self, index: int) -> str:
        # Built once per page: the paragraph index is the URL's last segment.
        if self._passage_prefix is None:
            url = url_for("discussion.passage", slug=self.slug, number=self.chapter, index=0)
            self._passage_prefix = url.removesuffix("0")
        return f"{self._passage_prefix}{index}"

    @property
    def chapter_count(self) -> int:
        return sum(1 for c in self.comments if c.paragraph is None and not c.deleted_at)

    @property
    def locked_total(self) -> int:
        return sum(self.locked.values())


def composer(circle: Circle, viewer: Viewer, number: int, paragraph=None, parent=None) -> dict:
    shape = shape_of(circle.work)
    floor = comments.level_floor(number, paragraph, parent)
    return {
        "choices": comments.level_choices(shape, floor, viewer.progress),
        "paragraph": paragraph,
        "parent": parent,
        "number": number,
    }


def render_context(circle: Circle, membership: Membership, viewer: Viewer, number: int) -> dict:
    return {
        "circle": circle,
        "membership": membership,
        "viewer": viewer,
        "shape": shape_of(circle.work),
        "discussion": Discussion(circle, viewer, number),
        "form": composer(circle, viewer, number),
    }


def thread_fragment(circle, membership, viewer, number: int, paragraph: int | None, comment_id):
    """The thread a write just changed, re-rendered for the writer, with focus on the
    comment written (or, once it is gone, on the thread)."""
    context = render_context(circle, membership, viewer, number)
    if paragraph is None:
        html = render_template("_partials/thread.html", **context, oob_form=True)
        target = "#thread"
    else:
        chapter = find_chapter(circle.work_id, number)
        paragraph_view = paragraphs_of(chapter)[paragraph]
        html = render_template(
            "_partials/passage.html",
            **context,
            p=paragraph_view,
            passage_form=composer(circle, viewer, number, paragraph),
            oob_marker=True,  # the count beside the paragraph changed too
        )
        target = f"#passage-{paragraph}"
    response = make_response(html)
    response.headers["HX-Retarget"] = target
    response.headers["HX-Reswap"] = "outerHTML"
    return focus_after_settle(response, f"#comment-{comment_id}", target)


def back_to(circle: Circle, number: int, comment_id: int | None = None, paragraph=None):
    if paragraph is not None:
        url = url_for("discussion.passage", slug=circle.slug, number=number, index=paragraph)
    else:
        url = url_for("discussion.chapter", slug=circle.slug, number=number)
    return redirect(url + (f"#comment-{comment_id}" if comment_id else "#thread"))


# --- reading with the circle ------------------------------------------------------------


def circle_urls(circle: Circle) -> dict:
    """Chapter links and progress moves that stay inside the circle."""
    return {
        "chapter_url": lambda n: url_for("discussion.chapter", slug=circle.slug, number=n),
        "move_url": url_for("discussion.move", slug=circle.slug),
    }


@bp.get("/c/<slug>/chapters/<int:number>")
@circle_view()
def chapter(circle: Circle, membership: Membership, number: int):
    chapter = find_chapter(circle.work_id, number)
    viewer = viewer_for(circle, membership)
    context = chapter_context(chapter, viewer.progress, **circle_urls(circle))
    return render_template(
        "chapter.html", **(context | render_context(circle, membership, viewer, number))
    )


@bp.post("/c/<slug>/progress")
@circle_view()
def move(circle: Circle, membership: Membership):
    """A move made on one of the circle's chapter pages: the same move as anywhere (the
    place is the reader's, shared by all their circles), answered inside the circle."""
    return move_place(
        circle.work_id,
        **circle_urls(circle),
        # Each reads the viewer's progress afresh: one grouped count before the move,
        # the chapter's discussion (markers and their links) after it.
        markers_of=lambda number: comments.marker_counts(viewer_for(circle, membership), number),
        discussion_of=lambda number: Discussion(circle, viewer_for(circle, membership), number),
    )


@bp.get("/c/<slug>/chapters/<int:number>/thread")
@circle_view()
def thread(circle: Circle, membership: Membership, number: int):
    """The chapter thread alone, polled by htmx; an unchanged thread answers 304."""
    find_chapter(circle.work_id, number)
    viewer = viewer_for(circle, membership)
    context = render_context(circle, membership, viewer, number)
    return render_template("_partials/thread.html", **context)


@bp.before_app_request
def answer_idle_polls():
    """An open thread polls every 15 s. Before any view code runs, fingerprint what this
    member can see with one query; if the browser already has it, answer 304."""
    if request.endpoint != "discussion.thread" or request.method != "GET":
        return None
    user_id, _, version = session.get("_user_id", "").partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None  # logged out: the view answers properly
    slug, number = request.view_args["slug"], request.view_args["number"]
    row = comments.thread_etag_query(int(user_id), int(version), slug, number)
    if row is None:
        return None  # not a member: the view answers 404
    fingerprint = repr((user_id, number, *row)).encode()
    request.thread_etag = hashlib.blake2s(fingerprint, digest_size=12).hexdigest()
    if request.thread_etag not in request.if_none_match:
        return None
    response = make_response("", 304)
    response.set_etag(request.thread_etag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.after_app_request
def tag_threads(response):
    etag = getattr(request, "thread_etag", None)
    if etag and response.status_code == 200:
        response.set_etag(etag)
        response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/c/<slug>/chapters/<int:number>/paragraphs/<int:index>")
@circle_view()
def passage(circle: Circle, membership: Membership, number: int, index: int):
    chapter = find_chapter(circle.work_id, number)
    paragraphs = paragraphs_of(chapter)
    if not 0 <= index < len(paragraphs):
        abort(404, "That paragraph isn't in this chapter.")
    viewer = viewer_for(circle, membership)
    context = render_context(circle, membership, viewer, number) | {
        "p": paragraphs[index],
        "chapter": chapter,
        "passage_form": composer(circle, viewer, number, index),
    }
    if request.args.get("close"):
        return f'<div class="passage-slot" id="passage-{index}"></div>'
    if is_htmx():
        return render_template("_partials/passage.html", **context)
    return render_template("passage.html", **context, work=circle.work)


# --- writing ----------------------------------------------------------------------------


@bp.post("/c/<slug>/chapters/<int:number>/comments")
@circle_view()
def post(circle: Circle, membership: Membership, number: int):
    chapter = find_chapter(circle.work_id, number)
    viewer = viewer_for(circle, membership)
    paragraphs = paragraphs_of(chapter)
    paragraph = optional_int("paragraph")
    in_range = paragraph is not None and 0 <= paragraph < len(paragraphs)
    anchor = paragraphs[paragraph].anchor if in_range else None
    try:
        comment = comments.post(
            viewer,
            chapter,
            len(paragraphs),
            request.form.get("body"),
            paragraph=paragraph,
            parent_id=optional_int("parent_id"),
            level=parse_level(request.form.get("level")),
            anchor_key=anchor,
        )
        db.session.commit()
    except DiscussionError as error:
        db.session.rollback()
        fail(error)
    if is_htmx():
        return thread_fragment(circle, membership, viewer, number, comment.paragraph, comment.id)
    flash("Comment posted.")
    return back_to(circle, number, comment.id, comment.paragraph)


@bp.route("/c/<slug>/comments/<int:comment_id>", methods=["GET"])
@circle_view()
def comment_page(circle: Circle, membership: Membership, comment_id: int):
    """One comment and its replies on a page of their own ("continue this thread")."""
    viewer = viewer_for(circle, membership)
    try:
        comment = comments.visible_one(viewer, comment_id)
    except DiscussionError as error:
        fail(error)
    context = render_context(circle, membership, viewer, comment.chapter)
    node = comments.find_node(context["discussion"].threads(comment.paragraph), comment_id)
    if node is None:
        abort(404, "That comment was deleted.")
    return render_template("comment_page.html", **context, node=node, comment=comment)


@bp.get("/c/<slug>/comments/<int:comment_id>/reply")
@circle_view()
def reply_form(circle: Circle, membership: Membership, comment_id: int):
    viewer = viewer_for(circle, membership)
    try:
        parent = comments.visible_one(viewer, comment_id)
    except DiscussionError as error:
        fail(error)
    form = composer(circle, viewer, parent.chapter, parent.paragraph, parent)
    context = {"circle": circle, "form": form, "viewer": viewer, "shape": shape_of(circle.work)}
    if is_htmx():
        return render_template("_partials/comment_form.html", **context, slot=f"reply-{comment_id}")
    return render_template("reply.html", **context, parent=parent)


@bp.route("/c/<slug>/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@circle_view()
def edit(circle: Circle, membership: Membership, comment_id: int):
    viewer = viewer_for(circle, membership)
    try:
        if request.method == "GET":
            comment = comments.own_comment(viewer, comment_id)
            template = "_partials/edit_form.html" if is_htmx() else "edit.html"
            return render_template(template, circle=circle, comment=comment)
        comment = comments.edit(viewer, comment_id, request.form.get("body"))
        db.session.commit()
    except DiscussionError as error:
        db.session.rollback()
        fail(error)
    if is_htmx():
        return thread_fragment(
            circle, membership, viewer, comment.chapter, comment.paragraph, comment.id
        )
    flash("Comment updated.")
    return back_to(circle, comment.chapter, comment.id, comment.paragraph)


@bp.post("/c/<slug>/comments/<int:comment_id>/delete")
@circle_view()
def delete(circle: Circle, membership: Membership, comment_id: int):
    viewer = viewer_for(circle, membership)
    try:
        comment = comments.own_comment(viewer, comment_id)
        where = (comment.chapter, comment.paragraph)
        comments.delete(viewer, comment_id)
        db.session.commit()
    except DiscussionError as error:
        db.session.rollback()
        fail(error)
    if is_htmx():
        return thread_fragment(circle, membership, viewer, *where, comment_id)
    flash("Comment deleted.")
    return back_to(circle, where[0], None, where[1])


@bp.route("/c/<slug>/comments/<int:comment_id>/report", methods=["GET", "POST"])
@circle_view()
def report(circle: Circle, membership: Membership, comment_id: int):
    viewer = viewer_for(circle, membership)
    try:
        comment = comments.visible_one(viewer, comment_id)
        if request.method == "GET":
            template = "_partials/report_form.html" if is_htmx() else "report.html"
            return render_template(template, circle=circle, comment=comment)
        comments.report(viewer, comment_id, request.form.get("reason"))
        db.session.commit()
    except DiscussionError as error:
        db.session.rollback()
        fail(error)
    message = "Thanks. The circle's moderators will look at it."
    if is_htmx():
        return f'<p class="notice" role="status">{message}</p>'
    flash(message)
    return back_to(circle, comment.chapter, comment.id, comment.paragraph)


# --- moderation -------------------------------------------------------------------------


@bp.get("/c/<slug>/moderation")
@circle_view("moderator")
def moderation(circle: Circle, membership: Membership):
    viewer = viewer_for(circle, membership)
    reveal = request.args.get("reveal", type=int)
    return render_template(
        "moderation.html",
        circle=circle,
        membership=membership,
        queue=comments.moderation_queue(viewer),
        hidden=comments.hidden_comments(viewer),
        reveal=reveal,
        shape=shape_of(circle.work),
        members=circle.memberships,
        flags=pending_flags(circle),
        label_names={label.key: label.name for label in LABELS},
    )


def moderate(circle: Circle, membership: Membership, comment_id: int, hidden: bool):
    viewer = viewer_for(circle, membership)
    try:
        was_hidden = comments.set_hidden(viewer, comment_id, hidden)
        db.session.commit()
    except DiscussionError as error:
        fail(error)
    if hidden:
        flash("Comment hidden from the circle.")
    else:
        flash("Comment restored." if was_hidden else "Report dismissed; the comment stays.")
    return redirect(url_for("discussion.moderation", slug=circle.slug))


@bp.post("/c/<slug>/comments/<int:comment_id>/hide")
@circle_view("moderator")
def hide(circle: Circle, membership: Membership, comment_id: int):
    return moderate(circle, membership, comment_id, hidden=True)


@bp.post("/c/<slug>/comments/<int:comment_id>/restore")
@circle_view("moderator")
def restore(circle: Circle, membership: Membership, comment_id: int):
    return moderate(circle, membership, comment_id, hidden=False)


@bp.post("/c/<slug>/members/<int:user_id>/posting")
@circle_view("moderator")
def posting(circle: Circle, membership: Membership, user_id: int):
    target = member_of(circle, user_id)
    if target.at_least("moderator"):
        abort(403, "Moderators and the owner can always post.")
    target.can_post = request.form.get("allow") == "1"
    db.session.commit()
    state = "can post again" if target.can_post else "can no longer post"
    flash(f"{target.user.name} {state} in this circle.")
    return redirect(url_for("discussion.moderation", slug=circle.slug))


# --- newly unlocked ---------------------------------------------------------------------


def last_forward_move(viewer: Viewer) -> ProgressMove | None:
    move = db.session.scalar(
        select(ProgressMove)
        .where(ProgressMove.user_id == viewer.user_id, ProgressMove.work_id == viewer.work_id)
        .order_by(ProgressMove.moved_at.desc(), ProgressMove.id.desc())
        .limit(1)
    )
    return move if move is not None and move.after > move.before else None


def unlocked(viewer: Viewer) -> list[Comment]:
    move = last_forward_move(viewer)
    return comments.unlocked_by_last_move(viewer, move.before) if move else []


@bp.get("/c/<slug>/unlocked")
@circle_view()
def digest(circle: Circle, membership: Membership):
    # The same content as the digest mail (one builder), over the window since the
    # member's last step forward.
    viewer = viewer_for(circle, membership)
    content, move = digest_of.since_last_move(circle, viewer, utcnow().date())
    return render_template("digest.html", circle=circle, digest=content, move=move, link=url_for)


@bp.get("/c/<slug>/unlocked/notice")
@circle_view()
def unlocked_notice(circle: Circle, membership: Membership):
    items = unlocked(viewer_for(circle, membership))
    return render_template("_partials/unlock_notice.html", circle=circle, total=len(items))
