"""The profile's one SQLite file: connection settings, schema version and transactions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from cxcompanion.store.errors import NewerDatabaseError, StoreError, StoreNotWritableError
from cxcompanion.store.migrations import SCHEMA_VERSION, migrate

if TYPE_CHECKING:
    import sqlite_utils

DATABASE_NAME = "cxcompanion.sqlite3"


class Store:
    """One connection to the profile's database, used on the thread that opened it.

    WAL lets readers (a worker computing metrics) run beside the writer; synchronous=FULL
    makes a committed contact survive a power cut, not only a crash of the app.
    """

    def __init__(self, path: Path | str):
        self.path = Path(path)
        try:
            self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=10)
        except sqlite3.OperationalError as exc:
            raise StoreNotWritableError(
                f"Cannot open the database {self.path} ({exc}); "
                "check that the profile folder exists and is writable."
            ) from None
        try:
            self._configure()
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise _known_error(exc, self.path) from None
        except BaseException:
            self.conn.close()
            raise
        self._utils_db: sqlite_utils.Database | None = None

    def _configure(self) -> None:
        conn = self.conn
        found = conn.execute("PRAGMA user_version").fetchone()[0]
        if found > SCHEMA_VERSION:
            raise NewerDatabaseError(self.path, found, SCHEMA_VERSION)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        if found < SCHEMA_VERSION:
            migrate(conn, found)

    @property
    def db(self) -> sqlite_utils.Database:
        """A sqlite-utils view of the same connection, for introspection and bulk work."""
        if self._utils_db is None:
            import sqlite_utils

            self._utils_db = sqlite_utils.Database(self.conn)
        return self._utils_db

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing writes: BEGIN IMMEDIATE takes the write lock up front."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise _known_error(exc, self.path) from None
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            self._rollback()
            raise _known_error(exc, self.path) from None
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        # SQLite has already rolled back by itself after some errors (a full disk, for one);
        # a second ROLLBACK would raise and hide the message the user needs.
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def set_meta(self, values: dict[str, str]) -> None:
        with self.transaction() as conn:
            conn.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                values.items(),
            )

    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def integrity_check(self) -> str:
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0]

    def close(self) -> None:
        self.conn.close()


def _known_error(exc: sqlite3.DatabaseError, path: Path) -> StoreError:
    """Translate the SQLite failures a user can meet; anything else is a bug and re-raised."""
    message = str(exc).lower()
    if "readonly" in message or "unable to open" in message or "read-only" in message:
        return StoreNotWritableError(
            f"Cannot write to {path}: the folder or file is read-only. "
            "Choose a writable profile folder with --profile."
        )
    if "disk is full" in message or "database or disk is full" in message:
        return StoreError(f"The disk holding {path} is full; free some space and try again.")
    if "not a database" in message or "malformed" in message:
        return StoreError(
            f"{path} is not a CX Companion database or is damaged; "
            "move it aside and start again, or restore a backup."
        )
    if "locked" in message or "busy" in message:
        return StoreError(
            f"{path} is busy: an import or a sync is writing to it, in this window or another "
            "CX Companion window; try again when it has finished."
        )
    raise exc
