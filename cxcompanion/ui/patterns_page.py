"""Patterns (team lead): the team's rates across weeks and across agents, read as shapes —
tiles with their intervals, a p-chart, a funnel plot, a purpose × outcome heat map and two
lists of things (never a league table of people).

The numbers come from PatternsService in a worker (seconds on a large store) with the
agents' names; the page shows the anonymous labels the domain gives them unless the lead
asks for names, so "Show names" redraws at once without counting again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from cxcompanion.domain.metric_texts import INTERVAL_NOTE
from cxcompanion.domain.patterns import Patterns, anonymous_labels
from cxcompanion.services.feedback import PERIOD_CHOICES
from cxcompanion.services.patterns import PatternsService
from cxcompanion.services.profile import Profile, ProfileError
from cxcompanion.ui.feedback_tiles import MetricTile
from cxcompanion.ui.patterns_comparison import ComparisonSection
from cxcompanion.ui.patterns_filters import PatternsFilters
from cxcompanion.ui.patterns_heatmap import HeatMapView
from cxcompanion.ui.patterns_lists import CancelSection, RepeatsSection
from cxcompanion.ui.patterns_section import Section, quiet
from cxcompanion.ui.patterns_texts import fill
from cxcompanion.ui.patterns_trends import TrendSection
from cxcompanion.ui.theme import style
from cxcompanion.ui.widgets import ErrorLabel
from cxcompanion.ui.workers import run_in_background

TILE_KEYS = ("confirmed_resolution", "fcr", "repeat_rate", "save_rate")
AGENT_MESSAGE = (
    "Team patterns are for your team lead. Your own numbers, with the same intervals and "
    "week-by-week trend, are under My feedback."
)


@dataclass(frozen=True)
class PatternsLoad:
    """A worker's answer: the patterns (with names) and each agent's anonymous label."""

    patterns: Patterns
    labels: dict[str, str]


def compute_in_worker(
    folder: Path,
    weeks: int,
    metric: str,
    agent: str | None,
    channel: str | None,
    clock: Callable[[], datetime] | None = None,
) -> PatternsLoad:
    """Runs on a pool thread: its own connection to the profile's database."""
    profile = Profile(folder)
    try:
        service = PatternsService(profile) if clock is None else PatternsService(profile, clock)
        patterns = service.compute(weeks, metric, True, agent=agent, channel=channel)
        names = [p.label for p in patterns.funnel.points]
        # The same labels compute(reveal=False) gives: the same names, the same team salt.
        labels = anonymous_labels(names, profile.team_secret) if names else {}
        return PatternsLoad(patterns, labels)
    finally:
        profile.close()


