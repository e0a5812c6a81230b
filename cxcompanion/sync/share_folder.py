"""The shared folder as a transport: its layout, whether it is there, and publishing one
immutable segment file so that a crash at any moment leaves nothing half-written.

Nobody writes in another writer's folder and nobody ever rewrites a published file, so the
only hazards are ours: a crash mid-write, a file held open by an antivirus or indexer
(EPERM/EACCES/EBUSY on Windows shares), a full disk, a share that vanishes. File-system
calls go through `Files` so tests can inject each fault.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cxcompanion.domain.roster import DEVICE_ID, Announcement, Roster

MARKER = ".cxcompanion-share"
DEVICE_FILE = "device.json"
MAX_TEAM_FILE = 4 * 1024 * 1024
MARKER_TEXT = "This folder holds a CX Companion team share. Do not edit files in it.\n"
# Held by antivirus scanners, indexers and sync clients for a moment: worth a retry.
TRANSIENT = {errno.EPERM, errno.EACCES, errno.EBUSY}
RETRY_DELAYS = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6)


class ShareError(Exception):
    """A known problem with the shared folder; the message says what to do about it."""


class ShareOfflineError(ShareError):
    pass


class Files:
    """The file-system calls publishing uses; a test subclass injects faults."""

    def reads_as_is(self) -> bool:
        """Whether reading a file here gives what another process reads at its path (no
        fault injected): then a large import may read ahead in a helper process."""
        return type(self) is Files

    def write(self, path: Path, data: bytes) -> None:
        with open(path, "xb") as handle:  # never overwrite: temporary names are unique
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())

    def rename(self, source: Path, target: Path) -> None:
        # os.link + unlink would refuse an existing target everywhere, but shares often
        # lack hard links; the caller checks the target does not exist first.
        os.replace(source, target)

    def read(self, path: Path) -> bytes:
        return path.read_bytes()

    def stat(self, path: Path) -> os.stat_result | None:
        """The file's stat, None if it is not there; other errors (share gone) raise."""
        try:
            return path.stat()
        except FileNotFoundError:
            return None

    def listdir(self, folder: Path) -> list[str]:
        return os.listdir(folder)

    def replace_file(self, path: Path, data: bytes) -> None:
        """Replace a small mutable file (team.json, device.json) atomically."""
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            self.write(temporary, data)
            _with_retries(lambda: os.replace(temporary, path), time.sleep)
        except BaseException:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise

    def remove(self, path: Path) -> None:
        path.unlink(missing_ok=True)

    def sync_folder(self, folder: Path) -> None:
        try:
            descriptor = os.open(folder, os.O_RDONLY)
        except OSError:
            return  # not possible on every platform or share; the file itself is synced
        try:
            with contextlib.suppress(OSError):
                os.fsync(descriptor)
        finally:
            os.close(descriptor)


@dataclass(frozen=True)
class ShareLayout:
    """<share>/cxcompanion/v1/{.cxcompanion-share, team.json, writers/<device-id>/…}."""

    root: Path

    @property
    def base(self) -> Path:
        return self.root / "cxcompanion" / "v1"

    @property
    def marker(self) -> Path:
        return self.base / MARKER

    @property
    def team_file(self) -> Path:
        return self.base / "team.json"

    def writer_folder(self, device_id: str) -> Path:
        if not device_id.isalnum():
            raise ValueError(f"{device_id!r} is not a device id")
        return self.base / "writers" / device_id

    @property
    def writers(self) -> Path:
        return self.base / "writers"

    def device_file(self, device_id: str) -> Path:
        return self.writer_folder(device_id) / DEVICE_FILE

    def check_online(self) -> None:
        """Raise ShareOfflineError unless the share's marker can be read right now."""
        try:
            self.marker.read_bytes()
        except OSError as exc:
            raise ShareOfflineError(
                f"The shared folder {self.root} is not reachable ({exc.strerror or exc}); "
                "nothing was changed. Check the network drive, then sync again."
            ) from None

    def read_team(self, files: Files | None = None) -> Roster:
        """The team file; ShareOfflineError if the share is not there, ShareError if the
        file is missing or damaged (then nothing is changed locally)."""
        files = files or Files()
        self.check_online()
        try:
            size = files.stat(self.team_file)
            if size is None:
                raise ShareError(
                    f"The shared folder {self.root} has no team file (team.json); "
                    "ask your team lead to set the team up with `cxcompanion init --role lead`."
                )
            if size.st_size > MAX_TEAM_FILE:
                raise ShareError(f"{self.team_file} is too large to be a team file.")
            data = files.read(self.team_file)
        except OSError as exc:
            raise ShareOfflineError(
                f"The team file on {self.root} cannot be read ({exc.strerror or exc}); "
                "nothing was changed. Check the network drive, then sync again."
            ) from None
        try:
            return Roster.from_dict(json.loads(data.decode("utf-8")))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ShareError(
                f"The team file {self.team_file} cannot be used ({exc}); nothing was changed. "
                "Your team lead's app writes it again on their next sync."
            ) from None

    def write_team(self, roster: Roster, files: Files | None = None) -> None:
        files = files or Files()
        self.check_online()
        data = json.dumps(roster.to_dict(), indent=2, sort_keys=True).encode("utf-8")
        try:
            files.replace_file(self.team_file, data)
        except OSError as exc:
            raise _share_error(exc, self, "write the team file to") from None

    def announce(self, announcement: Announcement, files: Files | None = None) -> None:
        """Ask to join: this device's own folder gets its device.json."""
        files = files or Files()
        self.check_online()
        folder = self.writer_folder(announcement.device)
        data = json.dumps(announcement.to_dict(), indent=2, sort_keys=True).encode("utf-8")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            files.replace_file(folder / DEVICE_FILE, data)
        except OSError as exc:
            raise _share_error(exc, self, "create your folder on") from None

    def read_announcement(self, device_id: str, files: Files | None = None) -> Announcement | None:
        """A device's request to join, or None if it has none (or it cannot be read)."""
        files = files or Files()
        try:
            data = files.read(self.device_file(device_id))
            if len(data) > 64 * 1024:
                return None
            return Announcement.from_dict(json.loads(data.decode("utf-8")), device_id)
        except (OSError, UnicodeDecodeError, ValueError):
            return None

    def writer_devices(self, files: Files | None = None) -> list[str]:
        """The device ids with a folder on the share (ShareOfflineError if it cannot be
        listed: a half-visible share must change nothing)."""
        files = files or Files()
        try:
            names = files.listdir(self.writers)
        except OSError as exc:
            raise ShareOfflineError(
                f"The writers' folders on {self.root} cannot be listed ({exc.strerror or exc}); "
                "nothing was changed. Check the network drive, then sync again."
            ) from None
        return sorted(name for name in names if DEVICE_ID.match(name))

    def create(self, roster: Roster) -> None:
        """Lay out a new share (a team lead's first run). Refuses to overwrite a team."""
        if self.team_file.exists():
            raise ShareError(
                f"{self.root} already holds a CX Companion team; join it as an agent instead."
            )
        try:
            (self.base / "writers").mkdir(parents=True, exist_ok=True)
            self.marker.write_text(MARKER_TEXT, encoding="utf-8")
            Files().replace_file(
                self.team_file,
                json.dumps(roster.to_dict(), indent=2, sort_keys=True).encode("utf-8"),
            )
        except OSError as exc:
            raise ShareError(
                f"Cannot create the share in {self.root} ({exc.strerror or exc}); "
                "choose a folder you can write to."
            ) from None


