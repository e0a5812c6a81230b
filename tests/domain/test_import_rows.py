"""One source row through a mapping: typed values, value maps, dates with times and zones."""

from __future__ import annotations

from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from cxcompanion.domain.import_mapping import mapping_from_dict
from cxcompanion.domain.import_rows import RowConverter, RowRejected, cell_text, row_key
from cxcompanion.services.profile import load_default_taxonomy

COLUMNS = ["Date", "Start", "Topic", "Result", "Verdict", "Mood", "Channel"]
MAPPING = mapping_from_dict(
    {
        "kind": "contacts",
        "fields": {
            "at": {"column": "Date", "format": "%d/%m/%Y", "time_column": "Start"},
            "channel": "Channel",
            "purpose": "Topic",
            "outcome": {"column": "Result", "values": {"Y": "resolved", "N": "not_resolved"}},
            "verdict": {"column": "Verdict", "values": {"1": "yes", "0": "no", "": "not_asked"}},
            "mood_start": "Mood",
        },
    }
)


@pytest.fixture
def converter():
    return RowConverter(MAPPING, COLUMNS, load_default_taxonomy(), ZoneInfo("Europe/Berlin"))


def test_a_row_becomes_typed_raw_fields(converter):
    raw = converter.convert(2, ["03/11/2026", "09:15", "Refund request", "y", "", "2", "In person"])
    assert raw == {
        "at": datetime(2026, 11, 3, 8, 15, tzinfo=timezone.utc),
        "channel": "in_person",
        "purpose": "billing.refund",  # the taxonomy's label, read as its code
        "outcome": "resolved",  # value maps ignore case
        "verdict": "not_asked",  # a blank cell mapped by ""
        "mood_start": 2,
    }


def test_workbook_cells_keep_their_types(converter):
    values = [datetime(2026, 11, 3), time(17, 0), "billing.refund", "N", 1.0, -1.0, "Phone"]
    raw = converter.convert(2, values)
    assert raw["at"] == datetime(2026, 11, 3, 16, 0, tzinfo=timezone.utc)
    assert (raw["verdict"], raw["mood_start"], raw["channel"]) == ("yes", -1, "phone")


def test_every_problem_of_a_row_is_named_by_column(converter):
    with pytest.raises(RowRejected) as caught:
        converter.convert(7, ["3 Nov", "", "x", "maybe", "2", "lots", "Pigeon"])
    found = {p.column: p.message for p in caught.value.problems}
    assert set(found) == {"Date", "Result", "Verdict", "Mood", "Channel"}
    assert all(p.row == 7 for p in caught.value.problems)
    assert (
        "'maybe' is not an outcome" in found["Result"]
        and "'Pigeon' is not a channel" in found["Channel"]
    )
    assert "does not match the date format '%d/%m/%Y'" in found["Date"]


def test_cells_as_text_and_row_keys_are_stable():
    assert [cell_text(v) for v in (None, 3.0, 2.5, True, " a ")] == ["", "3", "2.5", "yes", "a"]
    assert row_key(["a", 1.0, None]) == row_key(["a", "1", ""])
    assert row_key(["a", "b"]) != row_key(["ab", ""])


def test_a_duration_cell_is_never_imported_whatever_its_column_is_called(converter):
    from datetime import timedelta

    values = ["03/11/2026", "09:15", "billing.refund", "Y", "1", timedelta(minutes=4), "Phone"]
    with pytest.raises(RowRejected) as caught:
        converter.convert(3, values)
    (problem,) = caught.value.problems
    assert problem.column == "Mood" and "never imports how long" in problem.message


def test_a_value_the_map_does_not_list_is_read_as_it_is(converter):
    raw = converter.convert(
        2, ["03/11/2026", "09:15", "Refund request", "Escalated", "1", "", "Chat"]
    )
    assert raw["outcome"] == "escalated"  # only Y and N needed mapping
