"""Patterns on a real team: two agents log contacts on their own profiles, the shared folder
brings them to the lead, the lead imports survey answers; the numbers are worked by hand.

A lead cannot log contacts, so the team is tests/sync/test_importer.py's `Team` (a real
share, real SyncService runs), and the lead's counts for one agent are checked against that
agent's own My feedback on the agent's own profile.
"""

from __future__ import annotations

import csv
import time
from datetime import datetime, timezone

import pytest

from cxcompanion.domain.import_mapping import mapping_from_dict
from cxcompanion.services.contacts import ContactService
from cxcompanion.services.feedback import FeedbackService
from cxcompanion.services.patterns import PatternsService
from cxcompanion.services.profile import ProfileError
from cxcompanion.services.survey_import import SurveyImport
from cxcompanion.store import bulk_load
from cxcompanion.store.patterns_queries import pattern_counts
from tests.sync.test_importer import Team

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)  # a Monday; window 7 days
# 4 weeks: 2026-11-02, -09, -16, -23. settled = 2026-11-16T12:00Z: later contacts pending.
SURVEYS = {
    "kind": "surveys",
    "id_column": "Response",
    "timezone": "UTC",
    "fields": {
        "answered_at": "Answered",
        "contact_id": "Call",
        "resolved": {"column": "Resolved?", "values": {"Y": "yes", "N": "no"}},
    },
}
COUNTED = (
    "contacts", "asked", "confirmed", "fcr_n", "fcr_yes", "repeat_n", "repeats", "pending",
    "cancel_n", "saved",
)  # fmt: skip


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    """Weeks are local ISO weeks: pin the zone so the arithmetic below holds anywhere."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def contact(at, purpose, outcome="resolved", verdict="yes", customer="", prior=0, **extra):
    return {
        "at": at,
        "channel": extra.pop("channel", "phone"),
        "purpose": purpose,
        "outcome": outcome,
        "verdict": verdict,
        "customer_ref": customer,
        "prior_contacts": prior,
        **extra,
    }


REFUND, RETURN, LOGIN = "billing.refund", "orders.return", "technical.cannot_log_in"
CANCEL, CLOSE, PRICING = (
    "cancellation.cancel_subscription",
    "cancellation.close_account",
    "information.pricing",
)


def log_team_history(team, tmp_path):
    ana = ContactService(team.ana, clock=lambda: NOW)
    logged = ana.log_many(
        [
            contact("2026-11-03T10:00Z", REFUND, customer="X"),  # A1 X back 3 days later
            contact("2026-11-06T10:00Z", REFUND, customer="X", prior=1),  # A2
            contact("2026-11-04T10:00Z", RETURN, customer="Y"),  # A3 survey says no
            contact("2026-11-20T10:00Z", RETURN, "not_resolved", "no", "Y"),  # A4 pending
            contact("2026-11-10T10:00Z", REFUND, customer="W"),  # A5 W back to Ben (B1)
            contact(
                "2026-11-12T10:00Z",
                CANCEL,
                "not_resolved",
                "no",
                cancel_reason="price",
                stayed="yes",
            ),  # A6 stayed
            contact("2026-11-13T10:00Z", PRICING, "info_only", "not_asked"),  # A7 survey: yes
            contact(
                "2026-11-14T10:00Z",
                CLOSE,
                "escalated",
                "unsure",
                cancel_reason="moving",
                stayed="no",
            ),  # A8 left
        ]
    )
    ben = ContactService(team.ben, clock=lambda: NOW)
    ben.log_many(
        [
            contact("2026-11-12T10:00Z", REFUND, customer="W"),  # B1 W had met Ana (A5)
            contact(
                "2026-11-05T09:00Z", LOGIN, "escalated", "unsure", "Z", channel="chat"
            ),  # B2 Z back by email 4 days later
            contact("2026-11-09T09:00Z", LOGIN, customer="Z", channel="email"),  # B3
            contact(
                "2026-11-11T09:00Z", CANCEL, cancel_reason="price", stayed="no"
            ),  # B4 left; FCR
            contact("2026-11-21T09:00Z", PRICING),  # B5 pending
            # B6 pending; Y is back (A4) two days later, but a pending contact is no repeat
            contact("2026-11-18T10:00Z", RETURN, customer="Y"),
        ]
    )
    deleted = ben.log(contact("2026-11-12T11:00Z", REFUND, customer="W"))
    ben.delete(deleted.id)  # a deleted contact counts nowhere, not even as a neighbour
    team.sync(team.ana, team.ben, team.lead)
    # The survey tool's answers to A3 ("no") and A7 ("yes"): the customer's verdict wins.
    path = tmp_path / "survey.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["Response", "Answered", "Call", "Resolved?"])
        writer.writerow(["R1", "2026-11-14T09:00", logged[2].id, "N"])
        writer.writerow(["R2", "2026-11-14T09:00", logged[6].id, "Y"])
    report = SurveyImport(team.lead, clock=lambda: NOW).run(path, mapping_from_dict(SURVEYS))
    assert report.written and report.matched == 2
    team.sync(team.lead, team.ana, team.ben)  # the answers reach Ana, Ben's contacts too


@pytest.fixture
def team(tmp_path):
    made = Team(tmp_path)
    log_team_history(made, tmp_path)
    yield made
    made.close()


@pytest.fixture
def patterns(team):
    return PatternsService(team.lead, clock=lambda: NOW)


def counts(row):
    return tuple(getattr(row, name) for name in COUNTED)


def test_team_totals_and_weeks(patterns):
    result = patterns.compute(weeks=4)
    # contacts: A1–A8, B1–B6 = 14 (the deleted one not). asked: all but A7 were asked, and
    # A7's survey answer made it yes = 14. yes: A1 A2 A5 A7 (A3's answer is no), B1 B3 B4 B5
    # B6 = 9. pending: A4, B5, B6. fcr_n: 14 − 3 pending = 11; fcr_yes: A7 (no reference, no prior)
    # and B4 = 2 (A1, A5, B2 came back; A2 reported a prior; A3 no; B1, B3 had an earlier).
    # repeat_n: settled with a reference: A1 A2 A3 A5 B1 B2 B3 = 7; repeats: A1 (A2), A5 (B1),
    # B2 (B3) = 3 (not B6: pending). cancel: A6 stayed, A8 and B4 left.
    assert counts(result.totals) == (14, 14, 9, 11, 2, 7, 3, 3, 3, 1)
    assert [(w.key, w.contacts, w.asked, w.confirmed) for w in result.weekly] == [
        ("2026-11-02", 4, 4, 2),  # A1 A2 A3 B2: A1 A2 yes
        ("2026-11-09", 7, 7, 5),  # A5 A6 A7 A8 B1 B3 B4: A5 A7 B1 B3 B4 yes
        ("2026-11-16", 3, 3, 2),  # A4 no, B5 and B6 yes
        ("2026-11-23", 0, 0, 0),
    ]
    confirmed = result.rates["confirmed_resolution"]
    assert (confirmed.successes, confirmed.n) == (9, 14)
    assert confirmed.value == pytest.approx(9 / 14) and confirmed.low < 9 / 14 < confirmed.high
    assert result.rates["repeat_rate"].value is None  # 7 contacts: not enough yet
    assert [p.n for p in result.trends["fcr"]] == [4, 7, 0, 0]  # A4, B5 and B6 are pending


def test_heat_map_of_the_team(patterns):
    heat = patterns.compute(weeks=4).heat_map
    rows = {r.purpose: {c.outcome: c.count for c in r.cells if c.count} for r in heat.rows}
    assert rows == {
        REFUND: {"resolved": 4},  # A1 A2 A5 B1
        RETURN: {"resolved": 2, "not_resolved": 1},  # A3 B6, A4
        LOGIN: {"escalated": 1, "resolved": 1},  # B2, B3
        CANCEL: {"not_resolved": 1, "resolved": 1},  # A6, B4
        PRICING: {"info_only": 1, "resolved": 1},  # A7, B5
        CLOSE: {"escalated": 1},  # A8
    }
    assert [r.purpose for r in heat.rows] == [REFUND, RETURN, CANCEL, PRICING, LOGIN, CLOSE]
    assert heat.cell(REFUND, "resolved").share.n == 4  # of its row; too few for a value


def test_repeats_by_purpose_and_cancellation_pareto(patterns):
    result = patterns.compute(weeks=4)
    # refund: A1 A2 A5 B1 settled with a reference, A1 and A5 came back; login: B2 B3, B2
    # came back; return: A3 (A4 and B6 are pending), none.
    assert [(p.purpose, p.repeats, p.rate.n) for p in result.repeats_by_purpose] == [
        (REFUND, 2, 4),
        (LOGIN, 1, 2),
        (RETURN, 0, 1),
    ]
    # price: A6 (stayed), B4; moving: A8. 2/3, then 3/3.
    assert [(r.reason, r.count, r.stayed) for r in result.cancel_reasons] == [
        ("price", 2, 1),
        ("moving", 1, 0),
    ]
    assert [r.cumulative_share for r in result.cancel_reasons] == pytest.approx([2 / 3, 1.0])


def test_funnel_anonymises_unless_revealed(patterns):
    hidden = patterns.compute(weeks=4, metric="fcr")
    assert {p.label for p in hidden.funnel.points} == {"Agent A", "Agent B"}
    revealed = patterns.compute(weeks=4, metric="fcr", reveal=True)
    # Ana: A7 of A1 A2 A3 A5 A6 A7 A8; Ben: B4 of B1–B4
    assert [(p.label, p.rate.successes, p.n) for p in revealed.funnel.points] == [
        ("Ana", 1, 7),
        ("Ben", 1, 4),
    ]
    assert revealed.funnel.centre == pytest.approx(2 / 11)
    assert all(p.band_95 is None for p in revealed.funnel.points)  # under 10 each
    # the same team gives the same labels every time, and they map to the same counts
    again = patterns.compute(weeks=4, metric="fcr")
    assert [(p.label, p.n) for p in again.funnel.points] == [
        (p.label, p.n) for p in hidden.funnel.points
    ]


def test_one_agents_team_numbers_equal_their_own_feedback(team, patterns):
    """The lead's counts for Ana (from the lead's store) are Ana's own My feedback (from
    Ana's store, where Ben's contacts are slim rows): one definition of every count."""
    mine = FeedbackService(team.ana, clock=lambda: NOW).compute(weeks=4)
    # Ana: 8 contacts, 8 asked, yes A1 A2 A5 A7, fcr_n 7, FCR A7, repeat_n A1 A2 A3 A5,
    # repeats A1 A5, pending A4, cancel A6 (stayed) and A8.
    assert counts(mine.totals) == (8, 8, 4, 7, 1, 4, 2, 1, 2, 1)
    for metric in ("confirmed_resolution", "fcr", "repeat_rate"):
        funnel = patterns.compute(weeks=4, metric=metric, reveal=True).funnel
        ana = next(p for p in funnel.points if p.label == "Ana")
        assert (ana.rate.successes, ana.n) == (mine.rates[metric].successes, mine.rates[metric].n)
    only_ana = patterns.compute(weeks=4, agent="Ana")
    assert counts(only_ana.totals) == counts(mine.totals)
    assert [(w.key, w.contacts, w.confirmed) for w in only_ana.weekly] == [
        (w.week, w.contacts, w.confirmed) for w in mine.weekly
    ]
    # and the team statement's row for Ana, straight from the store
    period = mine.period
    store_rows = pattern_counts(
        team.lead.store,
        start="2026-11-02T00:00:00Z",
        end=period.end,
        settled="2026-11-16T12:00:00Z",
        window_days=7,
    )
    assert counts(next(a for a in store_rows.agents if a.key == "Ana")) == counts(mine.totals)


def test_one_channel(patterns):
    chat = patterns.compute(weeks=4, channel="chat", reveal=True)
    # B2 only: unsure, Z came back (by email: the neighbour counts on any channel)
    assert counts(chat.totals) == (1, 1, 0, 1, 0, 1, 1, 0, 0, 0)
    assert [p.label for p in chat.funnel.points] == ["Ben"]
    with pytest.raises(ValueError, match="not a channel"):
        patterns.compute(channel="fax")


def test_the_same_numbers_while_a_bulk_load_has_the_indexes_away(team, patterns):
    before = patterns.compute(weeks=4, reveal=True)
    bulk_load.begin(team.lead.store)
    try:
        during = patterns.compute(weeks=4, reveal=True)
    finally:
        bulk_load.finish(team.lead.store)
    assert counts(during.totals) == counts(before.totals)
    assert during.funnel.points == before.funnel.points
    assert during.heat_map == before.heat_map


def test_agents_are_refused(team):
    with pytest.raises(ProfileError, match="team patterns are for team leads"):
        PatternsService(team.ana)


def test_a_metric_the_funnel_does_not_compare_is_refused(patterns):
    with pytest.raises(ValueError, match="funnel compares"):
        patterns.compute(metric="csat")
    with pytest.raises(ValueError, match="weeks"):
        patterns.compute(weeks=0)
