"""Streaming readers of the tables a user imports: CSV (in the encodings we meet) and Excel .xlsx.

A file a user can get wrong never raises a traceback: it raises TableError, one line with the fix.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import warnings
import weakref
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

FIELD_LIMIT = 16 * 1024 * 1024
CHUNK = 1024 * 1024
SAMPLE_CHARS = 64 * 1024
# csv.Sniffer's quote regex is quadratic: 64 KiB whose last column is quoted takes over a second,
# 8 KiB ~15 ms. The whole 64 KiB still feeds the column-count fallback.
SNIFF_CHARS = 8 * 1024
DELIMITERS = ",;\t|"

_ZIP_MAGIC, _OLE_MAGIC = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"
_CP1252_UNDEFINED = re.compile(b"[\x81\x8d\x8f\x90\x9d]")
# Undecodable bytes become lone surrogates, which no valid decoding produces, so the row holding
# them can be named exactly (TextIOWrapper decodes 8 KiB ahead: its exceptions could not).
_ESCAPE = "cxcompanion-table-escape"
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
_ENCODING_LABELS = {"utf-8-sig": "UTF-8 with BOM", "utf-8": "UTF-8", "utf-16": "UTF-16"}
_ENCODING_LABELS |= {"utf-16-le": "UTF-16 LE", "utf-16-be": "UTF-16 BE", "cp1252": "Windows-1252"}


def _escape_undecodable(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(chr(0xDC00 + byte) for byte in bad), error.end


codecs.register_error(_ESCAPE, _escape_undecodable)


class TableError(ValueError):
    """A file that cannot be read as a table; .message is one line for the user with the fix."""

    def __init__(self, message: str, row: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.row = row


@dataclass(frozen=True)
class SourceRow:
    number: int  # as a spreadsheet app shows it (CSV: the record number, the header being 1)
    values: tuple[object, ...]  # one per column, then any non-blank values beyond the header


def _brief(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:80] if lines else type(exc).__name__


def _header_name(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel shows a header cell 2024.0 as "2024"
    # A BOM survives when the caller forces "utf-8" on a file saved as "utf-8-sig".
    return "" if value is None else str(value).replace("\ufeff", "").strip()


def _column_names(values: Sequence[object]) -> tuple[str, ...]:
    names = [_header_name(value) for value in values]
    while names and not names[-1]:
        names.pop()  # exports often pad the header with empty cells
    result: list[str] = []
    for position, name in enumerate(names, 1):
        base = candidate = name or f"Column {position}"
        count = 1
        # Case-blind, as the mapping layer matches headers regardless of case.
        while candidate.casefold() in {taken.casefold() for taken in result}:
            count += 1
            candidate = f"{base} ({count})"
        result.append(candidate)
    return tuple(result)


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _shape(values: Sequence[object], width: int, blank: object) -> tuple[object, ...]:
    if len(values) <= width:
        return (*values, *(blank,) * (width - len(values)))
    end = len(values)
    while end > width and _is_blank(values[end - 1]):
        end -= 1
    return tuple(values[:end])


class TableSource:
    """An open table: its columns now, its rows on demand (each rows() call starts over)."""

    path: Path
    kind: str
    columns: tuple[str, ...] = ()
    description: str = ""
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    empty_rows: int = 0
    _blank: object = None

    def __init__(self, path: Path, header_row: int) -> None:
        self.path, self._header_row, self._header_number, self._closed = path, header_row, 0, False

    def _records(self) -> Iterator[tuple[int, Sequence[object]]]:
        raise NotImplementedError

    def _row_is_blank(self, values: Sequence[object]) -> bool:
        return all(map(_is_blank, values))

    def _read_header(self) -> None:
        # The first non-blank row from header_row on: exports often start with blank lines.
        with closing(self._records()) as records:
            for number, values in records:
                if number >= self._header_row and not self._row_is_blank(values):
                    self._header_number, self.columns = number, _column_names(values)
                    return
        where = "" if self._header_row == 1 else f" at or after row {self._header_row:,}"
        place = "sheet" if self.kind == "xlsx" else "file"
        raise TableError(
            f"{self.path.name} has no header row{where}, only blank rows: "
            f"check you chose the right {place}"
        )

    def rows(self) -> Iterator[SourceRow]:
        if self._closed:
            raise ValueError("rows() on a closed TableSource")
        self.empty_rows = 0
        width, blank = len(self.columns), self._blank
        with closing(self._records()) as records:
            for number, values in records:
                if number <= self._header_number:
                    continue
                if self._row_is_blank(values):
                    self.empty_rows += 1
                    continue
                yield SourceRow(number, _shape(values, width, blank))

    def close(self) -> None:
        self._closed = True

    def __enter__(self) -> TableSource:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class _CsvTable(TableSource):
    kind, _blank = "csv", ""

    def __init__(
        self, path: Path, head: bytes, encoding: str | None, delimiter: str | None, header_row: int
    ) -> None:
        super().__init__(path, header_row)
        self._handles: weakref.WeakSet[io.TextIOWrapper] = weakref.WeakSet()
        self._guessed, undefined_at = encoding is None, None
        if encoding is None:
            encoding, undefined_at = _detect_encoding(path, head)
        try:
            self.encoding = codecs.lookup(encoding).name
        except LookupError:
            raise TableError(f"'{encoding}' is not a text encoding: choose UTF-8") from None
        if delimiter is not None and (len(delimiter) != 1 or delimiter in '"\r\n'):
            raise TableError(f"{delimiter!r} cannot separate columns: choose , ; tab or |")
        self.delimiter = delimiter or self._sniff()
        if undefined_at is not None:
            for _ in self._records():  # a full pass only for a file known to be broken: the row
                pass
            raise self._decode_error(None, f"byte {undefined_at:,}")
        self._read_header()
        label = _ENCODING_LABELS.get(self.encoding, self.encoding)
        shown = "tab" if self.delimiter == "\t" else repr(self.delimiter)
        self.description = f"CSV · {label} · delimiter {shown}"

    def _open(self) -> io.TextIOWrapper:
        try:
            # newline="": quoted newlines stay inside their field, as csv requires.
            handle = open(self.path, encoding=self.encoding, errors=_ESCAPE, newline="")  # noqa: SIM115
        except LookupError:  # a codec such as "base64" that is not a text encoding
            raise TableError(f"'{self.encoding}' is not a text encoding: choose UTF-8") from None
        except OSError as exc:
            raise _unreadable(self.path, exc) from exc
        self._handles.add(handle)
        return handle

    def _sniff(self) -> str:
        with self._open() as handle:
            try:
                sample = handle.read(SAMPLE_CHARS)
            except OSError as exc:
                raise _unreadable(self.path, exc) from exc
        if self._header_row > 1:
            sample = sample.split("\n", self._header_row - 1)[-1]  # a title above the header
        short = sample[:SNIFF_CHARS]
        if len(short) < len(sample) and "\n" in short:
            short = short[: short.rindex("\n") + 1]  # a cut line would skew the counts
        try:
            found = csv.Sniffer().sniff(short, delimiters=DELIMITERS).delimiter
        except csv.Error:
            found = ""
        return found if found and found in DELIMITERS else _most_consistent(sample)

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        if csv.field_size_limit() < FIELD_LIMIT:
            csv.field_size_limit(FIELD_LIMIT)  # only ever raised, so other readers keep working
        with self._open() as handle:
            reader = csv.reader(handle, delimiter=self.delimiter or ",")
            number = 0
            while True:
                number += 1
                try:
                    record = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise self._csv_error(exc, number) from exc
                except OSError as exc:
                    raise _unreadable(self.path, exc, number) from exc
                bad = _BAD_TEXT.search("".join(record))
                if bad is not None:
                    nul = bad.group() == "\x00"
                    raise _binary(self.path, number) if nul else self._decode_error(number)
                yield number, record

    def _row_is_blank(self, values: Sequence[object]) -> bool:
        return not any(map(str.strip, values))  # csv gives only str: no None check needed

    def _decode_error(self, row: int | None, where: str = "") -> TableError:
        label = _ENCODING_LABELS.get(self.encoding or "", self.encoding)
        fix = "choose another encoding"
        if self._guessed:  # cp1252 was only the fallback for a file that is not UTF-8
            label = "cp1252 or UTF-8" if self.encoding == "cp1252" else label
            fix = "save it as UTF-8 CSV"
        message = f"{self.path.name} is not valid {label} text at {where or f'row {row:,}'}"
        return TableError(f"{message}: {fix} and try again", row)

    def _csv_error(self, exc: csv.Error, row: int) -> TableError:
        if "field limit" in str(exc):
            return TableError(
                f"{self.path.name}: row {row:,} has a field over 16 MiB: a quote that is never "
                "closed swallows the rest of the file; fix the quotes or export it again",
                row,
            )
        if "NUL" in str(exc):
            return _binary(self.path, row)
        return TableError(f"{self.path.name} is not CSV at row {row:,} ({_brief(exc)})", row)

    def close(self) -> None:
        super().close()
        for handle in list(self._handles):  # also those of rows() iterators left half-read
            handle.close()


class _XlsxTable(TableSource):
    kind, _blank = "xlsx", None

    def __init__(self, path: Path, sheet: str | None, header_row: int) -> None:
        super().__init__(path, header_row)
        try:
            # A file object, not the name: openpyxl refuses names that do not end in .xlsx.
            self._file = open(path, "rb")  # noqa: SIM115
        except OSError as exc:
            raise _unreadable(path, exc) from exc
        try:
            with warnings.catch_warnings():  # style warnings say nothing a user can act on
                warnings.simplefilter("ignore")
                self._book = openpyxl.load_workbook(self._file, read_only=True, data_only=True)
        except Exception as exc:  # whatever openpyxl meets in a broken file
            self._file.close()
            raise TableError(
                f"{path.name} is not a valid Excel workbook ({_brief(exc)}): "
                "open it in Excel, save it again as .xlsx (or CSV) and try again"
            ) from exc
        try:
            self.sheets = tuple(self._book.sheetnames)
            self._sheet = self._pick(sheet)
            self.sheet = self._sheet.title
            # Some writers store a wrong used range (A1:A1); without one, rows are read as stored.
            self._sheet.reset_dimensions()
            self._read_header()
        except BaseException:
            self.close()
            raise
        self.description = f"Excel workbook · sheet '{self.sheet}'"

    def _pick(self, name: str | None) -> ReadOnlyWorksheet:
        if name is not None and name not in self.sheets:
            listed = ", ".join(f"'{s}'" for s in self.sheets)
            raise TableError(f"{self.path.name} has no sheet '{name}': choose one of {listed}")
        # The active sheet can be a chart sheet, which has no cells: then the first worksheet.
        chosen = self._book.active if name is None else self._book[name]
        if name is None and not isinstance(chosen, ReadOnlyWorksheet):
            chosen = next(iter(self._book.worksheets), None)
        if not isinstance(chosen, ReadOnlyWorksheet):
            if name:
                raise TableError(f"{self.path.name}: sheet '{name}' is a chart: choose another")
            raise TableError(f"{self.path.name} has no worksheet: open it in Excel and check it")
        return chosen

    def _records(self) -> Iterator[tuple[int, Sequence[object]]]:
        # openpyxl yields () for rows missing from the file, so counting gives the row number.
        with closing(self._sheet.iter_rows(values_only=True)) as cells:
            number = 0
            while True:
                number += 1
                try:
                    values = next(cells)
                except StopIteration:
                    return
                except Exception as exc:  # a damaged sheet inside a sound zip
                    raise TableError(
                        f"{self.path.name} is damaged at row {number:,} of sheet '{self.sheet}' "
                        f"({_brief(exc)}): open it in Excel, save it again and try again",
                        number,
                    ) from exc
                yield number, values

    def close(self) -> None:
        super().close()
        if hasattr(self, "_book"):
            self._book.close()
        self._file.close()


def _unreadable(path: Path, exc: OSError, row: int | None = None) -> TableError:
    where, reason = f" at row {row:,}" if row else "", exc.strerror or _brief(exc)
    fix = "check the drive or share is reachable"
    if isinstance(exc, PermissionError):  # Windows: Excel locks the files it has open
        fix = "close it in other apps, or copy it to your Documents folder"
    return TableError(f"{path.name} cannot be read{where} ({reason}): {fix}, and try again", row)


def _binary(path: Path, row: int | None = None) -> TableError:
    where = f" (row {row:,})" if row else ""
    return TableError(
        f"{path.name} contains NUL bytes{where}, so it is not CSV text: "
        "export the data as CSV (UTF-8) or Excel (.xlsx) and try again",
        row,
    )


def _utf16_without_bom(head: bytes) -> str | None:
    pairs = len(head) // 2
    even, odd = head[0 : pairs * 2 : 2].count(0), head[1 : pairs * 2 : 2].count(0)
    # Mostly-ASCII UTF-16 has a NUL in every other byte; little-endian puts it second.
    for encoding, nuls, others in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if pairs and nuls >= 0.6 * pairs and others <= 0.1 * pairs:
            try:
                text = codecs.getincrementaldecoder(encoding)().decode(head[: pairs * 2])
            except UnicodeDecodeError:
                return None
            return None if "\x00" in text else encoding
    return None


def _detect_encoding(path: Path, head: bytes) -> tuple[str, int | None]:
    """The encoding, and where a byte that cp1252 leaves undefined is (in a file not UTF-8)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", None
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", None
    if b"\x00" in head:
        encoding = _utf16_without_bom(head)
        if encoding is None:
            raise _binary(path)
        return encoding, None
    # The whole file, in chunks: one é on row 90,000 would otherwise be read as "Ã©".
    decoder, utf8, offset, undefined_at = codecs.getincrementaldecoder("utf-8")(), True, 0, None
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                if b"\x00" in chunk:
                    raise _binary(path)
                if utf8:
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError:
                        utf8 = False
                if undefined_at is None:  # every chunk: UTF-8 "Á" is C3 81, and 81 is one
                    found = _CP1252_UNDEFINED.search(chunk)
                    undefined_at = offset + found.start() if found else None
                offset += len(chunk)
        if utf8:
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:  # the file ends inside a character
        utf8 = False
    except OSError as exc:
        raise _unreadable(path, exc) from exc
    return ("utf-8", None) if utf8 else ("cp1252", undefined_at)


