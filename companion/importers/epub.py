"""The archive's EPUB download (calibre's conversion of its HTML download).

Read with the standard `zipfile` under explicit limits and lxml rather than ebooklib:
ebooklib inflates every member at once with no size or ratio limit and drops what it does
not model, while zipfile lets us refuse a zip bomb from its headers and read each member
in bounded chunks, all in memory (nothing is ever written to disk).

`META-INF/container.xml` names the package file (`content.opf`): its metadata (dc:title,
dc:creator, dc:subject, dc:language, a dc:source or dc:identifier URL) fills whatever the
book's own preface leaves out, and its spine gives the order of the XHTML files. Those
hold the same preface, chapters and afterword as the HTML download, split by calibre into
`…_split_000.xhtml`, `…_split_001.xhtml`, a big chapter continuing headless into the next
file; `ao3_html.ArchiveReader` reads them in spine order as one document, so the same work
as HTML and as EPUB imports to the same chapters.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from urllib.parse import unquote

from . import _html
from .ao3_html import ArchiveReader
from .base import ImportFailed, WorkData

ZIP_MAGIC = b"PK\x03\x04"
MAX_MEMBERS = 2_000
MAX_MEMBER_BYTES = 32 * 1024 * 1024
MAX_TOTAL_BYTES = 128 * 1024 * 1024
# Text compresses maybe 10:1; a member inflating past this ratio is a bomb, not a book
# (members under RATIO_FLOOR are too small for the ratio to mean anything).
MAX_RATIO = 200
RATIO_FLOOR = 1024 * 1024
CHUNK = 64 * 1024
MIMETYPE = b"application/epub+zip"
XHTML_TYPES = {"application/xhtml+xml", "text/html", "application/x-dtbook+xml"}
MB = 1024 * 1024


def sniff(raw: bytes) -> bool:
    # Any zip: if it is not an EPUB, `parse` says so more clearly than "not text" would.
    return raw.startswith(ZIP_MAGIC)


def parse(raw: bytes, name: str = "") -> WorkData:
    if not raw.startswith(ZIP_MAGIC):
        raise ImportFailed("not an EPUB (an EPUB is a zip file, and this is not one)")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as book:
            return _read(_Members(book), name)
    except ImportFailed:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, zipfile.LargeZipFile, ValueError, OSError):
        # ValueError, OSError: zipfile's own reading of offsets a broken file gets wrong.
        raise ImportFailed("the EPUB is damaged or cut short (its zip data is broken)") from None
    except RecursionError:
        raise ImportFailed("the EPUB's markup is nested too deeply to read") from None
    except (NotImplementedError, RuntimeError):
        # An encrypted member or a compression method zipfile does not know.
        raise ImportFailed(
            "the EPUB uses encryption or compression Companion cannot read"
        ) from None


class _Members:
    """A zip's members, checked before anything is inflated, read with limits."""

    def __init__(self, book: zipfile.ZipFile) -> None:
        infos = book.infolist()
        if len(infos) > MAX_MEMBERS:
            raise ImportFailed(f"the EPUB has {len(infos)} files (limit {MAX_MEMBERS})")
        total = 0
        for info in infos:
            _check_path(info.filename)
            _check_size(info)
            total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise ImportFailed(
                f"the EPUB inflates to {total // MB} MB (limit {MAX_TOTAL_BYTES // MB} MB)"
            )
        self.book = book
        self.infos = {info.filename: info for info in infos if not info.is_dir()}
        self.read_so_far = 0

    def __contains__(self, name: str) -> bool:
        return name in self.infos

    def read(self, name: str) -> bytes:
        """The member's bytes, in bounded chunks: a header that lies about the size is
        caught as the data comes out, not after."""
        info = self.infos[name]
        limit = min(MAX_MEMBER_BYTES, MAX_TOTAL_BYTES - self.read_so_far)
        chunks, size = [], 0
        with self.book.open(info) as member:
            while chunk := member.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise ImportFailed(f"{name} in the EPUB inflates past the size limit")
                chunks.append(chunk)
        self.read_so_far += size
        return b"".join(chunks)


def _check_path(name: str) -> None:
    parts = re.split(r"[/\\]", name)
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        raise ImportFailed(f"the EPUB holds a file with an absolute path ({name!r}); refused")
    if ".." in parts:
        raise ImportFailed(f"the EPUB holds a file whose path climbs out ({name!r}); refused")


