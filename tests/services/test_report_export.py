"""The report export, read back by real readers: the csv module, sqlite3, DuckDB and pandas."""

from __future__ import annotations

import csv
import errno
import json
import os
import sqlite3
import time
import tracemalloc
from pathlib import Path

import duckdb
import pandas
import pytest

from cxcompanion.services import report_export
from cxcompanion.services.profile import Profile
from cxcompanion.services.report_export import REPORT_FILES, ExportError, export_report
from tests.test_no_stopwatch import STOPWATCH

TRICKY = 'Charged twice, "again"\nZoë paid 12 € — 日本語, señal'
NOW = "2026-03-10T12:00:00Z"

CSV_COLUMNS = {
    "contacts": "id at date agent channel purpose purpose_label outcome verdict "
    "customer_verdict_survey prior_contacts prior_channels customer_hash cancel_intent "
    "cancel_reason stayed mood_start mood_end ideas detail notes",
    "ideas": "id contact_id agent at text area status decision_note",
    "surveys": "id answered_at contact_id agent csat nps resolved comment",
    "evaluations": "id contact_id agent evaluator scorecard scorecard_version technical_earned "
    "technical_possible emotional_earned emotional_possible comment at",
    "coaching_notes": "id agent lead contact_id theme strengths growth_area commitment "
    "follow_up written_at acknowledged replies",
}


@pytest.fixture(autouse=True)
def auckland(monkeypatch):
    """A zone far from UTC, so a local date differs from the UTC one in the data below."""
    monkeypatch.setenv("TZ", "Pacific/Auckland")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def insert(conn: sqlite3.Connection, table: str, **values) -> None:
    row = {"writer": "w-other", "revision": 1, "updated_at": NOW, "deleted": 0, **values}
    names = ", ".join(row)
    conn.execute(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(row))})", [
        *row.values()
    ])  # fmt: skip


def contact(conn, id, agent, at, **values) -> None:
    base = {"channel": "phone", "purpose": "billing.refund", "outcome": "resolved"}
    insert(conn, "contacts", id=id, agent=agent, at=at, **{"verdict": "yes", **base, **values})


def fill(profile: Profile) -> None:
    """Two agents' contacts and everything a lead's workspace holds about them."""
    conn = profile.store.conn
    conn.execute("BEGIN")
    contact(
        conn, "c-ana-1", "Ana", "2026-03-02T20:30:00Z", detail=TRICKY, prior_contacts=2,
        prior_channels="email,chat", customer_hash="h-1", cancel_intent=1,
        cancel_reason="price", stayed=1, mood_start=-1, mood_end=2, notes="called back; fine",
    )  # fmt: skip
    contact(conn, "c-ana-2", "Ana", "2026-03-05T09:00:00Z", verdict="no", channel="chat")
    contact(conn, "c-ben-1", "Ben", "2026-03-06T10:00:00Z", purpose="not.in.taxonomy")
    contact(conn, "c-deleted", "Ana", "2026-03-04T10:00:00Z", deleted=1, detail="gone")
    contact(conn, "c-stub", "", "2026-03-04T11:00:00Z")  # a colleague's, kept for repeats
    for id, contact_id, text in (
        ("i-1", "c-ana-1", "pause the plan, from the app"),
        ("i-2", "c-ana-1", "an invoice in Māori"),
        ("i-3", "c-ana-2", "a cheaper plan"),
        ("i-gone", "c-deleted", "on a deleted contact"),
    ):
        insert(conn, "ideas", id=id, contact_id=contact_id, text=text, area="billing")
    insert(conn, "ideas", id="i-x", contact_id="c-ana-1", text="withdrawn", area="x", deleted=1)
    for id, status, note, at, deleted in (
        ("d-1", "under_review", "looking", "2026-03-03T09:00:00Z", 0),
        ("d-2", "adopted", 'shipped, "v2"', "2026-03-04T09:00:00Z", 0),
        ("d-3", "declined", "a mistake", "2026-03-05T09:00:00Z", 1),
    ):
        insert(
            conn, "idea_decisions", id=id, idea_id="i-1", agent="Ana", status=status, note=note,
            decided_by="Lee", at=at, deleted=deleted,
        )  # fmt: skip
    for id, contact_id, agent, at, resolved, deleted in (
        ("s-1", "c-ana-1", "Ana", "2026-03-03T10:00:00Z", 0, 0),
        ("s-2", "c-ana-1", "Ana", "2026-03-04T10:00:00Z", 1, 0),
        ("s-3", "c-ana-1", "Ana", "2026-03-05T10:00:00Z", None, 0),  # CSAT only
        ("s-4", "c-ben-1", "Ben", "2026-03-07T10:00:00Z", 0, 0),
        ("s-5", None, None, "2026-03-08T10:00:00Z", None, 0),  # not matched to a contact
        ("s-6", "c-ana-2", "Ana", "2026-03-08T10:00:00Z", 1, 1),
    ):
        insert(
            conn, "survey_answers", id=id, contact_id=contact_id, agent=agent, answered_at=at,
            csat=5, nps=9, resolved=resolved, comment='great, "really"\nthanks', deleted=deleted,
        )  # fmt: skip
    scores = json.dumps({"greeting": 2, "empathy": None, "accuracy": 1})
    for id, agent, deleted in (("e-1", "Ana", 0), ("e-2", "Ben", 0), ("e-gone", "Ana", 1)):
        insert(
            conn, "evaluations", id=id, contact_id="c-ana-1", agent=agent, evaluator="Lee",
            scorecard="default", scorecard_version=2, scores=scores, technical_earned=3,
            technical_possible=4, emotional_earned=0, emotional_possible=2,
            comment="listened well", at="2026-03-06T09:00:00Z", deleted=deleted,
        )  # fmt: skip
    insert(
        conn, "coaching_notes", id="n-1", agent="Ana", lead="Lee", contact_id="c-ana-1",
        strengths="calm, clear", growth_area="offer the survey", commitment="ask every time",
        follow_up="2026-03-20", written_at="2026-03-06T11:00:00Z",
    )  # fmt: skip
    insert(
        conn, "coaching_notes", id="n-2", agent="Ben", lead="Lee", theme="cancellations",
        written_at="2026-03-07T11:00:00Z",
    )  # fmt: skip
    for id, kind, deleted in (
        ("r-1", "ack", 0), ("r-2", "reply", 0), ("r-3", "reply", 1), ("r-4", "done", 0)
    ):  # fmt: skip
        insert(
            conn, "coaching_replies", id=id, note_id="n-1", agent="Ana", kind=kind, text="ok",
            at="2026-03-07T08:00:00Z", deleted=deleted,
        )  # fmt: skip
    conn.execute("COMMIT")


