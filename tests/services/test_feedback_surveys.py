"""Survey answers in My feedback: CSAT, NPS and the customer's own verdict on resolution.

Answers are written straight into a real profile's store, as sync or a survey import leaves
them (a lead's writer, matched to a contact or not); the arithmetic is in the comments.
"""

from __future__ import annotations

import itertools
import json
import time
from datetime import datetime, timedelta, timezone

import pytest

from cxcompanion import cli
from cxcompanion.domain.metric_texts import detail_text, feedback_text, value_text
from cxcompanion.services.contacts import ContactService
from cxcompanion.services.feedback import FeedbackService
from cxcompanion.store.metrics_queries import METRICS_SQL

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)  # a Monday; window 7 days
# weeks=4: the period is 2026-10-27 .. NOW; settled = NOW - 7 days = 2026-11-16T12:00Z.
_ids = itertools.count(1)


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    """Weeks are local ISO weeks: pin the zone so the arithmetic below holds anywhere."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def contact(at, verdict="yes", prior=0, customer=""):
    return {
        "at": at,
        "channel": "phone",
        "purpose": "billing.refund",
        "outcome": "resolved",
        "verdict": verdict,
        "customer_ref": customer,
        "prior_contacts": prior,
    }


def answer(profile, contact_id, *, answered_at="2026-11-20T10:00:00Z", deleted=0, **values):
    """One survey answer as the lead's import publishes it (csat, nps, resolved, agent)."""
    agent = None
    if contact_id is not None:
        row = profile.store.conn.execute(
            "SELECT agent FROM contacts WHERE id = ?", (contact_id,)
        ).fetchone()
        agent = row[0]
    with profile.store.transaction() as conn:
        conn.execute(
            "INSERT INTO survey_answers (id, writer, revision, updated_at, deleted, contact_id, "
            "agent, answered_at, csat, nps, resolved) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                f"survey-{next(_ids):04d}",
                "lead-device",
                answered_at,
                deleted,
                contact_id,
                values.pop("agent", agent),
                answered_at,
                values.pop("csat", None),
                values.pop("nps", None),
                values.pop("resolved", None),
            ),
        )
    assert not values, values


def ana(profile) -> ContactService:
    return ContactService(profile, clock=lambda: NOW)


def ben_logs(profile, raw):
    """A colleague's contact in the same store, as sync will bring it."""
    profile.store.set_meta({"name": "Ben"})
    try:
        return ContactService(profile, clock=lambda: NOW).log(raw)
    finally:
        profile.store.set_meta({"name": "Ana"})


def compute(profile, weeks=4):
    return FeedbackService(profile, clock=lambda: NOW).compute(weeks=weeks)


# CSAT of the twelve answers below: 4 or 5 in nine of them; NPS given in ten of them.
CSAT = [5, 5, 5, 4, 4, 4, 4, 5, 4, 3, 2, 1]  # 9 of 12 top-two-box → 0.75
NPS = [10, 9, 10, 9, 9, 7, 8, 7, 6, 0, None, None]  # 5 promoters, 3 passives, 2 detractors


def survey_history(profile):
    """Ana's twelve answered contacts, and every answer that must not count."""
    logged = ana(profile).log_many(
        [contact(f"2026-11-{day:02d}T10:00Z") for day in range(2, 14)]
        + [
            contact("2026-10-20T10:00Z"),  # before the period (starts 27 Oct)
            contact("2026-11-14T10:00Z"),  # deleted below
            contact("2026-11-15T10:00Z"),  # its only answer is deleted
        ]
    )
    for record, csat, nps in zip(logged, CSAT, NPS, strict=False):
        answer(profile, record.id, csat=csat, nps=nps)
    before, deleted_contact, answered_deleted = logged[12:]
    # Answered inside the period, but the contact is older: the contact's moment decides.
    answer(profile, before.id, answered_at="2026-10-28T10:00:00Z", csat=1, nps=0)
    answer(profile, deleted_contact.id, csat=1, nps=0)
    ana(profile).delete(deleted_contact.id)
    answer(profile, answered_deleted.id, csat=1, nps=0, deleted=1)
    answer(profile, None, agent="Ana", csat=1, nps=0)  # matched no contact
    ben = ben_logs(profile, contact("2026-11-10T10:00Z"))
    answer(profile, ben.id, csat=1, nps=0)  # a colleague's customer
    return logged


