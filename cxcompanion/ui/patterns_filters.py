"""The Patterns page's choices: which rate the trend and the funnel show, one agent or one
channel only, and whether agents carry their names (off by default, with the reason said)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from cxcompanion.domain.enums import Channel
from cxcompanion.domain.patterns import TEAM_METRICS
from cxcompanion.ui.patterns_texts import metric_label, tr
from cxcompanion.ui.theme import style

ANONYMOUS_NOTE = (
    "Agents appear as Agent A, Agent B, …: this page is about patterns in the team's work, "
    "not about blame. The letters follow no ranking and stay the same for the same team."
)
NAMED_NOTE = (
    "Names are shown. The page still reads patterns, not single calls: a point outside the "
    "usual range is a reason to talk, never a verdict."
)


class PatternsFilters(QWidget):
    filters_changed = Signal()  # the metric, the agent or the channel: compute again
    names_toggled = Signal(bool)  # only the labels change: nothing to compute

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.metric = self._combo(tr("Rate shown in the trend and the funnel"))
        for key in TEAM_METRICS:
            self.metric.addItem(metric_label(key), key)
        self.agent = self._combo(tr("Only one agent's contacts"))
        self.agent.addItem(tr("Every agent"), None)
        self.channel = self._combo(tr("Only one channel's contacts"))
        self.channel.addItem(tr("Every channel"), None)
        for channel in Channel:
            self.channel.addItem(tr(channel.label), channel.value)
        self.show_names = QCheckBox(tr("Show names"))
        self.show_names.setAccessibleName(tr("Show agents' names instead of Agent A, B, …"))
        self.note = QLabel(tr(ANONYMOUS_NOTE))
        self.note.setWordWrap(True)
        style(self.note, "quiet")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        for text, widget in (
            (tr("Rate:"), self.metric),
            (tr("Agent:"), self.agent),
            (tr("Channel:"), self.channel),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            row.addWidget(label)
            row.addWidget(widget)
            row.addSpacing(8)
        row.addStretch(1)
        row.addWidget(self.show_names)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(row)
        layout.addWidget(self.note)
        for combo in (self.metric, self.agent, self.channel):
            combo.currentIndexChanged.connect(self._on_combo_current_index_changed)
        self.show_names.toggled.connect(self._on_show_names_toggled)

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        return combo

    def current_metric(self) -> str:
        return self.metric.currentData()

    def current_agent(self) -> str | None:
        return self.agent.currentData()

    def current_channel(self) -> str | None:
        return self.channel.currentData()

    def names_shown(self) -> bool:
        return self.show_names.isChecked()

    def set_agents(self, choices: Sequence[tuple[str, str]]) -> None:
        """The agents to choose from, as (name, what is shown), in the order given (the
        page gives label order: the list says nothing about rates). The chosen one stays."""
        chosen, chosen_text = self.agent.currentData(), self.agent.currentText()
        self.agent.blockSignals(True)
        while self.agent.count() > 1:
            self.agent.removeItem(1)
        for name, label in choices:
            self.agent.addItem(label, name)
        found = self.agent.findData(chosen) if chosen is not None else 0
        if found < 0:  # not in these weeks' funnel: keep them, so the view does not jump
            self.agent.addItem(chosen_text, chosen)
            found = self.agent.count() - 1
        self.agent.setCurrentIndex(found)
        self.agent.blockSignals(False)

    def _on_combo_current_index_changed(self, _index: int) -> None:
        self.filters_changed.emit()

    def _on_show_names_toggled(self, checked: bool) -> None:
        self.note.setText(tr(NAMED_NOTE if checked else ANONYMOUS_NOTE))
        self.names_toggled.emit(checked)
