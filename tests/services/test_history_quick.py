"""The quick way through a history import (cached conversions, set-based outbox, a large
import's deferred indexes) stores exactly what the row-by-row way with per-row triggers
does: the same rows, outbox bytes, search rows, counts and report."""

from __future__ import annotations

import csv
import json
import random
import shutil
from datetime import datetime, timezone

import pytest

from cxcompanion.domain.import_mapping import mapping_from_dict
from cxcompanion.services import file_import, history_rows
from cxcompanion.services.history_import import HistoryImport
from cxcompanion.services.profile import Profile
from cxcompanion.store import import_writes

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
HEADER = ["Call ID", "Date", "Time", "Channel", "Topic", "Result", "Said", "Account", "Mood",
          "Prior", "Notes", "Idea", "Area", "Agent"]  # fmt: skip
MAPPING = {
    "kind": "contacts",
    "id_column": "Call ID",
    "timezone": "Europe/London",
    "fields": {
        "at": {"column": "Date", "format": "%d/%m/%Y", "time_column": "Time"},
        "channel": "Channel",
        "purpose": "Topic",
        "outcome": {"column": "Result", "values": {"Y": "resolved", "N": "not_resolved"}},
        "verdict": "Said",
        "customer_ref": "Account",
        "mood_start": "Mood",
        "prior_contacts": "Prior",
        "notes": "Notes",
        "idea": "Idea",
        "idea_area": "Area",
    },
}
_NOTES = ("", "charged twice", "wrote from ana@example.com", "call 0161 496 0123",
          "card 4111 1111 1111 1111", "José said thanks", "order 12345",
          "  spaced  ")  # fmt: skip


def _rows(count: int, seed: int) -> list[list[str]]:
    """Mostly good rows; each cell is now and then one a row is rejected for (or dropped)."""
    rng = random.Random(seed)

    def pick(good, bad=()):
        return rng.choice(bad) if bad and rng.random() < 0.02 else rng.choice(good)

    rows = []
    for n in range(count):
        rows.append([
            pick([f"C{n}"] * 9 + [f"C{n // 2}"], [""]),  # duplicates, an empty id
            pick(["03/11/2026", "29/03/2026", "26/10/2025", "1/2/2026"],
                 ["31/12/2031", "1/1/1999", "32/01/2026", ""]),
            pick(["09:15", "01:30", "23:59:59", "12:00:01", "00:59"], ["25:00", ""]),
            pick(["Phone", "chat", "E-mail", "email", "In person"], ["fax"]),
            pick(["Refund request", "billing.refund", "Cannot log in"], ["nope", ""]),
            pick(["Y", "N", "escalated"], ["maybe"]),
            pick(["yes", "no", "not asked", "Y"], ["perhaps"]),
            pick(["AB-1", "ab 1", "", "CUST-77", "C/9"], ["x" * 101]),
            pick(["", "-2", "2", "1.0"], ["3", "x"]),
            pick(["", "0", "2"], ["200"]),
            pick(_NOTES, ["x" * 4001]),
            pick(["", "", "", "dark mode please", "call me on 07700 900123"], [" "]),
            pick(["", "app"], ["nowhere"]),
            pick(["Ana", "Ben", "ana", "Zed"], [""]),
        ])  # fmt: skip
    return rows


def _write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def _dump(profile: Profile) -> dict[str, list[tuple]]:
    conn = profile.store.conn
    return {
        table: conn.execute(f"SELECT rowid, * FROM {table} ORDER BY rowid").fetchall()
        for table in ("contacts", "ideas", "outbox", "contacts_fts", "contact_count", "meta")
    } | {"schema": sorted(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))}


def _import(folder, path, mapping, *, quick: bool, monkeypatch, **options):
    monkeypatch.setattr(history_rows, "FAST_ROWS", quick)
    monkeypatch.setattr(import_writes, "SET_BASED", quick)
    profile = Profile(folder)
    try:
        reports = [
            HistoryImport(profile, clock=lambda: NOW)
            .run(p, mapping_from_dict(mapping), **options)
            .to_dict()
            for p in path
        ]
        return reports, _dump(profile)
    finally:
        profile.close()


def _twins(tmp_path, name, role):
    """Two copies of one set-up profile (the same device id, key and team)."""
    first = tmp_path / f"{name}-slow"
    Profile(first).set_up(name, "North", role)
    Profile(first).close()
    shutil.copytree(first, tmp_path / f"{name}-quick")
    return first, tmp_path / f"{name}-quick"


