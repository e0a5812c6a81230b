"""Running sync for the window: on demand and on the team's timer, one at a time, in a worker.

The worker opens its own Profile (a SQLite connection stays on its thread) and reports
progress through a queued signal; the controller keeps what the status bar and the Sync
page show, in words.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThreadPool, QTimer, Signal

from cxcompanion.domain.enums import Role
from cxcompanion.services.profile import Profile, ProfileError
from cxcompanion.services.sync import Device, SyncReport, SyncService
from cxcompanion.ui.workers import Job

# Module constants so that tests can make the clock of the timers short.
MINUTE_MS = 60_000
FIRST_SYNC_MS = 800  # after the first paint: start-up shows the form first


class SyncCancelled(Exception):
    """Raised in the worker between two writers' folders when the window closes."""


@dataclass(frozen=True)
class SyncOutcome:
    """What one run in the worker brings back to the UI thread."""

    report: SyncReport
    minutes: int  # the team's sync interval, read again after every sync
    devices: tuple[Device, ...] | None = None  # lead: members and devices asking to join
    devices_error: str = ""


def sync_in_worker(
    folder: Path,
    progress: Callable[[int, int], None] | None = None,
    indexing: Callable[[int, int], None] | None = None,
) -> SyncOutcome:
    """Runs on a pool thread with its own connection to the profile's database."""
    profile = Profile(folder)
    try:
        service = SyncService(profile)
        report = service.sync(progress, indexing=indexing)
        devices: tuple[Device, ...] | None = None
        devices_error = ""
        if profile.identity.role is Role.LEAD and report.share == "online":
            try:
                devices = tuple(service.devices())
            except ProfileError as exc:
                devices_error = str(exc)
        return SyncOutcome(report, service.sync_minutes(), devices, devices_error)
    finally:
        profile.close()


def _tr(text: str) -> str:
    return QCoreApplication.translate("SyncStatus", text)


