"""The outbox: this installation's changes waiting to be published (filled by triggers)."""

from __future__ import annotations

from cxcompanion.store.database import Store


class Outbox:
    def __init__(self, store: Store):
        self.store = store

    def waiting(self, limit: int) -> list[tuple[int, str]]:
        """The oldest unpublished (seq, payload JSON) rows, a contiguous run of seqs."""
        rows = self.store.conn.execute(
            "SELECT seq, payload FROM outbox WHERE segment IS NULL ORDER BY seq LIMIT ?",
            (limit,),
        ).fetchall()
        run = rows[:1]
        for row in rows[1:]:
            if row[0] != run[-1][0] + 1:
                break
            run.append(row)
        return run

    def payloads(self, first: int, last: int) -> list[str]:
        return [
            r[0]
            for r in self.store.conn.execute(
                "SELECT payload FROM outbox WHERE seq BETWEEN ? AND ? ORDER BY seq", (first, last)
            )
        ]

    def mark_published(self, first: int, last: int, segment: str, size: int) -> None:
        with self.store.transaction() as conn:
            conn.execute(
                "UPDATE outbox SET segment = ? WHERE seq BETWEEN ? AND ?", (segment, first, last)
            )
            conn.execute(
                "INSERT OR REPLACE INTO sync_published (name, first_seq, last_seq, size) "
                "VALUES (?, ?, ?, ?)",
                (segment, first, last, size),
            )

    def reserve(self, segment: str, first: int, last: int, size: int) -> None:
        """Write down a segment before it is placed on the share: if it is never confirmed
        and goes missing, the same range is published again under the same name."""
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO sync_published (name, first_seq, last_seq, size) "
                "VALUES (?, ?, ?, ?)",
                (segment, first, last, size),
            )

    def reservation(self, first: int) -> tuple[str, int] | None:
        """(name, last seq) of a segment written down as starting at `first`, if any."""
        row = self.store.conn.execute(
            "SELECT name, last_seq FROM sync_published WHERE first_seq = ?", (first,)
        ).fetchone()
        return None if row is None else (row[0], row[1])

    def published(self) -> list[tuple[str, int, int, int]]:
        """(name, first seq, last seq, size) of every segment this writer published."""
        return self.store.conn.execute(
            "SELECT name, first_seq, last_seq, size FROM sync_published ORDER BY first_seq"
        ).fetchall()

    def count_waiting(self) -> int:
        return self.store.conn.execute(
            "SELECT count(*) FROM outbox WHERE segment IS NULL"
        ).fetchone()[0]
