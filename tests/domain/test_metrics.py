"""Properties of the metrics on the domain level (pure: counts in, rates and JSON out).

Hypothesis makes weekly counts that could have come from a store (every numerator at most
its denominator, FCR and repeats only among settled contacts) and checks what must hold for
any of them: rates stay within [0, 1] inside their interval, the period's totals are the
sums of its weeks whatever their order, and the JSON has the shape of DESIGN §7.
"""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from cxcompanion.domain.metrics import (
    Period,
    PurposeCounts,
    SurveyCounts,
    WeekCounts,
    build_feedback,
    to_json,
)
from cxcompanion.domain.statistics import MIN_SAMPLE

# The contract of DESIGN §7, written out rather than imported, so a renamed key fails here.
DESIGN_KEYS = {
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
DESIGN_COUNTS = {"ideas_captured", "ideas_adopted"}
# numerator, denominator of each rate (DESIGN §3), as WeekCounts fields
RATES = {
    "confirmed_resolution": ("confirmed", "asked"),
    "fcr": ("fcr_yes", "fcr_n"),
    "repeat_rate": ("repeats", "repeat_n"),
    "save_rate": ("saved", "cancel_n"),
    "mood_lift": ("mood_up", "mood_n"),
}
COUNT_FIELDS = [f.name for f in fields(WeekCounts) if f.name != "week"]
FIRST_MONDAY = date(2026, 5, 4)


def up_to(bound: int) -> st.SearchStrategy[int]:
    return st.integers(0, max(0, bound))


@st.composite
def week_counts(draw: st.DrawFn, week: str) -> WeekCounts:
    """One week's counts as the store could give them: parts never exceed their whole."""
    # Mostly small weeks (rates around MIN_SAMPLE matter most), sometimes big ones.
    contacts = draw(st.one_of(st.integers(0, 30), st.integers(0, 5000)))
    pending = draw(up_to(contacts))
    asked = draw(up_to(contacts))
    confirmed = draw(up_to(asked))
    settled_asked = min(asked, contacts - pending)
    fcr_n = draw(up_to(settled_asked))
    fcr_yes = draw(up_to(min(fcr_n, confirmed)))
    repeat_n = draw(up_to(contacts - pending))
    repeats = draw(up_to(repeat_n))
    mood_n = draw(up_to(contacts))
    mood_up = draw(up_to(mood_n))
    cancel_n = draw(up_to(contacts))
    saved = draw(up_to(cancel_n))
    ideas = draw(st.integers(0, 3 * contacts + 3))
    return WeekCounts(
        week,
        contacts=contacts,
        asked=asked,
        confirmed=confirmed,
        fcr_n=fcr_n,
        fcr_yes=fcr_yes,
        repeat_n=repeat_n,
        repeats=repeats,
        mood_n=mood_n,
        mood_up=mood_up,
        cancel_n=cancel_n,
        saved=saved,
        pending=pending,
        ideas=ideas,
    )


@st.composite
def periods(draw: st.DrawFn) -> tuple[Period, list[WeekCounts]]:
    """A period of 1–26 weeks and counts for some of its weeks (the store omits empty ones)."""
    weeks = draw(st.integers(1, 26))
    keys = tuple((FIRST_MONDAY + timedelta(weeks=i)).isoformat() for i in range(weeks))
    period = Period(
        weeks=weeks,
        start=keys[0],
        end=f"{(FIRST_MONDAY + timedelta(weeks=weeks - 1, days=2)).isoformat()}T12:00:00Z",
        repeat_window_days=7,
        week_keys=keys,
    )
    # Up to 8 weeks with contacts: enough for sums and orders, and quick to generate.
    present = draw(st.lists(st.sampled_from(keys), unique=True, max_size=min(weeks, 8)))
    weekly = [draw(week_counts(key)) for key in present]
    return period, weekly


purpose_counts = st.lists(
    st.tuples(st.sampled_from(["billing.refund", "orders.return", "account.pause"]), up_to(40))
    .flatmap(lambda t: st.tuples(st.just(t[0]), st.just(t[1]), up_to(t[1])))
    .map(lambda t: PurposeCounts(*t)),
    unique_by=lambda p: p.purpose,
    max_size=3,
)


def sums(weekly: list[WeekCounts]) -> dict[str, int]:
    return {name: sum(getattr(w, name) for w in weekly) for name in COUNT_FIELDS}


@settings(max_examples=120)
@given(periods())
def test_every_rate_is_a_share_inside_its_interval(data):
    period, weekly = data
    feedback = build_feedback(period, weekly)
    totals = sums(weekly)
    for key, (num, den) in RATES.items():
        r = feedback.rates[key]
        assert (r.n, r.successes) == (totals[den], totals[num]), key
        if r.n >= MIN_SAMPLE:
            assert r.value == totals[num] / totals[den]
            assert 0.0 <= r.low <= r.value <= r.high <= 1.0, (key, r)
        else:  # "not enough contacts yet": the count stays, the value does not
            assert (r.value, r.low, r.high) == (None, None, None), (key, r)
    # Every weekly point of the trends is a share too, between its own limits' bounds.
    for key, points in feedback.trends.items():
        assert [p.key for p in points] == list(period.week_keys), key
        for p in points:
            if p.value is not None:
                assert 0.0 <= p.value <= 1.0
                assert 0.0 <= p.lower <= p.upper <= 1.0
            if p.n < MIN_SAMPLE:
                assert p.signal is None  # a handful of contacts never raises a signal
    # No survey answers given: CSAT and NPS are "no survey answers yet", whatever the counts;
    # evaluations arrive with a later feature.
    assert feedback.nps is None and feedback.csat is None
    assert feedback.quality == {"technical": None, "emotional": None}
    assert feedback.ideas_adopted == 0


@settings(max_examples=120)
@given(periods())
def test_totals_are_the_sums_of_the_weeks(data):
    period, weekly = data
    feedback = build_feedback(period, weekly)
    assert {name: getattr(feedback.totals, name) for name in COUNT_FIELDS} == sums(weekly)
    assert feedback.ideas_captured == sums(weekly)["ideas"]
    # Every week of the period is there, in order, empty ones as zeros.
    assert [w.week for w in feedback.weekly] == list(period.week_keys)
    given_weeks = {w.week: w for w in weekly}
    for w in feedback.weekly:
        assert w == given_weeks.get(w.week, WeekCounts(w.week))


@settings(max_examples=120)
@given(periods(), purpose_counts, st.randoms(use_true_random=False))
def test_the_order_of_the_weeks_and_purposes_does_not_matter(data, purposes, rnd):
    period, weekly = data
    shuffled_weeks, shuffled_purposes = list(weekly), list(purposes)
    rnd.shuffle(shuffled_weeks)
    rnd.shuffle(shuffled_purposes)
    expected = build_feedback(period, weekly, purposes)
    got = build_feedback(period, shuffled_weeks, shuffled_purposes)
    assert got.totals == expected.totals
    assert got.weekly == expected.weekly
    assert got.rates == expected.rates
    assert got.trends == expected.trends
    assert to_json(got) == to_json(expected)


@settings(max_examples=120)
@given(periods(), purpose_counts)
def test_json_has_the_shape_of_design_section_7(data, purposes):
    period, weekly = data
    feedback = build_feedback(period, weekly, purposes)
    out = to_json(feedback)
    assert json.loads(json.dumps(out)) == out  # plain JSON: no NaN, no objects
    metrics = out["metrics"]
    assert set(metrics) == DESIGN_KEYS
    totals = sums(weekly)
    for key, value in metrics.items():
        if key in DESIGN_COUNTS:
            assert set(value) == {"value"}, key
            assert isinstance(value["value"], int) and value["value"] >= 0, key
        else:
            assert set(value) == {"value", "n", "low", "high"}, key
            if value["n"] < MIN_SAMPLE:
                assert value["value"] is None, key
                assert value["low"] is None and value["high"] is None, key
            else:
                assert 0.0 <= value["low"] <= value["value"] <= value["high"] <= 1.0, key
    assert metrics["ideas_captured"] == {"value": totals["ideas"]}
    assert metrics["ideas_adopted"] == {"value": 0}
    for key in ("csat", "nps", "quality_technical", "quality_emotional"):
        assert metrics[key] == {"value": None, "n": 0, "low": None, "high": None}, key
    for key, (_, den) in RATES.items():
        assert metrics[key]["n"] == totals[den], key
    assert out["period"]["contacts"] == totals["contacts"]
    assert out["period"]["pending"] == totals["pending"]
    # Purposes where nobody was asked have no rate to rank; the others keep their n.
    assert {p["purpose"]: p["n"] for p in out["by_purpose"]} == {
        p.purpose: p.asked for p in purposes if p.asked
    }


survey_counts = st.builds(
    lambda csat_n, top, promoters, passives, detractors: SurveyCounts(
        csat_n, min(top, csat_n), promoters, passives, detractors
    ),
    *(st.one_of(st.integers(0, 15), st.integers(0, 3000)) for _ in range(5)),
)


@settings(max_examples=200)
@given(periods(), survey_counts)
def test_csat_is_a_share_and_nps_a_score_inside_their_intervals(data, surveys):
    period, weekly = data
    feedback = build_feedback(period, weekly, surveys=surveys)
    out = to_json(feedback)["metrics"]
    csat, nps = feedback.csat, feedback.nps
    if surveys.csat_n == 0:
        assert csat is None  # "no survey answers yet", not "not enough"
        assert out["csat"] == {"value": None, "n": 0, "low": None, "high": None}
    else:
        assert (csat.n, csat.successes) == (surveys.csat_n, surveys.csat_top)
        assert out["csat"]["n"] == surveys.csat_n
        if csat.n < MIN_SAMPLE:
            assert (csat.value, csat.low, csat.high) == (None, None, None)
            assert out["csat"]["value"] is None
        else:
            assert csat.value == surveys.csat_top / surveys.csat_n
            assert 0.0 <= csat.low <= csat.value <= csat.high <= 1.0
    n = surveys.promoters + surveys.passives + surveys.detractors
    if n == 0:
        assert nps is None
        assert out["nps"] == {"value": None, "n": 0, "low": None, "high": None}
    else:
        assert (nps.n, nps.promoters, nps.passives) == (n, surveys.promoters, surveys.passives)
        assert out["nps"]["n"] == n
        if n < MIN_SAMPLE:
            assert (nps.value, nps.low, nps.high) == (None, None, None)
            assert out["nps"]["value"] is None
        else:
            assert nps.value == 100 * (surveys.promoters - surveys.detractors) / n
            assert -100.0 <= nps.low <= nps.value <= nps.high <= 100.0
            assert -100.0 <= out["nps"]["low"] <= out["nps"]["value"] <= out["nps"]["high"]


def test_csat_and_nps_by_hand():
    period = Period(1, "2026-11-16", "2026-11-18T12:00:00Z", 7, ("2026-11-16",))
    # 12 CSAT answers, 9 of them 4–5; NPS: 5 promoters, 3 passives, 2 detractors of 10
    feedback = build_feedback(period, [], surveys=SurveyCounts(12, 9, 5, 3, 2))
    metrics = to_json(feedback)["metrics"]
    # Wilson 9/12: (9 + z²/2)/(12 + z²) ± z·√(9·3/12 + z²/4)/(12 + z²) = 0.4677 .. 0.9111
    assert metrics["csat"] == {"value": 0.75, "n": 12, "low": 0.4677, "high": 0.9111}
    # (5 − 2)/10 = +30; adjusted Wald on 5.75/13 promoters and 2.75/13 detractors: ±42.1
    # around +23.1 (the adjusted middle), the shown score inside it
    assert metrics["nps"] == {"value": 30.0, "n": 10, "low": -19.0506, "high": 65.2045}
    assert feedback.nps.passives == 3
