"""Turning a file into `WorkData`: one module per format, chosen by name or sniffed.

`load` (a path) and `parse_bytes` (an upload) are the entry points; every failure is an
`ImportFailed` with a one-line message meant for the person who gave us the file.

Each format module has `parse(raw: bytes, name: str) -> WorkData` and
`sniff(raw: bytes) -> bool`; `--format auto` asks them in `DETECTION_ORDER`.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from .base import ChapterData, ImportFailed, WorkData
from .text_encoding import decode_text

__all__ = [
    "FORMATS",
    "FORMAT_NAMES",
    "MAX_BYTES",
    "ChapterData",
    "ImportFailed",
    "WorkData",
    "detect_format",
    "load",
    "parse_bytes",
]

MAX_BYTES = 20 * 1024 * 1024
# Format name (part of the stable CLI) → module in this package.
MODULES = {
    "ao3-text": "ao3_text",
    "ao3-html": "ao3_html",
    "epub": "epub",
    "markdown": "markdown",
    "text": "plain_text",
}
FORMATS = ("auto", *MODULES)
# What each format is called on pages.
FORMAT_NAMES = {
    "ao3-text": "Text copied from archive pages",
    "ao3-html": "Archive HTML download",
    "epub": "Archive EPUB download",
    "markdown": "Markdown",
    "text": "Plain text",
}
# Most specific first: a zip, an archive page, Markdown, pasted archive text, any text.
DETECTION_ORDER = ("epub", "ao3-html", "markdown", "ao3-text", "text")


def _module(fmt: str):
    return import_module(f".{MODULES[fmt]}", __name__)


def load(path: str | Path, fmt: str = "auto") -> WorkData:
    path = Path(path)
    if not path.exists():
        raise ImportFailed(f"{path}: no such file")
    if not path.is_file():
        raise ImportFailed(f"{path}: not a file")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ImportFailed(f"{path.name}: too large ({size // 1024 // 1024} MB; limit 20 MB)")
    return parse_bytes(path.read_bytes(), path.name, fmt)


def detect_format(raw: bytes) -> str:
    """The first format in DETECTION_ORDER that recognises `raw`; plain text, the last,
    takes any text, so a refusal here says why the file is not text."""
    for fmt in DETECTION_ORDER:
        if _module(fmt).sniff(raw):
            return fmt
    decode_text(raw)  # raises with the reason: binary, an image, an unknown encoding…
    raise ImportFailed(
        "this is not a format Companion reads (archive HTML or EPUB, Markdown, text)"
    )


def parse_bytes(raw: bytes, name: str, fmt: str = "auto") -> WorkData:
    if fmt not in FORMATS:
        raise ImportFailed(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if len(raw) > MAX_BYTES:
        raise ImportFailed(f"{name}: too large ({len(raw) // 1024 // 1024} MB; limit 20 MB)")
    if not raw:
        raise ImportFailed(f"{name}: the file is empty")
    if not raw.strip():
        raise ImportFailed(f"{name}: the file holds nothing but blank space")
    try:
        if fmt == "auto":
            fmt = detect_format(raw)
        return _module(fmt).parse(raw, name)
    except ImportFailed as error:
        raise ImportFailed(f"{name}: {error}") from None
