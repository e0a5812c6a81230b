"""Agents compared with the team, on the Patterns page: the funnel plot, how to read it,
and beneath it, in neutral words, the few agents outside the usual range. Never a ranking:
the points and the words go in label order, whatever the rates."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QLabel, QWidget

from cxcompanion.domain.patterns import Patterns
from cxcompanion.ui.patterns_section import Section, quiet
from cxcompanion.ui.patterns_texts import fill, funnel_findings, metric_label, tr


class ComparisonSection(Section):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(
            tr("Agents compared with the team"), tr("Export the funnel plot as a PNG image"), parent
        )
        self.intro = quiet()
        self.findings = QLabel()
        self.findings.setWordWrap(True)
        self.findings.setAccessibleName(tr("Agents outside the usual range"))
        self.body.addWidget(self.intro)
        self.body.addWidget(self.findings)

    def show_comparison(self, patterns: Patterns, labels: Mapping[str, str]) -> None:
        """Draw the funnel with `labels` (name → what is shown for that agent)."""
        funnel = patterns.funnel
        self.title.setText(
            fill(tr("Agents compared with the team: %1"), metric_label(funnel.metric))
        )
        assert self.export_button is not None
        one_agent = patterns.agent is not None
        if one_agent or not funnel.points:
            if self.chart is not None:
                self.chart.hide()
            self.export_button.setEnabled(False)
            self.intro.setText(
                tr("The funnel compares agents with the team; choose “Every agent” to see it.")
                if one_agent
                else tr("No agent has contacts that count for this rate in these weeks.")
            )
            self.findings.clear()
            return
        if self.chart is None:
            from cxcompanion.ui.patterns_funnel import FunnelChart  # imports pyqtgraph

            self.chart = FunnelChart()
            self.body.insertWidget(2, self.chart)
        self.chart.show()
        self.export_button.setEnabled(True)
        self.file_stem = f"team-funnel-{funnel.metric}-{patterns.period.weeks}-weeks"
        direction = (
            tr("higher is better")
            if funnel.higher_is_better
            else tr("lower is better for the customer")
        )
        self.intro.setText(
            fill(
                tr(
                    "Each point is one agent: their rate (up; %1) against how many of their "
                    "contacts count for it (across). The lines show how far chance alone "
                    "spreads agents with that many contacts around the team's rate; a point "
                    "beyond the dotted lines is unlikely to be chance. Hover a point for its "
                    "numbers."
                ),
                direction,
            )
        )
        self.chart.show_funnel(funnel, labels)
        self.findings.setText("\n".join(funnel_findings(funnel, labels)))
