"""Scorecards: the team's scorecard, criterion by criterion, and (for a lead) a new version.

A lead edits a copy of the scorecard as a JSON file (the same file `cxcompanion scorecard set
FILE` takes) and brings it back as the next version; evaluations keep the version they were
made with. An agent sees the scorecard read-only.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from cxcompanion.domain.enums import Role
from cxcompanion.domain.scorecard import DIMENSION_LABELS, Scorecard
from cxcompanion.services.evaluations import EvaluationService, load_scorecard
from cxcompanion.services.profile import Profile
from cxcompanion.store.errors import StoreError
from cxcompanion.ui.theme import style
from cxcompanion.ui.widgets import ErrorLabel


def _label(text: str = "", role: str | None = None, *, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if role:
        style(label, role)
    return label


class DimensionCard(QFrame):
    """One dimension's criteria: label, points, whether N/A is allowed, and the guide."""

    def __init__(self, dimension: str, card: Scorecard, parent: QWidget | None = None):
        super().__init__(parent)
        style(self, "card")
        criteria = [c for c in card.criteria if c.dimension == dimension]
        self.total = sum(c.points for c in criteria)
        name = self.tr(DIMENSION_LABELS[dimension])
        self.setAccessibleName(name)
        box = QVBoxLayout(self)
        box.setContentsMargins(18, 14, 18, 16)
        box.setSpacing(10)
        head = QHBoxLayout()
        self.title = _label(name, "sectionTitle", wrap=False)
        self.total_label = _label(
            self.tr("%1 points in all").replace("%1", str(self.total)), "tileTitle", wrap=False
        )
        self.total_label.setAccessibleName(self.tr("%1: total points").replace("%1", name))
        head.addWidget(self.title)
        head.addStretch(1)
        head.addWidget(self.total_label)
        box.addLayout(head)
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(0, 1)
        self.rows: dict[str, tuple[QLabel, QLabel, QLabel]] = {}
        if not criteria:
            box.addWidget(_label(self.tr("No criteria in this dimension."), "quiet"))
        row = 0
        for c in criteria:
            label = _label(c.label, "fieldLabel")
            label.setContentsMargins(0, 8 if row else 0, 0, 0)
            words = (
                self.tr("0 or 1 point")
                if c.points == 1
                else self.tr("0 to %1 points").replace("%1", str(c.points))
            )
            points = _label(words, wrap=False)
            na = _label(
                self.tr("N/A allowed") if c.na_allowed else self.tr("Applies to every contact"),
                "quiet",
                wrap=False,
            )
            for small in (points, na):
                small.setContentsMargins(0, 8 if row else 0, 0, 0)
            grid.addWidget(label, row, 0)
            grid.addWidget(points, row, 1, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(na, row, 2, Qt.AlignmentFlag.AlignTop)
            if c.guide:
                guide = _label(c.guide, "quiet")
                grid.addWidget(guide, row + 1, 0, 1, 3)
            self.rows[c.id] = (label, points, na)
            row += 2
        box.addLayout(grid)


class ScorecardPage(QWidget):
    scorecard_changed = Signal(int)  # the new version

    def __init__(self, profile: Profile, parent: QWidget | None = None):
        super().__init__(parent)
        self.profile = profile
        self.is_lead = profile.identity.role is Role.LEAD
        self.card: Scorecard | None = None
        self.cards: dict[str, DimensionCard] = {}

        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 12)
        outer.setSpacing(10)
        header = QHBoxLayout()
        header.setSpacing(10)
        self.heading = QLabel(self.tr("Scorecard"))
        style(self.heading, "pageTitle")
        header.addWidget(self.heading)
        header.addStretch(1)
        self.save_button: QPushButton | None = None
        self.load_button: QPushButton | None = None
        if self.is_lead:
            self.save_button = QPushButton(self.tr("Save a copy to edit…"))
            self.save_button.setAccessibleName(
                self.tr("Save a copy of the scorecard as a JSON file to edit")
            )
            self.save_button.setToolTip(
                self.tr("Edit the copy in a text editor, then use it as a new version")
            )
            self.load_button = QPushButton(self.tr("Use a new version from a file…"))
            self.load_button.setAccessibleName(
                self.tr("Use an edited scorecard file as the team's new version")
            )
            for button in (self.save_button, self.load_button):
                button.setAutoDefault(True)
                header.addWidget(button)
            self.save_button.clicked.connect(self._on_save_button_clicked)
            self.load_button.clicked.connect(self._on_load_button_clicked)
        header.setContentsMargins(0, 0, 8, 0)  # line up with the cards, beside the scroll bar
        outer.addLayout(header)

        self.subtitle = _label(role="quiet")
        self.subtitle.setAccessibleName(self.tr("Scorecard and version"))
        outer.addWidget(self.subtitle)
        # What the last save or new version did (or why it did not), under the header.
        self.status = _label()
        self.status.setAccessibleName(self.tr("Scorecard change"))
        self.status.hide()
        self.error = ErrorLabel()
        self.error.setAccessibleName(self.tr("Scorecard problem"))
        outer.addWidget(self.status)
        outer.addWidget(self.error)

        body = QWidget()
        self.column = QVBoxLayout(body)
        self.column.setContentsMargins(0, 4, 8, 12)
        self.column.setSpacing(14)
        self.note = _label(role="quiet")
        self.column.addWidget(self.note)
        self.cards_box = QVBoxLayout()
        self.cards_box.setSpacing(14)
        self.column.addLayout(self.cards_box)
        self.column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        self.refresh()

    # -- public API ----------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the team's scorecard again (after a sync brought a new version)."""
        try:
            card = load_scorecard(self.profile)
        except StoreError as exc:
            self.card = None
            self.subtitle.setText("")
            self._show_cards(None)
            self.error.show_error(str(exc))
            return
        self.card = card
        self.subtitle.setText(
            self.tr("%1 · version %2 · %3 criteria")
            .replace("%1", card.title)
            .replace("%2", str(card.version))
            .replace("%3", str(len(card.criteria)))
        )
        self.note.setText(self._note())
        self._show_cards(card)

    def save_copy(self, path: str | Path) -> bool:
        """Write the scorecard as JSON to `path`, to edit; False (and why, shown) if not."""
        self._show_result(None, None)
        if self.card is None:
            self._show_result(None, self.tr("There is no scorecard to save."))
            return False
        text = json.dumps(self.card.to_dict(), ensure_ascii=False, indent=2) + "\n"
        try:
            Path(path).write_text(text, encoding="utf-8")
        except OSError as exc:
            self._show_result(
                None,
                self.tr("Could not write %1 (%2); choose another folder.")
                .replace("%1", str(path))
                .replace("%2", exc.strerror or type(exc).__name__),
            )
            return False
        self._show_result(
            self.tr("✓ Saved a copy of version %1 to %2. Edit it, then use it as a new version.")
            .replace("%1", str(self.card.version))
            .replace("%2", str(path)),
            None,
        )
        return True

    def load_new_version(self, path: str | Path) -> Scorecard | None:
        """Make the scorecard in the JSON file at `path` the team's next version (lead);
        None (and why, shown) if the file cannot be read or used."""
        self._show_result(None, None)
        name = str(path)
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            return self._refused(self.tr("There is no file %1.").replace("%1", name))
        except (OSError, ValueError) as exc:
            return self._refused(
                self.tr("%1 is not readable JSON (%2).").replace("%1", name).replace("%2", str(exc))
            )
        try:
            card = EvaluationService(self.profile).set_scorecard(data)
        except StoreError as exc:  # ProfileError: not a lead, not a valid scorecard, share
            return self._refused(str(exc))
        self.refresh()
        shared = bool(self.profile.identity.share)
        self._show_result(
            (
                self.tr("✓ The team's scorecard is now version %1; every lead scores on it from "
                        "their next sync.")
                if shared
                else self.tr("✓ The team's scorecard is now version %1.")
            ).replace("%1", str(card.version)),
            None,
        )  # fmt: skip
        self.scorecard_changed.emit(card.version)
        return card

    # -- slots ---------------------------------------------------------------------------

    def _on_save_button_clicked(self) -> None:
        suggested = f"scorecard-{self.card.id}-v{self.card.version}.json" if self.card else ""
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save a copy of the scorecard"), suggested, self.tr("JSON (*.json)")
        )
        if path:
            self.save_copy(path)

    def _on_load_button_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Use a new version of the scorecard"), "", self.tr("JSON (*.json)")
        )
        if path:
            self.load_new_version(path)

    # -- inside --------------------------------------------------------------------------

    def _note(self) -> str:
        text = self.tr(
            "Each criterion is scored from 0 to its points; N/A leaves it out of that "
            "evaluation's total. Evaluations keep the version they were made with, so a new "
            "version changes nothing already scored."
        )
        if self.is_lead:
            text += " " + self.tr(
                "To change it, save a copy, edit the JSON file (criteria, points, guides) and "
                "use it as a new version."
            )
        else:
            text += " " + self.tr("Your team lead sets the scorecard.")
        return text

    def _show_cards(self, card: Scorecard | None) -> None:
        for old in self.cards.values():
            self.cards_box.removeWidget(old)
            old.hide()
            old.deleteLater()
        self.cards = {}
        if card is None:
            return
        for dimension in DIMENSION_LABELS:
            self.cards[dimension] = DimensionCard(dimension, card)
            self.cards_box.addWidget(self.cards[dimension])

    def _show_result(self, message: str | None, error: str | None) -> None:
        self.status.setText(message or "")
        self.status.setVisible(bool(message))
        self.error.show_error(error)

    def _refused(self, message: str) -> None:
        self._show_result(None, message + " " + self.tr("Nothing was changed."))
        return None
