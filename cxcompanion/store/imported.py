"""Writing imported history and survey answers in bulk, inside a transaction the import holds.

An import is one transaction from its first row to its last (a failure or a cancel leaves
the store as it was), so these functions take the open connection instead of opening their
own transaction as ContactStore does. Ids are stable (derived from the source), so what
is already here is compared, not written again.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from cxcompanion.domain.records import Contact, Envelope
from cxcompanion.store.contacts import _CONTACT_COLUMNS, _contact_row

_CONTENT = slice(5, None)  # agent .. notes: what a contact says, without its envelope
_SURVEY_COLUMNS = (
    "id", "writer", "revision", "updated_at", "deleted", "contact_id", "agent", "answered_at",
    "customer_hash", "source_contact", "csat", "nps", "resolved", "comment",
)  # fmt: skip
_SURVEY_CONTENT = slice(5, None)


@dataclass(frozen=True)
class Stored:
    """What the store already holds under an id an import is about to write."""

    writer: str
    revision: int
    deleted: bool
    content: tuple[object, ...]
    ideas: frozenset[tuple[str, str]] = frozenset()


def existing_contacts(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, Stored]:
    ids_json = json.dumps(list(ids))
    ideas: dict[str, set[tuple[str, str]]] = {}
    for contact_id, text, area in conn.execute(
        "SELECT contact_id, text, area FROM ideas WHERE deleted = 0 AND contact_id IN "
        "(SELECT value FROM json_each(?))",
        (ids_json,),
    ):
        ideas.setdefault(contact_id, set()).add((text, area))
    return {
        row[0]: Stored(
            row[1], row[2], bool(row[4]), tuple(row[_CONTENT]), frozenset(ideas.get(row[0], ()))
        )
        for row in conn.execute(
            f"SELECT {_CONTACT_COLUMNS} FROM contacts WHERE id IN (SELECT value FROM json_each(?))",
            (ids_json,),
        )
    }


def update_contacts(conn: sqlite3.Connection, contacts: Sequence[Contact]) -> None:
    """New revisions of contacts an earlier import of the same source wrote."""
    from cxcompanion.store.contacts import _UPDATE_ASSIGNMENTS

    for contact in contacts:
        rowid = conn.execute("SELECT rowid FROM contacts WHERE id = ?", (contact.id,)).fetchone()[0]
        conn.execute(
            f"UPDATE contacts SET {_UPDATE_ASSIGNMENTS} WHERE rowid = ?",
            (*_contact_row(contact)[1:], rowid),
        )
        kept = {i.id for i in contact.ideas}
        stamp, writer = contact.envelope.updated_at, contact.envelope.writer
        for idea_id, revision in conn.execute(
            "SELECT id, revision FROM ideas WHERE contact_id = ? AND deleted = 0", (contact.id,)
        ).fetchall():
            if idea_id not in kept:  # tombstoned, never erased (sync reads no absence)
                conn.execute(
                    "UPDATE ideas SET deleted = 1, revision = ?, updated_at = ?, writer = ? "
                    "WHERE id = ?",
                    (revision + 1, stamp, writer, idea_id),
                )
        for idea in contact.ideas:
            conn.execute(
                "INSERT INTO ideas (id, writer, revision, updated_at, deleted, contact_id, text, "
                "area) VALUES (?, ?, ?, ?, 0, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                "writer = excluded.writer, revision = ideas.revision + 1, "
                "updated_at = excluded.updated_at, deleted = 0, text = excluded.text, "
                "area = excluded.area WHERE ideas.deleted = 1 OR excluded.text IS NOT ideas.text "
                "OR excluded.area IS NOT ideas.area",
                (idea.id, writer, 1, stamp, contact.id, idea.text, idea.area),
            )
        conn.execute("DELETE FROM contacts_fts WHERE rowid = ?", (rowid,))
        conn.execute(
            "INSERT INTO contacts_fts (rowid, detail, notes, ideas) VALUES (?, ?, ?, ?)",
            (rowid, contact.detail, contact.notes, "\n".join(i.text for i in contact.ideas)),
        )


def next_envelope(stored: Stored, envelope: Envelope) -> Envelope:
    return Envelope(envelope.id, envelope.writer, stored.revision + 1, envelope.updated_at)


# -- survey answers --------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyRow:
    """A survey answer as stored (see migration 6); `contact_id` None: not matched yet."""

    envelope: Envelope
    answered_at: str
    contact_id: str | None
    agent: str | None
    customer_hash: str | None
    source_contact: str | None
    csat: int | None
    nps: int | None
    resolved: bool | None
    comment: str

    def row(self) -> tuple[object, ...]:
        e = self.envelope
        return (
            e.id, e.writer, e.revision, e.updated_at, int(e.deleted), self.contact_id, self.agent,
            self.answered_at, self.customer_hash, self.source_contact, self.csat, self.nps,
            None if self.resolved is None else int(self.resolved), self.comment,
        )  # fmt: skip


def existing_surveys(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, Stored]:
    return {
        row[0]: Stored(row[1], row[2], bool(row[4]), tuple(row[_SURVEY_CONTENT]))
        for row in conn.execute(
            f"SELECT {', '.join(_SURVEY_COLUMNS)} FROM survey_answers "
            "WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(ids)),),
        )
    }


def survey_content(answer: SurveyRow) -> tuple[object, ...]:
    return answer.row()[_SURVEY_CONTENT]


def upsert_surveys(conn: sqlite3.Connection, answers: Sequence[SurveyRow]) -> None:
    names = ", ".join(_SURVEY_COLUMNS)
    sets = ", ".join(f"{c} = excluded.{c}" for c in _SURVEY_COLUMNS[1:])
    conn.executemany(
        f"INSERT INTO survey_answers ({names}) VALUES ({', '.join('?' * len(_SURVEY_COLUMNS))}) "
        f"ON CONFLICT (id) DO UPDATE SET {sets}",
        [a.row() for a in answers],
    )


def match_by_contact(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, str]:
    """Live contacts among `ids` -> their agent (slim rows of colleagues are not matches)."""
    return dict(
        conn.execute(
            "SELECT id, agent FROM contacts WHERE deleted = 0 AND agent <> '' AND id IN "
            "(SELECT value FROM json_each(?))",
            (json.dumps(list(ids)),),
        ).fetchall()
    )


def match_by_customer(
    conn: sqlite3.Connection, customer_hash: str, answered_at: str, window_days: int
) -> tuple[str, str] | None:
    """The customer's latest live contact in the `window_days` before the answer."""
    row = conn.execute(
        "SELECT id, agent FROM contacts "
        "WHERE customer_hash = ? AND deleted = 0 AND agent <> '' AND at <= ? "
        "AND at >= strftime('%Y-%m-%dT%H:%M:%SZ', ?, ?) ORDER BY at DESC LIMIT 1",
        (customer_hash, answered_at, answered_at, f"-{window_days} days"),
    ).fetchone()
    return None if row is None else (row[0], row[1])


def unmatched_surveys(conn: sqlite3.Connection, writer: str) -> list[SurveyRow]:
    """This writer's answers that found no contact yet (their contact may have come since)."""
    return [
        SurveyRow(
            Envelope(r[0], r[1], r[2], r[3], bool(r[4])),
            r[7],
            r[5],
            r[6],
            r[8],
            r[9],
            r[10],
            r[11],
            None if r[12] is None else bool(r[12]),
            r[13] or "",
        )
        for r in conn.execute(
            f"SELECT {', '.join(_SURVEY_COLUMNS)} FROM survey_answers INDEXED BY "
            "survey_answers_unmatched WHERE deleted = 0 AND contact_id IS NULL AND writer = ?",
            (writer,),
        )
    ]
