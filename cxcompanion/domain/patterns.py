"""The team lead's Patterns (DESIGN §2.3): team rates across weeks and across agents, as
shapes to read (heat map, p-charts, a funnel plot, Paretos), never as a league table.

Pure: the store counts (store/patterns_queries.py), this module divides, adds intervals,
anonymises the agents and decides which agent sits outside which funnel band.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass

from cxcompanion.domain.enums import Outcome
from cxcompanion.domain.metrics import RATE_DEFINITIONS, Period
from cxcompanion.domain.statistics import (
    MIN_SAMPLE,
    ControlPoint,
    Rate,
    funnel_curve,
    funnel_limits,
    p_chart,
    rate,
)

# The team metrics of the trends and of the funnel, and which direction is the good one (a
# reader needs it: above the funnel is good for resolution and bad for repeats).
TEAM_METRICS = ("confirmed_resolution", "fcr", "repeat_rate")
FUNNEL_METRICS = {"confirmed_resolution": True, "fcr": True, "repeat_rate": False}
INSIDE, ABOVE, BELOW = "inside", "above", "below"
# Domain separation: the team secret also keys customer pseudonyms; a label digest must never
# be comparable with one of those.
_LABEL_CONTEXT = b"cxcompanion/agent-label/v1\x00"


@dataclass(frozen=True)
class TeamCounts:
    """The counts of one agent or one week (names as in WeekCounts, so RATE_DEFINITIONS
    applies): a contact counts once, in its agent's row and in its week's row."""

    key: str
    contacts: int = 0
    asked: int = 0
    confirmed: int = 0
    fcr_n: int = 0
    fcr_yes: int = 0
    repeat_n: int = 0
    repeats: int = 0
    pending: int = 0
    cancel_n: int = 0
    saved: int = 0


@dataclass(frozen=True)
class CellCounts:
    """One purpose × outcome cell; repeat_n/repeats are settled contacts, as in TeamCounts."""

    purpose: str
    outcome: str
    contacts: int
    repeat_n: int = 0
    repeats: int = 0


@dataclass(frozen=True)
class CancelCounts:
    reason: str | None  # None: intent recorded without a reason (older or imported records)
    contacts: int
    stayed: int


@dataclass(frozen=True)
class PatternCounts:
    """What the store counts for a period; every list is small (agents, weeks, cells)."""

    agents: tuple[TeamCounts, ...]
    weeks: tuple[TeamCounts, ...]
    cells: tuple[CellCounts, ...]
    cancels: tuple[CancelCounts, ...]


@dataclass(frozen=True)
class HeatCell:
    outcome: str
    count: int
    share: Rate  # of its purpose's row (value None while the row has < 10 contacts)


@dataclass(frozen=True)
class HeatRow:
    purpose: str
    contacts: int
    cells: tuple[HeatCell, ...]  # one per outcome, in `HeatMap.outcomes` order, zeros too


@dataclass(frozen=True)
class HeatMap:
    outcomes: tuple[str, ...]
    rows: tuple[HeatRow, ...]  # the busiest purpose first

    def cell(self, purpose: str, outcome: str) -> HeatCell:
        row = next(r for r in self.rows if r.purpose == purpose)
        return row.cells[self.outcomes.index(outcome)]


@dataclass(frozen=True)
class FunnelPoint:
    """One agent on the funnel: a label (anonymous unless revealed), their rate with its n,
    and where they sit against each band (None below MIN_SAMPLE: too few to place)."""

    label: str
    rate: Rate
    band_95: str | None  # "inside", "above", "below"
    band_998: str | None
    limits_95: tuple[float, float] | None  # the funnel at this agent's n (for a tooltip)
    limits_998: tuple[float, float] | None

    @property
    def n(self) -> int:
        return self.rate.n


@dataclass(frozen=True)
class FunnelPlot:
    metric: str
    higher_is_better: bool
    centre: float | None  # the team's rate p̄ = Σ successes / Σ n; None with no contacts
    successes: int
    n: int
    points: tuple[FunnelPoint, ...]  # in label order, never in rate order
    # (n, low95, high95, low998, high998), for drawing; empty without a centre
    curve: tuple[tuple[int, float, float, float, float], ...]
    revealed: bool


@dataclass(frozen=True)
class PurposeRepeats:
    purpose: str
    repeats: int
    rate: Rate  # repeats / settled contacts with a customer reference about this purpose


@dataclass(frozen=True)
class CancelReason:
    reason: str | None
    count: int
    share: float  # of all cancellation-intent contacts
    cumulative_share: float  # this reason and every more frequent one
    stayed: int
    save_rate: Rate  # stayed / count


@dataclass(frozen=True)
class Patterns:
    period: Period
    agent: str | None  # the filters the counts were made with
    channel: str | None
    totals: TeamCounts
    rates: dict[str, Rate]  # the team's TEAM_METRICS and save_rate over the period
    weekly: tuple[TeamCounts, ...]  # every week of the period, empty ones too
    trends: dict[str, list[ControlPoint]]  # TEAM_METRICS, p-chart per week
    heat_map: HeatMap
    funnel: FunnelPlot
    repeats_by_purpose: tuple[PurposeRepeats, ...]
    cancel_reasons: tuple[CancelReason, ...]


def _sum(key: str, rows: Sequence[TeamCounts]) -> TeamCounts:
    columns = [c for c in TeamCounts.__dataclass_fields__ if c != "key"]
    return TeamCounts(key, **{c: sum(getattr(r, c) for r in rows) for c in columns})


def _rate_of(counts: TeamCounts, metric: str) -> Rate:
    numerator, denominator = RATE_DEFINITIONS[metric]
    return rate(getattr(counts, numerator), getattr(counts, denominator))


def heat_map(cells: Sequence[CellCounts]) -> HeatMap:
    """Purpose × outcome counts and each cell's share of its purpose's row."""
    known = [o.value for o in Outcome]
    outcomes = tuple(known + sorted({c.outcome for c in cells} - set(known)))
    by_purpose: dict[str, dict[str, int]] = {}
    for cell in cells:
        row = by_purpose.setdefault(cell.purpose, {})
        row[cell.outcome] = row.get(cell.outcome, 0) + cell.contacts
    rows = []
    for purpose, counts in by_purpose.items():
        total = sum(counts.values())
        rows.append(
            HeatRow(
                purpose,
                total,
                tuple(
                    HeatCell(o, counts.get(o, 0), rate(counts.get(o, 0), total)) for o in outcomes
                ),
            )
        )
    rows.sort(key=lambda r: (-r.contacts, r.purpose))
    return HeatMap(outcomes, tuple(rows))


def repeats_by_purpose(cells: Sequence[CellCounts]) -> tuple[PurposeRepeats, ...]:
    """Purposes by their number of repeat contacts, most first; purposes without a settled
    contact with a customer reference are left out (no rate to show)."""
    totals: dict[str, list[int]] = {}
    for cell in cells:
        pair = totals.setdefault(cell.purpose, [0, 0])
        pair[0] += cell.repeats
        pair[1] += cell.repeat_n
    found = [PurposeRepeats(p, k, rate(k, n)) for p, (k, n) in totals.items() if n]
    # Ties: the larger denominator first (the steadier rate), then the code, never chance.
    return tuple(sorted(found, key=lambda p: (-p.repeats, -p.rate.n, p.purpose)))


def cancel_pareto(cancels: Sequence[CancelCounts]) -> tuple[CancelReason, ...]:
    """Cancellation reasons, most frequent first, with the cumulative share of a Pareto."""
    merged: dict[str | None, list[int]] = {}
    for c in cancels:
        pair = merged.setdefault(c.reason, [0, 0])
        pair[0] += c.contacts
        pair[1] += c.stayed
    total = sum(count for count, _ in merged.values())
    ordered = sorted(merged.items(), key=lambda item: (-item[1][0], item[0] is None, item[0] or ""))
    reasons, running = [], 0
    for reason, (count, stayed) in ordered:
        if not count:
            continue
        running += count
        reasons.append(
            CancelReason(reason, count, count / total, running / total, stayed, rate(stayed, count))
        )
    return tuple(reasons)


def _letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (spreadsheet columns): as many labels as agents."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def anonymous_labels(names: Sequence[str], salt: bytes) -> dict[str, str]:
    """ "Agent A", "Agent B", … for `names`, in the order of a keyed hash of each name.

    The order depends on the names and the team's salt only, never on a rate or a volume,
    so a label says nothing about rank; the same team and the same agents give the same
    labels every time. Without the salt a label cannot be traced back by hashing the roster.
    A label that happens to be someone's real name is skipped.
    """
    if not salt:
        raise ValueError("anonymous labels need a non-empty team salt")
    unique = sorted(set(names))
    ordered = sorted(
        unique,
        key=lambda name: hmac.new(salt, _LABEL_CONTEXT + name.encode(), hashlib.sha256).digest(),
    )
    real = set(unique)
    labels: dict[str, str] = {}
    index = 0
    for name in ordered:
        label = f"Agent {_letters(index)}"
        while label in real:
            index += 1
            label = f"Agent {_letters(index)}"
        labels[name] = label
        index += 1
    return labels


def _band(value: float, limits: tuple[float, float]) -> str:
    low, high = limits
    if value > high:
        return ABOVE
    if value < low:
        return BELOW
    return INSIDE  # on a limit is inside: a limit is where chance still reaches


def funnel_plot(
    metric: str,
    agents: Sequence[TeamCounts],
    *,
    salt: bytes,
    reveal: bool = False,
    steps: int = 50,
) -> FunnelPlot:
    """Each agent's rate against their volume n, around the team's rate p̄ with the 95% and
    99.8% limits p̄ ± z·√(p̄(1−p̄)/n) (clipped to [0, 1]); agents anonymised unless `reveal`.

    Agents with no contact counting for the metric are left out; those with fewer than
    MIN_SAMPLE are placed in no band. p̄ counts every agent's contacts, small ones too.
    """
    if metric not in FUNNEL_METRICS:
        raise ValueError(f"the funnel compares one of {', '.join(FUNNEL_METRICS)}, not {metric!r}")
    numerator, denominator = RATE_DEFINITIONS[metric]
    counted = [a for a in agents if getattr(a, denominator) > 0]
    successes = sum(getattr(a, numerator) for a in counted)
    n = sum(getattr(a, denominator) for a in counted)
    centre = successes / n if n else None
    labels = (
        {a.key: a.key for a in counted}
        if reveal
        else anonymous_labels([a.key for a in counted], salt)
    )
    points = []
    for agent in counted:
        agent_rate = _rate_of(agent, metric)
        band_95 = band_998 = None
        limits = funnel_limits(centre, agent_rate.n) if centre is not None else None
        if limits is not None and agent_rate.n >= MIN_SAMPLE:
            value = agent_rate.successes / agent_rate.n
            band_95, band_998 = _band(value, limits["95"]), _band(value, limits["99.8"])
        points.append(
            FunnelPoint(
                labels[agent.key],
                agent_rate,
                band_95,
                band_998,
                limits["95"] if limits else None,
                limits["99.8"] if limits else None,
            )
        )
    if reveal:
        points.sort(key=lambda p: p.label)
    else:  # "Agent B" before "Agent AA": by length, then alphabet
        points.sort(key=lambda p: (len(p.label), p.label))
    curve = ()
    if centre is not None:
        curve = tuple(funnel_curve(centre, max(p.n for p in points), steps))
    return FunnelPlot(
        metric=metric,
        higher_is_better=FUNNEL_METRICS[metric],
        centre=centre,
        successes=successes,
        n=n,
        points=tuple(points),
        curve=curve,
        revealed=reveal,
    )


def build_patterns(
    period: Period,
    counts: PatternCounts,
    *,
    metric: str = "confirmed_resolution",
    salt: bytes,
    reveal: bool = False,
    agent: str | None = None,
    channel: str | None = None,
) -> Patterns:
    """Everything the Patterns page shows, from the store's counts of a period."""
    by_week = {w.key: w for w in counts.weeks}
    weekly = tuple(by_week.get(key, TeamCounts(key)) for key in period.week_keys)
    totals = _sum("total", weekly)
    rates = {key: _rate_of(totals, key) for key in (*TEAM_METRICS, "save_rate")}
    trends = {}
    for key in TEAM_METRICS:
        numerator, denominator = RATE_DEFINITIONS[key]
        trends[key] = p_chart(
            [(w.key, getattr(w, numerator), getattr(w, denominator)) for w in weekly]
        )
    return Patterns(
        period=period,
        agent=agent,
        channel=channel,
        totals=totals,
        rates=rates,
        weekly=weekly,
        trends=trends,
        heat_map=heat_map(counts.cells),
        funnel=funnel_plot(metric, counts.agents, salt=salt, reveal=reveal),
        repeats_by_purpose=repeats_by_purpose(counts.cells),
        cancel_reasons=cancel_pareto(counts.cancels),
    )
