"""Importing a CSV or Excel file by a mapping: what contact history and survey imports share.

The run streams the file once: rows are read, mapped, checked and written in batches
inside ONE transaction, committed only at the end, so a bad row (unless the person chose to
import the good ones), a cancel or a failure leaves the store exactly as it was. A dry run
takes the same path and writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cxcompanion.domain.import_mapping import (
    ImportMapping,
    MappingError,
    check_columns,
    duration_columns,
    mapping_from_dict,
    suggest_mapping,
)
from cxcompanion.domain.import_rows import (
    RowConverter,
    RowProblem,
    RowRejected,
    refine_suggestion,
    row_key,
)
from cxcompanion.domain.seen_keys import SeenKeys
from cxcompanion.services.history_rows import SLOW
from cxcompanion.services.profile import Profile, ProfileError
from cxcompanion.services.table_readers import SourceRow, TableError, TableSource, open_table

BATCH_ROWS = 2_000
IMPORT_CACHE_KIB = -32768  # 32 MiB of page cache while importing (negative: KiB; 64 MiB
# measured ~1 s faster at a million rows but over the 300 MB peak the issue sets)
MAX_REPORTED_PROBLEMS = 1_000  # every bad row is counted; the first thousand are listed
ProgressFn = Callable[[int], None]


def _now() -> datetime:
    return datetime.now(timezone.utc)


class ImportCancelled(Exception):
    """The person stopped the import; nothing was written."""


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do), row by row where it matters."""

    kind: str
    file: str
    source: str = ""
    dry_run: bool = False
    rows: int = 0  # data rows read (blank rows not counted)
    empty_rows: int = 0
    filtered: int = 0  # left out by the mapping's row filters
    not_yours: int = 0  # an agent's import: rows of colleagues
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_others: int = 0  # already imported by someone else: left as they are
    duplicates: list[tuple[int, int]] = field(default_factory=list)  # (row, same as row)
    rejected: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    matched: int = 0  # surveys
    unmatched_rows: list[int] = field(default_factory=list)
    rematched: int = 0  # earlier unmatched answers that found their contact now
    dropped_columns: tuple[str, ...] = ()
    unused_columns: tuple[str, ...] = ()
    written: bool = False

    @property
    def good(self) -> int:
        return self.new + self.updated + self.unchanged

    def add_problems(self, problems: list[RowProblem]) -> None:
        self.rejected += 1
        room = MAX_REPORTED_PROBLEMS - len(self.problems)
        if room > 0:
            self.problems.extend(problems[:room])

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file": self.file,
            "source": self.source,
            "dry_run": self.dry_run,
            "written": self.written,
            "rows": self.rows,
            "empty_rows": self.empty_rows,
            "filtered": self.filtered,
            "not_yours": self.not_yours,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "kept_others": self.kept_others,
            "duplicates": [{"row": r, "same_as_row": s} for r, s in self.duplicates],
            "rejected": self.rejected,
            "problems": [
                {"row": p.row, "column": p.column, "message": p.message} for p in self.problems
            ],
            "matched": self.matched,
            "unmatched_rows": self.unmatched_rows,
            "rematched": self.rematched,
            "dropped_columns": list(self.dropped_columns),
            "unused_columns": list(self.unused_columns),
        }


@dataclass(frozen=True)
class Preview:
    """The first rows of a file and a suggested mapping, for the wizard and `--dry-run`."""

    columns: tuple[str, ...]
    rows: tuple[SourceRow, ...]
    source: str
    sheets: tuple[str, ...]
    suggested: ImportMapping
    dropped_columns: tuple[str, ...]


