"""Survey results: matched to contacts by id or by customer and date, kept when unmatched,
and carried to the agent of each contact through the shared folder."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timezone

import pytest

from cxcompanion.domain.import_mapping import mapping_from_dict
from cxcompanion.services.contacts import ContactService
from cxcompanion.services.feedback import FeedbackService
from cxcompanion.services.history_import import HistoryImport
from cxcompanion.services.survey_import import SurveyImport
from tests.conftest import raw_contact
from tests.sync.test_importer import Team

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)

HISTORY = {
    "kind": "contacts",
    "id_column": "Call",
    "timezone": "UTC",
    "fields": {
        "at": "When",
        "channel": {"constant": "phone"},
        "purpose": {"constant": "billing.refund"},
        "outcome": {"constant": "resolved"},
        "verdict": {"constant": "not_asked"},
        "customer_ref": "Customer",
        "agent": "Agent",
    },
}
SURVEYS = {
    "kind": "surveys",
    "id_column": "Response",
    "timezone": "UTC",
    "match_window_days": 7,
    "fields": {
        "answered_at": "Answered",
        "contact_id": "Call",
        "customer_ref": "Customer",
        "csat": "CSAT",
        "nps": "NPS",
        "resolved": {"column": "Resolved?", "values": {"Y": "yes", "N": "no"}},
        "comment": "Comment",
    },
    "skip": [{"column": "Completed", "values": ["N"]}],
}


def write(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def team(tmp_path):
    made = Team(tmp_path)
    yield made
    made.close()


def import_history(team, tmp_path):
    path = write(
        tmp_path / "calls.csv",
        ["Call", "When", "Customer", "Agent"],
        [
            ["C1", "2026-11-02T10:00", "K-1", "Ana"],
            ["C2", "2026-11-03T10:00", "K-2", "Ana"],
            ["C3", "2026-11-03T11:00", "K-3", "Ben"],
        ],
    )
    report = HistoryImport(team.lead, clock=lambda: NOW).run(path, mapping_from_dict(HISTORY))
    assert report.new == 3


def survey_file(tmp_path, rows):
    header = [
        "Response",
        "Answered",
        "Call",
        "Customer",
        "CSAT",
        "NPS",
        "Resolved?",
        "Comment",
        "Completed",
    ]
    return write(tmp_path / "survey.csv", header, rows)


def run_survey(team, path, **options):
    return SurveyImport(team.lead, clock=lambda: NOW).run(
        path, mapping_from_dict(SURVEYS), **options
    )


def test_answers_match_by_contact_id_or_by_customer_and_date(team, tmp_path):
    import_history(team, tmp_path)
    path = survey_file(
        tmp_path,
        [
            [
                "R1",
                "2026-11-02T18:00",
                "C1",
                "",
                "5",
                "10",
                "Y",
                "great, call me on +44 20 7946 0958",
                "Y",
            ],
            ["R2", "2026-11-05T09:00", "", "K-2", "2", "3", "N", "still broken", "Y"],
            ["R3", "2026-11-20T09:00", "", "K-2", "4", "", "", "", "Y"],  # too late for K-2
            ["R4", "2026-11-04T09:00", "C99", "", "3", "", "", "", "Y"],  # no such contact
            ["R5", "2026-11-04T09:00", "C3", "", "", "", "", "", "N"],  # not completed
        ],
    )
    report = run_survey(team, path)
    assert report.written and (report.new, report.matched, report.filtered) == (4, 2, 1)
    assert report.unmatched_rows == [4, 5]
    rows = team.lead.store.conn.execute(
        "SELECT contact_id IS NOT NULL, agent, csat, nps, resolved, comment FROM survey_answers "
        "ORDER BY answered_at"
    ).fetchall()
    assert rows == [
        (1, "Ana", 5, 10, 1, "great, call me on [phone]"),
        (0, None, 3, None, None, ""),
        (1, "Ana", 2, 3, 0, "still broken"),
        (0, None, 4, None, None, ""),
    ]
    again = run_survey(team, path)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 4)


def test_unmatched_answers_find_their_contact_when_it_is_imported(team, tmp_path):
    report = run_survey(
        team, survey_file(tmp_path, [["R1", "2026-11-02T18:00", "C1", "", "5", "", "", "", "Y"]])
    )
    assert report.unmatched_rows == [2]
    import_history(team, tmp_path)
    matched = team.lead.store.conn.execute("SELECT agent, revision FROM survey_answers").fetchall()
    assert matched == [("Ana", 2)]


def test_a_bad_answer_is_reported_and_nothing_written(team, tmp_path):
    import_history(team, tmp_path)
    path = survey_file(
        tmp_path,
        [
            ["R1", "2026-11-02T18:00", "C1", "", "7", "", "", "", "Y"],  # CSAT off the scale
            ["R2", "2026-11-02T18:00", "C1", "", "", "11", "", "", "Y"],  # NPS off the scale
            ["R3", "2026-11-02T18:00", "C1", "", "", "", "", "", "Y"],  # no answer at all
            ["R4", "2026-11-02T18:00", "C1", "", "5", "", "maybe", "", "Y"],  # unknown value
            ["R5", "2026-11-02T18:00", "C1", "", "5", "", "", "", "Y"],
        ],
    )
    report = run_survey(team, path)
    assert not report.written and report.rejected == 4 and report.good == 1
    found = {p.row: (p.column, p.message) for p in report.problems}
    assert found[2][0] == "CSAT" and "1–5" in found[2][1]
    assert found[3][0] == "NPS" and "0–10" in found[3][1]
    assert found[4][0] is None and "no answer" in found[4][1]
    assert found[5][0] == "Resolved?" and "'maybe'" in found[5][1]
    count = team.lead.store.conn.execute("SELECT count(*) FROM survey_answers").fetchone()[0]
    assert count == 0


def test_history_and_answers_reach_each_agent_through_the_share(team, tmp_path):
    import_history(team, tmp_path)
    answers = [
        [f"R{n}", "2026-11-02T18:00", "C1", "", str(1 + n % 5), str(n % 11), "Y", "", "Y"]
        for n in range(12)
    ] + [["RB", "2026-11-03T18:00", "C3", "", "5", "10", "Y", "thanks", "Y"]]
    run_survey(team, survey_file(tmp_path, answers))
    team.sync(team.lead, team.ana, team.ben)
    ana = team.ana.store.conn
    assert ana.execute("SELECT count(*) FROM survey_answers").fetchone()[0] == 12
    assert ana.execute("SELECT count(*) FROM contacts WHERE agent = 'Ana'").fetchone()[0] == 2
    # Ben's imported contact is kept slim in Ana's store (repeat detection only)
    assert ana.execute("SELECT count(*) FROM contacts WHERE agent = ''").fetchone()[0] == 1
    ben = team.ben.store.conn
    assert ben.execute("SELECT comment FROM survey_answers").fetchall() == [("thanks",)]
    assert ContactService(team.ana).count() == 2
    # and Ana's feedback shows them
    feedback = FeedbackService(team.ana, clock=lambda: NOW).compute(weeks=12)
    assert feedback.csat is not None and feedback.csat.n == 12
    # C1 was logged "not asked"; its survey said yes, so it counts as asked (C2 has none)
    assert feedback.rates["confirmed_resolution"].n == 1
    assert feedback.rates["confirmed_resolution"].successes == 1
    problems = [
        p for r in team.sync(team.lead, team.ana, team.ben) for p in r.to_dict()["problems"]
    ]
    assert problems == []


def test_an_agents_own_import_and_a_leads_import_of_the_same_row_do_not_collide(team, tmp_path):
    path = write(
        tmp_path / "mine.csv",
        ["Call", "When", "Customer", "Agent"],
        [["C1", "2026-11-02T10:00", "K-1", "Ana"]],
    )
    mine = json.loads(json.dumps(HISTORY))
    assert HistoryImport(team.ana, clock=lambda: NOW).run(path, mapping_from_dict(mine)).new == 1
    team.sync(team.ana, team.lead)
    report = HistoryImport(team.lead, clock=lambda: NOW).run(path, mapping_from_dict(HISTORY))
    assert (report.new, report.kept_others) == (0, 1)
    ContactService(team.ana, clock=lambda: NOW).log(raw_contact())
    reports = team.sync(team.lead, team.ana, team.lead)
    assert all(not r.to_dict()["problems"] for r in reports)
    assert team.lead.store.conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == 2


def test_history_a_lead_imported_is_read_only_for_the_agent(team, tmp_path):
    from cxcompanion.store.errors import ReadOnlyRecordError

    import_history(team, tmp_path)
    team.sync(team.lead, team.ana)
    service = ContactService(team.ana, clock=lambda: NOW)
    imported_id = service.page()[0].id
    assert service.get(imported_id).agent == "Ana"
    with pytest.raises(ReadOnlyRecordError, match="team lead's import"):
        service.get_for_change(imported_id)
    with pytest.raises(ReadOnlyRecordError):
        service.delete(imported_id)
    own = service.log(raw_contact())
    assert service.amend(own.id, raw_contact(detail="changed")).revision == 2


def test_unmatched_answers_find_contacts_that_arrive_by_sync(team, tmp_path):
    own = ContactService(team.ana, clock=lambda: NOW).log(raw_contact(at="2026-11-02T10:00"))
    path = survey_file(tmp_path, [["R1", "2026-11-02T18:00", own.id, "", "5", "", "", "", "Y"]])
    assert run_survey(team, path).unmatched_rows == [2]  # Ana has not synced yet
    team.sync(team.ana, team.lead)
    matched = team.lead.store.conn.execute("SELECT contact_id, agent FROM survey_answers")
    assert matched.fetchall() == [(own.id, "Ana")]
    team.sync(team.lead, team.ana)
    assert team.ana.store.conn.execute("SELECT count(*) FROM survey_answers").fetchone() == (1,)