def _most_consistent(sample: str) -> str:
    """The delimiter giving the most rows of one column count (over 1); "," if none does."""
    best, best_score = ",", (0.0, 0)
    for candidate in DELIMITERS:
        try:
            reader = csv.reader(io.StringIO(sample), delimiter=candidate)
            counts = [len(record) for record in reader if any(map(str.strip, record))]
        except csv.Error:
            continue
        width, frequency = Counter(counts).most_common(1)[0] if counts else (0, 0)
        score = (frequency / len(counts) if counts else 0.0, width)
        if width > 1 and score > best_score:
            best, best_score = candidate, score
    return best


def open_table(
    path: str | os.PathLike[str],
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    header_row: int = 1,
) -> TableSource:
    """Open a CSV or .xlsx file (told apart by content, not name) and read its header row."""
    if header_row < 1:
        raise ValueError(f"header_row counts from 1, not {header_row}")
    file = Path(path)
    try:
        if file.is_dir():
            raise TableError(f"{file.name} is a folder: choose a CSV or Excel file inside it")
        with open(file, "rb") as handle:
            head = handle.read(4096)
    except (FileNotFoundError, NotADirectoryError):
        raise TableError(
            f"{file.name} was not found: check it was not moved, choose it again"
        ) from None
    except OSError as exc:
        raise _unreadable(file, exc) from exc
    if not head:
        raise TableError(f"{file.name} is empty: export the data again and choose the new file")
    if head.startswith(_OLE_MAGIC):
        raise TableError(
            f"{file.name} is an old Excel (.xls) or password-protected workbook: open it in "
            "Excel and save it as .xlsx (without a password) or CSV"
        )
    if head.startswith(_ZIP_MAGIC):
        return _XlsxTable(file, sheet, header_row)
    start = head.lstrip(codecs.BOM_UTF8 + b" \t\r\n")[:200].lower()
    if start.startswith(b"<") and (b"<html" in start or b"<table" in start):
        # Web apps often save an HTML table as .xls: read as CSV it would be one garbled column.
        raise TableError(f"{file.name} is a web page: open it in Excel and save it as .xlsx or CSV")
    return _CsvTable(file, head, encoding, delimiter, header_row)
