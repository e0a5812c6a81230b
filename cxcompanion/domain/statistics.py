"""Rates with their uncertainty, NPS intervals, p-chart and funnel-plot limits (DESIGN §2.3).
Pure arithmetic on counts: the same functions serve an agent's own page and the team views.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "MIN_SAMPLE",
    "Z95",
    "Z998",
    "ControlPoint",
    "Rate",
    "Score",
    "explain",
    "format_interval",
    "format_rate",
    "funnel_curve",
    "funnel_limits",
    "nps",
    "p_chart",
    "rate",
    "wilson_interval",
]

# Two-sided normal quantiles, to full float precision so hand-checked values match.
Z95 = 1.959963984540054
Z998 = 3.090232306167813
# Below this many contacts a rate says more about luck than about the service (DESIGN §2.3).
MIN_SAMPLE = 10

# Adjusted-Wald for NPS (Rocks 2016, The American Statistician 70(4); confirmed on real data
# by Sauro & Lewis, MeasuringU 2021): add 3/4 promoter, 3/4 detractor and 3/2 passive.
_NPS_ADD_EACH = 0.75
_NPS_ADD_TOTAL = 3


@dataclass(frozen=True)
class Rate:
    """A share of contacts (0..1) with its Wilson interval; value/low/high None when n is small."""

    value: float | None
    n: int
    low: float | None
    high: float | None
    successes: int

    @property
    def enough(self) -> bool:
        return self.n >= MIN_SAMPLE


@dataclass(frozen=True)
class Score:
    """A Net Promoter Score (−100..100) with its interval; value/low/high None when n is small."""

    value: float | None
    n: int
    low: float | None
    high: float | None
    promoters: int
    detractors: int

    @property
    def passives(self) -> int:
        return self.n - self.promoters - self.detractors

    @property
    def enough(self) -> bool:
        return self.n >= MIN_SAMPLE


@dataclass(frozen=True)
class ControlPoint:
    """One period of a p-chart: its rate, the centre line, its own limits and any signal."""

    key: str
    successes: int
    n: int
    value: float | None
    centre: float | None
    lower: float | None
    upper: float | None
    signal: str | None  # "above", "below" or None


def _check_counts(successes: int, n: int) -> None:
    if n < 0:
        raise ValueError(f"the number of contacts cannot be negative (got n={n})")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be between 0 and n={n} (got {successes})")


def _check_z(z: float) -> None:
    # A NaN z would silently turn every bound into NaN, and NaN compares false everywhere.
    if not (math.isfinite(z) and z >= 0):
        raise ValueError(f"z must be a finite number >= 0 (got {z})")


def _check_centre(centre: float) -> None:
    if not (math.isfinite(centre) and 0 <= centre <= 1):
        raise ValueError(f"the centre must be a proportion between 0 and 1 (got {centre})")


def _clamp(x: float, low: float, high: float) -> float:
    return min(high, max(low, x))


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for successes/n, within [0, 1] and always around successes/n."""
    _check_counts(successes, n)
    _check_z(z)
    if n == 0:
        raise ValueError("a rate over zero contacts has no interval")
    # Wilson rather than the textbook p ± z·√(p(1−p)/n): it keeps its coverage near 0% and
    # 100%, where the textbook interval collapses to a point and claims a certainty it lacks.
    z2 = z * z
    denominator = n + z2
    middle = (successes + z2 / 2) / denominator
    half = z * math.sqrt(successes * (n - successes) / n + z2 / 4) / denominator
    low = _clamp(middle - half, 0.0, 1.0)
    high = _clamp(middle + half, 0.0, 1.0)
    # The exact bounds at 0/n and n/n are 0 and 1; rounding may miss them by an ulp.
    if successes == 0:
        low = 0.0
    if successes == n:
        high = 1.0
    p = successes / n
    return min(low, p), max(high, p)


def rate(successes: int, n: int, *, z: float = Z95) -> Rate:
    """successes/n with its Wilson interval, or only the counts when n < MIN_SAMPLE."""
    _check_counts(successes, n)
    _check_z(z)
    if n < MIN_SAMPLE:
        # The counts stay so the page can say how many contacts there are so far.
        return Rate(value=None, n=n, low=None, high=None, successes=successes)
    low, high = wilson_interval(successes, n, z)
    return Rate(value=successes / n, n=n, low=low, high=high, successes=successes)


def nps(promoters: int, passives: int, detractors: int, *, z: float = Z95) -> Score:
    """NPS = 100·(P − D)/n with an adjusted-Wald interval, or only the counts when n is small."""
    for name, count in (
        ("promoters", promoters),
        ("passives", passives),
        ("detractors", detractors),
    ):
        if count < 0:
            raise ValueError(f"{name} cannot be negative (got {count})")
    _check_z(z)
    n = promoters + passives + detractors
    if n < MIN_SAMPLE:
        return Score(None, n, None, None, promoters, detractors)
    value = 100 * (promoters - detractors) / n
    # The variance of a difference of two multinomial shares, var = (p + d − (p − d)²)/n, on
    # counts nudged by the adjusted-Wald constants. Unadjusted, a sample of only promoters has
    # var = 0 and the interval [100, 100] would claim certainty from ten answers; adjusted,
    # ten promoters give about [47, 100]. Large samples barely move (60/25/15: ±14.3 vs ±14.5).
    n_adj = n + _NPS_ADD_TOTAL
    p = (promoters + _NPS_ADD_EACH) / n_adj
    d = (detractors + _NPS_ADD_EACH) / n_adj
    half = z * math.sqrt(max(0.0, p + d - (p - d) ** 2) / n_adj)
    low = _clamp(100 * (p - d - half), -100.0, 100.0)
    high = _clamp(100 * (p - d + half), -100.0, 100.0)
    # The adjusted middle is pulled a little towards 0; the shown score must stay inside.
    return Score(value, n, min(low, value), max(high, value), promoters, detractors)


