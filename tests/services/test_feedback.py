"""My feedback's metrics on a small hand-made team history; the arithmetic is in the comments."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone

import pytest

from cxcompanion import cli
from cxcompanion.services.contacts import ContactService
from cxcompanion.services.feedback import FeedbackService
from cxcompanion.services.profile import Profile

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)  # a Monday; window 7 days
# settled = NOW - 7 days = 2026-11-16T12:00Z: contacts after that are pending.


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    """Weeks are local ISO weeks: pin the zone so the arithmetic below holds anywhere."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def contact(at, verdict="yes", customer="", purpose="billing.refund", prior=0, **extra):
    raw = {
        "at": at,
        "channel": extra.pop("channel", "phone"),
        "purpose": purpose,
        "outcome": "resolved",
        "verdict": verdict,
        "customer_ref": customer,
        "prior_contacts": prior,
    }
    raw.update(extra)
    return raw


def team_history(profile):
    """Ana's contacts A1–A12 and one contact of Ben's, all in one store (as sync will give)."""
    ana = ContactService(profile, clock=lambda: NOW)
    ana.log_many(
        [
            contact("2026-11-03T10:00Z", customer="X"),  # A1 X comes back (A2)
            contact("2026-11-06T10:00Z", customer="X", prior=1),  # A2 reported a prior
            contact(
                "2026-11-04T10:00Z",
                customer="Y",
                purpose="orders.return",
                ideas=[{"text": "prepaid return label", "area": "delivery"}],
            ),  # A3 FCR
            contact(
                "2026-11-20T10:00Z", customer="Y", purpose="orders.return", verdict="no"
            ),  # A4 pending, 16 days
            contact(
                "2026-11-05T10:00Z", customer="Z", purpose="technical.cannot_log_in", channel="chat"
            ),  # A5 Z back by email
            contact(
                "2026-11-07T10:00Z",
                customer="Z",
                purpose="technical.cannot_log_in",
                channel="email",
                verdict="unsure",
            ),  # A6
            contact(
                "2026-11-10T10:00Z",
                ideas=[
                    {"text": "dark mode", "area": "mobile_app"},
                    {"text": "weekend chat", "area": "service"},
                ],
            ),  # A7 FCR, no reference
            contact("2026-11-11T10:00Z", verdict="not_asked"),  # A8 not asked
            contact(
                "2026-11-12T10:00Z",
                verdict="no",
                cancel_reason="price",
                stayed="yes",
                mood_start=-1,
                mood_end=1,
            ),  # A9 stayed, mood up
            contact(
                "2026-11-12T11:00Z",
                prior=2,
                cancel_reason="price",
                stayed="no",
                mood_start=0,
                mood_end=0,
            ),  # A10 left, mood same
            contact("2026-11-09T10:00Z", customer="W"),  # A11 W met Ben before
            contact("2026-11-13T10:00Z"),  # A12 FCR
        ]
    )
    deleted = ana.log(contact("2026-11-13T11:00Z", verdict="no"))
    ana.delete(deleted.id)  # a deleted contact counts nowhere
    # Ben's contact with W (same purpose, the day before A11) is in this store too.
    ben = ContactService(profile, clock=lambda: NOW)
    ben_contact = contact("2026-11-08T10:00Z", customer="W")
    profile.store.set_meta({"name": "Ben"})
    ben.log(ben_contact)
    profile.store.set_meta({"name": "Ana"})


@pytest.fixture
def feedback(profile):
    team_history(profile)
    return FeedbackService(profile, clock=lambda: NOW).compute(weeks=4)


def test_counts_follow_the_definitions(feedback):
    t = feedback.totals
    assert t.contacts == 12  # A1–A12; Ben's and the deleted one are not Ana's feedback
    # asked = yes/no/unsure: every contact but A8 (not asked) = 11; yes: A1 A2 A3 A5 A7 A10
    # A11 A12 = 8
    assert (t.asked, t.confirmed) == (11, 8)
    # pending: A4 (20 Nov is after 16 Nov 12:00)
    assert t.pending == 1
    # FCR: asked and settled = 11 − A4 = 10; yes + no prior + no earlier/later contact:
    # A3 (Y's next contact is 16 days later), A7 and A12 (no reference: verdict and prior
    # alone). Not A1 (X came back), A2 (prior), A5 (Z came back by email), A10 (prior 2),
    # A11 (W had met Ben the day before). = 3
    assert (t.fcr_n, t.fcr_yes) == (10, 3)
    # repeat: settled with a reference: A1 A2 A3 A5 A6 A11 = 6; followed within 7 days:
    # A1 (by A2, 3 days), A5 (by A6, other channel) = 2
    assert (t.repeat_n, t.repeats) == (6, 2)
    assert (t.mood_n, t.mood_up) == (2, 1)  # A9 −1→1 up; A10 0→0
    assert (t.cancel_n, t.saved) == (2, 1)  # A9 stayed, A10 left
    assert t.ideas == 3  # one on A3, two on A7


