"""Every change this installation makes waits in the outbox, in the same transaction."""

from __future__ import annotations

import json
import sqlite3

import pytest

from cxcompanion.store.errors import StoreError
from tests.conftest import raw_contact


def outbox(profile):
    conn = sqlite3.connect(profile.store.path)
    try:
        return [
            (seq, kind, record_id, revision, json.loads(payload), segment)
            for seq, kind, record_id, revision, payload, segment in conn.execute(
                "SELECT seq, record_type, record_id, revision, payload, segment FROM outbox "
                "ORDER BY seq"
            )
        ]
    finally:
        conn.close()


def test_logging_amending_and_deleting_queue_snapshots(profile, service):
    contact = service.log(
        raw_contact(notes="n1", ideas=[{"text": "dark mode", "area": "mobile_app"}])
    )
    service.amend(contact.id, raw_contact(notes="n2"))  # the idea is removed (tombstoned)
    service.delete(contact.id)
    rows = outbox(profile)
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))  # contiguous
    kinds = [(kind, revision) for _, kind, _, revision, _, _ in rows]
    assert kinds == [("contact", 1), ("idea", 1), ("contact", 2), ("idea", 2), ("contact", 3)]
    first = rows[0][4]
    assert first["id"] == contact.id and first["type"] == "contact"
    assert first["writer"] == profile.device_id and first["deleted"] is False
    assert first["body"]["notes"] == "n1" and first["body"]["purpose"] == "billing.refund"
    assert rows[3][4]["deleted"] is True  # the idea's tombstone
    assert rows[4][4]["deleted"] is True and rows[4][4]["body"]["notes"] == "n2"
    assert all(segment is None for *_, segment in rows)


def test_a_failed_save_leaves_no_outbox_row_and_no_gap(profile, service):
    service.log(raw_contact())
    profile.store.conn.execute("PRAGMA query_only = ON")
    try:
        with pytest.raises(StoreError):
            service.log(raw_contact())
    finally:
        profile.store.conn.execute("PRAGMA query_only = OFF")
    service.log(raw_contact())
    assert [r[0] for r in outbox(profile)] == [1, 2]


def test_records_of_other_writers_are_not_ours_to_publish(profile, service):
    contact = service.log(raw_contact())
    # what an import from the share will do: another writer's record lands in the store
    profile.store.conn.execute(
        "UPDATE contacts SET writer = 'dother', revision = revision + 1 WHERE id = ?",
        (contact.id,),
    )
    assert len(outbox(profile)) == 1
