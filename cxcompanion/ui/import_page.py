"""The Import page: contact history or survey results from a CSV or Excel file, step by step.

Choose → Preview → Map → Check (a dry run) → Import. Files are read and imports run in a
worker with its own Profile (a SQLite connection stays on its thread); nothing is written
before the last step, and a cancelled import writes nothing at all.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QThreadPool,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cxcompanion.domain.enums import Role
from cxcompanion.domain.import_mapping import ImportMapping, MappingError
from cxcompanion.domain.import_rows import cell_text
from cxcompanion.services.profile import Profile
from cxcompanion.store.errors import StoreError
from cxcompanion.ui.import_mapping_editor import MAX_VALUES, MappingEditor
from cxcompanion.ui.theme import style
from cxcompanion.ui.widgets import ChoiceRow, ErrorLabel
from cxcompanion.ui.workers import Job

CHOOSE, PREVIEW, MAP, CHECK, IMPORT = range(5)
STEPS = ("Choose", "Preview", "Map", "Check", "Import")
NEXT_WORDS = ("&Next: preview", "&Next: map the columns", "&Next: check every row", "&Import",
              "Import &another file")  # fmt: skip
PREVIEW_ROWS = 20
SCAN_ROWS = 50_000  # rows read for the different values of each column
_Index = QModelIndex | QPersistentModelIndex
_Role = Qt.ItemDataRole


@dataclass(frozen=True)
class Outcome:
    """What a worker brings back: a value, or an error a person can act on, or a cancel."""

    value: Any = None
    error: str = ""
    where: str = ""  # "file", "saved", "store", "bug" or a mapping place (fields.purpose)
    cancelled: bool = False


class SavedMappingError(Exception):
    """The saved mapping the person chose cannot be used (shown beside its field)."""


def attempt(work: Callable[[], Any]) -> Outcome:
    """Runs on the pool thread: the failures a person can meet become words."""
    from cxcompanion.services.file_import import ImportCancelled
    from cxcompanion.services.table_readers import TableError

    try:
        return Outcome(work())
    except ImportCancelled:
        return Outcome(cancelled=True)
    except SavedMappingError as exc:
        return Outcome(error=str(exc), where="saved")
    except MappingError as exc:
        return Outcome(error=exc.message, where=exc.where or "mapping")
    except TableError as exc:
        return Outcome(error=exc.message, where="file")
    except StoreError as exc:
        return Outcome(error=str(exc), where="store")


def preview_in_worker(path: str, kind: str, sheet: str | None, mapping_path: str, progress=None):
    """(the saved mapping or None, the Preview, the different values of each column), read
    off the UI thread: a table brings in openpyxl (a fifth of a second), and a scan."""
    from cxcompanion.services.file_import import load_mapping, preview

    saved = None
    if mapping_path:
        try:
            saved = load_mapping(mapping_path)
        except MappingError as exc:
            raise SavedMappingError(str(exc)) from None
    if sheet is None and saved is not None:
        sheet = saved.sheet
    header_row = saved.header_row if saved else 1
    shown = preview(path, kind, rows=PREVIEW_ROWS, sheet=sheet, header_row=header_row)
    dropped = shown.dropped_columns
    return saved, shown, scan_values(path, shown.suggested.sheet, header_row, dropped, progress)


def scan_values(path, sheet, header_row, dropped=(), progress=None) -> dict[str, list[str]]:
    """The different values of each column in the first SCAN_ROWS rows, for the map's value
    translations; a column with more than MAX_VALUES (free text) is left out."""
    from cxcompanion.services.table_readers import open_table

    with open_table(path, sheet=sheet, header_row=header_row) as table:
        seen: dict[str, dict[str, str]] = {c: {} for c in table.columns if c not in dropped}
        for number, row in enumerate(table.rows()):
            if number >= SCAN_ROWS or not seen:
                break
            if progress is not None and number and number % 5_000 == 0:
                progress(number)
            for column, value in zip(table.columns, row.values, strict=False):
                values = seen.get(column)
                text = "" if values is None else cell_text(value)
                if text:
                    values.setdefault(text.casefold(), text)
                    if len(values) > MAX_VALUES:
                        del seen[column]
    return {column: list(values.values()) for column, values in seen.items()}


def import_in_worker(folder: Path, path: str, mapping: ImportMapping, **options: Any):
    """Runs on the pool thread with its own connection to the profile's database."""
    profile = Profile(folder)
    try:
        if mapping.kind == "contacts":
            from cxcompanion.services.history_import import HistoryImport as Service
        else:
            from cxcompanion.services.survey_import import SurveyImport as Service
        return Service(profile).run(path, mapping, **options)
    finally:
        profile.close()


