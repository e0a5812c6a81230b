"""The last step of the import page: the import's progress while it runs, then what it wrote
(or that it wrote nothing, and why)."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QVBoxLayout, QWidget

from cxcompanion.ui.import_report_view import ReportView
from cxcompanion.ui.import_text import fill, row_count
from cxcompanion.ui.import_widgets import selectable_label
from cxcompanion.ui.theme import style


class ResultStep(QWidget):
    """A headline and a note, the progress of the rows read, and the final report."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(10)
        self.result = selectable_label(role="sectionTitle")
        box.addWidget(self.result)
        self.result_note = selectable_label(role="quiet")
        box.addWidget(self.result_note)
        self.progress = QProgressBar()
        style(self.progress, "progress")
        self.progress.setAccessibleName(self.tr("Rows read"))
        self.progress.setTextVisible(False)
        self.progress.setMaximumWidth(420)
        self.progress_label = selectable_label(wrap=False)
        self.progress_box = QWidget()
        line = QHBoxLayout(self.progress_box)
        line.setContentsMargins(0, 0, 0, 0)
        line.setSpacing(14)
        line.addWidget(self.progress, 1)
        line.addWidget(self.progress_label)
        line.addStretch(1)
        box.addWidget(self.progress_box)
        self.final_view = ReportView()
        box.addWidget(self.final_view, 1)
        box.addStretch(0)  # while the import runs, everything stays at the top

    def show_running(self, total: int) -> None:
        """The import of `total` rows (as the check counted them) begins."""
        self.result.setText(self.tr("Importing…"))
        note = self.tr(
            "Nothing is kept until every row has been read: a cancel leaves everything as it was."
        )
        self.result_note.setText(note)
        self.progress_label.setText(fill(self.tr("0 of %1 rows read"), total))
        self.final_view.hide()
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(0)
        self.progress_box.show()

    def show_progress(self, rows: int, total: int) -> None:
        if rows >= total > 0:
            # What is left (indexes, the search index, the commit) has no count to show:
            # a large file spends some seconds here, and a still bar would look stuck.
            self.progress.setRange(0, 0)
            self.progress_label.setText(
                fill(self.tr("All %1 rows read; writing them and making them searchable…"), total)
            )
            return
        self.progress.setValue(min(rows, self.progress.maximum()))
        self.progress_label.setText(fill(self.tr("%1 of %2 rows read"), rows, total))

    def show_report(self, report) -> None:
        """Show the ImportReport of an import that finished (and may have written nothing)."""
        self._hide_progress()
        self.final_view.show_report(report)
        self.final_view.show()
        if not report.written:
            text = self.tr(
                "Nothing was imported: the file has problems the check did not see (%1)."
            )
            self.result.setText(fill(text, row_count(report.rejected)))
            self.result_note.setText(self.tr("Was the file changed? Go back and check again."))
            return
        if report.kind == "contacts":
            text = self.tr("✓ Imported. New contacts: %1 · changed: %2")
            note = self.tr("They are in My contacts and count in My feedback.")
        else:
            text = self.tr("✓ Imported. New survey answers: %1 · changed: %2")
            note = self.tr(
                "Each matched answer reaches the agent of its contact with the next sync."
            )
        self.result.setText(fill(text, report.new, report.updated))
        self.result_note.setText(note)

    def show_failure(self, words: str, cancelled: bool) -> str:
        """The import stopped, writing nothing; the words said (for a cancel, reassurance)."""
        self._hide_progress()
        self.final_view.hide()
        if cancelled:
            self.result.setText(self.tr("Stopped. Nothing was written."))
            words = self.tr("Everything is as it was before the import.")
        else:
            self.result.setText(self.tr("The import did not finish. Nothing was written."))
        self.result_note.setText(words)
        return words

    def _hide_progress(self) -> None:
        self.progress_box.hide()
        self.progress_label.clear()
