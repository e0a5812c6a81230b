"""The mapping file: its checks, its round trip, the README's examples, suggestions, and the
columns that are never imported because they measure how long something took."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cxcompanion.domain.import_mapping import (
    MappingError,
    check_columns,
    duration_columns,
    is_duration_column,
    mapping_from_dict,
    mapping_to_dict,
    suggest_mapping,
)
from cxcompanion.domain.import_rows import guess_date_format

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_mappings() -> list[dict]:
    blocks = re.findall(r"```json\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    return [json.loads(b) for b in blocks if '"cxcompanion-mapping"' in b]


def test_the_readme_examples_are_valid_mappings_and_round_trip():
    examples = readme_mappings()
    assert {e["kind"] for e in examples} == {"contacts", "surveys"}
    for example in examples:
        mapping = mapping_from_dict(example)
        assert mapping_from_dict(mapping_to_dict(mapping)) == mapping
    contacts = mapping_from_dict(examples[0])
    assert contacts.fields["at"].time_column == "Start"
    assert contacts.fields["outcome"].values["esc"] == "escalated"  # keys compared casefolded
    assert contacts.agents == {"a. silva": "Ana Silva", "b. okafor": "Ben Okafor"}


@pytest.mark.parametrize(
    ("change", "where", "words"),
    [
        (lambda m: m.update(kind="calls"), "kind", "not a kind"),
        (lambda m: m.update(version=9), "version", "newer"),
        (lambda m: m.update(format="other"), "format", "not a CX Companion mapping"),
        (lambda m: m["fields"].pop("purpose"), "fields.purpose", "missing"),
        (lambda m: m["fields"].update(handle_time="AHT"), "fields.handle_time", "not a field"),
        (lambda m: m["fields"].update(channel={}), "fields.channel", "either a column or"),
        (
            lambda m: m["fields"].update(channel={"column": "A", "constant": "phone"}),
            "fields.channel",
            "one of them",
        ),
        (
            lambda m: m["fields"].update(purpose={"column": "T", "format": "%d"}),
            "fields.purpose",
            "date fields only",
        ),
        (
            lambda m: m["fields"].update(outcome={"column": "R", "values": ["Y"]}),
            "fields.outcome.values",
            "object",
        ),
        (lambda m: m.update(skip=[{"column": "A"}]), "skip.0", "list of values"),
        (lambda m: m.update(agents={"x": ""}), "agents", "roster names"),
        (lambda m: m.update(source={"delimiter": ";;"}), "source.delimiter", "one character"),
        (lambda m: m.update(source={"header_row": 0}), "source.header_row", "1 or more"),
    ],
)
def test_a_bad_mapping_says_where_and_what(change, where, words):
    data = {
        "kind": "contacts",
        "fields": {
            "at": "Date",
            "channel": {"constant": "phone"},
            "purpose": "Topic",
            "outcome": "Result",
            "verdict": {"constant": "yes"},
        },
    }
    change(data)
    with pytest.raises(MappingError) as caught:
        mapping_from_dict(data)
    assert caught.value.where == where and words in caught.value.message


def test_a_survey_mapping_needs_an_answer_and_a_way_to_find_the_contact():
    with pytest.raises(MappingError, match="csat, nps and resolved"):
        mapping_from_dict({"kind": "surveys", "fields": {"answered_at": "D", "contact_id": "C"}})
    with pytest.raises(MappingError, match="contact_id or customer_ref"):
        mapping_from_dict({"kind": "surveys", "fields": {"answered_at": "D", "csat": "S"}})


def test_missing_columns_are_named_with_the_columns_there_are():
    mapping = suggest_mapping("contacts", ["Date", "Topic", "Result"])
    check_columns(mapping, ["Date", "Topic", "Result"])
    with pytest.raises(MappingError) as caught:
        check_columns(mapping, ["Date", "Result"])
    assert caught.value.where == "fields.purpose.column"
    assert "'Topic'" in caught.value.message and "'Result'" in caught.value.message


@pytest.mark.parametrize(
    "name",
    ["Talk time", "Handle Time", "AHT", "Hold", "Hold time", "Wrap-up time", "ACW",
     "After call work", "Speed of answer", "ASA", "Time to answer", "Queue time",
     "Call length", "Duration (s)", "Talk_Time_Sec", "Seconds", "Response time",
     "Handling time", "Ring time", "Wait time"],
)  # fmt: skip
def test_durations_are_recognised(name):
    assert is_duration_column(name)


@pytest.mark.parametrize(
    "name",
    ["Date", "Time", "Start time", "Call time", "Handled by", "Account holder", "Wrap code",
     "Agent", "Topic", "Resolution", "Status", "Answered", "Customer", "Notes"],
)  # fmt: skip
def test_other_columns_are_not_durations(name):
    assert not is_duration_column(name)


def test_suggestions_come_from_column_names_and_never_map_a_duration():
    columns = ["Call ID", "Call date", "Reason", "Outcome", "Account", "Talk time", "Agent",
               "Comments"]  # fmt: skip
    mapping = suggest_mapping("contacts", columns)
    assert mapping.id_column == "Call ID"
    assert {k: r.column for k, r in mapping.fields.items() if r.column} == {
        "at": "Call date",
        "purpose": "Reason",
        "outcome": "Outcome",
        "customer_ref": "Account",
        "notes": "Comments",
        "agent": "Agent",
    }
    assert mapping.fields["channel"].constant == "phone"
    assert duration_columns(columns) == ("Talk time",)
    survey = suggest_mapping("surveys", ["Response ID", "Submitted", "Call ID", "CSAT", "NPS"])
    assert survey.id_column == "Response ID"
    assert survey.fields["contact_id"].column == "Call ID"


@pytest.mark.parametrize(
    ("samples", "expected"),
    [
        (["2026-11-03", "2026-11-04T10:00"], None),
        (["03/11/2026", "04/11/2026"], "%d/%m/%Y"),
        (["11/13/2026", "11/14/2026"], "%m/%d/%Y"),
        (["03.11.2026 09:15"], "%d.%m.%Y %H:%M"),
        (["tomorrow"], None),
        ([], None),
    ],
)
def test_date_formats_are_guessed_from_the_first_rows(samples, expected):
    assert guess_date_format(samples) == expected
