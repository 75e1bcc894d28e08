"""`companion demo`: an idempotent sample setup on the seed work."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from .database import upgrade
from .importers import load

SEED = "000_7177a6315aa087ac.txt"


def setup() -> list[str]:
    from .cli import import_work

    upgrade()
    work, created = import_work(load(Path(current_app.config["SEEDS_DIR"]) / SEED))
    verb = "Imported" if created else "Found"
    chapters = len(work.chapters)
    return [f"{verb} the sample work: {work.title!r}, {chapters} chapters (work {work.id})"]
