"""The Map step of the import page: each of our fields with where it comes from, read into
an ImportMapping through the domain's `mapping_from_dict` (so the window and the import
decide by the same rules), and saved as a mapping file to use again."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from cxcompanion.domain.import_mapping import (
    CONTACT_FIELDS,
    REQUIRED,
    SURVEY_FIELDS,
    ImportMapping,
    MappingError,
    check_columns,
    mapping_from_dict,
    mapping_to_dict,
)
from cxcompanion.domain.import_rows import cell_text
from cxcompanion.domain.taxonomy import Taxonomy
from cxcompanion.ui.import_field_row import LEFT_WIDTH, FieldRow
from cxcompanion.ui.import_fields import MAX_VALUES
from cxcompanion.ui.import_widgets import combo, label
from cxcompanion.ui.widgets import ErrorLabel


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
        top.addWidget(label(intro, "quiet"), 1)
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
        about.addWidget(label(self.tr("Row id"), "fieldLabel", wrap=False))
        about.addWidget(
            label(
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
        self.id_column = combo(
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
        source = self.rows[name].source
        source.setCurrentIndex(source.findData(column) if column else 0)

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
