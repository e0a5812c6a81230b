"""The value map of a coded field on the Map step: each different value of its column, with
the code of ours it stands for, and whether the import would understand it as it is (a value
it would not is marked, so the person chooses what it means before the check)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QWidget

from cxcompanion.domain.taxonomy import Taxonomy
from cxcompanion.ui.import_fields import FIELD_LABELS, codes_for, value_problem
from cxcompanion.ui.import_widgets import combo, label


def _discard(widget: QWidget) -> None:
    widget.hide()  # deleted on the next turn of the event loop: not seen until then
    widget.deleteLater()


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
            self._grid.addWidget(label(text, "quiet"), 0, 0, 1, 3)
            values = []
        shown = {value.casefold() for value in values}
        self._kept = {key: code for key, code in saved.items() if key not in shown}
        if values:
            self._grid.addWidget(label(self.tr("In the file"), "quiet", wrap=False), 0, 0)
            self._grid.addWidget(label(self.tr("Means"), "quiet", wrap=False), 0, 1)
        field = self.tr(FIELD_LABELS[self.name])
        items = [(self.tr("as it is"), None)]
        items += [(self.tr(text), code) for code, text in codes_for(self.name, self.taxonomy)]
        for row, value in enumerate(values, 1):
            name = self.tr("%1: what “%2” means").replace("%1", field).replace("%2", value)
            means = combo(name, items, 22)
            means.setCurrentIndex(max(0, means.findData(saved.get(value.casefold()))))
            means.currentIndexChanged.connect(lambda _i, v=value: self._show_state(v))
            self._grid.addWidget(label("“" + value + "”", wrap=False), row, 0)
            self._grid.addWidget(means, row, 1)
            self._states[value] = label(role="quiet", wrap=False)
            self._grid.addWidget(self._states[value], row, 2)
            self.combos[value] = means
            self._show_state(value)
        self.setVisible(bool(self._grid.count()))

    def values(self) -> dict[str, str]:
        """The mapping's value map: the values given a meaning here, and a saved mapping's
        entries for values this file does not show. The import reads a value the map does
        not list as it is, so the values understood as they are need no entry."""
        chosen = {v: c.currentData() for v, c in self.combos.items() if c.currentData()}
        return {**self._kept, **chosen}

    def choose(self, value: str, code: str | None) -> None:
        means = self.combos[value]
        means.setCurrentIndex(max(0, means.findData(code)))

    def _show_state(self, value: str) -> None:
        if self.combos[value].currentData():
            text = self.tr("✓ translated")
        elif value_problem(self.kind, self.name, value, self.taxonomy):
            text = self.tr("⚠ choose what it means")
        else:
            text = self.tr("✓ understood as it is")
        self._states[value].setText(text)
