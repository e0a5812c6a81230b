"""A quiet, non-blocking confirmation at the foot of the window, with an optional Undo."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from cxcompanion.ui.theme import style

SHOW_MS = 10_000


class Toast(QFrame):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        style(self, "toast")
        self.setAccessibleName(self.tr("Confirmation"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 8, 10, 8)
        layout.setSpacing(14)
        self.message = QLabel(self)
        self.undo_button = QPushButton(self.tr("Undo  (Ctrl+Z)"), self)
        self.undo_button.setAccessibleName(self.tr("Undo"))
        self.close_button = QPushButton("✕", self)
        style(self.close_button, "flat")
        self.close_button.setAccessibleName(self.tr("Dismiss"))
        self.close_button.setFixedWidth(32)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.undo_button)
        layout.addWidget(self.close_button)
        self._undo: Callable[[], None] | None = None
        self._timer = QTimer(self, singleShot=True, interval=SHOW_MS)
        self._timer.timeout.connect(self.dismiss)
        self.undo_button.clicked.connect(self.undo)
        self.close_button.clicked.connect(self.dismiss)
        self.hide()

    def show_message(self, text: str, undo: Callable[[], None] | None = None) -> None:
        self.message.setText("✓ " + text)
        self._undo = undo
        self.undo_button.setVisible(undo is not None)
        self.show()
        self._timer.start()

    def undo(self) -> bool:
        """Run the pending Undo, once; False when there is nothing to undo."""
        action, self._undo = self._undo, None
        self.dismiss()
        if action is None:
            return False
        action()
        return True

    @property
    def can_undo(self) -> bool:
        return self._undo is not None and self.isVisible()

    def dismiss(self) -> None:
        self._timer.stop()
        self.hide()