def _limits(centre: float, n: int, z: float) -> tuple[float, float]:
    # Limits of a binomial share around a known centre: what n contacts would show by chance.
    half = z * math.sqrt(centre * (1 - centre) / n)
    return _clamp(centre - half, 0.0, 1.0), _clamp(centre + half, 0.0, 1.0)


def p_chart(
    points: Sequence[tuple[str, int, int]],
    *,
    sigmas: float = 3.0,
    min_n: int = MIN_SAMPLE,
) -> list[ControlPoint]:
    """A p-chart of (key, successes, n) periods, in the order given.

    The centre line is Σsuccesses/Σn; each period gets its own limits from its own n, so a
    quiet week has wide limits and a busy one narrow limits. A period outside its limits is a
    signal only when it has at least `min_n` contacts: the normal limits are too loose an
    approximation below that, and a single call must never raise a signal (DESIGN §2.3).
    Pass min_n=1 for the textbook chart.
    """
    _check_z(sigmas)
    if min_n < 1:
        raise ValueError(f"min_n must be at least 1 (got {min_n})")
    for key, successes, n in points:
        try:
            _check_counts(successes, n)
        except ValueError as error:
            raise ValueError(f"period {key!r}: {error}") from None
    total_n = sum(n for _, _, n in points)
    centre = sum(k for _, k, _ in points) / total_n if total_n else None

    chart = []
    for key, successes, n in points:
        if n == 0 or centre is None:
            chart.append(ControlPoint(key, successes, n, None, centre, None, None, None))
            continue
        value = successes / n
        lower, upper = _limits(centre, n, sigmas)
        signal = None
        if n >= min_n:
            if value > upper:
                signal = "above"
            elif value < lower:
                signal = "below"
        chart.append(ControlPoint(key, successes, n, value, centre, lower, upper, signal))
    return chart


def _pct(x: float) -> str:
    return f"{x * 100:.0f}"


def explain(point: ControlPoint, *, period: str = "week") -> str:
    """One short, non-judgemental sentence about a p-chart point, for a tooltip."""
    if point.value is None or point.lower is None or point.upper is None:
        return f"No contacts this {period}."
    band = f"({_pct(point.lower)}–{_pct(point.upper)}%)"
    if point.signal == "above":
        return f"Above the usual range {band} this {period}: something changed; worth a look."
    if point.signal == "below":
        return (
            f"Below the usual range {band} this {period}: something changed; "
            "worth a look, not a verdict on single calls."
        )
    if point.n < MIN_SAMPLE:
        # Without a signal, a small period may still sit outside its loose limits: say why.
        contacts = "contact" if point.n == 1 else "contacts"
        return f"Only {point.n} {contacts} this {period}: too few to tell a change from noise."
    return (
        f"Within the usual range {band}: {period}-to-{period} ups and downs of this size are noise."
    )


def funnel_limits(centre: float, n: int) -> dict[str, tuple[float, float]]:
    """The 95% and 99.8% funnel-plot limits around `centre` for a unit with n contacts."""
    _check_centre(centre)
    if n < 1:
        raise ValueError(f"funnel limits need at least one contact (got n={n})")
    return {"95": _limits(centre, n, Z95), "99.8": _limits(centre, n, Z998)}


def funnel_curve(
    centre: float, n_max: int, steps: int = 50
) -> list[tuple[int, float, float, float, float]]:
    """(n, low95, high95, low998, high998) from n = 1 to n_max, for drawing the funnel."""
    _check_centre(centre)
    if n_max < 1:
        raise ValueError(f"n_max must be at least 1 (got {n_max})")
    if steps < 2:
        raise ValueError(f"steps must be at least 2 (got {steps})")
    # Geometric spacing: the funnel bends sharply at small n and is nearly flat at large n, so
    # evenly spaced n would draw a jagged mouth and waste points on the flat part.
    ns = sorted({round(n_max ** (i / (steps - 1))) for i in range(steps)} | {1, n_max})
    curve = []
    for n in ns:
        limits = funnel_limits(centre, n)
        curve.append((n, *limits["95"], *limits["99.8"]))
    return curve


def _pct_value(x: float) -> str:
    # Never show 0% or 100% unless it is: one unhappy customer in 300 still counts.
    shown = _pct(x)
    if shown == "0" and x > 0:
        return "<1%"
    if shown == "100" and x < 1:
        return ">99%"
    return f"{shown}%"


def format_rate(r: Rate) -> str:
    """ "78%", or "not enough contacts yet" below MIN_SAMPLE."""
    if r.value is None:
        return "not enough contacts yet"
    return _pct_value(r.value)


def format_interval(r: Rate) -> str:
    """ "71–84% · n=212", or "n=4 (fewer than 10)" below MIN_SAMPLE."""
    if r.low is None or r.high is None:
        return f"n={r.n} (fewer than {MIN_SAMPLE})"
    return f"{_pct(r.low)}–{_pct(r.high)}% · n={r.n}"
