"""The twelve public-domain novels of ../shared/corpora/pd-fiction import as plain text:
the right number of chapters, each starting with its story, with no heading, contents
entry, part line or front matter inside a chapter, and hard-wrapped lines joined.

The novels are read where they lie (never copied into the repository); without the corpus
these tests are skipped."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from companion.importers import detect_format, parse_bytes

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "pd-fiction"
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/corpora/pd-fiction")

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="pd-fiction corpus not present")

# file: (chapters, how the first chapter's story begins, some text of the front matter
#        that must stay out of every chapter, or "")
NOVELS = {
    "frankenstein.txt": (28, "You will rejoice to hear that no disaster", ""),
    "dracula.txt": (27, "3 May. Bistritz.--Left Munich at 8:35", "Copyright, 1897"),
    "jane-eyre.txt": (38, "There was no possibility of taking a walk that day.",
                      "A preface to the first edition of"),
    "uncle-toms-cabin.txt": (45, "Late in the afternoon of a chilly day in February", ""),
    "dorian-gray.txt": (20, "The studio was filled with the rich odour of roses",
                        "The artist is the creator of beautiful things."),
    "yellow-wallpaper.txt": (1, "It is very seldom that mere ordinary people like John", ""),
    "the-awakening.txt": (39, "A green and yellow parrot, which hung in a cage", ""),
    "black-beauty.txt": (49, "The first place that I can well remember was a large",
                         "To my dear and honored Mother"),
    "tess.txt": (59, "On an evening in the latter part of May a middle-aged man",
                 "The main portion of the following story appeared"),
    "jekyll-hyde.txt": (10, "Mr. Utterson the lawyer was a man of a rugged countenance", ""),
    "the-jungle.txt": (31, "It was four o'clock when the ceremony was over", ""),
    "madame-bovary.txt": (35, "We were in class when the head-master came in",
                          "Permit me to inscribe your name at the head of this book"),
}  # fmt: skip

NUMBER = r"(?:\d{1,3}|[IVXLC]+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
# Lines shaped like what a chapter body must not hold, written for these tests on their own
# (not borrowed from the importer): headings, part lines, contents entries.
NOT_BODY = [
    re.compile(rf"^(?:chapter|letter|part|book|volume)\s+{NUMBER}\b[.:]?(?:\s*\S.{{0,60}})?$",
               re.IGNORECASE),
    re.compile(r"^phase the \w+:?(?:\s.*)?$", re.IGNORECASE),
    re.compile(r"^[IVXLC]+\.?$"),
    re.compile(r"^\d{1,3}\.?(?:\s+[A-Z][^.!?]{0,50})?$"),
    re.compile(r"^(?:table of )?contents\.?$", re.IGNORECASE),
    re.compile(r"^[^.!?]{3,60}\s\d{1,3}$"),  # "Mina Murray's Journal   59"
    re.compile(r"^(?:the )?(?:preface|end)\.?$", re.IGNORECASE),
]  # fmt: skip


@pytest.fixture(scope="module")
def works():
    return {}


def imported(works: dict, name: str):
    if name not in works:
        works[name] = parse_bytes((CORPUS / name).read_bytes(), name)
    return works[name]


@pytest.mark.parametrize("name", NOVELS)
def test_each_novel_has_its_chapters(works, name):
    work = imported(works, name)
    assert detect_format((CORPUS / name).read_bytes()) == "text"
    assert work.source_format == "text"
    assert len(work.chapters) == NOVELS[name][0]
    assert [c.number for c in work.chapters] == list(range(1, len(work.chapters) + 1))
    for chapter in work.chapters:
        assert chapter.paragraphs, chapter.number
        assert chapter.word_count >= 50, chapter.number
        assert chapter.paragraph_html and len(chapter.paragraph_html) == len(chapter.paragraphs)


@pytest.mark.parametrize("name", NOVELS)
def test_the_first_chapter_starts_with_the_story(works, name):
    first = imported(works, name).chapters[0]
    opening = next(p for p in first.paragraphs if len(p.split()) >= 10)
    assert opening.startswith(NOVELS[name][1])
    # Nothing long comes before the opening: no preface, no title page, no contents.
    before = first.paragraphs[: first.paragraphs.index(opening)]
    assert sum(len(p.split()) for p in before) < 20, before


@pytest.mark.parametrize("name", NOVELS)
def test_no_heading_contents_or_part_line_inside_a_chapter(works, name):
    work = imported(works, name)
    titles = {c.title.casefold() for c in work.chapters if c.title}
    for chapter in work.chapters:
        for paragraph in chapter.paragraphs:
            line = " ".join(paragraph.split())
            assert not any(shape.match(line) for shape in NOT_BODY), (chapter.number, line)
        # The title line is the title, not also the first paragraph; and no two titles in a
        # row (a contents list). A diary's "MINA HARKER'S JOURNAL" mid-chapter is its text.
        assert chapter.paragraphs[0].casefold() != chapter.title.casefold()
        named = [p.casefold() in titles for p in chapter.paragraphs]
        assert not any(a and b for a, b in itertools.pairwise(named)), chapter.number


@pytest.mark.parametrize("name", NOVELS)
def test_front_matter_stays_out_of_the_chapters(works, name):
    work = imported(works, name)
    probe = NOVELS[name][2]
    body = "\n".join(p for c in work.chapters for p in c.paragraphs)
    if probe:
        assert probe not in body
        assert probe in work.notes
    # The title page never reaches a chapter: the first paragraph is not the work's title.
    first = work.chapters[0].paragraphs[0].casefold()
    assert not (work.title and first.startswith(work.title.casefold()))


@pytest.mark.parametrize("name", NOVELS)
def test_hard_wrapped_lines_are_joined_into_paragraphs(works, name):
    paragraphs = [p for c in imported(works, name).chapters for p in c.paragraphs]
    long = [p for p in paragraphs if len(p) > 100]
    assert len(long) > 0.5 * len([p for p in paragraphs if len(p.split()) >= 12])
    # A paragraph cut at the wrap column would end without its full stop: nearly none do.
    unfinished = [p for p in long if not re.search(r"[.!?:;\"'\u201d\u2019)\]_*\u2014-]$", p)]
    assert len(unfinished) < 0.03 * len(long), unfinished[:5]
    # Joined lines leave no newline behind, except in verse kept line by line.
    assert sum("\n" in p for p in long) < 0.02 * len(long)


def test_chapter_titles_come_from_the_title_lines(works):
    assert imported(works, "black-beauty.txt").chapters[0].title == "My Early Home"
    assert imported(works, "black-beauty.txt").chapters[48].title == "My Last Home"
    assert imported(works, "dracula.txt").chapters[0].title == "Jonathan Harker's Journal"
    frankenstein = imported(works, "frankenstein.txt").chapters
    assert [c.title for c in frankenstein[:5]] == [
        *(f"Letter {n}" for n in range(1, 5)),
        "Chapter 1",
    ]
    uncle_tom = imported(works, "uncle-toms-cabin.txt").chapters
    assert uncle_tom[0].title == "In Which the Reader Is Introduced to a Man of Humanity"
    assert uncle_tom[-1].title == "Concluding Remarks"
    assert imported(works, "jane-eyre.txt").chapters[-1].title == "Conclusion"
    jekyll = imported(works, "jekyll-hyde.txt").chapters
    assert jekyll[0].title.casefold() == "story of the door"
    assert jekyll[-1].title.casefold() == "henry jekyll\u2019s full statement of the case"
    bovary = imported(works, "madame-bovary.txt").chapters
    assert bovary[9].title == "Part II, Chapter One"  # numbering starts again in each part


def test_titles_and_authors_from_the_title_page(works):
    assert imported(works, "black-beauty.txt").title == "Black Beauty"
    assert imported(works, "black-beauty.txt").authors == ["Anna Sewell"]
    assert imported(works, "dracula.txt").authors == ["Bram Stoker"]
    assert imported(works, "madame-bovary.txt").title == "Madame Bovary"
    # No "by" line under "THE AWAKENING": no title the importer could be sure of.
    assert imported(works, "the-awakening.txt").title == ""


def test_the_end_mark_is_not_a_paragraph(works):
    for name in ("dracula.txt", "dorian-gray.txt"):
        assert imported(works, name).chapters[-1].paragraphs[-1].strip() != "THE END"


def test_italics_become_emphasis_in_the_html(works):
    chapter = imported(works, "dracula.txt").chapters[0]
    index = next(i for i, p in enumerate(chapter.paragraphs) if p.startswith("3 May. Bistritz."))
    assert chapter.paragraph_html[index].startswith("<em>3 May. Bistritz.</em>--Left Munich")
    assert "_" not in chapter.paragraphs[index]