@pytest.mark.parametrize("bulk_rows", [1_000_000, 40])  # the per-batch way, and a large import
@pytest.mark.parametrize("skip_bad_rows", [True, False])
def test_the_quick_way_stores_what_the_row_by_row_way_does(
    tmp_path, monkeypatch, bulk_rows, skip_bad_rows
):
    monkeypatch.setattr(file_import, "BATCH_ROWS", 37)
    monkeypatch.setattr(import_writes, "BULK_ROWS", bulk_rows)
    first = _write(tmp_path / "first.csv", _rows(400, seed=1))
    edited = _rows(400, seed=1)
    for row in edited[::7]:
        row[10] = "edited note"  # new revisions of what the first file wrote
    paths = [first, _write(tmp_path / "edited.csv", edited), first]
    slow, quick = _twins(tmp_path, "Ana", "agent")
    expected = _import(slow, paths, MAPPING, quick=False, monkeypatch=monkeypatch,
                       skip_bad_rows=skip_bad_rows)  # fmt: skip
    got = _import(quick, paths, MAPPING, quick=True, monkeypatch=monkeypatch,
                  skip_bad_rows=skip_bad_rows)  # fmt: skip
    for report in expected[0]:
        report["file"] = ""
    for report in got[0]:
        report["file"] = ""
    assert got[0] == expected[0]
    assert got[1] == expected[1]
    if skip_bad_rows:
        assert expected[0][0]["new"] > 100 and expected[0][1]["updated"] > 10
        assert expected[0][0]["rejected"] > 20 and expected[0][0]["duplicates"]
        assert len(expected[1]["outbox"]) > 200


def test_a_leads_quick_import_matches_too(tmp_path, monkeypatch):
    monkeypatch.setattr(file_import, "BATCH_ROWS", 50)
    monkeypatch.setattr(import_writes, "BULK_ROWS", 60)
    mapping = json.loads(json.dumps(MAPPING))
    mapping["fields"]["agent"] = "Agent"
    mapping["agents"] = {"zed": "Ben"}
    path = _write(tmp_path / "team.csv", _rows(300, seed=2))
    slow, quick = _twins(tmp_path, "Lee", "lead")
    expected = _import(slow, [path], mapping, quick=False, monkeypatch=monkeypatch,
                       skip_bad_rows=True)  # fmt: skip
    got = _import(quick, [path], mapping, quick=True, monkeypatch=monkeypatch,
                  skip_bad_rows=True)  # fmt: skip
    assert got == expected
    assert {r[2] for r in got[1]["outbox"]} == {"imported_contact", "imported_idea"}


def test_an_agents_import_leaves_colleagues_rows_out_the_quick_way_too(tmp_path, monkeypatch):
    mapping = json.loads(json.dumps(MAPPING))
    mapping["fields"]["agent"] = "Agent"
    path = _write(tmp_path / "team.csv", _rows(200, seed=3))
    slow, quick = _twins(tmp_path, "Ana", "agent")
    expected = _import(slow, [path], mapping, quick=False, monkeypatch=monkeypatch,
                       skip_bad_rows=True)  # fmt: skip
    got = _import(quick, [path], mapping, quick=True, monkeypatch=monkeypatch,
                  skip_bad_rows=True)  # fmt: skip
    assert got == expected and got[0][0]["not_yours"] > 20


def test_a_large_import_puts_back_what_it_dropped_and_a_dry_run_drops_nothing(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(file_import, "BATCH_ROWS", 10)
    monkeypatch.setattr(import_writes, "BULK_ROWS", 20)
    path = _write(tmp_path / "calls.csv", _rows(300, seed=4))
    profile = Profile(tmp_path / "p")
    profile.set_up("Ana", "North", "agent")
    try:
        conn = profile.store.conn
        schema = conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
        ).fetchall()
        seen = []

        def progress(rows):
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            seen.append({"contacts_by_time", "outbox_contacts_insert"} - names)

        dry = HistoryImport(profile, clock=lambda: NOW).run(
            path, mapping_from_dict(MAPPING), dry_run=True, skip_bad_rows=True, progress=progress
        )
        assert (
            dry.new > 20
            and not any(seen)
            and conn.execute("SELECT count(*) FROM contacts").fetchone() == (0,)
        )
        report = HistoryImport(profile, clock=lambda: NOW).run(
            path, mapping_from_dict(MAPPING), skip_bad_rows=True, progress=progress
        )
        assert report.written and report.new == dry.new
        assert {"contacts_by_time", "outbox_contacts_insert"} in seen  # it went large
        assert sorted(
            conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")
        ) == sorted(schema)
        assert profile.store.integrity_check() == "ok"
        search = conn.execute("SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH 'dark'")
        assert (
            search.fetchone()[0]
            == conn.execute("SELECT count(*) FROM ideas WHERE text LIKE '%dark%'").fetchone()[0]
            > 0
        )
    finally:
        profile.close()


def test_set_based_statements_come_from_the_triggers_themselves():
    sql = (
        "CREATE TRIGGER t AFTER INSERT ON ideas WHEN NEW.writer = 'w' BEGIN "
        "INSERT INTO outbox (record_type, payload) VALUES ('idea', json_object('id', NEW.id)); END"
    )
    assert import_writes.set_based(sql) == (
        "ideas",
        "INSERT INTO outbox (record_type, payload) SELECT 'idea', json_object('id', n.id) "
        "FROM ideas AS n WHERE n.rowid BETWEEN ? AND ? AND (n.writer = 'w') ORDER BY n.rowid",
    )
    assert import_writes.set_based(sql.replace("INSERT INTO outbox", "DELETE FROM outbox")) is None
