"""Importing: everyone else's segments from the share into this profile's store.

Per writer, a cursor names the next sequence number to import; it moves only over segments
that are there (never by file times), so a late file is imported whenever it appears and a
missing one holds back what follows. Each segment is checked whole (name, size, checksum,
header, ownership) and applied in one transaction together with its cursor, so a crash or a
vanished share leaves either all of it or none. A record applies only if it is newer than
what the store holds (revision, then time, then writer: the same order on every PC, so every
PC ends with the same state whatever order segments arrive in).

A segment that cannot be imported is quarantined: recorded here with its reason (never
moved: nobody writes in another writer's folder), skipped, and read again when the file
changes. A segment from a newer app stops its writer's cursor without skipping anything.

What is kept depends on the role (DESIGN §5): a lead keeps everything of the team; an
agent keeps their own records (from any of their devices), what is addressed to them, and of
colleagues' contacts only what repeat detection needs.

The parts: sync/segment.py decodes and verifies a file, sync/prepared.py makes a verified
segment ready to apply (its rows, its ownership check), sync/apply.py writes it into the
store, and sync/read_ahead.py does the first two in a helper process, ahead of this module,
for a large first import (store/bulk_load.py: indexes and search index built once).
"""

from __future__ import annotations

import contextlib
import gc
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from cxcompanion.domain.enums import Role
from cxcompanion.domain.roster import Member, Roster
from cxcompanion.store import bulk_load
from cxcompanion.store.database import Store
from cxcompanion.sync import read_ahead
from cxcompanion.sync.apply import Applier
from cxcompanion.sync.prepared import (
    Keeper,
    Prepared,
    Writer,
    prepare,
)
from cxcompanion.sync.segment import (
    NewerFormatError,
    SegmentError,
    decode_segment,
    parse_name,
)
from cxcompanion.sync.share_folder import Files, ShareLayout, ShareOfflineError

MAX_SEGMENT_BYTES = 32 * 1024 * 1024
MAX_DECOMPRESSED = 128 * 1024 * 1024
# Records applied per transaction: big enough that commits and index flushes stay cheap
# (each commit writes every index page the batch touched, and ids, times and customers are
# spread over the whole index, so on a large store that is most of it), small enough that
# the write lock is held for about a second. Measured on a first import of 1,000,000
# records (tests/benchmarks/bench_sync_import.py): 5,000 -> 20,000 with the larger cache
# below took a lead from 97 to 73 s and an agent from 70 to 48 s, writing 5 GB instead of
# 30 GB; the peak memory went from ~150 to ~320 MB. 20,000 -> 40,000 halves the commits of a
# first import again (each rewrites most of the id index): about 2 s of 28 at 1,000,000
# records, for ~25 MB more at the peak.
BATCH_RECORDS = 40_000
# Faults that may lie in the copy or the reading, not in what the writer wrote: the file
# may yet arrive whole (a sync tool still copying it, a short or stale network read).
READ_FAULTS = frozenset(
    {"truncated", "checksum", "count", "encoding", "decompression", "header", "too_large",
     "duplicate"}
)  # fmt: skip
BAD_READ, BAD_CONTENT, STOP = "bad-read", "bad-content", "stop"
Quarantined = dict[str, tuple[int, int, str]]  # file name -> (size, mtime_ns, reason)
IMPORT_CACHE_KIB = -131072  # 128 MiB (negative: KiB, SQLite's convention)
IMPORT_CHECKPOINT_PAGES = 65536  # x 4 KiB pages: 256 MiB
# A first import allocates millions of small objects that live until their batch is
# applied; the collector's youngest generation is looked at every 50,000 allocations
# instead of every 700 meanwhile, and set back afterwards.
IMPORT_GC_THRESHOLD = 50_000
# A first import of at least this many segments reads ahead in a helper process.
READ_AHEAD_MIN_SEGMENTS = 200


@dataclass(frozen=True)
class Problem:
    """Something a lead can act on: which device, which file, what is wrong."""

    device: str
    person: str
    name: str
    reason: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {
            "device": self.device,
            "person": self.person,
            "file": self.name,
            "reason": self.reason,
            "message": self.message,
        }


@dataclass
class ImportReport:
    segments: int = 0
    records: int = 0  # records that changed this store
    held: dict[str, int] = field(default_factory=dict)  # unapproved device -> segment files
    quarantined: list[Problem] = field(default_factory=list)
    stopped: list[Problem] = field(default_factory=list)  # newer format: update the app


