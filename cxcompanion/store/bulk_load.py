"""Bulk loading: a first import of a team's history without index upkeep on every row.

Inserting a million contacts into four B-trees and a full-text index at random places costs
several times the inserts themselves (every commit rewrites most index pages). For a
first import the secondary contact indexes are dropped, the rows go in, and the indexes are
built once at the end from sorted data; the search index is rebuilt once, too. The index
definitions are kept in `meta` while they are away, so a crash in between loses nothing: the
next import (or `finish`) builds them again. While a bulk load runs, queries that name an
index (INDEXED BY) must use `without_index_hints()`.
"""

from __future__ import annotations

import json
import re

from cxcompanion.store.database import Store

_FLAG = "bulk_load_indexes"
# The secondary indexes of the contacts table; the primary key stays (imports look ids up).
_DROPPED = ("contacts_by_time", "contacts_by_customer", "contacts_by_agent")
_REBUILD_SEARCH = (
    "INSERT INTO contacts_fts (rowid, detail, notes, ideas) "
    "SELECT c.rowid, c.detail, c.notes, coalesce((SELECT group_concat(i.text, char(10)) "
    "FROM ideas i WHERE i.contact_id = c.id AND i.deleted = 0), '') "
    "FROM contacts c WHERE c.deleted = 0 AND c.agent <> ''"
)
_HINT = re.compile(r"\s+INDEXED BY\s+(" + "|".join(_DROPPED) + r")\b")


def in_bulk_load(store: Store) -> bool:
    return store.meta(_FLAG) is not None


def begin(store: Store) -> None:
    """Drop the secondary contact indexes (their definitions kept in meta)."""
    if in_bulk_load(store):
        return  # a bulk load that did not finish (a crash): go on with it
    with store.transaction() as conn:
        definitions = dict(
            conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN "
                f"({', '.join('?' * len(_DROPPED))})",
                _DROPPED,
            ).fetchall()
        )
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)", (_FLAG, json.dumps(definitions))
        )
        for name in definitions:
            conn.execute(f"DROP INDEX {name}")


def finish(store: Store) -> None:
    """Build the indexes and the search index again; the store is as if loaded row by row."""
    saved = store.meta(_FLAG)
    if saved is None:
        return
    with store.transaction() as conn:
        for name, sql in json.loads(saved).items():
            if (
                conn.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)
                ).fetchone()
                is None
            ):
                conn.execute(sql)
        conn.execute("DELETE FROM contacts_fts")
        conn.execute(_REBUILD_SEARCH)
        conn.execute("DELETE FROM meta WHERE key = ?", (_FLAG,))


def without_index_hints(sql: str) -> str:
    """`sql` without INDEXED BY for an index a bulk load has dropped."""
    return _HINT.sub("", sql)
