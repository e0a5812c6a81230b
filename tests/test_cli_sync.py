"""The command line of the team share: init --share, team, team approve, sync, contacts --agent."""

from __future__ import annotations

import json

import pytest

from cxcompanion import cli
from tests.test_cli import assert_one_line_error, log, run


@pytest.fixture
def share(tmp_path):
    folder = tmp_path / "share"
    folder.mkdir()
    return str(folder)


def init(capsys, folder, name, role, share, team="North"):
    return run(
        capsys, "--profile", folder, "init", "--name", name, "--team", team, "--role", role,
        "--share", share,
    )  # fmt: skip


@pytest.fixture
def team(tmp_path, share, capsys):
    folders = {name: str(tmp_path / name.lower()) for name in ("Lena", "Ana", "Ben")}
    assert init(capsys, folders["Lena"], "Lena", "lead", share)[0] == 0
    for name in ("Ana", "Ben"):
        code, out, _ = init(capsys, folders[name], name, "agent", share)
        assert code == 0 and "team approve" in out
    return folders


def test_three_agents_and_a_lead_see_each_other_s_changes(team, capsys):
    lead, ana, ben = team["Lena"], team["Ana"], team["Ben"]
    log(capsys, ana, "--customer", "C-1", "--notes", "Ana's notes")
    log(capsys, ben, "--customer", "C-1")
    for folder in (ana, ben):
        code, out, _ = run(capsys, "--profile", folder, "sync")
        assert code == 0 and "not approved this device yet" in out

    code, out, _ = run(capsys, "--profile", lead, "team")
    assert code == 0 and out.count("asks to join (1 segment(s) held)") == 2
    code, out, _ = run(capsys, "--profile", lead, "sync", "--format", "json")
    held = json.loads(out)["held"]
    assert sorted(h["person"] for h in held) == ["Ana", "Ben"]

    code, out, _ = run(capsys, "--profile", lead, "team", "approve", "--all")
    assert code == 0 and "Approved" in out and "as Ana (Agent)" in out
    code, out, _ = run(capsys, "--profile", lead, "sync", "--format", "json")
    report = json.loads(out)
    assert report["imported"] == {"segments": 2, "records": 2}
    assert report["share"]["state"] == "online" and report["quarantined"] == []

    code, out, _ = run(capsys, "--profile", lead, "contacts", "--format", "json")
    assert sorted(c["agent"] for c in json.loads(out)) == ["Ana", "Ben"]
    code, out, _ = run(capsys, "--profile", lead, "contacts", "--agent", "Ana", "--format", "json")
    (only,) = json.loads(out)
    assert only["agent"] == "Ana" and only["notes"] == "Ana's notes"
    code, out, _ = run(capsys, "--profile", lead, "contacts")
    assert "Ana" in out and "Ben" in out  # the team's table says whose contact it is

    run(capsys, "--profile", ana, "sync")
    code, out, _ = run(capsys, "--profile", ana, "contacts", "--format", "json")
    assert [c["agent"] for c in json.loads(out)] == ["Ana"]
    code, out, _ = run(capsys, "--profile", lead, "team", "--format", "json")
    devices = json.loads(out)
    assert {(d["person"], d["role"], d["approved"]) for d in devices} == {
        ("Lena", "lead", True),
        ("Ana", "agent", True),
        ("Ben", "agent", True),
    }


def test_sync_text_reports_a_set_aside_segment_with_what_to_do(team, capsys, tmp_path):
    lead, ana = team["Lena"], team["Ana"]
    run(capsys, "--profile", lead, "team", "approve", "--all")
    log(capsys, ana)
    run(capsys, "--profile", ana, "sync")
    segments = list((tmp_path / "share" / "cxcompanion" / "v1" / "writers").glob("*/0*.jsonl"))
    (segment,) = segments
    segment.write_bytes(segment.read_bytes()[:-10])
    code, out, _ = run(capsys, "--profile", lead, "sync")
    assert code == 0
    assert "Set aside (truncated)" in out and "still being copied" in out


