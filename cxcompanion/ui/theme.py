"""The look: calm, legible after a long shift, one accent colour, palette-aware.

Fonts and colours are set through QFont and QPalette, and the few style sheets are set on
the widgets that need them, not on the application: an application-wide style sheet puts
every widget through QStyleSheetStyle, which costs start-up time and follows the platform's
light/dark palette less well.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QPushButton, QWidget

ACCENT = "#2f6f8f"
ACCENT_DARK = "#163848"
ERROR = "#9b3d12"
BASE_POINT_SIZE = 10.5

_SHEETS = {
    "primary": (
        f"QPushButton {{ background: {ACCENT}; color: white; border: 1px solid #275d78; "
        "border-radius: 4px; font-weight: 600; padding: 6px 16px; }"
        f"QPushButton:focus {{ border: 2px solid {ACCENT_DARK}; }}"
        "QPushButton:disabled { background: palette(mid); }"
    ),
    "tile": (
        "QFrame#tile { background: palette(base); border: 1px solid palette(midlight); "
        "border-radius: 8px; }"
    ),
    "card": (
        "QFrame#card { background: palette(base); border: 1px solid palette(midlight); "
        "border-radius: 8px; }"
    ),
    "toast": (
        "QFrame#toast { background: #e7f0f4; border-top: 1px solid #b9d0da; }"
        f"QFrame#toast QLabel {{ color: {ACCENT_DARK}; }}"
    ),
}


def apply_app_theme(app: QApplication) -> None:
    font = app.font()
    font.setPointSizeF(BASE_POINT_SIZE)
    app.setFont(font)


def style(widget: QWidget, role: str) -> QWidget:
    """Give `widget` the look of `role` (also its object name, for tests and tools)."""
    widget.setObjectName(role)
    if role in _SHEETS:
        widget.setStyleSheet(_SHEETS[role])
    elif role == "sidebar":
        palette = widget.palette()
        palette.setColor(QPalette.ColorRole.Window, palette.color(QPalette.ColorRole.AlternateBase))
        widget.setPalette(palette)
        widget.setAutoFillBackground(True)
    elif role == "nav":
        # Palette, not a style sheet: the selected page in the accent colour, roomy rows.
        palette = widget.palette()
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            palette.setColor(group, QPalette.ColorRole.Highlight, QColor(ACCENT))
            palette.setColor(group, QPalette.ColorRole.HighlightedText, QColor("white"))
        palette.setColor(QPalette.ColorRole.Base, palette.color(QPalette.ColorRole.AlternateBase))
        widget.setPalette(palette)
        widget.setFrameShape(QFrame.Shape.NoFrame)
        widget.setSpacing(2)
        _font(widget, scale=11 / BASE_POINT_SIZE)
    elif role == "pageTitle":
        _font(widget, scale=17 / BASE_POINT_SIZE, weight=QFont.Weight.DemiBold)
    elif role == "brand":
        _font(widget, scale=13 / BASE_POINT_SIZE, weight=QFont.Weight.Bold)
        _colour(widget, QColor(ACCENT))
        widget.setContentsMargins(6, 2, 6, 14)
    elif role == "tileTitle":
        _font(widget, weight=QFont.Weight.DemiBold)
    elif role == "tileValue":
        _font(widget, scale=24 / BASE_POINT_SIZE, weight=QFont.Weight.DemiBold)
        _colour(widget, QColor(ACCENT_DARK))
    elif role == "tileNote":
        _font(widget, scale=12 / BASE_POINT_SIZE)
        _colour(widget, widget.palette().color(QPalette.ColorRole.PlaceholderText))
    elif role == "sectionTitle":
        _font(widget, scale=13 / BASE_POINT_SIZE, weight=QFont.Weight.DemiBold)
    elif role == "fieldLabel":
        _font(widget, weight=QFont.Weight.DemiBold)
        widget.setContentsMargins(0, 5, 0, 0)
    elif role == "quiet":
        _colour(widget, widget.palette().color(QPalette.ColorRole.PlaceholderText))
    elif role == "fieldError":
        _colour(widget, QColor(ERROR))
    elif role == "progress":
        palette = widget.palette()
        palette.setColor(QPalette.ColorRole.Highlight, QColor(ACCENT))
        widget.setPalette(palette)
    elif role == "flat" and isinstance(widget, QPushButton):
        widget.setFlat(True)
    return widget


def _font(widget: QWidget, *, scale: float = 1.0, weight: QFont.Weight | None = None) -> None:
    font = QFont(widget.font())
    if scale != 1.0:
        font.setPointSizeF(BASE_POINT_SIZE * scale)
    if weight is not None:
        font.setWeight(weight)
    widget.setFont(font)


def _colour(widget: QWidget, colour: QColor) -> None:
    palette = widget.palette()
    palette.setColor(QPalette.ColorRole.WindowText, colour)
    palette.setColor(QPalette.ColorRole.Text, colour)
    widget.setPalette(palette)


__all__ = ["QLabel", "apply_app_theme", "style"]
