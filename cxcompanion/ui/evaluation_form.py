"""Evaluating one contact on the team's scorecard: an inline panel, never a modal dialog.

One row per criterion, grouped by dimension, with its guide and a points choice (0 to the
criterion's points, and N/A where the scorecard allows it); live totals per dimension; the
lead's earlier evaluation of the contact filled in. When other leads have scored the contact
too, the Calibration tab shows everyone's points side by side.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cxcompanion.domain.errors import ValidationError
from cxcompanion.domain.scorecard import DIMENSION_LABELS, DIMENSIONS, Criterion, check_scores
from cxcompanion.services.evaluations import COMMENT_MAX, Evaluation, EvaluationService
from cxcompanion.services.profile import Profile
from cxcompanion.store.contacts import ContactStore
from cxcompanion.store.errors import StoreError
from cxcompanion.ui.evaluation_calibration import CalibrationView
from cxcompanion.ui.team_review_detail import when_text
from cxcompanion.ui.theme import style
from cxcompanion.ui.widgets import ChoiceRow, ErrorLabel

NA = "na"


class CriterionRow:
    """The widgets of one criterion: its label and guide, the points, the error under it."""

    def __init__(self, criterion: Criterion, grid: QGridLayout, row: int):
        self.criterion = criterion
        self.title = QLabel(criterion.label)
        self.title.setWordWrap(True)
        style(self.title, "fieldLabel")
        self.guide = QLabel(criterion.guide)
        self.guide.setWordWrap(True)
        style(self.guide, "quiet")
        choices = [(str(p), str(p)) for p in range(criterion.points + 1)]
        if criterion.na_allowed:
            choices.append((NA, "N/A"))
        self.points = ChoiceRow(choices, criterion.label)
        self.points.layout().setSpacing(12)
        for code, _text in choices:
            spoken = (
                f"{criterion.label}: not applicable"
                if code == NA
                else f"{criterion.label}: {code} of {criterion.points} points"
            )
            self.points.button(code).setAccessibleName(spoken)
            self.points.button(code).setAccessibleDescription(criterion.guide)
        self.error = ErrorLabel()
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.title)
        text.addWidget(self.guide)
        grid.addLayout(text, row, 0)
        grid.addWidget(self.points, row, 1, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.error, row + 1, 0, 1, 2)

    def value(self) -> str:
        return self.points.value()

    def set_value(self, points: int | None) -> None:
        self.points.set_value(NA if points is None else str(points))


class EvaluationForm(QWidget):
    evaluation_saved = Signal(str)  # the contact id
    closed = Signal()

    def __init__(
        self,
        profile: Profile,
        contact_id: str,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
    ):
        super().__init__(parent)
        self.profile = profile
        self.contact_id = contact_id
        self.service = (
            EvaluationService(profile) if clock is None else EvaluationService(profile, clock)
        )
        self.me = profile.identity.name
        self.card = self.service.scorecard
        self.rows: dict[str, CriterionRow] = {}
        self.totals: dict[str, QLabel] = {}
        self.setAccessibleName(self.tr("Evaluate the contact on the scorecard"))

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(8)
        title = QLabel(self.tr("Evaluate on the scorecard"))
        style(title, "sectionTitle")
        self.subtitle = QLabel(self._about())
        self.subtitle.setWordWrap(True)
        style(self.subtitle, "quiet")
        self.blind = QLabel()
        self.blind.setWordWrap(True)
        self.blind.hide()
        outer.addWidget(title)
        outer.addWidget(self.subtitle)
        outer.addWidget(self.blind)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        scores = QWidget()
        body = QVBoxLayout(scores)
        body.setContentsMargins(0, 8, 12, 8)
        body.setSpacing(14)
        # One grid for both dimensions, so the points line up down the whole scorecard.
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(0, 1)
        line = 0
        for dimension in DIMENSIONS:
            criteria = [c for c in self.card.criteria if c.dimension == dimension]
            if not criteria:
                continue
            heading = QLabel(self.tr(DIMENSION_LABELS[dimension]))
            style(heading, "sectionTitle")
            heading.setContentsMargins(0, 12 if line else 0, 0, 4)
            self.totals[dimension] = QLabel()
            self.totals[dimension].setContentsMargins(0, 12 if line else 0, 0, 4)
            grid.addWidget(heading, line, 0)
            grid.addWidget(self.totals[dimension], line, 1, Qt.AlignmentFlag.AlignRight)
            line += 1
            for criterion in criteria:
                row = CriterionRow(criterion, grid, line)
                row.points.changed.connect(self._on_points_changed)
                self.rows[criterion.id] = row
                line += 2
        body.addLayout(grid)
        comment_label = QLabel(self.tr("Comment"))
        style(comment_label, "fieldLabel")
        self.comment = QPlainTextEdit()
        self.comment.setAccessibleName(self.tr("Comment on the evaluation"))
        self.comment.setPlaceholderText(
            self.tr("What went well, and one thing to work on (optional)")
        )
        self.comment.setTabChangesFocus(True)
        self.comment.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.comment_error = ErrorLabel()
        body.addWidget(comment_label)
        body.addWidget(self.comment)
        body.addWidget(self.comment_error)
        body.addStretch(1)
        self.scroll = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(scores)
        self.calibration = CalibrationView(self.me)
        self.tabs.addTab(scroll, self.tr("Your scores"))
        self.tabs.addTab(self.calibration, self.tr("Calibration"))
        outer.addWidget(self.tabs, 1)

        self.error = ErrorLabel()
        outer.addWidget(self.error)
        footer = QHBoxLayout()
        footer.setSpacing(12)
        self.total = QLabel()
        self.total.setWordWrap(True)  # never widens the panel past its place
        self.total.setAccessibleName(self.tr("Points so far"))
        self.cancel_button = QPushButton(self.tr("Back to the list"))
        self.cancel_button.setToolTip(self.tr("Close the scorecard (Escape)"))
        self.save_button = QPushButton(self.tr("Save  (Ctrl+Enter)"))
        style(self.save_button, "primary")
        self.save_button.setAccessibleName(self.tr("Save the evaluation"))
        footer.addWidget(self.total, 1)
        footer.addWidget(self.cancel_button)
        footer.addWidget(self.save_button)
        outer.addLayout(footer)

        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.closed)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.save)
        escape = QShortcut(QKeySequence("Escape"), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.closed)
        self.load()

    # -- load / check / save (the options-page pattern) ------------------------------------

    def load(self) -> None:
        """Fill in this lead's evaluation of the contact, if there is one, and calibration."""
        try:
            evaluations = self.service.for_contact(self.contact_id)
        except StoreError as exc:
            self.error.show_error(str(exc))
            evaluations = {}
        mine = evaluations.get(self.me)
        for row in self.rows.values():
            if mine is None:
                row.points.set_value(None)
            else:
                row.set_value(mine.scores.get(row.criterion.id))
        self.comment.setPlainText(mine.comment if mine else "")
        if mine is not None:
            self.save_button.setText(self.tr("Save changes  (Ctrl+Enter)"))
        self._show_calibration(evaluations)
        self._update_totals()

    def raw_scores(self) -> dict[str, str]:
        return {criterion: row.value() for criterion, row in self.rows.items()}

    def check(self) -> dict[str, str]:
        """Every error at once (the service stops at the first kind it finds)."""
        errors: dict[str, str] = {}
        try:
            check_scores(self.card, self.raw_scores())
        except ValidationError as exc:
            errors.update(exc.errors)
        if len(self.comment.toPlainText()) > COMMENT_MAX:
            errors["comment"] = self.tr("Keep the comment under %1 characters.").replace(
                "%1", str(COMMENT_MAX)
            )
        return errors

    def save(self) -> Evaluation | None:
        """Evaluate through the service; errors go next to their criterion."""
        self._update_totals()
        errors = self.check()
        self._show_errors(errors)
        if errors:
            return None
        comment = self.comment.toPlainText()
        try:
            saved = self.service.evaluate(self.contact_id, self.raw_scores(), comment)
        except ValidationError as exc:
            self._show_errors(exc.errors)
            return None
        except StoreError as exc:  # not a lead, the contact deleted meanwhile, a full disk
            self.error.show_error(str(exc))
            return None
        self.save_button.setText(self.tr("Save changes  (Ctrl+Enter)"))
        evaluations = self.service.for_contact(self.contact_id)
        self._show_calibration(evaluations)
        self.total.setText(self.tr("✓ Saved. ") + self._totals_text())
        if self.tabs.isTabVisible(1):
            self.tabs.setCurrentIndex(1)
        self.evaluation_saved.emit(self.contact_id)
        return saved

    # -- inside --------------------------------------------------------------------------

    def _on_points_changed(self) -> None:
        self._update_totals()

    def _about(self) -> str:
        contact = ContactStore(self.profile.store).get(self.contact_id)
        card = f"{self.card.title} v{self.card.version}"
        if contact is None:
            return card
        return " · ".join(
            [contact.agent, when_text(contact.at), self.profile.taxonomy.purpose_display(
                contact.purpose), self.tr("scorecard: %1").replace("%1", card)]
        )  # fmt: skip

    def points(self) -> dict[str, tuple[int, int]]:
        """Per dimension (points earned, points possible) as scored so far: a criterion
        marked N/A is left out (DESIGN §3), one not scored yet counts as possible, so the
        totals never promise more than the finished evaluation can give."""
        totals = {d: (0, 0) for d in DIMENSIONS}
        for row in self.rows.values():
            value, c = row.value(), row.criterion
            if value == NA:
                continue
            earned, possible = totals[c.dimension]
            totals[c.dimension] = (earned + (int(value) if value else 0), possible + c.points)
        return totals

    def _totals_text(self) -> str:
        points = self.points()
        return (
            self.tr("Technical %1 of %2 · Emotional %3 of %4")
            .replace("%1", str(points["technical"][0]))
            .replace("%2", str(points["technical"][1]))
            .replace("%3", str(points["emotional"][0]))
            .replace("%4", str(points["emotional"][1]))
        )

    def _update_totals(self) -> None:
        points = self.points()
        for dimension, label in self.totals.items():
            label.setText(
                self.tr("%1 of %2")
                .replace("%1", str(points[dimension][0]))
                .replace("%2", str(points[dimension][1]))
            )
        missing = sum(not row.value() for row in self.rows.values())
        text = self._totals_text()
        if missing:
            text += " · " + (
                self.tr("1 criterion to score")
                if missing == 1
                else self.tr("%1 criteria to score").replace("%1", str(missing))
            )
        self.total.setText(text)

    def _show_errors(self, errors: dict[str, str]) -> None:
        unscored = 0
        for criterion, row in self.rows.items():
            message = errors.get(criterion)
            if message and not row.value():
                unscored += 1
                message = self._choose_text(row.criterion)
            row.error.show_error(message)
        comment = errors.get("comment")
        self.comment_error.show_error(comment)
        others = [m for k, m in errors.items() if k not in self.rows and k != "comment"]
        if unscored:
            others.insert(
                0,
                self.tr("Score every criterion: 1 still needs points.")
                if unscored == 1
                else self.tr("Score every criterion: %1 still need points.").replace(
                    "%1", str(unscored)
                ),
            )
        self.error.show_error(" ".join(others) if others else None)
        first = next((r for r in self.rows.values() if not r.error.isHidden()), None)
        if first is not None:
            self.tabs.setCurrentIndex(0)
            first.points.setFocus(Qt.FocusReason.OtherFocusReason)
            self.scroll.ensureWidgetVisible(first.title)

    def _choose_text(self, c: Criterion) -> str:
        if c.points == 1:
            text = (
                self.tr("Choose 0 or 1 point, or N/A.")
                if c.na_allowed
                else self.tr("Choose 0 or 1 point.")
            )
            return text
        text = (
            self.tr("Choose 0 to %1 points, or N/A.")
            if c.na_allowed
            else self.tr("Choose 0 to %1 points.")
        )
        return text.replace("%1", str(c.points))

    def _show_calibration(self, evaluations: dict[str, Evaluation]) -> None:
        """Other leads' points show once this lead has saved their own: scoring without
        seeing them first keeps a calibration honest."""
        others = sorted((e for e in evaluations if e != self.me), key=str.casefold)
        mine = self.me in evaluations
        self.tabs.setTabVisible(1, bool(others) and mine)
        if others and not mine:
            self.blind.setText(
                self.tr(
                    "%1 scored this contact too. Their points show in Calibration once you "
                    "have saved yours, so that yours are your own."
                ).replace("%1", ", ".join(others))
            )
        self.blind.setVisible(bool(others) and not mine)
        if others and mine:
            self.tabs.setTabText(
                1, self.tr("Calibration · %1 leads").replace("%1", str(len(evaluations)))
            )
            self.calibration.show_spread(self.service.calibration(self.contact_id), evaluations)
