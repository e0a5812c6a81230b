"""Numbered schema migrations: each runs in one transaction and records itself.

`PRAGMA user_version` holds the number of the last migration applied, so a start-up with a
current schema costs one pragma and never imports sqlite-utils (it is slow to import and
start-up time is a feature). Append new migrations; never edit one that has shipped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils

ENVELOPE = {
    "id": str,
    "writer": str,
    "revision": int,
    "updated_at": str,
    "deleted": int,
}
ENVELOPE_NOT_NULL = {"id", "writer", "revision", "updated_at", "deleted"}


def _m001_initial(db: sqlite_utils.Database) -> None:
    db["meta"].create({"key": str, "value": str}, pk="key")
    db["contacts"].create(
        {
            **ENVELOPE,
            "agent": str,  # the person who logged it (from the roster later)
            "at": str,  # when the contact happened, UTC ISO-8601: a moment, never a span
            "channel": str,
            "purpose": str,
            "detail": str,
            "outcome": str,
            "verdict": str,
            "prior_contacts": int,
            "prior_channels": str,  # comma-separated channel codes
            "customer_hash": str,  # keyed hash; the typed reference is never stored
            "cancel_intent": int,
            "cancel_reason": str,
            "stayed": int,
            "mood_start": int,
            "mood_end": int,
            "notes": str,
        },
        pk="id",
        not_null=ENVELOPE_NOT_NULL
        | {"agent", "at", "channel", "purpose", "outcome", "verdict", "prior_contacts"},
        defaults={"deleted": 0, "prior_contacts": 0, "cancel_intent": 0, "detail": "", "notes": ""},
    )
    db["contacts"].create_index(["deleted", "at"], index_name="contacts_by_time")
    db["contacts"].create_index(["customer_hash", "purpose"], index_name="contacts_by_customer")
    db["ideas"].create(
        {**ENVELOPE, "contact_id": str, "text": str, "area": str},
        pk="id",
        not_null=ENVELOPE_NOT_NULL | {"contact_id", "text", "area"},
        defaults={"deleted": 0},
        foreign_keys=[("contact_id", "contacts", "id")],
    )
    db["ideas"].create_index(["contact_id"], index_name="ideas_by_contact")
    db["drafts"].create(
        {**ENVELOPE, "body": str},
        pk="id",
        not_null=ENVELOPE_NOT_NULL | {"body"},
        defaults={"deleted": 0},
    )
    # Full-text index over a contact's own words and its ideas, keyed by the contact's rowid
    # and kept up to date by the store in the same transaction as the contact itself.
    db.execute(
        "CREATE VIRTUAL TABLE contacts_fts USING fts5("
        "detail, notes, ideas, tokenize = 'unicode61 remove_diacritics 2')"
    )


def _m002_contact_count(db: sqlite_utils.Database) -> None:
    """The number of live contacts, kept by triggers: the status bar never counts rows."""
    db.execute(
        "CREATE TABLE contact_count (id INTEGER PRIMARY KEY CHECK (id = 1), live INTEGER NOT NULL)"
    )
    db.execute(
        "INSERT INTO contact_count VALUES (1, (SELECT count(*) FROM contacts WHERE deleted = 0))"
    )
    db.execute(
        "CREATE TRIGGER contact_count_insert AFTER INSERT ON contacts BEGIN "
        "UPDATE contact_count SET live = live + (NEW.deleted = 0); END"
    )
    db.execute(
        "CREATE TRIGGER contact_count_delete AFTER DELETE ON contacts BEGIN "
        "UPDATE contact_count SET live = live - (OLD.deleted = 0); END"
    )
    db.execute(
        "CREATE TRIGGER contact_count_update AFTER UPDATE OF deleted ON contacts BEGIN "
        "UPDATE contact_count SET live = live + (NEW.deleted = 0) - (OLD.deleted = 0); END"
    )


def _m003_repeat_index(db: sqlite_utils.Database) -> None:
    """Repeat detection looks up a customer's contacts about a purpose within a time window."""
    db.execute("DROP INDEX contacts_by_customer")
    db.execute(
        "CREATE INDEX contacts_by_customer ON contacts (customer_hash, purpose, at) "
        "WHERE customer_hash IS NOT NULL AND deleted = 0"
    )
    db.execute("CREATE INDEX contacts_by_agent ON contacts (agent, deleted, at)")


_CONTACT_BODY = ", ".join(
    f"'{column}', NEW.{column}"
    for column in (
        "agent", "at", "channel", "purpose", "detail", "outcome", "verdict", "prior_contacts",
        "prior_channels", "customer_hash", "cancel_intent", "cancel_reason", "stayed",
        "mood_start", "mood_end", "notes",
    )
)  # fmt: skip
_IDEA_BODY = "'contact_id', NEW.contact_id, 'text', NEW.text, 'area', NEW.area"