def parse_utc(stamp: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def when_text(stamp: str, now: datetime) -> str:
    """ "just now", "4 min ago", "today at 14:32", "yesterday at 09:10", "on 21 Nov at 16:05"."""
    moment = parse_utc(stamp)
    if moment is None:
        return _tr("at an unknown moment")
    gap = (now - moment).total_seconds()
    if gap < 60:
        return _tr("just now")
    if gap < 3600:
        return _tr("%1 min ago").replace("%1", str(int(gap // 60)))
    local, today = moment.astimezone(), now.astimezone().date()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return _tr("today at %1").replace("%1", clock)
    if (today - local.date()).days == 1:
        return _tr("yesterday at %1").replace("%1", clock)
    day = f"{local.day} {local.strftime('%b')}"
    return _tr("on %1 at %2").replace("%1", day).replace("%2", clock)


def count_text(count: int, one: str, many: str) -> str:
    return _tr(one) if count == 1 else _tr(many).replace("%1", f"{count:,}")


def problems_in(report: SyncReport) -> int:
    """Problems to look at (not being approved yet is told apart, in its own words)."""
    return report.problem_count


class SyncController(QObject):
    """Never two syncs at once: a request during a run queues exactly one more run."""

    sync_started = Signal()
    sync_progressed = Signal(int, int)  # writer folders done, of total
    sync_finished = Signal(object)  # SyncReport
    sync_failed = Signal(str)
    status_changed = Signal()  # anything the status text depends on (also every minute)
    _worker_progressed = Signal(int, int)
    _worker_indexed = Signal(int, int)  # search index rows written, of total (first import)

    def __init__(
        self,
        profile: Profile,
        parent: QObject | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
    ):
        super().__init__(parent)
        self.profile = profile  # UI-thread connection: cheap reads (last report, waiting)
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        identity = profile.identity
        self.role = identity.role
        self.device_id = identity.device_id
        self.enabled = bool(identity.share)
        service = SyncService(profile)
        self.report: SyncReport | None = service.last_report()
        self.minutes = service.sync_minutes()
        self.waiting = service.waiting()
        self.devices: tuple[Device, ...] | None = None
        self.devices_error = ""
        self.failure = ""
        self.running = False
        self.progress: tuple[int, int] | None = None
        self.indexing: tuple[int, int] | None = None
        self.runs = 0  # finished runs this session
        self._started = False
        self._again = False
        self._closing = False
        self.held = False  # an import of a file holds the store: syncs wait for its end
        self._cancel = threading.Event()
        self._job: Job | None = None
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._ticker = QTimer(self)  # "2 min ago" moves on by itself
        self._ticker.setInterval(MINUTE_MS)
        self._ticker.timeout.connect(self.status_changed)
        self._worker_indexed.connect(self._on_worker_indexed, Qt.ConnectionType.QueuedConnection)
        self._worker_progressed.connect(
            self._on_worker_progressed, Qt.ConnectionType.QueuedConnection
        )

    # -- running -------------------------------------------------------------------------

    def start(self, first_ms: int | None = None) -> None:
        """Begin, once: the first sync shortly after now (call after the window has painted)."""
        if not self.enabled or self._closing or self._started:
            return
        self._started = True
        self._ticker.start()
        self._timer.start(FIRST_SYNC_MS if first_ms is None else first_ms)

    def request(self) -> None:
        """Sync now; during a run or an import, once after it."""
        if not self.enabled or self._closing:
            return
        if self.running or self.held:
            self._again = True
            self.status_changed.emit()
            return
        self._timer.stop()
        self.running = True
        self.failure = ""
        self.progress = self.indexing = None
        self._cancel.clear()
        folder, cancel = self.profile.folder, self._cancel
        emit, emit_indexed = self._worker_progressed.emit, self._worker_indexed.emit

        def progress(done: int, total: int) -> None:
            if cancel.is_set():
                raise SyncCancelled
            emit(done, total)

        def indexing(done: int, total: int) -> None:
            if cancel.is_set():  # the rest of the search index waits for the next sync
                raise SyncCancelled
            emit_indexed(done, total)

        job = Job(lambda: sync_in_worker(folder, progress, indexing))
        job.signals.finished.connect(self._on_job_finished)
        job.signals.failed.connect(self._on_job_failed)
        self._job = job
        self.sync_started.emit()
        self.status_changed.emit()
        self._pool.start(job)

    def hold(self) -> None:
        """An import of a file begins: it writes the store in one transaction, which a sync
        would wait for (and give up on after a while); syncs wait for `release` instead."""
        self.held = True
        self._timer.stop()
        self.status_changed.emit()

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        if self._again and not self.running:
            self._again = False
            self.request()
        elif not self.running and self._started:
            self._timer.start(self.interval_ms())
        self.status_changed.emit()

    def shutdown(self, wait_ms: int = 30_000) -> bool:
        """The window closes: no new runs, the running one stops at its next folder (or its
        next part of a first import's search index)."""
        self._closing = True
        self._again = False
        self._timer.stop()
        self._ticker.stop()
        self._cancel.set()
        return self._pool.waitForDone(wait_ms)

    def interval_ms(self) -> int:
        return self.minutes * MINUTE_MS

    def refresh_waiting(self) -> None:
        """After a save: the outbox count is a partial-index lookup on the UI thread."""
        if not self.enabled:
            return
        self.waiting = SyncService(self.profile).waiting()
        self.status_changed.emit()

    def note_devices(self, devices: tuple[Device, ...]) -> None:
        """The lead approved someone: show the list as it now stands until the next sync."""
        self.devices = devices
        self.status_changed.emit()

    # -- words ---------------------------------------------------------------------------

    def status_text(self) -> str:
        """The status bar in words: never colour alone."""
        if not self.enabled:
            return _tr("Local only")
        waiting = count_text(self.waiting, "1 waiting", "%1 waiting")
        if self.running:
            if self.indexing is not None:
                done, total = self.indexing
                return _tr("Syncing… search index %1%").replace(
                    "%1", str(min(99, done * 100 // max(total, 1)))
                )
            if self.progress is None:
                return _tr("Syncing…")
            done, total = self.progress
            return _tr("Syncing… %1/%2").replace("%1", str(done)).replace("%2", str(total))
        if self.held:
            return _tr("Sync waits for the import") + " · " + waiting
        if self.failure:
            return _tr("Sync did not finish — see Sync") + " · " + waiting
        report = self.report
        if report is None:
            return _tr("Not synced yet") + " · " + waiting
        if report.share == "offline":
            parts = [_tr("Share offline"), waiting]
        else:
            parts = [
                _tr("Synced %1").replace("%1", when_text(report.finished_at, self.clock())),
                waiting,
            ]
        problems = problems_in(report)
        if problems:
            parts.append(count_text(problems, "1 problem — see Sync", "%1 problems — see Sync"))
        if not report.approved:
            parts.append(_tr("awaiting your lead's approval — see Sync"))
        asking = self.asking_to_join()
        if asking:
            parts.append(count_text(len(asking), "1 device asks to join", "%1 devices ask to join"))
        return " · ".join(parts)

    def asking_to_join(self) -> list[Device]:
        if self.role is not Role.LEAD or self.devices is None:
            return []
        return [d for d in self.devices if not d.approved]

    # -- slots ---------------------------------------------------------------------------

    def _on_timer_timeout(self) -> None:
        self.request()

    def _on_worker_progressed(self, done: int, total: int) -> None:
        if self.running and not self._closing:
            self.progress = (done, total)
            self.sync_progressed.emit(done, total)
            self.status_changed.emit()

    def _on_worker_indexed(self, done: int, total: int) -> None:
        if self.running and not self._closing:
            self.indexing = (done, total)
            self.status_changed.emit()

    def _on_job_finished(self, outcome: SyncOutcome) -> None:
        self._job = None
        self.running = False
        if self._closing:
            return
        self.runs += 1
        self.report = outcome.report
        self.minutes = outcome.minutes
        self.waiting = SyncService(self.profile).waiting()  # saves during the run count too
        if outcome.devices is not None or outcome.devices_error:
            self.devices = outcome.devices
            self.devices_error = outcome.devices_error
        self.sync_finished.emit(outcome.report)
        self._next()

    def _on_job_failed(self, message: str) -> None:
        self._job = None
        self.running = False
        if self._closing:
            return
        self.runs += 1
        self.failure = message
        self.sync_failed.emit(message)
        self._next()

    def _next(self) -> None:
        self.status_changed.emit()
        if self.held:
            return  # release() goes on
        if self._again:
            self._again = False
            self.request()
        else:
            self._timer.start(self.interval_ms())
