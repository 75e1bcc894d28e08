"""Shared lxml helpers for the rich importers: a piece of (X)HTML → paragraphs and notes.

Works on trees from both lxml parsers (the HTML parser's plain tags and the XML parser's
namespaced XHTML tags), and serializes with our own rules, so the same markup gives the
same result whichever file it came from: whitespace collapsed, presentation attributes
(`class`, `id`, `style`, which calibre rewrites) dropped. Everything else is kept as it was:
the HTML is untrusted and `companion.sanitize` cleans it when the work is stored.
"""

from __future__ import annotations

import re
from html import escape

from lxml import etree, html

SCENE_BREAK = "* * *"

# Code, not content: dropped with everything inside, from the text and the markup alike.
DROPPED = frozenset({"script", "style", "template", "head", "title"})
# Embedded things whose insides are no text for a reader: left out of the plain text and
# the paragraphs; a notes field keeps them as markup for the sanitizer to remove.
NOT_TEXT = DROPPED | frozenset(
    {"noscript", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math",
     "canvas", "audio", "video", "select", "textarea"}
)  # fmt: skip
# Kept as markup inside a paragraph; any other inline element is unwrapped to its text.
INLINE = frozenset(
    {"em", "strong", "i", "b", "u", "s", "del", "sup", "sub", "a", "br", "span", "small", "code"}
)
# Each of these starts (and ends) a paragraph.
BLOCKS = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "blockquote", "pre",
     "section", "article", "aside", "header", "footer", "main", "nav", "center", "address",
     "dl", "dt", "dd", "figure", "figcaption", "table", "thead", "tbody", "tfoot", "tr", "td",
     "th", "caption", "details", "summary", "hgroup", "form", "fieldset", "hr", "body"}
)  # fmt: skip
VOID = frozenset({"br", "hr", "img", "wbr", "input", "col", "area", "source", "track"})
# Presentation only, and rewritten by calibre: dropped so HTML and EPUB serialize alike.
PRESENTATION_ATTRIBUTES = frozenset({"class", "id", "style"})
# A paragraph that is only a row of these is the author's scene break: * * *, ***, ~~~, ---
SCENE_BREAK_LINE = re.compile(r"^(?:[*~\-\u2013\u2014=#•·+_◇◆○●◦\u2217⁂]\s*){3,}$|^⁂$")
_SPACE = re.compile(r"\s+")
_SPACE_IN_VALUE = re.compile(r"[^\S ]")
_BR = "\x00"  # stands for a line break until whitespace is collapsed
_BLOCK_TAG = re.compile(
    r"\s*(</?(?:p|div|blockquote|ul|ol|li|h[1-6]|hr|br|pre|dl|dt|dd|table|tr|td|th)\b[^>]*>)\s*"
)

Paragraph = tuple[str, str]  # (plain text, inline HTML)


def localname(element) -> str:
    """The element's tag without namespace, lower case; "" for comments and PIs."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2].lower()


def classes(element) -> set[str]:
    """Class names without calibre's numeric suffix ("meta1" → "meta")."""
    return {re.sub(r"\d+$", "", name) for name in (element.get("class") or "").split()}


def children(element):
    """Child elements, skipping comments and processing instructions."""
    return (child for child in element if isinstance(child.tag, str))


def _visible_text(element) -> str:
    parts: list[str] = []

    def walk(node) -> None:
        if isinstance(node.tag, str) and localname(node) not in NOT_TEXT:
            parts.append(node.text or "")
            for child in node:
                walk(child)
                parts.append(child.tail or "")

    walk(element)
    return "".join(parts)


def text_of(element) -> str:
    """The visible text of an element, whitespace collapsed (no script or style text)."""
    return _SPACE.sub(" ", _visible_text(element)).strip()


class _Run:
    """The inline content collected for one paragraph."""

    def __init__(self) -> None:
        self.text: list[str] = []
        self.html: list[str] = []

    def add_text(self, value: str | None) -> None:
        if value:
            self.text.append(value)
            self.html.append(escape(value, quote=False))

    def add_inline(self, element) -> None:
        name = localname(element)
        if not name or name in NOT_TEXT:
            return
        if name == "br":
            self.text.append(_BR)
            self.html.append(_BR)
            return
        if not _visible_text(element).strip() and not _has_break(element):
            # An empty anchor or span (calibre adds some of its own) is no markup to keep.
            self.add_text(" " if _visible_text(element) else None)
            return
        if name in INLINE:
            self.html.append(f"<{name}{_attributes(element)}>")
        self.add_text(element.text)
        for child in element:
            self.add_inline(child)
            self.add_text(child.tail)
        if name in INLINE:
            self.html.append(f"</{name}>")

    def take(self) -> Paragraph | None:
        text = _tidy_text("".join(self.text))
        markup = _tidy_html("".join(self.html))
        self.text, self.html = [], []
        if not text:
            return None
        if SCENE_BREAK_LINE.match(text):
            return (SCENE_BREAK, SCENE_BREAK)
        return (text, markup)


