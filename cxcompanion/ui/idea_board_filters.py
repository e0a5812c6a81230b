"""The idea board's filters: one product area, one agent (who captured an idea, or also did
through a merged duplicate)."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from cxcompanion.domain.taxonomy import Taxonomy
from cxcompanion.services.ideas_board import BoardIdea


class BoardFilters(QWidget):
    filters_changed = Signal()

    def __init__(self, taxonomy: Taxonomy, parent: QWidget | None = None):
        super().__init__(parent)
        self.area: str | None = None
        self.agent: str | None = None
        self.area_filter = QComboBox()
        self.area_filter.setAccessibleName(self.tr("Show the ideas of product area"))
        self.area_filter.addItem(self.tr("All areas"), None)
        for term in taxonomy.product_areas:
            self.area_filter.addItem(self.tr(term.label), term.code)
        self.agent_filter = QComboBox()
        self.agent_filter.setAccessibleName(self.tr("Show the ideas captured by"))
        self.agent_filter.addItem(self.tr("Everyone"), None)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        for heading, combo in ((self.tr("&Area"), self.area_filter),
                               (self.tr("Captured &by"), self.agent_filter)):  # fmt: skip
            label = QLabel(heading)
            label.setBuddy(combo)
            row.addSpacing(8)
            row.addWidget(label)
            row.addWidget(combo)
        self.area_filter.currentIndexChanged.connect(self._on_area_filter_changed)
        self.agent_filter.currentIndexChanged.connect(self._on_agent_filter_changed)

    def passes(self, idea: BoardIdea) -> bool:
        if self.area is not None and idea.area != self.area:
            return False
        return self.agent is None or self.agent == idea.agent or self.agent in idea.also_captured_by

    def set_filters(self, area: str | None, agent: str | None) -> None:
        """Choose both filters at once (filters_changed is not emitted)."""
        self.area, self.agent = area, agent
        for combo, value in ((self.area_filter, area), (self.agent_filter, agent)):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(combo.findData(value), 0))
            combo.blockSignals(False)

    def offer_agents(self, ideas: Iterable[BoardIdea]) -> None:
        """List everyone who captured one of `ideas` (keeping the agent chosen)."""
        names = {name for i in ideas for name in (i.agent, *i.also_captured_by)}
        if self.agent is not None:
            names.add(self.agent)
        combo = self.agent_filter
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(self.tr("Everyone"), None)
        for name in sorted(names):
            combo.addItem(name, name)
        combo.setCurrentIndex(max(combo.findData(self.agent), 0))
        combo.blockSignals(False)

    def _on_area_filter_changed(self, _index: int) -> None:
        self.area = self.area_filter.currentData()
        self.filters_changed.emit()

    def _on_agent_filter_changed(self, _index: int) -> None:
        self.agent = self.agent_filter.currentData()
        self.filters_changed.emit()
