"""The funnel plot of the Patterns page: each agent's rate against their number of contacts,
around the team's rate, with the 95% (dashed) and 99.8% (dotted) limits that chance alone
reaches. Line styles, point shapes and words carry the meaning, never colour alone.

pyqtgraph is imported here only: the page imports this module when it first draws a funnel.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from cxcompanion.domain.patterns import ABOVE, BELOW, FunnelPlot, FunnelPoint
from cxcompanion.domain.statistics import funnel_limits
from cxcompanion.ui.patterns_texts import fill, percent, tr
from cxcompanion.ui.theme import ACCENT, style

# Short enough to fit along the y axis of the smallest chart.
AXIS_LABELS = {
    "confirmed_resolution": "Confirmed resolution",
    "fcr": "First-contact resolution",
    "repeat_rate": "Repeat contacts",
}
_STEPS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.25)
_LABEL_GAP = 9  # pixels between a point and its label
# Where a label may sit: its TextItem anchor, and the direction of the gap (y up).
_PLACES = (((0, 0.5), (1, 0)), ((1, 0.5), (-1, 0)), ((0.5, 1), (0, 1)), ((0.5, 0), (0, -1)))


def limit_pens(palette: QPalette) -> dict[str, QPen]:
    """The pens of the centre line and the two limits, shared by the plot and its legend:
    solid, long dashes and round dots, told apart in greyscale and by colour-blind eyes."""
    ink = QColor(palette.color(QPalette.ColorRole.WindowText))
    centre = pg.mkPen(QColor(ACCENT), width=2.5)
    dashed = pg.mkPen(ink, width=1.5)
    dashed.setDashPattern([6, 4])
    dotted = pg.mkPen(ink, width=2.5)
    dotted.setCapStyle(Qt.PenCapStyle.RoundCap)
    dotted.setDashPattern([0.01, 2.2])
    return {"centre": centre, "95": dashed, "99.8": dotted}


def percent_ticks(low: float, high: float) -> list[tuple[float, str]]:
    """Round percentages between low and high, five to eight of them."""
    span = max(high - low, 0.01)
    step = next((s for s in _STEPS if span / s <= 8), 0.25)
    first = round(low / step + 0.4999) * step
    ticks, value = [], first
    while value <= high + 1e-9:
        ticks.append((value, f"{value * 100:.0f}%"))
        value = round(value + step, 6)
    return ticks


def view_range(funnel: FunnelPlot) -> tuple[float, float]:
    """The y range: every point and the limits at every point's n, with room for labels.
    The funnel's mouth at a handful of contacts spans nearly 0–100%; it is left to run off
    the chart rather than squash the agents into a thin strip."""
    values = [funnel.centre or 0.0]
    for point in funnel.points:
        values.append(point.rate.successes / point.n)
        if point.limits_998 is not None and point.n >= 10:
            values.extend(point.limits_998)
    low, high = min(values), max(values)
    pad = max(0.03, (high - low) * 0.12)
    return max(0.0, low - pad), min(1.0, high + pad)


class FunnelChart(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        palette = self.palette()
        self._ink = palette.color(QPalette.ColorRole.WindowText)
        # Labels sit on a veil of the background, so a limit line behind one never cuts it.
        veil = QColor(palette.color(QPalette.ColorRole.Base))
        veil.setAlpha(170)
        self._label_fill = pg.mkBrush(veil)
        self.pens = limit_pens(palette)
        self.plot = pg.PlotWidget(background=palette.color(QPalette.ColorRole.Base))
        self.plot.setMinimumHeight(320)
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        item = self.plot.getPlotItem()
        for side in ("left", "bottom"):
            axis = item.getAxis(side)
            axis.setTextPen(self._ink)
            axis.setPen(palette.color(QPalette.ColorRole.Mid))
            axis.enableAutoSIPrefix(False)  # rates are 0..1: never "(x0.001)"
        item.getAxis("left").setWidth(64)
        item.getAxis("left").setStyle(hideOverlappingLabels=False)
        item.showGrid(y=True, alpha=0.12)
        item.setLabel("bottom", tr("Contacts counted for this rate (n)"), color=self._ink.name())
        band = QColor(ACCENT)
        band.setAlpha(28)
        self._high998 = pg.PlotDataItem(pen=self.pens["99.8"])
        self._low998 = pg.PlotDataItem(pen=self.pens["99.8"])
        self._high95 = pg.PlotDataItem(pen=self.pens["95"])
        self._low95 = pg.PlotDataItem(pen=self.pens["95"])
        self._band = pg.FillBetweenItem(self._high998, self._low998, brush=pg.mkBrush(band))
        self._centre = pg.InfiniteLine(angle=0, pen=self.pens["centre"])
        self._points = pg.ScatterPlotItem(hoverable=True, tip=_tip, size=11)
        for graphic in (
            self._band,
            self._high998,
            self._low998,
            self._high95,
            self._low95,
            self._centre,
            self._points,
        ):
            self.plot.addItem(graphic)
        self._labels: list[pg.TextItem] = []
        self.funnel: FunnelPlot | None = None
        self.shown_labels: list[str] = []
        item.getViewBox().sigResized.connect(self._place_labels)
        item.getViewBox().sigRangeChanged.connect(self._place_labels)

        # The legend in words, beside samples of the very pens: two columns, so it wraps
        # in a narrow window rather than widening the page.
        self.legend = QWidget()
        legend = QGridLayout(self.legend)
        legend.setContentsMargins(8, 2, 0, 0)
        legend.setHorizontalSpacing(24)
        legend.setVerticalSpacing(2)
        self.centre_key = self._key(legend, 0, 0, self.pens["centre"], "")
        self._key(
            legend, 0, 1, self.pens["95"], tr("95% limits: 1 agent in 20 is outside by chance")
        )
        self._key(legend, 1, 0, self.pens["99.8"], tr("99.8% limits: 1 agent in 500"))
        shapes = QLabel(tr("▲ ▼  outside the 99.8% limits   ○  too few contacts to place"))
        style(shapes, "quiet")
        legend.addWidget(shapes, 1, 1)
        legend.setColumnStretch(2, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.plot)
        layout.addWidget(self.legend)

    def _key(self, grid: QGridLayout, row: int, column: int, pen: QPen, text: str) -> QLabel:
        swatch = QPixmap(34, 14)
        swatch.fill(Qt.GlobalColor.transparent)
        painter = QPainter(swatch)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(pen)
        painter.drawLine(QPointF(1, 7), QPointF(33, 7))
        painter.end()
        box = QHBoxLayout()
        box.setSpacing(6)
        picture = QLabel()
        picture.setPixmap(swatch)
        words = QLabel(text)
        style(words, "quiet")
        box.addWidget(picture)
        box.addWidget(words, 1)
        grid.addLayout(box, row, column)
        return words

    def show_funnel(self, funnel: FunnelPlot, labels: Mapping[str, str]) -> None:
        """Draw `funnel`; `labels` maps each point's name to what is shown for it."""
        self.funnel = funnel
        item = self.plot.getPlotItem()
        item.setLabel("left", tr(AXIS_LABELS[funnel.metric]), color=self._ink.name())
        n_max = max((p.n for p in funnel.points), default=10)
        x_max = n_max * 1.12
        curve = list(funnel.curve)
        if funnel.centre is not None and curve:
            # The limits on to the chart's right edge, so the band does not stop at the
            # busiest agent as if the funnel ended there.
            limits = funnel_limits(funnel.centre, math.ceil(x_max))
            curve.append((math.ceil(x_max), *limits["95"], *limits["99.8"]))
        ns = [c[0] for c in curve]
        self._low95.setData(ns, [c[1] for c in curve])
        self._high95.setData(ns, [c[2] for c in curve])
        self._low998.setData(ns, [c[3] for c in curve])
        self._high998.setData(ns, [c[4] for c in curve])
        self._centre.setVisible(funnel.centre is not None)
        if funnel.centre is not None:
            self._centre.setPos(funnel.centre)
            self.centre_key.setText(fill(tr("team rate: %1"), percent(funnel.centre)))
        for text in self._labels:
            self.plot.removeItem(text)
        self._labels = []
        self.shown_labels = []
        spots = []
        for point in funnel.points:
            label = labels.get(point.label, point.label)
            self.shown_labels.append(label)
            spots.append(self._spot(point, label))
            text = pg.TextItem(label, color=self._ink, anchor=(0, 0.5), fill=self._label_fill)
            text.point = point  # type: ignore[attr-defined]
            self.plot.addItem(text)
            self._labels.append(text)
        self._points.setData(spots)
        low, high = view_range(funnel)
        item.getAxis("left").setTicks([percent_ticks(low, high)])
        self.plot.setXRange(0, x_max, padding=0)
        self.plot.setYRange(low, high, padding=0)
        self.setAccessibleName(tr("Funnel plot: each agent's rate against their contacts"))
        self.setAccessibleDescription("; ".join(_tip(0, 0, s["data"]) for s in spots))
        self._place_labels()

    def _spot(self, point: FunnelPoint, label: str) -> dict:
        value = point.rate.successes / point.n
        accent = QColor(ACCENT)
        if point.band_998 is None:
            symbol, brush = "o", pg.mkBrush(self.palette().color(QPalette.ColorRole.Base))
        else:
            symbol = {ABOVE: "t1", BELOW: "t"}.get(point.band_998, "o")
            brush = pg.mkBrush(accent.darker(150) if symbol != "o" else accent)
        tip = fill(tr("%1: %2 of %3 contacts"), label, percent(value), point.n)
        if point.limits_998 is not None:
            low, high = point.limits_998
            tip += "\n" + fill(
                tr("Usual range at this volume (99.8%): %1–%2"), percent(low), percent(high)
            )
        if point.band_998 is None:
            tip += "\n" + tr("Too few contacts to place against the team.")
        return {
            "pos": (point.n, value),
            "symbol": symbol,
            "size": 15 if symbol != "o" else 11,
            "brush": brush,
            "pen": pg.mkPen(self._ink, width=1.2),  # an edge on light and dark alike
            "data": tip,
        }

    def _place_labels(self, *_args) -> None:
        """Each label beside its point where it hides no other label or point and stays in
        the chart: right first, then left, above and below; greedy, from the top point down.
        Redone whenever the chart is resized, since the room a label needs is in pixels."""
        if not self._labels:
            return
        box = self.plot.getPlotItem().getViewBox()
        px, py = box.viewPixelSize()
        if not px or not py:
            return
        (x0, x1), (y0, y1) = box.viewRange()
        inside = QRectF(x0 / px, y0 / py, (x1 - x0) / px, (y1 - y0) / py)
        metrics = QFontMetricsF(self._labels[0].textItem.font())
        centres = {id(t): (t.point.n / px, _value(t.point) / py) for t in self._labels}
        marks = [QRectF(x - 7, y - 7, 14, 14) for x, y in centres.values()]
        taken: list[QRectF] = []
        for text in sorted(self._labels, key=lambda t: -_value(t.point)):
            width = metrics.horizontalAdvance(text.toPlainText()) + 6
            height = metrics.height() + 2
            x, y = centres[id(text)]
            best = None
            for anchor, (dx, dy) in _PLACES:
                left = x + dx * _LABEL_GAP - anchor[0] * width
                bottom = y + dy * _LABEL_GAP - (1 - anchor[1]) * height
                rect = QRectF(left, bottom, width, height)
                clash = sum(_overlap(rect, r) for r in taken + marks)
                clash += width * height - _overlap(rect, inside)
                if best is None or clash < best[0]:
                    best = (clash, anchor, dx, dy, rect)
                if clash == 0:
                    break
            assert best is not None
            _clash, anchor, dx, dy, rect = best
            taken.append(rect)
            text.setAnchor(anchor)
            text.setPos(
                text.point.n + dx * _LABEL_GAP * px, _value(text.point) + dy * _LABEL_GAP * py
            )

    def save_png(self, path: str) -> bool:
        return self.grab().save(path, "PNG")


def _value(point: FunnelPoint) -> float:
    return point.rate.successes / point.n


def _overlap(a: QRectF, b: QRectF) -> float:
    both = a.intersected(b)
    return max(both.width(), 0.0) * max(both.height(), 0.0)


def _tip(_x: float, _y: float, data: object) -> str:
    return str(data)
