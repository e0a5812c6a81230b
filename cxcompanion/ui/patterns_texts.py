"""The words of the Patterns page: rates with their n, the funnel's findings and the trend's
note, in neutral language (a point outside the range is a reason to look, never a verdict).

No widgets and no pyqtgraph here, so the page and the charts share one wording.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication

from cxcompanion.domain.metric_texts import LABELS
from cxcompanion.domain.patterns import ABOVE, BELOW, FunnelPlot, FunnelPoint
from cxcompanion.domain.statistics import MIN_SAMPLE, ControlPoint, Rate

_CONTEXT = "PatternsPage"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


def fill(template: str, *values: object) -> str:
    """Qt's "%1 %2" placeholders, filled after translation (the order may change in a
    translation, which f-strings would not allow)."""
    for position, value in enumerate(values, 1):
        template = template.replace(f"%{position}", str(value))
    return template


def week_label(monday: str) -> str:
    """ "2026-11-02" → "2 Nov": the Monday a week starts on."""
    _year, month, day = monday.split("-")
    return f"{int(day)} {_MONTHS[int(month) - 1]}"


def percent(x: float) -> str:
    return f"{x:.0%}"


def rate_text(r: Rate) -> str:
    """ "61% (58–64% · n=1040)", or how many contacts there are so far."""
    if r.value is None or r.low is None or r.high is None:
        return fill(tr("not enough contacts yet (n=%1 of %2 needed)"), r.n, MIN_SAMPLE)
    return f"{percent(r.value)} ({percent(r.low)}–{percent(r.high)} · n={r.n})"


def metric_label(metric: str) -> str:
    return tr(LABELS[metric])


def _finding(point: FunnelPoint, label: str, funnel: FunnelPlot) -> str:
    good = (point.band_998 == ABOVE) == funnel.higher_is_better
    if funnel.metric == "repeat_rate":
        where = (
            tr("more repeat contacts than the usual range")
            if point.band_998 == ABOVE
            else tr("fewer repeat contacts than the usual range")
        )
    else:
        where = (
            tr("above the usual range") if point.band_998 == ABOVE else tr("below the usual range")
        )
    advice = tr("worth learning from") if good else tr("worth a conversation")
    value = point.rate.successes / point.n
    low, high = point.limits_998 or (0.0, 1.0)
    numbers = fill(
        tr("%1 of %2 contacts; the usual range at that volume is %3–%4"),
        percent(value),
        point.n,
        percent(low),
        percent(high),
    )
    return f"{label}: {where} — {advice} ({numbers})"


def funnel_findings(funnel: FunnelPlot, labels: Mapping[str, str]) -> list[str]:
    """One line per agent outside the 99.8% limits, in label order (never by rate), then one
    line for those outside only the 95% limits; `labels` maps the points' names to what is
    shown (anonymous labels or the names themselves)."""
    if funnel.centre is None:
        return [tr("No contacts count for this rate yet, so there is nothing to compare.")]
    outside = [p for p in funnel.points if p.band_998 in (ABOVE, BELOW)]
    lines = [_finding(p, labels.get(p.label, p.label), funnel) for p in outside]
    if not outside:
        lines.append(
            tr(
                "Every agent is within the usual range (the 99.8% limits): the differences "
                "between agents are the size chance alone would give."
            )
        )
    edge = [
        labels.get(p.label, p.label)
        for p in funnel.points
        if p.band_95 in (ABOVE, BELOW) and p.band_998 not in (ABOVE, BELOW)
    ]
    if edge:
        lines.append(
            fill(
                tr(
                    "Between the 95% and the 99.8% limits: %1. About one agent in twenty "
                    "lands there by chance; worth watching over the next weeks, no more."
                ),
                ", ".join(edge),
            )
        )
    small = [labels.get(p.label, p.label) for p in funnel.points if p.band_998 is None]
    if small:
        lines.append(
            fill(
                tr("Too few contacts to place yet (fewer than %1): %2."),
                MIN_SAMPLE,
                ", ".join(small),
            )
        )
    return lines


def trend_note(points: list[ControlPoint]) -> str:
    outside = [p for p in points if p.signal]
    if not any(p.value is not None for p in points):
        return tr("No contacts count for this rate in these weeks yet.")
    small = sum(1 for p in points if p.value is not None and p.n < MIN_SAMPLE)
    few = (
        " "
        + fill(
            tr("%1 of these weeks had fewer than %2 contacts: too few to show a change."),
            small,
            MIN_SAMPLE,
        )
        if small
        else ""
    )
    if not outside:
        return (
            tr(
                "Every week sits within the usual range (the shaded band): the ups and downs "
                "are noise, not a change. Hover a point for its numbers."
            )
            + few
        )
    weeks = ", ".join(
        fill(
            tr("%1 (%2 above)") if p.signal == ABOVE else tr("%1 (%2 below)"),
            week_label(p.key),
            "▲" if p.signal == ABOVE else "▼",
        )
        for p in outside
    )
    return (
        fill(
            tr(
                "Outside the usual range (the shaded band): %1. Something changed in those weeks "
                "for the whole team; the rest is week-to-week noise. Hover a point for its numbers."
            ),
            weeks,
        )
        + few
    )
