"""The Import page: contact history or survey results from a CSV or Excel file, step by step.

Choose → Preview → Map → Check (a dry run) → Import. Files are read and imports run in a
worker with its own Profile (a SQLite connection stays on its thread); nothing is written
before the last step, and a cancelled import writes nothing at all. Each step is a widget of
its own module; this page moves between them and runs their work.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QThreadPool, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from cxcompanion.domain.enums import Role
from cxcompanion.domain.import_mapping import ImportMapping
from cxcompanion.services.profile import Profile
from cxcompanion.ui.import_check_step import CheckStep
from cxcompanion.ui.import_choose_step import ChooseStep
from cxcompanion.ui.import_jobs import Outcome, attempt, import_in_worker, preview_in_worker
from cxcompanion.ui.import_mapping_editor import MappingEditor
from cxcompanion.ui.import_preview_step import PreviewStep
from cxcompanion.ui.import_result_step import ResultStep
from cxcompanion.ui.import_text import fill
from cxcompanion.ui.import_widgets import selectable_label
from cxcompanion.ui.theme import style
from cxcompanion.ui.workers import Job

CHOOSE, PREVIEW, MAP, CHECK, IMPORT = range(5)
STEPS = ("Choose", "Preview", "Map", "Check", "Import")
NEXT_WORDS = ("&Next: preview", "&Next: map the columns", "&Next: check every row", "&Import",
              "Import &another file")  # fmt: skip


class ImportPage(QWidget):
    preview_loaded = Signal()
    check_finished = Signal(object)  # the dry run's ImportReport
    import_started = Signal()  # an import that may write (not a check) is on its way
    import_finished = Signal(object)  # the ImportReport of an import that wrote
    import_stopped = Signal(str)  # cancelled, refused or failed: nothing was written
    _worker_rows_read = Signal(int, int)  # generation, rows read so far

    def __init__(self, profile: Profile, parent: QWidget | None = None):
        super().__init__(parent)
        self.profile = profile
        self.is_lead = profile.identity.role is Role.LEAD
        self.preview = None
        self.scanned: dict[str, list[str]] = {}
        self.saved_mapping: ImportMapping | None = None
        self.mapping: ImportMapping | None = None
        self.check_report = None
        self.report = None
        self.running = ""  # "preview", "check" or "import" while a worker runs
        self._map_stale = True
        self._generation = 0
        self._cancel = threading.Event()
        self._jobs: list[Job] = []
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._worker_rows_read.connect(
            self._on_worker_rows_read, Qt.ConnectionType.QueuedConnection
        )
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 16)
        outer.setSpacing(10)
        outer.addWidget(selectable_label(self.tr("Import"), "pageTitle", wrap=False))
        intro = self.tr(
            "Contact history or survey results from a CSV or Excel file. Nothing "
            "is written until you choose Import at the end."
        )
        outer.addWidget(selectable_label(intro, "quiet"))
        self.steps_label = selectable_label(wrap=False)
        self.steps_label.setTextFormat(Qt.TextFormat.RichText)
        outer.addWidget(self.steps_label)
        outer.addSpacing(6)
        self.choose_step = ChooseStep(self.is_lead)
        self.choose_step.next_requested.connect(self._on_next_button_clicked)
        self.preview_step = PreviewStep()
        self.preview_step.sheet_chosen.connect(self._on_preview_step_sheet_chosen)
        self.editor = MappingEditor(self.profile.taxonomy)
        self.check_step = CheckStep()
        self.check_step.choice_changed.connect(self._on_check_step_choice_changed)
        self.result_step = ResultStep()
        self.stack = QStackedWidget()
        for step in (
            self.choose_step,
            self.preview_step,
            self.editor,
            self.check_step,
            self.result_step,
        ):
            self.stack.addWidget(step)
        outer.addWidget(self.stack, 1)
        # The steps' controls a person (and a test) reaches, under the page's names.
        choose, shown, checked = self.choose_step, self.preview_step, self.check_step
        self.kind, self.kind_note, self.path = choose.kind, choose.kind_note, choose.path
        self.file_error, self.mapping_path = choose.file_error, choose.mapping_path
        self.mapping_error = choose.mapping_error
        self.source_label, self.sheet = shown.source_label, shown.sheet
        self.preview_model = shown.model
        self.dropped_card, self.dropped_note = shown.dropped_card, shown.dropped_note
        self.check_title, self.check_view = checked.title, checked.view
        self.choice_box = checked.choice_box
        self.good_rows, self.no_rows = checked.good_rows, checked.no_rows
        self.result, self.result_note = self.result_step.result, self.result_step.result_note
        self.final_view = self.result_step.final_view
        buttons = QHBoxLayout()
        buttons.setSpacing(12)
        self.status = selectable_label(role="quiet")
        buttons.addWidget(self.status, 1)
        self.cancel_button = QPushButton(self.tr("&Cancel the import"))
        self.cancel_button.setAccessibleName(self.tr("Cancel the import; nothing is written"))
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        self.back_button = QPushButton(self.tr("&Back"))
        self.back_button.setAccessibleName(self.tr("Back to the previous step"))
        self.back_button.clicked.connect(self._on_back_button_clicked)
        self.next_button = QPushButton()
        style(self.next_button, "primary")
        self.next_button.clicked.connect(self._on_next_button_clicked)
        for button in (self.cancel_button, self.back_button, self.next_button):
            button.setMinimumSize(button.sizeHint().width() + 24, button.sizeHint().height() + 6)
            buttons.addWidget(button)
        outer.addSpacing(4)
        outer.addLayout(buttons)
        self._go(CHOOSE)

    # -- moving through the steps ---------------------------------------------------------

    def step(self) -> int:
        return self.stack.currentIndex()

    def _go(self, step: int) -> None:
        self.stack.setCurrentIndex(step)
        marks = [
            f"<b>{n}&nbsp;{self.tr(s)}</b>" if n - 1 == step else f"{n}&nbsp;{self.tr(s)}"
            for n, s in enumerate(STEPS, 1)
        ]
        self.steps_label.setText("&nbsp;&nbsp;›&nbsp;&nbsp;".join(marks))
        where = fill(self.tr("Step %1 of 5: %2"), step + 1, self.tr(STEPS[step]))
        self.steps_label.setAccessibleName(where)
        self.next_button.setText(self.tr(NEXT_WORDS[step]))
        self.next_button.setAccessibleName(self.tr(NEXT_WORDS[step]).replace("&", ""))
        self._update_buttons()

    def _update_buttons(self) -> None:
        step, running = self.step(), self.running
        failed = step == IMPORT and not running and not (self.report and self.report.written)
        self.back_button.setVisible(step != CHOOSE and (step != IMPORT or failed))
        self.back_button.setEnabled(running != "import")
        self.cancel_button.setVisible(running == "import")
        self.next_button.setVisible(not (step == IMPORT and running))
        self.next_button.setEnabled(not running and (step != CHECK or self._can_import()))

    def _can_import(self) -> bool:
        report = self.check_report
        if report is None or self.running:
            return False
        if report.rejected:
            return self.good_rows.isChecked() and report.good > 0
        return report.new + report.updated > 0

    # -- running the steps' work -----------------------------------------------------------

    def _start(self, what: str, work: Callable[..., Any], done: Callable[[Outcome], None]):
        """Run `work(progress, should_stop)` on the page's pool; `done(outcome)` follows on
        this thread unless the person has moved on (a newer run, or Back)."""
        self._generation += 1
        generation, emit = self._generation, self._worker_rows_read.emit
        self._cancel = cancel = threading.Event()
        self.running = what
        job = Job(lambda: attempt(lambda: work(lambda rows: emit(generation, rows), cancel.is_set)))
        job.signals.finished.connect(lambda outcome: self._finished(generation, done, outcome))
        job.signals.failed.connect(
            lambda message: self._finished(
                generation, self._show_failure, Outcome(error=message, where="bug")
            )
        )
        self._jobs = [*self._jobs[-3:], job]  # referenced until their signals are delivered
        self._pool.start(job)
        self._update_buttons()

    def _finished(self, generation: int, done, outcome: Outcome) -> None:
        if generation == self._generation:
            self.running = ""
            self.status.clear()
            done(outcome)
            self._update_buttons()

    def _run(self, what: str, done, **options: Any) -> None:
        """Run the import (a check with dry_run=True) of the file by the mapping."""
        folder, path, mapping = self.profile.folder, self.path.text().strip(), self.mapping

        def work(progress, should_stop):
            return import_in_worker(
                folder, path, mapping, progress=progress, should_stop=should_stop, **options
            )

        self._start(what, work, done)

    # -- the steps -------------------------------------------------------------------------

    def load_preview(self, sheet: str | None = None) -> bool:
        """Read the saved mapping and the first rows in a worker; False (with the reason
        beside the field) if there is no file to read."""
        for error in (self.file_error, self.mapping_error, self.preview_step.error):
            error.show_error(None)
        path, kind = self.path.text().strip(), self.kind.value()
        if not path:
            self.file_error.show_error(self.tr("Choose the file to import."))
            self.path.setFocus()
            return False
        mapping_path = self.mapping_path.text().strip()
        self._start(
            "preview",
            lambda progress, _stop: preview_in_worker(path, kind, sheet, mapping_path, progress),
            self._on_preview_done,
        )
        self.status.setText(self.tr("Reading the file…"))
        return True

    def _on_preview_done(self, outcome: Outcome) -> None:
        if outcome.where == "saved":
            text = self.tr("This mapping cannot be used: %1.")
            self.mapping_error.show_error(fill(text, outcome.error.rstrip(".")))
            return
        if outcome.error:
            self._step_error().show_error(outcome.error)
            return
        saved, preview, self.scanned = outcome.value
        if saved is not None and saved.kind != preview.suggested.kind:
            text = self.tr(
                "This mapping is for another kind of file (%1): choose one for %2, or none."
            )
            self.mapping_error.show_error(fill(text, saved.kind, preview.suggested.kind))
            return
        self.saved_mapping, self.preview, self._map_stale = saved, preview, True
        self.preview_step.show_preview(preview, Path(self.path.text().strip()).name)
        self._go(PREVIEW)
        self.preview_loaded.emit()

    def show_map(self) -> None:
        if self._map_stale:
            preview, saved = self.preview, self.saved_mapping
            base = replace(saved, sheet=preview.suggested.sheet) if saved else preview.suggested
            kind = preview.suggested.kind
            self.editor.load(
                kind,
                preview.columns,
                preview.dropped_columns,
                [r.values for r in preview.rows],
                base,
                agent_required=self.is_lead and kind == "contacts",
                scanned=self.scanned,
            )
            self._map_stale = False
        self._go(MAP)

    def start_check(self) -> bool:
        """Read the map into a mapping (problems shown beside their fields) and dry-run it."""
        self.mapping = self.editor.check()
        if self.mapping is None:
            return False
        self.check_report = None
        self.check_step.show_checking()
        self._go(CHECK)
        self._run("check", self._on_check_done, dry_run=True)
        self.status.setText(self.tr("Reading the file…"))
        return True

    def _on_check_done(self, outcome: Outcome) -> None:
        if outcome.error or outcome.cancelled:
            self._show_failure(outcome)
            return
        report = self.check_report = outcome.value
        self.check_step.show_report(report)
        self.status.setText(self.tr("Nothing has been written yet."))
        self.check_finished.emit(report)

    def start_import(self) -> bool:
        if not self._can_import():
            return False
        self.report = None
        self.result_step.show_running(self.check_report.rows)
        self._go(IMPORT)
        self.import_started.emit()
        self._run("import", self._on_import_done, skip_bad_rows=self.good_rows.isChecked())
        return True

    def cancel(self) -> None:
        """Stop the running check or import at its next batch of rows; nothing is written."""
        self._cancel.set()
        if self.running == "import":
            self.status.setText(self.tr("Stopping…"))

    def _on_import_done(self, outcome: Outcome) -> None:
        if outcome.error or outcome.cancelled:
            self._show_failure(outcome)
            return
        report = self.report = outcome.value
        self.result_step.show_report(report)
        if report.written:
            self.import_finished.emit(report)
        else:
            self.import_stopped.emit("rejected")

    def _show_failure(self, outcome: Outcome) -> None:
        if outcome.where.startswith(("fields", "id_column", "mapping", "kind", "timezone")):
            self.editor.show_problem(outcome.where, outcome.error)
            text = self.tr("The mapping cannot be used: %1. Go back to the map to change it.")
            words = fill(text, outcome.error.rstrip("."))
        elif outcome.where == "bug":
            words = fill(self.tr("Something went wrong: %1"), outcome.error)
        else:
            words = outcome.error
        if self.step() == IMPORT:
            words = self.result_step.show_failure(words, outcome.cancelled)
            self.import_stopped.emit("cancelled" if outcome.cancelled else words)
        elif self.step() == CHECK:
            self.check_step.show_failure(words, outcome.cancelled)
        else:
            self._step_error().show_error(words)

    def _step_error(self):
        """Where a failure to read the file is said: beside the file, or over the preview."""
        return self.file_error if self.step() == CHOOSE else self.preview_step.error

    def reset(self) -> None:
        """Start again with another file (the kind and the saved mapping stay chosen)."""
        self.path.clear()
        self.preview = self.check_report = self.report = None
        self._go(CHOOSE)
        self.path.setFocus()

    def shutdown(self, wait_ms: int = 30_000) -> bool:
        """The window closes: a running check or import stops (writing nothing)."""
        self._cancel.set()
        return self._pool.waitForDone(wait_ms)

    # -- slots ---------------------------------------------------------------------------

    def _on_next_button_clicked(self) -> None:
        if self.running:
            return
        step = self.step()
        if step == CHOOSE:
            self.load_preview()
        elif step == PREVIEW:
            self.show_map()
        elif step == MAP:
            self.start_check()
        elif step == CHECK:
            self.start_import()
        else:
            self.reset()

    def _on_back_button_clicked(self) -> None:
        if self.running in ("preview", "check"):
            self.cancel()
            self._generation += 1  # its answer is no longer wanted
            self.running = ""
        self.status.clear()
        self._go(max(CHOOSE, self.step() - 1))

    def _on_cancel_button_clicked(self) -> None:
        self.cancel()

    def _on_worker_rows_read(self, generation: int, rows: int) -> None:
        if generation != self._generation or not self.running:
            return
        if self.running == "import":
            self.result_step.show_progress(rows, self.check_report.rows)
        else:
            self.status.setText(fill(self.tr("%1 rows read"), rows))

    def _on_check_step_choice_changed(self) -> None:
        self._update_buttons()

    def _on_preview_step_sheet_chosen(self, sheet: str) -> None:
        if not self.running:
            self.load_preview(sheet)
