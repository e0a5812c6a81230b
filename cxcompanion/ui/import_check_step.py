"""The Check step of the import page: the dry run's report, and the person's choice when some
rows have problems (import the good rows, or nothing)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QRadioButton, QVBoxLayout, QWidget

from cxcompanion.ui.import_report_view import ReportView
from cxcompanion.ui.import_text import fill, row_count
from cxcompanion.ui.import_widgets import selectable_label
from cxcompanion.ui.widgets import ErrorLabel


class CheckStep(QWidget):
    """What the check found, in a title and a report; the choice shows only when needed."""

    choice_changed = Signal()  # good rows or nothing

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(10)
        self.title = selectable_label(role="sectionTitle")
        box.addWidget(self.title)
        self.error = ErrorLabel()
        box.addWidget(self.error)
        self.view = ReportView()
        box.addWidget(self.view, 1)
        self.note = selectable_label()
        box.addWidget(self.note)
        self.choice_box = QWidget()
        choices = QVBoxLayout(self.choice_box)
        choices.setContentsMargins(0, 6, 0, 0)
        choices.setSpacing(8)
        question = self.tr("Some rows have problems. What shall be imported?")
        choices.addWidget(selectable_label(question, "fieldLabel"))
        self.good_rows = QRadioButton()
        self.good_rows.setAccessibleName(self.tr("Import the good rows, leave out the others"))
        self.no_rows = QRadioButton(self.tr("Import nothing, so I can fix the file first"))
        self.no_rows.setAccessibleName(self.tr("Import nothing"))
        self.choice = QButtonGroup(self)
        for button in (self.good_rows, self.no_rows):
            self.choice.addButton(button)
            choices.addWidget(button)
            button.toggled.connect(self._on_choice_toggled)
        box.addWidget(self.choice_box)
        box.addStretch(0)

    def show_checking(self) -> None:
        """A check begins: nothing of the last one stays, and nothing is chosen."""
        self.error.show_error(None)
        self.title.setText(self.tr("Checking every row…"))
        for widget in (self.view, self.choice_box, self.note):
            widget.hide()
        self.choice.setExclusive(False)
        for button in (self.good_rows, self.no_rows):
            button.setChecked(False)
        self.choice.setExclusive(True)

    def show_report(self, report) -> None:
        """Show the dry run's ImportReport."""
        self.view.show_report(report)
        self.view.show()
        if report.rejected and report.good:
            title = self.tr("Checked: %1 can be imported, %2 cannot")
        elif report.rejected:
            title = self.tr("Checked: none of the rows can be imported as they are")
            note = self.tr(
                "Go back to the map: often a date format or the meaning of a value "
                "is all it takes. Or fix the file, and check it again."
            )
            self.note.setText(note)
        elif report.new + report.updated:
            title = self.tr("Checked: %1 can be imported, and none has a problem")
        else:
            title = self.tr("Checked: nothing new to import, every row is already here")
        self.title.setText(fill(title, row_count(report.good), row_count(report.rejected)))
        text = self.tr("Import the good rows (%1), and leave out %2 with problems")
        self.good_rows.setText(fill(text, report.good, row_count(report.rejected)))
        self.choice_box.setVisible(bool(report.rejected and report.good))
        self.note.setVisible(bool(report.rejected and not report.good))

    def show_failure(self, words: str, cancelled: bool) -> None:
        """The check did not finish (a cancel, from Back, says nothing)."""
        if not cancelled:
            self.title.setText(self.tr("The check could not finish"))
            self.error.show_error(words)

    def _on_choice_toggled(self, _checked: bool) -> None:
        self.choice_changed.emit()
