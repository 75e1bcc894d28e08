"""A circle forms in real Chromium: sign up, create, invite, join from a second browser,
both mark progress, the dashboard shows both."""

from __future__ import annotations

import re

import pytest

from tests.conftest import join_by_invite, watch

pytestmark = pytest.mark.browser


def sign_up(page, base: str, name: str, next_path: str = "") -> None:
    page.goto(base + "/signup" + (f"?next={next_path}" if next_path else ""))
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Sign up").click()


def test_two_friends_form_a_circle_and_see_each_other(browser, live_server, work, tmp_path):
    first = browser.new_context()
    ada = first.new_page()
    ada_problems = watch(ada)
    sign_up(ada, live_server, "ada")
    ada.get_by_label("Circle name").fill("Tuesday club")
    ada.get_by_role("button", name="Create circle").click()
    assert ada.get_by_role("heading", level=1).inner_text() == "Tuesday club"
    ada.get_by_role("button", name="Create invite link").click()
    link = ada.get_by_label("Invite link").input_value()
    assert re.search(r"/invites/[\w-]{20,}$", link)
    dashboard = ada.url.split("#")[0]

    ben, ben_problems = join_by_invite(browser, link, "ben")
    assert ben.get_by_role("heading", level=1).inner_text() == "Tuesday club"

    # Ben: "I'm here" on paragraph 10 of chapter 2, without a page load (htmx).
    ben.goto(f"{live_server}/works/{work}/chapters/2")
    ben.locator('[data-index="9"]').hover()
    with ben.expect_response(lambda r: r.url.endswith("/progress")) as moved:
        ben.get_by_role("button", name="I'm here: paragraph 10").click()
    assert moved.value.status == 200
    ben.locator("#progress").get_by_text("chapter 2, ¶ 10 of 86").wait_for()
    assert ben.locator('[data-index="9"] .here-badge').inner_text() == "You're here"
    assert ben.locator(".here-badge").count() == 1

    # Ada finishes chapter 1 from the panel at its foot.
    ada.goto(f"{live_server}/works/{work}/chapters/1")
    ada.get_by_role("button", name="I've finished this chapter").click()
    ada.get_by_text("You've finished this chapter").wait_for()
    assert ada.locator("#end-notes details").count() == 1  # end notes appeared in place

    ada.goto(dashboard)
    rows = ada.locator("table.members tbody tr")
    assert rows.count() == 2
    table = ada.locator("table.members").inner_text()
    assert "finished chapter 1" in table and "chapter 2, ¶ 10 of 86" in table
    assert ada.locator("svg.chart .chart-lane").count() == 2
    ada.screenshot(path=tmp_path / "dashboard.png", full_page=True)
    assert ada_problems == [] and ben_problems == []
    first.close()
    ben.context.close()
