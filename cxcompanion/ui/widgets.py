"""Small widgets the forms are built from: choice rows, the mood scale, inline errors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from cxcompanion.ui.theme import style


class ErrorLabel(QLabel):
    """An inline message under a field: a sign and words, so it never relies on colour."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        style(self, "fieldError")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_error(self, message: str | None) -> None:
        if message:
            self.setText("⚠ " + message)
            self.show()
        else:
            self.clear()
            self.hide()


class ChoiceRow(QWidget):
    """A row of radio buttons for one coded value; arrows move, Tab enters and leaves.

    Radio buttons that share a parent are auto-exclusive, which gives the keyboard
    behaviour for free: Tab lands on the checked one, arrow keys change the choice.
    """

    changed = Signal()

    def __init__(
        self, choices: Sequence[tuple[str, str]], name: str, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.setAccessibleName(name)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(18)
        self._group = QButtonGroup(self)
        self._buttons: dict[str, QRadioButton] = {}
        for code, label in choices:
            button = QRadioButton(label, self)
            button.setAccessibleName(f"{name}: {label}")
            self._group.addButton(button)
            self._buttons[code] = button
            layout.addWidget(button)
            button.toggled.connect(self._on_button_toggled)
        layout.addStretch(1)

    def value(self) -> str:
        return next((code for code, b in self._buttons.items() if b.isChecked()), "")

    def set_value(self, code: str | None) -> None:
        button = self._buttons.get(code or "")
        if button is not None:
            button.setChecked(True)
            return
        # Unchecking inside an exclusive group needs the group to let go for a moment.
        self._group.setExclusive(False)
        for b in self._buttons.values():
            b.setChecked(False)
        self._group.setExclusive(True)

    def button(self, code: str) -> QRadioButton:
        return self._buttons[code]

    def first_focus(self) -> QRadioButton:
        checked = self._group.checkedButton()
        return checked if isinstance(checked, QRadioButton) else next(iter(self._buttons.values()))

    def setFocus(self, *args) -> None:
        self.first_focus().setFocus(*args)

    def _on_button_toggled(self, checked: bool) -> None:
        if checked:
            self.changed.emit()


class MoodPicker(QWidget):
    """The customer's mood on −2..+2 with the word for the chosen point beside it."""

    changed = Signal()
    WORDS: ClassVar[dict[str, str]] = {
        "": "not noted",
        "-2": "very upset",
        "-1": "unhappy",
        "0": "neutral",
        "1": "pleased",
        "2": "delighted",
    }

    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        choices = [("", "–"), ("-2", "−2"), ("-1", "−1"), ("0", "0"), ("1", "+1"), ("2", "+2")]
        self.row = ChoiceRow(choices, name, self)
        self.row.layout().setSpacing(10)
        self.row.layout().takeAt(self.row.layout().count() - 1)  # no stretch inside
        for code, _ in choices:
            self.row.button(code).setToolTip(self.WORDS[code].capitalize())
            self.row.button(code).setAccessibleName(f"{name}: {self.WORDS[code]}")
        self.word = QLabel(self)
        self.word.setMinimumWidth(80)
        self.word.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        layout.addWidget(self.row)
        layout.addWidget(self.word)
        layout.addStretch(1)
        self.row.changed.connect(self._on_row_changed)
        self.set_value(None)

    def value(self) -> int | None:
        code = self.row.value()
        return int(code) if code else None

    def set_value(self, mood: int | None) -> None:
        self.row.set_value("" if mood is None else str(mood))
        self._on_row_changed()

    def setFocus(self, *args) -> None:
        self.row.setFocus(*args)

    def _on_row_changed(self) -> None:
        self.word.setText(self.WORDS[self.row.value()])
        self.changed.emit()


def field_box(field, *, grow: bool = True) -> tuple[QVBoxLayout, ErrorLabel]:
    """A form field (a widget or a layout) with its inline error label right under it."""
    box = QVBoxLayout()
    box.setSpacing(4)
    if isinstance(field, QWidget):
        if grow:
            box.addWidget(field)
        else:
            box.addWidget(field, 0, Qt.AlignmentFlag.AlignLeft)
    else:
        box.addLayout(field)
    error = ErrorLabel()
    box.addWidget(error)
    return box, error