def test_csat_and_nps_count_the_answers_to_the_agents_live_contacts_of_the_period(profile):
    survey_history(profile)
    feedback = compute(profile)
    csat = feedback.csat
    # 9 of 12 answered 4 or 5; Wilson 95%: (9 + z²/2)/(12 + z²) ± ... = 0.4677 .. 0.9111
    assert (csat.value, csat.n, csat.successes) == (0.75, 12, 9)
    assert (csat.low, csat.high) == pytest.approx((0.4677, 0.9111), abs=1e-4)
    nps = feedback.nps
    # (5 − 2)/10 = +30; adjusted Wald (+¾ promoter, +¾ detractor, +3/2 passive): n' = 13,
    # p = 5.75/13, d = 2.75/13, half = z·√((p + d − (p − d)²)/13) = 0.4213 → −19.05 .. 65.20
    assert (nps.value, nps.n, nps.promoters, nps.passives, nps.detractors) == (30.0, 10, 5, 3, 2)
    assert (nps.low, nps.high) == pytest.approx((-19.05, 65.20), abs=1e-2)
    assert value_text("csat", csat) == "75%" and detail_text("csat", csat) == "47%–91% · n=12"
    assert value_text("nps", nps) == "+30" and detail_text("nps", nps) == "-19 to +65 · n=10"


def test_each_answer_to_a_contact_counts_and_values_off_the_scale_do_not(profile):
    logged = ana(profile).log_many([contact("2026-11-10T10:00Z") for _ in range(10)])
    for record in logged:
        answer(profile, record.id, csat=5, nps=10)
    # A second answer to the first contact is another survey response: it counts.
    answer(profile, logged[0].id, answered_at="2026-11-21T10:00:00Z", csat=1, nps=0)
    # A value outside its scale is no answer on that scale (the other still counts).
    answer(profile, logged[1].id, csat=7, nps=5)
    answer(profile, logged[2].id, csat=4, nps=11)
    feedback = compute(profile)
    # CSAT: 10 fives + the 1 + the 4 = 12 answers, 11 of them 4–5
    assert (feedback.csat.n, feedback.csat.successes) == (12, 11)
    # NPS: 10 tens + the 0 + the 5 = 12 answers: 10 promoters, 2 detractors → +66.67
    assert (feedback.nps.n, feedback.nps.promoters, feedback.nps.detractors) == (12, 10, 2)
    assert feedback.nps.value == pytest.approx(100 * 8 / 12)


def test_fewer_than_ten_answers_show_n_but_no_value(profile, capsys):
    logged = ana(profile).log_many([contact("2026-11-10T10:00Z") for _ in range(9)])
    for i, record in enumerate(logged):
        answer(profile, record.id, csat=5, nps=10 if i < 4 else None)
    feedback = compute(profile)
    assert (feedback.csat.value, feedback.csat.n, feedback.csat.low) == (None, 9, None)
    assert (feedback.nps.value, feedback.nps.n, feedback.nps.high) == (None, 4, None)
    assert value_text("csat", feedback.csat) == "not enough answers yet"
    assert detail_text("csat", feedback.csat) == "n=9 (a rate needs 10)"
    assert value_text("nps", feedback.nps) == "not enough answers yet"
    assert detail_text("nps", feedback.nps) == "n=4 (a score needs 10)"


def test_no_answers_at_all_say_so(profile):
    ana(profile).log_many([contact("2026-11-10T10:00Z") for _ in range(12)])
    feedback = compute(profile)
    assert feedback.csat is None and feedback.nps is None
    assert value_text("csat", feedback.csat) == "no survey answers yet"


def resolution_history(profile):
    """C1–C14 of Ana (no customer reference: FCR is the verdict and the prior count alone)."""
    return ana(profile).log_many(
        [contact("2026-11-10T10:00Z") for _ in range(9)]  # C1–C9 yes
        + [
            contact("2026-11-10T11:00Z", verdict="no"),  # C10
            contact("2026-11-11T10:00Z", verdict="not_asked"),  # C11
            contact("2026-11-11T11:00Z"),  # C12 yes
            contact("2026-11-12T10:00Z", verdict="not_asked", prior=1),  # C13 came before
            contact("2026-11-20T10:00Z", verdict="not_asked"),  # C14 pending for FCR
        ]
    )