@dataclass(frozen=True)
class Me:
    """Whose store this is: what to keep of each record depends on it."""

    device: str
    person: str
    role: Role


ProgressFn = Callable[[int, int], None]


def import_share(
    store: Store,
    layout: ShareLayout,
    roster: Roster,
    me: Me,
    *,
    files: Files | None = None,
    progress: ProgressFn | None = None,
) -> ImportReport:
    """Import every new segment of every approved writer; report the rest.

    ShareOfflineError (nothing changed by the failing step; complete segments applied
    before it stay applied) if the share disappears or cannot be listed.
    """
    files = files or Files()
    layout.check_online()
    devices = layout.writer_devices(files)
    cursors = dict(store.conn.execute("SELECT writer, next_seq FROM sync_cursor"))
    quarantine: dict[str, Quarantined] = {}
    for writer, name, size, mtime_ns, reason in store.conn.execute(
        "SELECT writer, name, size, mtime_ns, reason FROM sync_quarantine"
    ):
        quarantine.setdefault(writer, {})[name] = (size, mtime_ns, reason)
    report = ImportReport()
    importer = _Importer(store, layout, roster, me, files, report)
    # A first import loads the team's whole history: indexes are built once at the end
    # (store/bulk_load.py), which is several times faster than keeping them row by row.
    importer.bulk = not cursors or bulk_load.in_bulk_load(store)
    if importer.bulk:
        bulk_load.begin(store)
    # A first import writes into every part of the tables (ids are random across writers):
    # a larger page cache for this connection, while it imports, saves re-reading pages.
    # The write-ahead log is copied into the database every 256 MiB of a long import, not
    # at every commit (each copy rewrote the same pages again); bounded, so the log never
    # grows to the size of a first import.
    conn = store.conn
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    checkpoint = conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    temp_store = conn.execute("PRAGMA temp_store").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {IMPORT_CACHE_KIB}")
    conn.execute(f"PRAGMA wal_autocheckpoint = {IMPORT_CHECKPOINT_PAGES}")
    # Upserts on tables with triggers keep a statement journal per statement; in memory,
    # not in a temporary file.
    conn.execute("PRAGMA temp_store = MEMORY")
    collector = gc.get_threshold()
    gc.set_threshold(max(collector[0], IMPORT_GC_THRESHOLD), *collector[1:])
    if importer.bulk and files.reads_as_is():
        importer.read_ahead = _start_read_ahead(importer, devices, cursors)
    try:
        _import_writers(importer, roster, me, devices, cursors, quarantine, progress)
    finally:
        if importer.read_ahead is not None:
            importer.read_ahead.close()
        gc.set_threshold(*collector)
        conn.execute(f"PRAGMA wal_autocheckpoint = {int(checkpoint)}")
        conn.execute(f"PRAGMA cache_size = {int(cache)}")
        conn.execute(f"PRAGMA temp_store = {int(temp_store)}")
        if importer.bulk:
            bulk_load.finish(store)
        if report.segments:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    return report


def _start_read_ahead(
    importer: _Importer, devices: list[str], cursors: dict[str, int]
) -> read_ahead.ReadAhead | None:
    """A helper process reading the segments of a large first import ahead (read_ahead.py),
    in the order the importer asks for them: writer by writer, from each one's cursor."""
    jobs = []
    for device in devices:
        member = importer.roster.member(device)
        if device == importer.me.device or member is None:
            continue
        folder = importer.layout.writer_folder(device)
        cursor = cursors.get(device, 1)
        writer = _writer(member)
        try:
            found = sorted(
                (parsed[0], name)
                for name in importer.files.listdir(folder)
                if (parsed := parse_name(name)) is not None and parsed[0] >= cursor
            )
            for _, name in found:
                stat = importer.files.stat(folder / name)
                if stat is not None:
                    job = read_ahead.Job(device, name, str(folder / name), stat.st_size, writer)
                    jobs.append(job)
        except OSError:
            continue  # the importer meets this itself
    if len(jobs) < READ_AHEAD_MIN_SEGMENTS:
        return None  # starting a process costs more than it saves
    return read_ahead.start(
        jobs, importer.keeper, max_bytes=MAX_SEGMENT_BYTES, max_decompressed=MAX_DECOMPRESSED
    )