@pytest.fixture
def lead(tmp_path):
    opened = Profile(tmp_path / "lead")
    opened.set_up("Lee", "North", "lead")
    fill(opened)
    yield opened
    opened.close()


@pytest.fixture
def report(lead, tmp_path):
    folder = tmp_path / "report"
    summary = export_report(lead, folder)
    return folder, summary


def csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def by_id(rows) -> dict[str, dict]:
    return {row["id"]: row for row in rows}


def sqlite_rows(folder: Path, table: str) -> list[dict]:
    conn = sqlite3.connect(folder / "report.sqlite3")
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY id")]
    finally:
        conn.close()


# -- the files and their shape ---------------------------------------------------------------


def test_every_file_is_there_with_a_bom_crlf_lines_and_the_promised_header(report):
    folder, summary = report
    assert sorted(os.listdir(folder)) == sorted(REPORT_FILES)
    for table, columns in CSV_COLUMNS.items():
        data = (folder / f"{table}.csv").read_bytes()
        assert data.startswith(b"\xef\xbb\xbf" + columns.replace(" ", ",").encode() + b"\r\n")
        assert data.endswith(b"\r\n")
    assert dict(summary.rows) == {
        "contacts": 3, "ideas": 3, "surveys": 5, "evaluations": 2, "coaching_notes": 2
    }  # fmt: skip
    assert (summary.period_start, summary.period_end) == ("2026-03-03", "2026-03-06")