def load_mapping(path: str | Path) -> ImportMapping:
    """A mapping file; MappingError (one line, what and where) if it cannot be used."""
    path = Path(path).expanduser()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise MappingError("", f"there is no mapping file {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError("", f"the mapping {path} cannot be read ({exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MappingError(
            "", f"{path.name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    return mapping_from_dict(data)


def preview(path: str | Path, kind: str, *, rows: int = 20, **source: Any) -> Preview:
    """The first `rows` rows, and a mapping suggested from the names and the first 200."""
    with open_table(path, **source) as table:
        sample = []
        for row in table.rows():
            sample.append(row)
            if len(sample) >= max(rows, 200):
                break
        suggested = refine_suggestion(
            suggest_mapping(kind, table.columns), table.columns, [r.values for r in sample]
        )
        suggested = replace(suggested, sheet=table.sheet, header_row=source.get("header_row", 1))
        sample = sample[:rows]
        return Preview(
            columns=table.columns,
            rows=tuple(sample),
            source=table.description,
            sheets=table.sheets,
            suggested=suggested,
            dropped_columns=duration_columns(table.columns),
        )


class FileImport:
    """One run of one kind of import; subclasses say how a mapped row is written."""

    kind = ""

    def __init__(self, profile: Profile, clock: Callable[[], datetime] = _now):
        self.profile = profile
        self.clock = clock
        self.identity = profile.identity
        self.now = clock()
        self.stamp = self.now.strftime("%Y-%m-%dT%H:%M:%SZ")

    def run(
        self,
        path: str | Path,
        mapping: ImportMapping,
        *,
        dry_run: bool = False,
        skip_bad_rows: bool = False,
        progress: ProgressFn | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> ImportReport:
        """Import `path`; with bad rows and not `skip_bad_rows`, nothing is written.

        Raises TableError / MappingError (the file or mapping cannot be used at all),
        ImportCancelled, or StoreError; the store is unchanged by any of them.
        """
        if mapping.kind != self.kind:
            raise MappingError(
                "kind", f"this mapping is for {mapping.kind}, not for importing {self.kind}"
            )
        self.check_may_import()
        report = ImportReport(kind=self.kind, file=str(path), dry_run=dry_run)
        with open_table(
            path,
            sheet=mapping.sheet,
            encoding=mapping.encoding,
            delimiter=mapping.delimiter,
            header_row=mapping.header_row,
        ) as table:
            self._check_mapping(mapping, table, report)
            converter = RowConverter(mapping, table.columns, self.profile.taxonomy, _zone(mapping))
            keep = [i for i, c in enumerate(table.columns) if c not in report.dropped_columns]
            conn = self.profile.store.conn
            # Upserts on tables with triggers keep a statement journal per statement; in
            # memory, not in a temporary file (measured: a fifth of a 1M-row import). A
            # larger page cache, while importing, saves writing and re-reading pages of the
            # indexes (ids are hashes: every batch writes all over them).
            temp_store = conn.execute("PRAGMA temp_store").fetchone()[0]
            cache_size = conn.execute("PRAGMA cache_size").fetchone()[0]
            conn.execute("PRAGMA temp_store = MEMORY")
            conn.execute(f"PRAGMA cache_size = {min(IMPORT_CACHE_KIB, int(cache_size))}")
            conn.execute("BEGIN" if dry_run else "BEGIN IMMEDIATE")
            try:
                self.prepare(conn, mapping)
                self._read(table, converter, keep, report, dry_run, progress, should_stop)
                report.empty_rows = table.empty_rows
                self.finish(conn, report, dry_run=dry_run)
                if dry_run or (report.rejected and not skip_bad_rows):
                    conn.execute("ROLLBACK")
                else:
                    conn.execute("COMMIT")
                    report.written = True
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            finally:
                conn.execute(f"PRAGMA temp_store = {int(temp_store)}")
                conn.execute(f"PRAGMA cache_size = {int(cache_size)}")
        return report

    def _read(self, table, converter, keep, report, dry_run, progress, should_stop) -> None:
        """Every row of the file through the mapping, written a batch at a time."""
        conn = self.profile.store.conn
        seen = SeenKeys()
        quick = self.quick_rows(converter, table.kind == "csv")
        skips = bool(converter.mapping.skip)
        for batch in _batches(table.rows(), BATCH_ROWS):
            if should_stop is not None and should_stop():
                raise ImportCancelled()
            mapped = []
            for row in batch:
                report.rows += 1
                values = row.values
                if skips and converter.skipped(values):
                    report.filtered += 1
                    continue
                key = converter.source_id(values) or row_key(
                    [values[i] for i in keep if i < len(values)]
                )
                first = seen.first_row(key, row.number)
                if first is not None:
                    report.duplicates.append((row.number, first))
                    continue
                item = SLOW if quick is None else quick(row.number, key, values, report)
                if item is SLOW:
                    try:
                        raw = converter.convert(row.number, values)
                        item = self.build(row.number, key, raw, converter, report)
                    except RowRejected as exc:
                        report.add_problems(exc.problems)
                        continue
                if item is not None:
                    mapped.append(item)
            self.write(conn, mapped, report, dry_run=dry_run)
            report.empty_rows = table.empty_rows
            if progress is not None:
                progress(report.rows)

    def _check_mapping(self, mapping: ImportMapping, table: TableSource, report) -> None:
        check_columns(mapping, table.columns)
        report.source = table.description
        report.dropped_columns = duration_columns(table.columns)
        for name, rule in mapping.fields.items():
            for column in rule.columns():
                if column in report.dropped_columns:
                    raise MappingError(
                        f"fields.{name}",
                        f"column {column!r} holds how long something took; CX Companion "
                        "never imports durations (no stopwatch): map another column",
                    )
        used = set(mapping.used_columns())
        report.unused_columns = tuple(
            c for c in table.columns if c not in used and c not in report.dropped_columns
        )

    # -- what a kind of import fills in --------------------------------------------------

    def check_may_import(self) -> None:
        pass

    def prepare(self, conn, mapping: ImportMapping) -> None:
        self.mapping = mapping

    def quick_rows(self, converter: RowConverter, text_cells: bool) -> Callable[..., Any] | None:
        """A quick way for rows that need no message (see history_rows), or None;
        `text_cells`: every cell is a str (a CSV file)."""
        return None

    def build(self, number: int, key: str, raw: dict[str, Any], converter, report) -> Any:
        raise NotImplementedError

    def write(self, conn, items: list[Any], report: ImportReport, *, dry_run: bool) -> None:
        raise NotImplementedError

    def finish(self, conn, report: ImportReport, *, dry_run: bool) -> None:
        pass

    def _lead_only(self, what: str) -> None:
        from cxcompanion.domain.enums import Role

        if self.identity.role is not Role.LEAD:
            raise ProfileError(
                f"{what} are imported by the team lead (they are the lead's records on the "
                "share); ask your team lead to import this file.",
                "role",
            )


def _batches(rows: Iterator[SourceRow], size: int) -> Iterator[list[SourceRow]]:
    batch: list[SourceRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _zone(mapping: ImportMapping):
    if not mapping.timezone:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(mapping.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise MappingError(
            "timezone", f"{mapping.timezone!r} is not a time zone name (like Europe/Berlin)"
        ) from None


__all__ = [
    "FileImport",
    "ImportCancelled",
    "ImportReport",
    "MappingError",
    "Preview",
    "TableError",
    "load_mapping",
    "preview",
]
