"""Each reader's position: explicit moves only, confirmation going back, history kept,
end notes gated on finishing (rule 7)."""

from __future__ import annotations

import re

from sqlalchemy import select

from companion.extensions import db
from companion.models import Progress, ProgressMove, User, Work
from companion.spoilers import Position
from tests.conftest import count_queries


def position(app, name: str, work: int) -> Position:
    with app.app_context():
        return Progress.of(User.by_name(name).id, work)


def moves(app, name: str) -> list[tuple[Position, Position]]:
    with app.app_context():
        user = User.by_name(name)
        rows = db.session.scalars(
            select(ProgressMove).where(ProgressMove.user_id == user.id).order_by(ProgressMove.id)
        )
        return [(m.before, m.after) for m in rows]


def test_opening_a_chapter_never_moves_progress(app, reader, work):
    ada = reader("ada")
    for number in (1, 5, 8):
        assert ada.get(f"/works/{work}/chapters/{number}").status_code == 200
    assert position(app, "ada", work) == (0, 0)
    assert moves(app, "ada") == []


def test_finishing_a_chapter_and_the_history(app, reader, work):
    ada = reader("ada")
    response = ada.post(f"/works/{work}/progress", {"chapter": "1", "paragraph": "128"})
    assert response.status_code == 302
    assert position(app, "ada", work) == (1, 128)
    ada.post(f"/works/{work}/progress", {"chapter": "2", "paragraph": "10"})
    assert moves(app, "ada") == [((0, 0), (1, 128)), ((1, 128), (2, 10))]


