"""The command line: every command of DESIGN §7 so far, and its error paths."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cxcompanion import cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def folder(tmp_path):
    return str(tmp_path / "profile")


def run(capsys, *args):
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def ready(folder, capsys):
    code, _, _ = run(
        capsys, "--profile", folder, "init", "--name", "Ana", "--team", "North", "--role", "agent"
    )
    assert code == 0
    return folder


def log(capsys, folder, *extra):
    args = [
        "--profile",
        folder,
        "log",
        "--channel",
        "chat",
        "--purpose",
        "billing.refund",
        "--outcome",
        "resolved",
        "--verdict",
        "yes",
        *extra,
    ]
    return run(capsys, *args)


def assert_one_line_error(code, err, *words):
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("cxcompanion: error: ")
    assert "Traceback" not in err
    for word in words:
        assert word in err


def test_init_sets_up_the_profile_and_reports_it(folder, capsys):
    code, out, err = run(
        capsys, "--profile", folder, "init", "--name", "Ana", "--team", "North", "--role", "lead"
    )
    assert code == 0, err
    assert "Ana" in out and "Team lead" in out and "local only" in out


def test_init_refuses_a_bad_role_and_a_missing_share(folder, tmp_path, capsys):
    code, _, err = run(
        capsys, "--profile", folder, "init", "--name", "A", "--team", "N", "--role", "boss"
    )
    assert_one_line_error(code, err, "'boss' is not a role", "agent, lead")
    code, _, err = run(
        capsys,
        "--profile",
        folder,
        "init",
        "--name",
        "A",
        "--team",
        "N",
        "--role",
        "agent",
        "--share",
        str(tmp_path / "nowhere"),
    )
    assert_one_line_error(code, err, "does not exist or is not reachable")


def test_log_prints_the_new_id_and_contacts_lists_it(ready, capsys):
    code, out, err = log(
        capsys,
        ready,
        "--detail",
        "double charge on card 4111 1111 1111 1111",
        "--prior",
        "1",
        "--prior-channel",
        "email",
        "--customer",
        "C-1",
        "--idea",
        "Let me pause my plan",
        "--idea-area",
        "mobile_app",
        "--idea",
        "Dark mode",
        "--mood-start",
        "-1",
        "--mood-end",
        "2",
        "--notes",
        "mailed to a.b@example.com",
        "--at",
        "2026-11-20T09:30",
    )
    assert code == 0, err
    new_id = out.strip()
    assert len(new_id) == 26
    code, out, _ = run(capsys, "--profile", ready, "contacts", "--format", "json")
    [record] = json.loads(out)
    assert record["id"] == new_id
    assert record["detail"] == "double charge on card [card]"
    assert record["notes"] == "mailed to [email]"
    assert record["prior_channels"] == ["email"]
    assert [(i["text"], i["area"]) for i in record["ideas"]] == [
        ("Let me pause my plan", "mobile_app"),
        ("Dark mode", "other"),
    ]
    assert record["mood_start"] == -1 and record["mood_end"] == 2
    assert len(record["customer_hash"]) == 32 and "C-1" not in out
    assert record["at"].startswith("2026-11-20")


def test_log_with_a_cancellation(ready, capsys):
    code, out, err = log(capsys, ready, "--cancel-reason", "price", "--stayed", "yes")
    assert code == 0, err
    code, out, _ = run(capsys, "--profile", ready, "contacts", "--format", "jsonl")
    record = json.loads(out.splitlines()[0])
    assert record["cancel_intent"] is True and record["cancel_reason"] == "price"
    assert record["stayed"] is True


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--channel", "fax"], ["--channel", "'fax' is not a channel", "phone, chat, email"]),
        (["--purpose", "billing.nope"], ["--purpose", "not a purpose code", "taxonomy"]),
        (["--outcome", "fine"], ["--outcome", "resolved, partly_resolved"]),
        (["--verdict", "perhaps"], ["--verdict", "yes, no, unsure, not_asked"]),
        (["--mood-start", "7"], ["--mood-start", "off the scale", "-2 (very upset)"]),
        (["--at", "yesterday"], ["--at", "not an ISO-8601"]),
        (["--at", "2026-11-20 25:00"], ["--at", "not an ISO-8601"]),
        (["--prior", "x"], ["--prior", "not a whole number"]),
        (["--prior-channel", "email"], ["--prior-channel", "only apply"]),
        (["--cancel-reason", "moon", "--stayed", "no"], ["--cancel-reason", "not a cancel"]),
        (["--stayed", "maybe", "--cancel-reason", "price"], ["--stayed", "yes or no"]),
        (["--idea", " "], ["--idea #1", "Write the customer's idea"]),
        (["--idea-area", "app"], ["--idea-area", "belongs to the --idea"]),
    ],
)
def test_bad_log_input_is_one_line_exit_1_and_nothing_saved(ready, capsys, extra, words):
    base = {
        "--channel": "chat",
        "--purpose": "billing.refund",
        "--outcome": "resolved",
        "--verdict": "yes",
    }
    args = list(extra)
    for option, value in base.items():
        if option not in args:
            args += [option, value]
    code, out, err = run(capsys, "--profile", ready, "log", *args)
    assert_one_line_error(code, err, *words)
    assert out == ""
    code, out, _ = run(capsys, "--profile", ready, "contacts", "--format", "json")
    assert json.loads(out) == []


def test_missing_required_option_and_unknown_command(ready, capsys):
    code, _, err = run(capsys, "--profile", ready, "log", "--channel", "chat")
    assert_one_line_error(code, err, "required", "--purpose")
    code, _, err = run(capsys, "--profile", ready, "frobnicate")
    assert_one_line_error(code, err, "invalid choice", "contacts")
    code, _, err = run(capsys, "--profile", ready, "contacts", "--format", "xml")
    assert_one_line_error(code, err, "table, csv, jsonl, json")


def test_log_before_setup_says_how_to_set_up(folder, capsys):
    code, _, err = log(capsys, folder)
    assert_one_line_error(code, err, "not set up", "cxcompanion init")


def test_a_profile_folder_that_cannot_be_written(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, _, err = run(capsys, "--profile", str(blocker / "profile"), "contacts")
    assert_one_line_error(code, err, "profile folder", "--profile")


def test_contacts_search_and_formats(ready, capsys):
    log(capsys, ready, "--notes", "customer loved the new courier")
    log(capsys, ready, "--detail", "invoice question", "--idea", "weekend chat")
    code, out, _ = run(
        capsys, "--profile", ready, "contacts", "--search", "courier", "--format", "json"
    )
    assert [r["notes"] for r in json.loads(out)] == ["customer loved the new courier"]
    code, out, _ = run(
        capsys, "--profile", ready, "contacts", "--search", "weekend", "--format", "csv"
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 1 and rows[0]["ideas"] == "weekend chat [other]"
    code, out, _ = run(capsys, "--profile", ready, "contacts")
    assert code == 0 and "Refund request" in out and out.rstrip().endswith("2 contacts")
    code, out, _ = run(capsys, "--profile", ready, "contacts", "--search", "nothing-like-it")
    assert "No contacts found." in out


def test_taxonomy_lists_codes_as_text_and_json(ready, capsys):
    code, out, _ = run(capsys, "--profile", ready, "taxonomy")
    assert code == 0 and "billing.refund" in out and "Cancel reasons:" in out
    code, out, _ = run(capsys, "--profile", ready, "taxonomy", "--format", "json")
    data = json.loads(out)
    assert {"purposes", "cancel_reasons", "product_areas", "groups", "version"} <= set(data)


def test_a_newer_database_is_refused_in_one_line(ready, capsys):
    import sqlite3

    conn = sqlite3.connect(Path(ready) / "cxcompanion.sqlite3")
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    code, _, err = run(capsys, "--profile", ready, "contacts")
    assert_one_line_error(code, err, "newer version", "Update CX Companion")


def test_environment_variable_names_the_profile(ready, capsys, monkeypatch):
    monkeypatch.setenv("CXCOMPANION_PROFILE", ready)
    log(capsys, ready)
    code, out, _ = run(capsys, "contacts", "--format", "json")
    assert code == 0 and len(json.loads(out)) == 1


def test_python_dash_m_and_the_demo_profile(tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "QT_QPA_PLATFORM": "offscreen",
        "TMPDIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "cxcompanion", "--demo", "contacts", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    contacts = json.loads(result.stdout)
    assert len(contacts) > 300
    assert len({c["purpose"] for c in contacts}) > 20
    assert any(c["ideas"] for c in contacts) and any(c["cancel_intent"] for c in contacts)
    assert list(tmp_path.glob("cxcompanion-demo-*")) == []  # the demo profile is thrown away


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], (None, False)),
        (["--demo"], (None, True)),
        (["--profile", "p"], ("p", False)),
        (["--profile=p", "--demo"], ("p", True)),
        (["--profile"], None),
        (["contacts"], None),
        (["--profile", "p", "log"], None),
        (["--version"], None),
    ],
)
def test_a_plain_start_of_the_window_skips_the_full_parser(argv, expected):
    found = cli._window_only(argv)
    assert (found if found is None else (found.profile, found.demo)) == expected
