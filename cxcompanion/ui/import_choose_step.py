"""The Choose step of the import page: what the file holds, the file, and a saved mapping."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cxcompanion.ui.import_widgets import selectable_label
from cxcompanion.ui.widgets import ChoiceRow, ErrorLabel


class ChooseStep(QWidget):
    """The kind of file (survey results only for a lead), its path and an optional mapping."""

    next_requested = Signal()  # Return in one of the paths

    def __init__(self, is_lead: bool, parent: QWidget | None = None):
        super().__init__(parent)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(10)
        box.addWidget(selectable_label(self.tr("What to import"), "sectionTitle"))
        choices = [("contacts", self.tr("Contact history")), ("surveys", self.tr("Survey results"))]
        self.kind = ChoiceRow(choices, self.tr("What to import"))
        self.kind.set_value("contacts")
        self.kind.button("surveys").setEnabled(is_lead)
        box.addWidget(self.kind)
        note = self.tr(
            "Survey results are imported by your team lead: they are the lead's "
            "records, and each answer reaches you with the contact it is about."
        )
        self.kind_note = selectable_label(note, "quiet")
        self.kind_note.setVisible(not is_lead)
        box.addWidget(self.kind_note)
        box.addSpacing(14)
        box.addWidget(selectable_label(self.tr("File"), "sectionTitle"))
        self.path, self.file_error = self._file_row(
            box,
            self.tr("The CSV or Excel file to import"),
            self.tr("a .csv or .xlsx file"),
            self.tr("&Browse…"),
            self._on_browse_button_clicked,
        )
        box.addSpacing(14)
        box.addWidget(selectable_label(self.tr("Saved mapping (optional)"), "sectionTitle"))
        note = self.tr(
            "A mapping saved at an earlier import of the same kind of file: its "
            "columns are then taken as before."
        )
        box.addWidget(selectable_label(note, "quiet"))
        self.mapping_path, self.mapping_error = self._file_row(
            box,
            self.tr("A saved mapping file"),
            self.tr("none: suggest one from the columns"),
            self.tr("&Use a saved mapping…"),
            self._on_mapping_button_clicked,
        )
        box.addStretch(1)

    def _file_row(
        self,
        box: QVBoxLayout,
        name: str,
        placeholder: str,
        button_text: str,
        slot: Callable[[], None],
    ) -> tuple[QLineEdit, ErrorLabel]:
        row = QHBoxLayout()
        row.setSpacing(10)
        edit = QLineEdit()
        edit.setAccessibleName(name)
        edit.setPlaceholderText(placeholder)
        edit.setMaximumWidth(640)
        edit.returnPressed.connect(self.next_requested)
        button = QPushButton(button_text)
        button.setAccessibleName(button_text.replace("&", "").rstrip("…"))
        button.clicked.connect(slot)
        row.addWidget(edit, 1)
        row.addWidget(button)
        row.addStretch(0)
        box.addLayout(row)
        error = ErrorLabel()
        box.addWidget(error)
        return edit, error

    def _on_browse_button_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Choose the file to import"),
            "",
            self.tr("Tables (*.csv *.xlsx);;All files (*)"),
        )
        if path:
            self.path.setText(path)

    def _on_mapping_button_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose a saved mapping"), "", self.tr("Mapping (*.json)")
        )
        if path:
            self.mapping_path.setText(path)
