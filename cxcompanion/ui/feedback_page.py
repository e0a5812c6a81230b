"""My feedback: the agent's own quality feedback over 4, 12 or 26 weeks, never timed.

Numbers are computed in a worker (the period switch never waits on SQLite) and charts are
made with pyqtgraph, imported when the page first has something to draw.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from cxcompanion.domain.metric_texts import INTERVAL_NOTE, LABELS
from cxcompanion.domain.metrics import TREND_KEYS, Feedback
from cxcompanion.services.feedback import PERIOD_CHOICES, FeedbackService
from cxcompanion.services.profile import Profile
from cxcompanion.ui.feedback_tiles import MetricTile
from cxcompanion.ui.theme import style
from cxcompanion.ui.widgets import ErrorLabel
from cxcompanion.ui.workers import run_in_background

TILE_KEYS = (
    "confirmed_resolution", "fcr", "repeat_rate", "csat",
    "mood_lift", "save_rate", "ideas_captured", "ideas_adopted",
    "nps", "quality_technical", "quality_emotional",
)  # fmt: skip
TILE_COLUMNS = 4


def compute_in_worker(
    folder: Path, weeks: int, clock: Callable[[], datetime] | None = None
) -> Feedback:
    """Runs on a pool thread: its own connection to the profile's database."""
    profile = Profile(folder)
    try:
        service = FeedbackService(profile) if clock is None else FeedbackService(profile, clock)
        return service.compute(weeks)
    finally:
        profile.close()


