"""The selected contact in full, for a lead: every field, its ideas (with their place on the
idea board), the customer's survey answers and the evaluations of it."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QDateTime, QLocale, Qt
from PySide6.QtWidgets import (
    QBoxLayout,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from cxcompanion.domain.enums import MOOD_LABELS, Channel, Outcome, Verdict
from cxcompanion.domain.taxonomy import Taxonomy
from cxcompanion.services.evaluations import Evaluation
from cxcompanion.services.ideas_board import STATUS_LABELS
from cxcompanion.store.team_review import ContactDetail
from cxcompanion.ui.team_review_rows import label
from cxcompanion.ui.theme import style


def when_text(iso: str, pattern: str = "ddd d MMM yyyy, HH:mm") -> str:
    moment = QDateTime.fromString(iso, Qt.DateFormat.ISODate)
    if not moment.isValid():
        return iso
    return QLocale().toString(moment.toLocalTime(), pattern)


class ContactDetailView(QScrollArea):
    def __init__(self, taxonomy: Taxonomy, me: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.taxonomy = taxonomy
        self.me = me
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAccessibleName(self.tr("The selected contact"))
        # The contact's heading, for the page to place (beside its buttons).
        self.title = QLabel()
        style(self.title, "sectionTitle")
        self.title.setWordWrap(True)
        self._wide = True
        self._shown: tuple[ContactDetail | None, Mapping[str, Evaluation]] = (None, {})
        self.show_contact(None, {})

    def set_wide(self, wide: bool) -> None:
        """Wide: the fields and the rest side by side; narrow: one column."""
        if wide != self._wide:
            self._wide = wide
            self.show_contact(*self._shown)

    def show_contact(
        self, detail: ContactDetail | None, evaluations: Mapping[str, Evaluation]
    ) -> None:
        self._shown = (detail, evaluations)
        body = QWidget()
        column = QVBoxLayout()
        column.setSpacing(10)
        if detail is None:
            self.title.clear()
            body.setLayout(column)
            empty = QLabel(self.tr("Choose a contact in the list to see everything about it."))
            empty.setWordWrap(True)
            style(empty, "quiet")
            column.addWidget(empty)
            column.addStretch(1)
            self._set_body(body)
            return
        c = detail.contact
        self.title.setText(self.tr("%1 · %2").replace("%1", c.agent).replace("%2", when_text(c.at)))
        form = QFormLayout()
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(6)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        verdict = label(Verdict, detail.customer_verdict)
        if detail.customer_verdict != c.verdict.value or any(
            s.resolved is not None for s in detail.surveys
        ):
            verdict = (
                self.tr("%1 (survey answer; the agent logged: %2)")
                .replace("%1", verdict)
                .replace("%2", c.verdict.label)
            )
        prior = self.tr("first time")
        if c.prior_contacts:
            prior = self.tr("%1 earlier").replace("%1", str(c.prior_contacts))
            if c.prior_channels:
                channels = ", ".join(label(Channel, ch.value) for ch in c.prior_channels)
                prior += self.tr(" via %1").replace("%1", channels)
        rows = [
            (self.tr("Channel"), label(Channel, c.channel.value)),
            (self.tr("Purpose"), self.taxonomy.purpose_display(c.purpose)),
            (self.tr("Detail"), c.detail or "—"),
            (self.tr("Outcome"), label(Outcome, c.outcome.value)),
            (self.tr("Customer's verdict"), verdict),
            (self.tr("Before this"), prior),
            (self.tr("Customer"), self.tr("known (pseudonymised)") if c.customer_hash else "—"),
            (self.tr("Mood"), self._mood(c.mood_start, c.mood_end)),
        ]
        if c.cancel_intent:
            reason = self.taxonomy.cancel_reason(c.cancel_reason or "")
            said = reason.label if reason else (c.cancel_reason or self.tr("no reason noted"))
            stayed = {True: self.tr("stayed"), False: self.tr("left"), None: self.tr("not noted")}
            rows.append(
                (
                    self.tr("Wanted to cancel"),
                    self.tr("%1 · %2").replace("%1", said).replace("%2", stayed[c.stayed]),
                )
            )
        rows.append((self.tr("Notes"), c.notes or "—"))
        for caption, text in rows:
            form.addRow(self._caption(caption), self._value(text))
        column.addLayout(form)
        if self._wide:
            column.addStretch(1)
        fields, column = column, QVBoxLayout()
        column.setSpacing(10)
        if self._wide:
            outer: QBoxLayout = QHBoxLayout(body)
            outer.setSpacing(32)
        else:
            outer = QVBoxLayout(body)
            outer.setSpacing(10)
        outer.setContentsMargins(0, 0, 12, 8)
        outer.addLayout(fields, 3 if self._wide else 0)
        outer.addLayout(column, 2 if self._wide else 0)

        self._section(column, self.tr("Ideas"))
        if not c.ideas:
            column.addWidget(self._value(self.tr("No ideas on this contact."), quiet=True))
        for idea in c.ideas:
            area = self.taxonomy.product_area(idea.area)
            status = STATUS_LABELS.get(detail.idea_status.get(idea.id, "new"), "New")
            line = self.tr("“%1” · %2 · %3").replace("%1", idea.text)
            line = line.replace("%2", area.label if area else idea.area).replace("%3", status)
            column.addWidget(self._value(line))

        self._section(column, self.tr("Survey answers"))
        if not detail.surveys:
            column.addWidget(
                self._value(self.tr("The customer has not answered a survey."), quiet=True)
            )
        for answer in detail.surveys:
            parts = [when_text(answer.answered_at, "d MMM yyyy")]
            if answer.csat is not None:
                parts.append(self.tr("CSAT %1 of 5").replace("%1", str(answer.csat)))
            if answer.nps is not None:
                parts.append(self.tr("NPS %1 of 10").replace("%1", str(answer.nps)))
            if answer.resolved is not None:
                parts.append(
                    self.tr("need met: yes") if answer.resolved else self.tr("need met: no")
                )
            line = " · ".join(parts)
            if answer.comment:
                line += f"\n“{answer.comment}”"
            column.addWidget(self._value(line))

        self._section(column, self.tr("Evaluations"))
        if not evaluations:
            column.addWidget(self._value(self.tr("Not evaluated yet."), quiet=True))
        for evaluator, e in evaluations.items():
            who = self.tr("You") if evaluator == self.me else evaluator
            line = (
                self.tr("%1 · Technical %2 of %3 · Emotional %4 of %5 · %6")
                .replace("%1", who)
                .replace("%2", str(e.technical[0]))
                .replace("%3", str(e.technical[1]))
                .replace("%4", str(e.emotional[0]))
                .replace("%5", str(e.emotional[1]))
                .replace("%6", when_text(e.at, "d MMM yyyy"))
            )
            if e.comment:
                line += f"\n“{e.comment}”"
            column.addWidget(self._value(line))
        column.addStretch(1)
        self._set_body(body)

    def _mood(self, start: int | None, end: int | None) -> str:
        if start is None and end is None:
            return self.tr("not noted")
        if end is None:
            return self.tr("%1 at the start; the end not noted").replace(
                "%1", MOOD_LABELS.get(start, str(start))
            )
        if start is None:
            return self.tr("the start not noted; %1 at the end").replace(
                "%1", MOOD_LABELS.get(end, str(end)).lower()
            )
        return (
            self.tr("%1 at the start → %2 at the end")
            .replace("%1", MOOD_LABELS.get(start, str(start)))
            .replace("%2", MOOD_LABELS.get(end, str(end)).lower())
        )

    def _section(self, column: QVBoxLayout, text: str) -> None:
        heading = QLabel(text)
        style(heading, "fieldLabel")
        column.addWidget(heading)

    def _caption(self, text: str) -> QLabel:
        caption = QLabel(text)
        style(caption, "quiet")
        return caption

    def _value(self, text: str, *, quiet: bool = False) -> QLabel:
        value = QLabel(text)
        value.setWordWrap(True)
        value.setTextFormat(Qt.TextFormat.PlainText)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if quiet:
            style(value, "quiet")
        return value

    def _set_body(self, body: QWidget) -> None:
        old = self.takeWidget()
        self.setWidget(body)
        if old is not None:
            old.deleteLater()
