"""Reads for the team review that run on a pool thread, each on its own connection (sqlite3
connections stay on the thread that made them), and that a newer read may interrupt."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cxcompanion.store.database import Store
from cxcompanion.store.team_review import TeamReview


class InterruptibleRead:
    """One read on a pool thread, with its own connection, that a newer read may interrupt."""

    def __init__(self, path: Path, work: Callable[[TeamReview], Any]):
        self.path, self.work = path, work
        self._lock = threading.Lock()
        self._conn = None
        self.cancelled = False

    def __call__(self) -> Any:
        store = Store(self.path)
        try:
            with self._lock:
                if self.cancelled:
                    return None
                self._conn = store.conn
            return self.work(TeamReview(store))
        finally:
            with self._lock:
                self._conn = None
            store.close()

    def cancel(self) -> None:
        with self._lock:
            self.cancelled = True
            if self._conn is not None:
                self._conn.interrupt()  # the one sqlite3 call meant for another thread
