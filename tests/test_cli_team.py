"""`coach`, `ideas`, `evaluate` and `scorecard` from the command line, lead and agents on a
real shared folder."""

from __future__ import annotations

import json

import pytest

from cxcompanion import cli
from tests.test_cli_sync import init, run


@pytest.fixture
def folders(tmp_path, capsys):
    share = tmp_path / "share"
    share.mkdir()
    paths = {name: str(tmp_path / name.lower()) for name in ("Lena", "Ana", "Ben")}
    init(capsys, paths["Lena"], "Lena", "lead", str(share))
    for name in ("Ana", "Ben"):
        init(capsys, paths[name], name, "agent", str(share))
    run(capsys, "--profile", paths["Lena"], "team", "approve", "--all")
    for name in ("Ana", "Ben"):
        code, _out, _ = run(
            capsys, "--profile", paths[name], "log", "--channel", "phone", "--purpose",
            "billing.refund", "--outcome", "resolved", "--verdict", "yes",
            "--idea", f"an idea of {name}", "--idea-area", "mobile_app",
        )  # fmt: skip
        assert code == 0
    for name in ("Ana", "Ben", "Lena"):
        run(capsys, "--profile", paths[name], "sync")
    return paths


def sync(capsys, *paths):
    for path in paths:
        assert run(capsys, "--profile", path, "sync")[0] == 0


def test_coaching_round_trip(folders, capsys):
    lena, ana, ben = folders["Lena"], folders["Ana"], folders["Ben"]
    code, out, err = run(capsys, "--profile", lena, "coach", "note", "--agent", "Ana", "--theme",
                         "repeat contacts", "--growth", "check the need is met",
                         "--follow-up", "2026-12-15")  # fmt: skip
    assert code == 0, err
    note_id = out.strip()
    sync(capsys, lena, ana, ben)
    code, out, _ = run(capsys, "--profile", ana, "coach", "list", "--format", "json")
    (note,) = json.loads(out)
    assert (note["id"], note["growth_area"], note["acknowledged"]) == (
        note_id,
        "check the need is met",
        False,
    )
    assert json.loads(run(capsys, "--profile", ben, "coach", "list", "--format", "json")[1]) == []
    assert run(capsys, "--profile", ana, "coach", "ack", note_id)[0] == 0
    assert run(capsys, "--profile", ana, "coach", "reply", note_id, "will do")[0] == 0
    sync(capsys, ana, lena)
    code, out, _ = run(capsys, "--profile", lena, "coach", "list", "--agent", "Ana")
    assert "acknowledged" in out and "Ana replied" in out and "will do" in out


def test_idea_board_and_evaluation(folders, capsys):
    lena, ana = folders["Lena"], folders["Ana"]
    code, out, _ = run(capsys, "--profile", lena, "ideas", "list", "--format", "json")
    ideas = {i["agent"]: i for i in json.loads(out)}
    assert set(ideas) == {"Ana", "Ben"} and ideas["Ana"]["status"] == "new"
    code, out, _ = run(capsys, "--profile", lena, "ideas", "decide", ideas["Ana"]["id"],
                       "--status", "planned", "--note", "on the roadmap")  # fmt: skip
    assert code == 0 and "now planned" in out
    sync(capsys, lena, ana)
    code, out, _ = run(capsys, "--profile", ana, "ideas", "list")
    assert "Planned" in out and "note: on the roadmap" in out and "Ben" not in out
    # evaluate Ana's contact on every criterion
    code, out, _ = run(capsys, "--profile", lena, "scorecard", "--format", "json")
    criteria = json.loads(out)["criteria"]
    contact_id = ideas["Ana"]["contact_id"]
    scores = [f"--score={c['id']}={'na' if c['na_allowed'] else c['points']}" for c in criteria]
    code, out, err = run(capsys, "--profile", lena, "evaluate", contact_id, *scores)
    assert code == 0, err
    assert "technical 9 of 9, emotional connection 7 of 7" in out
    code, out, _ = run(capsys, "--profile", lena, "evaluate", contact_id, "--calibration")
    assert out.count("agrees") == len(criteria)


@pytest.mark.parametrize(
    ("who", "args", "words"),
    [
        ("Ana", ["coach", "note", "--agent", "Ana", "--theme", "t", "--growth", "g"], "team lead"),
        (
            "Lena",
            ["coach", "note", "--agent", "Zed", "--theme", "t", "--growth", "g"],
            "not an agent",
        ),
        ("Lena", ["coach", "ack", "XYZ"], "agent the note is for"),
        ("Ana", ["coach", "reply", "XYZ", "hi"], "no coaching note XYZ"),
        ("Lena", ["ideas", "decide", "XYZ", "--status", "adopted"], "no idea XYZ"),
        ("Lena", ["ideas", "list", "--status", "maybe"], "not a status"),
        ("Lena", ["evaluate", "XYZ", "--score", "empathy=1"], "no contact XYZ"),
        ("Lena", ["evaluate", "XYZ"], "--score CRITERION=POINTS"),
        ("Lena", ["evaluate", "XYZ", "--score", "empathy"], "CRITERION=POINTS or CRITERION=na"),
        ("Lena", ["coach"], "say note, list"),
        ("Lena", ["scorecard", "--format", "xml"], "--format"),
    ],
)
def test_mistakes_are_one_line_and_status_1(folders, capsys, who, args, words):
    code, _, err = run(capsys, "--profile", folders[who], *args)
    assert code == 1 and err.count("\n") == 1 and words in err, err


def test_the_scorecard_lists_both_dimensions(folders, capsys):
    code, out, _ = run(capsys, "--profile", folders["Ana"], "scorecard")
    assert code == 0 and "Technical proficiency" in out and "Emotional connection" in out
    assert cli.main(["--profile", folders["Ana"], "scorecard", "--format", "json"]) == 0
