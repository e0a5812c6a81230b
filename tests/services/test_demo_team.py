"""The demo team: a share, a lead and four agents with history, approved and synced."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from cxcompanion.services.demo import (
    DEMO_AGENTS,
    DEMO_LEAD,
    DemoTeamError,
    build_demo_team,
    demo_team_contacts,
)
from cxcompanion.services.feedback import FeedbackService
from cxcompanion.services.profile import Profile, load_default_taxonomy
from cxcompanion.services.sync import SyncService

NOW = datetime(2026, 11, 23, 15, 30, tzinfo=timezone.utc)
AGENTS = [agent.name for agent in DEMO_AGENTS]


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    # Built once for the module (about a second); a missing folder is created.
    return build_demo_team(tmp_path_factory.mktemp("demo") / "new" / "team", now=NOW)


@pytest.fixture
def opened(team):
    """Open profiles of the team by name, closed after the test."""
    profiles: list[Profile] = []

    def open_(name: str) -> Profile:
        profiles.append(Profile(team.folder(name)))
        return profiles[-1]

    yield open_
    for profile in profiles:
        profile.close()


def own_counts(profile: Profile) -> dict[str, int]:
    return dict(
        profile.store.conn.execute(
            "SELECT agent, count(*) FROM contacts WHERE deleted = 0 GROUP BY agent"
        )
    )


def test_the_team_has_a_lead_and_four_agents_all_approved(team, opened):
    assert team.team == "Demo Team"
    assert team.share == team.root / "share" and team.share.is_dir()
    assert [role for _, role, _ in team.profiles] == ["lead"] + ["agent"] * 4
    assert [name for name, _, _ in team.profiles] == [DEMO_LEAD, *AGENTS]
    assert len({folder for _, _, folder in team.profiles}) == 5
    assert all(folder.parent == team.root for _, _, folder in team.profiles)
    lead = opened(DEMO_LEAD)
    devices = SyncService(lead).devices()
    assert sorted((d.person, d.role.value) for d in devices) == sorted(
        [(DEMO_LEAD, "lead")] + [(name, "agent") for name in AGENTS]
    )
    assert all(d.approved for d in devices)
    for name in AGENTS:
        identity = opened(name).identity
        assert (identity.team, identity.role.value, identity.share) == (
            "Demo Team",
            "agent",
            str(team.share.resolve()),
        )


def test_agents_have_different_volumes(team):
    counts = team.contacts
    assert set(counts) == set(AGENTS)
    assert len(set(counts.values())) == 4
    # The agent `--demo` opens has the fullest history; the others are lighter to build.
    assert counts[AGENTS[0]] == max(counts.values()) and counts[AGENTS[0]] > 400
    assert min(counts.values()) > 80


def test_the_lead_holds_every_agents_contacts(team, opened):
    lead = opened(DEMO_LEAD)
    assert own_counts(lead) == dict(team.contacts)
    for name in AGENTS:
        assert own_counts(opened(name))[name] == team.contacts[name]
    # ...with their ideas and free text, which agents never get of each other
    ideas_by_agent = dict(
        lead.store.conn.execute(
            "SELECT c.agent, count(*) FROM ideas i JOIN contacts c ON c.id = i.contact_id "
            "GROUP BY c.agent"
        )
    )
    assert set(ideas_by_agent) == set(AGENTS)
    empty = lead.store.conn.execute("SELECT count(*) FROM contacts WHERE detail = ''").fetchone()
    assert empty[0] == 0


def test_an_agent_holds_its_own_contacts_and_colleagues_slim_rows(team, opened):
    name = AGENTS[1]
    agent = opened(name)
    colleagues = sum(n for other, n in team.contacts.items() if other != name)
    assert own_counts(agent) == {name: team.contacts[name], "": colleagues}
    conn = agent.store.conn
    full = conn.execute(
        "SELECT count(*) FROM contacts WHERE agent = ? AND detail <> '' AND outcome <> ''",
        (name,),
    ).fetchone()[0]
    assert full == team.contacts[name]
    slim = conn.execute(
        "SELECT detail, notes, outcome, verdict, cancel_reason, mood_start FROM contacts "
        "WHERE agent = '' GROUP BY 1, 2, 3, 4, 5, 6"
    ).fetchall()
    assert slim == [("", "", "", "", None, None)]
    hashed = conn.execute(
        "SELECT count(*) FROM contacts WHERE agent = '' AND customer_hash IS NOT NULL"
    ).fetchone()[0]
    assert hashed > colleagues // 2  # what repeat detection needs stays
    foreign_ideas = conn.execute(
        "SELECT count(*) FROM ideas i JOIN contacts c ON c.id = i.contact_id WHERE c.agent = ''"
    ).fetchone()[0]
    assert foreign_ideas == 0


def test_customers_come_back_to_a_colleague(team, opened):
    """Cross-agent repeats: same pseudonymised customer and purpose within 7 days."""
    lead = opened(DEMO_LEAD)
    pairs = lead.store.conn.execute(
        "SELECT count(*) FROM contacts a JOIN contacts b ON a.customer_hash = b.customer_hash "
        "AND a.purpose = b.purpose AND a.agent < b.agent "
        "AND abs(julianday(a.at) - julianday(b.at)) <= 7"
    ).fetchone()[0]
    assert pairs >= 20
    # An agent sees them too: own contacts with a colleague's slim row as neighbour.
    agent = opened(AGENTS[0])
    seen = agent.store.conn.execute(
        "SELECT count(*) FROM contacts a JOIN contacts b ON a.customer_hash = b.customer_hash "
        "AND a.purpose = b.purpose AND a.agent = ? AND b.agent = '' "
        "AND abs(julianday(a.at) - julianday(b.at)) <= 7",
        (AGENTS[0],),
    ).fetchone()[0]
    assert seen >= 5


def test_feedback_of_an_agent_has_fcr_and_repeat_rate(team, opened):
    for name in (AGENTS[0], AGENTS[2]):
        feedback = FeedbackService(opened(name), clock=lambda: NOW).compute(12)
        for key in ("confirmed_resolution", "fcr", "repeat_rate"):
            assert feedback.rates[key].value is not None, (name, key)
        assert feedback.rates["repeat_rate"].value > 0


def test_the_new_starter_has_no_history_before_joining(team, opened):
    newcomer = next(a for a in DEMO_AGENTS if a.weeks is not None)
    first = (
        opened(DEMO_LEAD)
        .store.conn.execute("SELECT min(at) FROM contacts WHERE agent = ?", (newcomer.name,))
        .fetchone()[0]
    )
    assert first >= (NOW - timedelta(weeks=newcomer.weeks)).date().isoformat()
    assert first < (NOW - timedelta(weeks=newcomer.weeks - 1)).date().isoformat()


def test_a_second_sync_changes_nothing(team, opened):
    for name, _, _ in team.profiles:
        service = SyncService(opened(name))
        assert service.waiting() == 0
        report = service.sync()
        assert report.share == "online" and report.problem_count == 0, report.to_dict()
        assert (report.published_records, report.imported_records) == (0, 0)
        assert report.held == []


def test_the_histories_come_from_fixed_seeds():
    taxonomy = load_default_taxonomy()
    first = demo_team_contacts(taxonomy, now=NOW)
    assert first == demo_team_contacts(taxonomy, now=NOW)
    assert set(first) == set(AGENTS)
    stayed = {
        name: sum(bool(r.get("stayed")) for r in raws) / sum("stayed" in r for r in raws)
        for name, raws in first.items()
    }
    assert max(stayed, key=stayed.get) == "Tom Okafor"  # the retention desk saves most


def test_a_folder_that_holds_files_is_refused(tmp_path):
    target = tmp_path / "team"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(DemoTeamError) as caught:
        build_demo_team(target)
    message = str(caught.value)
    assert "already holds files" in message and "\n" not in message
    assert [p.name for p in target.iterdir()] == ["notes.txt"]


def test_a_file_is_refused(tmp_path):
    target = tmp_path / "team"
    target.write_text("", encoding="utf-8")
    with pytest.raises(DemoTeamError, match="is a file"):
        build_demo_team(target)


@pytest.mark.parametrize("existed", [True, False])
def test_a_failed_build_leaves_the_folder_as_it_was(tmp_path, monkeypatch, existed):
    import cxcompanion.services.demo as demo

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(demo, "demo_team_contacts", broken)
    target = tmp_path / "team"
    if existed:
        target.mkdir()
    with pytest.raises(OSError):
        build_demo_team(target)
    assert target.exists() is existed
    assert not existed or list(target.iterdir()) == []


def test_the_demo_team_has_survey_results_imported_by_the_lead(tmp_path):
    import json

    from cxcompanion.services.demo_surveys import MAPPING_FILE, SURVEY_FILE

    team = build_demo_team(tmp_path / "demo")
    assert (team.root / SURVEY_FILE).is_file()
    assert json.loads((team.root / MAPPING_FILE).read_text())["kind"] == "surveys"
    lead = Profile(team.folder(DEMO_LEAD))
    try:
        answers = lead.store.conn.execute(
            "SELECT count(*), count(contact_id) FROM survey_answers"
        ).fetchone()
        assert answers[0] > 100 and answers[0] == answers[1]  # all matched by contact id
    finally:
        lead.close()
    agent = Profile(team.folder(DEMO_AGENTS[0].name))
    try:
        feedback = FeedbackService(agent).compute(weeks=12)
        assert feedback.csat is not None and feedback.csat.value is not None
        assert feedback.nps is not None and feedback.nps.value is not None
        others = agent.store.conn.execute(
            "SELECT count(*) FROM survey_answers WHERE agent <> ?", (DEMO_AGENTS[0].name,)
        ).fetchone()[0]
        assert others == 0  # an agent keeps only the answers about their own contacts
    finally:
        agent.close()
