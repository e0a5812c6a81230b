"""The card an idea is drawn as, in a list view: painted by a delegate rather than made of
widgets, so that a board of a few thousand ideas stays quick to open, scroll and filter.

An adopted idea on the agent's own page stands out (a band, a badge and a word of thanks),
in the one accent colour, never as an alarm.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QResizeEvent,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from cxcompanion.ui.ideas_model import BOARD, CARD_ROLE, IdeaCard
from cxcompanion.ui.theme import ACCENT, BASE_POINT_SIZE

GAP = 8  # between two cards
_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class _Block:
    kind: str  # "text", "meta", "credit", "note", "thanks"
    lines: tuple[str, ...]
    top: int


@dataclass(frozen=True)
class _Layout:
    blocks: tuple[_Block, ...]
    height: int  # of the card, without the gap
    badge: QRect | None = None  # the status badge (the agent's page)


def mix(base: QColor, other: QColor, amount: float) -> QColor:
    """`amount` of `other` over `base`: tints that follow a light or a dark palette."""
    return QColor(
        round(base.red() + (other.red() - base.red()) * amount),
        round(base.green() + (other.green() - base.green()) * amount),
        round(base.blue() + (other.blue() - base.blue()) * amount),
    )


def wrapped(text: str, font: QFont, width: int, max_lines: int) -> tuple[str, ...]:
    """`text` broken into lines of at most `width` pixels; beyond `max_lines`, "…"."""
    if not text:
        return ()
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    spans: list[tuple[int, int]] = []
    layout.beginLayout()
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(max(width, 20))
        spans.append((line.textStart(), line.textLength()))
    layout.endLayout()
    # Qt counts UTF-16 units: slice the UTF-16 text, so an emoji does not shift the lines.
    units = text.encode("utf-16-le")

    def piece(start: int, length: int | None = None) -> str:
        end = None if length is None else 2 * (start + length)
        return units[2 * start : end].decode("utf-16-le", errors="replace")

    lines = [piece(s, n).rstrip() for s, n in spans]
    if len(lines) > max_lines:
        rest = piece(spans[max_lines - 1][0]).replace("\n", " ")
        elided = QFontMetrics(font).elidedText(rest, Qt.TextElideMode.ElideRight, width)
        lines = [*lines[: max_lines - 1], elided]
    return tuple(lines)


class CardListView(QListView):
    """A list of cards that lays them out again as soon as its width changes: cards wrap
    their words, so a narrower list means taller cards (QListView alone waits 100 ms, or
    does not relayout at all without word wrap)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(False)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setMouseTracking(True)  # the card under the mouse is outlined
        self.setTabKeyNavigation(False)  # Tab leaves the list

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.scheduleDelayedItemsLayout()


