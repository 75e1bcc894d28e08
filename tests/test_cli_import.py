"""`companion import` on files and folders: what it prints, what it stores, and what it
refuses (one line on stderr, exit 2, nothing stored, no traceback)."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from companion.extensions import db
from companion.importers import MAX_BYTES, MODULES
from companion.models import Chapter, Paragraph, Work
from tests.conftest import SEED

# Our own prose, in the pasted-page shape with a header: two chapters, five paragraphs.
LIGHTHOUSE = """\
Title: The Lighthouse Keeper's Ledger
Author: Wren Alder
Rating: General Audiences
Additional Tags: Found Family, Slow Burn
Chapter 1: Low Tide
Chapter Text
The ledger had one column for oil and one for ships, and Marit filled both every night.
On the fourth night there was nothing to write in the second column, and she wrote it anyway.
Chapter 2: The Visitor
Summary:
A boat comes in against the weather.
Chapter Text
He came in on the last of the light, rowing badly.
She gave him soup before she asked his name.
He said the ledger was the most honest book he had ever read.
"""
LIGHTHOUSE_COUNTS = (1, 2, 5)
# Another work (its own title: the same title and author would make it a new version).
OTHER_LIGHTHOUSE = LIGHTHOUSE.replace("Marit", "Ilse").replace("Keeper's", "Builder's")


def counts() -> tuple[int, int, int]:
    return tuple(db.session.scalar(select(func.count(m.id))) for m in (Work, Chapter, Paragraph))


def stderr_lines(result) -> list[str]:
    return result.stderr.strip().splitlines()


def assert_refused(result, name: str) -> str:
    """Exit 2, exactly one `error: NAME: reason` line on stderr, no traceback; the reason."""
    assert result.exit_code == 2, result.output
    lines = stderr_lines(result)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"error: {name}: "), lines[0]
    assert "Traceback" not in result.output
    return lines[0].removeprefix(f"error: {name}: ")


def has_importer(fmt: str) -> bool:
    return importlib.util.find_spec(f"companion.importers.{MODULES[fmt]}") is not None


@pytest.fixture
def lighthouse(tmp_path) -> Path:
    path = tmp_path / "lighthouse.txt"
    path.write_text(LIGHTHOUSE, encoding="utf-8")
    return path


def test_a_file_is_imported_with_its_title_and_chapter_count(cli, ctx, lighthouse):
    result = cli("import", str(lighthouse))
    assert result.exit_code == 0, result.output
    expected = "imported: work 1 \u201cThe Lighthouse Keeper's Ledger\u201d, 2 chapters\n"
    assert result.stdout == expected
    assert result.stderr == ""
    work = db.session.get(Work, 1)
    assert work.authors == ["Wren Alder"] and work.tags == ["Found Family", "Slow Burn"]
    assert work.visibility == "public" and not work.is_private
    assert counts() == LIGHTHOUSE_COUNTS


def test_running_it_again_says_already_imported_and_stores_nothing_new(cli, ctx, lighthouse):
    assert cli("import", str(lighthouse)).exit_code == 0
    again = cli("import", str(lighthouse))
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("already imported: work 1 \u201cThe Lighthouse")
    assert counts() == LIGHTHOUSE_COUNTS


def test_private_makes_the_work_private_to_its_owner(app, cli, lighthouse, reader, anonymous):
    # No `ctx` here: an app context held across requests would share flask-login's user.
    marit = reader("marit")
    result = cli("import", str(lighthouse), "--private", "--owner", "marit")
    assert result.exit_code == 0, result.output
    with app.app_context():
        work = db.session.get(Work, 1)
        assert work.visibility == "private" and work.uploaded_by_id is not None
    assert "Low Tide" in marit.get("/works/1").get_data(as_text=True)
    assert anonymous.get("/works/1").status_code == 404
    assert "Lighthouse" not in anonymous.get("/").get_data(as_text=True)


def test_private_without_an_owner_is_refused_before_anything_is_stored(cli, ctx, lighthouse):
    result = cli("import", str(lighthouse), "--private")
    assert result.exit_code == 2
    assert stderr_lines(result) == [
        "error: --private needs --owner NAME: a private work is read by its owner and their circles"
    ]
    assert counts() == (0, 0, 0)


def test_an_unknown_owner_is_refused(cli, ctx, lighthouse):
    result = cli("import", str(lighthouse), "--owner", "nobody")
    assert result.exit_code == 2
    assert "no user named 'nobody'" in result.stderr
    assert counts() == (0, 0, 0)


def test_title_sets_the_title(cli, ctx, lighthouse):
    result = cli("import", str(lighthouse), "--title", "  Ledger of the North Light ")
    assert result.exit_code == 0, result.output
    assert "\u201cLedger of the North Light\u201d" in result.stdout
    assert db.session.get(Work, 1).title == "Ledger of the North Light"


def test_the_sample_imports_under_the_title_it_is_given(cli, ctx):
    result = cli("import", str(SEED), "--title", "Between Coping and Caring")
    assert result.exit_code == 0, result.output
    assert result.stdout == "imported: work 1 \u201cBetween Coping and Caring\u201d, 8 chapters\n"


def test_a_file_without_a_title_needs_one(cli, ctx, tmp_path):
    # The sample's pasted pages carry no title (its file name is only an id, anyway).
    path = tmp_path / "000_7177a6315aa087ac.txt"
    path.write_bytes(SEED.read_bytes())
    reason = assert_refused(cli("import", str(path)), path.name)
    assert "title" in reason and "--title" in reason
    assert counts() == (0, 0, 0)


def test_an_empty_title_is_refused(cli, ctx, lighthouse):
    result = cli("import", str(lighthouse), "--title", "   ")
    assert result.exit_code == 2
    assert stderr_lines(result) == ["error: --title is empty"]
    assert counts() == (0, 0, 0)


def write_bad(tmp_path: Path, case: str) -> Path:
    """A file (or no file) for each kind of bad input."""
    path = tmp_path / {"binary": "cover.jpg", "zip": "notes.zip"}.get(case, f"{case}.txt")
    if case == "empty":
        path.write_bytes(b"")
    elif case == "binary":
        path.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 16)
    elif case == "too-large":
        with path.open("wb") as handle:  # sparse: the size is checked before reading
            handle.truncate(MAX_BYTES + 1)
    elif case == "no-chapters":
        path.write_text("A few thoughts on lighthouses.\nNo chapter headings here.\n")
    elif case == "no-text":
        path.write_text("Title: Hollow\nChapter 1: Empty\nChapter Text\n\nChapter 2: Also\n")
    elif case == "zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("readme.txt", "not a work")
    return path


BAD = {
    "missing": "no such file",
    "empty": "empty",
    "binary": "not text|not a format",
    "too-large": "too large",
    "no-chapters": "no chapters",
    "no-text": "no text",
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_refused_in_one_line(cli, ctx, tmp_path, case):
    path = write_bad(tmp_path, case)
    # Plain text without headings is one chapter; the pasted-page format needs headings.
    forced = ["--format", "ao3-text"] if case == "no-chapters" else []
    name = str(path) if case == "missing" else path.name
    reason = assert_refused(cli("import", str(path), *forced), name)
    assert re.search(BAD[case], reason), reason
    assert counts() == (0, 0, 0)


def test_a_text_without_headings_is_one_chapter_once_it_has_a_title(cli, ctx, tmp_path):
    # Plain text names no title unless it says "Title:"; the file name is not one either.
    path = write_bad(tmp_path, "no-chapters")
    reason = assert_refused(cli("import", str(path)), path.name)
    assert "title" in reason and "--title" in reason
    assert counts() == (0, 0, 0)
    result = cli("import", str(path), "--title", "Thoughts on Lighthouses")
    assert result.exit_code == 0, result.output
    assert "\u201cThoughts on Lighthouses\u201d, 1 chapter" in result.stdout
    assert counts() == (1, 1, 1)


def test_a_format_forced_on_the_wrong_file_is_refused(cli, ctx, tmp_path, lighthouse):
    archive = write_bad(tmp_path, "zip")
    reason = assert_refused(cli("import", str(archive), "--format", "ao3-text"), archive.name)
    assert "zip" in reason
    for fmt in ("ao3-html", "epub"):
        if has_importer(fmt):
            assert_refused(cli("import", str(lighthouse), "--format", fmt), lighthouse.name)
    assert counts() == (0, 0, 0)


def test_a_folder_imports_the_good_files_and_lists_the_bad_ones(cli, ctx, tmp_path):
    folder = tmp_path / "shelf"
    folder.mkdir()
    (folder / "a-sample.txt").write_bytes(b"Title: Between Coping and Caring\n" + SEED.read_bytes())
    (folder / "b-empty.txt").write_bytes(b"")
    (folder / "c-lighthouse.txt").write_text(LIGHTHOUSE, encoding="utf-8")
    (folder / "d-scan.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    (folder / ".notes.txt").write_text(LIGHTHOUSE.replace("Ledger", "Diary"))  # hidden
    (folder / "sub").mkdir()  # only files directly inside count

    result = cli("import", str(folder))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    # The good ones are in, whole; nothing of the bad ones (nor the hidden one) is.
    titles = db.session.scalars(select(Work.title).order_by(Work.id)).all()
    assert titles == ["Between Coping and Caring", "The Lighthouse Keeper's Ledger"]
    assert counts() == (2, 8 + 2, 926 + 5)
    assert result.stdout.splitlines()[:2] == [
        "imported: work 1 \u201cBetween Coping and Caring\u201d, 8 chapters",
        "imported: work 2 \u201cThe Lighthouse Keeper's Ledger\u201d, 2 chapters",
    ]
    # One line per failed file on stderr, in the folder's order.
    errors = stderr_lines(result)
    assert [line.split(":")[1].strip() for line in errors] == ["b-empty.txt", "d-scan.pdf"]
    reasons = [line.split(": ", 2)[2] for line in errors]
    assert "empty" in reasons[0] and re.search("PDF|not a format", reasons[1])
    # The summary table: a row per file, with its outcome and, for the bad, the reason.
    rows = {
        name: line
        for line in result.stdout.splitlines()
        for name in ("a-sample.txt", "b-empty.txt", "c-lighthouse.txt", "d-scan.pdf")
        if name in line
    }
    assert len(rows) == 4
    assert re.search(r"imported\W+1\W+Between Coping and Caring\W+8\b", rows["a-sample.txt"])
    assert re.search(r"imported\W+2\W+The Lighthouse", rows["c-lighthouse.txt"])
    for name, reason in zip(["b-empty.txt", "d-scan.pdf"], reasons, strict=True):
        # A long reason wraps inside its cell; its first words are on the file's row.
        assert re.search(rf"failed\W+{re.escape(reason[:20])}", rows[name]), rows[name]
    assert ".notes.txt" not in result.output and "sub" not in rows
    assert result.stdout.rstrip().endswith("2 of 4 files imported, 2 failed")


def test_a_folder_of_good_files_exits_0_and_reruns_say_already_imported(cli, ctx, tmp_path):
    folder = tmp_path / "shelf"
    folder.mkdir()
    (folder / "one.txt").write_text(LIGHTHOUSE, encoding="utf-8")
    (folder / "two.txt").write_text(OTHER_LIGHTHOUSE, encoding="utf-8")
    first = cli("import", str(folder))
    assert first.exit_code == 0, first.output
    assert first.stderr == ""
    again = cli("import", str(folder))
    assert again.exit_code == 0, again.output
    assert again.stdout.count("already imported: work ") == 2
    assert "2 of 2 files imported, 0 failed" in again.stdout
    assert counts() == (2, 4, 10)


def test_title_is_refused_for_a_folder_of_several_files(cli, ctx, tmp_path):
    folder = tmp_path / "shelf"
    folder.mkdir()
    (folder / "one.txt").write_text(LIGHTHOUSE, encoding="utf-8")
    (folder / "two.txt").write_text(OTHER_LIGHTHOUSE, encoding="utf-8")
    result = cli("import", str(folder), "--title", "One title for both")
    assert result.exit_code == 2
    [line] = stderr_lines(result)
    assert line.startswith("error: --title names one work") and "2 files" in line
    assert counts() == (0, 0, 0)


def test_an_empty_folder_is_refused(cli, ctx, tmp_path):
    (tmp_path / "empty").mkdir()
    result = cli("import", str(tmp_path / "empty"))
    assert result.exit_code == 2
    [line] = stderr_lines(result)
    assert "holds no files" in line


def test_the_command_in_a_pipe_prints_results_and_errors_only(tmp_path):
    """The real executable, as a script would run it: no progress bar, no colour codes,
    no traceback; stdout holds the results and the table, stderr the one-line errors."""
    folder = tmp_path / "shelf"
    folder.mkdir()
    (folder / "good.txt").write_text(LIGHTHOUSE, encoding="utf-8")
    (folder / "bad.txt").write_text("no chapters in here\n")
    env = {**os.environ, "COMPANION_INSTANCE": str(tmp_path / "instance")}
    env.pop("DATABASE_URL", None)
    companion = Path(sys.executable).with_name("companion")
    run = subprocess.run(
        [str(companion), "import", str(folder), "--format", "ao3-text"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert run.returncode == 2, run.stderr
    assert run.stderr.splitlines() == [
        "error: bad.txt: no chapters found: expected a line like 'Chapter 1: Title'"
    ]
    assert run.stdout.startswith("imported: work 1 \u201cThe Lighthouse Keeper's Ledger\u201d")
    assert "\x1b[" not in run.stdout + run.stderr
    assert "1 of 2 files imported, 1 failed" in run.stdout