def _check_size(info: zipfile.ZipInfo) -> None:
    size = info.file_size
    if size > MAX_MEMBER_BYTES:
        raise ImportFailed(
            f"{info.filename} in the EPUB inflates to {size // MB} MB "
            f"(limit {MAX_MEMBER_BYTES // MB} MB per file): refused as a zip bomb"
        )
    if size > RATIO_FLOOR and size > MAX_RATIO * max(info.compress_size, 1):
        ratio = size // max(info.compress_size, 1)
        raise ImportFailed(
            f"{info.filename} in the EPUB inflates {ratio}:1 (limit {MAX_RATIO}:1): "
            "refused as a zip bomb"
        )


def _read(members: _Members, name: str) -> WorkData:
    if "mimetype" not in members or members.read("mimetype").strip() != MIMETYPE:
        raise ImportFailed(
            "not an EPUB: the zip has no 'mimetype' file saying application/epub+zip"
        )
    if "META-INF/container.xml" not in members:
        raise ImportFailed("not an EPUB: the zip has no META-INF/container.xml")
    opf_path = _package_path(members.read("META-INF/container.xml"))
    if not opf_path or opf_path not in members:
        raise ImportFailed("not an EPUB: the package file (content.opf) is missing")
    opf = _html.parse_xml(members.read(opf_path))
    if opf is None:
        raise ImportFailed(f"the EPUB's package file {opf_path} is not readable XML")
    metadata = _metadata(opf)
    spine = _spine(opf, posixpath.dirname(opf_path))
    if not spine:
        raise ImportFailed("the EPUB's spine lists no chapters")

    reader = ArchiveReader()
    for path in spine:
        if path not in members:
            raise ImportFailed(f"the EPUB's spine names a file it does not hold ({path})")
        root = _html.parse_xml(members.read(path))
        if root is not None:
            reader.feed(_html.body_of(root))
    try:
        work = reader.finish(source_format="epub", source_name=name)
    except ImportFailed as error:
        if not reader.saw_preface:
            raise ImportFailed(
                "not an archive EPUB download (no preface with the work's tags)"
            ) from None
        raise error
    # The preface is the richer source (tag groups, the language's name); the package
    # fills in only what it left out.
    work.title = work.title or metadata["title"]
    work.authors = work.authors or metadata["authors"]
    work.language = work.language or metadata["language"]
    work.source_url = work.source_url or metadata["source_url"]
    if not any((work.tags, work.fandoms, work.characters, work.relationships)):
        work.tags = [s for s in metadata["subjects"] if s != "Fanworks"]
    return work


def _package_path(container: bytes) -> str:
    root = _html.parse_xml(container)
    if root is None:
        return ""
    for element in root.iter():
        if _html.localname(element) == "rootfile" and element.get("full-path"):
            return posixpath.normpath(unquote(element.get("full-path")))
    return ""


def _metadata(opf) -> dict:
    found: dict[str, list[str]] = {}
    for element in opf.iter():
        name = _html.localname(element)
        if name in ("title", "creator", "subject", "language", "source", "identifier"):
            value = " ".join("".join(element.itertext()).split())
            if value:
                found.setdefault(name, []).append(value)
    urls = [v for v in (*found.get("source", []), *found.get("identifier", [])) if _is_url(v)]
    return {
        "title": (found.get("title") or [""])[0],
        "authors": found.get("creator", []),
        "subjects": found.get("subject", []),
        "language": (found.get("language") or [""])[0],
        "source_url": urls[0] if urls else "",
    }


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def _spine(opf, base: str) -> list[str]:
    """The spine's XHTML files in reading order, as member paths."""
    manifest: dict[str, tuple[str, str]] = {}
    order: list[str] = []
    for element in opf.iter():
        name = _html.localname(element)
        if name == "item" and element.get("id") and element.get("href"):
            manifest[element.get("id")] = (element.get("href"), element.get("media-type", ""))
        elif name == "itemref" and element.get("idref"):
            order.append(element.get("idref"))
    paths = []
    for idref in order:
        href, media_type = manifest.get(idref, ("", ""))
        if not href or media_type not in XHTML_TYPES:
            continue
        path = posixpath.normpath(posixpath.join(base, unquote(href.split("#")[0])))
        if path.startswith("../") or path == ".." or path.startswith("/"):
            raise ImportFailed(f"the EPUB's spine points outside the book ({href!r}); refused")
        paths.append(path)
    return paths
