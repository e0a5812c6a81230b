"""Exporting the report from the app: choose a folder, watch it being written, see the files.

The export (services/report_export.py) runs in a worker with its own Profile, as it may take
many seconds at a million contacts; its progress comes back to the UI thread as a signal.
The panel sits inline (Team review shows it under its header), never as a modal dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cxcompanion.domain.enums import Role
from cxcompanion.services.profile import Profile
from cxcompanion.services.report_export import SQLITE_NAME, ExportSummary, export_report
from cxcompanion.store.errors import StoreError
from cxcompanion.ui.theme import style
from cxcompanion.ui.widgets import ErrorLabel
from cxcompanion.ui.workers import Job, run_in_background


def export_in_worker(
    profile_folder: Path, folder: str, progress: Callable[[str, int], None]
) -> tuple[str, Any]:
    """Runs on a pool thread with its own Profile: ("done", ExportSummary), or ("refused",
    the service's message) for a folder or store the report cannot be written with."""
    try:
        profile = Profile(profile_folder)
        try:
            return "done", export_report(profile, folder, progress=progress)
        finally:
            profile.close()
    except StoreError as exc:  # ExportError among them
        return "refused", str(exc)


def _label(text: str = "", role: str | None = None, *, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if role:
        style(label, role)
    return label


class ReportExportPanel(QFrame):
    export_finished = Signal(object)  # the ExportSummary
    export_failed = Signal(str)  # the message shown
    closed = Signal()
    _worker_progress = Signal(int, str, int)  # generation, table, rows written so far

    def __init__(self, profile: Profile, parent: QWidget | None = None):
        super().__init__(parent)
        style(self, "card")
        self.profile = profile
        self.running = False
        self.summary: ExportSummary | None = None
        self._generation = 0
        self._jobs: list[Job] = []
        title = self.tr("Export report")
        self.setAccessibleName(title)

        box = QVBoxLayout(self)
        box.setContentsMargins(18, 14, 18, 16)
        box.setSpacing(10)
        head = QHBoxLayout()
        head.setSpacing(10)
        self.title = _label(title, "sectionTitle", wrap=False)
        head.addWidget(self.title)
        head.addStretch(1)
        self.choose_button = QPushButton(self.tr("Choose a folder and export…"))
        style(self.choose_button, "primary")
        self.choose_button.setAccessibleName(self.tr("Choose a folder and export the report"))
        self.choose_button.setAutoDefault(True)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setAccessibleName(self.tr("Close the report export"))
        self.close_button.setAutoDefault(True)
        head.addWidget(self.choose_button)
        head.addWidget(self.close_button)
        box.addLayout(head)

        whose = (
            self.tr("Every contact of the team")
            if profile.identity.role is Role.LEAD
            else self.tr("Your own contacts")
        )
        self.about = _label(
            self.tr(
                "%1, with their ideas, surveys, evaluations and coaching notes: CSV files for "
                "Excel or LibreOffice (one row per contact) and one SQLite file with the same "
                "tables for DuckDB, pandas or sqlite3. Choose an empty folder, or the folder "
                "of an earlier report to replace it."
            ).replace("%1", whose),
            "quiet",
        )
        box.addWidget(self.about)

        self.progress_box = QWidget()
        progress_row = QHBoxLayout(self.progress_box)
        progress_row.setContentsMargins(0, 0, 0, 0)
        progress_row.setSpacing(12)
        self.progress_label = _label(wrap=False)
        self.progress_label.setAccessibleName(self.tr("Export progress"))
        self.progress = QProgressBar()
        style(self.progress, "progress")
        self.progress.setAccessibleName(self.tr("Export progress"))
        self.progress.setTextVisible(False)
        self.progress.setRange(0, 0)  # busy: the number of rows is not known beforehand
        self.progress.setFixedWidth(200)
        progress_row.addWidget(self.progress_label)
        progress_row.addWidget(self.progress)
        progress_row.addStretch(1)
        self.progress_box.hide()
        box.addWidget(self.progress_box)

        self.error = ErrorLabel()
        self.error.setAccessibleName(self.tr("Export problem"))
        box.addWidget(self.error)

        self.result_box = QWidget()
        result = QVBoxLayout(self.result_box)
        result.setContentsMargins(0, 0, 0, 0)
        result.setSpacing(8)
        done_row = QHBoxLayout()
        self.done_label = _label()
        self.done_label.setAccessibleName(self.tr("Where the report was written"))
        self.open_button = QPushButton(self.tr("Open the folder"))
        self.open_button.setAccessibleName(self.tr("Open the report's folder"))
        self.open_button.setAutoDefault(True)
        done_row.addWidget(self.done_label, 1)
        done_row.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignTop)
        result.addLayout(done_row)
        self.files_grid = QGridLayout()
        self.files_grid.setHorizontalSpacing(24)
        self.files_grid.setVerticalSpacing(4)
        self.files_grid.setColumnMinimumWidth(2, 32)  # between the two columns of files
        self.files_grid.setColumnStretch(5, 1)
        result.addLayout(self.files_grid)
        self.file_labels: dict[str, tuple[QLabel, QLabel]] = {}
        self.result_box.hide()
        box.addWidget(self.result_box)

        self.choose_button.clicked.connect(self._on_choose_button_clicked)
        self.close_button.clicked.connect(self._on_close_button_clicked)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self._worker_progress.connect(self._on_worker_progress)

    # -- public API ----------------------------------------------------------------------

    def start(self, folder: str | Path) -> bool:
        """Export the report into `folder` in a worker; False if one is already running."""
        if self.running:
            return False
        self._generation += 1
        generation, emit = self._generation, self._worker_progress.emit
        self.running = True
        self.summary = None
        self.error.show_error(None)
        self.result_box.hide()
        self.progress_label.setText(
            self.tr("Writing the report into %1…").replace("%1", str(folder))
        )
        self.progress_box.show()
        self.choose_button.setEnabled(False)
        profile_folder, target = self.profile.folder, str(folder)
        job = run_in_background(
            lambda: export_in_worker(
                profile_folder, target, lambda table, rows: emit(generation, table, rows)
            ),
            lambda outcome: self._on_job_finished(generation, outcome),
            lambda message: self._on_job_failed(generation, message),
        )
        self._jobs = [*self._jobs[-3:], job]  # referenced until their signals are delivered
        return True

    def focus_first(self) -> None:
        self.choose_button.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- slots ---------------------------------------------------------------------------

    def _on_choose_button_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Folder for the report"))
        if folder:
            self.start(folder)

    def _on_close_button_clicked(self) -> None:
        self.hide()
        self.closed.emit()

    def _on_open_button_clicked(self) -> None:
        if self.summary is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.summary.folder)))

    def _on_worker_progress(self, generation: int, table: str, rows: int) -> None:
        if generation == self._generation and self.running:
            self.progress_label.setText(
                self.tr("%1: %2 rows…").replace("%1", table).replace("%2", self._number(rows))
            )

    def _on_job_finished(self, generation: int, outcome: tuple[str, Any]) -> None:
        if generation != self._generation:
            return
        kind, value = outcome
        if kind == "done":
            self._done()
            self._show_summary(value)
            self.export_finished.emit(value)
        else:
            self._failed(value)

    def _on_job_failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self._failed(self.tr("The report could not be written: %1").replace("%1", message))

    # -- inside --------------------------------------------------------------------------

    def _done(self) -> None:
        self.running = False
        self.progress_box.hide()
        self.choose_button.setEnabled(True)

    def _failed(self, message: str) -> None:
        self._done()
        self.about.show()
        self.error.show_error(message)
        self.export_failed.emit(message)
        self.choose_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_summary(self, summary: ExportSummary) -> None:
        self.summary = summary
        text = self.tr("✓ The report is in %1").replace("%1", str(summary.folder))
        if summary.period_start:
            text += (
                self.tr(" · contacts from %1 to %2")
                .replace("%1", summary.period_start)
                .replace("%2", summary.period_end or summary.period_start)
            )
        self.done_label.setText(text)
        while self.files_grid.count():
            item = self.files_grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.file_labels = {}
        lines = [(f"{table}.csv", self._rows_text(count)) for table, count in summary.rows]
        lines.append((SQLITE_NAME, self.tr("%1 tables").replace("%1", str(len(summary.rows)))))
        per_column = (len(lines) + 1) // 2  # two columns of files keep the strip short
        for number, (name, count) in enumerate(lines):
            name_label = _label(name, "fieldLabel", wrap=False)
            name_label.setContentsMargins(0, 0, 0, 0)
            count_label = _label(count, wrap=False)
            count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            count_label.setAccessibleName(self.tr("%1: rows").replace("%1", name))
            if name == SQLITE_NAME:
                count_label.setAccessibleName(self.tr("%1: tables").replace("%1", name))
                count_label.setToolTip(self.tr("The same rows, for DuckDB, sqlite3 or Datasette"))
            row, column = number % per_column, 3 * (number // per_column)
            self.files_grid.addWidget(name_label, row, column)
            self.files_grid.addWidget(count_label, row, column + 1)
            self.file_labels[name] = (name_label, count_label)
        self.about.hide()  # said before the export; the strip keeps to what was written
        self.result_box.show()
        self.open_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _rows_text(self, count: int) -> str:
        if count == 1:
            return self.tr("1 row")
        return self.tr("%1 rows").replace("%1", self._number(count))

    def _number(self, value: int) -> str:
        """120,000 in the person's locale, grouped even where the locale would not (C)."""
        locale = self.locale()
        locale.setNumberOptions(QLocale.NumberOption.DefaultNumberOptions)
        return locale.toString(value)
