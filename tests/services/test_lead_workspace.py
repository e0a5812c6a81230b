"""Coaching notes, the idea board and evaluations between a lead and two agents (and a
second lead, for calibration) on a real shared folder."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from cxcompanion.domain.errors import ValidationError
from cxcompanion.services.coaching import CoachingService
from cxcompanion.services.contacts import ContactService
from cxcompanion.services.evaluations import EvaluationService
from cxcompanion.services.feedback import FeedbackService
from cxcompanion.services.ideas_board import IdeasService
from cxcompanion.services.profile import Profile, ProfileError
from cxcompanion.services.sync import SyncService
from tests.conftest import raw_contact
from tests.sync.test_importer import Team

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def team(tmp_path):
    made = Team(tmp_path)
    yield made
    made.close()


def logged(profile, **changes):
    contact = ContactService(profile, clock=lambda: NOW).log(
        raw_contact(at="2026-11-24T10:00", **changes)
    )
    return contact


def test_a_note_reaches_only_its_agent_and_the_answers_come_back(team):
    contact = logged(team.ana)
    team.sync(team.ana, team.lead)
    lead = CoachingService(team.lead, clock=lambda: NOW)
    note = lead.write_note(
        "Ana", contact_id=contact.id, strengths="calm with an upset customer",
        growth_area="confirm the customer's need before solving",
        commitment="ask 'did we take care of what you needed?'", follow_up="2026-12-07",
    )  # fmt: skip
    lead.write_note("Ben", theme="cancellations", growth_area="listen before the retention offer")
    team.sync(team.lead, team.ana, team.ben)
    ana = CoachingService(team.ana, clock=lambda: NOW)
    (mine,) = ana.notes()
    assert (mine.id, mine.growth_area, mine.lead, mine.acknowledged) == (
        note.id, "confirm the customer's need before solving", "Lena", False
    )  # fmt: skip
    assert [n.theme for n in CoachingService(team.ben).notes()] == ["cancellations"]
    ana.acknowledge(note.id)
    ana.acknowledge(note.id)  # twice changes nothing
    ana.reply(note.id, "Thanks, I will try it this week; call me on +44 20 7946 0958")
    ana.mark_done(note.id)
    team.sync(team.ana, team.lead, team.ben)
    seen = lead.note(note.id)
    assert seen.acknowledged and seen.done
    assert [(r.kind, r.text) for r in seen.replies] == [
        ("ack", ""),
        ("reply", "Thanks, I will try it this week; call me on [phone]"),
        ("done", ""),
    ]
    # Ben's store holds nothing of Ana's coaching
    assert team.ben.store.conn.execute("SELECT count(*) FROM coaching_replies").fetchone() == (0,)
    assert lead.due_follow_ups(date(2026, 12, 8)) == []  # done: no follow-up due
    assert sorted(n.agent for n in lead.notes()) == ["Ana", "Ben"]


def test_follow_ups_fall_due_and_bad_notes_are_refused(team):
    logged(team.ana)
    team.sync(team.ana, team.lead)
    lead = CoachingService(team.lead, clock=lambda: NOW)
    note = lead.write_note("Ana", theme="repeats", growth_area="x", follow_up="2026-12-01")
    assert [n.id for n in lead.due_follow_ups(date(2026, 12, 1))] == [note.id]
    assert lead.due_follow_ups(date(2026, 11, 30)) == []
    with pytest.raises(ValidationError) as caught:
        lead.write_note("Zed", growth_area="", follow_up="soon")
    assert set(caught.value.errors) == {"agent", "theme", "growth_area", "follow_up"}
    with pytest.raises(ProfileError, match="team lead"):
        CoachingService(team.ana).write_note("Ana", theme="t", growth_area="g")
    with pytest.raises(ProfileError):
        lead.acknowledge(note.id)


def test_an_idea_decision_reaches_the_agent_who_captured_it(team):
    ideas = [{"text": "pause my plan from the app", "area": "mobile_app"}]
    first = logged(team.ana, ideas=ideas)
    second = logged(
        team.ben, ideas=[{"text": "let me pause the plan in the app", "area": "mobile_app"}]
    )
    team.sync(team.ana, team.ben, team.lead)
    board = IdeasService(team.lead, clock=lambda: NOW)
    assert {i.agent for i in board.ideas(status="new")} == {"Ana", "Ben"}
    ana_idea, ben_idea = first.ideas[0].id, second.ideas[0].id
    board.merge(ben_idea, into=ana_idea)
    decided = board.decide(ana_idea, "adopted", "In the next app release, thanks to you!")
    assert decided.also_captured_by == ("Ben",)
    assert [i.id for i in board.ideas()] == [ana_idea]  # the duplicate sits under it
    team.sync(team.lead, team.ana, team.ben)
    (mine,) = IdeasService(team.ana).ideas()
    assert (mine.status, mine.note) == ("adopted", "In the next app release, thanks to you!")
    (bens,) = IdeasService(team.ben).ideas()
    assert bens.status == "adopted" and bens.merged_into == ana_idea  # credit kept
    feedback = FeedbackService(team.ana, clock=lambda: NOW).compute(weeks=4)
    assert (feedback.ideas_captured, feedback.ideas_adopted) == (1, 1)
    with pytest.raises(ValidationError):
        board.decide(ana_idea, "maybe")
    with pytest.raises(ProfileError):
        IdeasService(team.ana).decide(ana_idea, "declined")


def test_two_leads_evaluations_show_in_calibration_and_quality_on_my_feedback(team, tmp_path):
    second = Profile(tmp_path / "olga")
    team.opened.append(second)
    second.set_up("Olga", "North", "lead", str(team.share))
    SyncService(team.lead).approve(None)
    contacts = [logged(team.ana) for _ in range(10)]
    team.sync(team.ana, team.lead, second)
    card = EvaluationService(team.lead).scorecard
    full = {c.id: c.points for c in card.criteria}
    lena = EvaluationService(team.lead, clock=lambda: NOW)
    olga = EvaluationService(second, clock=lambda: NOW)
    for contact in contacts:  # technical 11 of 11, emotional 7 of 7 (N/A: leave, idea)
        lena.evaluate(contact.id, {**full, "listened_to_leave": "na", "idea_captured": "na"})
    olga.evaluate(contacts[0].id, {**full, "empathy": 1, "tone": 2, "prevented_repeat": "na",
                                   "listened_to_leave": "na", "idea_captured": "na"})  # fmt: skip
    team.sync(second, team.lead, team.ana)
    rows = lena.calibration(contacts[0].id)
    differing = [r.criterion.id for r in rows if r.differs]
    assert differing == ["empathy", "prevented_repeat"]  # widest spread first
    assert dict(rows[0].scores) == {"Lena": 3, "Olga": 1}
    feedback = FeedbackService(team.ana, clock=lambda: NOW).compute(weeks=4)
    technical = feedback.quality["technical"]
    emotional = feedback.quality["emotional"]
    # Lena's ten: technical 110 of 110, emotional 70 of 70; Olga's one: technical 9 of 9
    # (prevented_repeat N/A), emotional 5 of 7 (empathy 1 of 3, tone 2, ownership 2)
    assert (technical.n, technical.successes) == (11, 110 + 9)
    assert technical.value == pytest.approx(119 / 119)
    assert emotional.value == pytest.approx((70 + 5) / (70 + 7))
    with pytest.raises(ValidationError) as caught:
        lena.evaluate(contacts[1].id, {"empathy": 9, "records": "na", "nonsense": 1})
    assert {"empathy", "records", "nonsense", "tone"} <= set(caught.value.errors)


def test_a_lead_sets_the_teams_scorecard_and_every_lead_scores_on_it(team, tmp_path):
    second = Profile(tmp_path / "olga")
    team.opened.append(second)
    second.set_up("Olga", "North", "lead", str(team.share))
    SyncService(team.lead).approve(None)
    contact = logged(team.ana)
    team.sync(team.ana, team.lead, second)
    lena = EvaluationService(team.lead, clock=lambda: NOW)
    card = lena.scorecard.to_dict()
    card["criteria"] = [c for c in card["criteria"] if c["id"] != "records"]  # one fewer
    assert lena.set_scorecard(card).version == 2
    with pytest.raises(ProfileError, match="cannot be used"):
        lena.set_scorecard({"id": "x", "version": 1, "title": "t", "criteria": []})
    with pytest.raises(ProfileError, match="team lead"):
        EvaluationService(team.ana).set_scorecard(card)
    team.sync(second)
    olga = EvaluationService(second, clock=lambda: NOW)
    assert (olga.scorecard.version, len(olga.scorecard.criteria)) == (2, 9)
    scores = {c.id: "na" if c.na_allowed else c.points for c in olga.scorecard.criteria}
    evaluation = olga.evaluate(contact.id, scores)
    assert (evaluation.scorecard_version, evaluation.technical) == (2, (8, 8))
