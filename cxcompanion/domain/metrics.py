"""The agent's quality metrics of DESIGN §3 (never timed), from counts to rates with intervals.

The store counts (SQL aggregates, see store/metrics_queries.py); this module holds the
definitions of what is divided by what, the weekly trends and the JSON shape of DESIGN §7.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from cxcompanion.domain.statistics import ControlPoint, Rate, Score, nps, p_chart, rate

METRIC_KEYS = (
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
)
COUNT_KEYS = ("ideas_captured", "ideas_adopted")
DEFAULT_REPEAT_WINDOW_DAYS = 7


@dataclass(frozen=True)
class WeekCounts:
    """Numerators and denominators of one week (or, summed, of a whole period)."""

    week: str  # Monday of the local ISO week, YYYY-MM-DD
    contacts: int = 0
    asked: int = 0  # verdict asked: yes, no or unsure
    confirmed: int = 0  # the customer said yes
    fcr_n: int = 0  # asked, and the repeat window has passed
    fcr_yes: int = 0  # ...and yes, no earlier contact reported or seen, none later
    repeat_n: int = 0  # with a customer reference, window passed
    repeats: int = 0  # ...followed by a contact about the same purpose within the window
    mood_n: int = 0  # mood recorded at start and end
    mood_up: int = 0  # ...and better at the end
    cancel_n: int = 0  # the customer wanted to cancel
    saved: int = 0  # ...and stayed
    pending: int = 0  # too young to know whether the customer comes back
    ideas: int = 0

    def __add__(self, other: WeekCounts) -> WeekCounts:
        values = {
            f.name: getattr(self, f.name) + getattr(other, f.name)
            for f in fields(self)
            if f.name != "week"
        }
        return WeekCounts(self.week, **values)


@dataclass(frozen=True)
class PurposeCounts:
    purpose: str
    asked: int
    confirmed: int


@dataclass(frozen=True)
class SurveyCounts:
    """The survey answers of a period's contacts, per scale: an answer may give either."""

    csat_n: int = 0  # answers with a CSAT of 1–5
    csat_top: int = 0  # ...of 4 or 5 (top-two-box)
    promoters: int = 0  # NPS answers of 9–10
    passives: int = 0  # 7–8
    detractors: int = 0  # 0–6

    @property
    def nps_n(self) -> int:
        return self.promoters + self.passives + self.detractors


@dataclass(frozen=True)
class PurposeRate:
    purpose: str
    rate: Rate


@dataclass(frozen=True)
class Period:
    weeks: int
    start: str  # first day, local date
    end: str  # last moment, UTC ISO
    repeat_window_days: int
    week_keys: tuple[str, ...]  # every week of the period, oldest first, empty ones too


# How each rate is made from the counts: (numerator, denominator).
RATE_DEFINITIONS = {
    "confirmed_resolution": ("confirmed", "asked"),
    "fcr": ("fcr_yes", "fcr_n"),
    "repeat_rate": ("repeats", "repeat_n"),
    "save_rate": ("saved", "cancel_n"),
    "mood_lift": ("mood_up", "mood_n"),
}
TREND_KEYS = ("confirmed_resolution", "fcr", "repeat_rate", "mood_lift")


@dataclass(frozen=True)
class Feedback:
    period: Period
    totals: WeekCounts
    weekly: tuple[WeekCounts, ...]
    rates: dict[str, Rate]
    csat: Rate | None
    nps: Score | None
    quality: dict[str, Rate | None]
    ideas_captured: int
    ideas_adopted: int
    trends: dict[str, list[ControlPoint]]
    by_purpose: tuple[PurposeRate, ...] = field(default=())

    def metric(self, key: str) -> Rate | Score | int | None:
        if key in self.rates:
            return self.rates[key]
        return {
            "csat": self.csat,
            "nps": self.nps,
            "quality_technical": self.quality.get("technical"),
            "quality_emotional": self.quality.get("emotional"),
            "ideas_captured": self.ideas_captured,
            "ideas_adopted": self.ideas_adopted,
        }[key]

    def confirmed_most(self, count: int = 3) -> list[PurposeRate]:
        ranked = [p for p in self.by_purpose if p.rate.value is not None]
        return sorted(ranked, key=lambda p: (-p.rate.value, -p.rate.n, p.purpose))[:count]

    def confirmed_least(self, count: int = 3) -> list[PurposeRate]:
        ranked = [p for p in self.by_purpose if p.rate.value is not None]
        return sorted(ranked, key=lambda p: (p.rate.value, -p.rate.n, p.purpose))[:count]


