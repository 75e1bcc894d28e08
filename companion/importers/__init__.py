"""Turning a file into `WorkData`: one module per format, chosen by name or sniffed.

`load` is the single entry point; every failure is an `ImportFailed` with a one-line
message meant for the person who gave us the file.
"""

from __future__ import annotations

from pathlib import Path

from . import ao3_text
from .base import ChapterData, ImportFailed, WorkData

__all__ = ["FORMATS", "ChapterData", "ImportFailed", "WorkData", "load", "parse_bytes"]

MAX_BYTES = 20 * 1024 * 1024
PARSERS = {"ao3-text": ao3_text.parse}
# Part of the stable CLI; the formats without a parser yet are refused with a clear line.
FORMATS = ("auto", "ao3-text", "ao3-html", "epub", "markdown")


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


def parse_bytes(raw: bytes, name: str, fmt: str = "auto") -> WorkData:
    if fmt not in FORMATS:
        raise ImportFailed(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if not raw.strip():
        raise ImportFailed(f"{name}: the file is empty")
    if b"\0" in raw[:8192]:
        raise ImportFailed(f"{name}: this is a binary file, not text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFailed(
            f"{name}: not UTF-8 text (byte {error.start}); save it as UTF-8 and try again"
        ) from None
    if fmt == "auto":
        fmt = "ao3-text"
    parser = PARSERS.get(fmt)
    if parser is None:
        raise ImportFailed(f"the {fmt} format is not supported yet; use ao3-text")
    try:
        return parser(text, name)
    except ImportFailed as error:
        raise ImportFailed(f"{name}: {error}") from None
