"""Bulk loading: a first import of a team's history without index upkeep on every row.

Inserting a million contacts into four B-trees and a full-text index at random places costs
several times the inserts themselves (every commit rewrites most index pages). For a
first import the secondary contact indexes are dropped, the rows go in, and the indexes are
built once at the end from sorted data; the search index is rebuilt once, too. The index
definitions are kept in `meta` while they are away, so a crash in between loses nothing: the
next import (or `finish`) builds them again. While a bulk load runs, queries that name an
index (INDEXED BY) must use `without_index_hints()`. Each import transaction of a bulk load
goes without the per-row triggers an import does not need (`quiet_triggers`). The search
index is written after the indexes, in short transactions, by `catch_up_search` (sync runs
it after each import).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from cxcompanion.store.database import Store

_FLAG = "bulk_load_indexes"
_SEARCH = "bulk_load_search"  # {"next": rowid, "end": rowid}: search index still to write
SEARCH_CHUNK = 20_000  # contacts per transaction (~0.5 s): the write lock is soon free again
# The secondary indexes of the contacts table; the primary key stays (imports look ids up).
_DROPPED = ("contacts_by_time", "contacts_by_customer", "contacts_by_agent")
_REBUILD_SEARCH = (
    "INSERT INTO contacts_fts (rowid, detail, notes, ideas) "
    "SELECT c.rowid, c.detail, c.notes, coalesce((SELECT group_concat(i.text, char(10)) "
    "FROM ideas i WHERE i.contact_id = c.id AND i.deleted = 0), '') "
    "FROM contacts c WHERE c.deleted = 0 AND c.agent <> ''"
)
# Per-row triggers an import transaction never needs: imported records are other writers'
# (never published from here), and the live-contact count is counted again at the end.
_QUIET_TRIGGERS = (
    "outbox_contacts_insert", "outbox_contacts_update", "outbox_ideas_insert",
    "outbox_ideas_update", "contact_count_insert", "contact_count_update",
)  # fmt: skip
_RECOUNT = (
    "UPDATE contact_count SET live = (SELECT count(*) FROM contacts "
    "WHERE deleted = 0 AND agent = (SELECT value FROM meta WHERE key = 'name'))"
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


@contextmanager
def quiet_triggers(conn: sqlite3.Connection) -> Iterator[None]:
    """Inside ONE import transaction of a bulk load: the triggers of `_QUIET_TRIGGERS` are
    dropped, and created again before the transaction ends. No other connection ever sees
    them missing (a change made on the PC meanwhile still reaches the outbox); a failure
    rolls the drop back with the rest. `finish` counts the live contacts again."""
    saved = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN "
        f"({', '.join('?' * len(_QUIET_TRIGGERS))})",
        _QUIET_TRIGGERS,
    ).fetchall()
    for name, _sql in saved:
        conn.execute(f"DROP TRIGGER {name}")
    yield  # on an exception the transaction is rolled back: the triggers come back with it
    for _name, sql in saved:
        conn.execute(sql)


def finish(store: Store) -> None:
    """Build the indexes again (a few seconds at a million contacts); the search index
    follows in short transactions (`catch_up_search`), so the team's contacts are there at
    once and the write lock is never held for the whole search index."""
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
        conn.execute(_RECOUNT)  # the count triggers were quiet while the rows went in
        top = conn.execute("SELECT coalesce(max(rowid), 0) FROM contacts").fetchone()[0]
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
            "value = json_set(value, '$.end', max(json_extract(value, '$.end'), ?))",
            (_SEARCH, json.dumps({"next": 0, "end": top + 1}), top + 1),
        )
        conn.execute("DELETE FROM meta WHERE key = ?", (_FLAG,))


def search_pending(store: Store) -> tuple[int, int] | None:
    """(next rowid, end) of the search index still to be written, or None."""
    saved = store.meta(_SEARCH)
    if saved is None:
        return None
    state = json.loads(saved)
    return int(state["next"]), int(state["end"])


def catch_up_search(
    store: Store,
    *,
    chunk: int = SEARCH_CHUNK,
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the search index of a bulk-loaded range, one transaction per `chunk` rowids;
    the number of rowids done. Each range is deleted and written again from the contacts
    as they are now, so changes made meanwhile (saves, amends, later imports) stay right.

    `progress(done, total)` (rowids) is called before each transaction; it may raise to
    stop (a window closing): what is written stays, the rest waits for the next call."""
    done = 0
    started = search_pending(store)
    while (pending := search_pending(store)) is not None:
        low, end = pending
        if should_stop is not None and should_stop():
            break
        if progress is not None and started is not None:
            progress(low - started[0], max(end - started[0], 1))
        high = min(low + chunk, end)
        with store.transaction() as conn:
            conn.execute("DELETE FROM contacts_fts WHERE rowid >= ? AND rowid < ?", (low, high))
            conn.execute(_REBUILD_SEARCH + " AND c.rowid >= ? AND c.rowid < ?", (low, high))
            if high >= end:
                conn.execute("DELETE FROM meta WHERE key = ?", (_SEARCH,))
            else:
                conn.execute(
                    "UPDATE meta SET value = json_set(value, '$.next', ?) WHERE key = ?",
                    (high, _SEARCH),
                )
        done += high - low
    return done


def without_index_hints(sql: str) -> str:
    """`sql` without INDEXED BY for an index a bulk load has dropped."""
    return _HINT.sub("", sql)
