"""A section of the Patterns page: a heading, an optional "Export chart as PNG…" button for
the chart the section draws, and the section's body beneath."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from cxcompanion.ui.patterns_texts import tr
from cxcompanion.ui.theme import style


def quiet(text: str = "") -> QLabel:
    """A word-wrapped line in the page's quiet colour (notes, keys, explanations)."""
    label = QLabel(text)
    label.setWordWrap(True)
    style(label, "quiet")
    return label


class Section(QWidget):
    export_failed = Signal(str)  # the path that could not be written

    def __init__(self, title: str, export_name: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.chart: QWidget | None = None  # a subclass makes it when it first draws
        self.file_stem = "chart"
        self.title = QLabel(title)
        style(self.title, "sectionTitle")
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.title)
        head.addStretch(1)
        self.export_button: QPushButton | None = None
        if export_name is not None:
            self.export_button = QPushButton(tr("Export chart as PNG…"))
            self.export_button.setAccessibleName(export_name)
            self.export_button.setEnabled(False)
            self.export_button.clicked.connect(self._on_export_button_clicked)
            head.addWidget(self.export_button)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(0, 10, 0, 0)
        self.body.setSpacing(8)
        self.body.addLayout(head)

    def save_png(self, path: str) -> bool:
        """The section's chart as a PNG at `path`; False without a chart on show."""
        chart = self.chart
        if chart is None or not chart.isVisibleTo(self):
            return False
        return chart.save_png(path)  # type: ignore[attr-defined]

    def _on_export_button_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, tr("Export chart"), f"{self.file_stem}.png", tr("PNG image (*.png)")
        )
        if path and not self.save_png(path):
            self.export_failed.emit(path)