class FeedbackPage(QWidget):
    feedback_loaded = Signal()

    def __init__(
        self,
        profile: Profile,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
    ):
        super().__init__(parent)
        self.profile = profile
        self.clock = clock  # None: now (a fixed clock serves tests and benchmarks)
        self.taxonomy = profile.taxonomy
        self.weeks = 12
        self.feedback: Feedback | None = None
        self.chart = None  # made with the first result (imports pyqtgraph)
        self._generation = 0
        self._jobs: list = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 12)
        outer.setSpacing(10)
        header = QHBoxLayout()
        title = QLabel(self.tr("My feedback"))
        style(title, "pageTitle")
        header.addWidget(title)
        header.addStretch(1)
        header.addWidget(QLabel(self.tr("Period:")))
        self.period_group = QButtonGroup(self)
        self.period_buttons: dict[int, QPushButton] = {}
        for weeks in PERIOD_CHOICES:
            button = QPushButton(self.tr("%1 weeks").replace("%1", str(weeks)))
            button.setCheckable(True)
            button.setAccessibleName(self.tr("Show the last %1 weeks").replace("%1", str(weeks)))
            self.period_group.addButton(button, weeks)
            self.period_buttons[weeks] = button
            header.addWidget(button)
        self.period_buttons[self.weeks].setChecked(True)
        self.period_group.idClicked.connect(self._on_period_group_id_clicked)
        outer.addLayout(header)
        self.subtitle = QLabel(self.tr("Loading your feedback…"))
        style(self.subtitle, "quiet")
        self.subtitle.setWordWrap(True)
        outer.addWidget(self.subtitle)
        self.error = ErrorLabel()
        outer.addWidget(self.error)

        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 8, 0)
        column.setSpacing(16)
        self.empty = QLabel(
            self.tr(
                "No contacts in these weeks yet. Log a few and your feedback appears here: "
                "whether your customers say their need was met, and whether they had to come "
                "back. It is yours alone, and it never looks at the clock."
            )
        )
        self.empty.setWordWrap(True)
        self.empty.hide()
        column.addWidget(self.empty)
        grid = QGridLayout()
        grid.setSpacing(12)
        self.tiles: dict[str, MetricTile] = {}
        for position, key in enumerate(TILE_KEYS):
            tile = MetricTile(key)
            self.tiles[key] = tile
            grid.addWidget(tile, position // TILE_COLUMNS, position % TILE_COLUMNS)
        for col in range(TILE_COLUMNS):
            grid.setColumnStretch(col, 1)
        column.addLayout(grid)

        trend_head = QHBoxLayout()
        trend_title = QLabel(self.tr("Week by week"))
        style(trend_title, "sectionTitle")
        self.trend_choice = QComboBox()
        self.trend_choice.setAccessibleName(self.tr("Metric shown week by week"))
        for key in TREND_KEYS:
            self.trend_choice.addItem(self.tr(LABELS[key]), key)
        self.trend_choice.currentIndexChanged.connect(self._on_trend_choice_changed)
        self.export_button = QPushButton(self.tr("Save chart as PNG…"))
        self.export_button.setAccessibleName(self.tr("Save the chart as a PNG image"))
        self.export_button.clicked.connect(self._on_export_button_clicked)
        trend_head.addWidget(trend_title)
        trend_head.addWidget(self.trend_choice)
        trend_head.addStretch(1)
        trend_head.addWidget(self.export_button)
        column.addLayout(trend_head)
        self.chart_box = QVBoxLayout()
        column.addLayout(self.chart_box)
        self.trend_note = QLabel()
        self.trend_note.setWordWrap(True)
        style(self.trend_note, "quiet")
        column.addWidget(self.trend_note)

        lists = QHBoxLayout()
        lists.setSpacing(24)
        self.most = self._list_box(lists, self.tr("Where your customers most often said yes"))
        self.least = self._list_box(lists, self.tr("Where they least often did"))
        column.addLayout(lists)
        self.note = QLabel(self.tr(INTERVAL_NOTE))
        self.note.setWordWrap(True)
        style(self.note, "quiet")
        column.addWidget(self.note)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

    def _list_box(self, row: QHBoxLayout, title: str) -> QLabel:
        box = QVBoxLayout()
        heading = QLabel(title)
        style(heading, "sectionTitle")
        content = QLabel()
        content.setWordWrap(True)
        box.addWidget(heading)
        box.addWidget(content)
        box.addStretch(1)
        row.addLayout(box, 1)
        return content

    # -- loading -------------------------------------------------------------------------

    def reload(self) -> None:
        """Compute the current period again, in a worker; the page keeps what it shows."""
        self._generation += 1
        generation = self._generation
        folder, weeks, clock = self.profile.folder, self.weeks, self.clock
        self.subtitle.setText(self.tr("Updating…") if self.feedback else self.tr("Loading…"))
        job = run_in_background(
            lambda: compute_in_worker(folder, weeks, clock),
            lambda result: self._on_job_finished(generation, result),
            lambda message: self._on_job_failed(generation, message),
        )
        # Keep the last few jobs referenced until their signals have been delivered.
        self._jobs = [*self._jobs[-3:], job]

    def set_weeks(self, weeks: int) -> None:
        self.weeks = weeks
        self.period_buttons[weeks].setChecked(True)
        self.reload()

    def _on_job_finished(self, generation: int, feedback: Feedback) -> None:
        if generation != self._generation:
            return  # an older period's answer, overtaken by a newer click
        self.feedback = feedback
        self.error.show_error(None)
        self._show(feedback)
        self.feedback_loaded.emit()

    def _on_job_failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self.error.show_error(
                self.tr("Your feedback could not be computed: %1").replace("%1", message)
            )

    # -- showing -------------------------------------------------------------------------

    def _show(self, feedback: Feedback) -> None:
        period = feedback.period
        totals = feedback.totals
        pending = (
            self.tr(" · %1 still pending (younger than the %2-day repeat window)")
            .replace("%1", str(totals.pending))
            .replace("%2", str(period.repeat_window_days))
            if totals.pending
            else ""
        )
        self.subtitle.setText(
            self.tr("The last %1 weeks, since %2 · %3 contacts")
            .replace("%1", str(period.weeks))
            .replace("%2", period.start)
            .replace("%3", str(totals.contacts))
            + pending
            + self.tr(" · never timed")
        )
        self.empty.setVisible(totals.contacts == 0)
        for key, tile in self.tiles.items():
            tile.show_metric(feedback.metric(key), period.repeat_window_days)
        self._show_trend()
        self.most.setText(self._purpose_lines(feedback.confirmed_most()))
        self.least.setText(self._purpose_lines(feedback.confirmed_least()))

    def _purpose_lines(self, items) -> str:
        if not items:
            return self.tr("Shown once a purpose has 10 contacts where you asked the customer.")
        return "\n".join(
            f"{self.taxonomy.purpose_display(p.purpose)} — {p.rate.value:.0%} "
            f"({p.rate.low:.0%}–{p.rate.high:.0%} · n={p.rate.n})"
            for p in items
        )

    def _show_trend(self) -> None:
        if self.feedback is None:
            return
        if self.chart is None:
            from cxcompanion.ui.trend_chart import TrendChart

            self.chart = TrendChart()
            self.chart.setAccessibleName(self.tr("Week-by-week chart"))
            self.chart_box.addWidget(self.chart)
        key = self.trend_choice.currentData()
        points = self.feedback.trends[key]
        labels = [_week_label(w.week) for w in self.feedback.weekly]
        self.chart.show_points(points, labels)
        outside = self.chart.signals()
        if outside:
            weeks = ", ".join(
                f"{_week_label(p.key)} ({'▲' if p.signal == 'above' else '▼'})" for p in outside
            )
            self.trend_note.setText(
                self.tr(
                    "Outside the usual range (the shaded band): %1. Something changed in "
                    "those weeks; the rest is week-to-week noise. Hover a point for its "
                    "numbers."
                ).replace("%1", weeks)
            )
        else:
            self.trend_note.setText(
                self.tr(
                    "Every week sits within the usual range (the shaded band): the ups and "
                    "downs are noise, not a change. Hover a point for its numbers."
                )
            )

    def export_chart(self, path: str) -> bool:
        return self.chart is not None and self.chart.save_png(path)

    # -- slots ---------------------------------------------------------------------------

    def _on_period_group_id_clicked(self, weeks: int) -> None:
        if weeks != self.weeks:
            self.set_weeks(weeks)

    def _on_trend_choice_changed(self, _index: int) -> None:
        self._show_trend()

    def _on_export_button_clicked(self) -> None:
        if self.chart is None:
            return
        key = self.trend_choice.currentData()
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save chart"), f"{key}-{self.weeks}-weeks.png", "PNG image (*.png)"
        )
        if path and not self.export_chart(path):
            self.error.show_error(
                self.tr("Could not write %1; choose another folder.").replace("%1", path)
            )


def _week_label(monday: str) -> str:
    """ "2026-11-02" → "2 Nov": the Monday a week starts on."""
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    _year, month, day = monday.split("-")
    return f"{int(day)} {months[int(month) - 1]}"
