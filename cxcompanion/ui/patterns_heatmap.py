"""Purpose × outcome as a heat map: a table whose cells hold the count (readable without
colour) and are shaded by the cell's share of its purpose's contacts; busiest purposes first,
the top dozen unless the lead asks for all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cxcompanion.domain.enums import Outcome
from cxcompanion.domain.patterns import HeatMap, HeatRow
from cxcompanion.ui.patterns_tables import FittedTable
from cxcompanion.ui.patterns_texts import fill, percent, tr
from cxcompanion.ui.theme import ACCENT, style

TOP_PURPOSES = 12
COUNT_ROLE = Qt.ItemDataRole.UserRole + 1  # the cell's number of contacts, as an int
SHARE_ROLE = Qt.ItemDataRole.UserRole + 2  # its share of the row, None under 10 contacts
FIRST_OUTCOME = 2  # columns: purpose, contacts, then one per outcome

_Index = QModelIndex | QPersistentModelIndex


def outcome_label(code: str) -> str:
    try:
        return tr(Outcome(code).label)
    except ValueError:
        return code  # an outcome an import brought that this version does not know


def shade(share: float, palette: QPalette) -> tuple[QColor, QColor]:
    """The cell's background, from the base colour (0%) to the accent (100%), and a text
    colour that stays readable on it (light or dark palette alike)."""
    base = palette.color(QPalette.ColorRole.Base)
    accent = QColor(ACCENT)
    t = max(0.0, min(1.0, share)) ** 0.8  # small shares still visible, large ones distinct
    back = QColor(
        round(base.red() + (accent.red() - base.red()) * t),
        round(base.green() + (accent.green() - base.green()) * t),
        round(base.blue() + (accent.blue() - base.blue()) * t),
    )
    light = 0.2126 * back.redF() + 0.7152 * back.greenF() + 0.0722 * back.blueF()
    ink = QColor("white") if light < 0.45 else QColor("#1b1b1b")
    return back, ink


class HeatMapModel(QAbstractTableModel):
    def __init__(self, purpose_label: Callable[[str], str], parent: QObject | None = None):
        super().__init__(parent)
        self.purpose_label = purpose_label
        self.heat_map = HeatMap((), ())
        self.limit: int | None = TOP_PURPOSES
        self._rows: tuple[HeatRow, ...] = ()

    def set_heat_map(self, heat_map: HeatMap) -> None:
        self.beginResetModel()
        self.heat_map = heat_map
        self._rows = heat_map.rows[: self.limit] if self.limit else heat_map.rows
        self.endResetModel()

    def set_limit(self, limit: int | None) -> None:
        self.limit = limit
        self.set_heat_map(self.heat_map)

    @property
    def hidden_rows(self) -> int:
        return len(self.heat_map.rows) - len(self._rows)

    def row(self, row: int) -> HeatRow:
        return self._rows[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else FIRST_OUTCOME + len(self.heat_map.outcomes)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section == 0:
                return tr("Purpose")
            if section == 1:
                return tr("Contacts")
            # Two words on two lines: seven outcome columns fit beside the purposes.
            return outcome_label(self.heat_map.outcomes[section - FIRST_OUTCOME]).replace(
                " ", "\n", 1
            )
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(
                (Qt.AlignmentFlag.AlignLeft if section == 0 else Qt.AlignmentFlag.AlignHCenter)
                | Qt.AlignmentFlag.AlignVCenter
            )
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if column == 0:
            if role == Qt.ItemDataRole.DisplayRole:
                return self.purpose_label(row.purpose)
            if role == Qt.ItemDataRole.ToolTipRole:
                return fill(tr("%1: %2 contacts"), self.purpose_label(row.purpose), row.contacts)
            return None
        if column == 1:
            if role in (Qt.ItemDataRole.DisplayRole, COUNT_ROLE):
                return row.contacts if role == COUNT_ROLE else str(row.contacts)
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        if column >= FIRST_OUTCOME + len(row.cells):
            return None
        cell = row.cells[column - FIRST_OUTCOME]
        if role == Qt.ItemDataRole.DisplayRole:
            return str(cell.count)
        if role == COUNT_ROLE:
            return cell.count
        if role == SHARE_ROLE:
            return cell.share.value
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._cell_text(row, cell)
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            if cell.share.value is None:
                return None  # under 10 contacts a share is luck: the count alone, unshaded
            back, ink = shade(cell.share.value, QApplication.palette())
            return back if role == Qt.ItemDataRole.BackgroundRole else ink
        return None

    def _cell_text(self, row: HeatRow, cell) -> str:
        text = fill(
            tr("%1, %2: %3 of %4 contacts"),
            self.purpose_label(row.purpose),
            outcome_label(cell.outcome),
            cell.count,
            row.contacts,
        )
        share = cell.share
        if share.value is not None and share.low is not None and share.high is not None:
            text += fill(
                tr(" (%1; 95% interval %2–%3)"),
                percent(share.value),
                percent(share.low),
                percent(share.high),
            )
        return text


class HeatMapView(QWidget):
    """The table, a line on how to read it, and the "show all purposes" switch."""

    def __init__(self, purpose_label: Callable[[str], str], parent: QWidget | None = None):
        super().__init__(parent)
        self.model = HeatMapModel(purpose_label, self)
        self.table = FittedTable(tr("Contacts by purpose and outcome"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(FittedTable.SelectionBehavior.SelectItems)
        self.key = QLabel(
            tr(
                "Each number is contacts. The stronger the shading, the larger the cell's "
                "share of that purpose's contacts (purposes with fewer than 10 are left "
                "plain). Hover a cell for its share."
            )
        )
        self.key.setWordWrap(True)
        style(self.key, "quiet")
        self.all_button = QPushButton()
        self.all_button.setCheckable(True)
        self.all_button.setAccessibleName(tr("Show every purpose in the heat map"))
        self.all_button.toggled.connect(self._on_all_button_toggled)
        bottom = QHBoxLayout()
        bottom.addWidget(self.key, 1)
        bottom.addWidget(self.all_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.table)
        layout.addLayout(bottom)
        self.model.modelReset.connect(self._on_model_model_reset)

    def show_heat_map(self, heat_map: HeatMap) -> None:
        self.model.set_heat_map(heat_map)

    def _fit_columns(self) -> None:
        """Each number column as wide as its two-line heading (or a four-digit count), the
        purposes in the rest: wide enough for "Technical support › App shows an error"."""
        metrics = self.table.horizontalHeader().fontMetrics()
        widths = {}
        for column in range(1, self.model.columnCount()):
            heading = self.model.headerData(column, Qt.Orientation.Horizontal) or ""
            words = max(
                (metrics.horizontalAdvance(line) for line in heading.split("\n")), default=0
            )
            widths[column] = max(words, metrics.horizontalAdvance("0000")) + 10
        self.table.set_column_widths(widths, first_at_least=170)

    def _on_model_model_reset(self) -> None:
        total = len(self.model.heat_map.rows)
        self.all_button.setVisible(total > TOP_PURPOSES)
        self.all_button.setText(
            tr("Show the %1 busiest").replace("%1", str(TOP_PURPOSES))
            if self.model.limit is None
            else fill(tr("Show all %1 purposes"), total)
        )
        self._fit_columns()

    def _on_all_button_toggled(self, checked: bool) -> None:
        self.model.set_limit(None if checked else TOP_PURPOSES)
