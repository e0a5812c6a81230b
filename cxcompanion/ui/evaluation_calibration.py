"""Calibration: every lead's points for one contact side by side, criterion by criterion,
the criteria they differ on first and marked in words and a sign (never colour alone)."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cxcompanion.domain.scorecard import DIMENSION_LABELS, CriterionSpread
from cxcompanion.services.evaluations import Evaluation
from cxcompanion.ui.theme import style


def points_text(points: int | None, possible: int) -> str:
    return "N/A" if points is None else f"{points} of {possible}"


class CalibrationView(QWidget):
    def __init__(self, me: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.me = me
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.totals = QLabel()
        self.totals.setWordWrap(True)
        style(self.totals, "quiet")
        self.table = QTableWidget()
        self.table.setAccessibleName(self.tr("Each lead's points, criterion by criterion"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        self.table.setTabKeyNavigation(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.summary)
        layout.addWidget(self.totals)
        layout.addWidget(self.table, 1)

    def show_spread(
        self, rows: list[CriterionSpread], evaluations: Mapping[str, Evaluation]
    ) -> None:
        """`rows` as EvaluationService.calibration gives them: the differing first."""
        evaluators = sorted(evaluations, key=lambda e: (e != self.me, e.casefold()))
        names = [self.tr("You") if e == self.me else e for e in evaluators]
        differing = sum(r.differs for r in rows)
        if differing == 0:
            self.summary.setText(
                self.tr("= All %1 leads gave the same points on every criterion.").replace(
                    "%1", str(len(evaluators))
                )
            )
        else:
            self.summary.setText(
                self.tr("≠ The leads differ on %1 of %2 criteria; those come first.")
                .replace("%1", str(differing))
                .replace("%2", str(len(rows)))
            )
        self.totals.setText(
            "   ".join(
                self.tr("%1: technical %2 of %3, emotional %4 of %5")
                .replace("%1", name)
                .replace("%2", str(evaluations[e].technical[0]))
                .replace("%3", str(evaluations[e].technical[1]))
                .replace("%4", str(evaluations[e].emotional[0]))
                .replace("%5", str(evaluations[e].emotional[1]))
                for e, name in zip(evaluators, names, strict=True)
            )
        )
        headers = [self.tr("Agreement"), self.tr("Criterion"), self.tr("Dimension"), *names]
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(rows))
        bold = QFont(self.table.font())
        bold.setWeight(QFont.Weight.DemiBold)
        for row, spread in enumerate(rows):
            c = spread.criterion
            if not spread.differs:
                mark = self.tr("= same")
            elif spread.spread:
                mark = self.tr("≠ %1 apart").replace("%1", str(spread.spread))
            else:
                mark = self.tr("≠ N/A for some")
            dimension = self.tr(DIMENSION_LABELS[c.dimension].split()[0])
            cells = [mark, c.label, dimension]
            cells += [points_text(spread.scores.get(e), c.points) for e in evaluators]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if spread.differs and column == 0:
                    item.setFont(bold)
                item.setToolTip(c.guide if column == 1 else text)
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.resizeRowsToContents()