def test_an_unreachable_share_is_one_line_and_exit_1(team, capsys, tmp_path):
    marker = tmp_path / "share" / "cxcompanion" / "v1" / ".cxcompanion-share"
    marker.unlink()
    log(capsys, team["Ana"])
    code, out, err = run(capsys, "--profile", team["Ana"], "sync")
    assert_one_line_error(code, err)
    assert "not reachable" in err and "nothing was changed" in err and "1 change(s) wait" in err
    code, out, err = run(capsys, "--profile", team["Ana"], "sync", "--format", "json")
    assert code == 1 and json.loads(out)["share"]["state"] == "offline"


def test_joining_errors_name_the_field_to_fix(tmp_path, share, capsys):
    code, _, err = init(capsys, str(tmp_path / "ana"), "Ana", "agent", share)
    assert_one_line_error(code, err)
    assert "holds no CX Companion team yet" in err
    init(capsys, str(tmp_path / "lead"), "Lena", "lead", share)
    code, _, err = init(capsys, str(tmp_path / "ana"), "Ana", "agent", share, team="South")
    assert_one_line_error(code, err)
    assert "holds team 'North', not 'South'" in err
    # a second lead asks to join, like an agent, and a lead of the roster approves it
    code, out, _ = init(capsys, str(tmp_path / "other-lead"), "Olga", "lead", share)
    assert code == 0 and "Asked to join the team" in out


def test_team_commands_need_a_lead_and_valid_arguments(team, capsys):
    code, _, err = run(capsys, "--profile", team["Ana"], "team")
    assert_one_line_error(code, err)
    assert "Only a team lead" in err
    code, _, err = run(capsys, "--profile", team["Lena"], "team", "approve")
    assert_one_line_error(code, err)
    assert "name one DEVICE or give --all" in err
    code, _, err = run(capsys, "--profile", team["Lena"], "team", "approve", "dnosuchdevice1")
    assert_one_line_error(code, err)
    assert "not a device waiting for approval" in err
    code, _, err = run(capsys, "--profile", team["Lena"], "sync", "--format", "xml")
    assert_one_line_error(code, err)
    code, _, err = run(capsys, "--profile", team["Ana"], "contacts", "--agent", "Ben")
    assert_one_line_error(code, err)
    assert "only your own contacts" in err
    code, _, err = run(capsys, "--profile", team["Lena"], "contacts", "--agent", "Nobody")
    assert_one_line_error(code, err)
    assert "no contacts of 'Nobody'" in err


def test_a_local_profile_syncs_nothing_and_says_why(tmp_path, capsys):
    folder = str(tmp_path / "solo")
    run(capsys, "--profile", folder, "init", "--name", "Ana", "--team", "N", "--role", "agent")
    code, out, _ = run(capsys, "--profile", folder, "sync", "--format", "json")
    assert code == 0 and json.loads(out)["share"]["state"] == "local"


def test_the_parser_knows_the_new_commands():
    parser = cli.build_parser()
    args = parser.parse_args(["team", "approve", "--all"])
    assert args.action == "approve" and args.all


def test_a_lead_profile_does_not_log_contacts(team, capsys):
    code, _, err = log(capsys, team["Lena"])
    assert_one_line_error(code, err)
    assert "contacts belong to agents" in err


def test_a_lead_changes_team_settings_and_agents_take_them_at_their_next_sync(team, capsys):
    lead, ana = team["Lena"], team["Ana"]
    code, out, _ = run(capsys, "--profile", lead, "team", "settings")
    assert code == 0 and "repeat window 7 days, sync every 2 minutes" in out
    code, out, _ = run(
        capsys, "--profile", lead, "team", "settings", "--repeat-window", "14",
        "--sync-minutes", "5",
    )  # fmt: skip
    assert code == 0 and "repeat window 14 days, sync every 5 minutes" in out
    run(capsys, "--profile", ana, "sync")
    code, out, _ = run(capsys, "--profile", ana, "feedback", "--format", "json")
    assert json.loads(out)["period"]["repeat_window_days"] == 14
    for bad, words in (
        (["--repeat-window", "0"], "from 1 to 90"),
        (["--sync-minutes", "x"], "not a whole number"),
    ):
        code, _, err = run(capsys, "--profile", lead, "team", "settings", *bad)
        assert_one_line_error(code, err)
        assert words in err
