"""Re-importing an updated version of a work a circle is reading: every comment, reply,
spoiler level, reader's place and member's flag ends on the paragraph its text went to,
and what lost its paragraph says so.

The work is our own prose, in the archive's pasted-text shape. Version 2 keeps one
paragraph as it was, fixes a typo in one, splits one in two, merges two, drops one, and
inserts a new chapter in the middle."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select

from companion import comments
from companion.circles import create_circle
from companion.comments import viewer_for
from companion.extensions import db
from companion.importers import ChapterData, ImportFailed, WorkData, parse_bytes
from companion.library import anchors, store_work
from companion.library.anchors import ChapterText, match
from companion.library.store import CHAPTER_NOTE, PASSAGE_NOTE
from companion.models import (
    Chapter,
    Circle,
    Comment,
    ContentWarning,
    Membership,
    Paragraph,
    Progress,
    ProgressMove,
    User,
    Work,
    WorkVersion,
    move_progress,
)
from companion.spoilers import Position

HEADER = "Title: The Lantern Keeper\nAuthor: Tamsin Vale\n"
UNCHANGED = "The lantern on the harbour wall had burned every night for forty years."
TYPO = "Edda climed the steps with the oil can, counting them the way her mother taught her."
FIXED = TYPO.replace("climed", "climbed")
SPLIT_A = "The gulls were quiet that evening."
SPLIT_B = (
    "Out past the breakwater a single boat rode the swell with no light at all, and Edda "
    "watched it for a long time before she went back down."
)
MERGE_A = "She told the harbourmaster about the boat."
MERGE_B = "He only shrugged and said the sea kept its own accounts."
REMOVED = "A paragraph about the weathervane that the author later cut entirely from the story."
LAST = "By morning the boat was gone, and nobody on the quay would say they had seen it."
STORM = [
    "The storm came in sideways off the sea and rattled every shutter in the town.",
    "Edda kept the flame alive with her own coat wrapped around the glass.",
    "When the wind dropped she counted the boats in the bay and came up one short.",
]
RETURN = [
    "Three weeks later the boat with no light came back into the harbour at noon.",
    "Its sails were patched with canvas that nobody in the town had ever sold.",
    "Edda went down to the quay to meet it, carrying the lantern unlit.",
]
INTERLUDE = [
    "Far up the coast, a woman who had once kept another lantern read a letter twice.",
    "She folded it into her apron pocket and did not answer it for a month.",
]


def chapter(number: int, title: str, paragraphs: list[str]) -> str:
    return f"Chapter {number}: {title}\nChapter Text\n" + "\n".join(paragraphs) + "\n"


HARBOUR = [UNCHANGED, TYPO, f"{SPLIT_A} {SPLIT_B}", MERGE_A, MERGE_B, REMOVED, LAST]
V1 = (
    HEADER
    + chapter(1, "Harbour", HARBOUR)
    + chapter(2, "Storm", STORM)
    + chapter(3, "Return", RETURN)
).encode()
V2 = (
    HEADER
    + chapter(1, "Harbour", [UNCHANGED, FIXED, SPLIT_A, SPLIT_B, f"{MERGE_A} {MERGE_B}", LAST])
    + chapter(2, "Storm", STORM)
    + chapter(3, "Interlude", INTERLUDE)
    + chapter(4, "Return", RETURN)
).encode()
MEMBERS = ("ana", "ben", "cy")


def parsed(raw: bytes):
    return parse_bytes(raw, "lantern-keeper.txt", "ao3-text")


@pytest.fixture
def circle(app, reader):
    """The Lantern Keeper, version 1, read by a circle of three; returns (slug, readers)."""
    readers = {name: reader(name) for name in MEMBERS}
    with app.app_context():
        work = store_work(parsed(V1)).work
        users = [User.by_name(name) for name in MEMBERS]
        circle = create_circle(users[0], "Lantern readers", work)
        circle.memberships += [Membership(user=user) for user in users[1:]]
        db.session.commit()
        return circle.slug, readers


def user_id(name: str) -> int:
    return User.by_name(name).id


def post(slug, name, number, body, *, paragraph=None, level=None, parent_id=None) -> int:
    """A comment through the discussion's own write path, as the chapter page posts it."""
    circle = Circle.by_slug(slug)
    viewer = viewer_for(circle, circle.membership_of(user_id(name)))
    chapter = Chapter.of_work(circle.work_id, number)
    anchor = chapter.paragraphs[paragraph].anchor_key if paragraph is not None else None
    comment = comments.post(
        viewer,
        chapter,
        len(chapter.paragraphs),
        body,
        paragraph=paragraph,
        parent_id=parent_id,
        level=Position(*level) if level else None,
        anchor_key=anchor,
    )
    db.session.commit()
    return comment.id


