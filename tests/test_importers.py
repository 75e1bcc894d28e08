"""The archive-text importer against the sample work, chapter by chapter, and bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from companion.extensions import db
from companion.importers import ImportFailed, load, parse_bytes
from companion.models import Chapter, Paragraph, Work, anchor_keys
from tests.conftest import SEED

# (number, title, paragraphs, summary starts, begin notes starts, end notes starts,
#  first paragraph starts, last paragraph starts)
CHAPTERS = [
    (1, "Infatuation", 129, "", "embarrassingly, I recently learned",
     "The author of the fic that in part inspired", "Infatuated is not a term",
     "\"I'll do my best,\" Kakashi says."),
    (2, "Self-Sacrifice", 86, "Kakashi knows his options are ilimited.",
     "I think I will post twice a week", "", "Kakashi quickly surveys the building",
     "Kakashi doesn't have the strength to brace"),
    (3, "Obstinance", 104, "\"Would your chances be better if you go without me?\"", "", "",
     "Kakashi is extremely confused when he wakes up", "\"...bite me,\" he manages to say."),
    (4, "Remorse", 146, "There's a moment of irony that strikes him then", "",
     "guys if you have read literally anything", "It turns out that back to back electrocution",
     "There's a moment of irony that strikes him then"),
    (5, "Regret", 98, "All this time and Kakashi doesn't know why", "",
     "Im getting on my soap box for a second", "Tsunade tweaks an adjustment",
     "Then he gathers the files under his arm"),
    (6, "Confidence", 140, "\"Are you okay?\" Iruka asks",
     "You guys are actually gonna make me cry", "", "It takes a little over three weeks",
     "\"Asuma is dead,\" he says."),
    (7, "Hope", 130, "\"Yamato-taichou didn't take your place,\" Naruto corrects.", "",
     "boy this chapter was a real doozy.", "It is, of course, somewhat rare",
     "Iruka nods and Kakashi kisses him again"),
    (8, "Love", 93, "\"But you were right,\" Iruka says.", "if you made it this far, thank you",
     "guys I'll tell you I honestly sobbed", "For the entire time Iruka is gone",
     "\"Gladly, Kakashi,\" he says."),
]  # fmt: skip

STRUCTURE_LINES = ("Summary:", "Notes:", "Chapter Text", "(See the end of the chapter")


def test_the_sample_work_has_eight_chapters(seed_data):
    assert [c.number for c in seed_data.chapters] == list(range(1, 9))
    assert seed_data.source_format == "ao3-text"
    # Chapter pages carry no work title (nor does the file name): whoever imports gives one.
    assert load(SEED).title == ""


@pytest.mark.parametrize("expected", CHAPTERS, ids=[f"chapter-{c[0]}" for c in CHAPTERS])
def test_each_chapter_comes_out_whole_and_in_its_place(seed_data, expected):
    number, title, count, summary, begin, end, first, last = expected
    chapter = seed_data.chapters[number - 1]
    assert chapter.title == title
    assert len(chapter.paragraphs) == count
    assert chapter.summary.startswith(summary) and bool(chapter.summary) == bool(summary)
    assert chapter.begin_notes.startswith(begin) and bool(chapter.begin_notes) == bool(begin)
    assert chapter.end_notes.startswith(end) and bool(chapter.end_notes) == bool(end)
    assert chapter.paragraphs[0].startswith(first)
    assert chapter.paragraphs[-1].startswith(last)
    # Nothing structural, and nothing of the neighbours, leaks into any part.
    parts = [chapter.summary, chapter.begin_notes, chapter.end_notes, *chapter.paragraphs]
    for part in parts:
        for line in part.splitlines():
            assert not line.startswith(STRUCTURE_LINES), line
            assert not line.startswith("Chapter "), line
    for other in seed_data.chapters:
        if other.number != number and other.paragraphs:
            assert other.paragraphs[0] not in chapter.paragraphs


def test_end_notes_do_not_swallow_the_playlist_or_lose_lines(seed_data):
    last = seed_data.chapters[-1]
    assert last.end_notes.splitlines()[-1] == "The Walk Home -Young the Giant"
    assert "The Scientist - Coldplay" in last.end_notes
    # Chapter 4's pointer line leaves no begin notes behind; its end notes are kept.
    assert seed_data.chapters[3].begin_notes == ""
    assert "Genma" in seed_data.chapters[3].end_notes


def test_summary_with_several_lines_keeps_them_all(seed_data):
    summary = seed_data.chapters[2].summary.splitlines()
    assert len(summary) == 5
    assert summary[-1].startswith("\"I wouldn't get far enough on my own")


def test_a_body_line_that_mentions_a_chapter_does_not_split_it():
    text = (
        "Chapter 1: One\nChapter Text\nFirst.\nChapter 3 of her diary was missing.\n"
        "Chapter 2: Two\nChapter Text\nSecond.\n"
    )
    work = parse_bytes(text.encode(), "x.txt")
    assert [c.title for c in work.chapters] == ["One", "Two"]
    assert work.chapters[0].paragraphs == ["First.", "Chapter 3 of her diary was missing."]


def test_header_lines_fill_in_the_metadata():
    text = (
        "Title: The Long Road\nAuthor: someone, another\nRating: Mature\n"
        "Archive Warning: Graphic Depictions Of Violence\nAdditional Tags: Angst, Hurt/Comfort\n"
        "Chapter 1: Start\nChapter Text\nHello.\n"
    )
    work = parse_bytes(text.encode(), "x.txt")
    assert work.title == "The Long Road"
    assert work.authors == ["someone", "another"]
    assert work.rating == "Mature"
    assert work.archive_warnings == ["Graphic Depictions Of Violence"]
    assert work.tags == ["Angst", "Hurt/Comfort"]


def test_anchor_keys_survive_a_corrected_reimport():
    before = ["He said hello.", "A typo here,", "The end."]
    after = ["A new opening line.", "He said Hello!", "A typo here.", "The end."]
    old, new = anchor_keys(before), anchor_keys(after)
    assert new[1:] == old
    assert len(set(anchor_keys(["Same.", "Same.", "Other."]))) == 3


def test_importing_twice_finds_the_existing_work(cli, ctx):
    first = cli("import", str(SEED), "--title", "Between Coping and Caring")
    assert first.exit_code == 0, first.output
    assert "8 chapters" in first.output and first.output.startswith("imported: work ")
    assert "\u201cBetween Coping and Caring\u201d" in first.output
    second = cli("import", str(SEED), "--title", "Between Coping and Caring")
    assert second.exit_code == 0
    assert second.output.startswith("already imported: work ")
    assert db.session.scalar(select(func.count(Work.id))) == 1
    assert db.session.scalar(select(func.count(Chapter.id))) == 8
    assert db.session.scalar(select(func.count(Paragraph.id))) == 926


def counts():
    return tuple(db.session.scalar(select(func.count(m.id))) for m in (Work, Chapter, Paragraph))


BAD_INPUTS = {
    "missing": None,
    "empty": b"",
    "whitespace": b"   \n\n  ",
    "binary": bytes(range(256)) * 8,
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(32),
    "no-words": b"1234 5678\n----\n",
    # Plain text is a work, but this one names no title and none was given.
    "text-without-a-title": b"Just some notes\nwith no chapter headings at all.\n",
    # 0x81 is no character in Windows-1252, and a C1 control in Latin-1.
    "unreadable-encoding": b"Chapter 1: Caf\xe9\nChapter Text\nd\xe9j\xe0\x81 vu\n",
    "chapters-without-text": b"Chapter 1: Empty\nChapter Text\n\nChapter 2: Also\n",
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_gets_one_clear_line_exit_2_and_stores_nothing(cli, ctx, tmp_path, case):
    path = tmp_path / f"{case}.txt"
    if BAD_INPUTS[case] is not None:
        path.write_bytes(BAD_INPUTS[case])
    before = counts()
    result = cli("import", str(path))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and path.name in lines[0]
    assert "Traceback" not in result.output
    assert counts() == before


def test_a_format_forced_on_the_wrong_file_is_refused_clearly(cli, ctx):
    result = cli("import", str(SEED), "--format", "epub", "--title", "T")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and SEED.name in lines[0] and "EPUB" in lines[0]
    assert counts() == (0, 0, 0)


def test_a_failing_store_leaves_nothing_half_way(ctx, seed_data, monkeypatch):
    from companion.cli import import_work

    broken = type(seed_data)(**{**seed_data.__dict__})
    broken.chapters = [*seed_data.chapters, seed_data.chapters[0]]  # duplicate number
    with pytest.raises(Exception):  # noqa: B017 - the database's own integrity error
        import_work(broken)
    assert counts() == (0, 0, 0)


def test_a_word_of_text_is_a_work_but_not_pasted_archive_text():
    work = parse_bytes(b"hello", "x.txt")
    assert (work.source_format, [c.paragraphs for c in work.chapters]) == ("text", [["hello"]])
    with pytest.raises(ImportFailed, match="no chapters found"):
        parse_bytes(b"hello", "x.txt", "ao3-text")
    with pytest.raises(ImportFailed, match="no 'Chapter Text' line"):
        parse_bytes(b"Chapter 1: One\nFirst.\n", "x.txt", "ao3-text")
