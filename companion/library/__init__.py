"""The library: storing imported works, their versions, and who may read them.

`store_work` is the one way a parsed `WorkData` becomes rows (the CLI, the background
import job, the demo and `warnings eval` all call it), a new work or the next version of
one; `anchors` works out where a re-imported text's old paragraphs went, so comments,
spoiler levels, places and flags follow them; `access` decides which works a person may
see.
"""

from __future__ import annotations

from .store import StoreResult, store_work

__all__ = ["StoreResult", "store_work"]