def _outbox_trigger(
    table: str, record_type: str, body: str, event: str, type_sql: str | None = None
) -> str:
    """`type_sql`: an SQL expression for the record type, when it is not a constant."""
    type_sql = type_sql or f"'{record_type}'"
    when = "NEW.writer = (SELECT value FROM meta WHERE key = 'device_id')"
    if event == "UPDATE":
        when += " AND NEW.revision <> OLD.revision"
    return (
        f"CREATE TRIGGER outbox_{table}_{event.lower()} AFTER {event} ON {table} "
        f"WHEN {when} BEGIN "
        "INSERT INTO outbox (record_type, record_id, revision, payload) VALUES ("
        f"{type_sql}, NEW.id, NEW.revision, json_object("
        f"'id', NEW.id, 'type', {type_sql}, 'writer', NEW.writer, "
        "'revision', NEW.revision, 'updated_at', NEW.updated_at, "
        "'deleted', json(CASE WHEN NEW.deleted THEN 'true' ELSE 'false' END), "
        f"'body', json_object({body}))); END"
    )


def _m004_outbox(db: sqlite_utils.Database) -> None:
    """Every new revision of a record this installation writes waits here to be published.

    Triggers fill it in the same transaction as the change itself, with a snapshot of the
    record, so nothing written can miss the share and a re-published segment (after a
    crash) has exactly the same bytes. `seq` is this writer's record sequence number:
    AUTOINCREMENT never reuses one, and a rolled-back change takes its number back with it,
    so the numbers stay contiguous. Records written by other installations (imported by
    sync) are not this writer's to publish.
    """
    db.execute(
        "CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
        "record_type TEXT NOT NULL, record_id TEXT NOT NULL, revision INTEGER NOT NULL, "
        "payload TEXT NOT NULL, segment TEXT)"
    )
    db.execute("CREATE INDEX outbox_waiting ON outbox (seq) WHERE segment IS NULL")
    for event in ("INSERT", "UPDATE"):
        db.execute(_outbox_trigger("contacts", "contact", _CONTACT_BODY, event))
        db.execute(_outbox_trigger("ideas", "idea", _IDEA_BODY, event))
    # What existed before the outbox (an earlier version's contacts) waits to be published too.
    db.execute(
        "INSERT INTO outbox (record_type, record_id, revision, payload) "
        "SELECT 'contact', id, revision, json_object('id', id, 'type', 'contact', "
        "'writer', writer, 'revision', revision, 'updated_at', updated_at, "
        "'deleted', json(CASE WHEN deleted THEN 'true' ELSE 'false' END), 'body', "
        "json_object(" + _CONTACT_BODY.replace("NEW.", "") + ")) "
        "FROM contacts WHERE writer = (SELECT value FROM meta WHERE key = 'device_id') "
        "ORDER BY rowid"
    )
    db.execute(
        "INSERT INTO outbox (record_type, record_id, revision, payload) "
        "SELECT 'idea', id, revision, json_object('id', id, 'type', 'idea', "
        "'writer', writer, 'revision', revision, 'updated_at', updated_at, "
        "'deleted', json(CASE WHEN deleted THEN 'true' ELSE 'false' END), 'body', "
        "json_object(" + _IDEA_BODY.replace("NEW.", "") + ")) "
        "FROM ideas WHERE writer = (SELECT value FROM meta WHERE key = 'device_id') "
        "ORDER BY rowid"
    )


