"""Bytes of a text file → str, or a one-line refusal. Never U+FFFD, mojibake or C1 controls.

Decoder: the standard codecs, no guessing library: a byte-order mark is believed; else strict
UTF-8; else Windows-1252 (which is Latin-1 plus printable characters in 0x80-0x9F, so one
decoding serves both); the result is then checked to read as text. UTF-8 that is itself
mojibake (UTF-8 once misread as Windows-1252, an apostrophe showing as three letters) is
repaired sequence by sequence, and refused when some damage cannot be undone.
"""

from __future__ import annotations

import codecs
import re

from .base import ImportFailed

# Files people upload by mistake, named so the refusal says what they gave us.
MAGIC = (
    (b"PK\x03\x04", "a zip archive (an EPUB or a Word file?), not text"),
    (b"%PDF-", "a PDF, not text"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image, not text"),
    (b"\xff\xd8\xff", "a JPEG image, not text"),
    (b"GIF8", "a GIF image, not text"),
    (b"\x1f\x8b", "a gzip archive, not text"),
    (b"Rar!", "a RAR archive, not text"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive, not text"),
    (b"\xd0\xcf\x11\xe0", "an old Word or Office file, not text"),
)
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Windows-1252 leaves these five bytes undefined; in Latin-1 they are C1 controls.
CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
# Controls no text file carries (tab, newlines, form feed and vertical tab are fine).
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\x80-\x9f]")
# A UTF-8 sequence misread as Windows-1252 / Latin-1 and saved again. Only the shapes that
# real text never holds are undone: a lead byte C2-C5 (shown as A-circumflex, A-tilde,
# A-umlaut, A-ring) and a continuation byte 0x80-0xBF (shown through either code page); lead
# E2 with 80, 82 or 84 and one more (punctuation, currency, the trade mark sign); F0 9F and
# two more (emoji); and a misread byte-order mark. A wider net would "repair" honest text
# such as a quoted word ending in a capital E-acute.
_CONT = (
    "[\x80-\xbf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039"
    "\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a"
    "\u0153\u017e\u0178]"
)
MOJIBAKE = re.compile(
    f"[\u00c2-\u00c5]{_CONT}|\u00e2[\u20ac\u201a\u201e]{_CONT}"
    f"|\u00f0\u0178{_CONT}{{2}}|\u00ef\u00bb\u00bf"
)
# What is left of a damaged sequence whose last byte was lost on the way.
MOJIBAKE_REMNANT = re.compile("\u00e2\u20ac|\u00c3[\u0080-\u00bf]|\u00f0\u0178")


def decode_text(raw: bytes) -> str:
    """The text of `raw`, or ImportFailed with the reason in one line."""
    for magic, what in MAGIC:
        if raw.startswith(magic):
            raise ImportFailed(f"this is {what}")
    text = _decode(raw)
    text = _repair_mojibake(text)
    text = text.lstrip("\ufeff").rstrip("\x1a")  # a second BOM; a DOS end-of-file mark
    if "\ufffd" in text:
        raise ImportFailed(
            "the text holds U+FFFD replacement characters: an earlier conversion lost letters"
        )
    if match := CONTROL.search(text):
        raise ImportFailed(
            f"control character U+{ord(match.group()):04X} at character {match.start()}: "
            "this is not a plain text file"
        )
    return text


def decode_prefix(raw: bytes, limit: int = 200_000) -> str:
    """The first `limit` bytes or so as text, for sniffing: cut where no UTF-8 sequence
    is split, so that a long file is not misjudged by its last half character."""
    wide = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\0" in raw[:4096]
    if len(raw) > limit and not wide:  # UTF-16 and -32 files (rare) are read whole
        cut = limit
        while cut > limit - 4 and raw[cut] & 0xC0 == 0x80:
            cut -= 1
        raw = raw[:cut]
    return decode_text(raw)


def _decode(raw: bytes) -> str:
    for bom, codec in BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom) :].decode(codec)
            except UnicodeDecodeError as error:
                raise ImportFailed(
                    f"the file says it is {codec.upper()} but byte {error.start} is not"
                ) from None
    if b"\0" in raw:
        if (codec := _bomless_utf16(raw)) is not None:
            try:
                return raw.decode(codec)
            except UnicodeDecodeError:
                pass
        raise ImportFailed("this is a binary file, not text (it holds NUL bytes)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return _decode_single_byte(raw)


def _bomless_utf16(raw: bytes) -> str | None:
    """UTF-16 without a byte-order mark: mostly-ASCII text has every other byte NUL."""
    sample = raw[:4096]
    if len(sample) < 4 or len(raw) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.7 * len(odd) and 0 not in even:
        return "utf-16-le"
    if even.count(0) > 0.7 * len(even) and 0 not in odd:
        return "utf-16-be"
    return None


def _decode_single_byte(raw: bytes) -> str:
    """Windows-1252, which is Latin-1 wherever Latin-1 has a printable character: bytes
    0xA0-0xFF read the same in both, and 0x80-0x9F are C1 controls in Latin-1 but curly
    quotes, dashes and the euro sign in Windows-1252, so Windows-1252 is right for both."""
    for position, byte in enumerate(raw):
        if byte in CP1252_UNDEFINED:
            raise ImportFailed(
                f"not UTF-8, and byte 0x{byte:02X} at {position} is no character in "
                "Windows-1252 or Latin-1; save the file as UTF-8 and try again"
            )
    text = raw.decode("cp1252")
    letters = [ch for ch in text if ch.isalpha()]
    foreign = sum(1 for ch in letters if ord(ch) > 0x7F)
    # Western text is mostly ASCII letters with a few accents; Cyrillic, Greek or a binary
    # file read through Windows-1252 is a wall of accented letters and symbols.
    if not letters or foreign > 0.3 * len(letters):
        raise ImportFailed(
            "not UTF-8, and it does not read as Windows-1252 or Latin-1 text either; "
            "save the file as UTF-8 and try again"
        )
    return text


def _as_cp1252_byte(ch: str) -> int:
    code = ord(ch)
    if code < 0x100:
        return code
    return ch.encode("cp1252")[0]


def _repair_mojibake(text: str) -> str:
    """Undo UTF-8 that was once read as Windows-1252 and saved again.

    Each damaged sequence is put back to its bytes and decoded; a sequence whose bytes are
    no UTF-8 is left alone, and whatever damage remains afterwards is refused."""
    if not MOJIBAKE.search(text) and not MOJIBAKE_REMNANT.search(text):
        return text

    def undo(match: re.Match[str]) -> str:
        try:
            return bytes(_as_cp1252_byte(ch) for ch in match.group()).decode("utf-8")
        except UnicodeDecodeError:
            return match.group()

    repaired = MOJIBAKE.sub(undo, text)
    if remnant := MOJIBAKE_REMNANT.search(repaired):
        raise ImportFailed(
            f"the text is garbled (\u201c{remnant.group()}\u201d at character "
            f"{remnant.start()}): it was converted with the wrong encoding; "
            "save the original as UTF-8 and try again"
        )
    return repaired
