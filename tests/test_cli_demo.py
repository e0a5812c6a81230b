"""`cxcompanion demo DIR` and `cxcompanion --demo`: a synced demo team from the command line."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from contextlib import redirect_stderr, redirect_stdout

import pytest

from cxcompanion import cli
from cxcompanion.services.demo import DEMO_AGENTS, DEMO_LEAD


def run(capsys, *args):
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """`cxcompanion demo DIR` once for the module: (DIR, exit status, stdout, stderr)."""
    target = tmp_path_factory.mktemp("cli-demo") / "team"
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(["demo", str(target)])
    return target, code, out.getvalue(), err.getvalue()


def profile_lines(out: str) -> dict[str, tuple[str, str]]:
    """name -> (role, folder) from the lines that say how to open each profile."""
    found = {}
    for line in out.splitlines():
        if "cxcompanion --profile " in line:
            words, _, folder = line.partition("cxcompanion --profile ")
            role, name = words.split(maxsplit=1)
            found[name.strip()] = (role, folder.strip())
    return found


def test_demo_dir_builds_a_team_and_says_how_to_open_each_profile(built):
    target, code, out, err = built
    assert (code, err) == (0, "")
    assert f"Demo Team built in {target}" in out
    assert f"shared folder  {target / 'share'}" in out
    lines = profile_lines(out)
    assert lines[DEMO_LEAD] == ("lead", str(target / "lena"))
    assert {name for name, (role, _) in lines.items() if role == "agent"} == {
        a.name for a in DEMO_AGENTS
    }


def test_the_lead_profile_lists_the_whole_team(built, capsys):
    _, _, out, _ = built
    lead = profile_lines(out)[DEMO_LEAD][1]
    code, text, err = run(capsys, "--profile", lead, "contacts", "--format", "json")
    assert code == 0, err
    agents = {c["agent"] for c in json.loads(text)}
    assert agents == {a.name for a in DEMO_AGENTS}
    code, text, err = run(capsys, "--profile", lead, "team", "--format", "json")
    assert code == 0, err
    devices = json.loads(text)
    assert len(devices) == 5 and all(d["approved"] for d in devices)


def test_an_agent_profile_gives_feedback_with_repeats(built, capsys):
    _, _, out, _ = built
    agent = profile_lines(out)[DEMO_AGENTS[1].name][1]
    code, text, err = run(capsys, "--profile", agent, "feedback", "--format", "json")
    assert code == 0, err
    metrics = json.loads(text)["metrics"]
    assert metrics["fcr"]["value"] is not None and metrics["repeat_rate"]["value"] is not None
    code, text, err = run(capsys, "--profile", agent, "sync", "--format", "json")
    assert code == 0, err
    assert json.loads(text)["imported"] == {"segments": 0, "records": 0}


def test_demo_dir_refuses_a_folder_that_holds_files(built, capsys):
    target, _, _, _ = built
    before = sorted(p.name for p in target.iterdir())
    code, out, err = run(capsys, "demo", str(target))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("cxcompanion: error: ")
    assert "already holds files" in err
    assert sorted(p.name for p in target.iterdir()) == before


def test_demo_option_lists_an_agents_contacts_and_leaves_nothing_behind(
    tmp_path, capsys, monkeypatch
):
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    code, out, err = run(capsys, "--demo", "contacts", "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) > 300
    assert {r["agent"] for r in rows} == {DEMO_AGENTS[0].name}  # only the agent's own
    assert all(r["detail"] for r in rows)
    assert list(temp.iterdir()) == []  # the whole team (share, lead, colleagues) is gone
