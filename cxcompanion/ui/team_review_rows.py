"""The texts of a team review row: what the table shows, its tooltips and what a screen
reader says, made once per row when its block is read (the view asks many times a second)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QLocale, Qt

from cxcompanion.domain.enums import Channel, Outcome, Verdict
from cxcompanion.domain.taxonomy import Taxonomy
from cxcompanion.store.team_review import ReviewSummary
from cxcompanion.ui.contacts_model import WHEN_FORMAT, WHEN_FORMAT_OTHER_YEAR

COLUMNS = 8


def tr(text: str) -> str:
    return QCoreApplication.translate("TeamReview", text)


def label(enum: type[Channel] | type[Outcome] | type[Verdict], code: str) -> str:
    try:
        return enum(code).label
    except ValueError:  # a code from a newer version, merged from someone else's export
        return code


def headers() -> tuple[str, ...]:
    return (
        tr("When"),
        tr("Agent"),
        tr("Channel"),
        tr("Purpose"),
        tr("Outcome"),
        tr("Customer's verdict"),
        tr("Ideas"),
        tr("Evaluated"),
    )


def header_tips() -> tuple[str, ...]:
    return (
        tr("When the contact happened, in your local time"),
        tr("Who took the contact"),
        tr("How the customer reached us"),
        tr("Why the customer contacted us"),
        tr("What came of the contact, as the agent logged it"),
        tr(
            "The customer's own answer to “did we take care of what you needed?”: "
            "their survey answer if they gave one, else what they told the agent"
        ),
        tr("Ideas the customer gave"),
        tr("Which team leads scored the contact on the scorecard"),
    )


@dataclass(frozen=True)
class RowTexts:
    summary: ReviewSummary | None  # None: deleted since the listing was read
    texts: tuple[str, ...]
    tips: tuple[str, ...]
    spoken: tuple[str, ...]


def evaluated_text(evaluators: tuple[str, ...], me: str) -> tuple[str, str]:
    """("✓ you + 1", "evaluated by you, Olga"): the lead's own evaluation first."""
    if not evaluators:
        return "", tr("not evaluated yet")
    others = [e for e in evaluators if e != me]
    names = ([tr("you")] if me in evaluators else []) + others
    if len(names) == 1:
        text = "✓ " + names[0]
    else:
        text = "✓ " + tr("%1 + %2").replace("%1", names[0]).replace("%2", str(len(names) - 1))
    return text, tr("evaluated by %1").replace("%1", ", ".join(names))


def verdict_texts(s: ReviewSummary) -> tuple[str, str]:
    """The customer's verdict for the table, and where it comes from, in words."""
    verdict = label(Verdict, s.verdict)
    if s.survey_verdict is None:
        return verdict, tr("The customer told the agent: %1").replace("%1", verdict)
    tip = (
        tr("The customer answered the survey: %1 (the agent logged: %2)")
        .replace("%1", verdict)
        .replace("%2", label(Verdict, s.logged_verdict))
    )
    return tr("%1 · survey").replace("%1", verdict), tip


class RowTextMaker:
    def __init__(self, taxonomy: Taxonomy, me: str):
        self.taxonomy = taxonomy
        self.me = me
        self.this_year = QDate.currentDate().year()
        self.locale = QLocale()
        self.other_years = False  # a row made so far shows its year

    def row(self, s: ReviewSummary | None) -> RowTexts:
        if s is None:
            gone = tr("(deleted since)")
            return RowTexts(None, (gone,) + ("",) * (COLUMNS - 1), ("",) * COLUMNS,
                            (gone,) * COLUMNS)  # fmt: skip
        moment = QDateTime.fromString(s.at, Qt.DateFormat.ISODate).toLocalTime()
        locale = self.locale
        if moment.date().year() == self.this_year:
            when = locale.toString(moment, WHEN_FORMAT)
        else:
            when = locale.toString(moment, WHEN_FORMAT_OTHER_YEAR)
            self.other_years = True
        when_long = locale.toString(moment, "dddd d MMMM yyyy, HH:mm")
        term = self.taxonomy.purpose(s.purpose)
        purpose = term.label if term else s.purpose
        purpose_long = self.taxonomy.purpose_display(s.purpose)
        channel, outcome = label(Channel, s.channel), label(Outcome, s.outcome)
        verdict, verdict_tip = verdict_texts(s)
        if s.idea_count == 0:
            ideas, ideas_spoken = "", tr("no ideas")
        elif s.idea_count == 1:
            ideas, ideas_spoken = "1", tr("1 idea")
        else:
            ideas = str(s.idea_count)
            ideas_spoken = tr("%1 ideas").replace("%1", ideas)
        evaluated, evaluated_spoken = evaluated_text(s.evaluators, self.me)
        texts = (when, s.agent, channel, purpose, outcome, verdict, ideas, evaluated)
        tips = (
            when_long,
            "",
            "",
            f"{purpose_long}  ({s.purpose})",
            "",
            verdict_tip,
            ideas_spoken if s.idea_count else "",
            evaluated_spoken if evaluated else "",
        )
        spoken = (
            when_long,
            s.agent,
            channel,
            purpose_long,
            outcome,
            verdict_tip,
            ideas_spoken,
            evaluated_spoken,
        )
        return RowTexts(s, texts, tips, spoken)
