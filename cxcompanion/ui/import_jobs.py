"""The Import page's work off the UI thread: reading the file for the preview, and the check or
import itself; each opens what it reads (and its own Profile) on the pool thread.

What a job brings back is an Outcome: a value, or the words of a failure a person can act on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cxcompanion.domain.import_mapping import ImportMapping, MappingError
from cxcompanion.domain.import_rows import cell_text
from cxcompanion.services.profile import Profile
from cxcompanion.store.errors import StoreError
from cxcompanion.ui.import_fields import MAX_VALUES

PREVIEW_ROWS = 20
# Rows read for the different values of each column, so that a value the import would not
# understand is offered on the Map step ("⚠ choose what it means") before the check finds it.
SCAN_ROWS = 50_000


@dataclass(frozen=True)
class Outcome:
    """What a worker brings back: a value, or an error a person can act on, or a cancel."""

    value: Any = None
    error: str = ""
    where: str = ""  # "file", "saved", "store", "bug" or a mapping place (fields.purpose)
    cancelled: bool = False


class SavedMappingError(Exception):
    """The saved mapping the person chose cannot be used (shown beside its field)."""


def attempt(work: Callable[[], Any]) -> Outcome:
    """Runs on the pool thread: the failures a person can meet become words."""
    from cxcompanion.services.file_import import ImportCancelled
    from cxcompanion.services.table_readers import TableError

    try:
        return Outcome(work())
    except ImportCancelled:
        return Outcome(cancelled=True)
    except SavedMappingError as exc:
        return Outcome(error=str(exc), where="saved")
    except MappingError as exc:
        return Outcome(error=exc.message, where=exc.where or "mapping")
    except TableError as exc:
        return Outcome(error=exc.message, where="file")
    except StoreError as exc:
        return Outcome(error=str(exc), where="store")


def preview_in_worker(path: str, kind: str, sheet: str | None, mapping_path: str, progress=None):
    """(the saved mapping or None, the Preview, the different values of each column), read
    off the UI thread: a table brings in openpyxl (a fifth of a second), and a scan."""
    from cxcompanion.services.file_import import load_mapping, preview

    saved = None
    if mapping_path:
        try:
            saved = load_mapping(mapping_path)
        except MappingError as exc:
            raise SavedMappingError(str(exc)) from None
    if sheet is None and saved is not None:
        sheet = saved.sheet
    header_row = saved.header_row if saved else 1
    shown = preview(path, kind, rows=PREVIEW_ROWS, sheet=sheet, header_row=header_row)
    dropped = shown.dropped_columns
    return saved, shown, scan_values(path, shown.suggested.sheet, header_row, dropped, progress)


def scan_values(path, sheet, header_row, dropped=(), progress=None) -> dict[str, list[str]]:
    """The different values of each column in the first SCAN_ROWS rows, for the map's value
    translations; a column with more than MAX_VALUES (free text) is left out."""
    from cxcompanion.services.table_readers import open_table

    with open_table(path, sheet=sheet, header_row=header_row) as table:
        seen: dict[str, dict[str, str]] = {c: {} for c in table.columns if c not in dropped}
        for number, row in enumerate(table.rows()):
            if number >= SCAN_ROWS or not seen:
                break
            if progress is not None and number and number % 5_000 == 0:
                progress(number)
            for column, value in zip(table.columns, row.values, strict=False):
                values = seen.get(column)
                text = "" if values is None else cell_text(value)
                if text:
                    values.setdefault(text.casefold(), text)
                    if len(values) > MAX_VALUES:
                        del seen[column]
    return {column: list(values.values()) for column, values in seen.items()}


def import_in_worker(folder: Path, path: str, mapping: ImportMapping, **options: Any):
    """Runs on the pool thread with its own connection to the profile's database."""
    profile = Profile(folder)
    try:
        if mapping.kind == "contacts":
            from cxcompanion.services.history_import import HistoryImport as Service
        else:
            from cxcompanion.services.survey_import import SurveyImport as Service
        return Service(profile).run(path, mapping, **options)
    finally:
        profile.close()