class IdeaCardDelegate(QStyledItemDelegate):
    """Paints IdeaCard rows; `mode` BOARD (compact, who captured it) or MINE (roomy, the
    status badge and what became of the idea)."""

    def __init__(self, mode: str = BOARD, parent: QWidget | None = None):
        super().__init__(parent)
        self.mode = mode
        self._cache: dict[tuple[IdeaCard, int], _Layout] = {}
        self._font_sets: dict[str, dict[str, QFont]] = {}  # per view font: made once
        self.padding = 10 if mode == BOARD else 14
        self.margin = 4

    # -- fonts ---------------------------------------------------------------------------

    def _fonts(self, base: QFont) -> dict[str, QFont]:
        key = base.key()
        if key not in self._font_sets:
            self._font_sets[key] = self._make_fonts(base)
        return self._font_sets[key]

    def _make_fonts(self, base: QFont) -> dict[str, QFont]:
        text = QFont(base)
        if self.mode != BOARD:
            text.setPointSizeF(base.pointSizeF() * 12 / BASE_POINT_SIZE)
        note = QFont(base)
        note.setItalic(self.mode == BOARD)
        thanks = QFont(base)
        thanks.setWeight(QFont.Weight.DemiBold)
        badge = QFont(base)
        badge.setWeight(QFont.Weight.DemiBold)
        return {"text": text, "meta": QFont(base), "credit": QFont(base), "note": note,
                "thanks": thanks, "badge": badge}  # fmt: skip

    # -- layout --------------------------------------------------------------------------

    def _width(self, option: QStyleOptionViewItem) -> int:
        """The card's width: the view's. A scroll bar appearing makes the cards narrower and
        so taller, which keeps it needed (and the other way round): no back and forth."""
        view = option.widget
        total = (
            view.viewport().width() if isinstance(view, QAbstractItemView) else option.rect.width()
        )
        return max(total - 2 * self.margin, 120)

    def layout(self, card: IdeaCard, option: QStyleOptionViewItem) -> _Layout:
        width = self._width(option)
        key = (card, width)
        found = self._cache.get(key)
        if found is not None:
            return found
        if len(self._cache) > 20_000:
            self._cache.clear()
        fonts = self._fonts(option.font)
        inner = width - 2 * self.padding
        badge: QRect | None = None
        text_width = inner
        if self.mode != BOARD:
            metrics = QFontMetrics(fonts["badge"])
            badge_w = metrics.horizontalAdvance(card.status) + 20
            badge = QRect(
                self.padding + inner - badge_w, self.padding, badge_w, metrics.height() + 8
            )
            text_width = inner - badge_w - 16
        plan = (
            (("text", card.text, 4), ("meta", card.meta, 1), ("credit", card.credit, 2),
             ("note", card.note, 2))
            if self.mode == BOARD
            else (("text", card.text, 6), ("meta", card.meta, 2), ("thanks", card.thanks, 2),
                  ("note", card.note, 6), ("credit", card.credit, 2))
        )  # fmt: skip
        blocks: list[_Block] = []
        top = self.padding
        for kind, text, max_lines in plan:
            width_here = text_width if kind == "text" else inner
            # A line break in a text starts a new line, each part wrapped to `max_lines`.
            lines = tuple(
                line
                for part in text.split("\n")
                for line in wrapped(part, fonts[kind], width_here, max_lines)
            )
            if not lines:
                continue
            if blocks:
                top += 6 if kind in ("thanks", "note") and self.mode != BOARD else 3
            blocks.append(_Block(kind, lines, top))
            top += len(lines) * QFontMetrics(fonts[kind]).lineSpacing()
            if kind == "text" and badge is not None:
                top = max(top, badge.bottom() + 1)
        found = _Layout(tuple(blocks), top + self.padding, badge)
        self._cache[key] = found
        return found

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        card = index.data(CARD_ROLE)
        if not isinstance(card, IdeaCard):
            return super().sizeHint(option, index)
        layout = self.layout(card, option)
        return QSize(self._width(option) + 2 * self.margin, layout.height + GAP)

    # -- painting ------------------------------------------------------------------------

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        card = index.data(CARD_ROLE)
        if not isinstance(card, IdeaCard):
            super().paint(painter, option, index)
            return
        layout = self.layout(card, option)
        palette = option.palette
        base = palette.color(QPalette.ColorRole.Base)
        accent = QColor(ACCENT)
        text_colour = palette.color(QPalette.ColorRole.Text)
        quiet = palette.color(QPalette.ColorRole.PlaceholderText)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        rect = QRectF(
            option.rect.left() + self.margin + 0.5,
            option.rect.top() + GAP / 2 + 0.5,
            self._width(option) - 1,
            layout.height - 1,
        )
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill = mix(base, accent, 0.07) if card.standout else base
        border = mix(base, accent, 0.45) if card.standout else palette.color(QPalette.ColorRole.Mid)
        if selected:
            fill, border = mix(base, accent, 0.13), accent
        elif hovered:
            border = mix(border, text_colour, 0.35)
        pen = painter.pen()
        pen.setColor(border)
        pen.setWidthF(2.0 if selected else 1.0)
        painter.setPen(pen)
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, 7, 7)
        if card.standout:
            # The band: the accent down the left edge, inside the rounded corners.
            band = QRectF(rect.left() + 1, rect.top() + 6, 5, rect.height() - 12)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(accent)
            painter.drawRoundedRect(band, 2.5, 2.5)
        fonts = self._fonts(option.font)
        origin = QPointF(rect.left() - 0.5, rect.top() - 0.5)
        if layout.badge is not None:
            badge = layout.badge.translated(origin.toPoint())
            self._paint_badge(painter, card, badge, fonts, palette)
        colours = {"text": text_colour, "meta": quiet, "credit": quiet, "note": quiet,
                   "thanks": text_colour}  # fmt: skip
        if self.mode != BOARD:
            colours["note"] = text_colour
            colours["thanks"] = mix(text_colour, accent, 0.75)  # readable on light and dark
        inner = self._width(option) - 2 * self.padding
        for block in layout.blocks:
            font = fonts[block.kind]
            metrics = QFontMetrics(font)
            painter.setFont(font)
            painter.setPen(accent if block.kind == "thanks" and selected else colours[block.kind])
            y = origin.y() + block.top
            for line in block.lines:
                line_rect = QRectF(origin.x() + self.padding, y, inner, metrics.lineSpacing())
                painter.drawText(line_rect, int(Qt.AlignmentFlag.AlignLeft), line)
                y += metrics.lineSpacing()
        painter.restore()

    def _paint_badge(
        self,
        painter: QPainter,
        card: IdeaCard,
        badge: QRect,
        fonts: dict[str, QFont],
        palette: QPalette,
    ) -> None:
        rect = QRectF(badge).adjusted(0.5, 0.5, -0.5, -0.5)
        if card.standout:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(ACCENT))
            text = QColor("white")
        else:
            painter.setPen(palette.color(QPalette.ColorRole.Mid))
            painter.setBrush(palette.color(QPalette.ColorRole.AlternateBase))
            text = palette.color(QPalette.ColorRole.Text)
        painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
        painter.setFont(fonts["badge"])
        painter.setPen(text)
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), card.status)

    def forget(self) -> None:
        """Drop the cached layouts (after the fonts or the ideas changed)."""
        self._cache.clear()
