"""Regenerate the README screenshots from a running demo (`companion demo`).

.venv/bin/python docs/screenshots.py [http://127.0.0.1:5000]
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "tests" / "fixtures" / "works"
LAUNCH = {
    "executable_path": "/usr/bin/chromium",
    "headless": True,
    "args": ["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
}


def main(base: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(**LAUNCH)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base + "/login")
        page.fill("#name", "priya")
        page.fill("#password", "companion-demo")
        page.click("button[type=submit]")
        page.goto(base + "/works/1/chapters/5")
        page.screenshot(path=HERE / "chapter.png")
        page.goto(base + "/c/thursday-readers")
        page.screenshot(path=HERE / "dashboard.png", full_page=True)
        # Bringing one's own work: the preview of an archive EPUB download (our fixture),
        # left unconfirmed, so the demo's library is unchanged.
        page.goto(base + "/upload")
        page.get_by_label("Circle name").fill("Lamp club")
        page.set_input_files("input[type=file]", FIXTURES / "lamplighters_ledger.epub")
        page.get_by_role("button", name="Upload and preview").click()
        page.get_by_role("button", name="Confirm and import").wait_for(timeout=30_000)
        page.screenshot(path=HERE / "upload.png", full_page=True)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000")