class TileGrid(QWidget):
    """The headline tiles in one row when there is room for their intervals, else two by
    two (a tile never clips "112 of 207 stayed · 47%–61%")."""

    WIDE = 980  # four tiles of about 235 pixels and their gaps

    def __init__(self, tiles: list[QWidget], parent: QWidget | None = None):
        super().__init__(parent)
        self.tiles = tiles
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(12)
        self.columns = 0
        self._arrange(4)

    def _arrange(self, columns: int) -> None:
        if columns == self.columns:
            return
        self.columns = columns
        for tile in self.tiles:
            self.grid.removeWidget(tile)
        for position, tile in enumerate(self.tiles):
            self.grid.addWidget(tile, position // columns, position % columns)
        for column in range(4):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)

    def minimumSizeHint(self) -> QSize:  # two columns fit where four do not
        return QSize(2 * 240 + 12, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange(4 if event.size().width() >= self.WIDE else 2)


class PatternsPage(QWidget):
    patterns_loaded = Signal()

    def __init__(
        self,
        profile: Profile,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
    ):
        super().__init__(parent)
        self.profile = profile
        self.clock = clock  # None: now (a fixed clock serves tests)
        self.taxonomy = profile.taxonomy
        self.weeks = 12
        self.patterns: Patterns | None = None
        self.labels: dict[str, str] = {}  # name → "Agent C", from the last all-agents result
        self._generation = 0
        self._jobs: list = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 12)
        outer.setSpacing(10)
        self.header = QHBoxLayout()
        title = QLabel(self.tr("Patterns"))
        style(title, "pageTitle")
        self.header.addWidget(title)
        self.header.addStretch(1)
        outer.addLayout(self.header)
        try:
            PatternsService(profile)
        except ProfileError:
            self.is_lead = False
            self.message = QLabel(self.tr(AGENT_MESSAGE))
            self.message.setWordWrap(True)
            outer.addWidget(self.message)
            outer.addStretch(1)
            return
        self.is_lead = True
        self._build_header()
        self.filters = PatternsFilters()
        outer.addWidget(self.filters)
        self.subtitle = quiet(self.tr("Computing the team's patterns…"))
        outer.addWidget(self.subtitle)
        self.error = ErrorLabel()
        outer.addWidget(self.error)
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 4, 12, 8)
        column.setSpacing(12)
        column.addWidget(self._tiles())
        self.trend = TrendSection()
        self.comparison = ComparisonSection()
        heat_section = Section(self.tr("Purposes and how contacts ended"))
        self.heat_map = HeatMapView(self.taxonomy.purpose_display)
        heat_section.body.addWidget(self.heat_map)
        self.repeats = RepeatsSection(self.taxonomy)
        self.cancels = CancelSection(self.taxonomy)
        for section in (self.trend, self.comparison, heat_section, self.repeats, self.cancels):
            column.addWidget(section)
            section.export_failed.connect(self._on_section_export_failed)
        column.addWidget(quiet(self.tr(INTERVAL_NOTE)))
        column.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(body)
        outer.addWidget(self.scroll, 1)
        self.filters.filters_changed.connect(self._on_filters_filters_changed)
        self.filters.names_toggled.connect(self._on_filters_names_toggled)

    # -- building ------------------------------------------------------------------------

    def _build_header(self) -> None:
        self.status = quiet()
        self.status.hide()
        self.header.insertWidget(1, self.status)
        self.header.addWidget(QLabel(self.tr("Period:")))
        self.period_group = QButtonGroup(self)
        self.period_buttons: dict[int, QPushButton] = {}
        for weeks in PERIOD_CHOICES:
            button = QPushButton(fill(self.tr("%1 weeks"), weeks))
            button.setCheckable(True)
            button.setAccessibleName(fill(self.tr("Show the last %1 weeks"), weeks))
            self.period_group.addButton(button, weeks)
            self.period_buttons[weeks] = button
            self.header.addWidget(button)
        self.period_buttons[self.weeks].setChecked(True)
        self.period_group.idClicked.connect(self._on_period_group_id_clicked)

    def _tiles(self) -> TileGrid:
        self.tiles: dict[str, MetricTile] = {key: MetricTile(key) for key in TILE_KEYS}
        return TileGrid(list(self.tiles.values()))

    # -- loading -------------------------------------------------------------------------

    def refresh(self) -> None:
        """Count again in a worker (after a sync, or when shown); the page keeps what it
        shows until the new numbers arrive."""
        if not self.is_lead:
            return
        self._generation += 1
        generation = self._generation
        folder, weeks, clock = self.profile.folder, self.weeks, self.clock
        metric = self.filters.current_metric()
        agent, channel = self.filters.current_agent(), self.filters.current_channel()
        # The first time the subtitle says it; afterwards the numbers stay and a word shows.
        self.status.setText(self.tr("Updating…"))
        self.status.setVisible(self.patterns is not None)
        job = run_in_background(
            lambda: compute_in_worker(folder, weeks, metric, agent, channel, clock),
            lambda result: self._on_job_finished(generation, result),
            lambda message: self._on_job_failed(generation, message),
        )
        # Keep the last few jobs referenced until their signals have been delivered.
        self._jobs = [*self._jobs[-3:], job]

    reload = refresh

    def set_weeks(self, weeks: int) -> None:
        self.weeks = weeks
        self.period_buttons[weeks].setChecked(True)
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not event.spontaneous():
            self.refresh()  # coming back to the page: what a sync brought shows

    def _on_job_finished(self, generation: int, load: PatternsLoad) -> None:
        if generation != self._generation:
            return  # an older choice's answer, overtaken by a newer click
        self.status.hide()
        self.patterns = load.patterns
        if load.patterns.agent is None:
            self.labels = load.labels
        self.error.show_error(None)
        self._show()
        self.patterns_loaded.emit()

    def _on_job_failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self.status.hide()
            self.error.show_error(
                fill(self.tr("The team's patterns could not be computed: %1"), message)
            )

    # -- showing -------------------------------------------------------------------------

    def shown_labels(self) -> dict[str, str]:
        """What each agent is called on the page: their label, or their name if asked."""
        if self.filters.names_shown():
            return {name: name for name in self.labels}
        return dict(self.labels)

    def _show(self) -> None:
        patterns = self.patterns
        if patterns is None:
            return
        self._show_subtitle(patterns)
        window = patterns.period.repeat_window_days
        for key, tile in self.tiles.items():
            tile.show_metric(patterns.rates[key], window)
        self._show_agents()
        self.trend.show_trend(patterns, self.filters.current_metric())
        self.comparison.show_comparison(patterns, self.shown_labels())
        self.heat_map.show_heat_map(patterns.heat_map)
        self.repeats.show_repeats(patterns.repeats_by_purpose)
        totals = patterns.totals
        self.cancels.show_reasons(patterns.cancel_reasons, totals.cancel_n, totals.saved)

    def _show_subtitle(self, patterns: Patterns) -> None:
        period, totals = patterns.period, patterns.totals
        parts = [
            fill(
                self.tr("The last %1 weeks, since %2 · %3 contacts"),
                period.weeks,
                period.start,
                totals.contacts,
            )
        ]
        if totals.pending:
            parts.append(
                fill(
                    self.tr("%1 still pending (younger than the %2-day repeat window)"),
                    totals.pending,
                    period.repeat_window_days,
                )
            )
        if patterns.agent is not None:
            parts.append(fill(self.tr("%1 only"), self.filters.agent.currentText()))
        if patterns.channel is not None:
            parts.append(fill(self.tr("%1 only"), self.filters.channel.currentText()))
        parts.append(self.tr("never timed"))
        self.subtitle.setText(" · ".join(parts))

    def _show_agents(self) -> None:
        shown = self.shown_labels()
        order = sorted(shown, key=lambda name: (len(self.labels[name]), self.labels[name]))
        if self.filters.names_shown():
            order = sorted(shown)
        self.filters.set_agents([(name, shown[name]) for name in order])

    def export_chart(self, which: str, path: str) -> bool:
        """Save the "trend" or the "funnel" chart as a PNG; False if it is not on show or
        the file could not be written."""
        return (self.trend if which == "trend" else self.comparison).save_png(path)

    # -- slots ---------------------------------------------------------------------------

    def _on_period_group_id_clicked(self, weeks: int) -> None:
        if weeks != self.weeks:
            self.set_weeks(weeks)

    def _on_filters_filters_changed(self) -> None:
        if self.patterns is not None:  # every rate's weeks are in hand; the funnel is counted
            self.trend.show_trend(self.patterns, self.filters.current_metric())
        self.refresh()

    def _on_filters_names_toggled(self, _checked: bool) -> None:
        if self.patterns is not None:
            self._show_agents()
            self.comparison.show_comparison(self.patterns, self.shown_labels())

    def _on_section_export_failed(self, path: str) -> None:
        self.error.show_error(fill(self.tr("Could not write %1; choose another folder."), path))