def paragraphs(container) -> list[Paragraph]:
    """Every block in `container` as one paragraph: <p>, text in a <div>, headings, list
    items, the paragraphs of a blockquote. An <hr> is a scene break; empty blocks go."""
    found: list[Paragraph] = []
    run = _Run()

    def flush() -> None:
        if (paragraph := run.take()) is not None:
            found.append(paragraph)

    def walk(block) -> None:
        run.add_text(block.text)
        for child in block:
            name = localname(child)
            if not name or name in NOT_TEXT:
                pass
            elif name == "hr":
                flush()
                found.append((SCENE_BREAK, SCENE_BREAK))
            elif name in BLOCKS or _holds_blocks(child):
                flush()
                walk(child)
                flush()
            else:
                run.add_inline(child)
            run.add_text(child.tail)

    walk(container)
    flush()
    return found


def _has_break(element) -> bool:
    return any(localname(inner) == "br" for inner in element.iterdescendants())


def _holds_blocks(element) -> bool:
    """An inline element wrapped around blocks (<span><p>…</p></span>) is read as a block."""
    return any(localname(inner) in BLOCKS for inner in element.iterdescendants())


def notes(container) -> tuple[str, str]:
    """A notes or summary blockquote: (its paragraphs joined with "\\n", its inner HTML)."""
    text = "\n".join(text for text, _ in paragraphs(container))
    parts: list[str] = [escape(container.text or "", quote=False)]
    for child in container:
        _serialize(child, parts)
        parts.append(escape(child.tail or "", quote=False))
    markup = _BLOCK_TAG.sub(r"\1", _SPACE.sub(" ", "".join(parts))).strip()
    return text, markup


def _serialize(element, parts: list[str]) -> None:
    name = localname(element)
    if not name or name in DROPPED:
        return
    parts.append(f"<{name}{_attributes(element)}>")
    if name in VOID:
        return
    parts.append(escape(element.text or "", quote=False))
    for child in element:
        _serialize(child, parts)
        parts.append(escape(child.tail or "", quote=False))
    parts.append(f"</{name}>")


def _attributes(element) -> str:
    # Whitespace inside a value is written as a character reference, so that collapsing
    # the markup's whitespace never changes what a value says ("jav&#9;ascript:").
    kept = [
        f' {key}="{_SPACE_IN_VALUE.sub(_character_reference, escape(value))}"'
        for key, value in element.attrib.items()
        if "}" not in key and key.lower() not in PRESENTATION_ATTRIBUTES
    ]
    return "".join(kept)


def _character_reference(match: re.Match) -> str:
    return f"&#{ord(match.group())};"


def _tidy_text(text: str) -> str:
    text = _SPACE.sub(" ", text)
    return re.sub(f" ?{_BR} ?", "\n", text).strip()


def _tidy_html(markup: str) -> str:
    markup = re.sub(f" ?{_BR} ?", "<br>", _SPACE.sub(" ", markup))
    return re.sub(r"^(?:\s|<br>)+|(?:\s|<br>)+$", "", markup)


# --- parsing ---------------------------------------------------------------------------

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


def parse_html(text: str):
    """An HTML document (str) → its root element; lxml's parser copes with broken markup."""
    text = _XML_DECLARATION.sub("", text, count=1)
    if not text.strip():
        raise ValueError("empty document")
    return html.document_fromstring(text)


# No DTDs, no entities, no network: an EPUB's XML is someone else's file.
_XML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
)
_XML_RECOVERING = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True
)


def parse_xml(raw: bytes):
    """Strict XML first; a file that is not well-formed is read leniently, as a reader
    application would, and None when nothing can be made of it."""
    try:
        return etree.fromstring(raw, _XML_PARSER)
    except etree.XMLSyntaxError:
        try:
            return etree.fromstring(raw, _XML_RECOVERING)
        except etree.XMLSyntaxError:
            return None


def body_of(root):
    """The <body> of a parsed document (either parser), else the root itself."""
    for element in root.iter():
        if localname(element) == "body":
            return element
    return root
