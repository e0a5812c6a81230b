"""The half-typed contact, written as it is typed so that a crash or restart loses nothing."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from cxcompanion.store.database import Store

# One draft per installation: the form being typed. The id is fixed so a save replaces it.
CURRENT = "current"


class DraftStore:
    def __init__(self, store: Store):
        self.store = store

    def save(self, body: dict[str, Any], *, writer: str, updated_at: str) -> None:
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT INTO drafts (id, writer, revision, updated_at, deleted, body) "
                "VALUES (?, ?, 1, ?, 0, ?) ON CONFLICT (id) DO UPDATE SET "
                "revision = drafts.revision + 1, updated_at = excluded.updated_at, "
                "deleted = 0, body = excluded.body, writer = excluded.writer",
                (CURRENT, writer, updated_at, json.dumps(body, ensure_ascii=False)),
            )

    def load(self) -> dict[str, Any] | None:
        row = self.store.conn.execute(
            "SELECT body FROM drafts WHERE id = ? AND deleted = 0", (CURRENT,)
        ).fetchone()
        if row is None:
            return None
        try:
            body = json.loads(row[0])
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def clear(self, *, updated_at: str) -> None:
        with self.store.transaction() as conn:
            self.clear_in(conn, updated_at=updated_at)

    @staticmethod
    def clear_in(conn: sqlite3.Connection, *, updated_at: str) -> None:
        """Clear the draft inside a transaction the caller holds."""
        conn.execute(
            "UPDATE drafts SET deleted = 1, revision = revision + 1, updated_at = ?, "
            "body = '{}' WHERE id = ? AND deleted = 0",
            (updated_at, CURRENT),
        )
