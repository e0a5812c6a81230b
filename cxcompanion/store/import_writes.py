"""Writing an import's new contacts set-based, inside the one transaction the import holds.

Per row, the INSERT triggers of contacts and ideas (outbox, live count) cost more than the
row itself. While an import writes, they are dropped and each batch gets one statement per
trigger instead: the trigger's own body as an INSERT … SELECT (or UPDATE … sum) over the
rowids the batch just took, in rowid order, so the outbox holds the same rows, sequence
numbers and payload bytes as the triggers would have written. For a large import (more new
rows than the table held), the secondary contact indexes are dropped too, and the search
index of the new rows is written in one statement at the end. Everything is put back from
its saved sqlite_master SQL before the import commits; a ROLLBACK puts it back by itself.
A trigger of a shape this module does not know leaves the import on the per-row triggers.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from typing import Any

from cxcompanion.store.contacts import _CONTACT_COLUMNS

BULK_ROWS = 100_000  # new rows from which a large import drops indexes (and they pay back)
SET_BASED = True  # False: the triggers fire row by row, nothing is dropped (tests compare)
_TABLES = ("contacts", "ideas")
_SECONDARY = ("contacts_by_time", "contacts_by_customer", "contacts_by_agent")
_ON_INSERT = re.compile(r"^CREATE\s+TRIGGER\s+\w+\s+(?:AFTER\s+|BEFORE\s+)?INSERT\b", re.I)
_OUTBOX = re.compile(
    r"^CREATE TRIGGER \w+ AFTER INSERT ON (\w+) WHEN (.+) BEGIN "
    r"(INSERT INTO outbox \([\w, ]+\)) VALUES \((.+)\); END$",
    re.S,
)
_COUNTER = re.compile(
    r"^CREATE TRIGGER \w+ AFTER INSERT ON (\w+) WHEN (.+) BEGIN "
    r"UPDATE (\w+) SET (\w+) = \4 \+ \((.+)\); END$",
    re.S,
)
_INSERT_CONTACTS = f"INSERT INTO contacts ({_CONTACT_COLUMNS}) VALUES ({', '.join('?' * 21)})"
_INSERT_IDEAS = (
    "INSERT INTO ideas (id, writer, revision, updated_at, deleted, contact_id, text, area) "
    "VALUES (?, ?, ?, ?, 0, ?, ?, ?)"
)
_SEARCH_ROW = "INSERT INTO contacts_fts (rowid, detail, notes, ideas) VALUES (?, ?, ?, ?)"
_SEARCH_FROM = (
    "INSERT INTO contacts_fts (rowid, detail, notes, ideas) "
    "SELECT c.rowid, c.detail, c.notes, coalesce((SELECT group_concat(i.text, char(10)) "
    "FROM ideas i WHERE i.contact_id = c.id), '') FROM contacts c WHERE c.rowid >= ? "
    "ORDER BY c.rowid"
)


def set_based(sql: str) -> tuple[str, str] | None:
    """(table, a statement over the rowids ? .. ? of `table`) doing what the INSERT trigger
    `sql` does row by row, or None for a trigger of another shape."""
    found = _OUTBOX.match(sql)
    if found is not None:
        table, when, insert, values = found.groups()
        select = f"SELECT {_new(values)} FROM {table} AS n WHERE n.rowid BETWEEN ? AND ? "
        return table, f"{insert} {select}AND ({_new(when)}) ORDER BY n.rowid"
    found = _COUNTER.match(sql)
    if found is not None:
        table, when, target, column, amount = found.groups()
        total = (
            f"SELECT sum({_new(amount)}) FROM {table} AS n WHERE n.rowid BETWEEN ? AND ? "
            f"AND ({_new(when)})"
        )
        return table, f"UPDATE {target} SET {column} = {column} + coalesce(({total}), 0)"
    return None


def _new(sql: str) -> str:
    return re.sub(r"\bNEW\.", "n.", sql)


class ContactWriter:
    """New contacts of one import; `finish` before the import commits."""

    def __init__(self, conn: sqlite3.Connection, *, bulk_rows: int | None = None):
        self.conn = conn
        self.bulk_rows = BULK_ROWS if bulk_rows is None else bulk_rows
        self.triggers: list[tuple[str, str]] = []  # (name, sql) of the triggers replaced
        self.statements: dict[str, list[str]] = {table: [] for table in _TABLES}
        self.set_based = SET_BASED
        triggers = conn.execute(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' AND "
            f"tbl_name IN ({', '.join('?' * len(_TABLES))}) ORDER BY rowid",
            _TABLES,
        ).fetchall()
        for name, table, sql in triggers if self.set_based else ():
            if not _ON_INSERT.match(sql):
                continue
            found = set_based(sql)
            if found is None or found[0] != table:  # unknown: INSERT triggers stay, per row
                self.triggers, self.statements = [], {}
                break
            self.triggers.append((name, sql))
            self.statements[found[0]].append(found[1])
        self.dropped = False
        self.indexes: list[tuple[str, str]] = []  # dropped for a large import: (name, sql)
        self.search_from: int | None = None  # first rowid whose search row is still to write
        self.held = self._top("contacts")
        self.inserted = 0

    def insert(self, rows: Sequence[tuple[Any, ...]], ideas: Sequence[tuple[Any, ...]]) -> None:
        """New contact rows (store.contacts column order) and idea rows (id, writer,
        revision, updated_at, contact_id, text, area), with their outbox and search rows."""
        if not rows:
            return
        conn = self.conn
        if self.triggers and not self.dropped:
            for name, _sql in self.triggers:
                conn.execute(f"DROP TRIGGER {name}")
            self.dropped = True
        if (
            self.set_based
            and self.search_from is None
            and self.inserted >= max(self.bulk_rows, self.held)
        ):
            self._go_large()
        base = self._top("contacts")
        conn.executemany(_INSERT_CONTACTS, rows)
        for statement in self.statements.get("contacts", ()):
            conn.execute(statement, (base + 1, base + len(rows)))
        if ideas:
            first = self._top("ideas") + 1
            conn.executemany(_INSERT_IDEAS, ideas)
            for statement in self.statements.get("ideas", ()):
                conn.execute(statement, (first, first + len(ideas) - 1))
        if self.search_from is None:
            texts: dict[str, list[str]] = {}
            for idea in ideas:
                texts.setdefault(idea[4], []).append(idea[5])
            conn.executemany(
                _SEARCH_ROW,
                [
                    (base + n, row[9], row[20], "\n".join(texts.get(row[0], ())))
                    for n, row in enumerate(rows, start=1)
                ],
            )
        self.inserted += len(rows)

    def with_triggers(self) -> None:
        """Put the triggers back before other writes (updates of earlier imports' rows)."""
        if self.dropped:
            for _name, sql in self.triggers:
                self.conn.execute(sql)
            self.dropped = False

    def finish(self) -> None:
        conn = self.conn
        if self.search_from is not None:
            conn.execute(_SEARCH_FROM, (self.search_from,))
            self.search_from = None
        for _name, sql in self.indexes:
            conn.execute(sql)
        self.indexes = []
        self.with_triggers()

    def _go_large(self) -> None:
        self.indexes = self.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'contacts' "
            f"AND name IN ({', '.join('?' * len(_SECONDARY))}) ORDER BY rowid",
            _SECONDARY,
        ).fetchall()
        for name, _sql in self.indexes:
            self.conn.execute(f"DROP INDEX {name}")
        self.search_from = self._top("contacts") + 1

    def _top(self, table: str) -> int:
        return self.conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}").fetchone()[0]