def test_rates_have_n_and_intervals_and_small_samples_have_no_value(feedback):
    confirmed = feedback.rates["confirmed_resolution"]
    assert confirmed.value == pytest.approx(8 / 11)
    assert confirmed.low < 8 / 11 < confirmed.high and confirmed.n == 11
    fcr = feedback.rates["fcr"]
    assert fcr.value == pytest.approx(3 / 10) and fcr.n == 10
    # 6 contacts with a reference: not enough for a rate, but n is shown
    repeat = feedback.rates["repeat_rate"]
    assert repeat.value is None and repeat.n == 6
    assert feedback.csat is None and feedback.nps is None  # no survey answers yet
    assert feedback.quality == {"technical": None, "emotional": None}
    assert feedback.ideas_captured == 3 and feedback.ideas_adopted == 0


def test_weeks_are_local_iso_weeks_with_empty_ones_kept(feedback):
    weeks = [(w.week, w.contacts) for w in feedback.weekly]
    # week of 2 Nov: A1 A2 A3 A5 A6 = 5; 9 Nov: A7 A8 A9 A10 A11 A12 = 6; 16 Nov: A4
    assert weeks == [("2026-11-02", 5), ("2026-11-09", 6), ("2026-11-16", 1), ("2026-11-23", 0)]
    points = feedback.trends["confirmed_resolution"]
    assert [p.key for p in points] == [w for w, _ in weeks]
    assert points[-1].value is None  # no contacts this week


def test_purposes_ranked_by_confirmation(profile):
    service = ContactService(profile, clock=lambda: NOW)
    service.log_many(
        [contact("2026-11-10T10:00Z", purpose="billing.refund") for _ in range(12)]
        + [contact("2026-11-10T10:00Z", purpose="orders.return", verdict="no") for _ in range(8)]
        + [contact("2026-11-10T10:00Z", purpose="orders.return") for _ in range(4)]
        + [contact("2026-11-10T10:00Z", purpose="account.pause", verdict="no")]  # n=1: unranked
    )
    feedback = FeedbackService(profile, clock=lambda: NOW).compute(weeks=4)
    assert [p.purpose for p in feedback.confirmed_most(2)] == ["billing.refund", "orders.return"]
    assert feedback.confirmed_least(1)[0].purpose == "orders.return"  # 4/12
    assert feedback.confirmed_least(1)[0].rate.value == pytest.approx(4 / 12)


def test_the_json_of_the_command_line_gives_the_same_numbers(profile, capsys):
    team_history(profile)
    expected = FeedbackService(profile).compute(weeks=4)
    folder = str(profile.folder)
    profile.close()
    assert cli.main(["--profile", folder, "feedback", "--weeks", "4", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    reopened = Profile(folder)
    try:
        assert set(data["metrics"]) == {
            "confirmed_resolution",
            "fcr",
            "repeat_rate",
            "csat",
            "nps",
            "quality_technical",
            "quality_emotional",
            "ideas_captured",
            "ideas_adopted",
            "save_rate",
            "mood_lift",
        }
        got = data["metrics"]["confirmed_resolution"]
        want = expected.rates["confirmed_resolution"]
        assert got["n"] == want.n and got["value"] == pytest.approx(want.value, abs=1e-4)
        # The command line counts from the real clock, as `expected` did (ideas of A3 and
        # A7 fall in or out of its four weeks as the calendar moves on).
        assert data["metrics"]["ideas_captured"] == {"value": expected.ideas_captured}
        assert data["metrics"]["ideas_adopted"] == {"value": 0}
        assert data["metrics"]["csat"] == {"value": None, "n": 0, "low": None, "high": None}
        assert data["period"]["weeks"] == 4 and data["period"]["repeat_window_days"] == 7
    finally:
        reopened.close()


def test_feedback_text_and_bad_weeks(profile, capsys):
    team_history(profile)
    folder = str(profile.folder)
    profile.close()
    assert cli.main(["--profile", folder, "feedback", "--weeks", "4"]) == 0
    out = capsys.readouterr().out
    assert "Customer-confirmed resolution" in out and "no survey answers yet" in out
    assert "not enough contacts yet" in out  # the repeat rate over 6
    for bad in ("0", "x", "999"):
        assert cli.main(["--profile", folder, "feedback", "--weeks", bad]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "--weeks" in err and "1 to 260" in err
    assert cli.main(["--profile", folder, "feedback", "--format", "csv"]) == 1
    assert "text, json" in capsys.readouterr().err


def test_cancellation_conversations_show_how_many_stayed(feedback):
    from cxcompanion.domain.metric_texts import detail_text, value_text

    # 2 customers wanted to cancel (A9 stayed, A10 left): too few for a rate, not for a count
    save = feedback.rates["save_rate"]
    assert value_text("save_rate", save) == "1 of 2 stayed"
    assert detail_text("save_rate", save) == "n=2 (a rate needs 10)"
