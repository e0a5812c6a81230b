"""The Map step of the import page: where each of our fields comes from (a column of the file,
or a constant), and what the file's own words mean in our codes.

The editor reads into an ImportMapping through the domain's `mapping_from_dict`, and tries
the preview's rows with the import's own row converter, so what the window accepts and what
the import does are decided by the same rules.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from cxcompanion.domain.enums import Channel, Outcome, Verdict
from cxcompanion.domain.import_mapping import (
    CONTACT_FIELDS,
    DATE_FIELDS,
    REQUIRED,
    SURVEY_FIELDS,
    FieldRule,
    ImportMapping,
    MappingError,
    check_columns,
    mapping_from_dict,
    mapping_to_dict,
)
from cxcompanion.domain.import_rows import (
    RowConverter,
    RowRejected,
    cell_text,
    guess_date_format,
)
from cxcompanion.domain.taxonomy import Taxonomy
from cxcompanion.ui.theme import style
from cxcompanion.ui.widgets import ErrorLabel

CONSTANT = "\0constant"  # the combo entry "constant…" (no column name starts with NUL)
CODED = ("channel", "outcome", "verdict", "purpose", "cancel_reason", "idea_area", "stayed",
         "resolved")  # fmt: skip
LEFT_WIDTH = 250  # the column of field names and what each holds
MAX_VALUES = 60  # different values of a column offered for translation; more: free text
FIELD_LABELS = {
    "at": "Date", "channel": "Channel", "purpose": "Purpose", "outcome": "Outcome",
    "verdict": "Customer says need met?", "detail": "Detail", "customer_ref": "Customer",
    "prior_contacts": "Earlier contacts", "prior_channels": "Earlier channels",
    "cancel_reason": "Cancel reason", "stayed": "Stayed", "mood_start": "Mood at start",
    "mood_end": "Mood at end", "idea": "Idea", "idea_area": "Idea area", "notes": "Notes",
    "agent": "Agent", "answered_at": "Answered on", "contact_id": "Contact id",
    "csat": "CSAT", "nps": "NPS", "resolved": "Customer says need met?", "comment": "Comment",
}  # fmt: skip


def codes_for(name: str, taxonomy: Taxonomy) -> list[tuple[str, str]]:
    """Our codes of a coded field, each with the words a person reads."""
    if name in ("channel", "outcome", "verdict"):
        enum = {"channel": Channel, "outcome": Outcome, "verdict": Verdict}[name]
        return [(m.value, m.label) for m in enum]
    if name == "purpose":
        return [(t.code, taxonomy.purpose_display(t.code)) for t in taxonomy.purposes]
    if name == "cancel_reason":
        return [(t.code, t.label) for t in taxonomy.cancel_reasons]
    if name == "idea_area":
        return [(t.code, t.label) for t in taxonomy.product_areas]
    return [("yes", "Yes"), ("no", "No")]


def convert(kind: str, name: str, rule: FieldRule, columns, values, taxonomy: Taxonomy):
    """Field `name` of one row as the import reads it; ValueError with the import's words."""
    mapping = ImportMapping(kind, {name: rule})
    try:
        value = RowConverter(mapping, columns, taxonomy, None).convert(0, values).get(name)
    except RowRejected as exc:
        raise ValueError(exc.problems[0].message) from None
    known = {
        "purpose": taxonomy.purpose,
        "cancel_reason": taxonomy.cancel_reason,
        "idea_area": taxonomy.product_area,
    }.get(name)
    if known is not None and value is not None and known(value) is None:
        raise ValueError(f"{value!r} is not a {FIELD_LABELS[name].lower()} of the team's list")
    return value


def read_as(kind: str, name: str, text: str, taxonomy: Taxonomy):
    """What the import reads `text` in field `name` as; ValueError if it cannot."""
    return convert(kind, name, FieldRule(column="value"), ("value",), (text,), taxonomy)


def value_problem(kind: str, name: str, text: str, taxonomy: Taxonomy) -> str | None:
    """Why the import would not understand `text` in field `name` (None: it would)."""
    try:
        read_as(kind, name, text, taxonomy)
    except ValueError as exc:
        return str(exc)
    return None


