"""`cxcompanion export report DIR [--format text|json]` from the command line."""

from __future__ import annotations

import argparse
import csv
import json

import pytest

from cxcompanion import cli, cli_export
from cxcompanion.services.profile import Profile
from cxcompanion.services.report_export import REPORT_FILES
from cxcompanion.store.errors import StoreError
from tests.services.test_report_export import TRICKY, fill


def registered() -> bool:
    parser = cli.build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return "export" in commands.choices


def export(folder: str, *args: str, capsys) -> tuple[int, str, str]:
    """Run the command through `cli.main` once it is registered there, else through
    `cli_export.run` with the Namespace argparse would give (errors as `main` shows them)."""
    if registered():
        code = cli.main(["--profile", folder, "export", *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err
    parser = argparse.ArgumentParser()
    cli_export.add_parser(parser.add_subparsers(dest="command"))
    parsed = parser.parse_args(["export", *args])
    profile = Profile(folder)
    try:
        code = cli_export.run(profile, parsed, cli.UserError)
        err = ""
    except (cli.UserError, StoreError) as exc:
        code, err = 1, f"cxcompanion: error: {exc}\n"
    finally:
        profile.close()
    return code, capsys.readouterr().out, err


@pytest.fixture
def lead_folder(tmp_path):
    lead = Profile(tmp_path / "lead")
    lead.set_up("Lee", "North", "lead")
    fill(lead)
    lead.close()
    return str(tmp_path / "lead")


def test_text_output_names_each_file_and_its_rows(lead_folder, tmp_path, capsys):
    out_dir = tmp_path / "report"
    code, out, err = export(lead_folder, "report", str(out_dir), capsys=capsys)
    assert (code, err) == (0, "")
    assert f"Report of team North (the whole team) written to {out_dir}:" in out
    assert "contacts.csv" in out and "3 rows" in out and "coaching_notes.csv" in out
    assert "report.sqlite3       the same 5 tables, and report_info" in out
    assert "Contacts from 2026-03-0" in out
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(REPORT_FILES)
    with open(out_dir / "contacts.csv", encoding="utf-8-sig", newline="") as handle:
        details = [row["detail"] for row in csv.DictReader(handle)]
    assert TRICKY in details


def test_json_output_is_the_summary(lead_folder, tmp_path, capsys):
    out_dir = tmp_path / "report"
    code, out, _ = export(lead_folder, "report", str(out_dir), "--format", "json", capsys=capsys)
    assert code == 0
    summary = json.loads(out)
    assert summary["folder"] == str(out_dir) and summary["scope"] == "team"
    assert summary["files"][0] == {"file": "contacts.csv", "rows": 3}
    assert summary["files"][-1]["file"] == "report.sqlite3"
    assert summary["files"][-1]["tables"]["surveys"] == 5
    assert [f["file"] for f in summary["files"]] == list(REPORT_FILES)


def test_an_agent_exports_their_own(profile, tmp_path, capsys):
    fill(profile)
    folder = str(profile.folder)
    profile.close()
    code, out, _ = export(folder, "report", str(tmp_path / "mine"), capsys=capsys)
    assert code == 0 and "(Ana's own records)" in out


def bad(code: int, out: str, err: str) -> str:
    assert (code, out) == (1, "")
    assert err.startswith("cxcompanion: error: ") and err.count("\n") == 1
    return err


def test_a_file_as_dir_is_one_line_and_status_1(lead_folder, tmp_path, capsys):
    target = tmp_path / "notes.txt"
    target.write_text("mine")
    err = bad(*export(lead_folder, "report", str(target), capsys=capsys))
    assert "is a file" in err and target.read_text() == "mine"


def test_a_folder_with_other_files_is_refused(lead_folder, tmp_path, capsys):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "budget.xlsx").write_bytes(b"PK")
    err = bad(*export(lead_folder, "report", str(tmp_path / "docs"), capsys=capsys))
    assert "already holds other files (budget.xlsx)" in err


def test_something_else_to_export_or_a_bad_format_is_refused(lead_folder, tmp_path, capsys):
    err = bad(*export(lead_folder, "contacts", str(tmp_path / "x"), capsys=capsys))
    assert "use report" in err
    err = bad(*export(lead_folder, "report", str(tmp_path / "x"), "--format", "csv", capsys=capsys))
    assert "--format 'csv'" in err
    assert not (tmp_path / "x").exists()


def test_a_profile_not_set_up_says_how(tmp_path, capsys):
    err = bad(*export(str(tmp_path / "fresh"), "report", str(tmp_path / "x"), capsys=capsys))
    assert "cxcompanion init" in err