def test_the_customers_survey_verdict_replaces_the_recorded_one(profile):
    c = resolution_history(profile)
    before = compute(profile)
    # asked: C1–C10, C12 = 11; yes: C1–C9, C12 = 10. FCR: asked and settled = 11 (C14 is not
    # asked), yes with no prior = 10.
    assert (before.totals.asked, before.totals.confirmed) == (11, 10)
    assert (before.totals.fcr_n, before.totals.fcr_yes) == (11, 10)

    answer(profile, c[10].id, resolved=1)  # C11 not asked → yes
    answer(profile, c[0].id, resolved=0)  # C1 yes → no
    answer(profile, c[12].id, resolved=1)  # C13 not asked → yes (but a prior contact)
    answer(profile, c[13].id, resolved=1)  # C14 not asked → yes (pending for FCR)
    # C10 no → yes: the latest answer with a verdict wins, whatever the order they were stored
    # in; a later answer without one (CSAT only) leaves the verdict alone.
    answer(profile, c[9].id, answered_at="2026-11-13T10:00:00Z", resolved=1)
    answer(profile, c[9].id, answered_at="2026-11-12T10:00:00Z", resolved=0)
    answer(profile, c[9].id, answered_at="2026-11-14T10:00:00Z", csat=5)
    answer(profile, c[1].id, resolved=0, deleted=1)  # C2: a deleted answer is no verdict
    ben = ben_logs(profile, contact("2026-11-10T10:00Z", verdict="not_asked"))
    answer(profile, ben.id, resolved=1)  # a colleague's contact stays out of Ana's feedback

    after = compute(profile)
    t = after.totals
    # asked: all of C1–C14 = 14; yes: C2–C9 (8) + C10 + C11 + C12 + C13 + C14 = 13 (C1 no)
    assert (t.contacts, t.asked, t.confirmed) == (14, 14, 13)
    # FCR: asked and settled = 13 (all but C14); yes with no prior contact: C2–C9, C10, C11,
    # C12 = 11 (C13 reported a prior contact)
    assert (t.fcr_n, t.fcr_yes) == (13, 11)
    confirmed, fcr = after.rates["confirmed_resolution"], after.rates["fcr"]
    assert (confirmed.successes, confirmed.n) == (13, 14) and confirmed.value == 13 / 14
    assert (fcr.successes, fcr.n) == (11, 13) and fcr.value == 11 / 13
    # The purposes and the weekly trend count the same verdicts.
    assert [(p.purpose, p.rate.n, p.rate.successes) for p in after.by_purpose] == [
        ("billing.refund", 14, 13)
    ]
    week = next(w for w in after.weekly if w.week == "2026-11-09")
    assert (week.asked, week.confirmed) == (13, 12)  # C14 is in the week of 16 Nov
    assert after.csat.n == 1 and after.nps is None  # C10's CSAT-only answer


def test_the_statement_probes_the_survey_index_per_contact(profile):
    params = {
        "agent": "Ana",
        "start": "2026-10-27T00:00:00Z",
        "end": "2026-11-23T12:00:00Z",
        "settled": "2026-11-16T12:00:00Z",
        "window_back": "-7 days",
        "window_ahead": "+7 days",
    }
    plan = [
        row[3] for row in profile.store.conn.execute("EXPLAIN QUERY PLAN " + METRICS_SQL, params)
    ]
    probes = [line for line in plan if "survey_answers_by_contact (contact_id=?)" in line]
    assert len(probes) == 2, plan  # the verdict, and CSAT/NPS
    assert not [line for line in plan if line.startswith("SCAN") and "survey" in line], plan


def test_the_command_line_shows_csat_and_nps(profile, capsys):
    # The command line runs on the real clock: the contacts are two days old.
    day = datetime.now(timezone.utc) - timedelta(days=2)
    logged = ContactService(profile).log_many(
        [contact(day.strftime("%Y-%m-%dT%H:%M:%SZ")) for _ in range(12)]
    )
    for record, csat, nps in zip(logged, CSAT, NPS, strict=True):
        answer(
            profile, record.id, answered_at=day.strftime("%Y-%m-%dT%H:%M:%SZ"), csat=csat, nps=nps
        )
    folder = str(profile.folder)
    profile.close()
    assert cli.main(["--profile", folder, "feedback", "--weeks", "4", "--format", "json"]) == 0
    metrics = json.loads(capsys.readouterr().out)["metrics"]
    assert metrics["csat"] == {"value": 0.75, "n": 12, "low": 0.4677, "high": 0.9111}
    assert metrics["nps"] == {"value": 30.0, "n": 10, "low": -19.0506, "high": 65.2045}
    assert cli.main(["--profile", folder, "feedback", "--weeks", "4"]) == 0
    lines = capsys.readouterr().out.splitlines()
    csat_line = next(line for line in lines if line.startswith("CSAT (4–5 of 5)"))
    nps_line = next(line for line in lines if line.startswith("NPS "))
    assert csat_line.split()[-4:] == ["75%", "47%–91%", "·", "n=12"]
    assert nps_line.split()[-6:] == ["+30", "-19", "to", "+65", "·", "n=10"]


def test_feedback_text_says_survey_answers_are_the_customers_verdict(profile):
    from cxcompanion.domain.metric_texts import explanation

    text = feedback_text(compute(profile), profile.taxonomy)
    assert "survey answers" in text  # the interval note covers answers too
    for key in ("confirmed_resolution", "fcr"):
        assert "survey answer" in explanation(key, 7) and "verdict" in explanation(key, 7)
