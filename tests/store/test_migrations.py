"""Migrations 6 and 7 move what sync kept of lead records in shared_records to their tables."""

from __future__ import annotations

import json

from cxcompanion.services.profile import Profile
from cxcompanion.store.migrations import LEAD_WORKSPACE_TABLES, SCHEMA_VERSION


def test_lead_records_kept_generically_move_to_their_own_tables(tmp_path):
    folder = tmp_path / "ana"
    profile = Profile(folder)
    profile.set_up("Ana", "North", "agent")
    conn = profile.store.conn
    for table in ("survey_answers", *LEAD_WORKSPACE_TABLES):
        for trigger in ("insert", "update"):
            conn.execute(f"DROP TRIGGER outbox_{table}_{trigger}")
        conn.execute(f"DROP TABLE {table}")
    conn.execute("DELETE FROM _migrations WHERE number >= 6")
    conn.execute("PRAGMA user_version = 5")
    kept = [
        ("n1", "coaching_note", {"agent": "Ana", "strengths": "listened",
                                 "follow_up": "2026-12-01"}),
        ("s1", "survey_answer", {"agent": "Ana", "contact_id": "c1", "csat": 5,
                                 "answered_at": "2026-11-02T10:00:00Z"}),
        ("e1", "evaluation", {"agent": "Ana", "contact_id": "c1", "technical_earned": 3}),
    ]  # fmt: skip
    for record_id, record_type, body in kept:
        conn.execute(
            "INSERT INTO shared_records (id, writer, revision, updated_at, deleted, type, "
            "addressed_to, body) VALUES (?, 'dlead', 2, '2026-11-03T10:00:00Z', 0, ?, 'Ana', ?)",
            (record_id, record_type, json.dumps(body)),
        )
    profile.close()
    reopened = Profile(folder)
    try:
        conn = reopened.store.conn
        assert reopened.store.schema_version() == SCHEMA_VERSION
        assert conn.execute("SELECT count(*) FROM shared_records").fetchone() == (0,)
        assert conn.execute(
            "SELECT id, revision, strengths, follow_up FROM coaching_notes"
        ).fetchall() == [("n1", 2, "listened", "2026-12-01")]
        assert conn.execute("SELECT id, csat, contact_id FROM survey_answers").fetchall() == [
            ("s1", 5, "c1")
        ]
        assert conn.execute("SELECT technical_earned FROM evaluations").fetchall() == [(3,)]
        assert conn.execute("SELECT count(*) FROM outbox").fetchone() == (0,)  # not ours
    finally:
        reopened.close()
