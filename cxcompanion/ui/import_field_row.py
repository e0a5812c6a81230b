"""One of our fields on the Map step: its name and what it holds, where it comes from (a
column of the file, or a constant), a date's format, and how the preview's rows read."""

from __future__ import annotations

from collections import Counter
from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cxcompanion.domain.import_mapping import DATE_FIELDS, FieldRule, MappingError
from cxcompanion.domain.import_rows import cell_text, guess_date_format
from cxcompanion.ui.import_fields import CODED, FIELD_LABELS, codes_for, convert, value_problem
from cxcompanion.ui.import_value_map import ValueMap
from cxcompanion.ui.import_widgets import combo, label
from cxcompanion.ui.widgets import ErrorLabel

if TYPE_CHECKING:
    from cxcompanion.ui.import_mapping_editor import MappingEditor

CONSTANT = "\0constant"  # the combo entry "constant…" (no column name starts with NUL)
LEFT_WIDTH = 250  # the column of field names and what each holds


class FieldRow(QWidget):
    """One of our fields: its name and what it holds, and the controls of its source."""

    def __init__(self, editor: MappingEditor, name: str, description: str, required: bool):
        super().__init__()
        self.editor, self.name, self.is_date = editor, name, name in DATE_FIELDS
        self.saved_column: str | None = None  # the saved mapping's column and value map
        self.saved_values: dict[str, str] = {}
        self.time_format: str | None = None
        self.guess: str | None = None  # a date format that reads the preview's dates
        title = self.tr(FIELD_LABELS[name])
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(20)
        left = QWidget()
        left.setFixedWidth(LEFT_WIDTH)
        about = QVBoxLayout(left)
        about.setContentsMargins(0, 4, 0, 0)
        about.setSpacing(2)
        # One label, so "required" wraps under a long name instead of being cut off.
        quiet = self.palette().color(QPalette.ColorRole.PlaceholderText)
        quiet = quiet.name(QColor.NameFormat.HexArgb)  # the placeholder grey is translucent
        words = f"&nbsp; <span style='color:{quiet}'>{self.tr('required')}</span>"
        head = label(f"<b>{escape(title)}</b>" + (words if required else ""))
        head.setTextFormat(Qt.TextFormat.RichText)
        about.addWidget(head)
        about.addWidget(label(self.tr(description), "quiet"))
        row.addWidget(left, 0, Qt.AlignmentFlag.AlignTop)
        right = QVBoxLayout()
        right.setSpacing(6)
        controls = QHBoxLayout()
        controls.setSpacing(10)
        columns = [(c, c) for c in editor.columns]
        extra = [] if self.is_date else [(self.tr("constant…"), CONSTANT)]
        spoken = self.tr("%1 (required)").replace("%1", title) if required else title
        self.source = combo(
            self.tr("%1 comes from").replace("%1", spoken),
            [(self.tr("(not imported)"), None), *extra, *columns],
        )
        self.source.setMinimumWidth(240)
        self.constant = QLineEdit()
        self.constant.setAccessibleName(
            self.tr("%1: the value every row gets").replace("%1", title)
        )
        self.constant.setPlaceholderText(self.tr("the same value for every row"))
        self.constant.setMaximumWidth(260)
        if name in CODED:
            codes = [code for code, _ in codes_for(name, editor.taxonomy)]
            self.constant.setCompleter(QCompleter(codes, self.constant))
            self.constant.setPlaceholderText(", ".join(codes[:3]) + " …")
        controls.addWidget(self.source)
        controls.addWidget(self.constant)
        controls.addStretch(1)
        right.addLayout(controls)
        self.date_box = QWidget()
        dates = QHBoxLayout(self.date_box)
        dates.setContentsMargins(0, 0, 0, 0)
        dates.setSpacing(10)
        self.format = QLineEdit()
        self.format.setAccessibleName(self.tr("%1: date format").replace("%1", title))
        self.format.setPlaceholderText(self.tr("read by itself"))
        self.format.setToolTip(self.tr("Like %d/%m/%Y %H:%M. Empty: ISO dates and Excel dates."))
        self.format.setFixedWidth(170)
        self.time = combo(
            self.tr("%1: time of day column").replace("%1", title),
            [(self.tr("(in the date column)"), None), *columns],
        )
        self.use_format = QPushButton()  # offered when the dates read with another format
        self.use_format.setAccessibleName(
            self.tr("%1: use the format that reads these dates").replace("%1", title)
        )
        self.use_format.clicked.connect(self._on_use_format_clicked)
        self.use_format.hide()
        for widget in (
            label(self.tr("Format"), wrap=False),
            self.format,
            self.use_format,
            QLabel(),
            label(self.tr("Time of day from"), wrap=False),
            self.time,
        ):
            dates.addWidget(widget)
        dates.addStretch(1)
        right.addWidget(self.date_box)
        self.values = ValueMap(editor.kind, name, editor.taxonomy) if name in CODED else None
        if self.values is not None:
            right.addWidget(self.values)
        self.sample = label(role="quiet")
        self.sample.hide()
        self.error = ErrorLabel()
        right.addWidget(self.sample)
        right.addWidget(self.error)
        right.addStretch(1)  # the controls stay beside the field's name
        row.addLayout(right, 1)
        self.source.currentIndexChanged.connect(self._on_source_current_index_changed)
        self.format.textChanged.connect(self._on_format_text_changed)
        self.time.currentIndexChanged.connect(self._on_format_text_changed)

    def fill(self, rule: FieldRule | None) -> None:
        if rule is not None and rule.constant is not None and not self.is_date:
            self.source.setCurrentIndex(self.source.findData(CONSTANT))
            self.constant.setText(rule.constant)
        elif rule is not None and rule.column is not None:
            position = self.source.findData(rule.column)
            if position < 0:
                text = self.tr(
                    "The saved mapping takes this from column “%1”, which this file "
                    "does not have: choose another."
                )
                self.error.show_error(text.replace("%1", rule.column))
            self.source.setCurrentIndex(max(0, position))
        if rule is not None:
            self.format.setText(rule.format or "")
            self.time.setCurrentIndex(max(0, self.time.findData(rule.time_column)))
            self.time_format = rule.time_format
            self.saved_column, self.saved_values = rule.column, dict(rule.values)
        self._on_source_current_index_changed()

    def rule(self) -> dict[str, Any] | None:
        """The JSON form of this field's rule; MappingError for a constant that cannot be."""
        source = self.source.currentData()
        if source == CONSTANT:
            text = self.constant.text().strip()
            problem = "give the value every row gets, or choose a column" if not text else None
            if text and self.name in CODED:
                problem = value_problem(self.editor.kind, self.name, text, self.editor.taxonomy)
            if problem:
                raise MappingError(f"fields.{self.name}", problem)
            return {"constant": text}
        if source is None:
            return None
        spec: dict[str, Any] = {"column": source}
        if self.values is not None:
            spec["values"] = self.values.values()
        if self.is_date:
            time_column = self.time.currentData()
            spec["format"] = self.format.text().strip() or None
            spec["time_column"] = time_column
            spec["time_format"] = self.time_format if time_column else None
        return {k: v for k, v in spec.items() if v}

    def try_sample(self) -> None:
        """Read this field from the preview's rows as the import would, and say how it went
        (coded fields say it value by value instead)."""
        source, editor = self.source.currentData(), self.editor
        if source in (None, CONSTANT) or self.values is not None:
            self.sample.hide()
            return
        time_column = self.time.currentData() if self.is_date else None
        rule = FieldRule(
            column=source,
            format=(self.format.text().strip() or None) if self.is_date else None,
            time_column=time_column,
            time_format=self.time_format if time_column else None,
        )
        bad, first, example, position = 0, "", None, editor.all_columns.index(source)
        guesses: Counter[str] = Counter()
        for values in editor.sample:
            try:
                value = convert(
                    editor.kind, self.name, rule, editor.all_columns, values, editor.taxonomy
                )
            except ValueError as exc:
                bad += 1
                raw = cell_text(values[position]) if position < len(values) else ""
                first = first or (raw if self.is_date else str(exc))
                guesses[(self.is_date and raw and guess_date_format([raw])) or ""] += 1
                continue
            example = value if example is None else example
        count = str(len(editor.sample))
        guesses.pop("", None)
        self.guess = guesses.most_common(1)[0][0] if guesses else None
        if bad and self.is_date:
            text = self.tr("⚠ %1 of the first %2 dates cannot be read, like “%3”.")
            self.sample.setText(
                text.replace("%1", str(bad)).replace("%2", count).replace("%3", first)
            )
            self.use_format.setText(self.tr("Use %1").replace("%1", self.guess or ""))
        elif bad:
            text = self.tr("⚠ %1 of the first %2 rows cannot be read: %3")
            text = text.replace("%1", str(bad)).replace("%2", count)
            self.sample.setText(text.replace("%3", first))
        elif self.is_date and example is not None:
            shown = example.astimezone().strftime("%d %b %Y, %H:%M")
            self.sample.setText(self.tr("✓ The first row reads as %1").replace("%1", shown))
        self.sample.setVisible(bool(bad) or (self.is_date and example is not None))
        self.use_format.setVisible(bool(bad and self.guess))

    def _on_source_current_index_changed(self, _index: int = 0) -> None:
        source = self.source.currentData()
        column = source not in (None, CONSTANT)
        self.constant.setVisible(source == CONSTANT)
        self.date_box.setVisible(self.is_date and column)
        if self.values is not None:
            saved = self.saved_values if source == self.saved_column else {}
            self.values.set_values(self.editor.distinct(source) if column else [], saved)
        self.error.show_error(None)
        self.try_sample()

    def _on_format_text_changed(self, *_args: object) -> None:
        self.try_sample()

    def _on_use_format_clicked(self) -> None:
        if self.guess:
            self.format.setText(self.guess)
            self.format.setFocus()
