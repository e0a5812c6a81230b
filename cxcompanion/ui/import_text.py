"""The import steps' words: numbers filled into translated text, row counts, column names."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication


def fill(text: str, *values: object) -> str:
    """ "%1 of %2" with its values (numbers with thousands separators)."""
    for number, value in enumerate(values, 1):
        shown = f"{value:,}" if isinstance(value, int) else str(value)
        text = text.replace(f"%{number}", shown)
    return text


def row_count(count: int) -> str:
    """ "1 row", "1,234 rows"."""
    if count == 1:
        return QCoreApplication.translate("ImportPage", "1 row")
    return fill(QCoreApplication.translate("ImportPage", "%1 rows"), count)


def column_names(columns: Iterable[str]) -> str:
    return ", ".join(f"“{c}”" for c in columns)
