"""A headline tile of My feedback: the metric, its value, its interval and n, and how it is
computed (behind a "?" so the page stays calm)."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from cxcompanion.domain.metric_texts import LABELS, detail_text, explanation, value_text
from cxcompanion.domain.statistics import Rate, Score
from cxcompanion.ui.theme import style


class MetricTile(QFrame):
    def __init__(self, key: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key
        style(self, "tile")
        self.setMinimumWidth(200)
        # Room for a two-line title, the value and its interval: word-wrapped labels inside a
        # scroll area do not reliably ask for the height they need.
        self.setMinimumHeight(122)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 12)
        layout.setSpacing(2)
        top = QHBoxLayout()
        self.title = QLabel(self.tr(LABELS[key]))
        self.title.setWordWrap(True)
        style(self.title, "tileTitle")
        self.help_button = QToolButton()
        self.help_button.setText("?")
        self.help_button.setCheckable(True)
        self.help_button.setAutoRaise(True)
        self.help_button.setAccessibleName(
            self.tr("How is %1 computed?").replace("%1", LABELS[key])
        )
        self.help_button.setToolTip(self.tr("How is this computed?"))
        top.addWidget(self.title, 1)
        top.addWidget(self.help_button)
        self.value = QLabel("…")
        style(self.value, "tileValue")
        self.detail = QLabel("")
        style(self.detail, "quiet")
        self.explanation = QLabel("")
        self.explanation.setWordWrap(True)
        style(self.explanation, "quiet")
        self.explanation.hide()
        layout.addLayout(top)
        layout.addWidget(self.value)
        layout.addWidget(self.detail)
        layout.addWidget(self.explanation)
        layout.addStretch(1)
        self.help_button.toggled.connect(self.explanation.setVisible)

    def show_metric(self, metric: Rate | Score | int | None, window_days: int) -> None:
        text = value_text(self.key, metric)
        self.value.setText(self.tr(text))
        # A sentence is not a number: show "not enough contacts yet" smaller than "78%".
        style(self.value, "tileValue" if _is_number(text) else "tileNote")
        self.detail.setText(detail_text(self.key, metric))
        self.explanation.setText(self.tr(explanation(self.key, window_days)))
        self.setAccessibleName(f"{LABELS[self.key]}: {text}. {self.detail.text()}")


def _is_number(text: str) -> bool:
    return any(ch.isdigit() for ch in text) and len(text) <= 6
