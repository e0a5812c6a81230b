"""Fuzzing the CSV import: random bytes and well-formed files full of wrong values never crash
the import and never leave half of a file in the store."""

from __future__ import annotations

import csv
import io
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxcompanion.domain.import_mapping import MappingError, mapping_from_dict
from cxcompanion.services.history_import import HistoryImport
from cxcompanion.services.profile import Profile
from cxcompanion.services.table_readers import TableError

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
HEADER = ["Id", "Date", "Topic", "Result", "Verdict", "Customer", "Mood", "Prior", "Notes"]
MAPPING = mapping_from_dict(
    {
        "kind": "contacts",
        "id_column": "Id",
        "timezone": "UTC",
        "fields": {
            "at": "Date",
            "channel": {"constant": "chat"},
            "purpose": "Topic",
            "outcome": {"column": "Result", "values": {"ok": "resolved", "ko": "not_resolved"}},
            "verdict": "Verdict",
            "customer_ref": "Customer",
            "mood_start": "Mood",
            "prior_contacts": "Prior",
            "notes": "Notes",
        },
    }
)

_cells = {
    "Id": st.one_of(st.text(max_size=6), st.sampled_from(["1", "2", "3", ""])),
    "Date": st.one_of(
        st.sampled_from(["2026-11-02T10:00", "2026-11-03", "2031-01-01", "1999-12-31", ""]),
        st.text(max_size=12),
    ),
    "Topic": st.one_of(
        st.sampled_from(["billing.refund", "Refund request", "Cannot log in", "nope", ""]),
        st.text(max_size=10),
    ),
    "Result": st.sampled_from(["ok", "ko", "OK", "maybe", ""]),
    "Verdict": st.sampled_from(["yes", "no", "unsure", "not asked", "Y", "perhaps", ""]),
    "Customer": st.text(max_size=20),
    "Mood": st.sampled_from(["-2", "0", "2", "3", "x", "", "1.0"]),
    "Prior": st.sampled_from(["0", "1", "-1", "200", "two", ""]),
    "Notes": st.one_of(st.text(max_size=40), st.just("x" * 5000)),
}
_row = st.fixed_dictionaries(_cells).map(lambda cells: [cells[c] for c in HEADER])


def _fresh_profile(folder: Path) -> Profile:
    profile = Profile(folder)
    profile.set_up("Ana", "North", "agent")
    return profile


def _contacts(profile: Profile) -> int:
    return profile.store.conn.execute("SELECT count(*) FROM contacts").fetchone()[0]


def _check_all_or_nothing(profile: Profile, path: Path, *, skip_bad_rows: bool) -> None:
    before = _contacts(profile)
    try:
        report = HistoryImport(profile, clock=lambda: NOW).run(
            path, MAPPING, skip_bad_rows=skip_bad_rows
        )
    except (TableError, MappingError) as exc:
        assert str(exc) and "\n" not in str(exc)  # one line for the person
        assert _contacts(profile) == before
        return
    assert not profile.store.conn.in_transaction
    if report.written:
        assert _contacts(profile) == before + report.new
        assert skip_bad_rows or report.rejected == 0
    else:
        assert _contacts(profile) == before
        assert report.rejected > 0 or report.new == 0
    assert profile.store.integrity_check() == "ok"


FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(data=st.binary(max_size=2000))
def test_random_bytes_never_crash_nor_half_import(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "calls.csv"
        path.write_bytes(data)
        profile = _fresh_profile(Path(folder) / "profile")
        try:
            _check_all_or_nothing(profile, path, skip_bad_rows=True)
        finally:
            profile.close()


@FUZZ
@given(
    rows=st.lists(_row, max_size=25),
    skip=st.booleans(),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_well_formed_files_of_wrong_values_import_all_good_rows_or_nothing(
    rows, skip, delimiter, encoding
):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(HEADER)
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "calls.csv"
        path.write_bytes(buffer.getvalue().encode(encoding, errors="surrogatepass"))
        profile = _fresh_profile(Path(folder) / "profile")
        try:
            _check_all_or_nothing(profile, path, skip_bad_rows=skip)
            # and a second import of the same file changes nothing
            count = _contacts(profile)
            outbox = profile.store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
            _check_all_or_nothing(profile, path, skip_bad_rows=skip)
            assert _contacts(profile) == count
            assert profile.store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == outbox
        finally:
            profile.close()
