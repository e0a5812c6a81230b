"""The two ordered lists of the Patterns page, both of things and never of people: the
purposes customers most often come back about, and why customers wanted to cancel (a Pareto:
each reason's share as a bar, the running total as an outlined bar, and how many stayed)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QWidget

from cxcompanion.domain.patterns import CancelReason, PurposeRepeats
from cxcompanion.domain.taxonomy import Taxonomy
from cxcompanion.ui.patterns_section import Section, quiet
from cxcompanion.ui.patterns_tables import BAR_ROLE, HOLLOW_ROLE, BarDelegate, FittedTable
from cxcompanion.ui.patterns_texts import fill, percent, rate_text, tr

TOP_REPEATS = 8
_Index = QModelIndex | QPersistentModelIndex
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class _ListModel(QAbstractTableModel):
    """Rows of text cells; subclasses say what each column holds."""

    HEADERS: tuple[str, ...] = ()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.items: tuple = ()

    def set_items(self, items: tuple) -> None:
        self.beginResetModel()
        self.items = tuple(items)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.HEADERS)
        ):
            return tr(self.HEADERS[section])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.items):
            return None
        return self.cell(self.items[index.row()], index.column(), role)

    def cell(self, item, column: int, role: int) -> Any:
        raise NotImplementedError


class RepeatsModel(_ListModel):
    HEADERS = ("Purpose", "Came back", "Repeat rate (95% interval · n)")

    def __init__(self, taxonomy: Taxonomy, parent: QObject | None = None):
        super().__init__(parent)
        self.taxonomy = taxonomy
        self._most = 1

    def set_items(self, items: tuple) -> None:
        self._most = max((p.repeats for p in items), default=1) or 1
        super().set_items(items)

    def cell(self, item: PurposeRepeats, column: int, role: int) -> Any:
        display = role == Qt.ItemDataRole.DisplayRole
        if column == 0 and (display or role == Qt.ItemDataRole.ToolTipRole):
            return self.taxonomy.purpose_display(item.purpose)
        if column == 1:
            if display:
                return str(item.repeats)
            if role == BAR_ROLE:
                return item.repeats / self._most
            if role == Qt.ItemDataRole.ToolTipRole:
                return fill(
                    tr("%1 of %2 settled contacts about this purpose were followed by another"),
                    item.repeats,
                    item.rate.n,
                )
        if column == 2 and display:
            return rate_text(item.rate)
        return None


def reason_label(taxonomy: Taxonomy, code: str | None) -> str:
    if code is None:
        return tr("No reason recorded")
    term = taxonomy.cancel_reason(code)
    return term.label if term is not None else code


class CancelModel(_ListModel):
    HEADERS = ("Reason", "Contacts", "Share", "Running total", "Stayed")

    def __init__(self, taxonomy: Taxonomy, parent: QObject | None = None):
        super().__init__(parent)
        self.taxonomy = taxonomy
        self._largest = 1.0

    def set_items(self, items: tuple) -> None:
        self._largest = max((r.share for r in items), default=1.0) or 1.0
        super().set_items(items)

    def cell(self, item: CancelReason, column: int, role: int) -> Any:
        display = role == Qt.ItemDataRole.DisplayRole
        if column == 0 and (display or role == Qt.ItemDataRole.ToolTipRole):
            return reason_label(self.taxonomy, item.reason)
        if column == 1:
            if display:
                return str(item.count)
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return _RIGHT
        if column == 2:
            if display:
                return percent(item.share)
            if role == BAR_ROLE:
                return item.share / self._largest  # the longest bar fills its cell
        if column == 3:
            if display:
                return percent(item.cumulative_share)
            if role == BAR_ROLE:
                return item.cumulative_share
            if role == HOLLOW_ROLE:
                return True
        if column == 4:
            if display:
                return self._stayed(item)
            if role == Qt.ItemDataRole.ToolTipRole:
                return tr("Customers who wanted to cancel for this reason and stayed")
        if role == Qt.ItemDataRole.AccessibleTextRole and column in (2, 3):
            return fill(
                tr("%1 of cancellation contacts; %2 together with the reasons above"),
                percent(item.share),
                percent(item.cumulative_share),
            )
        return None

    @staticmethod
    def _stayed(item: CancelReason) -> str:
        r = item.save_rate
        if r.value is None or r.low is None or r.high is None:
            return fill(tr("%1 of %2"), item.stayed, item.count)
        return fill(
            tr("%1 of %2 · %3 (%4–%5)"),
            item.stayed,
            item.count,
            percent(r.value),
            percent(r.low),
            percent(r.high),
        )


class RepeatsSection(Section):
    def __init__(self, taxonomy: Taxonomy, parent: QWidget | None = None):
        super().__init__(tr("Purposes customers most often come back about"), parent=parent)
        self.model = RepeatsModel(taxonomy, self)
        self.table = FittedTable(tr("Purposes with the most repeat contacts"))
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(1, BarDelegate(self.table))
        self.table.set_column_widths({1: 150, 2: 220})
        self.empty = quiet(tr("No settled contacts with a customer reference yet."))
        self.body.addWidget(self.table)
        self.body.addWidget(self.empty)

    def show_repeats(self, repeats: tuple[PurposeRepeats, ...]) -> None:
        self.model.set_items(repeats[:TOP_REPEATS])
        self.table.setVisible(bool(repeats))
        self.empty.setVisible(not repeats)


class CancelSection(Section):
    def __init__(self, taxonomy: Taxonomy, parent: QWidget | None = None):
        super().__init__(tr("Why customers wanted to cancel"), parent=parent)
        self.model = CancelModel(taxonomy, self)
        self.table = FittedTable(tr("Cancellation reasons, most frequent first"))
        self.table.setModel(self.model)
        delegate = BarDelegate(self.table)
        for column in (2, 3):
            self.table.setItemDelegateForColumn(column, delegate)
        self.table.set_column_widths({1: 80, 2: 140, 3: 140, 4: 200}, first_at_least=180)
        self.summary = quiet()
        self.body.addWidget(self.table)
        self.body.addWidget(self.summary)

    def show_reasons(self, reasons: tuple[CancelReason, ...], wanted: int, stayed: int) -> None:
        self.model.set_items(reasons)
        self.table.setVisible(bool(reasons))
        self.summary.setText(
            fill(tr("%1 customers wanted to cancel; %2 of them stayed."), wanted, stayed)
            if wanted
            else tr("No customer wanted to cancel in these weeks.")
        )