def _m005_sync(db: sqlite_utils.Database) -> None:
    """What importing from the share needs, and counting only the person's own contacts.

    - sync_cursor: per writer, the next sequence number to import (cursors advance only
      over contiguous runs; file times are never a cursor).
    - sync_quarantine: segments that could not be imported, with the reason; looked at
      again only when the file changes (its size or modification time).
    - sync_published: this writer's segments on the share, to put back one that a file-sync
      tool or a person removed or damaged (readers would otherwise wait for it forever).
    - sync_parked: records that arrived before the record they belong to (an idea whose
      contact sits in a quarantined segment); applied as soon as it arrives.
    - shared_records: the other record types of DESIGN §5 (coaching, evaluations, idea
      decisions, survey answers), kept by revision until their own tables exist.
    - The live-contact count now counts the person's own contacts: a lead's store holds the
      team's, an agent's keeps what repeat detection needs of colleagues' contacts.
    """
    db.execute(
        "CREATE TABLE sync_cursor (writer TEXT PRIMARY KEY, next_seq INTEGER NOT NULL, "
        "segments INTEGER NOT NULL DEFAULT 0, records INTEGER NOT NULL DEFAULT 0)"
    )
    db.execute(
        "CREATE TABLE sync_quarantine (writer TEXT NOT NULL, name TEXT NOT NULL, "
        "size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, reason TEXT NOT NULL, "
        "message TEXT NOT NULL, first_seen TEXT NOT NULL, PRIMARY KEY (writer, name))"
    )
    db.execute(
        "CREATE TABLE sync_published (name TEXT PRIMARY KEY, first_seq INTEGER NOT NULL, "
        "last_seq INTEGER NOT NULL, size INTEGER NOT NULL)"
    )
    db.execute(
        "CREATE TABLE sync_parked (id TEXT PRIMARY KEY, type TEXT NOT NULL, "
        "needs TEXT NOT NULL, payload TEXT NOT NULL)"
    )
    db["shared_records"].create(
        {**ENVELOPE, "type": str, "addressed_to": str, "body": str},
        pk="id",
        not_null=ENVELOPE_NOT_NULL | {"type", "body"},
        defaults={"deleted": 0},
    )
    db.execute("CREATE INDEX shared_records_by_type ON shared_records (type, deleted)")
    for name in ("insert", "delete", "update"):
        db.execute(f"DROP TRIGGER contact_count_{name}")
    mine = "(SELECT value FROM meta WHERE key = 'name')"
    db.execute(
        "CREATE TRIGGER contact_count_insert AFTER INSERT ON contacts "
        f"WHEN NEW.agent = {mine} BEGIN "
        "UPDATE contact_count SET live = live + (NEW.deleted = 0); END"
    )
    db.execute(
        "CREATE TRIGGER contact_count_delete AFTER DELETE ON contacts "
        f"WHEN OLD.agent = {mine} BEGIN "
        "UPDATE contact_count SET live = live - (OLD.deleted = 0); END"
    )
    db.execute(
        "CREATE TRIGGER contact_count_update AFTER UPDATE OF deleted, agent ON contacts BEGIN "
        f"UPDATE contact_count SET live = live + (NEW.deleted = 0 AND NEW.agent = {mine}) "
        f"- (OLD.deleted = 0 AND OLD.agent = {mine}); END"
    )
    db.execute(
        "UPDATE contact_count SET live = "
        f"(SELECT count(*) FROM contacts WHERE deleted = 0 AND agent = {mine})"
    )


_SURVEY_BODY = ", ".join(
    f"'{column}', NEW.{column}"
    for column in (
        "contact_id", "agent", "answered_at", "customer_hash", "source_contact", "csat", "nps",
        "resolved", "comment",
    )
)  # fmt: skip


def _m006_surveys_and_history(db: sqlite_utils.Database) -> None:
    """Survey answers in a table of their own, and history imported by a team lead.

    - survey_answers: the customer's voice from the survey tool (CSAT 1-5, NPS 0-10,
      "was your need met?" as 1/0, a masked comment), matched to a contact when one was
      found (`contact_id`, and `agent`, the person it is addressed to); unmatched answers
      are kept with contact_id NULL and matched again at later imports. Lead-owned
      (DESIGN §5), published as `survey_answer` records; what sync kept of them so far in
      shared_records moves here.
    - Contacts and ideas written on a lead's profile can only be imported history (a lead
      logs none): they are published as `imported_contact` / `imported_idea`, record types
      a lead owns, so agents' installations accept them.
    """
    db["survey_answers"].create(
        {
            **ENVELOPE,
            "contact_id": str,
            "agent": str,
            "answered_at": str,  # when the customer answered, UTC ISO-8601
            "customer_hash": str,
            "source_contact": str,  # the contact id the survey tool gave, as given
            "csat": int,
            "nps": int,
            "resolved": int,
            "comment": str,
        },
        pk="id",
        not_null=ENVELOPE_NOT_NULL | {"answered_at"},
        defaults={"deleted": 0},
    )
    db.execute(
        "CREATE INDEX survey_answers_by_contact ON survey_answers (contact_id) "
        "WHERE deleted = 0 AND contact_id IS NOT NULL"
    )
    db.execute(
        "CREATE INDEX survey_answers_unmatched ON survey_answers (answered_at) "
        "WHERE deleted = 0 AND contact_id IS NULL"
    )
    for event in ("INSERT", "UPDATE"):
        db.execute(_outbox_trigger("survey_answers", "survey_answer", _SURVEY_BODY, event))
        for table, record_type, body in (
            ("contacts", "contact", _CONTACT_BODY),
            ("ideas", "idea", _IDEA_BODY),
        ):
            db.execute(f"DROP TRIGGER outbox_{table}_{event.lower()}")
            by_role = (
                "(CASE WHEN (SELECT value FROM meta WHERE key = 'role') = 'lead' "
                f"THEN 'imported_{record_type}' ELSE '{record_type}' END)"
            )
            db.execute(_outbox_trigger(table, record_type, body, event, by_role))
    fields = ", ".join(
        f"json_extract(body, '$.{name}')"
        for name in ("contact_id", "agent", "answered_at", "customer_hash", "source_contact",
                     "csat", "nps", "resolved", "comment")
    )  # fmt: skip
    db.execute(
        "INSERT INTO survey_answers (id, writer, revision, updated_at, deleted, contact_id, "
        "agent, answered_at, customer_hash, source_contact, csat, nps, resolved, comment) "
        f"SELECT id, writer, revision, updated_at, deleted, {fields} "
        "FROM shared_records WHERE type = 'survey_answer' "
        "AND json_extract(body, '$.answered_at') IS NOT NULL"
    )
    db.execute("DELETE FROM shared_records WHERE type = 'survey_answer'")


