"""Turn an author's JSON manuscript (works/*.json) into the archive's HTML download format.

The modern works under this folder were written for the warning gold set by authors who
never saw the detector; they wrote plain JSON (title, tags, notes, chapters with
paragraphs) and this script lays it out the way an archive download is laid out, so that
`companion warnings eval` imports it through the ordinary importer.

    python tests/data/warnings/works/build_html.py   # rebuilds every works/*.html
"""

from __future__ import annotations

import html
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _tags(names: list[str]) -> str:
    return ", ".join(
        f'<a href="https://archiveofourown.org/tags/x">{html.escape(n)}</a>' for n in names
    )


def _quote(title: str, text: str) -> str:
    return f'<p>{title}</p><blockquote class="userstuff">{_block(text)}</blockquote>'


def _block(text: str) -> str:
    paragraphs = [p.strip() for p in text.split("\n") if p.strip()]
    return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)


def build(work: dict) -> str:
    title = html.escape(work["title"])
    out = [
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">',
        '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">',
        f'<head><meta charset="utf-8" /><title>{title} [Archive of Our Own]</title></head>',
        "<body>",
        '<div id="preface"><h2 class="toc-heading">Preface</h2>',
        f'<p class="message"><b>{title}</b><br/>Posted originally on the Archive of Our Own.</p>',
        '<div class="meta"><dl class="tags">',
        f"<dt>Rating:</dt><dd>{_tags([work.get('rating', 'Not Rated')])}</dd>",
        f"<dt>Archive Warnings:</dt><dd>{_tags(work.get('archive_warnings', []))}</dd>",
        f"<dt>Fandom:</dt><dd>{_tags([work.get('fandom', 'Original Work')])}</dd>",
        f"<dt>Additional Tags:</dt><dd>{_tags(work.get('tags', []))}</dd>",
        "<dt>Language:</dt><dd>English</dd>",
        f"<dt>Stats:</dt><dd>Chapters: {len(work['chapters'])}/{len(work['chapters'])}</dd>",
        "</dl>",
        f"<h1>{title}</h1>",
        f'<div class="byline">by <a rel="author" href="https://archiveofourown.org/users/a">'
        f"{html.escape(work.get('author', 'anonymous'))}</a></div>",
    ]
    if work.get("summary"):
        out.append(
            f'<p>Summary</p><blockquote class="userstuff">{_block(work["summary"])}</blockquote>'
        )
    if work.get("notes"):
        out.append(
            f'<p>Notes</p><blockquote class="userstuff">{_block(work["notes"])}</blockquote>'
        )
    out.append("</div></div>")
    out.append('<div id="chapters" class="userstuff">')
    for n, chapter in enumerate(work["chapters"], start=1):
        heading = f"Chapter {n}" + (
            f": {html.escape(chapter['title'])}" if chapter.get("title") else ""
        )
        out.append(f'<div class="meta group"><h2 class="heading">{heading}</h2>')
        if chapter.get("summary"):
            out.append(_quote("Chapter Summary", chapter["summary"]))
        if chapter.get("begin_notes"):
            out.append(_quote("Chapter Notes", chapter["begin_notes"]))
        out.append("</div>")
        body = "".join(f"<p>{html.escape(p)}</p>" for p in chapter["paragraphs"])
        out.append(
            f'<!--chapter content--><div class="userstuff">{body}</div><!--/chapter content-->'
        )
        if chapter.get("end_notes"):
            out.append(
                f'<div class="meta" id="endnotes{n}"><p>Chapter End Notes</p>'
                f'<blockquote class="userstuff">{_block(chapter["end_notes"])}</blockquote></div>'
            )
    out += [
        "</div>",
        '<div id="afterword"><h2 class="toc-heading">Afterword</h2>',
        '<p class="message">Please drop by the archive and comment to let the creator know if '
        "you enjoyed their work!</p></div>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(out)


def main(paths: list[str]) -> None:
    for path in [Path(p) for p in paths] or sorted(HERE.glob("*.json")):
        work = json.loads(path.read_text(encoding="utf-8"))
        path.with_suffix(".html").write_text(build(work), encoding="utf-8")
        print(f"{path.with_suffix('.html').name}: {len(work['chapters'])} chapters")


if __name__ == "__main__":
    main(sys.argv[1:])
