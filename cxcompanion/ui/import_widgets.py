"""The small widgets the import steps are built from: labels and combo boxes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel

from cxcompanion.ui.theme import style


def label(text: str = "", role: str | None = None, *, wrap: bool = True) -> QLabel:
    shown = QLabel(text)
    shown.setWordWrap(wrap)
    if role:
        style(shown, role)
    if role == "fieldLabel":
        shown.setContentsMargins(0, 0, 0, 0)
    return shown


def selectable_label(text: str = "", role: str | None = None, *, wrap: bool = True) -> QLabel:
    """A label whose words can be selected and copied (file names, counts, messages)."""
    selectable = label(text, role, wrap=wrap)
    selectable.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return selectable


def combo(name: str, items: Sequence[tuple[str, Any]], width: int = 0) -> QComboBox:
    """A combo box of (text, data) entries; `width` (in characters) keeps long entries from
    making the page scroll sideways."""
    box = QComboBox()
    box.setAccessibleName(name)
    for text, data in items:
        box.addItem(text, data)
    if width:
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        box.setMinimumContentsLength(width)
        box.view().setMinimumWidth(box.view().sizeHintForColumn(0) + 24)
    return box
