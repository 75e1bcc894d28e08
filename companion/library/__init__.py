"""The library: storing imported works, their versions, and who may read them.

`store_work` is the one way a parsed `WorkData` becomes rows (the CLI, the background
import job, the demo and `warnings eval` all call it); `access` decides which works a
person may see.
"""

from __future__ import annotations

from .store import StoreResult, store_work

__all__ = ["StoreResult", "store_work"]
