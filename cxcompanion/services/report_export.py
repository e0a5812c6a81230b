"""A report for a team lead: CSV files and one SQLite file that spreadsheets and SQL tools open."""

from __future__ import annotations

import contextlib
import csv
import errno
import os
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cxcompanion import __version__
from cxcompanion.domain.enums import Role
from cxcompanion.domain.records import parse_utc_iso, utc_iso
from cxcompanion.services.profile import Profile
from cxcompanion.store.errors import StoreError
from cxcompanion.sync.share_folder import RETRY_DELAYS, TRANSIENT, Files

SQLITE_NAME = "report.sqlite3"
TEMPORARY_PREFIX = ".cxcompanion-export-"  # temporary and set-aside files of an export
# Left beside a report by the system or by a program that has a report file open.
_LITTER = {".DS_Store", "Thumbs.db", "desktop.ini"}
# A hot journal or WAL of a report someone has open would be played into the new file.
_HOT = (f"{SQLITE_NAME}-journal", f"{SQLITE_NAME}-wal")
_PROGRESS_EVERY = 5000
_sleep = time.sleep  # between retries of a rename a program holds up (as sync retries)


class ExportError(StoreError):
    """The report cannot be written as asked; the message says why and what to do."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # its SQLite type: INTEGER, TEXT or REAL
    yes_no: bool = False  # a 0/1 flag: yes/no in the CSV, 0/1 in the SQLite file


@dataclass(frozen=True)
class Table:
    """One CSV file `<name>.csv` and the table `<name>` of the SQLite file.

    `sqlite_only` columns come last in `columns`; the CSV leaves them out.
    """

    name: str
    columns: tuple[Column, ...]
    select: str  # rows in the order of `columns`; `{who}` marks the scope's condition
    mine: str = "agent = :agent"  # the scope of an agent's export: their own records
    team: str = "1"  # the scope of a lead's export
    sqlite_only: int = 0

    @property
    def csv_name(self) -> str:
        return f"{self.name}.csv"

    @property
    def csv_columns(self) -> tuple[Column, ...]:
        return self.columns[: len(self.columns) - self.sqlite_only]


def _columns(spec: str) -> tuple[Column, ...]:
    """`name:T` pairs, T one of t (TEXT), i (INTEGER), r (REAL), b (yes/no flag)."""
    types = {"t": "TEXT", "i": "INTEGER", "r": "REAL", "b": "INTEGER"}
    found = []
    for item in spec.split():
        name, kind = item.split(":")
        found.append(Column(name, types[kind], yes_no=kind == "b"))
    return tuple(found)


_YES_NO_SQL = "CASE {0} WHEN 1 THEN 'yes' WHEN 0 THEN 'no' END"
CONTACTS = Table(
    "contacts",
    _columns(
        "id:t at:t date:t agent:t channel:t purpose:t purpose_label:t outcome:t verdict:t "
        "customer_verdict_survey:t prior_contacts:i prior_channels:t customer_hash:t "
        "cancel_intent:b cancel_reason:t stayed:b mood_start:i mood_end:i ideas:i detail:t notes:t"
    ),
    # The survey's verdict: the latest answer that answered "was your need met?" (a later
    # CSAT-only answer says nothing about it). date and purpose_label are filled in Python.
    "SELECT c.id, c.at, NULL, c.agent, c.channel, c.purpose, NULL, c.outcome, c.verdict, "
    + _YES_NO_SQL.format(
        "(SELECT s.resolved FROM survey_answers s WHERE s.contact_id = c.id AND s.deleted = 0 "
        "AND s.resolved IS NOT NULL ORDER BY s.answered_at DESC, s.id DESC LIMIT 1)"
    )
    + ", c.prior_contacts, c.prior_channels, c.customer_hash, c.cancel_intent, "
    "c.cancel_reason, c.stayed, c.mood_start, c.mood_end, "
    "(SELECT count(*) FROM ideas i WHERE i.contact_id = c.id AND i.deleted = 0), "
    "c.detail, c.notes FROM contacts c WHERE c.deleted = 0 AND {who} ORDER BY c.at, c.rowid",
    mine="c.agent = :agent",
    team="c.agent <> ''",  # not the stubs an agent's store keeps of colleagues' contacts
)
IDEAS = Table(
    "ideas",
    _columns("id:t contact_id:t agent:t at:t text:t area:t status:t decision_note:t"),
    # `at`: when the idea was captured, i.e. its contact's moment.
    "SELECT i.id, i.contact_id, c.agent, c.at, i.text, i.area, coalesce(d.status, 'new'), "
    "d.note FROM contacts c JOIN ideas i ON i.contact_id = c.id AND i.deleted = 0 "
    "LEFT JOIN idea_decisions d ON d.id = (SELECT x.id FROM idea_decisions x "
    "WHERE x.idea_id = i.id AND x.deleted = 0 "
    "ORDER BY x.at DESC, x.updated_at DESC, x.id DESC LIMIT 1) "
    "WHERE c.deleted = 0 AND {who} ORDER BY c.at, c.rowid, i.rowid",
    mine="c.agent = :agent",
    team="c.agent <> ''",
)
SURVEYS = Table(
    "surveys",
    _columns("id:t answered_at:t contact_id:t agent:t csat:i nps:i resolved:b comment:t"),
    "SELECT id, answered_at, contact_id, agent, csat, nps, resolved, comment "
    "FROM survey_answers WHERE deleted = 0 AND {who} ORDER BY answered_at, id",
)
EVALUATIONS = Table(
    "evaluations",
    _columns(
        "id:t contact_id:t agent:t evaluator:t scorecard:t scorecard_version:i "
        "technical_earned:i technical_possible:i emotional_earned:i emotional_possible:i "
        "comment:t at:t scores:t"
    ),
    "SELECT id, contact_id, agent, evaluator, scorecard, scorecard_version, technical_earned, "
    "technical_possible, emotional_earned, emotional_possible, comment, at, scores "
    "FROM evaluations WHERE deleted = 0 AND {who} ORDER BY at, id",
    sqlite_only=1,  # scores: JSON, criterion -> points (null for N/A)
)
COACHING_NOTES = Table(
    "coaching_notes",
    _columns(
        "id:t agent:t lead:t contact_id:t theme:t strengths:t growth_area:t commitment:t "
        "follow_up:t written_at:t acknowledged:b replies:i"
    ),
    # replies: the agent's written replies (kind 'reply'; not 'ack' nor 'done').
    "SELECT n.id, n.agent, n.lead, n.contact_id, n.theme, n.strengths, n.growth_area, "
    "n.commitment, n.follow_up, n.written_at, EXISTS (SELECT 1 FROM coaching_replies r "
    "WHERE r.note_id = n.id AND r.deleted = 0 AND r.kind = 'ack'), "
    "(SELECT count(*) FROM coaching_replies r WHERE r.note_id = n.id AND r.deleted = 0 "
    "AND r.kind = 'reply') FROM coaching_notes n WHERE n.deleted = 0 AND {who} "
    "ORDER BY n.written_at, n.id",
    mine="n.agent = :agent",
)
TABLES = (CONTACTS, IDEAS, SURVEYS, EVALUATIONS, COACHING_NOTES)
REPORT_FILES = (*(t.csv_name for t in TABLES), SQLITE_NAME)
# In the SQLite file only: an index on what the tables are joined by.
_INDEXES = {"ideas": "contact_id", "surveys": "contact_id", "evaluations": "contact_id"}


@dataclass(frozen=True)
class ExportSummary:
    folder: Path
    team: str
    scope: str  # "team" (a lead's export) or the agent's name
    exported_at: str
    period_start: str | None  # local dates of the first and the last contact
    period_end: str | None
    rows: tuple[tuple[str, int], ...]  # (table, rows) in file order

    def to_dict(self) -> dict[str, Any]:
        files: list[dict[str, Any]] = [
            {"file": f"{table}.csv", "rows": count} for table, count in self.rows
        ]
        files.append({"file": SQLITE_NAME, "tables": dict(self.rows)})
        return {
            "folder": str(self.folder),
            "team": self.team,
            "scope": self.scope,
            "exported_at": self.exported_at,
            "period": {"start": self.period_start, "end": self.period_end},
            "app_version": __version__,
            "files": files,
        }


def export_report(
    profile: Profile,
    folder: Path | str,
    *,
    now: datetime | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> ExportSummary:
    """Write the report into `folder` (see DESIGN §5); all of it, or nothing at all.

    A lead's store gives the whole team's records, an agent's only the agent's own. Runs on
    the thread that owns `profile` (a worker opens its own); `progress(table, rows)` is
    called every few thousand rows. Raises ExportError for a folder it may not write into.
    """
    identity = profile.identity
    folder = Path(folder).expanduser()
    stale = _check_folder(folder)
    for path in stale:  # what an earlier export left when it was cut off
        with contextlib.suppress(OSError):
            path.unlink()
    exported_at = utc_iso(now or datetime.now(timezone.utc))
    agent = None if identity.role is Role.LEAD else identity.name
    token = secrets.token_hex(4)
    temporary = {name: folder / f"{TEMPORARY_PREFIX}{token}-{name}.part" for name in REPORT_FILES}
    conn = profile.store.conn
    dates = _LocalDates()
    labels = _Labels(profile)
    counts: list[tuple[str, int]] = []
    try:
        report = _open_sqlite(temporary[SQLITE_NAME])
        try:
            conn.execute("BEGIN")  # one snapshot: a sync in between changes nothing here
            try:
                for table in TABLES:
                    who = table.team if agent is None else table.mine
                    rows = conn.execute(table.select.format(who=who), {"agent": agent})
                    if table is CONTACTS:
                        rows = _contact_rows(rows, dates, labels)
                    count = _write_table(report, table, rows, temporary[table.csv_name], progress)
                    counts.append((table.name, count))
            finally:
                conn.execute("COMMIT")
            info = {
                "team": identity.team,
                "scope": "team" if agent is None else agent,
                "exported_by": identity.name,
                "exported_at": exported_at,
                "app_version": __version__,
                "period": f"{dates.first}/{dates.last}" if dates.first else "",
            }
            _finish_sqlite(report, info)
        finally:
            report.close()
        _fsync(temporary[SQLITE_NAME])
        _put_in_place(folder, temporary)
    except BaseException as exc:
        for path in temporary.values():
            with contextlib.suppress(OSError):
                path.unlink()
        known = _known_error(exc, folder)
        if known is None:
            raise
        raise known from None
    return ExportSummary(
        folder=folder,
        team=identity.team,
        scope="team" if agent is None else agent,
        exported_at=exported_at,
        period_start=dates.first,
        period_end=dates.last,
        rows=tuple(counts),
    )


def _check_folder(folder: Path) -> list[Path]:
    """Create `folder` or check it holds nothing but a report; returns stale temporaries."""
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"{folder} is a file; give a folder to write the report into.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        names = os.listdir(folder)
    except OSError as exc:
        raise (_known_error(exc, folder) or exc) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(f"The folder {folder} is not writable; choose another folder.")
    hot = [name for name in _HOT if name in names]
    if hot:
        raise ExportError(
            f"{folder / SQLITE_NAME} is open in another program ({hot[0]} beside it); close it "
            f"and export again (if no program has it open, delete {hot[0]})."
        )
    own_locks = {f"~${n}" for n in REPORT_FILES} | {f".~lock.{n}#" for n in REPORT_FILES}
    others = sorted(
        name
        for name in names
        if not name.startswith(TEMPORARY_PREFIX)
        and name not in _LITTER | own_locks | {f"{SQLITE_NAME}-shm"}
        and not (name in REPORT_FILES and _looks_like_ours(folder / name))
    )
    if others:
        shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
        raise ExportError(
            f"The folder {folder} already holds other files ({shown}); choose an empty "
            "folder, or the folder of an earlier report to replace it."
        )
    return [folder / n for n in names if n.startswith(TEMPORARY_PREFIX)]


def _looks_like_ours(path: Path) -> bool:
    """A report file of an earlier export, not someone's file that happens to share a name."""
    try:
        with open(path, "rb") as handle:
            start = handle.read(16)
    except OSError:
        return False
    if path.name == SQLITE_NAME:
        return start == b"SQLite format 3\x00"
    return start.startswith("\ufeffid,".encode())