def _label(text: str = "", role: str | None = None, *, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(wrap)
    if role:
        style(label, role)
    if role == "fieldLabel":
        label.setContentsMargins(0, 0, 0, 0)
    return label


def _discard(widget: QWidget) -> None:
    widget.hide()  # deleted on the next turn of the event loop: not seen until then
    widget.deleteLater()


def _combo(name: str, items: Sequence[tuple[str, Any]], width: int = 0) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(name)
    for text, data in items:
        combo.addItem(text, data)
    if width:  # long entries (purposes) would make the page scroll sideways
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(width)
        combo.view().setMinimumWidth(combo.view().sizeHintForColumn(0) + 24)
    return combo


class ValueMap(QWidget):
    """The different values a column shows, each with the code of ours it stands for."""

    def __init__(self, kind: str, name: str, taxonomy: Taxonomy):
        super().__init__()
        self.kind, self.name, self.taxonomy = kind, name, taxonomy
        self.combos: dict[str, QComboBox] = {}
        self._states: dict[str, QLabel] = {}
        self._kept: dict[str, str] = {}  # a saved mapping's entries for values not shown
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 4, 0, 0)
        self._grid.setHorizontalSpacing(14)
        self._grid.setVerticalSpacing(6)
        self._grid.setColumnStretch(2, 1)
        self._grid.setColumnMinimumWidth(0, 130)  # the same column in every field
        self.hide()

    def set_values(self, values: Sequence[str] | None, saved: dict[str, str]) -> None:
        """Offer `values` (None: the column has too many to list; they are read as they are)."""
        while self._grid.count():
            _discard(self._grid.takeAt(0).widget())
        self.combos, self._states = {}, {}
        if values is None:
            text = self.tr(
                "This column has too many different values to list here: they are read as they are."
            )
            self._grid.addWidget(_label(text, "quiet"), 0, 0, 1, 3)
            values = []
        shown = {value.casefold() for value in values}
        self._kept = {key: code for key, code in saved.items() if key not in shown}
        if values:
            self._grid.addWidget(_label(self.tr("In the file"), "quiet", wrap=False), 0, 0)
            self._grid.addWidget(_label(self.tr("Means"), "quiet", wrap=False), 0, 1)
        field = self.tr(FIELD_LABELS[self.name])
        items = [(self.tr("as it is"), None)]
        items += [(self.tr(label), code) for code, label in codes_for(self.name, self.taxonomy)]
        for row, value in enumerate(values, 1):
            name = self.tr("%1: what “%2” means").replace("%1", field).replace("%2", value)
            combo = _combo(name, items, 22)
            combo.setCurrentIndex(max(0, combo.findData(saved.get(value.casefold()))))
            combo.currentIndexChanged.connect(lambda _i, v=value: self._show_state(v))
            self._grid.addWidget(_label("“" + value + "”", wrap=False), row, 0)
            self._grid.addWidget(combo, row, 1)
            self._states[value] = _label(role="quiet", wrap=False)
            self._grid.addWidget(self._states[value], row, 2)
            self.combos[value] = combo
            self._show_state(value)
        self.setVisible(bool(self._grid.count()))

    def values(self) -> dict[str, str]:
        """The mapping's value map. A map makes the import refuse every value it does not
        list, so once one value is translated, the values understood as they are are listed
        too (as the code they are read as)."""
        chosen = {v: c.currentData() for v, c in self.combos.items() if c.currentData()}
        if not chosen and not self._kept:
            return {}
        for value in self.combos:
            if value in chosen:
                continue
            try:
                code = read_as(self.kind, self.name, value, self.taxonomy)
            except ValueError:
                continue  # left for the check to report, row by row
            chosen[value] = ("yes" if code else "no") if isinstance(code, bool) else code
        return {**self._kept, **chosen}

    def choose(self, value: str, code: str | None) -> None:
        combo = self.combos[value]
        combo.setCurrentIndex(max(0, combo.findData(code)))

    def _show_state(self, value: str) -> None:
        if self.combos[value].currentData():
            text = self.tr("✓ translated")
        elif value_problem(self.kind, self.name, value, self.taxonomy):
            text = self.tr("⚠ choose what it means")
        else:
            text = self.tr("✓ understood as it is")
        self._states[value].setText(text)


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
        head = _label(f"<b>{escape(title)}</b>" + (words if required else ""))
        head.setTextFormat(Qt.TextFormat.RichText)
        about.addWidget(head)
        about.addWidget(_label(self.tr(description), "quiet"))
        row.addWidget(left, 0, Qt.AlignmentFlag.AlignTop)
        right = QVBoxLayout()
        right.setSpacing(6)
        controls = QHBoxLayout()
        controls.setSpacing(10)
        columns = [(c, c) for c in editor.columns]
        extra = [] if self.is_date else [(self.tr("constant…"), CONSTANT)]
        spoken = self.tr("%1 (required)").replace("%1", title) if required else title
        self.source = _combo(
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
        self.time = _combo(
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
            _label(self.tr("Format"), wrap=False),
            self.format,
            self.use_format,
            QLabel(),
            _label(self.tr("Time of day from"), wrap=False),
            self.time,
        ):
            dates.addWidget(widget)
        dates.addStretch(1)
        right.addWidget(self.date_box)
        self.values = ValueMap(editor.kind, name, editor.taxonomy) if name in CODED else None
        if self.values is not None:
            right.addWidget(self.values)
        self.sample = _label(role="quiet")
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


class MappingEditor(QWidget):
    """Our fields, each with its source; `mapping()` reads them into a checked ImportMapping."""

    def __init__(self, taxonomy: Taxonomy, parent: QWidget | None = None):
        super().__init__(parent)
        self.taxonomy = taxonomy
        self.kind = "contacts"
        self.columns: tuple[str, ...] = ()
        self.all_columns: tuple[str, ...] = ()
        self.sample: tuple[tuple[Any, ...], ...] = ()
        self.base: ImportMapping | None = None
        self.agent_required = False
        self.rows: dict[str, FieldRow] = {}
        self.scanned: Mapping[str, Sequence[str]] | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(8)
        top = QHBoxLayout()
        top.setSpacing(16)
        intro = self.tr(
            "Each of our fields takes a column of the file, a constant, or nothing. "
            "The choices made for you come from the column names: check them."
        )
        top.addWidget(_label(intro, "quiet"), 1)
        self.save_button = QPushButton(self.tr("&Save mapping…"))
        self.save_button.setAccessibleName(self.tr("Save this mapping to a file, to use again"))
        self.save_button.clicked.connect(self._on_save_button_clicked)
        top.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(top)
        self.error = ErrorLabel()
        outer.addWidget(self.error)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outer.addWidget(self.scroll, 1)
        self.id_column = QComboBox()
        self.id_error = ErrorLabel()

    def load(
        self,
        kind: str,
        columns: Sequence[str],
        dropped: Sequence[str],
        sample: Sequence[Sequence[Any]],
        base: ImportMapping,
        *,
        agent_required: bool = False,
        scanned: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """Show `base` (a suggestion or a saved mapping) for a file with these `columns`,
        of which the `dropped` ones (durations) are never offered. `sample` is the preview's
        rows; `scanned` the different values of each column (a column left out has too many)."""
        self.kind, self.base, self.agent_required = kind, base, agent_required
        self.scanned = scanned
        self.all_columns = tuple(columns)
        self.columns = tuple(c for c in columns if c not in dropped)
        self.sample = tuple(tuple(r) for r in sample)
        self.error.show_error(None)
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 6, 12, 12)
        column.setSpacing(22)
        id_row = QHBoxLayout()
        id_row.setSpacing(20)
        about = QVBoxLayout()
        about.setSpacing(2)
        about.addWidget(_label(self.tr("Row id"), "fieldLabel", wrap=False))
        about.addWidget(
            _label(
                self.tr(
                    "tells a row imported before from a new one, so a file "
                    "imported twice adds nothing twice"
                ),
                "quiet",
            )
        )
        left = QWidget()
        left.setFixedWidth(LEFT_WIDTH)
        left.setLayout(about)
        about.setContentsMargins(0, 4, 0, 0)
        id_row.addWidget(left, 0, Qt.AlignmentFlag.AlignTop)
        self.id_column = _combo(
            self.tr("Column that identifies each row"),
            [(self.tr("none: a hash of the row"), None), *((c, c) for c in self.columns)],
        )
        self.id_column.setMinimumWidth(240)
        self.id_column.setCurrentIndex(max(0, self.id_column.findData(base.id_column)))
        self.id_error = ErrorLabel()
        id_box = QVBoxLayout()
        id_box.addWidget(self.id_column, 0, Qt.AlignmentFlag.AlignLeft)
        id_box.addWidget(self.id_error)
        id_row.addLayout(id_box, 1)
        column.addLayout(id_row)
        self.rows = {}
        for name, description in (CONTACT_FIELDS if kind == "contacts" else SURVEY_FIELDS).items():
            required = name in REQUIRED[kind] or (name == "agent" and agent_required)
            self.rows[name] = row = FieldRow(self, name, description, required)
            row.fill(base.fields.get(name))
            column.addWidget(row)
        column.addStretch(1)
        self.scroll.setWidget(body)

    def distinct(self, column: str) -> list[str] | None:
        """The different values of `column` (None: too many to list), from the scan of the
        file if there was one, else from the preview's rows."""
        if self.scanned is not None:
            return self.scanned.get(column)
        position = self.all_columns.index(column)
        seen: dict[str, str] = {}
        for values in self.sample:
            text = cell_text(values[position]) if position < len(values) else ""
            seen.setdefault(text.casefold(), text)
        seen.pop("", None)
        return list(seen.values())[:MAX_VALUES]

    def mapping(self) -> ImportMapping:
        """The mapping as the controls say; MappingError names the field at fault."""
        assert self.base is not None
        fields = {name: rule for name, row in self.rows.items() if (rule := row.rule())}
        if self.agent_required and "agent" not in fields:
            raise MappingError(
                "fields.agent",
                "you import the team's contacts: choose the column "
                "that says which agent took each one",
            )
        data = mapping_to_dict(self.base)
        data["fields"] = fields
        data.pop("id_column", None)
        if self.id_column.currentData():
            data["id_column"] = self.id_column.currentData()
        mapping = mapping_from_dict(data)
        check_columns(mapping, self.all_columns)
        return mapping

    def check(self) -> ImportMapping | None:
        """The mapping, or None with the problem shown beside the field it concerns."""
        for error in (self.error, self.id_error, *(r.error for r in self.rows.values())):
            error.show_error(None)
        try:
            return self.mapping()
        except MappingError as exc:
            self.show_problem(exc.where, exc.message)
            return None

    def show_problem(self, where: str, message: str) -> None:
        parts, message = where.split("."), message[:1].upper() + message[1:]
        if parts[0] == "fields" and len(parts) > 1 and parts[1] in self.rows:
            row = self.rows[parts[1]]
            row.error.show_error(message)
            self.scroll.ensureWidgetVisible(row)
            row.source.setFocus()
        elif where == "id_column":
            self.id_error.show_error(message)
            self.id_column.setFocus()
        else:
            self.error.show_error(message)

    def save_mapping(self, path: str | Path) -> ImportMapping:
        """Write the mapping as JSON; MappingError or OSError if it cannot be."""
        mapping = self.mapping()
        text = json.dumps(mapping_to_dict(mapping), ensure_ascii=False, indent=2) + "\n"
        Path(path).write_text(text, encoding="utf-8")
        return mapping

    def choose(self, name: str, column: str | None) -> None:
        """Take field `name` from `column` (None: not imported), as a person would."""
        combo = self.rows[name].source
        combo.setCurrentIndex(combo.findData(column) if column else 0)

    def _on_save_button_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save mapping"), f"{self.kind}-mapping.json", self.tr("Mapping (*.json)")
        )
        if not path:
            return
        try:
            self.save_mapping(path)
        except MappingError as exc:
            self.show_problem(exc.where, exc.message)
        except OSError as exc:
            text = self.tr("Could not write %1 (%2); choose another folder.").replace("%1", path)
            self.error.show_error(text.replace("%2", exc.strerror or str(exc)))
        else:
            self.error.show_error(None)
