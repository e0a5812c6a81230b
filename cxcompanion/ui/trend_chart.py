"""A weekly trend with its p-chart band: the usual range is shaded, a week outside it is
marked (▲/▼, not colour alone) and explained when hovered. pyqtgraph is imported here only,
when the first chart is made."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QVBoxLayout, QWidget

from cxcompanion.domain.statistics import ControlPoint, explain
from cxcompanion.ui.theme import ACCENT

_PERCENT_TICKS = [[(v / 100, f"{v}%") for v in range(0, 101, 25)]]


class TrendChart(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        self.plot = pg.PlotWidget(background=palette.color(QPalette.ColorRole.Base))
        self.plot.setMinimumHeight(240)
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        item = self.plot.getPlotItem()
        for side in ("left", "bottom"):
            axis = item.getAxis(side)
            axis.setTextPen(text)
            axis.setPen(palette.color(QPalette.ColorRole.Mid))
        left = item.getAxis("left")
        left.setTicks(_PERCENT_TICKS)
        left.setWidth(48)
        left.setStyle(hideOverlappingLabels=False)
        item.showGrid(y=True, alpha=0.15)
        self.plot.setYRange(0, 1, padding=0.04)
        band_colour = QColor(ACCENT)
        band_colour.setAlpha(38)
        limit_pen = pg.mkPen(QColor(ACCENT).lighter(150), width=1)
        self._upper = pg.PlotDataItem(pen=limit_pen, connect="finite")
        self._lower = pg.PlotDataItem(pen=limit_pen, connect="finite")
        self._band = pg.FillBetweenItem(self._upper, self._lower, brush=pg.mkBrush(band_colour))
        self._centre = pg.InfiniteLine(
            angle=0, pen=pg.mkPen(QColor(ACCENT), width=1, style=Qt.PenStyle.DashLine)
        )
        self._line = pg.PlotDataItem(
            pen=pg.mkPen(QColor(ACCENT).darker(130), width=2), connect="finite"
        )
        self._points = pg.ScatterPlotItem(hoverable=True, tip=_tip, size=9)
        for graphic in (
            self._band,
            self._upper,
            self._lower,
            self._centre,
            self._line,
            self._points,
        ):
            self.plot.addItem(graphic)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self.points: list[ControlPoint] = []

    def show_points(self, points: list[ControlPoint], labels: list[str]) -> None:
        """Draw one metric's weeks; `labels` are the week names for the x axis."""
        self.points = points
        xs = list(range(len(points)))
        nan = math.nan
        self._line.setData(xs, [p.value if p.value is not None else nan for p in points])
        self._upper.setData(xs, [p.upper if p.upper is not None else nan for p in points])
        self._lower.setData(xs, [p.lower if p.lower is not None else nan for p in points])
        centre = next((p.centre for p in points if p.centre is not None), None)
        self._centre.setVisible(centre is not None)
        if centre is not None:
            self._centre.setPos(centre)
        spots = []
        for x, point in zip(xs, points, strict=True):
            if point.value is None:
                continue
            symbol = {"above": "t1", "below": "t"}.get(point.signal or "", "o")
            spots.append(
                {
                    "pos": (x, point.value),
                    "symbol": symbol,
                    "size": 15 if point.signal else 9,
                    "brush": pg.mkBrush(QColor(ACCENT).darker(150 if point.signal else 110)),
                    "pen": pg.mkPen("w", width=1),
                    "data": f"{labels[x]}: {point.value:.0%} of {point.n}\n{explain(point)}",
                }
            )
        self._points.setData(spots)
        step = max(1, len(labels) // 8)  # about eight week labels, however long the period
        ticks = [(x, labels[x]) for x in xs[::step]]
        self.plot.getPlotItem().getAxis("bottom").setTicks([ticks])
        self.plot.setXRange(-0.5, max(len(points) - 0.5, 0.5), padding=0)

    def signals(self) -> list[ControlPoint]:
        return [p for p in self.points if p.signal]

    def save_png(self, path: str) -> bool:
        return self.plot.grab().save(path, "PNG")


def _tip(x: float, y: float, data: object) -> str:
    return str(data)
