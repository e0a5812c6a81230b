"""What each metric is called and how it is computed, in words an agent reads at a glance.

Shared by the My feedback page (tiles, "how is this computed?") and `cxcompanion feedback`.
"""

from __future__ import annotations

from cxcompanion.domain.metrics import METRIC_KEYS, Feedback
from cxcompanion.domain.statistics import MIN_SAMPLE, Rate, Score
from cxcompanion.domain.taxonomy import Taxonomy

LABELS = {
    "confirmed_resolution": "Customer-confirmed resolution",
    "fcr": "First-contact resolution",
    "repeat_rate": "Repeat contacts",
    "csat": "CSAT (4–5 of 5)",
    "nps": "NPS",
    "quality_technical": "Quality: technical",
    "quality_emotional": "Quality: emotional connection",
    "ideas_captured": "Ideas captured",
    "ideas_adopted": "Ideas adopted",
    "save_rate": "Customers who stayed",
    "mood_lift": "Mood lift",
}

EXPLANATIONS = {
    "confirmed_resolution": (
        "Contacts where the customer said yes to “did we take care of what you needed?”, "
        "out of those where you asked (yes, no or unsure); their survey answer to “was your "
        "need met?” counts as their verdict. “Didn't ask” is left out."
    ),
    "fcr": (
        "Contacts the customer confirmed (a survey answer counts as their verdict), with no "
        "earlier contact about the same need (as they told you, and as the team's records "
        "show on any channel) and no contact back about the same purpose within {window} "
        "days; out of all contacts with an asked verdict. Contacts younger than {window} days "
        "are pending and left out."
    ),
    "repeat_rate": (
        "Contacts after which the same customer came back about the same purpose within "
        "{window} days, on any channel, out of contacts with a customer reference. Lower is "
        "better for the customer. Contacts younger than {window} days are pending."
    ),
    "csat": "Survey answers of 4 or 5 on the 1–5 scale, out of all answers.",
    "nps": "Promoters (9–10) minus detractors (0–6), in percent of all answers: −100 to 100.",
    "quality_technical": (
        "Scorecard points earned on technical criteria out of points possible (N/A left out)."
    ),
    "quality_emotional": (
        "Scorecard points earned on emotional-connection criteria out of points possible."
    ),
    "ideas_captured": "Customer ideas you logged in this period.",
    "ideas_adopted": "Ideas of yours the team decided to adopt.",
    "save_rate": "Of the customers who wanted to cancel, the share who stayed.",
    "mood_lift": (
        "Contacts where the customer's mood was better at the end than at the start, out of "
        "contacts with both recorded."
    ),
}

EMPTY = {
    "csat": "no survey answers yet",
    "nps": "no survey answers yet",
    "quality_technical": "no evaluations yet",
    "quality_emotional": "no evaluations yet",
}
INTERVAL_NOTE = (
    "The range is a 95% interval: with this many contacts (or survey answers), the true rate "
    f"most likely lies within it. Rates over fewer than {MIN_SAMPLE} are not shown."
)


def explanation(key: str, window_days: int) -> str:
    return EXPLANATIONS[key].format(window=window_days)


def value_text(key: str, metric: Rate | Score | int | None) -> str:
    """The headline: "78%", "+45", "14", "not enough contacts yet", "no survey answers yet"."""
    if isinstance(metric, int):
        return str(metric)
    if metric is None:
        return EMPTY.get(key, "nothing yet")
    if metric.value is None:
        if key == "save_rate" and isinstance(metric, Rate) and metric.n:
            # Too few for a rate, but how many stayed is worth knowing: a count, not a rate.
            return f"{metric.successes} of {metric.n} stayed"
        if key in ("quality_technical", "quality_emotional"):
            return "not enough evaluations yet"
        return "not enough answers yet" if key in ("csat", "nps") else "not enough contacts yet"
    if isinstance(metric, Score):
        return f"{metric.value:+.0f}"
    return f"{metric.value:.0%}"


def detail_text(key: str, metric: Rate | Score | int | None) -> str:
    """The line under the headline: "71–84% · n=212", or the sample size so far."""
    if isinstance(metric, int) or metric is None:
        return ""
    if metric.value is None:
        needs = "a score" if isinstance(metric, Score) else "a rate"
        return f"n={metric.n} ({needs} needs {MIN_SAMPLE})"
    if isinstance(metric, Score):
        return f"{metric.low:+.0f} to {metric.high:+.0f} · n={metric.n}"
    if key == "save_rate":
        return f"{metric.successes} of {metric.n} stayed · {metric.low:.0%}–{metric.high:.0%}"
    return f"{metric.low:.0%}–{metric.high:.0%} · n={metric.n}"


def feedback_text(feedback: Feedback, taxonomy: Taxonomy) -> str:
    period = feedback.period
    lines = [
        f"My feedback: the last {period.weeks} weeks (since {period.start}); "
        f"{feedback.totals.contacts} contacts, {feedback.totals.pending} still pending "
        f"(repeat window {period.repeat_window_days} days). Never timed.",
        "",
        f"{'':32}{'value':>24}  95% interval · n",
    ]
    for key in METRIC_KEYS:
        metric = feedback.metric(key)
        lines.append(f"{LABELS[key]:32}{value_text(key, metric):>24}  {detail_text(key, metric)}")
    most, least = feedback.confirmed_most(), feedback.confirmed_least()
    if most:
        lines += ["", "Where your customers most often confirmed resolution:"]
        lines += [_purpose_line(p, taxonomy) for p in most]
        lines += ["Where they least often did:"]
        lines += [_purpose_line(p, taxonomy) for p in least]
    signals = [
        (key, point) for key, points in feedback.trends.items() for point in points if point.signal
    ]
    if signals:
        lines += ["", "Weeks outside the usual range (a signal, not noise):"]
        for key, point in signals:
            lines.append(f"  {point.key}  {LABELS[key]}: {point.value:.0%} ({point.signal})")
    lines += ["", INTERVAL_NOTE]
    return "\n".join(lines)


def _purpose_line(item, taxonomy: Taxonomy) -> str:
    r = item.rate
    label = taxonomy.purpose_display(item.purpose)
    return f"  {label:48} {r.value:.0%}  ({r.low:.0%}–{r.high:.0%} · n={r.n})"
