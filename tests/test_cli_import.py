"""`cxcompanion import contacts|surveys FILE --mapping MAP` from the command line."""

from __future__ import annotations

import csv
import json

import pytest

from cxcompanion import cli

HEADER = ["Call ID", "Date", "Time", "Topic", "Result", "Talk time"]
ROWS = [
    ["C1", "03/11/2026", "09:15", "Refund request", "Y", "00:04:10"],
    ["C2", "04/11/2026", "10:00", "Charged twice", "N", "00:01:10"],
]


@pytest.fixture
def folder(profile):
    path = str(profile.folder)
    profile.close()
    return path


def write_csv(path, rows, header=HEADER):
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def suggested(folder, path, capsys):
    assert cli.main(["--profile", folder, "import", "contacts", path, "--suggest"]) == 0
    captured = capsys.readouterr()
    assert "'Talk time'" in captured.err  # told it is never imported
    return json.loads(captured.out)


def test_suggest_then_edit_then_import(folder, tmp_path, capsys):
    path = write_csv(tmp_path / "calls.csv", ROWS)
    mapping = suggested(folder, path, capsys)
    assert mapping["id_column"] == "Call ID"
    assert mapping["fields"]["at"] == {
        "column": "Date",
        "format": "%d/%m/%Y",
        "time_column": "Time",
    }
    assert "Talk time" not in json.dumps(mapping["fields"])
    mapping["fields"]["outcome"] = {
        "column": "Result",
        "values": {"Y": "resolved", "N": "not_resolved"},
    }
    map_path = tmp_path / "calls.cxmap.json"
    map_path.write_text(json.dumps(mapping), encoding="utf-8")
    args = ["--profile", folder, "import", "contacts", path, "--mapping", str(map_path)]

    assert cli.main([*args, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "2 new contact(s)" in out and "Dry run: nothing was written." in out
    assert "never imported (how long something took): 'Talk time'" in out

    assert cli.main([*args, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["new"], report["written"], report["dropped_columns"]) == (2, True, ["Talk time"])

    assert cli.main(args) == 0
    assert "0 new contact(s), 0 updated, 2 unchanged" in capsys.readouterr().out

    assert cli.main(["--profile", folder, "contacts", "--format", "json"]) == 0
    contacts = json.loads(capsys.readouterr().out)
    assert sorted(c["purpose"] for c in contacts) == ["billing.double_charge", "billing.refund"]


def test_bad_rows_fail_with_one_line_and_import_nothing_unless_asked(folder, tmp_path, capsys):
    path = write_csv(
        tmp_path / "calls.csv", [*ROWS, ["C3", "05/11/2026", "11:00", "Refund request", "?", "1"]]
    )
    mapping = suggested(folder, path, capsys)
    mapping["fields"]["outcome"] = {
        "column": "Result",
        "values": {"Y": "resolved", "N": "not_resolved"},
    }
    map_path = tmp_path / "map.json"
    map_path.write_text(json.dumps(mapping), encoding="utf-8")
    args = ["--profile", folder, "import", "contacts", path, "--mapping", str(map_path)]
    assert cli.main(args) == 1
    captured = capsys.readouterr()
    assert "row 4, column 'Result': '?' is not an outcome" in captured.out
    assert captured.err.count("\n") == 1 and "--skip-bad-rows" in captured.err
    assert "2 good row(s)" in captured.err
    assert cli.main(["--profile", folder, "contacts", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert cli.main([*args, "--skip-bad-rows"]) == 0
    assert "2 new contact(s)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (
            lambda d: ["import", "contacts", str(d / "none.csv"), "--mapping", str(d / "m.json")],
            "no mapping file",
        ),
        (lambda d: ["import", "contacts", str(d / "calls.csv")], "give --mapping MAP"),
        (lambda d: ["import", "stuff", str(d / "calls.csv")], "contacts or surveys"),
        (lambda d: ["import", "contacts", str(d / "none.csv"), "--suggest"], "none.csv"),
        (
            lambda d: [
                "import",
                "contacts",
                str(d / "calls.csv"),
                "--mapping",
                str(d / "bad.json"),
            ],
            "not valid JSON",
        ),
        (
            lambda d: [
                "import",
                "contacts",
                str(d / "calls.csv"),
                "--mapping",
                str(d / "wrong.json"),
            ],
            "fields.purpose.column: the file has no column 'Subject'",
        ),
        (
            lambda d: [
                "import",
                "surveys",
                str(d / "calls.csv"),
                "--mapping",
                str(d / "survey.json"),
            ],
            "team lead",
        ),
        (
            lambda d: [
                "import",
                "contacts",
                str(d / "calls.csv"),
                "--mapping",
                str(d / "wrong.json"),
                "--format",
                "xml",
            ],
            "--format",
        ),
    ],
)
def test_mistakes_are_one_line_and_status_1(folder, tmp_path, capsys, setup, expected):
    write_csv(tmp_path / "calls.csv", ROWS)
    (tmp_path / "bad.json").write_text("{nope", encoding="utf-8")
    wrong = {
        "kind": "contacts",
        "fields": {
            "at": "Date",
            "channel": {"constant": "phone"},
            "purpose": "Subject",
            "outcome": "Result",
            "verdict": {"constant": "yes"},
        },
    }
    (tmp_path / "wrong.json").write_text(json.dumps(wrong), encoding="utf-8")
    survey = {
        "kind": "surveys",
        "fields": {"answered_at": "Date", "csat": "Result", "contact_id": "Call ID"},
    }
    (tmp_path / "survey.json").write_text(json.dumps(survey), encoding="utf-8")
    assert cli.main(["--profile", folder, *setup(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and expected in err and "Traceback" not in err