def test_im_here_over_htmx_swaps_the_panel_and_the_marked_paragraphs(app, reader, work):
    ada = reader("ada")
    ada.post(f"/works/{work}/progress", {"chapter": "3", "paragraph": "4"})
    response = ada.post(f"/works/{work}/progress", {"chapter": "3", "paragraph": "20"}, htmx=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="progress"' in html and "chapter 3, ¶ 21 of 104" in html
    assert html.count('hx-swap-oob="true"') == 3  # old paragraph, new paragraph, end notes
    assert 'id="tools-4"' in html and 'id="tools-20"' in html
    assert "progress-moved" in response.headers["HX-Trigger"]
    assert "HX-Request" in response.headers["Vary"]


def test_moving_back_asks_first_and_changes_nothing_until_confirmed(app, reader, work):
    ada = reader("ada")
    ada.post(f"/works/{work}/progress", {"chapter": "5", "paragraph": "3"})
    response = ada.post(f"/works/{work}/progress", {"chapter": "2", "paragraph": "0"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Move your place back to chapter 2, ¶ 1 of 86?" in page
    assert "You're at <strong>chapter 5, ¶ 4 of 98</strong>" in page
    assert position(app, "ada", work) == (5, 3)
    ada.post(f"/works/{work}/progress", {"chapter": "2", "paragraph": "0", "confirm": "back"})
    assert position(app, "ada", work) == (2, 0)


def test_out_of_range_positions_are_refused(app, reader, work):
    ada = reader("ada")
    cases = [("9", "0", 404), ("0", "0", 404), ("3", "104", 400),
             ("3", "-1", 400), ("3", "x", 400), ("", "", 404)]  # fmt: skip
    for chapter, paragraph, status in cases:
        response = ada.post(f"/works/{work}/progress", {"chapter": chapter, "paragraph": paragraph})
        assert response.status_code == status, (chapter, paragraph)
    assert position(app, "ada", work) == (0, 0)


def test_progress_needs_an_account(app, anonymous, work):
    response = anonymous.post(f"/works/{work}/progress", {"chapter": "1", "paragraph": "0"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_end_notes_show_only_once_the_chapter_is_finished(app, reader, anonymous, work):
    notes = "The author of the fic that in part inspired"
    assert notes not in anonymous.get(f"/works/{work}/chapters/1").get_data(as_text=True)
    ada = reader("ada")
    page = ada.get(f"/works/{work}/chapters/1").get_data(as_text=True)
    assert notes not in page and "appear once you've finished it" in page
    ada.post(f"/works/{work}/progress", {"chapter": "1", "paragraph": "127"})
    assert notes not in ada.get(f"/works/{work}/chapters/1").get_data(as_text=True)
    moved = ada.post(f"/works/{work}/progress", {"chapter": "1", "paragraph": "128"}, htmx=True)
    assert notes in moved.get_data(as_text=True)  # swapped in out of band
    assert notes in ada.get(f"/works/{work}/chapters/1").get_data(as_text=True)
    # Finished chapter 1 does not unlock chapter 4's end notes.
    assert "guys if you have read" not in ada.get(f"/works/{work}/chapters/4").get_data(
        as_text=True
    )


def test_chapter_page_query_count_is_small(app, reader, work):
    ada = reader("ada")
    ada.get(f"/works/{work}/chapters/2")  # warm the paragraph cache
    response, statements = count_queries(app, lambda: ada.get(f"/works/{work}/chapters/2"))
    assert response.status_code == 200
    # user, chapter+work, progress, and the reader's content warnings (one query, applying
    # their opt-in in SQL, however many labels they chose)
    assert len(statements) <= 4, statements


def auto(reader, work: int, chapter: int, paragraph: int):
    form = {"chapter": str(chapter), "paragraph": str(paragraph), "auto": "1"}
    return reader.post(f"/works/{work}/progress", form, htmx=True)


def turn_on_moving_as_you_read(reader, on: bool = True):
    response = reader.post("/account/reading", {"auto_advance": "y"} if on else {})
    assert response.status_code == 302
    return response


def test_moving_as_you_read_is_off_until_the_reader_turns_it_on(app, reader, work):
    ada = reader("ada")
    page = ada.get(f"/works/{work}/chapters/1").get_data(as_text=True)
    assert "data-auto-advance" not in page
    response = auto(ada, work, 1, 10)
    assert response.status_code == 400
    assert "turn it on in your account settings" in response.get_data(as_text=True)
    assert position(app, "ada", work) == (0, 0)

    checkbox = re.compile(r'<input [^>]*id="auto_advance"[^>]*>')
    assert "checked" not in checkbox.search(ada.get("/account").get_data(as_text=True))[0]
    turn_on_moving_as_you_read(ada)
    assert "checked" in checkbox.search(ada.get("/account").get_data(as_text=True))[0]
    page = ada.get(f"/works/{work}/chapters/1").get_data(as_text=True)
    assert 'data-chapter="1" data-here="-1" data-last="128"' in page


def finish_chapter(app, reader, work: int, chapter: int) -> None:
    with app.app_context():
        end = db.session.get(Work, work).shape().end_of(chapter)
    form = {"chapter": str(chapter), "paragraph": str(end.paragraph)}
    assert reader.post(f"/works/{work}/progress", form).status_code == 302


def test_moving_as_you_read_only_goes_forward_and_never_finishes_a_chapter(app, reader, work):
    ada = reader("ada")
    turn_on_moving_as_you_read(ada)
    finish_chapter(app, ada, work, 2)
    response = auto(ada, work, 3, 10)
    assert response.status_code == 200
    assert "chapter 3, ¶ 11 of 104" in response.get_data(as_text=True)
    assert "progress-moved" in response.headers["HX-Trigger"]
    assert 'data-here="10"' in ada.get(f"/works/{work}/chapters/3").get_data(as_text=True)
    # Backward, standing still, and the chapter's last paragraph: nothing to do.
    for chapter, paragraph in [(3, 4), (2, 50), (3, 10), (3, 103)]:
        response = auto(ada, work, chapter, paragraph)
        assert response.status_code == 204 and response.data == b""
    assert position(app, "ada", work) == (3, 10)
    # At the last paragraph but one the page stops offering it; finishing is a press.
    auto(ada, work, 3, 102)
    assert "data-auto-advance" not in ada.get(f"/works/{work}/chapters/3").get_data(as_text=True)
    finish_chapter(app, ada, work, 3)
    assert "data-auto-advance" in ada.get(f"/works/{work}/chapters/4").get_data(as_text=True)

    turn_on_moving_as_you_read(ada, on=False)
    assert auto(ada, work, 4, 5).status_code == 400
    assert position(app, "ada", work) == (3, 103)


def test_moving_as_you_read_never_skips_a_chapter(app, reader, work):
    """Peeking at a later chapter and scrolling must not unlock what lies between."""
    ada = reader("ada")
    turn_on_moving_as_you_read(ada)
    ada.post(f"/works/{work}/progress", {"chapter": "4", "paragraph": "76"})
    for number in (5, 7, 3):
        page = ada.get(f"/works/{work}/chapters/{number}").get_data(as_text=True)
        assert "data-auto-advance" not in page, number
        assert auto(ada, work, number, 4).status_code == 204
    assert position(app, "ada", work) == (4, 76)
    assert 'data-here="76"' in ada.get(f"/works/{work}/chapters/4").get_data(as_text=True)


def test_the_setting_needs_its_csrf_token_and_an_account(app, reader, anonymous):
    ada = reader("ada")
    refused = ada.client.post("/account/reading", data={"auto_advance": "y"})
    assert refused.status_code == 400
    with app.app_context():
        assert User.by_name("ada").auto_advance is False
    response = anonymous.client.post("/account/reading", data={"auto_advance": "y"})
    assert response.status_code == 400  # no session, so no token: refused before anything
    assert ada.client.get("/account/reading").status_code == 405  # no change on GET