def build_feedback(
    period: Period,
    weekly: list[WeekCounts],
    purposes: list[PurposeCounts] = (),
    *,
    surveys: SurveyCounts | None = None,
    quality: dict[str, Rate | None] | None = None,
    ideas_adopted: int = 0,
) -> Feedback:
    """Rates, intervals and weekly control charts from the counts of a period.

    CSAT and NPS are None while no answer gives them (the page shows "no survey answers
    yet"); evaluations (quality) arrive with a later feature and are None until then ("no
    evaluations yet"). Below MIN_SAMPLE answers, their value is None but n stays.
    """
    surveys = surveys or SurveyCounts()
    csat = rate(surveys.csat_top, surveys.csat_n) if surveys.csat_n else None
    score = nps(surveys.promoters, surveys.passives, surveys.detractors) if surveys.nps_n else None
    by_week = {w.week: w for w in weekly}
    all_weeks = tuple(by_week.get(key, WeekCounts(key)) for key in period.week_keys)
    totals = WeekCounts("total")
    for week in all_weeks:
        totals = totals + week
    rates = {
        key: rate(getattr(totals, num), getattr(totals, den))
        for key, (num, den) in RATE_DEFINITIONS.items()
    }
    trends = {}
    for key in TREND_KEYS:
        num, den = RATE_DEFINITIONS[key]
        trends[key] = p_chart([(w.week, getattr(w, num), getattr(w, den)) for w in all_weeks])
    by_purpose = tuple(
        PurposeRate(p.purpose, rate(p.confirmed, p.asked)) for p in purposes if p.asked
    )
    return Feedback(
        period=period,
        totals=totals,
        weekly=all_weeks,
        rates=rates,
        csat=csat,
        nps=score,
        quality=quality or {"technical": None, "emotional": None},
        ideas_captured=totals.ideas,
        ideas_adopted=ideas_adopted,
        trends=trends,
        by_purpose=by_purpose,
    )


def to_json(feedback: Feedback, taxonomy_label=None) -> dict[str, Any]:
    """The shape of DESIGN §7: rates carry value, n, low, high (value null when n < 10);
    counts carry value only and are never null."""
    metrics: dict[str, Any] = {}
    for key in METRIC_KEYS:
        value = feedback.metric(key)
        if key in COUNT_KEYS:
            metrics[key] = {"value": int(value or 0)}
        elif value is None:
            metrics[key] = {"value": None, "n": 0, "low": None, "high": None}
        else:
            metrics[key] = {
                "value": _round(value.value),
                "n": value.n,
                "low": _round(value.low),
                "high": _round(value.high),
            }
    period = feedback.period
    return {
        "period": {
            "weeks": period.weeks,
            "start": period.start,
            "end": period.end,
            "repeat_window_days": period.repeat_window_days,
            "contacts": feedback.totals.contacts,
            "pending": feedback.totals.pending,
        },
        "metrics": metrics,
        "weekly": [
            {
                "week": w.week,
                "contacts": w.contacts,
                **{
                    key: {
                        "value": _round(point.value),
                        "n": point.n,
                        "lower": _round(point.lower),
                        "upper": _round(point.upper),
                        "signal": point.signal,
                    }
                    for key in TREND_KEYS
                    for point in [_point(feedback.trends[key], w.week)]
                },
            }
            for w in feedback.weekly
        ],
        "by_purpose": [
            {
                "purpose": p.purpose,
                **({"label": taxonomy_label(p.purpose)} if taxonomy_label else {}),
                "value": _round(p.rate.value),
                "n": p.rate.n,
                "low": _round(p.rate.low),
                "high": _round(p.rate.high),
            }
            for p in sorted(feedback.by_purpose, key=lambda p: (-p.rate.n, p.purpose))
        ],
    }


def _point(points: list[ControlPoint], week: str) -> ControlPoint:
    return next(p for p in points if p.key == week)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def quality_rate(earned: int, possible: int, evaluations: int) -> Rate | None:
    """Scorecard points earned / possible, over `evaluations` evaluations (None: none yet).

    The interval treats each evaluation as one observation of the share (a Wilson interval
    on the evaluations, not on the points, which are not independent within a contact), so
    it narrows with more evaluated contacts, not with more criteria.
    """
    if evaluations == 0 or possible == 0:
        return None
    share = earned / possible
    scaled = rate(round(share * evaluations), evaluations)
    if scaled.value is None:
        return Rate(value=None, n=evaluations, low=None, high=None, successes=earned)
    return Rate(value=share, n=evaluations, low=min(scaled.low, share),
                high=max(scaled.high, share), successes=earned)  # fmt: skip