def test_the_sqlite_file_is_plain_typed_and_stands_alone(report):
    folder, summary = report
    path = folder / "report.sqlite3"
    assert path.read_bytes()[18:20] == b"\x01\x01"  # rollback journal, not WAL
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        kinds = dict(conn.execute("SELECT name, type FROM sqlite_master GROUP BY type, name"))
        assert "trigger" not in kinds.values() and "view" not in kinds.values()
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        assert sorted(tables) == sorted([*CSV_COLUMNS, "report_info"])
        assert not [s for (s,) in conn.execute("SELECT sql FROM sqlite_master") if s and "fts" in s]
        for table, columns in CSV_COLUMNS.items():
            info = conn.execute(f"PRAGMA table_info({table})").fetchall()
            names = [r[1] for r in info]
            expected = columns.split() + (["scores"] if table == "evaluations" else [])
            assert names == expected
            assert not {"writer", "revision", "updated_at", "deleted"} & set(names)
            for _, name, kind, *_ in info:
                integer = name.startswith(("mood", "technical", "emotional")) or name in {
                    "prior_contacts", "cancel_intent", "stayed", "ideas", "csat", "nps",
                    "resolved", "scorecard_version", "acknowledged", "replies",
                }  # fmt: skip
                assert kind == ("INTEGER" if integer else "TEXT"), (table, name)
            count = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            assert count == dict(summary.rows)[table]
        info = dict(conn.execute("SELECT key, value FROM report_info"))
    finally:
        conn.close()
    assert info["team"] == "North" and info["scope"] == "team" and info["exported_by"] == "Lee"
    assert info["period"] == "2026-03-03/2026-03-06" and info["app_version"]
    assert info["exported_at"].endswith("Z")


def test_no_column_header_or_key_speaks_of_duration(report):
    folder, _ = report
    names = []
    for table in CSV_COLUMNS:
        with open(folder / f"{table}.csv", encoding="utf-8-sig", newline="") as handle:
            names += [table, *next(csv.reader(handle))]
    conn = sqlite3.connect(folder / "report.sqlite3")
    try:
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            names += [table, *(r[1] for r in conn.execute(f"PRAGMA table_info({table})"))]
        names += [r[0] for r in conn.execute("SELECT key FROM report_info")]
    finally:
        conn.close()
    assert "customer_hash" in names
    assert [n for n in names if STOPWATCH.search(n)] == []


# -- values, read back by each reader --------------------------------------------------------

ANA_1 = {
    "id": "c-ana-1", "at": "2026-03-02T20:30:00Z", "date": "2026-03-03", "agent": "Ana",
    "channel": "phone", "purpose": "billing.refund", "purpose_label": "Billing › Refund request",
    "outcome": "resolved", "verdict": "yes", "customer_verdict_survey": "yes",
    "prior_contacts": "2", "prior_channels": "email,chat", "customer_hash": "h-1",
    "cancel_intent": "yes", "cancel_reason": "price", "stayed": "yes", "mood_start": "-1",
    "mood_end": "2", "ideas": "2", "detail": TRICKY, "notes": "called back; fine",
}  # fmt: skip


def test_the_csv_files_round_trip_through_the_csv_module(report):
    folder, _ = report
    contacts = by_id(csv_rows(folder / "contacts.csv"))
    assert sorted(contacts) == ["c-ana-1", "c-ana-2", "c-ben-1"]  # not deleted, not a stub
    assert contacts["c-ana-1"] == ANA_1
    ana_2, ben = contacts["c-ana-2"], contacts["c-ben-1"]
    assert ana_2["customer_verdict_survey"] == ""  # its only answer was deleted
    assert (ana_2["stayed"], ana_2["mood_start"], ana_2["customer_hash"]) == ("", "", "")
    assert (ana_2["cancel_intent"], ana_2["ideas"], ana_2["verdict"]) == ("no", "1", "no")
    assert ben["customer_verdict_survey"] == "no"
    assert ben["purpose_label"] == "not.in.taxonomy"  # an unknown code shown as it is
    ideas = by_id(csv_rows(folder / "ideas.csv"))
    assert sorted(ideas) == ["i-1", "i-2", "i-3"]
    assert ideas["i-1"] == {
        "id": "i-1", "contact_id": "c-ana-1", "agent": "Ana", "at": "2026-03-02T20:30:00Z",
        "text": "pause the plan, from the app", "area": "billing", "status": "adopted",
        "decision_note": 'shipped, "v2"',
    }  # fmt: skip
    assert (ideas["i-3"]["status"], ideas["i-3"]["decision_note"]) == ("new", "")
    surveys = by_id(csv_rows(folder / "surveys.csv"))
    assert sorted(surveys) == ["s-1", "s-2", "s-3", "s-4", "s-5"]
    assert [surveys[s]["resolved"] for s in ("s-1", "s-2", "s-3")] == ["no", "yes", ""]
    assert surveys["s-5"]["contact_id"] == "" and surveys["s-2"]["comment"].endswith("\nthanks")
    evaluations = by_id(csv_rows(folder / "evaluations.csv"))
    assert sorted(evaluations) == ["e-1", "e-2"]
    assert evaluations["e-1"]["technical_possible"] == "4"
    assert evaluations["e-1"]["emotional_possible"] == "2"
    notes = by_id(csv_rows(folder / "coaching_notes.csv"))
    assert (notes["n-1"]["acknowledged"], notes["n-1"]["replies"]) == ("yes", "1")
    assert (notes["n-2"]["acknowledged"], notes["n-2"]["replies"]) == ("no", "0")
    assert notes["n-1"]["strengths"] == "calm, clear" and notes["n-2"]["contact_id"] == ""


