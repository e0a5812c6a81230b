"""Rates with Wilson intervals, NPS intervals, p-charts and funnel limits (DESIGN §2.3).

Worked examples carry their arithmetic in comments, with z = 1.959964 (z² = 3.841459) for
95% and z = 3.090232 for 99.8%; the numbers asserted are the ones written by hand there.
"""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxcompanion.domain.statistics import (
    MIN_SAMPLE,
    Z95,
    Z998,
    ControlPoint,
    Rate,
    Score,
    explain,
    format_interval,
    format_rate,
    funnel_curve,
    funnel_limits,
    nps,
    p_chart,
    rate,
    wilson_interval,
)

HAND = 1e-6  # the hand-worked numbers below are written to 6 decimals

# --- constants -----------------------------------------------------------------------------


def test_constants_are_the_two_sided_normal_quantiles():
    # Φ(z) = (1 + erf(z/√2))/2; two-sided 95% leaves 2.5% in each tail, 99.8% leaves 0.1%.
    def phi(z):
        return (1 + math.erf(z / math.sqrt(2))) / 2

    assert phi(Z95) == pytest.approx(0.975, abs=1e-12)
    assert phi(Z998) == pytest.approx(0.999, abs=1e-12)
    assert MIN_SAMPLE == 10


# --- Wilson intervals, worked by hand ------------------------------------------------------
# Closed form: (k + z²/2)/(n + z²) ± z·√(k(n−k)/n + z²/4)/(n + z²).


def test_wilson_8_of_10():
    # n + z² = 13.841459; middle = (8 + 1.920729)/13.841459 = 0.716740
    # √(8·2/10 + 0.960365) = √2.560365 = 1.600114; half = 1.959964·1.600114/13.841459 = 0.226578
    # → (0.490162, 0.943318); published: about (0.490, 0.943)
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.490162, abs=HAND)
    assert high == pytest.approx(0.943318, abs=HAND)


def test_wilson_50_of_100():
    # n + z² = 103.841459; middle = (50 + 1.920729)/103.841459 = 0.5 exactly (symmetric)
    # √(50·50/100 + 0.960365) = √25.960365 = 5.095131; half = 1.959964·5.095131/103.841459
    #   = 0.096168 → (0.403832, 0.596168); published: about (0.4038, 0.5962)
    low, high = wilson_interval(50, 100)
    assert low == pytest.approx(0.403832, abs=HAND)
    assert high == pytest.approx(0.596168, abs=HAND)


def test_wilson_0_of_20_starts_at_zero_and_is_not_a_point():
    # k = 0: middle = half = (z²/2)/(n + z²) = 1.920729/23.841459 = 0.080563
    # → (0, 2·0.080563) = (0, 0.161125): no resolution in 20 still leaves up to 16% plausible
    low, high = wilson_interval(0, 20)
    assert low == 0.0
    assert high == pytest.approx(0.161125, abs=HAND)


def test_wilson_20_of_20_ends_at_one_and_is_not_a_point():
    # k = n: the mirror image: low = n/(n + z²) = 20/23.841459 = 0.838875, high = 1
    low, high = wilson_interval(20, 20)
    assert low == pytest.approx(0.838875, abs=HAND)
    assert high == 1.0


def test_wilson_is_wider_at_99_8_percent():
    low95, high95 = wilson_interval(30, 50)
    low998, high998 = wilson_interval(30, 50, Z998)
    assert low998 < low95 < 0.6 < high95 < high998


def test_wilson_refuses_zero_contacts_and_impossible_counts():
    with pytest.raises(ValueError, match="zero contacts"):
        wilson_interval(0, 0)
    with pytest.raises(ValueError, match="between 0 and n=5"):
        wilson_interval(6, 5)
    with pytest.raises(ValueError, match="z must be"):
        wilson_interval(1, 5, z=math.nan)


# --- rate() --------------------------------------------------------------------------------


