"""Warnings an author gives in a chapter's summary and notes, and the look-alikes that are
not warnings about this chapter. The notes here are written for this test."""

from __future__ import annotations

import pytest

from companion.importers.base import ChapterData
from companion.warnings.detect import chapter_labels, from_notes


def notes_labels(begin: str = "", end: str = "", summary: str = "", number: int = 3) -> set:
    chapter = ChapterData(number=number, summary=summary, begin_notes=begin, end_notes=end)
    return set(chapter_labels(from_notes(chapter), number, "notes"))


@pytest.mark.parametrize(
    ("note", "labels"),
    [
        ("CW: blood, self-harm, and a brief mention of suicide", {"blood", "self-harm", "suicide"}),
        ("TW // non-con, gore", {"sexual-assault", "violence", "blood"}),
        ("Warning for major character death in this one.", {"death"}),
        ("Warnings for this chapter: torture and kidnapping.", {"torture", "kidnapping"}),
        ("Heads up: this chapter has some torture.", {"torture"}),
        ("Content warning - implied/referenced child abuse", {"child-abuse"}),
        ("Please mind the tags, this chapter is where the character death happens.", {"death"}),
        ("Fair warning, there is a hospital scene and a seizure.", {"medical"}),
        (
            "This one gets a bit explicit, the smut starts halfway through.",
            {"pornographic-content"},
        ),
    ],
)
def test_warning_cues_in_notes_are_found(note, labels):
    assert notes_labels(begin=note) == labels


def test_a_warning_in_the_end_notes_counts_for_the_chapter():
    assert notes_labels(end="Sorry about the blood in that one. TW for blood!") == {"blood"}


def test_a_generic_cue_alone_names_no_label():
    assert notes_labels(begin="please mind the tags!") == set()


def test_severity_words_in_a_warning_are_kept():
    chapter = ChapterData(number=1, begin_notes="CW: graphic torture, implied self harm")
    found = {d.label: d.severity for d in from_notes(chapter)}
    assert found == {"torture": "graphic", "self-harm": "mention"}


@pytest.mark.parametrize(
    "note",
    [
        # A recommended or inspiring work: its warnings are not this chapter's.
        "If you liked this, go read Ashes by someone_else (warning: it has character death).",
        "This story was inspired by Winter Roads by quietfox (a real tear jerker, be warned, "
        "the ending has a death).",
        "Big shout-out to the fic The Long Night by ravensong, which has the best torture "
        "scene I have ever read.",
        # Song titles in a playlist.
        "Playlist for this chapter:\nEveryone Will Die - Some Band\nBlood Bank - Another Band",
        "The songs I wrote this to:\nKill Your Darlings - The Example\nDrowning - Nobody (so sad)",
        # General apologies and author chatter.
        "Sorry this took so long, I'm so sorry!! Life has been killing me lately.",
        "sorry if that's bad etiquette, I'm new here ;_;",
        "This fic is dead, sorry, I lost the plot.",
        # A different chapter.
        "Next chapter will have some blood and a death, so brace yourselves.",
        "Chapter 5 will have torture, just so you know.",
        "The sequel will deal with the aftermath of the kidnapping.",
        # Warnings that say what is NOT there.
        "No character death, I promise!",
        "Nobody dies, don't worry.",
    ],
)
def test_false_cues_are_not_warnings_for_this_chapter(note):
    assert notes_labels(begin=note) == set()


def test_a_numbered_chapter_warning_counts_for_that_chapter_only():
    assert notes_labels(begin="Chapter 3 has torture, sorry.", number=3) == {"torture"}
    assert notes_labels(begin="Chapter 3 has torture, sorry.", number=4) == set()


def test_the_own_work_sentence_keeps_its_signal_when_it_also_mentions_another_work():
    note = (
        "Like the fic by quietfox that inspired it, this story has a lot of sex in it "
        "(their fic is a tear jerker, be warned)."
    )
    assert notes_labels(end=note) == {"pornographic-content"}


@pytest.mark.parametrize(
    ("summary", "labels"),
    [
        # A summary is an excerpt or teaser of the chapter: what happens in it counts.
        ("They are willing to torture him to get the codes.", {"torture"}),
        ("Kael has three days to find the antidote before the poison kills him.", {"death"}),
        ("After the funeral, nothing is the same.", {"death"}),
        ('"Did you love him?" she asks quietly, once they are alone.', set()),
    ],
)
def test_events_stated_in_a_summary_count_as_its_signal(summary, labels):
    assert notes_labels(summary=summary) == labels


def test_notes_detections_point_at_the_chapter_and_quote_the_note():
    chapter = ChapterData(number=7, begin_notes="TW: blood")
    (detection,) = from_notes(chapter)
    assert detection.source == "notes"
    assert detection.chapter == 7
    assert detection.paragraph_start is None and detection.paragraph_end is None
    assert detection.evidence.startswith("notes: ")
    assert "blood" in detection.evidence


def test_empty_notes_give_nothing():
    assert from_notes(ChapterData(number=1)) == []
