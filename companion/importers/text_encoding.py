"""Bytes of a text file → str: UTF-8 (with or without BOM), else Windows-1252 or Latin-1
when that reads as real text, else refused. Never U+FFFD, mojibake or C1 controls.

Placeholder by the lead: the text-formats helper owns and completes this module."""

from __future__ import annotations

from .base import ImportFailed


def decode_text(raw: bytes) -> str:
    if b"\0" in raw[:8192]:
        raise ImportFailed("this is a binary file, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFailed(
            f"not UTF-8 text (byte {error.start}); save it as UTF-8 and try again"
        ) from None