def test_rate_with_enough_contacts():
    r = rate(8, 10)
    assert r == Rate(value=0.8, n=10, low=r.low, high=r.high, successes=8)
    assert (r.low, r.high) == wilson_interval(8, 10)
    assert r.enough


@pytest.mark.parametrize(("successes", "n"), [(0, 0), (0, 1), (4, 4), (3, 9)])
def test_rate_below_the_minimum_keeps_the_counts_and_hides_the_rate(successes, n):
    r = rate(successes, n)
    assert r == Rate(value=None, n=n, low=None, high=None, successes=successes)
    assert not r.enough


@pytest.mark.parametrize(
    ("successes", "n", "message"),
    [
        (11, 10, "between 0 and n=10"),
        (-1, 10, "between 0 and n=10"),
        (0, -1, "cannot be negative"),
        (1, 0, "between 0 and n=0"),
    ],
)
def test_rate_refuses_impossible_counts(successes, n, message):
    with pytest.raises(ValueError, match=message):
        rate(successes, n)


@settings(max_examples=300)
@given(st.integers(MIN_SAMPLE, 10**6).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_interval_lies_in_0_1_and_contains_the_rate(counts):
    k, n = counts
    r = rate(k, n)
    assert r.value == k / n
    assert 0.0 <= r.low <= r.value <= r.high <= 1.0


@settings(max_examples=300)
@given(
    st.integers(MIN_SAMPLE, 10**6 // 4).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))
)
def test_interval_narrows_when_four_times_the_contacts_show_the_same_rate(counts):
    k, n = counts
    small, large = rate(k, n), rate(4 * k, 4 * n)
    assert small.value == large.value
    assert large.high - large.low <= small.high - small.low


# --- NPS -----------------------------------------------------------------------------------


def test_nps_worked_example():
    # 60 promoters, 25 passives, 15 detractors: n = 100, NPS = 100·(60 − 15)/100 = 45.
    # Adjusted-Wald: n' = 103, p' = 60.75/103 = 0.589806, d' = 15.75/103 = 0.152913,
    #   p' − d' = 0.436893; var = (0.742718 − 0.436893²)/103 = (0.742718 − 0.190876)/103
    #   = 0.005357697; half = 1.959964·√0.005357697 = 1.959964·0.073196 = 0.143462
    #   → 100·(0.436893 ∓ 0.143462) = (29.3431, 58.0355)
    # (Unadjusted it would be 45 ± 100·1.959964·√((0.75 − 0.45²)/100) = 45 ± 14.50.)
    score = nps(60, 25, 15)
    assert score.value == 45.0
    assert score.n == 100
    assert (score.promoters, score.passives, score.detractors) == (60, 25, 15)
    assert score.low == pytest.approx(29.3431, abs=1e-4)
    assert score.high == pytest.approx(58.0355, abs=1e-4)


def test_nps_of_only_promoters_does_not_claim_certainty():
    # n' = 13, p' = 10.75/13 = 0.826923, d' = 0.75/13 = 0.057692, p' − d' = 0.769231
    # var = (0.884615 − 0.591716)/13 = 0.022531; half = 1.959964·0.150103 = 0.294199
    # → low = 100·(0.769231 − 0.294199) = 47.5032; high 106.9 clamped to 100
    score = nps(10, 0, 0)
    assert score.value == 100.0
    assert score.low == pytest.approx(47.5032, abs=1e-3)
    assert score.high == 100.0
    mirrored = nps(0, 0, 10)
    assert (mirrored.value, mirrored.high) == (-100.0, pytest.approx(-47.5032, abs=1e-3))
    assert mirrored.low == -100.0


def test_nps_below_the_minimum_keeps_the_counts():
    assert nps(5, 2, 2) == Score(None, 9, None, None, 5, 2)
    assert nps(0, 0, 0) == Score(None, 0, None, None, 0, 0)
    assert not nps(5, 2, 2).enough


@pytest.mark.parametrize("counts", [(-1, 5, 5), (5, -1, 5), (5, 5, -1)])
def test_nps_refuses_negative_counts(counts):
    with pytest.raises(ValueError, match="cannot be negative"):
        nps(*counts)


@settings(max_examples=300)
@given(st.integers(0, 10**6), st.integers(0, 10**6), st.integers(0, 10**6))
def test_nps_interval_lies_in_range_and_contains_the_score(promoters, passives, detractors):
    score = nps(promoters, passives, detractors)
    if score.n < MIN_SAMPLE:
        assert score.value is None
        return
    assert -100.0 <= score.low <= score.value <= score.high <= 100.0


# --- p-chart -------------------------------------------------------------------------------


def test_p_chart_worked_example_with_one_week_above():
    # Σk/Σn = (35 + 52 + 46 + 42)/(50 + 80 + 50 + 70) = 175/250 = 0.7; p̄(1 − p̄) = 0.21
    # n = 50: 3·√(0.21/50) = 3·0.064807 = 0.194422 → (0.505578, 0.894422)
    # n = 80: 3·√(0.21/80) = 3·0.051235 = 0.153704 → (0.546296, 0.853704)
    # n = 70: 3·√(0.21/70) = 3·0.054772 = 0.164317 → (0.535683, 0.864317)
    # W03: 46/50 = 0.92 > 0.894422 → above; the others lie within their own limits.
    chart = p_chart(
        [("2026-W01", 35, 50), ("2026-W02", 52, 80), ("2026-W03", 46, 50), ("2026-W04", 42, 70)]
    )
    assert [p.key for p in chart] == ["2026-W01", "2026-W02", "2026-W03", "2026-W04"]
    assert [p.value for p in chart] == [0.7, 0.65, 0.92, 0.6]
    assert {p.centre for p in chart} == {0.7}
    limits = [(p.lower, p.upper) for p in chart]
    expected = [(0.505578, 0.894422), (0.546296, 0.853704), (0.505578, 0.894422)]
    expected.append((0.535683, 0.864317))
    for got, want in zip(limits, expected, strict=True):
        assert got == pytest.approx(want, abs=HAND)
    assert [p.signal for p in chart] == [None, None, "above", None]
    assert chart[2] == ControlPoint(
        "2026-W03", 46, 50, 0.92, 0.7, chart[2].lower, chart[2].upper, "above"
    )


def test_p_chart_one_week_below_and_an_empty_week():
    # Σk/Σn = (36 + 48 + 15 + 51 + 0)/(50 + 70 + 50 + 80 + 0) = 150/250 = 0.6; p̄(1 − p̄) = 0.24
    # n = 50: 3·√(0.24/50) = 3·0.069282 = 0.207846 → (0.392154, 0.807846); 15/50 = 0.3 → below
    # The empty week adds nothing to the centre and gets no value, limits or signal.
    chart = p_chart([("W1", 36, 50), ("W2", 48, 70), ("W3", 15, 50), ("W4", 51, 80), ("W5", 0, 0)])
    assert chart[2].lower == pytest.approx(0.392154, abs=HAND)
    assert chart[2].upper == pytest.approx(0.807846, abs=HAND)
    assert [p.signal for p in chart] == [None, None, "below", None, None]
    assert chart[4] == ControlPoint("W5", 0, 0, None, 0.6, None, None, None)


def test_p_chart_without_any_contact_is_all_none():
    chart = p_chart([("W1", 0, 0), ("W2", 0, 0)])
    assert chart == [
        ControlPoint("W1", 0, 0, None, None, None, None, None),
        ControlPoint("W2", 0, 0, None, None, None, None, None),
    ]
    assert p_chart([]) == []


def test_p_chart_limits_are_clamped_and_a_constant_rate_never_signals():
    # p̄ = 1: √(p̄(1 − p̄)/n) = 0, so the limits collapse onto the centre and nothing is outside.
    chart = p_chart([("W1", 20, 20), ("W2", 50, 50)])
    assert [(p.lower, p.upper, p.signal) for p in chart] == [(1.0, 1.0, None)] * 2
    # p̄ = 0.5, n = 10: 0.5 ± 3·√(0.025) = 0.5 ± 0.474342, inside [0, 1]; n = 1: clamped.
    chart = p_chart([("W1", 5, 10), ("W2", 1, 1), ("W3", 0, 1)], min_n=1)
    assert (chart[0].lower, chart[0].upper) == pytest.approx((0.025658, 0.974342), abs=HAND)
    assert (chart[1].lower, chart[1].upper) == (0.0, 1.0)
    assert [p.signal for p in chart] == [None, None, None]


def test_a_handful_of_contacts_never_signals_unless_asked():
    # p̄ = 90/103 = 0.873786; n = 3: 3·√(0.873786·0.126214/3) = 3·√0.036761 = 3·0.191732
    #   = 0.575197 → lower 0.873786 − 0.575197 = 0.298590.
    # 0/3 lies below it, but three calls are not a pattern.
    points = [("W1", 90, 100), ("W2", 0, 3)]
    quiet = p_chart(points)[1]
    assert quiet.lower == pytest.approx(0.298590, abs=HAND)
    assert quiet.signal is None
    assert p_chart(points, min_n=1)[1].signal == "below"


def test_p_chart_refuses_impossible_counts():
    with pytest.raises(ValueError, match="period 'W2'"):
        p_chart([("W1", 1, 2), ("W2", 3, 2)])
    with pytest.raises(ValueError, match="min_n"):
        p_chart([("W1", 1, 2)], min_n=0)


@settings(max_examples=200)
@given(st.lists(st.tuples(st.integers(0, 500), st.integers(0, 500)), max_size=12))
def test_p_chart_properties(pairs):
    points = [(f"W{i}", min(a, b), max(a, b)) for i, (a, b) in enumerate(pairs)]
    chart = p_chart(points, min_n=1)
    total = sum(n for _, _, n in points)
    for point in chart:
        if point.n == 0 or total == 0:
            assert (point.value, point.lower, point.upper, point.signal) == (None,) * 4
            continue
        assert point.centre == sum(k for _, k, _ in points) / total
        assert 0.0 <= point.lower <= point.centre <= point.upper <= 1.0
        outside = point.value > point.upper or point.value < point.lower
        assert (point.signal is not None) == outside


# --- explanations --------------------------------------------------------------------------


def test_explanations_are_short_and_do_not_judge():
    chart = p_chart([("W1", 35, 50), ("W2", 52, 80), ("W3", 46, 50), ("W4", 0, 0)])
    # Σk/Σn = 133/180 = 0.738889; n = 50: 3·√(0.738889·0.261111/50) = 3·0.062118 = 0.186354
    # → (0.552535, 0.925243) = "55–93%": W3 at 0.92 lies within this time.
    assert explain(chart[2]) == (
        "Within the usual range (55–93%): week-to-week ups and downs of this size are noise."
    )
    assert explain(chart[3]) == "No contacts this week."

    above = p_chart([("W1", 35, 50), ("W2", 52, 80), ("W3", 46, 50), ("W4", 42, 70)])[2]
    assert explain(above) == (
        "Above the usual range (51–89%) this week: something changed; worth a look."
    )
    below = p_chart([("W1", 36, 50), ("W2", 48, 70), ("W3", 15, 50), ("W4", 51, 80)])[2]
    assert explain(below) == (
        "Below the usual range (39–81%) this week: something changed; "
        "worth a look, not a verdict on single calls."
    )
    few = p_chart([("W1", 90, 100), ("W2", 0, 3)])[1]
    assert explain(few) == "Only 3 contacts this week: too few to tell a change from noise."
    one = p_chart([("W1", 90, 100), ("W2", 1, 1)])[1]
    assert explain(one) == "Only 1 contact this week: too few to tell a change from noise."
    assert explain(p_chart([("2026-11", 0, 0)])[0], period="month") == "No contacts this month."

    judging = ("bad", "poor", "fail", "worst", "blame", "good", "best")
    for point in (above, below, chart[2]):
        text = explain(point).lower()
        assert not any(word in text.split() for word in judging)


# --- funnel plots --------------------------------------------------------------------------


def test_funnel_limits_worked_example():
    # centre 0.7, n = 100: √(0.7·0.3/100) = √0.0021 = 0.045826
    # 95%:   1.959964·0.045826 = 0.089817 → (0.610183, 0.789817)
    # 99.8%: 3.090232·0.045826 = 0.141612 → (0.558388, 0.841612)
    limits = funnel_limits(0.7, 100)
    assert set(limits) == {"95", "99.8"}
    assert limits["95"] == pytest.approx((0.610183, 0.789817), abs=HAND)
    assert limits["99.8"] == pytest.approx((0.558388, 0.841612), abs=HAND)


def test_funnel_limits_are_clamped_and_validated():
    # centre 0.9, n = 4: 0.9 ± 1.959964·√(0.09/4) = 0.9 ± 0.293995 → high 1.193995 clamped to 1
    assert funnel_limits(0.9, 4)["95"] == pytest.approx((0.606005, 1.0), abs=HAND)
    assert funnel_limits(0.0, 50) == {"95": (0.0, 0.0), "99.8": (0.0, 0.0)}
    with pytest.raises(ValueError, match="at least one contact"):
        funnel_limits(0.7, 0)
    with pytest.raises(ValueError, match="between 0 and 1"):
        funnel_limits(1.2, 10)


@settings(max_examples=200)
@given(st.floats(0, 1), st.integers(1, 10**6))
def test_funnel_limits_narrow_as_n_grows(centre, n):
    small, large = funnel_limits(centre, n), funnel_limits(centre, 2 * n)
    for key in ("95", "99.8"):
        assert small[key][0] <= large[key][0] <= centre <= large[key][1] <= small[key][1]
    assert small["99.8"][0] <= small["95"][0] and small["95"][1] <= small["99.8"][1]


def test_funnel_curve_runs_from_1_to_n_max_and_is_monotone():
    curve = funnel_curve(0.7, 1000)
    ns = [row[0] for row in curve]
    assert ns[0] == 1 and ns[-1] == 1000
    assert ns == sorted(set(ns))
    assert len(curve) <= 50
    at_1000 = funnel_limits(0.7, 1000)
    assert curve[-1][1:] == pytest.approx((*at_1000["95"], *at_1000["99.8"]))
    for before, after in itertools.pairwise(curve):
        assert before[1] <= after[1] and before[3] <= after[3]  # lower limits rise
        assert before[2] >= after[2] and before[4] >= after[4]  # upper limits fall
    for _, low95, high95, low998, high998 in curve:
        assert 0.0 <= low998 <= low95 <= 0.7 <= high95 <= high998 <= 1.0


def test_funnel_curve_small_n_max_gives_every_n():
    assert [row[0] for row in funnel_curve(0.5, 5)] == [1, 2, 3, 4, 5]
    assert [row[0] for row in funnel_curve(0.5, 1)] == [1]
    with pytest.raises(ValueError, match="n_max"):
        funnel_curve(0.5, 0)
    with pytest.raises(ValueError, match="steps"):
        funnel_curve(0.5, 10, steps=1)


# --- formatting ----------------------------------------------------------------------------


def test_format_rate():
    assert format_rate(rate(78, 100)) == "78%"
    assert format_rate(rate(4, 4)) == "not enough contacts yet"
    assert format_rate(rate(0, 0)) == "not enough contacts yet"
    assert format_rate(rate(0, 20)) == "0%"
    assert format_rate(rate(20, 20)) == "100%"
    # 1/200 and 299/300 would round to 0% and 100%: neither is true.
    assert format_rate(rate(1, 200)) == "<1%"
    assert format_rate(rate(299, 300)) == ">99%"


def test_format_interval():
    # 50/100: (0.403832, 0.596168) → "40–60%"
    assert format_interval(rate(50, 100)) == "40–60% · n=100"
    assert format_interval(rate(4, 4)) == "n=4 (fewer than 10)"
    assert format_interval(rate(0, 0)) == "n=0 (fewer than 10)"
