"""Applying verified segments to the store: the upserts by revision, the ownership check of
records that change an existing row, ideas that wait for their contact, and the search index
of what changed. Used by sync/importer.py inside its transactions; reads nothing from the
share.
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

from cxcompanion.domain.enums import Role
from cxcompanion.domain.roster import Member, Roster
from cxcompanion.store.migrations import LEAD_WORKSPACE_TABLES
from cxcompanion.sync.prepared import CONTACT_BODY, ENVELOPE, Prepared, envelope, idea_row
from cxcompanion.sync.segment import Record

if TYPE_CHECKING:
    from cxcompanion.sync.importer import Me

_NEWER = (
    "(excluded.revision, excluded.updated_at, excluded.writer) > "
    "({t}.revision, {t}.updated_at, {t}.writer)"
)


def _upsert(table: str, columns: tuple[str, ...]) -> str:
    names = ", ".join(columns)
    marks = ", ".join("?" * len(columns))
    sets = ", ".join(f"{c} = excluded.{c}" for c in columns[1:])
    return (
        f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT (id) DO UPDATE SET {sets} "
        f"WHERE {_NEWER.format(t=table)}"
    )


_CONTACT_UPSERT = _upsert("contacts", (*ENVELOPE, *CONTACT_BODY))
_IDEA_UPSERT = _upsert("ideas", (*ENVELOPE, "contact_id", "text", "area"))
_SHARED_UPSERT = _upsert("shared_records", (*ENVELOPE, "type", "addressed_to", "body"))
_SURVEY_BODY = (
    "contact_id", "agent", "answered_at", "customer_hash", "source_contact", "csat", "nps",
    "resolved", "comment",
)  # fmt: skip
# Record types with a table of their own: type -> (upsert, body columns).
_TABLE_UPSERTS = {
    "survey_answer": (_upsert("survey_answers", (*ENVELOPE, *_SURVEY_BODY)), _SURVEY_BODY),
    **{
        record_type: (_upsert(table, (*ENVELOPE, *body)), body)
        for table, (record_type, body) in LEAD_WORKSPACE_TABLES.items()
    },
}
_REINDEX = (
    "INSERT INTO contacts_fts (rowid, detail, notes, ideas) "
    "SELECT c.rowid, c.detail, c.notes, coalesce((SELECT group_concat(i.text, char(10)) "
    "FROM ideas i WHERE i.contact_id = c.id AND i.deleted = 0), '') "
    "FROM json_each(?) AS j CROSS JOIN contacts c ON c.id = j.value "
    "WHERE c.deleted = 0 AND c.agent <> ''"
)  # CROSS JOIN: look each id up; the planner would otherwise walk every live contact
_UNINDEX = (
    "DELETE FROM contacts_fts WHERE rowid IN "
    "(SELECT rowid FROM contacts WHERE id IN (SELECT value FROM json_each(?)))"
)


class Applier:
    """What one import applies, for one store (`me`) and the team's roster."""

    def __init__(self, conn: sqlite3.Connection, roster: Roster, me: Me):
        self.roster = roster
        self.me = me
        # Whether ideas wait for their contact: if none do, no contact needs looking up.
        self.parked = bool(conn.execute("SELECT EXISTS (SELECT 1 FROM sync_parked)").fetchone()[0])

    def person_problem(
        self, conn: sqlite3.Connection, member: Member, prepared: Prepared
    ) -> str | None:
        """A contact or idea may only be changed by the person it belongs to."""
        for table, ids in (("contacts", prepared.contact_ids), ("ideas", prepared.idea_ids)):
            if not ids:
                continue
            for record_id, writer in conn.execute(
                f"SELECT id, writer FROM {table} WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(ids),),
            ):
                if writer == member.device:
                    continue
                owner = self.roster.member(writer)
                person = (
                    owner.person
                    if owner is not None
                    else (self.me.person if writer == self.me.device else None)
                )
                if person != member.person:
                    return f"it changes {table[:-1]} {record_id}, which belongs to someone else."
        return None

    def apply(
        self, conn: sqlite3.Connection, member: Member, prepared: Prepared
    ) -> tuple[int, list[str]]:
        """Apply a verified segment: the number of records that changed this store, and the
        contacts whose search index must be written again."""
        full = self.me.role is Role.LEAD or member.person == self.me.person
        changed = 0
        touched: list[str] = []
        if prepared.contact_rows:
            count = conn.executemany(_CONTACT_UPSERT, prepared.contact_rows).rowcount
            changed += count
            if count:
                touched.extend(prepared.whole)
            if prepared.whole and self.parked:
                touched.extend(self._unpark(conn, prepared.whole))
        if prepared.ideas and (full or self.me.role is Role.AGENT):
            count, contact_ids = self.apply_ideas(conn, prepared.ideas, mine_only=not full)
            changed += count
            touched.extend(contact_ids)
        for record in prepared.others:
            addressed = record.body.get("agent")
            addressed = addressed if isinstance(addressed, str) else None
            if self.me.role is Role.AGENT and addressed not in (None, self.me.person):
                continue  # addressed to a colleague
            own_table = _TABLE_UPSERTS.get(record.type)
            if own_table is not None:
                upsert, body = own_table
                changed += conn.execute(upsert, _table_row(record, body)).rowcount
                continue
            changed += conn.execute(
                _SHARED_UPSERT,
                (
                    *envelope(record),
                    record.type,
                    addressed,
                    json.dumps(record.body, ensure_ascii=False, sort_keys=True),
                ),
            ).rowcount
        return changed, touched

    @staticmethod
    def reindex(conn: sqlite3.Connection, touched: list[str]) -> None:
        """Write the search index again for the contacts a batch changed, in one go."""
        if touched:
            ids_json = json.dumps(sorted(set(touched)))
            conn.execute(_UNINDEX, (ids_json,))
            conn.execute(_REINDEX, (ids_json,))

    def apply_ideas(
        self, conn: sqlite3.Connection, ideas: list[Record], *, mine_only: bool
    ) -> tuple[int, list[str]]:
        """`mine_only` (a colleague's segment in an agent's store): only ideas of history a
        lead imported for this agent, whose contact this store keeps whole."""
        if mine_only:
            ideas = [r for r in ideas if r.type == "imported_idea"]
        wanted = {str(r.body.get("contact_id")) for r in ideas}
        found = dict(
            conn.execute(
                "SELECT id, agent FROM contacts WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(sorted(wanted)),),
            ).fetchall()
        )
        # A slim row (agent '') is what an agent keeps of a colleague's contact: no ideas.
        present = {cid for cid, agent in found.items() if agent}
        ideas = [
            r
            for r in ideas
            if r.body.get("contact_id") in present or r.body.get("contact_id") not in found
        ]
        ready = [r for r in ideas if r.body.get("contact_id") in present]
        for record in ideas:
            if record.body.get("contact_id") not in present:
                # Its contact has not arrived (it sits in a quarantined or later segment).
                self.parked = True
                conn.execute(
                    "INSERT INTO sync_parked (id, type, needs, payload) VALUES (?, 'idea', ?, ?) "
                    "ON CONFLICT (id) DO UPDATE SET needs = excluded.needs, "
                    "payload = excluded.payload WHERE json_extract(excluded.payload, "
                    "'$.revision') >= json_extract(sync_parked.payload, '$.revision')",
                    (record.id, str(record.body.get("contact_id")), record.to_json()),
                )
        count = conn.executemany(_IDEA_UPSERT, [idea_row(r) for r in ready]).rowcount
        return count, [str(r.body["contact_id"]) for r in ready]

    def _unpark(self, conn: sqlite3.Connection, contact_ids: list[str]) -> list[str]:
        rows = conn.execute(
            "SELECT id, payload FROM sync_parked WHERE needs IN (SELECT value FROM json_each(?))",
            (json.dumps(contact_ids),),
        ).fetchall()
        if not rows:
            return []
        records = [Record.from_json(payload) for _, payload in rows]
        conn.executemany(_IDEA_UPSERT, [idea_row(r) for r in records])
        conn.executemany("DELETE FROM sync_parked WHERE id = ?", [(r[0],) for r in rows])
        return [str(r.body["contact_id"]) for r in records]


def _table_row(record: Record, body: tuple[str, ...]) -> tuple[Any, ...]:
    values = (record.body.get(name) for name in body)
    # Nested JSON (an evaluation's scores) is kept as its JSON text.
    return (
        *envelope(record),
        *(json.dumps(v, sort_keys=True) if isinstance(v, (dict, list)) else v for v in values),
    )
