"""The purpose field: a few letters find the purpose in the team's taxonomy, and the chosen
purpose is confirmed beside the field ("✓ Billing › Charged twice")."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import QCompleter, QHBoxLayout, QLabel, QLineEdit, QWidget

from cxcompanion.domain.taxonomy import Taxonomy


class PurposeField(QWidget):
    code_changed = Signal(str)  # the resolved purpose code, "" while none is chosen

    def __init__(self, taxonomy: Taxonomy, parent: QWidget | None = None):
        super().__init__(parent)
        self.taxonomy = taxonomy
        self.code = ""
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(self.tr("type to search: refund, login, cancel…"))
        self.edit.setAccessibleName(self.tr("Purpose"))
        self.edit.setMinimumHeight(30)
        self._labels = {taxonomy.purpose_display(t.code): t.code for t in taxonomy.purposes}
        completer = QCompleter(QStringListModel(list(self._labels)), self.edit)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setMaxVisibleItems(12)
        self.edit.setCompleter(completer)
        self.hint = QLabel(self)
        self.hint.setObjectName("purposeHint")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(self.edit, 3)
        layout.addWidget(self.hint, 2)
        self.setFocusProxy(self.edit)
        self.edit.textChanged.connect(self._on_edit_text_changed)
        completer.activated.connect(self._on_edit_text_changed)

    def text(self) -> str:
        return self.edit.text()

    def set_purpose(self, code: str, text: str | None = None) -> None:
        """Show a stored purpose (its label), or exactly what was typed (a draft)."""
        if text is None:
            text = self.taxonomy.purpose_display(code) if code else ""
        self.edit.setText(text)
        self._on_edit_text_changed()

    @property
    def unresolved(self) -> bool:
        """Something is typed, but it does not name one purpose yet."""
        return bool(self.edit.text().strip()) and not self.code

    def _resolve(self, text: str) -> str:
        code = self._labels.get(text)
        if code is None and self.taxonomy.purpose(text):
            code = text  # a purpose code typed as such
        if code is None and text:
            matches = self.taxonomy.search_purposes(text)
            if len(matches) == 1:
                code = matches[0].code
        return code or ""

    def _on_edit_text_changed(self, *_: Any) -> None:
        text = self.edit.text().strip()
        code = self._resolve(text)
        if code:
            self.hint.setText("✓ " + self.taxonomy.purpose_display(code))
        elif text:
            found = len(self.taxonomy.search_purposes(text))
            self.hint.setText(
                self.tr("%1 matching purposes: keep typing or press ↓").replace("%1", str(found))
                if found
                else self.tr("no purpose matches; try another word")
            )
        else:
            self.hint.setText("")
        if code != self.code:
            self.code = code
            self.code_changed.emit(code)
