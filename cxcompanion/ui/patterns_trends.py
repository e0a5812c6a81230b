"""The team's weekly trend on the Patterns page: My feedback's p-chart (the usual range
shaded, weeks outside it marked ▲/▼) with what it shows said in words beneath."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from cxcompanion.domain.patterns import Patterns
from cxcompanion.ui.patterns_section import Section, quiet
from cxcompanion.ui.patterns_texts import fill, metric_label, tr, trend_note, week_label


class TrendSection(Section):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(
            tr("Week by week"), tr("Export the week-by-week chart as a PNG image"), parent
        )
        self.note = quiet()
        self.body.addWidget(self.note)

    def show_trend(self, patterns: Patterns, metric: str) -> None:
        if self.chart is None:
            from cxcompanion.ui.trend_chart import TrendChart  # imports pyqtgraph

            self.chart = TrendChart()
            self.chart.setAccessibleName(tr("The team's week-by-week chart"))
            self.body.insertWidget(1, self.chart)
        assert self.export_button is not None
        self.export_button.setEnabled(True)
        self.title.setText(fill(tr("Week by week: %1"), metric_label(metric)))
        self.file_stem = f"team-trend-{metric}-{patterns.period.weeks}-weeks"
        points = patterns.trends[metric]
        self.chart.show_points(points, [week_label(w.key) for w in patterns.weekly])
        self.note.setText(trend_note(points))