def test_the_sqlite_file_keeps_types_nulls_and_the_scores(report):
    folder, _ = report
    ana_1 = by_id(sqlite_rows(folder, "contacts"))["c-ana-1"]
    flags = {"cancel_intent": 1, "stayed": 1}
    numbers = {k: int(ANA_1[k]) for k in ("prior_contacts", "mood_start", "mood_end", "ideas")}
    assert ana_1 == {**ANA_1, **numbers, **flags}
    ana_2 = by_id(sqlite_rows(folder, "contacts"))["c-ana-2"]
    assert ana_2["stayed"] is None and ana_2["customer_verdict_survey"] is None
    evaluation = by_id(sqlite_rows(folder, "evaluations"))["e-1"]
    assert json.loads(evaluation["scores"]) == {"greeting": 2, "empathy": None, "accuracy": 1}
    assert by_id(sqlite_rows(folder, "surveys"))["s-3"]["resolved"] is None
    assert by_id(sqlite_rows(folder, "coaching_notes"))["n-1"]["acknowledged"] == 1


def test_duckdb_reads_the_csv_files(report):
    folder, summary = report
    path = folder / "contacts.csv"
    contacts = duckdb.read_csv(str(path))
    assert contacts.columns == CSV_COLUMNS["contacts"].split()  # the BOM is not in "id"
    types = dict(zip(contacts.columns, map(str, contacts.dtypes), strict=True))
    assert (types["at"], types["date"]) == ("TIMESTAMP WITH TIME ZONE", "DATE")
    assert (types["ideas"], types["stayed"]) == ("BIGINT", "BOOLEAN")  # yes/no: BOOLEAN
    # (fetching a TIMESTAMPTZ needs pytz on DuckDB 1.x: `at` is compared as text below)
    typed = duckdb.sql(
        f"""SELECT * EXCLUDE ("at"), CAST("at" AS VARCHAR) FROM read_csv('{path}')"""
    )
    rows = {r[0]: dict(zip(typed.columns, r, strict=True)) for r in typed.fetchall()}
    assert sorted(rows) == ["c-ana-1", "c-ana-2", "c-ben-1"]
    ana_1 = rows["c-ana-1"]
    assert ana_1["detail"] == TRICKY and ana_1["purpose_label"] == ANA_1["purpose_label"]
    assert str(ana_1["date"]) == "2026-03-03" and ana_1["ideas"] == 2 and ana_1["mood_start"] == -1
    assert (ana_1["cancel_intent"], ana_1["stayed"]) == (True, True)
    assert rows["c-ana-2"]["stayed"] is None  # a blank is NULL
    text = duckdb.read_csv(str(path), all_varchar=True).fetchall()
    assert {r[0]: r[1] for r in text}["c-ana-1"] == ANA_1["at"]
    for table, count in summary.rows:
        found = duckdb.sql(f"SELECT count(*) FROM read_csv('{folder / (table + '.csv')}')")
        assert found.fetchall() == [(count,)], table


def duckdb_with_sqlite() -> duckdb.DuckDBPyConnection:
    """DuckDB with its sqlite extension, if it is installed: it cannot be downloaded offline.

    The extension comes from DuckDB's server, or as the pip package
    duckdb-extension-sqlite-scanner built for exactly one DuckDB version.
    """
    conn = duckdb.connect(config={"autoinstall_known_extensions": False})
    try:
        import duckdb_extension_sqlite_scanner as package  # type: ignore[import-not-found]
    except ImportError:
        package = None
    candidates = ["sqlite_scanner"]
    if package is not None:
        built = Path(package.__file__).parent / "extensions" / f"v{duckdb.__version__}"
        candidates.insert(0, f"'{built / 'sqlite_scanner.duckdb_extension'}'")
    for candidate in candidates:
        try:
            conn.execute(f"LOAD {candidate}")
            return conn
        except duckdb.Error:
            continue
    conn.close()
    pytest.skip(f"DuckDB {duckdb.__version__}'s sqlite extension is not installed (offline)")


