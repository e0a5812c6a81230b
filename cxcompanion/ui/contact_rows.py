"""Two rows of the log form that are small forms of their own: the earlier contacts the
customer reports (how many, on which channels) and the cancellation conversation."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from cxcompanion.domain.enums import PRIOR_MAX, Channel
from cxcompanion.domain.taxonomy import Taxonomy
from cxcompanion.ui.widgets import ChoiceRow


class PriorContactsRow(QWidget):
    """ "first time", or how many earlier contacts about this need, and on which channels."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.spin = QSpinBox()
        self.spin.setRange(0, PRIOR_MAX)
        self.spin.setSpecialValueText(self.tr("first time"))
        self.spin.setSuffix(self.tr(" earlier"))
        self.spin.setAccessibleName(self.tr("Earlier contacts about this need"))
        self.spin.setMinimumWidth(120)
        self.spin.setMinimumHeight(30)
        self.via = QLabel(self.tr("via"))
        self.channels: dict[str, QCheckBox] = {}
        # Two rows of three keep the form narrow enough for compact mode.
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(2)
        for position, channel in enumerate(Channel):
            box = QCheckBox(channel.label)
            box.setAccessibleName(self.tr("Earlier contact by %1").replace("%1", channel.label))
            self.channels[channel.value] = box
            grid.addWidget(box, position // 3, position % 3)
            box.toggled.connect(self.changed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(self.spin)
        layout.addWidget(self.via)
        layout.addLayout(grid)
        layout.addStretch(1)
        self.setFocusProxy(self.spin)
        self.spin.valueChanged.connect(self._on_spin_value_changed)
        self._enable_channels()

    def count(self) -> int:
        return self.spin.value()

    def chosen_channels(self) -> list[str]:
        """The channels ticked, only when there were earlier contacts at all."""
        if not self.spin.value():
            return []
        return [code for code, box in self.channels.items() if box.isChecked()]

    def set_value(self, count: int, channels: Any) -> None:
        self.spin.setValue(count)
        chosen = set(channels or ())
        for code, box in self.channels.items():
            box.setChecked(code in chosen)

    def _enable_channels(self) -> None:
        before = self.spin.value() > 0
        self.via.setEnabled(before)
        for box in self.channels.values():
            box.setEnabled(before)

    def _on_spin_value_changed(self, _value: int) -> None:
        self._enable_channels()
        self.changed.emit()


class CancellationRow(QWidget):
    """Whether the customer wanted to cancel; if so, the reason they give and whether they
    stayed (shown only then)."""

    changed = Signal()

    def __init__(self, taxonomy: Taxonomy, parent: QWidget | None = None):
        super().__init__(parent)
        self.tick = QCheckBox(self.tr("Customer wants to cancel"))
        self.tick.setAccessibleName(self.tr("Customer wants to cancel"))
        self.reason = QComboBox()
        self.reason.setAccessibleName(self.tr("Reason for cancelling"))
        self.reason.setPlaceholderText(self.tr("reason the customer gives"))
        self.reason.setMinimumHeight(30)
        for term in taxonomy.cancel_reasons:
            self.reason.addItem(term.label, term.code)
        self.reason.setCurrentIndex(-1)
        self.stayed = ChoiceRow(
            [("yes", self.tr("Stayed")), ("no", self.tr("Left"))], self.tr("Did the customer stay")
        )
        self.details = QWidget()
        details = QHBoxLayout(self.details)
        details.setContentsMargins(0, 0, 0, 0)
        details.setSpacing(12)
        details.addWidget(self.reason)
        details.addWidget(self.stayed)
        self.details.setVisible(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(14)
        layout.addWidget(self.tick)
        layout.addWidget(self.details, 1)
        self.setFocusProxy(self.tick)
        self.tick.toggled.connect(self._on_tick_toggled)
        self.reason.currentIndexChanged.connect(self.changed)
        self.stayed.changed.connect(self.changed)

    def value(self) -> dict[str, Any]:
        cancelling = self.tick.isChecked()
        return {
            "cancel_intent": cancelling,
            "cancel_reason": (self.reason.currentData() or "") if cancelling else "",
            "stayed": self.stayed.value() if cancelling else "",
        }

    def set_value(self, cancelling: bool, reason: str | None, stayed: Any) -> None:
        self.tick.setChecked(cancelling)
        self.reason.setCurrentIndex(self.reason.findData(reason or ""))
        self.stayed.set_value({True: "yes", False: "no"}.get(stayed, stayed))

    def _on_tick_toggled(self, checked: bool) -> None:
        self.details.setVisible(checked)
        self.changed.emit()
