"""The lead workspace's records (coaching notes and replies, evaluations, idea decisions):
writing a new revision of one, and reading them back as plain rows.

Each table carries the sync envelope; its outbox triggers publish what this installation
writes (migration 7), and sync imports the rest, so writing is all this module does.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from cxcompanion.store.database import Store
from cxcompanion.store.migrations import LEAD_WORKSPACE_TABLES

_ENVELOPE = ("id", "writer", "revision", "updated_at", "deleted")


def columns(table: str) -> tuple[str, ...]:
    return (*_ENVELOPE, *LEAD_WORKSPACE_TABLES[table][1])


def write(
    store: Store,
    table: str,
    record_id: str,
    values: Mapping[str, Any],
    *,
    writer: str,
    stamp: str,
    deleted: bool = False,
) -> int:
    """Store `values` as the next revision of `record_id` (1 if new); its revision."""
    body = LEAD_WORKSPACE_TABLES[table][1]
    unknown = set(values) - set(body)
    if unknown:
        raise KeyError(f"{table} has no column {sorted(unknown)[0]}")
    with store.transaction() as conn:
        row = conn.execute(f"SELECT revision FROM {table} WHERE id = ?", (record_id,)).fetchone()
        revision = 1 if row is None else row[0] + 1
        names = columns(table)
        data = {
            **dict.fromkeys(body),
            **(dict(_current(conn, table, record_id)) if row is not None else {}),
            **values,
            "id": record_id,
            "writer": writer,
            "revision": revision,
            "updated_at": stamp,
            "deleted": int(deleted),
        }
        marks = ", ".join("?" * len(names))
        sets = ", ".join(f"{n} = excluded.{n}" for n in names[1:])
        conn.execute(
            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks}) "
            f"ON CONFLICT (id) DO UPDATE SET {sets}",
            [data[n] for n in names],
        )
    return revision


def _current(conn: sqlite3.Connection, table: str, record_id: str) -> dict[str, Any]:
    body = LEAD_WORKSPACE_TABLES[table][1]
    row = conn.execute(f"SELECT {', '.join(body)} FROM {table} WHERE id = ?", (record_id,))
    return dict(zip(body, row.fetchone(), strict=True))


def rows(
    store: Store, table: str, where: str = "", params: Any = (), order: str = "updated_at"
) -> list[dict[str, Any]]:
    """Live rows of `table` as dicts, filtered by an SQL condition on its columns."""
    names = columns(table)
    condition = "deleted = 0" + (f" AND ({where})" if where else "")
    cursor = store.conn.execute(
        f"SELECT {', '.join(names)} FROM {table} WHERE {condition} ORDER BY {order}", params
    )
    return [dict(zip(names, r, strict=True)) for r in cursor]


def get(store: Store, table: str, record_id: str) -> dict[str, Any] | None:
    found = rows(store, table, "id = ?", (record_id,))
    return found[0] if found else None