def test_duckdb_reads_the_sqlite_file(report):
    folder, summary = report
    conn = duckdb_with_sqlite()
    try:
        conn.execute(f"ATTACH '{folder / 'report.sqlite3'}' AS report (TYPE SQLITE, READ_ONLY)")
        for table, count in summary.rows:
            assert conn.execute(f"SELECT count(*) FROM report.{table}").fetchone()[0] == count
        detail, ideas = conn.execute(
            "SELECT detail, ideas FROM report.contacts WHERE id = 'c-ana-1'"
        ).fetchone()
        assert (detail, ideas) == (TRICKY, 2)
    finally:
        conn.close()


def test_pandas_reads_the_csv_and_the_sqlite_file(report):
    folder, summary = report
    path = folder / "contacts.csv"
    exact = pandas.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(exact.columns) == CSV_COLUMNS["contacts"].split()
    assert exact.set_index("id").loc["c-ana-1"].to_dict() == {
        k: v for k, v in ANA_1.items() if k != "id"
    }
    typed = pandas.read_csv(path, encoding="utf-8-sig").set_index("id")
    assert typed["ideas"].tolist() == [2, 1, 0] and typed.loc["c-ana-1", "mood_end"] == 2
    assert pandas.isna(typed.loc["c-ana-2", "stayed"])
    conn = sqlite3.connect(folder / "report.sqlite3")
    try:
        frame = pandas.read_sql("SELECT * FROM contacts ORDER BY at", conn)
        assert frame["id"].tolist() == ["c-ana-1", "c-ana-2", "c-ben-1"]
        assert frame.loc[0, "detail"] == TRICKY and frame.loc[0, "stayed"] == 1
        notes = pandas.read_sql("SELECT * FROM coaching_notes ORDER BY id", conn)
        assert notes["replies"].tolist() == [1, 0]
        info = pandas.read_sql("SELECT * FROM report_info", conn).set_index("key")["value"]
        assert info["team"] == "North"
    finally:
        conn.close()
    for table, count in summary.rows:
        assert len(pandas.read_csv(folder / f"{table}.csv", encoding="utf-8-sig")) == count


# -- whose records ---------------------------------------------------------------------------


def test_an_agent_exports_only_their_own(profile, tmp_path):
    fill(profile)  # an agent's store can hold colleagues' contacts (repeat detection)
    summary = export_report(profile, tmp_path / "mine")
    folder = summary.folder
    assert summary.scope == "Ana"
    assert sorted(by_id(csv_rows(folder / "contacts.csv"))) == ["c-ana-1", "c-ana-2"]
    assert sorted(by_id(csv_rows(folder / "ideas.csv"))) == ["i-1", "i-2", "i-3"]
    assert sorted(by_id(csv_rows(folder / "surveys.csv"))) == ["s-1", "s-2", "s-3"]
    assert sorted(by_id(csv_rows(folder / "evaluations.csv"))) == ["e-1"]
    assert sorted(by_id(csv_rows(folder / "coaching_notes.csv"))) == ["n-1"]
    agents = {r["agent"] for t in CSV_COLUMNS for r in sqlite_rows(folder, t)}
    assert agents == {"Ana"}


def test_an_empty_store_gives_header_rows_and_empty_tables(tmp_path):
    empty = Profile(tmp_path / "new-lead")
    empty.set_up("Lee", "North", "lead")
    try:
        summary = export_report(empty, tmp_path / "out")
    finally:
        empty.close()
    assert all(count == 0 for _, count in summary.rows) and summary.period_start is None
    for table in CSV_COLUMNS:
        lines = (summary.folder / f"{table}.csv").read_bytes().split(b"\r\n")
        assert len(lines) == 2 and lines[1] == b"" and lines[0].startswith(b"\xef\xbb\xbfid,")
        assert sqlite_rows(summary.folder, table) == []


# -- all or nothing --------------------------------------------------------------------------


def failing_on(monkeypatch, table_width: int) -> None:
    """Make the CSV writer fail on the first row of the table with that many CSV columns."""
    real = report_export._csv_row

    def csv_row(row, width, flags):
        if width == table_width:
            raise OSError(errno.EIO, "Input/output error")
        return real(row, width, flags)

    monkeypatch.setattr(report_export, "_csv_row", csv_row)


