"""One column of the idea board: its status, how many ideas it holds, and their cards.

The list takes the board's keys: Ctrl+Left/Right asks to move the selected card a column,
Left/Right go to the neighbouring column, Enter or the menu key open "Move to…". Cards are
dragged to another column with the mouse; the board then asks for a note before moving.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragLeaveEvent,
    QDropEvent,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QVBoxLayout,
    QWidget,
)

from cxcompanion.domain.taxonomy import Taxonomy
from cxcompanion.ui.ideas_card import CardListView, IdeaCardDelegate
from cxcompanion.ui.ideas_model import BOARD, IdeaListModel, count_text, status_text, status_word
from cxcompanion.ui.theme import ACCENT, style

_COLUMN_SHEET = (
    "QFrame#ideaColumn { background: palette(alternate-base); "
    "border: 1px solid palette(midlight); border-radius: 8px; }"
)
_TARGET_SHEET = (
    "QFrame#ideaColumn { background: palette(alternate-base); "
    f"border: 2px solid {ACCENT}; border-radius: 8px; }}"
)


class CardList(CardListView):
    """The cards of one column, painted by IdeaCardDelegate."""

    step_requested = Signal(int)  # Ctrl+Left (-1) / Ctrl+Right (+1): move the selected card
    neighbour_requested = Signal(int)  # Left / Right: go to the column beside this one
    menu_requested = Signal(QPoint)  # Enter, the menu key or a right click: where (global)
    drag_hovered = Signal(bool)  # a card from another column is over this one

    def __init__(self, placeholder: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.placeholder = placeholder
        self.verticalScrollBar().setSingleStep(20)
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(150)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.viewport().setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(False)  # a drop goes to the column, not between two cards
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._on_self_custom_context_menu_requested)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        ctrl = mods & Qt.KeyboardModifier.ControlModifier
        plain = not mods & ~Qt.KeyboardModifier.KeypadModifier
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and (ctrl or plain):
            step = -1 if key == Qt.Key.Key_Left else 1
            (self.step_requested if ctrl else self.neighbour_requested).emit(step)
            event.accept()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain and self.currentIndex().isValid():
            self.menu_requested.emit(self.mapToGlobal(self._card_corner()))
            event.accept()
            return
        super().keyPressEvent(event)

    def _card_corner(self) -> QPoint:
        rect = self.visualRect(self.currentIndex())
        return self.viewport().mapTo(self, rect.center() if rect.isValid() else QPoint(8, 8))

    def _on_self_custom_context_menu_requested(self, pos: QPoint) -> None:
        index = self.indexAt(pos)
        if index.isValid():
            self.setCurrentIndex(index)
            self.menu_requested.emit(self.viewport().mapToGlobal(pos))
        elif self.currentIndex().isValid():
            self.menu_requested.emit(self.mapToGlobal(self._card_corner()))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        super().dragEnterEvent(event)
        self.drag_hovered.emit(event.isAccepted())

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        super().dragLeaveEvent(event)
        self.drag_hovered.emit(False)

    def dropEvent(self, event: QDropEvent) -> None:
        self.drag_hovered.emit(False)
        super().dropEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        model = self.model()
        if model is not None and model.rowCount() == 0 and self.placeholder:
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            rect = self.viewport().rect().adjusted(12, 16, -12, -12)
            flags = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
            painter.drawText(QRect(rect), int(flags | Qt.TextFlag.TextWordWrap), self.placeholder)


class BoardColumn(QFrame):
    """A status column: its heading with a count, and its list of cards."""

    def __init__(self, status: str, taxonomy: Taxonomy, parent: QWidget | None = None):
        super().__init__(parent)
        self.status = status
        self.setObjectName("ideaColumn")
        self.setStyleSheet(_COLUMN_SHEET)
        self.setMinimumWidth(150)
        box = QVBoxLayout(self)
        box.setContentsMargins(6, 10, 4, 6)
        box.setSpacing(6)
        head = QHBoxLayout()
        head.setContentsMargins(8, 0, 8, 0)
        self.heading = QLabel(status_text(status))
        style(self.heading, "tileTitle")
        self.count = QLabel("0")
        style(self.count, "quiet")
        head.addWidget(self.heading, 1)
        head.addWidget(self.count)
        box.addLayout(head)
        self.model = IdeaListModel(taxonomy, mode=BOARD, status=status, parent=self)
        self.view = CardList(self.tr("No ideas here. Drag a card here to move it."))
        self.view.setModel(self.model)
        self.delegate = IdeaCardDelegate(BOARD, self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.drag_hovered.connect(self._on_view_drag_hovered)
        box.addWidget(self.view, 1)
        self.show_count()

    def show_count(self) -> None:
        shown = len(self.model)
        self.count.setText(f"{shown:,}")
        words = count_text(shown, "1 idea", "%1 ideas")
        self.count.setAccessibleName(words)
        self.view.setAccessibleName(
            self.tr("%1: %2").replace("%1", status_word(self.status)).replace("%2", words)
        )
        self.view.setAccessibleDescription(
            self.tr(
                "Ctrl+Right or Ctrl+Left moves the selected idea a column; Left and Right go "
                "to the next column; Enter opens Move to"
            )
        )

    def _on_view_drag_hovered(self, hovered: bool) -> None:
        self.setStyleSheet(_TARGET_SHEET if hovered else _COLUMN_SHEET)