class _LocalDates:
    """The local date of a stored UTC moment; rows come in time order, so one remembered
    minute saves most of the parsing. Keeps the first and the last date seen."""

    def __init__(self) -> None:
        self.first: str | None = None
        self.last: str | None = None
        self._minute = ""
        self._date = ""

    def __call__(self, at: str) -> str:
        if at[:16] != self._minute:
            try:
                self._date = parse_utc_iso(at).astimezone().date().isoformat()
            except (ValueError, TypeError):
                self._date = ""
            self._minute = at[:16]
        if self._date:
            # Local dates follow the UTC order except across a change of clocks.
            self.first = min(self.first or self._date, self._date)
            self.last = max(self.last or self._date, self._date)
        return self._date


class _Labels(dict[str, str]):
    def __init__(self, profile: Profile):
        super().__init__()
        self.taxonomy = profile.taxonomy

    def __missing__(self, code: str) -> str:
        label = self[code] = self.taxonomy.purpose_display(code)
        return label


def _contact_rows(rows: Iterable[tuple], dates: _LocalDates, labels: _Labels) -> Iterator[tuple]:
    for row in rows:
        values = list(row)
        values[2] = dates(values[1])
        values[6] = labels[values[5]]
        yield tuple(values)


def _open_sqlite(path: Path) -> sqlite3.Connection:
    report = sqlite3.connect(path, isolation_level=None)
    # Built in one transaction in a temporary file that a failure throws away: no journal
    # needed. Readers of the finished file find the default rollback journal (DELETE).
    report.execute("PRAGMA journal_mode = OFF")
    report.execute("PRAGMA synchronous = OFF")
    report.execute("BEGIN")
    for table in TABLES:
        columns = ", ".join(
            f'"{c.name}" {c.type}' + (" PRIMARY KEY" if c.name == "id" else "")
            for c in table.columns
        )
        report.execute(f'CREATE TABLE "{table.name}" ({columns})')
    report.execute('CREATE TABLE "report_info" ("key" TEXT PRIMARY KEY, "value" TEXT)')
    return report


