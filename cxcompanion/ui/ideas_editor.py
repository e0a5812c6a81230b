"""The customer's ideas on the log form: any number, each with its product area."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from cxcompanion.domain.taxonomy import Taxonomy
from cxcompanion.ui.widgets import ErrorLabel


class _IdeaRow:
    def __init__(self, parent: QWidget, taxonomy: Taxonomy, number: int):
        self.id: str | None = None
        self.text = QLineEdit(parent)
        self.text.setPlaceholderText(parent.tr("The customer's idea, in their words"))
        self.text.setAccessibleName(parent.tr("Idea %n", "", number))
        self.area = QComboBox(parent)
        self.area.setAccessibleName(parent.tr("Product area of idea %n", "", number))
        for term in taxonomy.product_areas:
            self.area.addItem(term.label, term.code)
        self.remove = QToolButton(parent)
        self.remove.setText("✕")
        self.remove.setToolTip(parent.tr("Remove this idea"))
        self.remove.setAccessibleName(parent.tr("Remove idea %n", "", number))
        self.error = ErrorLabel(parent)
        self.text.setMinimumHeight(30)
        self.area.setMinimumHeight(30)

    def widgets(self) -> list[QWidget]:
        return [self.text, self.area, self.remove, self.error]


class IdeasEditor(QWidget):
    changed = Signal()

    def __init__(self, taxonomy: Taxonomy, parent: QWidget | None = None):
        super().__init__(parent)
        self._taxonomy = taxonomy
        self._rows: list[_IdeaRow] = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(6)
        self._grid = QGridLayout()
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(8)
        self._grid.setVerticalSpacing(4)
        self._grid.setColumnStretch(0, 1)
        outer.addLayout(self._grid)
        self.add_button = QPushButton(self.tr("+ Add idea  (Ctrl+I)"), self)
        self.add_button.setAccessibleName(self.tr("Add a customer idea"))
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.add_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        outer.addWidget(self.add_button)

    def add_idea(self, text: str = "", area: str = "", idea_id: str | None = None) -> QLineEdit:
        row = _IdeaRow(self, self._taxonomy, len(self._rows) + 1)
        row.id = idea_id
        row.text.setText(text)
        index = row.area.findData(area or "other")
        row.area.setCurrentIndex(max(index, 0))
        row.text.textChanged.connect(self.changed)
        row.area.currentIndexChanged.connect(self.changed)
        row.remove.clicked.connect(lambda: self._remove(row))
        self._rows.append(row)
        self._relayout()
        # Keep Tab order as reading order: the new row sits before the "Add" button.
        previous = self._rows[-2].remove if len(self._rows) > 1 else None
        if previous is not None:
            QWidget.setTabOrder(previous, row.text)
        QWidget.setTabOrder(row.text, row.area)
        QWidget.setTabOrder(row.area, row.remove)
        QWidget.setTabOrder(row.remove, self.add_button)
        self.changed.emit()
        return row.text

    def ideas(self) -> list[dict[str, Any]]:
        """Every idea row with text; empty rows are dropped rather than reported."""
        result = []
        for row in self._rows:
            if row.text.text().strip():
                item = {"text": row.text.text(), "area": row.area.currentData()}
                if row.id:
                    item["id"] = row.id
                result.append(item)
        return result

    def set_ideas(self, ideas: list[dict[str, Any]]) -> None:
        for row in list(self._rows):
            self._remove(row, emit=False)
        for idea in ideas:
            self.add_idea(idea.get("text", ""), idea.get("area", ""), idea.get("id"))

    def show_errors(self, errors: dict[str, str]) -> QWidget | None:
        """Show `ideas.N.*` errors (N counts only rows with text, as ideas() does)."""
        first = None
        numbered = [row for row in self._rows if row.text.text().strip()]
        for row in self._rows:
            row.error.show_error(None)
        for position, row in enumerate(numbered):
            message = errors.get(f"ideas.{position}.text") or errors.get(f"ideas.{position}.area")
            row.error.show_error(message)
            if message and first is None:
                first = row.text
        return first

    def _remove(self, row: _IdeaRow, emit: bool = True) -> None:
        self._rows.remove(row)
        for widget in row.widgets():
            self._grid.removeWidget(widget)
            widget.deleteLater()
        self._relayout()
        if emit:
            self.add_button.setFocus()
            self.changed.emit()

    def _relayout(self) -> None:
        for number, row in enumerate(self._rows):
            self._grid.addWidget(row.text, number * 2, 0)
            self._grid.addWidget(row.area, number * 2, 1)
            self._grid.addWidget(row.remove, number * 2, 2)
            self._grid.addWidget(row.error, number * 2 + 1, 0, 1, 3)
            # Shown now, not when the layout gets round to it, so the new row takes focus.
            for widget in (row.text, row.area, row.remove):
                widget.setVisible(self.isVisible())

    def add_and_focus(self) -> None:
        self.add_idea().setFocus()

    def _on_add_button_clicked(self) -> None:
        self.add_idea().setFocus()