def _fill(text: str, *values: object) -> str:
    """ "%1 of %2" with its values (numbers with thousands separators)."""
    for number, value in enumerate(values, 1):
        shown = f"{value:,}" if isinstance(value, int) else str(value)
        text = text.replace(f"%{number}", shown)
    return text


# The import's messages end with a hint for a mapping file ("map it in fields.channel.values");
# in the window the same fix is made on the Map step.
_LIST_HINT = re.compile(r"; list them with `cxcompanion taxonomy`,? *(or )?")
_VALUES_HINT = re.compile(
    r"[;,]? *(or )?(add it to|map it in|map the value in) fields\.\w+\.values"
)
_FORMAT_HINT = re.compile(r"; give its format in the mapping .*$")


def for_window(message: str) -> str:
    """An import message with the window's words for its fix."""
    choose = QCoreApplication.translate("ImportPage", "choose what it means on the Map step")
    message = _LIST_HINT.sub("; ", message)
    message = _VALUES_HINT.sub(lambda m: (" — or " if m.group(1) else "; ") + choose, message)
    fmt = QCoreApplication.translate("ImportPage", "give its format on the Map step")
    return _FORMAT_HINT.sub(f"; {fmt} (%d/%m/%Y %H:%M …)", message)


def _rows(count: int) -> str:
    if count == 1:
        return QCoreApplication.translate("ImportPage", "1 row")
    return _fill(QCoreApplication.translate("ImportPage", "%1 rows"), count)


def _names(columns) -> str:
    return ", ".join(f"“{c}”" for c in columns)


