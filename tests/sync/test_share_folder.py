"""Publishing a segment to a real folder, with the faults a shared folder can throw."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from cxcompanion.sync.share_folder import (
    Files,
    ShareError,
    ShareLayout,
    ShareOfflineError,
    publish,
)
from tests.sync import team_roster

ROOT = Path(__file__).resolve().parents[2]
DEVICE = "d01abc"
NAME = "000000000001.jsonl"
DATA = b'{"header":1}\n{"record":1}\n{"footer":1}\n'


@pytest.fixture
def share(tmp_path):
    layout = ShareLayout(tmp_path / "share")
    layout.create(team_roster("North"))
    return layout


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


class Faulty(Files):
    """Fails a chosen call a chosen number of times with a chosen errno."""

    def __init__(self, call: str, code: int, times: int = 10**9):
        self.call, self.code, self.left = call, code, times
        self.attempts = 0

    def _maybe_fail(self, call: str) -> None:
        if call == self.call:
            self.attempts += 1
            if self.left > 0:
                self.left -= 1
                raise OSError(self.code, os.strerror(self.code))

    def write(self, path, data):
        self._maybe_fail("write")
        super().write(path, data)

    def rename(self, source, target):
        self._maybe_fail("rename")
        super().rename(source, target)


def test_a_new_share_has_its_marker_and_team_file(share):
    share.check_online()
    assert share.marker.read_text().startswith("This folder holds a CX Companion team share")
    assert '"team": "North"' in share.team_file.read_text()
    with pytest.raises(ShareError, match="already holds a CX Companion team"):
        share.create(team_roster("South"))


def test_publish_places_the_file_and_nothing_else(share):
    target = publish(share, DEVICE, NAME, DATA)
    assert target.read_bytes() == DATA
    assert files_in(share.writer_folder(DEVICE)) == [NAME]


def test_publishing_the_same_segment_again_is_harmless(share):
    publish(share, DEVICE, NAME, DATA)
    publish(share, DEVICE, NAME, DATA)  # a crash before the outbox was marked
    assert files_in(share.writer_folder(DEVICE)) == [NAME]


def test_a_different_file_under_the_same_name_is_never_overwritten(share):
    publish(share, DEVICE, NAME, DATA)
    with pytest.raises(ShareError, match="already exists with other content"):
        publish(share, DEVICE, NAME, DATA + b"more")
    assert (share.writer_folder(DEVICE) / NAME).read_bytes() == DATA


@pytest.mark.parametrize("code", [errno.EPERM, errno.EACCES, errno.EBUSY])
def test_a_file_held_by_an_antivirus_is_retried(share, code):
    faulty = Faulty("rename", code, times=3)
    waits: list[float] = []
    publish(share, DEVICE, NAME, DATA, files=faulty, sleep=waits.append)
    assert faulty.attempts == 4 and waits == [0.05, 0.1, 0.2]
    assert files_in(share.writer_folder(DEVICE)) == [NAME]


def test_a_rename_that_never_succeeds_leaves_no_file_and_says_so(share):
    faulty = Faulty("rename", errno.EPERM)
    with pytest.raises(ShareError, match=r"held by another program\. Nothing is lost"):
        publish(share, DEVICE, NAME, DATA, files=faulty, sleep=lambda _: None)
    assert files_in(share.writer_folder(DEVICE)) == []  # the temporary file is cleaned up


def test_a_full_share_publishes_nothing_and_says_so(share):
    with pytest.raises(ShareError, match="is full; nothing was published and nothing is lost"):
        publish(share, DEVICE, NAME, DATA, files=Faulty("write", errno.ENOSPC))
    assert files_in(share.writer_folder(DEVICE)) == []


def test_a_read_only_share_is_reported(share):
    with pytest.raises(ShareError, match="read-only"):
        publish(share, DEVICE, NAME, DATA, files=Faulty("write", errno.EROFS))
    assert files_in(share.writer_folder(DEVICE)) == []


def test_an_unplugged_share_changes_nothing(share, tmp_path):
    share.marker.unlink()  # what an unmounted drive looks like: the marker is gone
    with pytest.raises(ShareOfflineError, match="not reachable"):
        publish(share, DEVICE, NAME, DATA)
    assert files_in(share.writer_folder(DEVICE)) == []
    with pytest.raises(ShareOfflineError):
        ShareLayout(tmp_path / "nowhere").check_online()


def test_a_device_id_cannot_climb_out_of_the_writers_folder(share):
    with pytest.raises(ValueError):
        share.writer_folder("../d01abc")


CHILD = """
import os, sys
from pathlib import Path
from cxcompanion.sync import share_folder as sf

step = sys.argv[2]

class Stopping(sf.Files):
    def write(self, path, data):
        if step == "mid-write":
            with open(path, "xb") as handle:
                handle.write(data[: len(data) // 2])
                handle.flush()
                os.fsync(handle.fileno())
            print("ready", flush=True); sys.stdin.read()
        super().write(path, data)
        if step == "before-rename":
            print("ready", flush=True); sys.stdin.read()

    def rename(self, source, target):
        super().rename(source, target)
        if step == "after-rename":
            print("ready", flush=True); sys.stdin.read()

sf.publish(sf.ShareLayout(Path(sys.argv[1])), "d01abc", "000000000001.jsonl",
           b'{"header":1}\\n{"record":1}\\n{"footer":1}\\n', files=Stopping())
"""


@pytest.mark.parametrize("step", ["mid-write", "before-rename", "after-rename"])
def test_a_crash_at_any_step_leaves_no_half_file_and_a_second_publish_succeeds(share, step):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, str(share.root), step],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    ) as child:
        try:
            assert child.stdout.readline().strip() == "ready"
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=30)
    folder = share.writer_folder(DEVICE)
    final = folder / NAME
    # The final name holds the whole segment or does not exist; leftovers are temporary.
    assert not final.exists() or final.read_bytes() == DATA
    assert all(name == NAME or name.endswith(".tmp") for name in files_in(folder))
    publish(share, DEVICE, NAME, DATA)
    assert final.read_bytes() == DATA