def move(slug, name, chapter, paragraph) -> None:
    work_id = Circle.by_slug(slug).work_id
    move_progress(user_id(name), work_id, Position(chapter, paragraph))
    db.session.commit()


def flag(readers, slug, name, first, last):
    response = readers[name].post(
        f"/c/{slug}/chapters/1/flag",
        {"label": "violence", "severity": "moderate", "first": first, "last": last},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def key_of(work_id: int, number: int, index: int) -> str:
    return db.session.scalar(
        select(Paragraph.anchor_key)
        .join(Chapter, Chapter.id == Paragraph.chapter_id)
        .where(Chapter.work_id == work_id, Chapter.number == number, Paragraph.index == index)
    )


@pytest.fixture
def discussed(app, circle):
    """Version 1 with places, comments on every kind of paragraph, replies and flags;
    returns (slug, readers, {name: comment id}, {comment id: old level})."""
    slug, readers = circle
    ids: dict[str, int] = {}
    with app.app_context():
        move(slug, "ana", 3, 2)  # finished the work
        move(slug, "ben", 1, 5)  # on the paragraph version 2 drops
        move(slug, "cy", 1, 3)  # on the first of the two paragraphs version 2 merges
        ids["unchanged"] = post(slug, "ana", 1, "Forty years!", paragraph=0, level=(1, 0))
        ids["typo"] = post(slug, "ana", 1, "Counting the steps!", paragraph=1, level=(1, 1))
        ids["split"] = post(slug, "ana", 1, "The boat with no light.", paragraph=2, level=(1, 2))
        ids["merged_first"] = post(slug, "ben", 1, "Why tell him?", paragraph=3, level=(1, 3))
        ids["merged_reply"] = post(
            slug, "ana", 1, "Because of chapter 3, you'll see.", parent_id=ids["merged_first"]
        )
        ids["merged_second"] = post(slug, "ana", 1, "Own accounts.", paragraph=4, level=(1, 4))
        ids["removed"] = post(slug, "ben", 1, "The weathervane line!", paragraph=5, level=(1, 5))
        ids["removed_reply"] = post(
            slug, "ana", 1, "I loved it too.", parent_id=ids["removed"], level=(1, 5)
        )
        ids["end_of_chapter"] = post(slug, "ana", 1, "Gone by morning.", paragraph=6, level=(1, 6))
        ids["chapter_two"] = post(slug, "ana", 2, "What a storm.", level=(2, 2))
        ids["chapter_three"] = post(slug, "ana", 3, "The return.", level=(3, 0))
        ids["in_chapter_three"] = post(slug, "ana", 3, "Patched sails.", paragraph=1, level=(3, 1))
        levels = {c.id: c.level for c in db.session.scalars(select(Comment))}
    flag(readers, slug, "cy", 3, 4)  # the split paragraph and the first merged one
    flag(readers, slug, "ben", 6, 6)  # the paragraph version 2 drops
    return slug, readers, ids, levels


def reimport(app, raw: bytes = V2):
    with app.app_context():
        result = store_work(parsed(raw))
        return result.outcome, result.version, result.work.id


def where(app, comment_id: int):
    with app.app_context():
        c = db.session.get(Comment, comment_id)
        return c.chapter, c.paragraph, c.anchor_key, c.level, c.anchor_note


def test_every_comment_ends_on_the_paragraph_its_text_went_to(app, discussed):
    _, _, ids, _ = discussed
    outcome, version, work_id = reimport(app)
    assert (outcome, version) == ("updated", 2)
    with app.app_context():
        expected = {
            # name: (chapter, paragraph, level)
            "unchanged": (1, 0, (1, 0)),
            "typo": (1, 1, (1, 1)),
            # A split paragraph goes to the piece holding most of it; its level to the
            # last piece, so nobody sees it before reading all of what it was about.
            "split": (1, 3, (1, 3)),
            # Merged paragraphs both go to the one they became.
            "merged_first": (1, 4, (1, 4)),
            "merged_reply": (1, 4, (4, 2)),  # "finished the work" is the new end
            "merged_second": (1, 4, (1, 4)),
            # "Finished chapter 1" was (1, 6); chapter 1 is one paragraph shorter now, and
            # a level never moves earlier: it becomes the next position, chapter 2's first.
            "end_of_chapter": (1, 5, (2, 0)),
            "chapter_two": (2, None, (2, 2)),
            "chapter_three": (4, None, (4, 0)),  # a chapter was inserted before it
            "in_chapter_three": (4, 1, (4, 1)),
        }
        for name, (number, paragraph, level) in expected.items():
            c = db.session.get(Comment, ids[name])
            assert (c.chapter, c.paragraph, tuple(c.level)) == (number, paragraph, level), name
            assert c.anchor_note is None, name
            if paragraph is not None:
                assert c.anchor_key == key_of(work_id, number, paragraph), name
        # The unchanged paragraph kept its key; the corrected one has its new text's key.
        assert db.session.get(Comment, ids["typo"]).anchor_key != key_of(work_id, 1, 0)


def test_a_comment_whose_passage_is_gone_falls_back_to_its_chapter_with_a_note(app, discussed):
    slug, readers, ids, _ = discussed
    with app.app_context():
        before = db.session.get(Comment, ids["removed"]).updated_at
    reimport(app)
    note = PASSAGE_NOTE.format(version=2)
    for name in ("removed", "removed_reply"):
        number, paragraph, key, level, anchor_note = where(app, ids[name])
        assert (number, paragraph, key) == (1, None, None), name
        assert anchor_note == note
        # The dropped paragraph's level moves to the next surviving one: the last
        # paragraph of chapter 1, now (1, 5); never earlier than (1, 5) it was.
        assert level == Position(1, 5)
    with app.app_context():
        # Changed for readers, so its cached box and the thread's ETag change too.
        assert db.session.get(Comment, ids["removed"]).updated_at > before
    # Its author sees the note on the circle's chapter page.
    page = readers["ben"].get(f"/c/{slug}/chapters/1").get_data(as_text=True)
    assert "The weathervane line!" in page
    assert note in page
    assert 'class="anchor-note"' in page


def test_levels_never_move_earlier(app, discussed):
    _, _, _, old_levels = discussed
    reimport(app)
    with app.app_context():
        for c in db.session.scalars(select(Comment)):
            assert c.level >= old_levels[c.id], c.body_source
            assert c.level >= Position(c.chapter, c.paragraph or 0), "below its own anchor"
            if c.parent_id:
                assert c.level >= db.session.get(Comment, c.parent_id).level


def test_reading_places_never_move_forward(app, discussed):
    slug, *_ = discussed
    reimport(app)
    with app.app_context():
        work_id = Circle.by_slug(slug).work_id
        places = {name: Progress.of(user_id(name), work_id) for name in MEMBERS}
    assert places == {
        "ana": Position(4, 2),  # finished the work, still finished it
        # Ben was on the dropped paragraph: back to the nearest surviving one before it.
        "ben": Position(1, 4),
        # Cy had read the first of the two merged paragraphs, not the second: the merged
        # one would unlock comments on text Cy hasn't read, so Cy stays just before it.
        "cy": Position(1, 3),
    }
    with app.app_context():
        last = db.session.scalars(
            select(ProgressMove)
            .where(ProgressMove.user_id == user_id("cy"))
            .order_by(ProgressMove.id.desc())
        ).first()
        # The history is in the new text's positions too (pace charts, "newly unlocked").
        assert (last.before, last.after) == (Position(0, 0), Position(1, 3))


def test_the_spoiler_gate_still_hides_what_lies_beyond_each_reader(app, discussed):
    slug, readers, ids, _ = discussed
    reimport(app)
    with app.app_context():
        circle = Circle.by_slug(slug)
        seen = {}
        for name in MEMBERS:
            viewer = viewer_for(circle, circle.membership_of(user_id(name)))
            seen[name] = {c.id for c in comments.visible(viewer)}
    named = {v: k for k, v in ids.items()}
    assert {named[i] for i in seen["cy"]} == {"unchanged", "typo", "split"}
    assert {named[i] for i in seen["ben"]} == {
        "unchanged", "typo", "split", "merged_first", "merged_second", "removed",
    }  # fmt: skip
    assert seen["ana"] == set(ids.values())
    # And on the pages: Cy (at new 1, 3) reads the split paragraph's thread, but not the
    # merged paragraph's (level 1, 4) nor the reply about the end of the work, nor the
    # comment that fell back to the chapter (level 1, 5).
    cy = readers["cy"]
    assert "The boat with no light." in cy.get(f"/c/{slug}/chapters/1/paragraphs/3").get_data(
        as_text=True
    )
    merged = cy.get(f"/c/{slug}/chapters/1/paragraphs/4").get_data(as_text=True)
    assert "Why tell him?" not in merged and "Because of chapter 3" not in merged
    assert "The weathervane line!" not in cy.get(f"/c/{slug}/chapters/1").get_data(as_text=True)
    ben_thread = readers["ben"].get(f"/c/{slug}/chapters/1/paragraphs/4").get_data(as_text=True)
    assert "Why tell him?" in ben_thread and "Own accounts." in ben_thread


def test_member_flags_follow_their_passage(app, discussed):
    reimport(app)
    with app.app_context():
        flags = db.session.scalars(
            select(ContentWarning)
            .where(ContentWarning.source == "member")
            .order_by(ContentWarning.id)
        ).all()
        assert [(f.chapter, f.paragraph_start, f.paragraph_end) for f in flags] == [
            (1, 2, 4),  # split paragraph (now 2 and 3) through the merged one (now 4)
            (1, None, None),  # its passage is gone: the flag stays on the chapter
        ]
        assert {f.state for f in flags} == {"pending"}
        assert {f.flagged_by_id for f in flags} == {user_id("cy"), user_id("ben")}


def test_automatic_warnings_are_detected_again_for_the_new_text(app, circle):
    violent = V2.replace(
        b"She folded it",
        b"He stabbed the messenger and blood soaked the letter. She folded it",
    )
    _, _, work_id = reimport(app, violent)
    with app.app_context():
        rows = db.session.scalars(
            select(ContentWarning).where(
                ContentWarning.work_id == work_id, ContentWarning.source == "text"
            )
        ).all()
    assert any(row.chapter == 3 and row.paragraph_start == 1 for row in rows)


def test_the_version_records_what_changed_and_the_work_page_lists_versions(
    app, discussed, anonymous
):
    reimport(app)
    with app.app_context():
        work = db.session.scalar(select(Work))
        versions = [(v.number, v.chapter_count, v.changes) for v in work.versions]
        assert work.version == 2 and work.chapter_count == 4
        assert work.updated_at >= work.created_at
    assert [v[:2] for v in versions] == [(1, 3), (2, 4)]
    changes = versions[1][2]
    assert {k: changes[k] for k in ("exact", "fuzzy", "fell_back")} == {
        "exact": 8,  # two in chapter 1, three each in Storm and Return
        "fuzzy": 4,  # the typo, the split one, the two merged ones
        "fell_back": 1,
    }
    assert (changes["chapters_added"], changes["chapters_removed"]) == (1, 0)
    assert changes["comments_fell_back"] == 2
    page = anonymous.get(f"/works/{work.id}").get_data(as_text=True)
    assert "Version 2" in page and "Version 1" in page
    assert "1 chapter added" in page
    assert "4 paragraphs edited" in page
    assert "First import." in page
    # Comments belong to circles: no count of them on the work's page (rule 4), and the
    # file's name is its uploader's business.
    assert "comment" not in page.split('id="versions-heading"')[1].split("</section>")[0]
    assert "source" not in page.split('id="versions-heading"')[1].split("</section>")[0]


def test_the_same_text_again_is_unchanged_and_adds_no_version(app, discussed):
    reimport(app)
    before = {c: where(app, c) for c in discussed[2].values()}
    assert reimport(app)[:2] == ("unchanged", 2)
    with app.app_context():
        assert db.session.scalar(select(func.count(WorkVersion.id))) == 2
    assert {c: where(app, c) for c in discussed[2].values()} == before


def snapshot(app):
    with app.app_context():
        work = db.session.scalar(select(Work))
        texts = db.session.scalars(
            select(Paragraph.text)
            .join(Chapter, Chapter.id == Paragraph.chapter_id)
            .order_by(Chapter.number, Paragraph.index)
        ).all()
        rows = db.session.execute(
            select(Comment.id, Comment.chapter, Comment.paragraph, Comment.anchor_key,
                   Comment.level_chapter, Comment.level_paragraph, Comment.anchor_note)
            .order_by(Comment.id)
        ).all()  # fmt: skip
        places = db.session.execute(select(Progress.user_id, Progress.chapter, Progress.paragraph))
        flags = db.session.execute(
            select(ContentWarning.id, ContentWarning.chapter, ContentWarning.paragraph_start)
        )
        return (
            work.version,
            work.content_hash,
            texts,
            rows,
            sorted(places.all()),
            sorted(flags.all()),
            db.session.scalar(select(func.count(WorkVersion.id))),
        )


def test_a_failure_half_way_leaves_the_old_version_whole(app, discussed):
    before = snapshot(app)

    def die_at_chapter_three(done, total, what):
        if what == "Stored chapter 3":
            raise RuntimeError("the worker was stopped")

    with app.app_context(), pytest.raises(RuntimeError):
        store_work(parsed(V2), on_progress=die_at_chapter_three)
    assert snapshot(app) == before


def test_a_file_with_a_chapter_twice_is_refused_and_nothing_changes(app, discussed):
    before = snapshot(app)
    data = parsed(V2)
    data.chapters[2].number = 2
    with app.app_context(), pytest.raises(ImportFailed, match="chapter 2 appears twice"):
        store_work(data)
    assert snapshot(app) == before


def test_a_named_work_is_replaced_even_under_a_new_title(app, discussed):
    with app.app_context():
        work_id = db.session.scalar(select(Work.id))
        renamed = parsed(V2.replace(b"The Lantern Keeper", b"The Lantern Keeper (revised)"))
        result = store_work(renamed, replace_work_id=work_id)
        assert (result.outcome, result.work.id, result.version) == ("updated", work_id, 2)
        assert result.work.title == "The Lantern Keeper (revised)"
        # Without the name, a different title is a different work.
        other = parsed(V1.replace(b"The Lantern Keeper", b"Another Lantern"))
        assert store_work(other).outcome == "imported"


def test_visibility_and_uploader_never_change_on_reimport(app, make_user):
    owner = make_user("owner")
    with app.app_context():
        first = store_work(parsed(V1), private=True, uploader_id=owner)
        again = store_work(parsed(V2), private=True, uploader_id=owner)
        assert (again.outcome, again.work.id) == ("updated", first.work.id)
        assert (again.work.visibility, again.work.uploaded_by_id) == ("private", owner)
        # Someone else's upload of the same story is not a new version of this one.
        stranger = make_user("stranger")
        theirs = store_work(parsed(V1 + b"\n"), private=True, uploader_id=stranger)
        assert theirs.work.id != first.work.id or theirs.outcome == "unchanged"


def test_a_removed_chapter_sends_its_comments_to_the_chapter_before(app, circle):
    slug, _ = circle
    with app.app_context():
        move(slug, "ana", 3, 2)
        storm = post(slug, "ana", 2, "What a storm.", level=(2, 0))
        sails = post(slug, "ana", 3, "Patched sails.", paragraph=1, level=(3, 1))
    without_storm = HEADER + chapter(1, "Harbour", HARBOUR) + chapter(2, "Return", RETURN)
    assert reimport(app, without_storm.encode())[:2] == ("updated", 2)
    number, paragraph, _, level, note = where(app, storm)
    assert (number, paragraph, note) == (1, None, CHAPTER_NOTE.format(version=2, chapter=1))
    assert level == Position(2, 0)  # never earlier: (2, 0) is now Return's first paragraph
    number, paragraph, _, level, note = where(app, sails)
    assert (number, paragraph, note) == (2, 1, None)
    # (3, 1) no longer exists and nobody can read past the end of the work: the level is
    # the end, so readers who finish still see it and everyone behind it still doesn't.
    assert level == Position(2, 2)
    with app.app_context():
        assert Progress.of(user_id("ana"), Circle.by_slug(slug).work_id) == Position(2, 2)


# --- the matcher on its own ---------------------------------------------------------------


def test_chapters_whose_every_paragraph_changed_are_still_matched_in_order():
    old = [
        ChapterText(1, "", ["The tide went out at six and left the flats shining.", "Gulls."]),
        ChapterText(2, "", ["Marit rowed across with a sack of lamp wicks for the winter."]),
    ]
    new = [
        ChapterText(1, "", ["The tide went out at seven and left the flats shining.", "Gulls!"]),
        ChapterText(2, "", ["A new chapter nobody had read before, about the mainland."]),
        ChapterText(3, "", ["Marit rowed over with a sack of lamp wicks for the winter."]),
    ]
    matching = match(old, new)
    assert matching.chapters == {1: 1, 2: 3}
    assert matching.landing(2, 0).chapter == 3 and not matching.landing(2, 0).exact
    assert matching.landing(1, 1).exact  # punctuation only: the same words


def test_a_long_run_of_edits_is_cut_where_paragraphs_still_match(monkeypatch):
    # Small enough that the whole chapter (40 x 15 words, each paragraph edited) is too
    # long to align word by word, big enough for the runs between the cuts.
    monkeypatch.setattr(anchors, "WORD_ALIGN_LIMIT", 2_000)
    vocabulary = "tide wind gull lamp wick rope oar salt fog bell quay boat net gale keel mast"
    pick = random.Random(13)
    words = vocabulary.split(" ")
    lines = [" ".join(pick.choices(words, k=12)) + ", wrote the keeper." for _ in range(40)]
    edited = [line.replace("the keeper", "the old keeper") for line in lines]
    edited[10:12] = [edited[10] + " " + edited[11]]
    matching = match([ChapterText(1, "Log", lines)], [ChapterText(1, "Log", edited)])
    assert matching.landing(1, 0) == anchors.Landing(1, 0, 0, 0, False)
    assert matching.landing(1, 39).paragraph == 38
    assert matching.landing(1, 10).paragraph == matching.landing(1, 11).paragraph == 10
    assert all(landing is not None for landing in matching.paragraphs.values())


def test_a_thousand_paragraphs_with_edits_all_through_match(app):
    """A 1,000-paragraph work re-imported with edits all through it: every paragraph but
    the removed ones lands (bench/import_speed.py measures how fast)."""

    def text(c: int, p: int) -> str:
        return (
            f"In the {p}th hour of chapter {c} the keeper wrote down the tide, the wind "
            f"from the {('north', 'east', 'south', 'west')[p % 4]}, and {p * 7 % 13} boats."
        )

    old = [ChapterText(c, f"Part {c}", [text(c, p) for p in range(100)]) for c in range(1, 11)]
    new = []
    for chapter in old:
        paragraphs = list(chapter.paragraphs)
        for p in range(0, 100, 9):
            paragraphs[p] = paragraphs[p].replace("keeper", "lighthouse keeper")
        del paragraphs[50]
        paragraphs[20:22] = [paragraphs[20] + " " + paragraphs[21]]
        new.append(ChapterText(chapter.number, chapter.title, paragraphs))
    matching = match(old, new)
    counts = matching.counts()
    assert counts["fell_back"] == 10 and counts["exact"] + counts["fuzzy"] == 990

    def work_data(chapters):
        return WorkData(
            title="Tide Tables",
            authors=["Tamsin Vale"],
            source_format="markdown",
            chapters=[
                ChapterData(c.number, c.title, paragraphs=list(c.paragraphs)) for c in chapters
            ],
        )

    with app.app_context():
        store_work(work_data(old))
        result = store_work(work_data(new))
    assert result.outcome == "updated"


def _para(tag: str) -> str:
    return f"{tag} " + " ".join(f"{tag}word{i}" for i in range(12))


@pytest.mark.parametrize(
    ("old", "new", "reader", "level"),
    [
        # Two paragraphs swapped: a reader who read A only must not be carried past B.
        (
            [["p", "q"], ["a", "b", "x", "y"]],
            [["p", "q"], ["b", "a", "x", "y"]],
            Position(2, 0),
            Position(2, 1),
        ),
        # A paragraph moved across a chapter break: "finished chapter 2" stays locked.
        (
            [["p", "q"], ["a", "b", "x"], ["y", "z"]],
            [["p", "q"], ["a", "x"], ["b", "y", "z"]],
            Position(2, 1),
            Position(2, 2),
        ),
    ],
    ids=["swap", "moved-across-chapters"],
)
def test_a_reader_is_never_carried_past_text_they_have_not_read(old, new, reader, level):
    def texts(chapters):
        return [
            ChapterText(n, f"Chapter {n}", [_para(tag) for tag in tags])
            for n, tags in enumerate(chapters, start=1)
        ]

    matching = match(texts(old), texts(new))
    assert matching.level(level) > matching.progress(reader)


def test_what_was_hidden_from_a_reader_stays_hidden_after_any_edit():
    """Random edits (swaps, moves, inserts, deletions, merges, splits): for every reader's
    place and every comment level beyond it, the level stays beyond the new place."""
    rng = random.Random(13)
    for _ in range(400):
        chapters = [[f"c{c}p{p}" for p in range(rng.randint(2, 6))] for c in range(3)]
        edited = [list(chapter) for chapter in chapters]
        for _ in range(rng.randint(1, 4)):
            chapter = rng.choice(edited)
            kind = rng.choice(("swap", "move", "insert", "delete", "merge", "split"))
            i = rng.randrange(len(chapter))
            if kind == "swap" and len(chapter) > 1:
                j = rng.randrange(len(chapter))
                chapter[i], chapter[j] = chapter[j], chapter[i]
            elif kind == "move" and len(chapter) > 1:
                rng.choice(edited).insert(0, chapter.pop(i))
            elif kind == "insert":
                chapter.insert(i, f"new{rng.randrange(10**6)}")
            elif kind == "delete" and len(chapter) > 1:
                chapter.pop(i)
            elif kind == "merge" and i + 1 < len(chapter):
                chapter[i : i + 2] = [chapter[i] + "+" + chapter[i + 1]]
            elif kind == "split":
                chapter[i : i + 1] = [chapter[i] + "-1", chapter[i] + "-2"]

        def texts(source):
            return [
                ChapterText(
                    n, f"Chapter {n}", [" ".join(_para(t) for t in p.split("+")) for p in c]
                )
                for n, c in enumerate(source, start=1)
                if c
            ]

        matching = match(texts(chapters), texts(edited))
        places = [Position(c, p) for c, ch in enumerate(chapters, start=1) for p in range(len(ch))]
        for reader in places:
            for level in places:
                # A level whose text and everything after it is gone moves to the end of
                # the work (else nobody could ever see the comment): a reader who has read
                # all that is left may see it, and nothing they could still read is spoiled.
                gone_to_the_end = all(matching.landing(*q) is None for q in places if q >= level)
                if level > reader and not gone_to_the_end:
                    assert matching.level(level) > matching.progress(reader), (
                        chapters,
                        edited,
                        reader,
                        level,
                    )