def _label(text: str = "", role: str | None = None, *, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if role:
        style(label, role)
    if role == "fieldLabel":
        label.setContentsMargins(0, 0, 0, 0)
    return label


class PreviewModel(QAbstractTableModel):
    """The first rows of the file, without the columns that are never imported."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.columns: tuple[str, ...] = ()
        self._positions: tuple[int, ...] = ()
        self._rows: tuple[Any, ...] = ()

    def set_preview(self, columns, rows, dropped=()) -> None:
        self.beginResetModel()
        kept = [(i, c) for i, c in enumerate(columns) if c not in dropped]
        self.columns = tuple(c for _, c in kept)
        self._positions = tuple(i for i, _ in kept)
        self._rows = tuple(rows)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: _Index, role: int = _Role.DisplayRole) -> Any:
        if not index.isValid() or role not in (_Role.DisplayRole, _Role.ToolTipRole):
            return None
        values = self._rows[index.row()].values
        position = self._positions[index.column()]
        text = cell_text(values[position]) if position < len(values) else ""
        return text if role == _Role.ToolTipRole else text.replace("\n", " ⏎ ")

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role != _Role.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.columns[section] if 0 <= section < len(self.columns) else None
        return f"{self._rows[section].number:,}" if 0 <= section < len(self._rows) else None


class ReportView(QWidget):
    """An import's report in words: the counts, what was left out, and every problem."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(10)
        card = QFrame()
        style(card, "card")
        self.grid = QGridLayout(card)
        self.grid.setContentsMargins(18, 14, 18, 14)
        self.grid.setHorizontalSpacing(14)
        self.grid.setVerticalSpacing(8)
        self.grid.setColumnMinimumWidth(2, 40)
        self.grid.setColumnStretch(5, 1)
        box.addWidget(card)
        self.details = _label()
        box.addWidget(self.details)
        self.problems_title = _label(role="sectionTitle")
        box.addWidget(self.problems_title)
        self.problems = QListWidget()
        self.problems.setAccessibleName(self.tr("Rows with problems"))
        self.problems.setWordWrap(True)
        self.problems.setSpacing(2)
        box.addWidget(self.problems, 1)
        box.addStretch(0)  # takes the room when there is no list of problems

    def show_report(self, report) -> None:
        while self.grid.count():
            widget = self.grid.takeAt(0).widget()
            widget.hide()
            widget.deleteLater()
        surveys = report.kind == "surveys"
        noun = self.tr("survey answers") if surveys else self.tr("contacts")
        counts = [
            (self.tr("Rows read"), report.rows, True),
            (_fill(self.tr("New %1"), noun), report.new, True),
            (self.tr("Changed since an earlier import"), report.updated, True),
            (self.tr("Already here, unchanged"), report.unchanged, True),
            (self.tr("Rows with problems"), report.rejected, True),
            (self.tr("Matched to a contact"), report.matched, surveys),
            (self.tr("Not matched yet (kept)"), len(report.unmatched_rows), surveys),
            (self.tr("Earlier answers now matched"), report.rematched, report.rematched),
            (self.tr("Duplicate rows skipped"), len(report.duplicates), report.duplicates),
            (self.tr("Left out by the mapping's filters"), report.filtered, report.filtered),
            (self.tr("Colleagues' rows left out"), report.not_yours, report.not_yours),
            (self.tr("Imported by someone else, kept"), report.kept_others, report.kept_others),
            (self.tr("Empty rows skipped"), report.empty_rows, report.empty_rows),
        ]
        shown = [(words, number) for words, number, show in counts if show]
        half = (len(shown) + 1) // 2
        for position, (words, number) in enumerate(shown):
            line, column = position % half, 0 if position < half else 3
            value = _label(f"{number:,}", wrap=False)
            value.setAccessibleName(f"{words}: {number:,}")
            self.grid.addWidget(_label(words, "fieldLabel", wrap=False), line, column)
            self.grid.addWidget(value, line, column + 1, Qt.AlignmentFlag.AlignRight)
        lines = []
        if report.duplicates:
            pairs = ", ".join(
                _fill(self.tr("row %1 (as row %2)"), r, s) for r, s in report.duplicates[:10]
            )
            more = " …" if len(report.duplicates) > 10 else ""
            lines.append(_fill(self.tr("Duplicates skipped: %1"), pairs) + more)
        if report.unmatched_rows:
            rows = ", ".join(f"{n:,}" for n in report.unmatched_rows[:20])
            text = self.tr(
                "Not matched yet: rows %1. They are kept, and matched again whenever "
                "contacts are imported."
            )
            lines.append(_fill(text, rows))
        if report.dropped_columns:
            text = (
                self.tr("Never imported, as it holds how long something took: %1.")
                if len(report.dropped_columns) == 1
                else self.tr("Never imported, as they hold how long something took: %1.")
            )
            lines.append(_fill(text, _names(report.dropped_columns)))
        if report.unused_columns:
            text = self.tr("Columns not taken into any field: %1.")
            lines.append(_fill(text, _names(report.unused_columns)))
        self.details.setText("\n".join(lines))
        self.details.setVisible(bool(lines))
        self.problems.clear()
        for problem in report.problems:
            where = _fill(self.tr("row %1"), problem.row)
            if problem.column:
                where += _fill(self.tr(", column “%1”"), problem.column)
            self.problems.addItem(f"{where}: {for_window(problem.message)}")
        if report.rejected > len({p.row for p in report.problems}):
            self.problems.addItem(self.tr("… the first 1,000 problems are listed"))
        title = (
            self.tr("Rows left out, with their problems: %1")
            if report.written
            else self.tr("Rows with problems: %1")
        )
        self.problems_title.setText(_fill(title, report.rejected))
        for widget in (self.problems_title, self.problems):
            widget.setVisible(bool(report.rejected))
        self.layout().setStretch(self.layout().indexOf(self.problems), int(bool(report.rejected)))


class ImportPage(QWidget):
    preview_loaded = Signal()
    check_finished = Signal(object)  # the dry run's ImportReport
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
        outer.addWidget(_label(self.tr("Import"), "pageTitle", wrap=False))
        intro = self.tr(
            "Contact history or survey results from a CSV or Excel file. Nothing "
            "is written until you choose Import at the end."
        )
        outer.addWidget(_label(intro, "quiet"))
        self.steps_label = _label(wrap=False)
        self.steps_label.setTextFormat(Qt.TextFormat.RichText)
        outer.addWidget(self.steps_label)
        outer.addSpacing(6)
        self.stack = QStackedWidget()
        for build in (
            self._build_choose,
            self._build_preview,
            self._build_map,
            self._build_check,
            self._build_import,
        ):
            page = QWidget()
            box = QVBoxLayout(page)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(10)
            build(box)
            self.stack.addWidget(page)
        outer.addWidget(self.stack, 1)
        buttons = QHBoxLayout()
        buttons.setSpacing(12)
        self.status = _label(role="quiet")
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

    # -- building the steps ------------------------------------------------------------

    def _build_choose(self, box: QVBoxLayout) -> None:
        box.addWidget(_label(self.tr("What to import"), "sectionTitle"))
        choices = [("contacts", self.tr("Contact history")), ("surveys", self.tr("Survey results"))]
        self.kind = ChoiceRow(choices, self.tr("What to import"))
        self.kind.set_value("contacts")
        self.kind.button("surveys").setEnabled(self.is_lead)
        box.addWidget(self.kind)
        note = self.tr(
            "Survey results are imported by your team lead: they are the lead's "
            "records, and each answer reaches you with the contact it is about."
        )
        self.kind_note = _label(note, "quiet")
        self.kind_note.setVisible(not self.is_lead)
        box.addWidget(self.kind_note)
        box.addSpacing(14)
        box.addWidget(_label(self.tr("File"), "sectionTitle"))
        self.path, self.file_error = self._file_row(
            box,
            self.tr("The CSV or Excel file to import"),
            self.tr("a .csv or .xlsx file"),
            self.tr("&Browse…"),
            self._on_browse_button_clicked,
        )
        box.addSpacing(14)
        box.addWidget(_label(self.tr("Saved mapping (optional)"), "sectionTitle"))
        note = self.tr(
            "A mapping saved at an earlier import of the same kind of file: its "
            "columns are then taken as before."
        )
        box.addWidget(_label(note, "quiet"))
        self.mapping_path, self.mapping_error = self._file_row(
            box,
            self.tr("A saved mapping file"),
            self.tr("none: suggest one from the columns"),
            self.tr("&Use a saved mapping…"),
            self._on_mapping_button_clicked,
        )
        box.addStretch(1)

    def _file_row(self, box, name, placeholder, button_text, slot):
        row = QHBoxLayout()
        row.setSpacing(10)
        edit = QLineEdit()
        edit.setAccessibleName(name)
        edit.setPlaceholderText(placeholder)
        edit.setMaximumWidth(640)
        edit.returnPressed.connect(self._on_next_button_clicked)
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

    def _build_preview(self, box: QVBoxLayout) -> None:
        head = QHBoxLayout()
        head.setSpacing(12)
        self.source_label = _label(role="sectionTitle")
        head.addWidget(self.source_label, 1)
        self.sheet_label = _label(self.tr("Sheet"), "fieldLabel", wrap=False)
        self.sheet = QComboBox()
        self.sheet.setAccessibleName(self.tr("Sheet of the workbook"))
        self.sheet.setMinimumWidth(180)
        self.sheet.activated.connect(self._on_sheet_activated)
        head.addWidget(self.sheet_label)
        head.addWidget(self.sheet)
        box.addLayout(head)
        self.preview_error = ErrorLabel()
        box.addWidget(self.preview_error)
        self.dropped_card = QFrame()
        style(self.dropped_card, "card")
        card = QVBoxLayout(self.dropped_card)
        card.setContentsMargins(18, 12, 18, 14)
        card.setSpacing(6)
        card.addWidget(_label(self.tr("Some columns are never imported"), "tileTitle"))
        self.dropped_note = _label()
        card.addWidget(self.dropped_note)
        box.addWidget(self.dropped_card)
        self.preview_model = PreviewModel(self)
        self.table = QTableView()
        self.table.setAccessibleName(self.tr("The first rows of the file"))
        self.table.setModel(self.preview_model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        box.addWidget(self.table, 1)
        self.rows_note = _label(role="quiet")
        box.addWidget(self.rows_note)

    def _build_map(self, box: QVBoxLayout) -> None:
        self.editor = MappingEditor(self.profile.taxonomy)
        box.addWidget(self.editor, 1)

    def _build_check(self, box: QVBoxLayout) -> None:
        self.check_title = _label(role="sectionTitle")
        box.addWidget(self.check_title)
        self.check_error = ErrorLabel()
        box.addWidget(self.check_error)
        self.check_view = ReportView()
        box.addWidget(self.check_view, 1)
        self.check_note = _label()
        box.addWidget(self.check_note)
        self.choice_box = QWidget()
        choices = QVBoxLayout(self.choice_box)
        choices.setContentsMargins(0, 6, 0, 0)
        choices.setSpacing(8)
        question = self.tr("Some rows have problems. What shall be imported?")
        choices.addWidget(_label(question, "fieldLabel"))
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

    def _build_import(self, box: QVBoxLayout) -> None:
        self.result = _label(role="sectionTitle")
        box.addWidget(self.result)
        self.result_note = _label(role="quiet")
        box.addWidget(self.result_note)
        self.progress = QProgressBar()
        style(self.progress, "progress")
        self.progress.setAccessibleName(self.tr("Rows read"))
        self.progress.setTextVisible(False)
        self.progress.setMaximumWidth(420)
        self.progress_label = _label(wrap=False)
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
        where = _fill(self.tr("Step %1 of 5: %2"), step + 1, self.tr(STEPS[step]))
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

    # -- the steps' work -----------------------------------------------------------------

    def load_preview(self, sheet: str | None = None) -> bool:
        """Read the saved mapping and the first rows in a worker; False (with the reason
        beside the field) if there is no file to read."""
        for error in (self.file_error, self.mapping_error, self.preview_error):
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
            self.mapping_error.show_error(_fill(text, outcome.error.rstrip(".")))
            return
        if outcome.error:
            error = self.file_error if self.step() == CHOOSE else self.preview_error
            error.show_error(outcome.error)
            return
        saved, preview, self.scanned = outcome.value
        if saved is not None and saved.kind != preview.suggested.kind:
            text = self.tr(
                "This mapping is for another kind of file (%1): choose one for %2, or none."
            )
            self.mapping_error.show_error(_fill(text, saved.kind, preview.suggested.kind))
            return
        self.saved_mapping, self.preview, self._map_stale = saved, preview, True
        name = Path(self.path.text().strip()).name
        self.source_label.setText(f"{name} · {preview.source}")
        self.sheet.clear()
        self.sheet.addItems(list(preview.sheets))
        self.sheet.setCurrentText(preview.suggested.sheet or "")
        for widget in (self.sheet_label, self.sheet):
            widget.setVisible(len(preview.sheets) > 1)
        dropped = preview.dropped_columns
        self.preview_model.set_preview(preview.columns, preview.rows, dropped)
        self.table.resizeColumnsToContents()
        for column in range(self.preview_model.columnCount()):
            self.table.setColumnWidth(column, min(260, max(90, self.table.columnWidth(column))))
        text = (
            self.tr("%1 holds how long something took.")
            if len(dropped) == 1
            else self.tr("%1 hold how long something took.")
        ) + self.tr(
            " CX Companion keeps what happened and whether the customer's need was "
            "met, never how long it took: left out here, and never imported."
        )
        self.dropped_note.setText(_fill(text, _names(dropped)))
        self.dropped_card.setVisible(bool(dropped))
        text = self.tr("The first %1 rows, numbered as in your spreadsheet. The check reads all.")
        self.rows_note.setText(_fill(text, len(preview.rows)))
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
        self.check_error.show_error(None)
        self.check_title.setText(self.tr("Checking every row…"))
        for widget in (self.check_view, self.choice_box, self.check_note):
            widget.hide()
        self.choice.setExclusive(False)
        for button in (self.good_rows, self.no_rows):
            button.setChecked(False)
        self.choice.setExclusive(True)
        self._go(CHECK)
        self._run("check", self._on_check_done, dry_run=True)
        self.status.setText(self.tr("Reading the file…"))
        return True

    def _on_check_done(self, outcome: Outcome) -> None:
        if outcome.error or outcome.cancelled:
            self._show_failure(outcome)
            return
        report = self.check_report = outcome.value
        self.check_view.show_report(report)
        self.check_view.show()
        if report.rejected and report.good:
            title = self.tr("Checked: %1 can be imported, %2 cannot")
        elif report.rejected:
            title = self.tr("Checked: none of the rows can be imported as they are")
            note = self.tr(
                "Go back to the map: often a date format or the meaning of a value "
                "is all it takes. Or fix the file, and check it again."
            )
            self.check_note.setText(note)
        elif report.new + report.updated:
            title = self.tr("Checked: %1 can be imported, and none has a problem")
        else:
            title = self.tr("Checked: nothing new to import, every row is already here")
        self.check_title.setText(_fill(title, _rows(report.good), _rows(report.rejected)))
        text = self.tr("Import the good rows (%1), and leave out %2 with problems")
        self.good_rows.setText(_fill(text, report.good, _rows(report.rejected)))
        self.choice_box.setVisible(bool(report.rejected and report.good))
        self.check_note.setVisible(bool(report.rejected and not report.good))
        self.status.setText(self.tr("Nothing has been written yet."))
        self.check_finished.emit(report)

    def start_import(self) -> bool:
        if not self._can_import():
            return False
        self.report = None
        self.result.setText(self.tr("Importing…"))
        note = self.tr(
            "Nothing is kept until every row has been read: a cancel leaves everything as it was."
        )
        self.result_note.setText(note)
        self.progress_label.setText(_fill(self.tr("0 of %1 rows read"), self.check_report.rows))
        self.final_view.hide()
        self.progress.setRange(0, max(1, self.check_report.rows))
        self.progress.setValue(0)
        self.progress_box.show()
        self._go(IMPORT)
        self._run("import", self._on_import_done, skip_bad_rows=self.good_rows.isChecked())
        return True

    def cancel(self) -> None:
        """Stop the running check or import at its next batch of rows; nothing is written."""
        self._cancel.set()
        if self.running == "import":
            self.status.setText(self.tr("Stopping…"))

    def _on_import_done(self, outcome: Outcome) -> None:
        self.progress_box.hide()
        self.progress_label.clear()
        if outcome.error or outcome.cancelled:
            self._show_failure(outcome)
            return
        report = self.report = outcome.value
        self.final_view.show_report(report)
        self.final_view.show()
        if not report.written:
            text = self.tr(
                "Nothing was imported: the file has problems the check did not see (%1)."
            )
            self.result.setText(_fill(text, _rows(report.rejected)))
            self.result_note.setText(self.tr("Was the file changed? Go back and check again."))
            self.import_stopped.emit("rejected")
            return
        if report.kind == "contacts":
            text = self.tr("✓ Imported. New contacts: %1 · changed: %2")
            note = self.tr("They are in My contacts and count in My feedback.")
        else:
            text = self.tr("✓ Imported. New survey answers: %1 · changed: %2")
            note = self.tr(
                "Each matched answer reaches the agent of its contact with the next sync."
            )
        self.result.setText(_fill(text, report.new, report.updated))
        self.result_note.setText(note)
        self.import_finished.emit(report)

    def _show_failure(self, outcome: Outcome) -> None:
        if outcome.where.startswith(("fields", "id_column", "mapping", "kind", "timezone")):
            self.editor.show_problem(outcome.where, outcome.error)
            text = self.tr("The mapping cannot be used: %1. Go back to the map to change it.")
            words = _fill(text, outcome.error.rstrip("."))
        elif outcome.where == "bug":
            words = _fill(self.tr("Something went wrong: %1"), outcome.error)
        else:
            words = outcome.error
        if self.step() == IMPORT:
            self.progress_box.hide()
            self.progress_label.clear()
            self.final_view.hide()
            if outcome.cancelled:
                self.result.setText(self.tr("Stopped. Nothing was written."))
                words = self.tr("Everything is as it was before the import.")
            else:
                self.result.setText(self.tr("The import did not finish. Nothing was written."))
            self.result_note.setText(words)
            self.import_stopped.emit("cancelled" if outcome.cancelled else words)
        elif self.step() == CHECK:
            if not outcome.cancelled:
                self.check_title.setText(self.tr("The check could not finish"))
                self.check_error.show_error(words)
        else:
            (self.file_error if self.step() == CHOOSE else self.preview_error).show_error(words)

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
            self.progress.setValue(min(rows, self.progress.maximum()))
            text = self.tr("%1 of %2 rows read")
            self.progress_label.setText(_fill(text, rows, self.check_report.rows))
        else:
            self.status.setText(_fill(self.tr("%1 rows read"), rows))

    def _on_choice_toggled(self, _checked: bool) -> None:
        self._update_buttons()

    def _on_sheet_activated(self, _index: int) -> None:
        if not self.running:
            self.load_preview(self.sheet.currentText())

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