def _import_writers(
    importer: _Importer,
    roster: Roster,
    me: Me,
    devices: list[str],
    cursors: dict[str, int],
    quarantine: dict[str, Quarantined],
    progress: ProgressFn | None,
) -> None:
    report = importer.report
    others = [d for d in devices if d != me.device]
    try:
        for done, device in enumerate(others, start=1):
            member = roster.member(device)
            if member is None:
                waiting = importer.count_segments(device)
                if waiting:
                    report.held[device] = waiting
            else:
                importer.retry_quarantined(member, quarantine.get(device, {}))
                importer.import_writer(member, cursors.get(device, 1), quarantine.get(device, {}))
            if progress is not None:
                progress(done, len(others))
    except Exception:
        # What was read whole before the share went (or the sync was stopped) is applied;
        # if applying is what failed, the first error is the one to report.
        with contextlib.suppress(Exception):
            importer.flush()
        raise
    importer.flush()
    importer.report_known_quarantine(quarantine)


class _Importer:
    def __init__(
        self,
        store: Store,
        layout: ShareLayout,
        roster: Roster,
        me: Me,
        files: Files,
        report: ImportReport,
    ):
        self.store = store
        self.layout = layout
        self.roster = roster
        self.me = me
        self.files = files
        self.report = report
        self._reported: set[tuple[str, str]] = set()
        self._pending: list[tuple[Member, list[tuple[str, Any, Prepared]], int | None]] = []
        self._pending_records = 0
        self.bulk = False
        self.keeper = Keeper(me.person, me.role is Role.LEAD)
        self.read_ahead: read_ahead.ReadAhead | None = None
        self.applier = Applier(store.conn, roster, me)

    # -- finding files -------------------------------------------------------------------

    def _listing(self, device: str) -> list[str]:
        try:
            return self.files.listdir(self.layout.writer_folder(device))
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise ShareOfflineError(
                f"The folder of device {device} on {self.layout.root} cannot be read "
                f"({exc.strerror or exc}); sync again when the share is back."
            ) from None

    def count_segments(self, device: str) -> int:
        return sum(1 for name in self._listing(device) if parse_name(name) is not None)

    def _stat(self, device: str, name: str):
        try:
            return self.files.stat(self.layout.writer_folder(device) / name)
        except OSError as exc:
            raise ShareOfflineError(
                f"{name} of device {device} cannot be read ({exc.strerror or exc}); "
                "sync again when the share is back."
            ) from None

    def _next_after(self, device: str, seq: int) -> int | None:
        """The first segment number above `seq` in the writer's folder (after a skip)."""
        found = [p[0] for n in self._listing(device) if (p := parse_name(n)) and p[0] > seq]
        return min(found, default=None)

    # -- one writer ----------------------------------------------------------------------

    def import_writer(self, member: Member, cursor: int, quarantined: Quarantined) -> None:
        """Read this writer's segments from its cursor on; queue them to be applied.

        The cursor moves only over a contiguous run of segments imported, or refused for
        what their writer put in them (owner, record: the checksum proves the file is as
        written). A segment that may be damaged in transit or still being copied (cut
        short, failing its checksum, ...) holds the cursor where it is: the segments after
        it are imported anyway, and read again each sync until it is whole, so a missing
        segment behind it is never jumped over.
        """
        device = member.device
        seq = persisted = cursor
        frozen = False
        batch: list[tuple[str, Any, Prepared]] = []
        size = 0
        while True:
            candidates = [
                (name, stat)
                for name in (f"{seq:012d}.jsonl", f"{seq:012d}.jsonl.gz")
                if (stat := self._stat(device, name)) is not None
            ]
            if not candidates:
                break  # nothing new (or not copied yet): the cursor waits here
            outcome: Prepared | str
            if len(candidates) == 2 and not self._same_records(member, candidates):
                for name, stat in candidates:
                    self._quarantine(
                        member, name, stat, "duplicate",
                        f"Two different segments of {member.person} start at number {seq} "
                        f"({candidates[0][0]} and {candidates[1][0]}); neither was imported.",
                    )  # fmt: skip
                outcome = BAD_READ
            else:
                name, stat = candidates[0]
                known = quarantined.get(name)
                if (
                    known is not None
                    and known[2] not in READ_FAULTS
                    and known[:2] == (stat.st_size, stat.st_mtime_ns)
                ):
                    outcome = BAD_CONTENT  # refused for what it holds, and unchanged
                else:
                    outcome = self._read(member, name, stat)
            if outcome == STOP:
                break
            if isinstance(outcome, Prepared):
                batch.append((name, stat, outcome))
                size += outcome.count
                seq = outcome.last_seq + 1
                if not frozen:
                    persisted = seq
                if size >= BATCH_RECORDS:
                    self._queue(member, batch, persisted)
                    batch, size = [], 0
                continue
            frozen = frozen or outcome == BAD_READ
            following = self._next_after(device, seq)
            if following is None:
                break
            seq = following
            if not frozen:
                persisted = seq
        if batch or persisted != cursor:
            self._queue(member, batch, persisted)

    def _queue(self, member: Member, batch: list[tuple[str, Any, Prepared]], seq: int) -> None:
        """Segments read and verified wait here, across writers, to be applied together."""
        self._pending.append((member, batch, seq))
        self._pending_records += sum(prepared.count for _, _, prepared in batch)
        if self._pending_records >= BATCH_RECORDS:
            self.flush()

    def flush(self) -> None:
        pending, self._pending, self._pending_records = self._pending, [], 0
        if pending:
            self._apply_batch(pending)

    def retry_quarantined(self, member: Member, quarantined: Quarantined) -> None:
        """Segments refused for their content, which the cursor has passed, are read
        again once their file has changed (those that may be damaged in transit are read
        again on every sync anyway: the cursor waits at them)."""
        for name, known in list(quarantined.items()):
            if known[2] in READ_FAULTS:
                continue
            stat = self._stat(member.device, name)
            if stat is None or (stat.st_size, stat.st_mtime_ns) == known[:2]:
                continue
            segment = self._read(member, name, stat)
            if isinstance(segment, Prepared) and self._apply_batch(
                [(member, [(name, stat, segment)], None)]
            ):
                del quarantined[name]

    def report_known_quarantine(self, quarantine: dict[str, Quarantined]) -> None:
        """Quarantined segments still bad are reported on every sync until resolved."""
        for writer, names in quarantine.items():
            for name in names:
                if (writer, name) in self._reported:
                    continue
                row = self.store.conn.execute(
                    "SELECT reason, message FROM sync_quarantine WHERE writer = ? AND name = ?",
                    (writer, name),
                ).fetchone()
                if row is not None:
                    self._add_problem(writer, name, row[0], row[1])

    def _same_records(self, member: Member, candidates: list[tuple[str, Any]]) -> bool:
        decoded = []
        for name, _stat in candidates:
            try:
                decoded.append(self._decode(member.device, name).records)
            except (SegmentError, OSError):
                return False
        return decoded[0] == decoded[1]

    # -- one file ------------------------------------------------------------------------

    def _decode(self, device: str, name: str, size: int | None = None):
        data = self.files.read(self.layout.writer_folder(device) / name)
        if size is not None and len(data) != size:
            # Read while it changed, or a short read from the network: not the file's fault.
            # Judged again at the next sync, never quarantined on this evidence.
            raise _ReadAgain(name)
        return decode_segment(
            name,
            data,
            expected_writer=device,
            max_bytes=MAX_SEGMENT_BYTES,
            max_decompressed=MAX_DECOMPRESSED,
        )

    def _read(self, member: Member, name: str, stat: Any) -> Prepared | str:
        """A verified segment, BAD_READ or BAD_CONTENT (quarantined), or STOP (next sync)."""
        device = member.device
        if stat.st_size > MAX_SEGMENT_BYTES:
            self._quarantine(
                member, name, stat, "too_large",
                f"Segment {name} of {member.person} is {stat.st_size} bytes, over the "
                f"{MAX_SEGMENT_BYTES}-byte limit; it was not read.",
            )  # fmt: skip
            return BAD_READ
        try:
            prepared = self._prepared(member, name, stat)
        except _ReadAgain:
            return STOP
        except NewerFormatError as exc:
            self.report.stopped.append(
                Problem(device, member.person, name, exc.reason, exc.message)
            )
            return STOP
        except SegmentError as exc:
            self._quarantine(member, name, stat, exc.reason, exc.message)
            return BAD_READ if exc.reason in READ_FAULTS else BAD_CONTENT
        except FileNotFoundError:
            return STOP  # gone between listing and reading: try again next sync
        except OSError as exc:
            raise ShareOfflineError(
                f"{name} of {member.person} cannot be read ({exc.strerror or exc}); "
                "sync again when the share is back."
            ) from None
        if prepared.ownership is not None:
            why = f"Segment {name} of {member.person}: {prepared.ownership}"
            self._quarantine(member, name, stat, "owner", why)
            return BAD_CONTENT
        return prepared

    def _prepared(self, member: Member, name: str, stat: Any) -> Prepared:
        """The segment read, verified and prepared: ahead, by the read-ahead process of a
        large import, if it has done it for the file as it is now; else here."""
        if self.read_ahead is not None:
            done = self.read_ahead.take(member.device, name, stat.st_size, stat.st_mtime_ns)
            if done is not None:
                return done
        segment = self._decode(member.device, name, stat.st_size)
        return prepare(segment, _writer(member), self.keeper)

    def _apply_batch(
        self, groups: list[tuple[Member, list[tuple[str, Any, Prepared]], int | None]]
    ) -> bool:
        """Apply whole segments of one or more writers, with their cursors, in one
        transaction; False if a segment was refused (quarantined instead).

        Several segments share a transaction (each still all or nothing): a commit and a
        search-index flush per small segment cost more than the records themselves. The
        files were read before the write lock is taken, so a slow share never holds it.
        Durability is relaxed to NORMAL for imports only: a power cut may forget the last
        imported segments, never half of one, and the next sync imports them again.
        """
        refused: list[tuple[Member, str, Any, str]] = []
        changed = applied = 0
        conn = self.store.conn
        conn.execute("PRAGMA synchronous = NORMAL")
        try:
            with (
                self.store.transaction() as conn,
                bulk_load.quiet_triggers(conn) if self.bulk else contextlib.nullcontext(),
            ):
                touched: list[str] = []
                for member, batch, next_seq in groups:
                    for name, stat, segment in batch:
                        problem = self.applier.person_problem(conn, member, segment)
                        if problem is not None:
                            why = f"Segment {name} of {member.person}: {problem}"
                            refused.append((member, name, stat, why))
                            self._quarantine_in(conn, member, name, stat, "owner", why)
                            continue
                        count, ids = self.applier.apply(conn, member, segment)
                        changed += count
                        applied += 1
                        touched.extend(ids)
                        conn.execute(
                            "DELETE FROM sync_quarantine WHERE writer = ? AND name = ?",
                            (member.device, name),
                        )
                    if next_seq is not None:
                        conn.execute(
                            "INSERT INTO sync_cursor (writer, next_seq, segments, records) "
                            "VALUES (?, ?, ?, ?) ON CONFLICT (writer) DO UPDATE SET "
                            "next_seq = max(next_seq, excluded.next_seq), "
                            "segments = segments + excluded.segments, "
                            "records = records + excluded.records",
                            (
                                member.device,
                                next_seq,
                                len(batch),
                                sum(prepared.count for _, _, prepared in batch),
                            ),
                        )
                if not self.bulk:  # a bulk load rebuilds the search index at its end
                    self.applier.reindex(conn, touched)
        finally:
            conn.execute("PRAGMA synchronous = FULL")
        for member, name, _stat, why in refused:
            self._add_problem(member.device, name, "owner", why)
        self.report.segments += applied
        self.report.records += changed
        return not refused

    # -- bookkeeping ---------------------------------------------------------------------

    def _quarantine(self, member: Member, name: str, stat: Any, reason: str, message: str) -> None:
        with self.store.transaction() as conn:
            self._quarantine_in(conn, member, name, stat, reason, message)
        self._add_problem(member.device, name, reason, message)

    @staticmethod
    def _quarantine_in(
        conn: sqlite3.Connection, member: Member, name: str, stat: Any, reason: str, message: str
    ) -> None:
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        conn.execute(
            "INSERT INTO sync_quarantine (writer, name, size, mtime_ns, reason, message, "
            "first_seen) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (writer, name) DO UPDATE "
            "SET size = excluded.size, mtime_ns = excluded.mtime_ns, "
            "reason = excluded.reason, message = excluded.message",
            (member.device, name, stat.st_size, stat.st_mtime_ns, reason, message, now),
        )

    def _add_problem(self, device: str, name: str, reason: str, message: str) -> None:
        if (device, name) in self._reported:
            return
        self._reported.add((device, name))
        member = self.roster.member(device)
        person = member.person if member is not None else device
        self.report.quarantined.append(Problem(device, person, name, reason, message))


def _writer(member: Member) -> Writer:
    return Writer(member.device, member.person, member.role.value)


class _ReadAgain(Exception):
    """The bytes read do not match the file's size: try again at the next sync."""


__all__ = ["ImportReport", "Me", "Problem", "import_share"]
