"""Real Chromium through Playwright: what a reader clicks, with no console errors and no
CSP violations."""

from __future__ import annotations

import pytest

from companion.demo import SAMPLE_TITLE
from tests.conftest import watch

pytestmark = pytest.mark.browser


@pytest.fixture
def watched(page):
    """The page, with every console error and failed request collected."""
    page.problems = watch(page)
    return page


def test_read_from_the_library_to_the_next_chapter(watched, live_server, work, tmp_path):
    page = watched
    page.goto(live_server + "/")
    page.get_by_role("link", name=SAMPLE_TITLE).click()
    page.get_by_role("link", name="Obstinance").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Chapter 3: Obstinance"
    page.get_by_role("link", name="Next chapter").click()
    page.wait_for_url("**/chapters/4")
    assert page.get_by_role("heading", level=1).inner_text() == "Chapter 4: Remorse"
    # The summary starts collapsed and opens on click.
    summary = page.locator("details.front-matter").first
    assert summary.get_attribute("open") is None
    summary.locator("summary").click()
    assert summary.get_attribute("open") == ""
    # htmx loaded (a script from our own origin, allowed by the CSP).
    assert page.evaluate("typeof window.htmx") == "object"
    page.screenshot(path=tmp_path / "chapter-4.png", full_page=False)
    assert (tmp_path / "chapter-4.png").stat().st_size > 10_000
    assert page.problems == []