def test_a_failure_midway_leaves_no_report_files(lead, tmp_path, monkeypatch):
    failing_on(monkeypatch, len(CSV_COLUMNS["ideas"].split()))
    with pytest.raises(ExportError, match="Input/output error"):
        export_report(lead, tmp_path / "out")
    assert os.listdir(tmp_path / "out") == []
    assert not lead.store.conn.in_transaction


def test_a_failure_keeps_the_earlier_report_whole(lead, report, monkeypatch):
    folder, _ = report
    before = {name: (folder / name).read_bytes() for name in REPORT_FILES}
    lead.store.conn.execute("UPDATE contacts SET detail = 'changed' WHERE id = 'c-ana-1'")
    failing_on(monkeypatch, len(CSV_COLUMNS["coaching_notes"].split()))
    with pytest.raises(ExportError):
        export_report(lead, folder)
    assert {name: (folder / name).read_bytes() for name in os.listdir(folder)} == before


def test_a_file_held_open_at_the_rename_puts_the_earlier_report_back(lead, report, monkeypatch):
    folder, _ = report
    before = {name: (folder / name).read_bytes() for name in REPORT_FILES}
    real = report_export._replace

    def replace(source, target):
        if Path(source).name.endswith("surveys.csv.part"):
            raise PermissionError(errno.EACCES, "Permission denied", str(target))
        real(source, target)

    monkeypatch.setattr(report_export, "_replace", replace)
    with pytest.raises(ExportError, match="open in another program"):
        export_report(lead, folder)
    assert {name: (folder / name).read_bytes() for name in os.listdir(folder)} == before


def test_exporting_again_replaces_the_earlier_report(lead, report):
    folder, _ = report
    (folder / ".DS_Store").write_bytes(b"")  # left by a file manager
    (folder / ".cxcompanion-export-0badcafe-contacts.csv.part").write_text("cut off")
    lead.store.conn.execute("UPDATE contacts SET deleted = 1 WHERE id = 'c-ben-1'")
    summary = export_report(lead, folder)
    assert dict(summary.rows)["contacts"] == 2
    assert sorted(by_id(csv_rows(folder / "contacts.csv"))) == ["c-ana-1", "c-ana-2"]
    assert len(sqlite_rows(folder, "contacts")) == 2
    assert sorted(os.listdir(folder)) == sorted([*REPORT_FILES, ".DS_Store"])


# -- folders it refuses ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("budget.xlsx", b"PK", "already holds other files \\(budget.xlsx\\)"),
        ("contacts.csv", b"Name,Phone\r\n", "already holds other files \\(contacts.csv\\)"),
        ("report.sqlite3-journal", b"x", "open in another program"),
    ],
)
def test_a_folder_with_other_files_is_refused_untouched(lead, tmp_path, name, data, message):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / name).write_bytes(data)
    with pytest.raises(ExportError, match=message):
        export_report(lead, folder)
    assert os.listdir(folder) == [name] and (folder / name).read_bytes() == data


def test_a_file_is_not_a_folder(lead, tmp_path):
    path = tmp_path / "report.csv"
    path.write_text("mine")
    with pytest.raises(ExportError, match="is a file"):
        export_report(lead, path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_a_folder_that_is_not_writable_is_refused(lead, tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(ExportError, match="not writable"):
            export_report(lead, folder)
    finally:
        folder.chmod(0o700)


# -- streaming -------------------------------------------------------------------------------


def test_rows_are_streamed_not_held(lead, tmp_path):
    count = 8_000
    conn = lead.store.conn
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO contacts (id, writer, revision, updated_at, agent, at, channel, purpose, "
        "outcome, verdict, detail) VALUES (?, 'w', 1, ?, 'Ana', ?, 'phone', 'billing.refund', "
        "'resolved', 'yes', ?)",
        (
            (f"bulk-{i:06d}", NOW, f"2026-02-{1 + i % 28:02d}T10:{i % 60:02d}:00Z", "x" * 200)
            for i in range(count)
        ),
    )
    conn.execute("COMMIT")
    seen = []
    tracemalloc.start()
    try:
        summary = export_report(lead, tmp_path / "big", progress=lambda t, n: seen.append((t, n)))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert dict(summary.rows)["contacts"] == count + 3
    # Held in a list, 8,000 rows of 21 values and a 200-character detail take > 4.5 MB.
    assert peak < 1_500_000, peak
    assert ("contacts", 5_000) in seen and seen[-1] == ("coaching_notes", 2)
