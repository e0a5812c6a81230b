"""Contacts and their ideas in the store, with the full-text index kept in step."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from cxcompanion.domain.enums import Channel, Outcome, Verdict
from cxcompanion.domain.records import Contact, Envelope, Idea
from cxcompanion.store.database import Store

_CONTACT_COLUMNS = (
    "id, writer, revision, updated_at, deleted, agent, at, channel, purpose, detail, outcome, "
    "verdict, prior_contacts, prior_channels, customer_hash, cancel_intent, cancel_reason, "
    "stayed, mood_start, mood_end, notes"
)
_UPDATE_ASSIGNMENTS = ", ".join(f"{c.strip()} = ?" for c in _CONTACT_COLUMNS.split(",")[1:])
_SUMMARY_COLUMNS = (
    "c.rowid, c.id, c.at, c.channel, c.purpose, c.outcome, c.verdict, c.detail, "
    "c.cancel_intent, c.stayed, "
    "(SELECT count(*) FROM ideas i WHERE i.contact_id = c.id AND i.deleted = 0)"
)


@dataclass(frozen=True)
class ContactSummary:
    """One line of a contact list: enough to show and find it, fetched a page at a time."""

    rowid: int
    id: str
    at: str
    channel: str
    purpose: str
    outcome: str
    verdict: str
    detail: str
    cancel_intent: bool
    stayed: bool | None
    idea_count: int


# A position in a listing, to fetch the page after it without OFFSET (which re-reads
# every earlier row and gets slower the further one scrolls).
Cursor = tuple[str, int]


class ContactStore:
    def __init__(self, store: Store):
        self.store = store
        self.conn = store.conn

    def insert(
        self, contact: Contact, *, also: Callable[[sqlite3.Connection], None] | None = None
    ) -> None:
        self.insert_many([contact], also=also)

    def insert_many(
        self,
        contacts: list[Contact],
        *,
        also: Callable[[sqlite3.Connection], None] | None = None,
    ) -> None:
        """Save new contacts in one transaction: all of them or, on failure, none.

        `also` runs inside the same transaction (clearing the draft the contact came from,
        so a crash can never leave both the saved contact and its draft behind).
        """
        with self.store.transaction() as conn:
            for contact in contacts:
                self._insert(conn, contact)
            if also is not None:
                also(conn)

    def _insert(self, conn: sqlite3.Connection, contact: Contact) -> None:
        cur = conn.execute(
            f"INSERT INTO contacts ({_CONTACT_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _contact_row(contact),
        )
        self._write_ideas(conn, contact)
        self._index(conn, cur.lastrowid, contact)

    def replace(self, contact: Contact) -> None:
        """Store a new revision of an existing contact (amend, delete): all or nothing."""
        with self.store.transaction() as conn:
            row = conn.execute("SELECT rowid FROM contacts WHERE id = ?", (contact.id,)).fetchone()
            if row is None:
                raise KeyError(contact.id)
            # An UPDATE, not REPLACE: REPLACE deletes and re-inserts, which would skip the
            # triggers that keep the live-contact count.
            values = _contact_row(contact)
            conn.execute(
                f"UPDATE contacts SET {_UPDATE_ASSIGNMENTS} WHERE rowid = ?",
                (*values[1:], row[0]),
            )
            kept = {idea.id for idea in contact.ideas}
            # Ideas left out of the new revision are tombstoned, never erased (sync relies
            # on tombstones; absence is never read as deletion).
            for idea_id, revision in conn.execute(
                "SELECT id, revision FROM ideas WHERE contact_id = ? AND deleted = 0",
                (contact.id,),
            ).fetchall():
                if idea_id not in kept:
                    conn.execute(
                        "UPDATE ideas SET deleted = 1, revision = ?, updated_at = ?, writer = ? "
                        "WHERE id = ?",
                        (
                            revision + 1,
                            contact.envelope.updated_at,
                            contact.envelope.writer,
                            idea_id,
                        ),
                    )
            self._write_ideas(conn, contact)
            conn.execute("DELETE FROM contacts_fts WHERE rowid = ?", (row[0],))
            if not contact.deleted:
                self._index(conn, row[0], contact)

    def get(self, contact_id: str, *, include_deleted: bool = False) -> Contact | None:
        row = self.conn.execute(
            f"SELECT {_CONTACT_COLUMNS} FROM contacts WHERE id = ?", (contact_id,)
        ).fetchone()
        if row is None or (row[4] and not include_deleted) or not row[5]:
            return None  # agent '': what an agent's store keeps of a colleague's contact
        ideas = tuple(
            Idea(Envelope(*r[:4], bool(r[4])), r[5], r[6], r[7])
            for r in self.conn.execute(
                "SELECT id, writer, revision, updated_at, deleted, contact_id, text, area "
                "FROM ideas WHERE contact_id = ? AND deleted = 0 ORDER BY id",
                (contact_id,),
            )
        )
        return _contact_from_row(row, ideas)

    def count(self, search: str = "", *, agent: str | None = None) -> int:
        """Live contacts of `agent` (None: every person's), optionally matching a search."""
        query = fts_query(search)
        if query is None:
            if agent is not None and agent == self.store.meta("name"):
                # Kept by triggers: counting a million rows on every save would take ~60 ms.
                return self.conn.execute("SELECT live FROM contact_count").fetchone()[0]
            if agent is None:
                return self.conn.execute(
                    "SELECT count(*) FROM contacts WHERE deleted = 0 AND agent <> ''"
                ).fetchone()[0]
            return self.conn.execute(
                "SELECT count(*) FROM contacts WHERE deleted = 0 AND agent = ?", (agent,)
            ).fetchone()[0]
        return self.conn.execute(
            "SELECT count(*) FROM contacts_fts f JOIN contacts c ON c.rowid = f.rowid "
            "WHERE contacts_fts MATCH ? AND c.deleted = 0 AND (? IS NULL OR c.agent = ?)",
            (query, agent, agent),
        ).fetchone()[0]

    def page(
        self,
        *,
        search: str = "",
        after: Cursor | None = None,
        limit: int = 200,
        agent: str | None = None,
    ) -> list[ContactSummary]:
        """The next `limit` contacts of `agent` (None: every person's), newest first,
        optionally matching a search.

        Without a search, contacts come in the order they happened. With one, they come in
        the order they were logged (FTS5 walks its rowids backwards without sorting, which
        keeps a search over a million contacts fast even for a common word). Colleagues'
        contacts an agent's store keeps for repeat detection (agent '') are never listed.
        """
        query = fts_query(search)
        who = "c.agent <> ''" if agent is None else "c.agent = :agent"
        params = {"agent": agent, "limit": limit}
        if query is None:
            where = f"c.deleted = 0 AND {who}"
            if after is not None:
                where += " AND (c.at < :at OR (c.at = :at AND c.rowid < :rowid))"
                params.update(at=after[0], rowid=after[1])
            rows = self.conn.execute(
                f"SELECT {_SUMMARY_COLUMNS} FROM contacts c WHERE {where} "
                "ORDER BY c.at DESC, c.rowid DESC LIMIT :limit",
                params,
            )
        else:
            params.update(query=query, below=after[1] if after is not None else 1 << 62)
            rows = self.conn.execute(
                f"SELECT {_SUMMARY_COLUMNS} FROM contacts_fts f "
                "JOIN contacts c ON c.rowid = f.rowid "
                f"WHERE contacts_fts MATCH :query AND f.rowid < :below AND {who} "
                "ORDER BY f.rowid DESC LIMIT :limit",
                params,
            )
        return [_summary(r) for r in rows]

    def all_ids(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT id FROM contacts WHERE deleted = 0")]

    def _write_ideas(self, conn: sqlite3.Connection, contact: Contact) -> None:
        conn.executemany(
            "INSERT INTO ideas (id, writer, revision, updated_at, deleted, contact_id, text, area) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
            "writer = excluded.writer, revision = excluded.revision, "
            "updated_at = excluded.updated_at, deleted = excluded.deleted, "
            "text = excluded.text, area = excluded.area "
            "WHERE excluded.text IS NOT ideas.text OR excluded.area IS NOT ideas.area "
            "OR excluded.deleted IS NOT ideas.deleted",
            [
                (
                    idea.id,
                    idea.envelope.writer,
                    idea.envelope.revision,
                    idea.envelope.updated_at,
                    int(idea.envelope.deleted or contact.deleted),
                    contact.id,
                    idea.text,
                    idea.area,
                )
                for idea in contact.ideas
            ],
        )

    @staticmethod
    def _index(conn: sqlite3.Connection, rowid: int | None, contact: Contact) -> None:
        conn.execute(
            "INSERT INTO contacts_fts (rowid, detail, notes, ideas) VALUES (?, ?, ?, ?)",
            (rowid, contact.detail, contact.notes, "\n".join(i.text for i in contact.ideas)),
        )


def fts_query(search: str) -> str | None:
    """An FTS5 query from what a person typed: every word must match, the last as a prefix.

    Each word is quoted, so FTS5 operators and punctuation typed by the user are read as
    text, never as query syntax (a stray `"` or `AND` must not raise or change meaning).
    """
    words = [w.replace('"', "") for w in search.split()]
    words = [w for w in words if w]
    if not words:
        return None
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def _contact_row(c: Contact) -> tuple[object, ...]:
    e = c.envelope
    return (
        e.id,
        e.writer,
        e.revision,
        e.updated_at,
        int(e.deleted),
        c.agent,
        c.at,
        c.channel.value,
        c.purpose,
        c.detail,
        c.outcome.value,
        c.verdict.value,
        c.prior_contacts,
        ",".join(ch.value for ch in c.prior_channels),
        c.customer_hash,
        int(c.cancel_intent),
        c.cancel_reason,
        None if c.stayed is None else int(c.stayed),
        c.mood_start,
        c.mood_end,
        c.notes,
    )


def _contact_from_row(row: tuple, ideas: tuple[Idea, ...]) -> Contact:
    return Contact(
        envelope=Envelope(row[0], row[1], row[2], row[3], bool(row[4])),
        agent=row[5],
        at=row[6],
        channel=Channel(row[7]),
        purpose=row[8],
        detail=row[9] or "",
        outcome=Outcome(row[10]),
        verdict=Verdict(row[11]),
        prior_contacts=row[12],
        prior_channels=tuple(Channel(c) for c in (row[13] or "").split(",") if c),
        customer_hash=row[14],
        cancel_intent=bool(row[15]),
        cancel_reason=row[16],
        stayed=None if row[17] is None else bool(row[17]),
        mood_start=row[18],
        mood_end=row[19],
        notes=row[20] or "",
        ideas=ideas,
    )


def _summary(r: tuple) -> ContactSummary:
    return ContactSummary(
        rowid=r[0],
        id=r[1],
        at=r[2],
        channel=r[3],
        purpose=r[4],
        outcome=r[5],
        verdict=r[6],
        detail=r[7] or "",
        cancel_intent=bool(r[8]),
        stayed=None if r[9] is None else bool(r[9]),
        idea_count=r[10],
    )


def iter_contacts(store: Store, search: str = "", batch: int = 500, *, agent: str | None = None):
    """Every live contact of `agent` (None: everyone's), newest first, streamed in batches."""
    contacts = ContactStore(store)
    after: Cursor | None = None
    while True:
        summaries = contacts.page(search=search, after=after, limit=batch, agent=agent)
        if not summaries:
            return
        ids = [s.id for s in summaries]
        marks = ",".join("?" * len(ids))
        rows = {
            r[0]: r
            for r in store.conn.execute(
                f"SELECT {_CONTACT_COLUMNS} FROM contacts WHERE id IN ({marks})", ids
            )
        }
        ideas: dict[str, list[Idea]] = {}
        for r in store.conn.execute(
            "SELECT id, writer, revision, updated_at, deleted, contact_id, text, area FROM ideas "
            f"WHERE deleted = 0 AND contact_id IN ({marks}) ORDER BY id",
            ids,
        ):
            ideas.setdefault(r[5], []).append(Idea(Envelope(*r[:4], bool(r[4])), r[5], r[6], r[7]))
        for contact_id in ids:
            yield _contact_from_row(rows[contact_id], tuple(ideas.get(contact_id, ())))
        last = summaries[-1]
        after = (last.at, last.rowid)