# Lead workspace records (DESIGN §5 owners in sync/segment.py): table -> (record type, body).
LEAD_WORKSPACE_TABLES = {
    "coaching_notes": ("coaching_note", (
        "agent", "lead", "contact_id", "theme", "strengths", "growth_area", "commitment",
        "follow_up", "written_at",
    )),
    "coaching_replies": ("coaching_reply", ("note_id", "agent", "kind", "text", "at")),
    "evaluations": ("evaluation", (
        "contact_id", "agent", "evaluator", "scorecard", "scorecard_version", "scores",
        "technical_earned", "technical_possible", "emotional_earned", "emotional_possible",
        "comment", "at",
    )),
    "idea_decisions": ("idea_decision", (
        "idea_id", "agent", "status", "note", "merged_into", "decided_by", "at",
    )),
}  # fmt: skip
_INTEGER_COLUMNS = {
    "scorecard_version", "technical_earned", "technical_possible", "emotional_earned",
    "emotional_possible",
}  # fmt: skip


def _m007_lead_workspace(db: sqlite_utils.Database) -> None:
    """Coaching notes and the agents' answers to them, evaluations on a scorecard, and the
    lead's decisions on ideas: each its own table, published by its writer (outbox
    triggers) and imported by sync; what sync kept of them in shared_records moves here.

    - coaching_notes: a lead's note to one agent (`agent`), tied to a contact or a theme:
      strengths, one growth area, an agreed commitment, a follow-up date.
    - coaching_replies: an agent's acknowledgement, reply or "commitment done" (`kind`).
    - evaluations: a contact scored on a versioned scorecard (`scores` as JSON: criterion
      -> points, null for N/A), with the points per dimension.
    - idea_decisions: the status of an idea on the board, a note back to its agent, and the
      idea it was merged into.
    """
    for table, (record_type, body) in LEAD_WORKSPACE_TABLES.items():
        columns = {name: int if name in _INTEGER_COLUMNS else str for name in body}
        db[table].create(
            {**ENVELOPE, **columns},
            pk="id",
            not_null=ENVELOPE_NOT_NULL | {"agent"},
            defaults={"deleted": 0},
        )
        db.execute(f"CREATE INDEX {table}_by_agent ON {table} (agent, deleted)")
        fields = ", ".join(f"'{name}', NEW.{name}" for name in body)
        for event in ("INSERT", "UPDATE"):
            db.execute(_outbox_trigger(table, record_type, fields, event))
        extract = ", ".join(f"json_extract(body, '$.{name}')" for name in body)
        db.execute(
            f"INSERT INTO {table} (id, writer, revision, updated_at, deleted, {', '.join(body)}) "
            f"SELECT id, writer, revision, updated_at, deleted, {extract} FROM shared_records "
            f"WHERE type = '{record_type}' AND json_extract(body, '$.agent') IS NOT NULL"
        )
        db.execute(f"DELETE FROM shared_records WHERE type = '{record_type}'")
    db.execute("CREATE INDEX coaching_replies_by_note ON coaching_replies (note_id)")
    db.execute("CREATE INDEX evaluations_by_contact ON evaluations (contact_id, deleted)")
    db.execute("CREATE INDEX idea_decisions_by_idea ON idea_decisions (idea_id, deleted)")


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _m001_initial,
    _m002_contact_count,
    _m003_repeat_index,
    _m004_outbox,
    _m005_sync,
    _m006_surveys_and_history,
    _m007_lead_workspace,
]
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection, current: int) -> None:
    """Apply every migration after `current`, each in its own transaction."""
    import sqlite_utils  # deferred: only a new or older database pays for the import

    db = sqlite_utils.Database(conn)
    for number, migration in enumerate(MIGRATIONS[current:], start=current + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS _migrations "
                "(number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            migration(db)
            conn.execute(
                "INSERT INTO _migrations (number, name, applied_at) VALUES (?, ?, ?)",
                (number, migration.__name__.lstrip("_"), datetime.now(timezone.utc).isoformat()),
            )
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # SQLite may have rolled back already (disk full)
                conn.execute("ROLLBACK")
            raise
