"""Uploading a work in real Chromium, with the queue's worker running beside the server
(as `companion demo` runs it): drop a Markdown file, see the preview, confirm, watch the
progress bar finish, read the first chapter; a member of the circle reads it too, an
outsider gets 404."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from companion import create_app
from companion.jobs import queue
from tests.conftest import join_by_invite, watch
from tests.test_browser_circles import sign_up

pytestmark = pytest.mark.browser

# Our own prose, as Markdown with front matter.
SALT_ROAD = """---
title: The Salt Road
author: Ines Moreau
tags: [Road Trip, Quiet Ending]
---

# Chapter 1: The Crossing

The ferry left without them, and the harbour master only shrugged when Ines asked.

* * *

They slept in the waiting room, under a timetable nobody had updated in years.

# Chapter 2: Inland

By noon the road had turned to gravel, and the gravel to dust.
"""


@pytest.fixture
def server_with_worker(app):
    """The app on a real port with a real SQLite queue and its embedded worker (the same
    database as the test app, so the usual clean-up applies)."""
    web = create_app({"SECRET_KEY": "test", "HUEY_IMMEDIATE": False})
    jobs = queue.queue_of(web)
    jobs.huey.flush()
    consumer = jobs.start_worker(workers=1)
    server = make_server("127.0.0.1", 0, web, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    consumer.stop(graceful=True)


def drop_file(page, selector: str, name: str, text: str) -> None:
    """What a person dragging a file from their desktop onto the drop zone sends."""
    transfer = page.evaluate_handle(
        """([name, text]) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([text], name, {type: "text/markdown"}));
            return transfer;
        }""",
        [name, text],
    )
    page.dispatch_event(selector, "dragenter", {"dataTransfer": transfer})
    page.dispatch_event(selector, "drop", {"dataTransfer": transfer})


def test_upload_by_drag_and_drop_then_read_it_together(browser, server_with_worker):
    base = server_with_worker
    first = browser.new_context()
    ada = first.new_page()
    ada_problems = watch(ada)
    sign_up(ada, base, "ada")
    ada.get_by_role("link", name="Upload your own work").click()
    assert ada.get_by_role("heading", level=1).inner_text() == "Upload your own work"
    ada.get_by_label("Circle name").fill("Salt road club")
    drop_file(ada, "[data-drop-zone]", "salt-road.md", SALT_ROAD)
    ada.get_by_text("Chosen: salt-road.md").wait_for()
    assert ada.locator("input[type=file]").evaluate("input => input.files[0].name") == (
        "salt-road.md"
    )
    ada.get_by_role("button", name="Upload and preview").click()

    # The worker reads the file; polling swaps the preview in.
    confirm = ada.get_by_role("button", name="Confirm and import")
    confirm.wait_for(timeout=20_000)
    preview = ada.locator("#job").inner_text()
    for seen in ("The Salt Road", "Ines Moreau", "Markdown", "Road Trip, Quiet Ending"):
        assert seen in preview, seen
    rows = ada.locator("table.preview-chapters tbody tr")
    assert rows.count() == 2
    assert rows.nth(1).inner_text().split("\t") == ["2", "Inland", "13"]
    assert ada.get_by_label("Private to the circle").is_checked()

    with ada.expect_response(lambda r: r.url.endswith("/progress") and r.status == 286):
        confirm.click()
        ada.locator("progress.job-bar").first.wait_for()
    read = ada.get_by_role("link", name="Read chapter 1 with Salt road club")
    read.wait_for()
    assert ada.locator("progress.job-bar").get_attribute("value") == "100"
    done = ada.locator("#job").inner_text()
    assert "Done: The Salt Road, 2 chapters." in done and "Salt road club is ready" in done
    read.click()
    assert "The ferry left without them" in ada.locator(".chapter-text").inner_text()
    chapter_url = ada.url

    # Ada invites Ben; he joins and reads the circle's private work.
    ada.go_back()
    ada.get_by_role("link", name="Go to Salt road club").click()
    ada.get_by_role("button", name="Create invite link").click()
    link = ada.get_by_label("Invite link").input_value()
    ben, ben_problems = join_by_invite(browser, link, "ben")
    assert ben.goto(chapter_url).status == 200
    assert "They slept in the waiting room" in ben.locator(".chapter-text").inner_text()

    # Carol is in no circle reading it: the chapter does not exist for her.
    third = browser.new_context()
    carol = third.new_page()
    sign_up(carol, base, "carol")
    response = carol.goto(chapter_url)
    assert response.status == 404
    assert "Salt" not in carol.content() and "ferry" not in carol.content()

    assert ada_problems == [] and ben_problems == []
    for context in (first, ben.context, third):
        context.close()


def test_without_javascript_the_picker_and_check_again_do_it_all(browser, server_with_worker):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    problems = watch(page)
    sign_up(page, server_with_worker, "dana")
    page.goto(server_with_worker + "/upload")
    page.get_by_label("Circle name").fill("Plain club")
    page.get_by_label("The work's file").set_input_files(
        files=[{"name": "salt-road.md", "mimeType": "text/markdown", "buffer": SALT_ROAD.encode()}]
    )
    page.get_by_role("button", name="Upload and preview").click()

    def check_again_until(name: str) -> None:
        for _ in range(100):
            if (
                page.get_by_role("button", name=name).count()
                or page.get_by_role("link", name=name).count()
            ):
                return
            page.get_by_role("link", name="Check again").click()
            page.wait_for_timeout(200)
        pytest.fail(f"no {name!r} after checking again")

    check_again_until("Confirm and import")
    page.get_by_role("button", name="Confirm and import").click()
    check_again_until("Read chapter 1 with Plain club")
    page.get_by_role("link", name="Read chapter 1 with Plain club").click()
    assert "The ferry left without them" in page.locator(".chapter-text").inner_text()
    assert problems == []
    context.close()
