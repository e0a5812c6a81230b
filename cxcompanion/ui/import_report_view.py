"""An import's report in words, as the Check and Import steps show it: the counts, what was
left out, and every problem, with the import's hints for a mapping file put as the window's
own fix (`for_window`)."""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QListWidget, QVBoxLayout, QWidget

from cxcompanion.ui.import_text import column_names, fill
from cxcompanion.ui.import_widgets import selectable_label
from cxcompanion.ui.theme import style

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
        self.details = selectable_label()
        box.addWidget(self.details)
        self.problems_title = selectable_label(role="sectionTitle")
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
            (fill(self.tr("New %1"), noun), report.new, True),
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
            value = selectable_label(f"{number:,}", wrap=False)
            value.setAccessibleName(f"{words}: {number:,}")
            self.grid.addWidget(selectable_label(words, "fieldLabel", wrap=False), line, column)
            self.grid.addWidget(value, line, column + 1, Qt.AlignmentFlag.AlignRight)
        lines = []
        if report.duplicates:
            pairs = ", ".join(
                fill(self.tr("row %1 (as row %2)"), r, s) for r, s in report.duplicates[:10]
            )
            more = " …" if len(report.duplicates) > 10 else ""
            lines.append(fill(self.tr("Duplicates skipped: %1"), pairs) + more)
        if report.unmatched_rows:
            rows = ", ".join(f"{n:,}" for n in report.unmatched_rows[:20])
            text = self.tr(
                "Not matched yet: rows %1. They are kept, and matched again whenever "
                "contacts are imported."
            )
            lines.append(fill(text, rows))
        if report.dropped_columns:
            text = (
                self.tr("Never imported, as it holds how long something took: %1.")
                if len(report.dropped_columns) == 1
                else self.tr("Never imported, as they hold how long something took: %1.")
            )
            lines.append(fill(text, column_names(report.dropped_columns)))
        if report.unused_columns:
            text = self.tr("Columns not taken into any field: %1.")
            lines.append(fill(text, column_names(report.unused_columns)))
        self.details.setText("\n".join(lines))
        self.details.setVisible(bool(lines))
        self.problems.clear()
        for problem in report.problems:
            where = fill(self.tr("row %1"), problem.row)
            if problem.column:
                where += fill(self.tr(", column “%1”"), problem.column)
            self.problems.addItem(f"{where}: {for_window(problem.message)}")
        if report.rejected > len({p.row for p in report.problems}):
            self.problems.addItem(self.tr("… the first 1,000 problems are listed"))
        title = (
            self.tr("Rows left out, with their problems: %1")
            if report.written
            else self.tr("Rows with problems: %1")
        )
        self.problems_title.setText(fill(title, report.rejected))
        for widget in (self.problems_title, self.problems):
            widget.setVisible(bool(report.rejected))
        self.layout().setStretch(self.layout().indexOf(self.problems), int(bool(report.rejected)))
