"""The only module that touches the HTML sanitizer: text in, safe HTML out.

Everything stored as HTML passed through here at write time, so templates can mark it
safe without a second thought.
"""

from __future__ import annotations

import html
import re

import bleach
from bleach.linkifier import LinkifyFilter
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {"p", "br", "em", "strong", "i", "b", "u", "s", "del", "sup", "sub", "blockquote",
     "ul", "ol", "li", "code", "pre", "hr", "a", "span", "small", "h3", "h4"}
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if name not in ALLOWED_ATTRIBUTES.get(tag, ()):
        return False
    if name != "href":
        return True
    # bleach lets "anything:123" through as a host and port; a browser reads it as a
    # scheme. Only our schemes, or a scheme-less relative link, may stay.
    squeezed = "".join(ch for ch in value if ch > " ").lower()
    head = re.split(r"[/?#]", squeezed, maxsplit=1)[0]
    return ":" not in head or head.split(":", 1)[0] in ALLOWED_PROTOCOLS


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS, attributes=_allowed_attribute, protocols=ALLOWED_PROTOCOLS, strip=True
)


def clean_html(fragment: str) -> str:
    """Untrusted HTML reduced to the allowlist; anything else is dropped, text kept."""
    return _cleaner.clean(fragment)


def text_to_html(text: str) -> str:
    """Plain text, one paragraph per line, as escaped HTML paragraphs."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return clean_html("".join(f"<p>{html.escape(line, quote=False)}</p>" for line in lines))


def paragraph_html(text: str, rich: str | None = None) -> str:
    """One body paragraph: the importer's HTML when the format had some, else the text."""
    if rich is not None:
        return clean_html(rich)
    # Escaped text holds no markup at all, so there is nothing left for bleach to judge
    # (and a 1,000-paragraph work imports a tenth of a second faster).
    return html.escape(text, quote=False)


# CommonMark with raw HTML off: "<b>" in a comment is text, not markup. Images are off too
# (no hot-linked pictures in a spoiler-free discussion); "![x](y)" stays a plain link.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_markdown.disable(["image", "html_block", "html_inline"])


def _nofollow(attrs: dict, new: bool = False) -> dict:
    attrs[(None, "rel")] = "nofollow ugc noopener"
    return attrs


# Every link a member writes is marked as theirs, not ours.
_comment_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_allowed_attribute,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    filters=[
        lambda source: LinkifyFilter(source, callbacks=[_nofollow], skip_tags={"pre", "code"})
    ],
)


def markdown_html(source: str) -> str:
    """A comment's Markdown as safe HTML: rendered once, at write time."""
    return _comment_cleaner.clean(_markdown.render(source))


def work_markdown_inline(source: str) -> str:
    """One paragraph of an imported work's Markdown as inline HTML (emphasis, links, line
    breaks). Raw HTML stays text, as in comments; the importer hands the result on as the
    paragraph's HTML, which `paragraph_html` cleans when the work is stored."""
    return _markdown.renderInline(source)
