"""Rendering comment trees fast: each comment's box is rendered once per version and per
kind of viewer (author or not, moderator or not, may post or not) and reused; the tree
around the boxes is joined in Python. A thousand-comment thread then costs dictionary
look-ups, not a thousand template renders.

Only comments that already passed the gate reach this module."""

from __future__ import annotations

from collections import OrderedDict

from flask import Flask, current_app
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from .comments import MAX_DEPTH, Node

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


def init_app(app: Flask) -> None:
    app.add_template_global(comment_tree, "render_comment_tree")
