"""The Preview step of the import page: the first rows of the file (never the columns that
hold how long something took, which are named instead), and the sheet of a workbook."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cxcompanion.domain.import_rows import cell_text
from cxcompanion.ui.import_text import column_names, fill
from cxcompanion.ui.import_widgets import selectable_label
from cxcompanion.ui.theme import style
from cxcompanion.ui.widgets import ErrorLabel

_Index = QModelIndex | QPersistentModelIndex
_Role = Qt.ItemDataRole


class PreviewModel(QAbstractTableModel):
    """The first rows of the file, without the columns that are never imported."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.columns: tuple[str, ...] = ()
        self._positions: tuple[int, ...] = ()
        self._rows: tuple[Any, ...] = ()

    def set_preview(self, columns, rows, dropped=()) -> None:
        self.beginResetModel()
        kept = [(i, c) for i, c in enumerate(columns) if c not in dropped]
        self.columns = tuple(c for _, c in kept)
        self._positions = tuple(i for i, _ in kept)
        self._rows = tuple(rows)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: _Index, role: int = _Role.DisplayRole) -> Any:
        if not index.isValid() or role not in (_Role.DisplayRole, _Role.ToolTipRole):
            return None
        values = self._rows[index.row()].values
        position = self._positions[index.column()]
        text = cell_text(values[position]) if position < len(values) else ""
        return text if role == _Role.ToolTipRole else text.replace("\n", " ⏎ ")

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role != _Role.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.columns[section] if 0 <= section < len(self.columns) else None
        return f"{self._rows[section].number:,}" if 0 <= section < len(self._rows) else None


class PreviewStep(QWidget):
    """Where the rows come from, what is left out, and the first rows in a table."""

    sheet_chosen = Signal(str)  # the person chose another sheet of the workbook

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(10)
        head = QHBoxLayout()
        head.setSpacing(12)
        self.source_label = selectable_label(role="sectionTitle")
        head.addWidget(self.source_label, 1)
        self.sheet_label = selectable_label(self.tr("Sheet"), "fieldLabel", wrap=False)
        self.sheet = QComboBox()
        self.sheet.setAccessibleName(self.tr("Sheet of the workbook"))
        self.sheet.setMinimumWidth(180)
        self.sheet.activated.connect(self._on_sheet_activated)
        head.addWidget(self.sheet_label)
        head.addWidget(self.sheet)
        box.addLayout(head)
        self.error = ErrorLabel()
        box.addWidget(self.error)
        self.dropped_card = QFrame()
        style(self.dropped_card, "card")
        card = QVBoxLayout(self.dropped_card)
        card.setContentsMargins(18, 12, 18, 14)
        card.setSpacing(6)
        title = self.tr("Some columns are never imported")
        card.addWidget(selectable_label(title, "tileTitle"))
        self.dropped_note = selectable_label()
        card.addWidget(self.dropped_note)
        box.addWidget(self.dropped_card)
        self.model = PreviewModel(self)
        self.table = QTableView()
        self.table.setAccessibleName(self.tr("The first rows of the file"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        box.addWidget(self.table, 1)
        self.rows_note = selectable_label(role="quiet")
        box.addWidget(self.rows_note)

    def show_preview(self, preview, file_name: str) -> None:
        """Show a services.file_import Preview of the file called `file_name`."""
        self.source_label.setText(f"{file_name} · {preview.source}")
        self.sheet.clear()
        self.sheet.addItems(list(preview.sheets))
        self.sheet.setCurrentText(preview.suggested.sheet or "")
        for widget in (self.sheet_label, self.sheet):
            widget.setVisible(len(preview.sheets) > 1)
        dropped = preview.dropped_columns
        self.model.set_preview(preview.columns, preview.rows, dropped)
        self.table.resizeColumnsToContents()
        for column in range(self.model.columnCount()):
            self.table.setColumnWidth(column, min(260, max(90, self.table.columnWidth(column))))
        text = (
            self.tr("%1 holds how long something took.")
            if len(dropped) == 1
            else self.tr("%1 hold how long something took.")
        ) + self.tr(
            " CX Companion keeps what happened and whether the customer's need was "
            "met, never how long it took: left out here, and never imported."
        )
        self.dropped_note.setText(fill(text, column_names(dropped)))
        self.dropped_card.setVisible(bool(dropped))
        text = self.tr("The first %1 rows, numbered as in your spreadsheet. The check reads all.")
        self.rows_note.setText(fill(text, len(preview.rows)))

    def _on_sheet_activated(self, _index: int) -> None:
        self.sheet_chosen.emit(self.sheet.currentText())
