"""Reading ahead for a large first import: a helper process reads, verifies and prepares the
next segments while the importer writes the ones before them into the store.

Decoding (JSON, checks, rows) is about half of a first import and needs no store; the
store's writes need no Python most of the time. On two cores they overlap; threads would not
help, because SQLite hands the interpreter lock back and forth for every row written.

The helper does exactly what the importer would do in its own process (`decode_segment`,
then `prepare`), for the files the importer is about to ask for, in the same order, a few
segments ahead (bounded memory). Its answer is used only for the file as the importer finds
it (same size and modification time); for anything else — a file that changed, a read that
failed, a helper that died — the importer reads the file itself, so every fault is met and
reported as without reading ahead.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from cxcompanion.sync.prepared import Keeper, Prepared, Writer, prepare
from cxcompanion.sync.segment import NewerFormatError, SegmentError, decode_segment

# How far ahead the helper reads, in bytes of segment files (most are gzipped: their
# prepared rows, pickled, wait in the importer at two to three times that), and at least a
# whole import batch (the importer reads a batch of segments, then writes it: the helper
# must not wait meanwhile).
WINDOW_BYTES = 24 * 1024 * 1024
WINDOW_SEGMENTS = 256


@dataclass(frozen=True)
class Job:
    device: str
    name: str
    path: str
    size: int  # when the import was planned (for the window only)
    writer: Writer


def read_and_prepare(job: Job, keeper: Keeper, max_bytes: int, max_decompressed: int) -> bytes:
    """`_read_and_prepare`, pickled here: the importer unpickles it when it takes it, on its
    own thread (the pool's result thread would otherwise unpickle it while the importer
    writes, and the two would hand the interpreter lock back and forth for every row)."""
    return pickle.dumps(
        _read_and_prepare(job, keeper, max_bytes, max_decompressed),
        protocol=pickle.HIGHEST_PROTOCOL,
    )


def _read_and_prepare(
    job: Job, keeper: Keeper, max_bytes: int, max_decompressed: int
) -> tuple[int, int, Prepared | tuple[str, str]] | None:
    """(size, mtime_ns, prepared segment or (reason, message) of its fault); None when the
    file could not be read whole (the importer then reads it and meets the fault itself)."""
    try:
        with open(job.path, "rb") as stream:
            stat = os.fstat(stream.fileno())
            if stat.st_size > max_bytes:
                return None
            data = stream.read()
    except OSError:
        return None
    if len(data) != stat.st_size:
        return None
    try:
        segment = decode_segment(
            job.name,
            data,
            expected_writer=job.device,
            max_bytes=max_bytes,
            max_decompressed=max_decompressed,
        )
    except SegmentError as exc:
        return stat.st_size, stat.st_mtime_ns, (exc.reason, exc.message)
    return stat.st_size, stat.st_mtime_ns, prepare(segment, job.writer, keeper)


class ReadAhead:
    """The helper process and the segments it is reading, in the importer's order."""

    def __init__(self, jobs: list[Job], keeper: Keeper, max_bytes: int, max_decompressed: int):
        self._jobs = jobs
        self._args = (keeper, max_bytes, max_decompressed)
        self._position = {(job.device, job.name): i for i, job in enumerate(jobs)}
        self._futures: dict[int, Future] = {}
        self._consumed = 0  # jobs before this one were taken or passed over
        self._submitted = 0
        self._ahead = 0  # bytes of the jobs submitted and not taken
        self._broken = False
        # "spawn": a fresh interpreter (never a fork of a process with Qt's threads).
        self._executor = ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("spawn")
        )
        self._fill()

    def _fill(self) -> None:
        while (
            self._submitted < len(self._jobs)
            and self._submitted < self._consumed + WINDOW_SEGMENTS
            and (self._ahead < WINDOW_BYTES or self._submitted == self._consumed)
        ):
            try:
                future = self._executor.submit(
                    read_and_prepare, self._jobs[self._submitted], *self._args
                )
            except Exception:  # the helper could not start or is gone: read here
                self._broken = True
                return
            self._futures[self._submitted] = future
            self._ahead += self._jobs[self._submitted].size
            self._submitted += 1

    def take(self, device: str, name: str, size: int, mtime_ns: int) -> Prepared | None:
        """The prepared segment of this file as it is now, or None (read it yourself).
        Raises its SegmentError if that is what the file holds."""
        position = self._position.get((device, name))
        if self._broken or position is None or position < self._consumed:
            return None
        for passed in range(self._consumed, position + 1):  # and those the importer skipped
            if passed < self._submitted:
                self._ahead -= self._jobs[passed].size
            skipped = self._futures.pop(passed, None)
            if skipped is not None and passed < position:
                skipped.cancel()
            elif passed == position:
                future = skipped
        self._consumed = position + 1
        self._submitted = max(self._submitted, self._consumed)  # never a job passed over
        self._fill()
        if future is None:
            return None
        try:
            result = pickle.loads(future.result())
        except Exception:  # the helper died (killed, out of memory): read the rest here
            self._broken = True
            return None
        if result is None or result[:2] != (size, mtime_ns):
            return None
        return _outcome(result[2])

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._executor.shutdown(wait=True, cancel_futures=True)


def _outcome(done: Prepared | tuple[str, str]) -> Prepared:
    if isinstance(done, Prepared):
        return done
    reason, message = done
    if reason == "newer_format":
        raise NewerFormatError(message)
    raise SegmentError(reason, message)


def start(jobs: list[Job], keeper: Keeper, **limits: Any) -> ReadAhead | None:
    """A read-ahead helper for these jobs, or None if one cannot be started here."""
    try:
        return ReadAhead(jobs, keeper, limits["max_bytes"], limits["max_decompressed"])
    except (OSError, RuntimeError, NotImplementedError):
        return None