def _write_table(
    report: sqlite3.Connection,
    table: Table,
    rows: Iterable[tuple],
    csv_path: Path,
    progress: Callable[[str, int], None] | None,
) -> int:
    """Each row goes to the CSV file and to the SQLite table in one pass, never all held."""
    written = 0
    flags = [i for i, c in enumerate(table.csv_columns) if c.yes_no]
    width = len(table.csv_columns)

    def both() -> Iterator[tuple]:
        nonlocal written
        for row in rows:
            writer.writerow(_csv_row(row, width, flags))
            yield row
            written += 1
            if progress is not None and written % _PROGRESS_EVERY == 0:
                progress(table.name, written)

    # utf-8-sig: the BOM makes Excel read UTF-8; the csv module ends lines with \r\n.
    with open(csv_path, "x", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([c.name for c in table.csv_columns])
        marks = ", ".join("?" * len(table.columns))
        report.executemany(f'INSERT INTO "{table.name}" VALUES ({marks})', both())
        handle.flush()
        os.fsync(handle.fileno())
    if progress is not None:
        progress(table.name, written)
    return written


def _csv_row(row: tuple, width: int, flags: list[int]) -> list:
    """A row as the CSV shows it: flags as yes/no, NULL as blank (the csv module's None)."""
    values = list(row[:width])
    for i in flags:
        if values[i] is not None:
            values[i] = "yes" if values[i] else "no"
    return values


def _finish_sqlite(report: sqlite3.Connection, info: dict[str, str]) -> None:
    for table, column in _INDEXES.items():
        report.execute(f'CREATE INDEX "{table}_by_{column}" ON "{table}" ("{column}")')
    report.executemany("INSERT INTO report_info (key, value) VALUES (?, ?)", info.items())
    report.execute("COMMIT")
    report.execute("PRAGMA journal_mode = DELETE")


def _put_in_place(folder: Path, temporary: dict[str, Path]) -> None:
    """Rename the finished files into place; a failure puts the earlier report back.

    The earlier report's files are first set aside (this fails, changing nothing, while a
    program such as Excel on Windows holds one open), then the new ones are renamed in.
    """
    token = secrets.token_hex(4)
    aside: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    try:
        for name in REPORT_FILES:
            final = folder / name
            if final.exists():
                moved = folder / f"{TEMPORARY_PREFIX}{token}-{name}.old"
                _replace(final, moved)
                aside.append((final, moved))
        for name in REPORT_FILES:
            _replace(temporary[name], folder / name)
            placed.append(folder / name)
    except OSError:
        for path in placed:
            with contextlib.suppress(OSError):
                path.unlink()
        for final, moved in aside:
            with contextlib.suppress(OSError):
                os.replace(moved, final)
        raise
    for _final, moved in aside:
        with contextlib.suppress(OSError):
            moved.unlink()
    Files().sync_folder(folder)


def _replace(source: Path, target: Path) -> None:
    for delay in (*RETRY_DELAYS, None):
        try:
            os.replace(source, target)
            return
        except OSError as exc:
            if exc.errno not in TRANSIENT or delay is None:
                raise
            _sleep(delay)


def _fsync(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _known_error(exc: BaseException, folder: Path) -> ExportError | None:
    """The message for a failure a user can meet; None for anything else (a bug)."""
    message = str(exc).lower()
    full = f"The disk holding {folder} is full; free some space and export again."
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return ExportError(full)
        if exc.errno in TRANSIENT:
            return ExportError(
                f"Cannot write {exc.filename or folder}: it is not writable or is open in "
                "another program; close it, or choose another folder, and export again."
            )
        return ExportError(f"Cannot write the report into {folder} ({exc.strerror or exc}).")
    if isinstance(exc, sqlite3.OperationalError):
        if "full" in message:
            return ExportError(full)
        if "unable to open" in message or "readonly" in message or "read-only" in message:
            return ExportError(f"Cannot write the report into {folder}; choose a writable folder.")
    return None
