"""Contact history from CSV and Excel files: mapping, stable ids, errors, one transaction."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timezone

import openpyxl
import pytest

from cxcompanion.domain.import_mapping import MappingError, mapping_from_dict
from cxcompanion.services.contacts import ContactService
from cxcompanion.services.file_import import ImportCancelled
from cxcompanion.services.history_import import HistoryImport, history_contact_id
from cxcompanion.services.profile import ProfileError

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)

HEADER = [
    "Call ID",
    "Date",
    "Time",
    "Topic",
    "Result",
    "Customer said",
    "Account",
    "Talk time",
    "Notes",
    "Idea",
]
ROWS = [
    [
        "C1",
        "03/11/2026",
        "09:15",
        "Refund request",
        "Y",
        "yes",
        "AB-1",
        "00:04:10",
        "charged twice, wrote from ana@example.com",
        "",
    ],
    ["C2", "04/11/2026", "10:00", "billing.refund", "N", "no", "AB-1", "00:02:00", "", ""],
    [
        "C3",
        "05/11/2026",
        "11:30",
        "Cannot log in",
        "Y",
        "not asked",
        "",
        "00:01:00",
        "line one\nline two",
        "dark mode please",
    ],
]

MAPPING = {
    "format": "cxcompanion-mapping",
    "version": 1,
    "kind": "contacts",
    "id_column": "Call ID",
    "timezone": "UTC",
    "fields": {
        "at": {"column": "Date", "format": "%d/%m/%Y", "time_column": "Time"},
        "channel": {"constant": "phone"},
        "purpose": "Topic",
        "outcome": {"column": "Result", "values": {"Y": "resolved", "N": "not_resolved"}},
        "verdict": "Customer said",
        "customer_ref": "Account",
        "notes": "Notes",
        "idea": "Idea",
    },
}


def write_csv(path, rows, header=HEADER, encoding="utf-8", delimiter=","):
    with open(path, "w", encoding=encoding, newline="") as out:
        writer = csv.writer(out, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run(profile, path, mapping=MAPPING, **options):
    return HistoryImport(profile, clock=lambda: NOW).run(
        path, mapping_from_dict(mapping), **options
    )


def stored(profile):
    return profile.store.conn.execute(
        "SELECT id, at, purpose, outcome, verdict, notes, customer_hash, revision FROM contacts "
        "ORDER BY at"
    ).fetchall()


def test_an_agent_imports_their_history(profile, tmp_path):
    report = run(profile, write_csv(tmp_path / "calls.csv", ROWS))
    assert report.written and (report.new, report.rejected) == (3, 0)
    assert report.dropped_columns == ("Talk time",)
    rows = stored(profile)
    assert [r[1] for r in rows] == [
        "2026-11-03T09:15:00Z",
        "2026-11-04T10:00:00Z",
        "2026-11-05T11:30:00Z",
    ]
    assert [r[2] for r in rows] == ["billing.refund", "billing.refund", "technical.cannot_log_in"]
    assert [r[3] for r in rows] == ["resolved", "not_resolved", "resolved"]
    assert [r[4] for r in rows] == ["yes", "no", "not_asked"]
    assert rows[0][5] == "charged twice, wrote from [email]"  # masked like typed text
    assert rows[2][5] == "line one\nline two"  # a quoted newline stays in its field
    assert rows[0][6] == rows[1][6] and len(rows[0][6]) == 32  # hashed, the same customer
    assert "AB-1" not in json.dumps(rows)
    assert rows[0][0] == history_contact_id("North", "C1")
    contact = ContactService(profile).get(rows[2][0])
    assert [(i.text, i.area) for i in contact.ideas] == [("dark mode please", "other")]
    assert ContactService(profile).count() == 3
    assert ContactService(profile).count("dark") == 1  # in the search index
    columns = {r[1] for r in profile.store.conn.execute("PRAGMA table_info(contacts)")}
    assert not {c for c in columns if "talk" in c or "duration" in c}
    # everything waits to be published, as typed contacts do
    queued = profile.store.conn.execute("SELECT record_type, count(*) FROM outbox GROUP BY 1")
    assert dict(queued.fetchall()) == {"contact": 3, "idea": 1}


def test_importing_the_same_file_again_changes_nothing(profile, tmp_path):
    path = write_csv(tmp_path / "calls.csv", ROWS)
    run(profile, path)
    before = stored(profile)
    outbox = profile.store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    again = run(profile, path)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 3)
    assert stored(profile) == before
    assert profile.store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == outbox


def test_a_row_changed_in_the_source_becomes_a_new_revision(profile, tmp_path):
    run(profile, write_csv(tmp_path / "calls.csv", ROWS))
    changed = [list(r) for r in ROWS]
    changed[1][4] = "Y"
    report = run(profile, write_csv(tmp_path / "calls2.csv", changed))
    assert (report.new, report.updated, report.unchanged) == (0, 1, 2)
    rows = {r[0]: r for r in stored(profile)}
    second = rows[history_contact_id("North", "C2")]
    assert second[3] == "resolved" and second[7] == 2


def test_without_an_id_column_the_row_itself_is_the_key(profile, tmp_path):
    mapping = {k: v for k, v in MAPPING.items() if k != "id_column"}
    path = write_csv(tmp_path / "calls.csv", [*ROWS, ROWS[0]])
    report = run(profile, path, mapping)
    assert report.new == 3 and report.duplicates == [(5, 2)]
    assert run(profile, path, mapping).unchanged == 3


def test_bad_rows_are_reported_with_row_and_column_and_nothing_is_written(profile, tmp_path):
    rows = [list(r) for r in ROWS]
    rows[0][4] = "MAYBE"  # unknown value in a mapped column
    rows[1][3] = "Weather chat"  # not a purpose
    rows[2][1] = "31/02/2026"  # no such day
    report = run(profile, write_csv(tmp_path / "calls.csv", [*rows, ["C4", *ROWS[1][1:]]]))
    assert not report.written and stored(profile) == []
    assert report.rejected == 3 and report.good == 1
    found = {(p.row, p.column): p.message for p in report.problems}
    assert "'MAYBE' is not an outcome" in found[(2, "Result")]
    assert "fields.outcome.values" in found[(2, "Result")]
    assert "'Weather chat' is not a purpose" in found[(3, "Topic")]
    assert "fields.purpose.values" in found[(3, "Topic")]
    assert "does not match the date format" in found[(4, "Date")]
    # the person chooses to import the good rows
    partial = run(
        profile,
        write_csv(tmp_path / "calls.csv", [*rows, ["C9", *ROWS[1][1:]]]),
        skip_bad_rows=True,
    )
    assert partial.written and partial.new == 1 and len(stored(profile)) == 1


def test_a_dry_run_reports_and_writes_nothing(profile, tmp_path):
    report = run(profile, write_csv(tmp_path / "calls.csv", ROWS), dry_run=True)
    assert report.dry_run and not report.written and report.new == 3
    assert stored(profile) == []
    assert profile.store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0


def test_a_cancel_midway_leaves_the_store_as_it_was(profile, tmp_path, monkeypatch):
    from cxcompanion.services import file_import

    monkeypatch.setattr(file_import, "BATCH_ROWS", 2)
    calls = {"n": 0}

    def stop_on_second_batch():
        calls["n"] += 1
        return calls["n"] > 1

    with pytest.raises(ImportCancelled):
        run(profile, write_csv(tmp_path / "calls.csv", ROWS), should_stop=stop_on_second_batch)
    assert stored(profile) == [] and not profile.store.conn.in_transaction


def test_a_failure_midway_rolls_everything_back(profile, tmp_path, monkeypatch):
    from cxcompanion.services import file_import
    from cxcompanion.store.import_writes import ContactWriter

    monkeypatch.setattr(file_import, "BATCH_ROWS", 1)
    real = ContactWriter.insert
    calls = {"n": 0}

    def failing(self, rows, ideas):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk pulled")
        real(self, rows, ideas)

    schema = profile.store.conn.execute("SELECT * FROM sqlite_master ORDER BY name").fetchall()
    monkeypatch.setattr(ContactWriter, "insert", failing)
    with pytest.raises(OSError):
        run(profile, write_csv(tmp_path / "calls.csv", ROWS))
    assert stored(profile) == [] and calls["n"] == 3
    # the triggers the import replaced while writing are back, as they were
    assert (
        profile.store.conn.execute("SELECT * FROM sqlite_master ORDER BY name").fetchall() == schema
    )


def test_rows_are_filtered_and_constants_fill_what_the_source_lacks(profile, tmp_path):
    header = ["When", "Reason", "Answered", "Channel"]
    rows = [
        ["2026-11-02 10:00", "Password reset", "Y", "Chat"],
        ["2026-11-02 11:00", "Password reset", "N", "Chat"],
        ["", "", "", ""],
        ["2026-11-02 12:00", "Password reset", "Y", "In person"],
    ]
    mapping = {
        "kind": "contacts",
        "fields": {
            "at": "When",
            "channel": "Channel",
            "purpose": "Reason",
            "outcome": {"constant": "info_only"},
            "verdict": {"constant": "not_asked"},
        },
        "skip": [{"column": "Answered", "values": ["N"]}],
    }
    report = run(profile, write_csv(tmp_path / "c.csv", rows, header=header), mapping)
    assert (report.rows, report.filtered, report.empty_rows, report.new) == (3, 1, 1, 2)
    channels = [
        r[0] for r in profile.store.conn.execute("SELECT channel FROM contacts ORDER BY at")
    ]
    assert channels == ["chat", "in_person"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_each_encoding_and_delimiter(profile, tmp_path, encoding, delimiter):
    rows = [list(r) for r in ROWS]
    rows[0][8] = "Kunde möchte Rückerstattung, 20 €"
    path = write_csv(tmp_path / "calls.csv", rows, encoding=encoding, delimiter=delimiter)
    report = run(profile, path)
    assert report.new == 3, report.problems
    notes = profile.store.conn.execute(
        "SELECT notes FROM contacts WHERE id = ?", (history_contact_id("North", "C1"),)
    ).fetchone()[0]
    assert notes == "Kunde möchte Rückerstattung, 20 €"


def test_an_excel_workbook_with_real_dates_and_times(profile, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Calls"
    sheet.append(["Call ID", "Date", "Time", "Topic", "Result", "Customer said", "Handle time"])
    from datetime import time

    sheet.append([101, datetime(2026, 11, 3), time(9, 15), "Refund request", "Y", "Yes", 250])
    sheet.append(
        [102, datetime(2026, 11, 4, 0, 0), time(16, 45, 30), "Charged twice", "N", "No", 90]
    )
    sheet.append([None] * 7)
    path = tmp_path / "calls.xlsx"
    workbook.save(path)
    mapping = {
        "kind": "contacts",
        "id_column": "Call ID",
        "timezone": "Europe/Berlin",
        "fields": {
            "at": {"column": "Date", "time_column": "Time"},
            "channel": {"constant": "phone"},
            "purpose": "Topic",
            "outcome": {"column": "Result", "values": {"Y": "resolved", "N": "not_resolved"}},
            "verdict": "Customer said",
        },
    }
    report = run(profile, path, mapping)
    assert (report.new, report.empty_rows, report.dropped_columns) == (2, 1, ("Handle time",))
    assert [r[1] for r in stored(profile)] == ["2026-11-03T08:15:00Z", "2026-11-04T15:45:30Z"]
    assert stored(profile)[0][0] == history_contact_id("North", "101")


def test_a_duration_column_can_never_be_mapped(profile, tmp_path):
    mapping = json.loads(json.dumps(MAPPING))
    mapping["fields"]["notes"] = "Talk time"
    with pytest.raises(MappingError, match="never imports durations"):
        run(profile, write_csv(tmp_path / "calls.csv", ROWS), mapping)


def test_a_mapping_naming_a_missing_column_says_which(profile, tmp_path):
    mapping = json.loads(json.dumps(MAPPING))
    mapping["fields"]["purpose"] = "Subject"
    with pytest.raises(MappingError) as caught:
        run(profile, write_csv(tmp_path / "calls.csv", ROWS), mapping)
    assert caught.value.where == "fields.purpose.column"
    assert "no column 'Subject'" in str(caught.value) and "'Topic'" in str(caught.value)


def test_an_agents_import_keeps_only_their_own_rows(profile, tmp_path):
    header = [*HEADER, "Agent"]
    rows = [[*ROWS[0], "ana"], [*ROWS[1], "Ben"], [*ROWS[2], "A. Example"]]
    mapping = json.loads(json.dumps(MAPPING))
    mapping["fields"]["agent"] = "Agent"
    mapping["agents"] = {"A. Example": "Ana"}
    report = run(profile, write_csv(tmp_path / "c.csv", rows, header=header), mapping)
    assert (report.new, report.not_yours) == (2, 1)


def test_a_leads_import_names_roster_agents_and_refuses_others(tmp_path):
    from cxcompanion.services.profile import Profile

    lead = Profile(tmp_path / "lead")
    lead.set_up("Lee", "North", "lead")
    try:
        mapping = json.loads(json.dumps(MAPPING))
        with pytest.raises(MappingError, match=r"fields\.agent"):
            run(lead, write_csv(tmp_path / "c.csv", ROWS), mapping)
        mapping["fields"]["agent"] = "Agent"
        header = [*HEADER, "Agent"]
        rows = [[*ROWS[0], "Ana"], [*ROWS[1], "Ben"], [*ROWS[2], ""]]
        report = run(
            lead, write_csv(tmp_path / "c.csv", rows, header=header), mapping, skip_bad_rows=True
        )
        assert report.new == 2 and report.rejected == 1
        assert report.problems[0].column == "Agent" and "empty" in report.problems[0].message
        agents = lead.store.conn.execute("SELECT agent FROM contacts ORDER BY at").fetchall()
        assert agents == [("Ana",), ("Ben",)]
        types = lead.store.conn.execute("SELECT DISTINCT record_type FROM outbox").fetchall()
        assert types == [("imported_contact",)]  # a lead's records, agents accept them
    finally:
        lead.close()


def test_surveys_are_the_leads_to_import(profile, tmp_path):
    from cxcompanion.services.survey_import import SurveyImport

    mapping = mapping_from_dict(
        {"kind": "surveys", "fields": {"answered_at": "Date", "csat": "CSAT", "contact_id": "Id"}}
    )
    with pytest.raises(ProfileError, match="team lead"):
        SurveyImport(profile).run(
            write_csv(
                tmp_path / "s.csv", [["1", "2026-11-01", "5"]], header=["Id", "Date", "CSAT"]
            ),
            mapping,
        )
