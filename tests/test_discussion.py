"""Spoiler-gated discussion: levels (rules 1 and 2), visibility (3, 4), the digest (5), writes,
moderation, polling and bad input."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from companion import comments
from companion.circles import create_circle
from companion.extensions import db
from companion.models import (
    Circle,
    Comment,
    CommentRevision,
    Membership,
    Progress,
    User,
    Work,
)
from companion.models import move_progress as _move
from companion.reading import find_chapter
from companion.spoilers import Position
from tests.conftest import Reader, count_queries

END = {1: 128, 2: 85, 3: 103, 4: 145, 5: 97}  # last paragraph index per chapter


@pytest.fixture
def circle(app, work, make_user):
    """A circle with ada at the end of chapter 1, bea mid chapter 5, cai (moderator) at
    the end of chapter 3 and the owner olga at the end of chapter 5."""
    ids = {name: make_user(name) for name in ["olga", "ada", "bea", "cai"]}
    with app.app_context():
        users = {n: db.session.get(User, i) for n, i in ids.items()}
        c = create_circle(users["olga"], "Readers", db.session.get(Work, work))
        c.memberships += [Membership(user=users["ada"]), Membership(user=users["bea"]),
                          Membership(user=users["cai"], role="moderator")]  # fmt: skip
        db.session.flush()
        for name, where in [("olga", (5, 97)), ("ada", (1, 128)), ("bea", (5, 40)),
                            ("cai", (3, 103))]:  # fmt: skip
            _move(ids[name], work, Position(*where))
        db.session.commit()
        return {"slug": c.slug, "work": work, "ids": ids}


def as_(app, name: str) -> Reader:
    return Reader(app, name).login()


def write(app, circle, author: str, chapter: int, body: str, **kwargs) -> int:
    """Post through the data layer, as the given member."""
    with app.app_context():
        c = Circle.by_slug(circle["slug"])
        viewer = comments.viewer_for(c, c.membership_of(circle["ids"][author]))
        row = comments.post(viewer, find_chapter(c.work_id, chapter), END.get(chapter, 90) + 1,
                            body, **kwargs)  # fmt: skip
        db.session.commit()
        return row.id


def move(app, circle, name: str, chapter: int, paragraph: int):
    with app.app_context():
        _move(circle["ids"][name], circle["work"], Position(chapter, paragraph))
        db.session.commit()


def level_of(app, comment_id: int) -> Position:
    with app.app_context():
        return db.session.get(Comment, comment_id).level


def page(reader: Reader, path: str) -> str:
    response = reader.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


# --- levels ----------------------------------------------------------------------------


def test_a_comment_defaults_to_the_posters_progress(app, circle):
    bea = as_(app, "bea")
    response = bea.post(f"/c/{circle['slug']}/chapters/2/comments", {"body": "Thinking ahead"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Comment.level_chapter)) == 5


def test_the_form_offers_every_level_down_to_the_anchor(app, circle):
    html = page(as_(app, "bea"), f"/c/{circle['slug']}/chapters/2")
    form = html[html.index('id="composer"') :]
    options = re.findall(r'<option value="(\d+):(\d+)"', form[: form.index("</select>")])
    assert options[0] == ("5", "40")  # where bea is, selected
    assert ("4", str(END[4])) in options and ("2", str(END[2])) in options
    assert options[-1] == ("2", "0")  # the anchor: only about up to here


@pytest.mark.parametrize(("level", "status"), [("1:5", 400), ("5:41", 400), ("9:0", 400),
                                               ("x", 400), ("2:0", 302), ("3:7", 302)])  # fmt: skip
def test_a_level_must_lie_between_the_anchor_and_the_poster(app, circle, level, status):
    bea = as_(app, "bea")
    response = bea.post(f"/c/{circle['slug']}/chapters/2/comments", {"body": "Hm", "level": level})
    assert response.status_code == status
    with app.app_context():
        assert db.session.scalar(select(func.count(Comment.id))) == (1 if status == 302 else 0)


def test_a_reply_is_never_less_spoilery_than_its_parent(app, circle):
    parent = write(app, circle, "bea", 2, "About chapter 4", level=Position(4, 0))
    olga = as_(app, "olga")
    olga.post(f"/c/{circle['slug']}/chapters/2/comments",
              {"body": "Agreed", "parent_id": str(parent), "level": "4:0"})  # fmt: skip
    bad = olga.post(f"/c/{circle['slug']}/chapters/2/comments",
                    {"body": "Lower", "parent_id": str(parent), "level": "2:0"})  # fmt: skip
    assert bad.status_code == 400
    with app.app_context():
        reply = db.session.scalar(select(Comment).where(Comment.parent_id == parent))
        assert reply.level == (4, 0)


# --- visibility ------------------------------------------------------------------------


def test_each_member_sees_only_what_they_have_reached(app, circle):
    early = write(app, circle, "olga", 1, "EARLY-TEXT", level=Position(1, 10))
    late = write(app, circle, "olga", 1, "LATE-TEXT", level=Position(5, 0))
    slug = circle["slug"]
    ada_page = page(as_(app, "ada"), f"/c/{slug}/chapters/1")
    assert "EARLY-TEXT" in ada_page and f"comment-{early}" in ada_page
    assert "LATE-TEXT" not in ada_page and f"comment-{late}" not in ada_page
    assert "1 comment unlocks" in ada_page and "when you reach chapter 5" in ada_page
    assert "LATE-TEXT" in page(as_(app, "bea"), f"/c/{slug}/chapters/1")


def test_hidden_comments_are_absent_from_every_surface(app, circle):
    write(app, circle, "olga", 1, "SECRET-LATE", level=Position(5, 0), paragraph=3)
    slug, ada = circle["slug"], as_(app, "ada")
    surfaces = [
        f"/c/{slug}/chapters/1", f"/c/{slug}/chapters/1/thread",
        f"/c/{slug}/chapters/1/paragraphs/3", f"/c/{slug}", f"/c/{slug}/unlocked",
        f"/c/{slug}/unlocked/notice",
    ]  # fmt: skip
    for path in surfaces:
        assert "SECRET-LATE" not in page(ada, path), path
    chapter1 = page(ada, f"/c/{slug}/chapters/1")
    assert 'id="disc-3"' in chapter1 and "has-comments" not in chapter1


def test_authors_always_see_their_own_comments(app, circle):
    mine = write(app, circle, "bea", 3, "MY-OWN", level=Position(5, 0))
    move(app, circle, "bea", 2, 0)  # bea moves back past her own comment
    assert "MY-OWN" in page(as_(app, "bea"), f"/c/{circle['slug']}/chapters/3")
    assert f"comment-{mine}" not in page(as_(app, "cai"), f"/c/{circle['slug']}/chapters/3")


def test_replies_to_a_comment_you_cannot_see_are_refused(app, circle):
    hidden = write(app, circle, "olga", 1, "Ahead", level=Position(5, 0))
    response = as_(app, "ada").post(f"/c/{circle['slug']}/chapters/1/comments",
                                    {"body": "Reply", "parent_id": str(hidden)})  # fmt: skip
    assert response.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(Comment.id))) == 1


def test_moving_forward_unlocks_and_the_digest_lists_them_moving_back_hides(app, circle):
    slug = circle["slug"]
    write(app, circle, "olga", 2, "UNLOCKS-AT-2", level=Position(2, 10))
    ada = as_(app, "ada")
    assert "UNLOCKS-AT-2" not in page(ada, f"/c/{slug}/chapters/2")
    ada.post(f"/works/{circle['work']}/progress", {"chapter": "2", "paragraph": "20"})
    assert "UNLOCKS-AT-2" in page(ada, f"/c/{slug}/chapters/2")
    digest = page(ada, f"/c/{slug}/unlocked")
    assert "UNLOCKS-AT-2" in digest and "unlocked 1 comment" in digest
    assert "1 comment just unlocked" in page(ada, f"/c/{slug}/unlocked/notice")
    ada.post(f"/works/{circle['work']}/progress",
             {"chapter": "1", "paragraph": "0", "confirm": "back"})  # fmt: skip
    assert "UNLOCKS-AT-2" not in page(ada, f"/c/{slug}/chapters/2")
    assert "UNLOCKS-AT-2" not in page(ada, f"/c/{slug}/unlocked")


def test_outsiders_get_404_on_every_discussion_surface(app, circle, make_user):
    make_user("otto")
    otto = as_(app, "otto")
    cid = write(app, circle, "ada", 1, "hello")
    for path in [f"/c/{circle['slug']}/chapters/1", f"/c/{circle['slug']}/chapters/1/thread",
                 f"/c/{circle['slug']}/comments/{cid}"]:  # fmt: skip
        assert otto.get(path).status_code == 404


# --- writes and bad input --------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"body": ""}, 400, "empty"),
        ({"body": "   \n\t "}, 400, "empty"),
        ({"body": "x" * 20_000}, 413, "at most 10,000"),
        ({"body": "ok", "paragraph": "500"}, 400, "isn&#39;t in this chapter"),
        ({"body": "ok", "paragraph": "-1"}, 400, "isn&#39;t in this chapter"),
        ({"body": "ok", "paragraph": "two"}, 400, "must be a number"),
        ({"body": "ok", "parent_id": "99999"}, 404, "haven&#39;t reached"),
    ],
)
def test_bad_comments_get_a_clear_message_and_store_nothing(app, circle, data, status, message):
    response = as_(app, "bea").post(f"/c/{circle['slug']}/chapters/2/comments", data)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Comment.id))) == 0


def test_htmx_errors_come_back_as_a_notice(app, circle):
    response = as_(app, "bea").post(f"/c/{circle['slug']}/chapters/2/comments", {"body": " "},
                                    htmx=True)  # fmt: skip
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#notices"
    assert 'role="alert"' in response.get_data(as_text=True)


def test_posting_over_htmx_returns_the_thread_and_a_fresh_composer(app, circle):
    response = as_(app, "bea").post(f"/c/{circle['slug']}/chapters/2/comments",
                                    {"body": "Live *update*"}, htmx=True)  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.headers["HX-Retarget"] == "#thread"
    assert "Live <em>update</em>" in html and 'id="composer"' in html and "hx-swap-oob" in html


def test_a_passage_comment_over_htmx_updates_the_marker_beside_the_paragraph(app, circle):
    slug = circle["slug"]
    before = page(as_(app, "bea"), f"/c/{slug}/chapters/2")
    assert re.search(r'id="disc-4"><a class="marker" [^>]*>\+</a>', before)
    form = {"body": "On this line", "paragraph": "4"}
    response = as_(app, "bea").post(f"/c/{slug}/chapters/2/comments", form, htmx=True)
    html = response.get_data(as_text=True)
    assert response.headers["HX-Retarget"] == "#passage-4"
    marker = re.search(r'<span class="para-discuss" id="disc-4" hx-swap-oob="true">.*?</span>',
                       html)  # fmt: skip
    assert marker and 'aria-label="1 comment on this passage">1</a>' in marker.group(0)
    assert "has-comments" in marker.group(0)


def test_edit_keeps_history_and_shows_edited(app, circle):
    cid = write(app, circle, "bea", 2, "First words")
    bea = as_(app, "bea")
    assert bea.post(f"/c/{circle['slug']}/comments/{cid}/edit", {"body": "Second words"}
                    ).status_code == 302  # fmt: skip
    html = page(bea, f"/c/{circle['slug']}/chapters/2")
    assert "Second words" in html and "First words" not in html and ">edited<" in html
    with app.app_context():
        assert db.session.scalars(select(CommentRevision.body_source)).all() == ["First words"]


def test_others_cannot_edit_or_delete(app, circle):
    cid = write(app, circle, "bea", 1, "Mine")
    olga = as_(app, "olga")
    assert olga.post(f"/c/{circle['slug']}/comments/{cid}/edit", {"body": "x"}).status_code == 403
    assert olga.post(f"/c/{circle['slug']}/comments/{cid}/delete").status_code == 403
    with app.app_context():
        assert db.session.get(Comment, cid).body_source == "Mine"


def test_delete_leaves_a_tombstone_only_when_there_are_replies(app, circle):
    lonely = write(app, circle, "bea", 1, "Alone")
    parent = write(app, circle, "bea", 1, "Parent text")
    write(app, circle, "olga", 1, "A reply", parent_id=parent, level=Position(5, 40))
    bea = as_(app, "bea")
    bea.post(f"/c/{circle['slug']}/comments/{lonely}/delete")
    bea.post(f"/c/{circle['slug']}/comments/{parent}/delete")
    html = page(bea, f"/c/{circle['slug']}/chapters/1")
    assert "Parent text" not in html and "This comment was deleted." in html
    assert "A reply" in html
    with app.app_context():
        assert db.session.get(Comment, lonely) is None
        assert db.session.get(Comment, parent).body_source == ""


def test_hostile_markup_is_stored_inert(app, circle):
    payload = "<script>alert(1)</script>[x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    cid = write(app, circle, "bea", 1, payload)
    with app.app_context():
        stored = db.session.get(Comment, cid).body_html
    assert "<script" not in stored and "<img" not in stored and "href" not in stored
    assert "&lt;script&gt;" in stored  # shown as the text it is


def test_paused_members_cannot_post(app, circle):
    cai = as_(app, "cai")
    ada_id = circle["ids"]["ada"]
    assert cai.post(f"/c/{circle['slug']}/members/{ada_id}/posting", {"allow": "0"}
                    ).status_code == 302  # fmt: skip
    response = as_(app, "ada").post(f"/c/{circle['slug']}/chapters/1/comments", {"body": "hi"})
    assert response.status_code == 403 and "paused" in response.get_data(as_text=True)


# --- moderation ------------------------------------------------------------------------


def test_reports_reach_moderators_covered_until_revealed(app, circle):
    ahead = write(app, circle, "olga", 2, "AHEAD-OF-CAI", level=Position(5, 0))
    bea = as_(app, "bea")
    assert bea.post(f"/c/{circle['slug']}/comments/{ahead}/report",
                    {"reason": "spoils chapter 5"}).status_code == 302  # fmt: skip
    again = bea.post(f"/c/{circle['slug']}/comments/{ahead}/report", {"reason": "again"})
    assert again.status_code == 409
    cai = as_(app, "cai")  # moderator at the end of chapter 3
    queue = page(cai, f"/c/{circle['slug']}/moderation")
    assert "spoils chapter 5" in queue and "AHEAD-OF-CAI" not in queue
    assert "Reveal it anyway" in queue
    revealed = page(cai, f"/c/{circle['slug']}/moderation?reveal={ahead}")
    assert "AHEAD-OF-CAI" in revealed
    cai.post(f"/c/{circle['slug']}/comments/{ahead}/hide")
    assert "AHEAD-OF-CAI" not in page(bea, f"/c/{circle['slug']}/chapters/2")
    own_view = page(as_(app, "olga"), f"/c/{circle['slug']}/chapters/2")
    assert "AHEAD-OF-CAI" in own_view and "Hidden by a moderator" in own_view


def test_keeping_a_reported_comment_dismisses_the_report_and_says_so(app, circle):
    cid = write(app, circle, "ada", 1, "Perfectly fine")
    slug = circle["slug"]
    as_(app, "bea").post(f"/c/{slug}/comments/{cid}/report", {"reason": "rude"})
    cai = as_(app, "cai")
    assert "rude" in page(cai, f"/c/{slug}/moderation")
    assert cai.post(f"/c/{slug}/comments/{cid}/restore").status_code == 302
    queue = page(cai, f"/c/{slug}/moderation")
    assert "Report dismissed; the comment stays." in queue and "Comment restored" not in queue
    assert "rude" not in queue
    cai.post(f"/c/{slug}/comments/{cid}/hide")
    cai.post(f"/c/{slug}/comments/{cid}/restore")
    assert "Comment restored." in page(cai, f"/c/{slug}/moderation")


def test_members_cannot_reach_moderation(app, circle):
    assert as_(app, "ada").get(f"/c/{circle['slug']}/moderation").status_code == 403


# --- polling and queries ---------------------------------------------------------------


def test_an_idle_poll_is_a_304_from_one_query(app, circle):
    write(app, circle, "bea", 2, "Poll me")
    bea = as_(app, "bea")
    path = f"/c/{circle['slug']}/chapters/2/thread"
    first = bea.get(path)
    etag = first.headers["ETag"].strip('"')
    again, statements = count_queries(app, lambda: bea.get(path, headers={"If-None-Match": etag}))
    assert again.status_code == 304
    assert len(statements) == 1


def test_etag_changes_with_what_you_see_but_not_with_edits_you_cannot_see(app, circle):
    slug, ada = circle["slug"], as_(app, "ada")
    path = f"/c/{slug}/chapters/1/thread"
    tag = ada.get(path).headers["ETag"]
    ahead = write(app, circle, "olga", 1, "Ahead", level=Position(5, 0))
    tag2 = ada.get(path).headers["ETag"]
    assert tag2 != tag  # the locked count changed: that much ada may know
    olga = as_(app, "olga")
    olga.post(f"/c/{slug}/comments/{ahead}/edit", {"body": "Ahead, edited"})
    assert ada.get(path).headers["ETag"] == tag2
    write(app, circle, "olga", 1, "Visible", level=Position(1, 0))
    assert ada.get(path).headers["ETag"] != tag2


def test_chapter_page_queries_do_not_grow_with_comments(app, circle):
    def add(start: int, stop: int) -> None:
        with app.app_context():
            c = Circle.by_slug(circle["slug"])
            viewers = [comments.viewer_for(c, c.membership_of(i)) for i in circle["ids"].values()]
            chapter = find_chapter(c.work_id, 1)
            for i in range(start, stop):
                comments.post(viewers[i % 4], chapter, 129, f"comment {i}",
                              paragraph=i % 7 if i % 3 else None)  # fmt: skip
            db.session.commit()

    olga = as_(app, "olga")
    path = f"/c/{circle['slug']}/chapters/1"
    counts = {}
    for total, (start, stop) in [(10, (0, 10)), (500, (10, 500))]:
        add(start, stop)
        olga.get(path)  # warm the per-process caches
        response, statements = count_queries(app, lambda: olga.get(path))
        assert response.get_data(as_text=True).count('class="comment') >= total
        counts[total] = len(statements)
    assert counts[10] == counts[500] <= 9, counts


def test_comment_links_built_in_the_template_match_the_routes(app, circle):
    cid = write(app, circle, "bea", 1, "Linked")
    html = page(as_(app, "olga"), f"/c/{circle['slug']}/chapters/1")
    with app.test_request_context():
        from flask import url_for

        for endpoint in ["discussion.reply_form", "discussion.report", "discussion.hide"]:
            expected = url_for(endpoint, slug=circle["slug"], comment_id=cid)
            assert f'"{expected}"' in html, endpoint
    own = page(as_(app, "bea"), f"/c/{circle['slug']}/chapters/1")
    with app.test_request_context():
        for endpoint in ["discussion.edit", "discussion.delete"]:
            assert f'"{url_for(endpoint, slug=circle["slug"], comment_id=cid)}"' in own


# --- moving one's place inside a circle --------------------------------------------------


def test_moves_made_in_a_circle_answer_inside_the_circle(app, circle):
    slug, ada = circle["slug"], as_(app, "ada")
    chapter2 = page(ada, f"/c/{slug}/chapters/2")
    assert f'<form id="here-form" method="post" action="/c/{slug}/progress">' in chapter2
    finish = {"chapter": "2", "paragraph": str(END[2])}
    response = ada.post(f"/c/{slug}/progress", finish, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "You've <strong>finished chapter 2</strong>" in html
    assert f'href="/c/{slug}/chapters/3">On to chapter 3' in html
    assert "/works/" not in html  # every link stays in the circle
    # Without htmx: back to the circle's chapter page, and the place is the reader's own.
    response = ada.post(f"/c/{slug}/progress", {"chapter": "3", "paragraph": "5"})
    assert response.headers["Location"].startswith(f"/c/{slug}/chapters/3#p-")
    assert "Saved. You&#39;re at chapter 3, ¶ 6 of 104." in page(ada, f"/c/{slug}/chapters/3")


def test_a_move_updates_the_markers_of_the_passages_it_unlocks_or_hides(app, circle):
    slug = circle["slug"]
    write(app, circle, "bea", 2, "On line seven", paragraph=7, level=Position(2, 7))
    write(app, circle, "bea", 2, "On line forty", paragraph=40, level=Position(2, 40))
    ada = as_(app, "ada")  # at the end of chapter 1: sees neither
    assert 'id="disc-7"><a class="marker" ' in page(ada, f"/c/{slug}/chapters/2")

    response = ada.post(f"/c/{slug}/progress", {"chapter": "2", "paragraph": "10"}, htmx=True)
    html = response.get_data(as_text=True)
    oob = re.findall(r'<span class="para-discuss" id="disc-(\d+)" hx-swap-oob="true">', html)
    assert oob == ["7"]  # only the passage the move unlocked; forty stays locked
    assert 'aria-label="1 comment on this passage">1</a>' in html
    assert "On line seven" not in html  # the count, not the comment

    back = {"chapter": "2", "paragraph": "3", "confirm": "back"}
    html = ada.post(f"/c/{slug}/progress", back, htmx=True).get_data(as_text=True)
    assert re.findall(r'id="disc-(\d+)" hx-swap-oob="true"', html) == ["7"]
    assert 'id="disc-7" hx-swap-oob="true"><a class="marker" href' in html  # back to "+"


def test_the_circle_move_route_is_for_members_only(app, circle, make_user):
    make_user("eve")
    eve = as_(app, "eve")
    response = eve.post(f"/c/{circle['slug']}/progress", {"chapter": "2", "paragraph": "1"})
    assert response.status_code == 404
    with app.app_context():
        assert Progress.of(User.by_name("eve").id, circle["work"]) == (0, 0)


def test_the_dashboard_counts_read_as_sentences(app, circle):
    slug = circle["slug"]
    write(app, circle, "olga", 2, "Later one", level=Position(2, 50))
    write(app, circle, "olga", 2, "Later two", level=Position(3, 0))
    write(app, circle, "ada", 1, "Mine")
    dashboard = page(as_(app, "ada"), f"/c/{slug}")
    metas = re.findall(r'<span class="toc-meta">([^<]*)</span>', dashboard)
    assert "1 comment" in metas  # chapter 1: seen, nothing waiting
    assert "2 comments unlock as you read" in metas  # chapter 2: nothing seen yet
    assert "no comments yet" in metas  # chapter 3: nothing at all
    assert not any("no comments yet ·" in meta for meta in metas)
    write(app, circle, "olga", 1, "Ahead on one", level=Position(4, 0))
    metas = re.findall(
        r'<span class="toc-meta">([^<]*)</span>', page(as_(app, "ada"), f"/c/{slug}")
    )
    assert "1 comment · 1 more unlocks as you read" in metas


def test_the_digest_is_in_reading_order_with_times(app, circle):
    slug = circle["slug"]
    ids = [
        write(app, circle, "olga", 3, "THIRD-CHAPTER", level=Position(3, 5)),
        write(app, circle, "olga", 2, "SECOND-LATE-LINE", paragraph=40, level=Position(2, 40)),
        write(app, circle, "olga", 2, "SECOND-WHOLE", level=Position(2, 50)),
        write(app, circle, "olga", 2, "SECOND-EARLY-LINE", paragraph=3, level=Position(2, 3)),
    ]
    ada = as_(app, "ada")
    ada.post(f"/works/{circle['work']}/progress", {"chapter": "3", "paragraph": "10"})
    digest = page(ada, f"/c/{slug}/unlocked")
    order = ["SECOND-WHOLE", "SECOND-EARLY-LINE", "SECOND-LATE-LINE", "THIRD-CHAPTER"]
    assert [digest.index(text) for text in order] == sorted(digest.index(t) for t in order)
    assert digest.count("<time datetime=") == len(ids)
    assert "on ¶ 4" in digest and "on ¶ 41" in digest


def test_a_circle_chapter_links_straight_to_its_discussion(app, circle):
    html = page(as_(app, "ada"), f"/c/{circle['slug']}/chapters/1")
    start = html.index('<header class="chapter-header">')
    header = html[start : html.index("</header>", start)]
    assert '<a href="#thread">Go to the discussion</a>' in header
    assert 'id="thread"' in html
    public = page(as_(app, "ada"), f"/works/{circle['work']}/chapters/1")
    assert "Go to the discussion" not in public  # no circle, no discussion


def test_hidden_comments_beyond_the_moderator_stay_covered_until_revealed(app, circle):
    ahead = write(app, circle, "olga", 2, "HIDDEN-AHEAD", level=Position(5, 0))
    slug, cai = circle["slug"], as_(app, "cai")  # moderator at the end of chapter 3
    assert cai.post(f"/c/{slug}/comments/{ahead}/hide").status_code == 302
    queue = page(cai, f"/c/{slug}/moderation")
    hidden = queue[queue.index('id="hidden-heading"') :]
    assert "HIDDEN-AHEAD" not in queue and "Reveal it anyway" in hidden
    assert f"reveal={ahead}" in hidden
    assert "HIDDEN-AHEAD" in page(cai, f"/c/{slug}/moderation?reveal={ahead}")
