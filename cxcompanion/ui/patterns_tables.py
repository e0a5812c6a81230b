"""Table pieces the Patterns page shares: a read-only table that is as tall as its rows
(the page scrolls, not each table) and a delegate that draws a bar behind a number."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from cxcompanion.ui.theme import ACCENT

# The bar's length as a fraction of the cell (0..1), and whether it is drawn hollow (a
# cumulative share, told apart from a share by its outline rather than by its colour).
BAR_ROLE = Qt.ItemDataRole.UserRole + 20
HOLLOW_ROLE = Qt.ItemDataRole.UserRole + 21


class FittedTable(QTableView):
    """A read-only table whose height fits its rows; Tab moves on, arrows move inside."""

    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName(name)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setTabKeyNavigation(False)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.verticalHeader().hide()
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 12)
        self.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        self.horizontalHeader().setHighlightSections(False)

    def setModel(self, model) -> None:
        super().setModel(model)
        model.modelReset.connect(self.fit)
        model.layoutChanged.connect(self.fit)
        self.fit()

    def set_column_widths(self, widths: dict[int, int], first_at_least: int = 220) -> None:
        """Column 0 (a purpose or a reason) takes the room the others leave; the others get
        `widths` (pixels), or fit their contents where none is given. The table never
        shrinks below what its columns need: the page scrolls sideways instead."""
        header = self.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        fixed = 0
        for column in range(1, self.model().columnCount()):
            if column in widths:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
                header.resizeSection(column, widths[column])
                fixed += widths[column]
            else:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
                fixed += header.sectionSizeHint(column)
        self.setMinimumWidth(fixed + first_at_least + 2 * self.frameWidth())

    def fit(self) -> None:
        rows = self.model().rowCount() if self.model() is not None else 0
        header = self.horizontalHeader().sizeHint().height()
        body = rows * self.verticalHeader().defaultSectionSize()
        self.setFixedHeight(header + body + 2 * self.frameWidth())


class BarDelegate(QStyledItemDelegate):
    """A bar behind the cell's text: filled for a share, outlined for a cumulative share."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        fraction = index.data(BAR_ROLE)
        if fraction is None:
            super().paint(painter, option, index)
            return
        self.initStyleOption(option, index)
        text = option.text
        option.text = ""
        widget = option.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(style.ControlElement.CE_ItemViewItem, option, painter, widget)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(option.rect).adjusted(4, 5, -4, -5)
        label_width = option.fontMetrics.horizontalAdvance("100% ") + 4
        room = max(rect.width() - label_width, 0.0)
        bar = QRectF(rect.left() + label_width, rect.top(), room * float(fraction), rect.height())
        colour = QColor(ACCENT)
        if index.data(HOLLOW_ROLE):
            painter.setPen(colour)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(bar.adjusted(0.5, 0.5, -0.5, -0.5))
        else:
            colour.setAlpha(150)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRect(bar)
        ink = option.palette.color(
            QPalette.ColorRole.HighlightedText
            if option.state & QStyle.StateFlag.State_Selected
            else QPalette.ColorRole.Text
        )
        painter.setPen(ink)
        painter.drawText(
            QRectF(rect.left(), rect.top(), label_width - 6, rect.height()),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            text,
        )
        painter.restore()
