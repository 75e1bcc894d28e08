"""The markup that repeats hundreds of times per page, built in Python instead of
template macros: the chapter's paragraphs with the reader's controls beside each, and
comment trees.

A chapter page holds a hundred paragraphs or more; a macro call per paragraph (with a
url_for inside) was most of the page's render time. Each comment's box is rendered once
per version and per kind of viewer (author or not, moderator or not, may post or not)
and reused; the tree around the boxes is joined in Python. A thousand-comment thread
then costs dictionary look-ups, not a thousand template renders.

Only comments that already passed the gate reach this module."""

from __future__ import annotations

from collections import OrderedDict

from flask import Flask, current_app
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from .comments import MAX_DEPTH, Node
from .importers.base import SCENE_BREAK

CSRF_PLACEHOLDER = "\x00csrf\x00"
CACHE_SIZE = 20_000
_boxes: OrderedDict[tuple, str] = OrderedDict()


def _box(node: Node, slug: str, viewer, shape) -> str:
    c = node.comment
    own = c.author_id == viewer.user_id
    key = (c.id, c.updated_at, own, viewer.is_moderator, viewer.can_post, node.parent_hidden)
    html = _boxes.get(key)
    if html is None:
        template = current_app.jinja_env.get_template("_partials/comment_article.html")
        html = template.render(
            c=c, slug=slug, own=own, moderator=viewer.is_moderator, can_post=viewer.can_post,
            parent_hidden=node.parent_hidden, audience=shape.audience(c.level),
            csrf=CSRF_PLACEHOLDER,
        )  # fmt: skip
        _boxes[key] = html
        if len(_boxes) > CACHE_SIZE:
            _boxes.popitem(last=False)
    return html


def comment_tree(node: Node, circle, viewer, shape, depth: int = 0) -> Markup:
    parts: list[str] = []
    _walk(node, circle.slug, viewer, shape, depth, parts)
    return Markup("".join(parts).replace(CSRF_PLACEHOLDER, escape(generate_csrf())))


def _walk(node: Node, slug: str, viewer, shape, depth: int, parts: list[str]) -> None:
    c = node.comment
    classes = "comment"
    if c.deleted_at:
        classes += " tombstone"
    if c.author_id == viewer.user_id:
        classes += " own"
    parts.append(f'<li class="{classes}" id="comment-{c.id}">')
    parts.append(_box(node, slug, viewer, shape))
    if node.children:
        if depth + 1 >= MAX_DEPTH:
            count = node.reply_count
            noun = "reply" if count == 1 else "replies"
            parts.append(
                f'<p class="continue"><a href="/c/{slug}/comments/{c.id}">'
                f"Continue this thread ({count} more {noun}) →</a></p>"
            )
        else:
            parts.append('<ol class="replies">')
            for child in node.children:
                _walk(child, slug, viewer, shape, depth + 1, parts)
            parts.append("</ol>")
    parts.append("</li>")


# --- the chapter text ---------------------------------------------------------------


def chapter_text(
    paragraphs, chapter_number: int, progress, move_url=None, discussion=None, passages=()
) -> Markup:
    """Every paragraph of a chapter; `passages` are the reader's opted-in warning passages
    as (passage, where "skip" lands), each wrapped around its paragraphs."""
    opening = {passage.start: (passage, skip) for passage, skip in passages}
    closing = {passage.end for passage, _ in passages}
    macros = current_app.jinja_env.get_template("_partials/warnings.html").module
    parts: list[str] = []
    for p in paragraphs:
        if p.index in opening:
            parts.append(macros.passage_open(*opening[p.index]))
        parts.append(paragraph(p, chapter_number, progress, move_url, discussion))
        if p.index in closing:
            parts.append(macros.passage_close())
    return Markup("\n".join(parts))


def paragraph(p, chapter_number: int, progress, move_url=None, discussion=None) -> Markup:
    """One paragraph of the chapter text (p.html is sanitized at import), with "I'm here"
    for a signed-in reader and the passage's comment marker inside a circle."""
    if p.html == SCENE_BREAK:
        classes, opening = "para scene-break", '<p role="separator" aria-label="Scene break">'
    else:
        classes, opening = "para", "<p>"
    parts = [f'<div class="{classes}" id="p-{escape(p.anchor)}" data-index="{p.index}">\n'
             f"  {opening}{p.html}</p>"]  # fmt: skip
    if progress is not None:
        parts.append(paragraph_tools(p, chapter_number, progress, move_url))
    if discussion:
        parts.append(paragraph_marker(p, discussion))
        parts.append(f'<div class="passage-slot" id="passage-{p.index}"></div>')
    parts.append("\n</div>")
    return Markup("".join(parts))


def paragraph_tools(p, chapter_number: int, progress, move_url, oob: bool = False) -> Markup:
    """The reader's place: a badge on the paragraph they are at, a button on the others."""
    swap = ' hx-swap-oob="true"' if oob else ""
    if progress == (chapter_number, p.index):
        inner = '<span class="here-badge">You\'re here</span>'
    else:
        inner = (
            f'<button class="here" form="here-form" name="paragraph" value="{p.index}" '
            f'hx-post="{escape(move_url)}" aria-label="I\'m here: paragraph {p.index + 1}">'
            "I'm here</button>"
        )
    return Markup(f'<span class="para-tools" id="tools-{p.index}"{swap}>{inner}</span>')


def paragraph_marker(p, discussion, oob: bool = False) -> Markup:
    """How many comments this member can see on the passage, and the way to them."""
    count = discussion.markers.get(p.index, 0)
    url = escape(discussion.passage_url(p.index))
    swap = ' hx-swap-oob="true"' if oob else ""
    if count:
        label = f"{count} comment{'s' if count != 1 else ''} on this passage"
        classes, text = "marker has-comments", str(count)
    else:
        label, classes, text = "Comment on this passage", "marker", "+"
    return Markup(
        f'<span class="para-discuss" id="disc-{p.index}"{swap}>'
        f'<a class="{classes}" href="{url}" hx-get="{url}" hx-target="#passage-{p.index}" '
        f'hx-swap="outerHTML" aria-label="{label}">{text}</a></span>'
    )


def init_app(app: Flask) -> None:
    app.add_template_global(comment_tree, "render_comment_tree")
    app.add_template_global(chapter_text)
    app.add_template_global(paragraph_tools)
    app.add_template_global(paragraph_marker)