def publish(
    layout: ShareLayout,
    device_id: str,
    name: str,
    data: bytes,
    *,
    files: Files | None = None,
    sleep: Callable[[float], None] = time.sleep,
    replace: bool = False,
) -> Path:
    """Place one segment in this writer's folder, atomically, and verify it reads back.

    Written to a unique temporary name, flushed and fsynced, renamed (retrying while an
    antivirus holds it), then read back byte for byte. Publishing the same segment again
    (after a crash before the outbox was marked) finds it already there and succeeds; a
    different file under the same name is refused, never overwritten, unless `replace`
    (this writer putting back its own damaged segment with the bytes it first published).
    """
    files = files or Files()
    layout.check_online()
    folder = layout.writer_folder(device_id)
    target = folder / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _share_error(exc, layout, "create your folder on") from None
    if target.exists() and not replace:
        return _verify(files, target, data, already=True)
    temporary = folder / f".{name}.{secrets.token_hex(4)}.tmp"
    try:
        files.write(temporary, data)
        _with_retries(lambda: files.rename(temporary, target), sleep)
        files.sync_folder(folder)
    except OSError as exc:
        _quietly(files.remove, temporary)
        raise _share_error(exc, layout, "write to") from None
    return _verify(files, target, data, already=False)


def _verify(files: Files, target: Path, data: bytes, *, already: bool) -> Path:
    try:
        found = files.read(target)
    except OSError as exc:
        raise ShareError(f"Cannot read back {target} ({exc.strerror or exc}).") from None
    if found != data:
        if already:
            raise ShareError(
                f"{target} already exists with other content; this device's share folder "
                "was written by another installation. Ask your team lead to check the roster."
            )
        raise ShareError(f"{target} did not read back as written; it will be written again.")
    return target


def _with_retries(action: Callable[[], None], sleep: Callable[[float], None]) -> None:
    for delay in (*RETRY_DELAYS, None):
        try:
            action()
            return
        except OSError as exc:
            if exc.errno not in TRANSIENT or delay is None:
                raise
            sleep(delay)


def _quietly(action: Callable[[Path], None], path: Path) -> None:
    # A stray temporary file is harmless: every reader ignores it (strict name pattern).
    with contextlib.suppress(OSError):
        action(path)


def _share_error(exc: OSError, layout: ShareLayout, doing: str) -> ShareError:
    if exc.errno == errno.ENOSPC:
        return ShareError(
            f"The shared folder {layout.root} is full; nothing was published and nothing is "
            "lost. Free some space on it, then sync again."
        )
    if exc.errno in (errno.EROFS, *TRANSIENT):
        return ShareError(
            f"Cannot {doing} the shared folder {layout.root} ({exc.strerror}); it may be "
            "read-only or held by another program. Nothing is lost; sync again later."
        )
    return ShareError(
        f"Cannot {doing} the shared folder {layout.root} ({exc.strerror or exc}); "
        "nothing is lost, sync again later."
    )
