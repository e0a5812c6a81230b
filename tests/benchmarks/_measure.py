"""What the benchmarks' child processes measure about themselves, and thin timers of the
store's SQL calls, and cProfile tables; shared by bench_import.py and bench_sync_import.py."""

from __future__ import annotations

import io
import os
import pstats
import resource
import sqlite3
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from _build import BENCH_DIR


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def cpu_seconds() -> float:
    """CPU seconds (user + system) this process has used: with other work on the machine,
    wall time grows and this much less (but shared caches and SMT siblings still slow it)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def written_mb() -> float:
    """MB this process has passed to write() so far (Linux; 0 elsewhere): the WAL frames,
    checkpoint copies and everything else the store writes."""
    try:
        with open("/proc/self/io") as io_stats:
            for line in io_stats:
                if line.startswith("wchar:"):
                    return int(line.split()[1]) / 1e6
    except OSError:
        pass
    return 0.0


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    # Compiled .pyc as an installed app runs, kept out of the checkout.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(BENCH_DIR / "pycache")
    return env


class Timings:
    """Seconds and calls per label."""

    def __init__(self) -> None:
        self.seconds: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()

    def add(self, label: str, seconds: float) -> None:
        self.seconds[label] += seconds
        self.calls[label] += 1

    def to_dict(self) -> dict[str, list[float]]:
        return {k: [self.seconds[k], self.calls[k]] for k in self.seconds}


def sql_label(sql: str) -> str:
    words = " ".join(sql.split())
    return "sql: " + (words if len(words) <= 58 else words[:55] + "...")


class TimedConnection:
    """The store's connection with each execute/executemany timed by its SQL text."""

    def __init__(self, conn: sqlite3.Connection, timings: Timings):
        self._conn = conn
        self._timings = timings

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        started = time.perf_counter()
        try:
            return self._conn.execute(sql, *args)
        finally:
            self._timings.add(sql_label(sql), time.perf_counter() - started)

    def executemany(self, sql: str, rows: Any) -> sqlite3.Cursor:
        started = time.perf_counter()
        try:
            return self._conn.executemany(sql, rows)
        finally:
            self._timings.add(sql_label(sql) + " [many]", time.perf_counter() - started)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def print_profile(
    path: Path, title: str, limit: int, orders: Sequence[str] = ("tottime", "cumulative")
) -> None:
    """The top `limit` functions of a cProfile stats file, for each sort order."""
    for order in orders:
        out = io.StringIO()
        stats = pstats.Stats(str(path), stream=out)
        stats.strip_dirs().sort_stats(order).print_stats(limit)
        text = out.getvalue()
        start = text.find("   ncalls")
        print(f"\ncProfile of {title}, top {limit} by {order}:")
        print(text[start:].rstrip() if start >= 0 else text.rstrip())
