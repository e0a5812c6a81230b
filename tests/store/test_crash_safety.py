"""Nothing is lost (DESIGN §2.5): a process killed with SIGKILL while it saves contacts or a
draft leaves a sound database holding everything it had reported as saved.

The child (tests/store/_child.py) prints a line only after the save it names has returned;
the parent kills it at random moments, both right after such a line and in the middle of
the next save, then reopens the profile and checks what is there. Set CXC_CRASH_SEED to
replay a failing run.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cxcompanion.services.contacts import ContactService
from cxcompanion.services.profile import Profile
from tests.store._child import contact, growing_draft

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)"),
]

REPO_ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("_child.py")

CONTACT_ROUNDS = 40
DRAFT_ROUNDS = 6
FORM_ROUNDS = 12
LINE_TIMEOUT = 30.0  # seconds; only reached if the child hangs or fails to start


@pytest.fixture
def seed() -> int:
    return int(os.environ.get("CXC_CRASH_SEED") or random.randrange(2**32))


class Child:
    """A child process whose stdout is read line by line, with a deadline on every read."""

    def __init__(self, tmp_path: Path, *args: str):
        home = tmp_path / "child-home"
        home.mkdir(exist_ok=True)
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO_ROOT),
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_RUNTIME_DIR": str(home / "runtime"),
        }
        env.pop("CXCOMPANION_PROFILE", None)
        self._stderr = (tmp_path / "child-stderr.txt").open("w+b")
        self.proc = subprocess.Popen(
            [sys.executable, str(CHILD), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
            bufsize=0,
        )
        self._buffer = b""
        self.lines: list[str] = []  # every complete line read so far

    def read_line(self) -> str:
        deadline = time.monotonic() + LINE_TIMEOUT
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([fd], [], [], max(left, 0))
            if not ready:
                raise AssertionError(f"the child said nothing for {LINE_TIMEOUT} s{self.errors()}")
            chunk = os.read(fd, 65536)
            if not chunk:
                raise AssertionError(
                    f"the child ended (status {self.proc.wait()}) before being killed"
                    f"{self.errors()}"
                )
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        self.lines.append(line.decode())
        return self.lines[-1]

    def kill(self) -> None:
        """SIGKILL, reap, and collect every complete line the child wrote before it died."""
        os.kill(self.proc.pid, signal.SIGKILL)
        status = self.proc.wait(timeout=LINE_TIMEOUT)
        assert status == -signal.SIGKILL, f"the child ended with {status}{self.errors()}"
        rest = self._buffer + self.proc.stdout.read()
        self._buffer = b""
        *complete, _partial = rest.split(b"\n")
        self.lines += [line.decode() for line in complete]

    def errors(self) -> str:
        self._stderr.seek(0)
        text = self._stderr.read().decode(errors="replace").strip()
        return f"; its stderr:\n{text}" if text else ""

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait(timeout=LINE_TIMEOUT)
        finally:
            for stream in (self.proc.stdin, self.proc.stdout, self._stderr):
                stream.close()


@contextlib.contextmanager
def child(tmp_path: Path, *args: str):
    started = Child(tmp_path, *args)
    try:
        yield started
    finally:
        started.close()


@contextlib.contextmanager
def reopened(folder: Path):
    profile = Profile(folder)
    try:
        yield ContactService(profile)
    finally:
        profile.close()


def new_profile(folder: Path) -> None:
    profile = Profile(folder)
    try:
        profile.set_up("Ana", "North", "agent")
    finally:
        profile.close()


def assert_sound(service: ContactService, context: str) -> None:
    """The file, its full-text index and the links between records are all intact."""
    conn = service.profile.store.conn
    assert service.profile.store.integrity_check() == "ok", context
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == [], context
    conn.execute("INSERT INTO contacts_fts (contacts_fts) VALUES ('integrity-check')")
    # Every contact was written whole: its two ideas and its index entry came with it.
    assert (
        conn.execute(
            "SELECT count(*) FROM contacts c WHERE c.deleted = 0 "
            "AND (SELECT count(*) FROM ideas i WHERE i.contact_id = c.id AND i.deleted = 0) != 2"
        ).fetchone()[0]
        == 0
    ), context
    contacts = conn.execute("SELECT count(*) FROM contacts").fetchone()[0]
    indexed = conn.execute("SELECT count(*) FROM contacts_fts").fetchone()[0]
    assert contacts == indexed, context


def test_contacts_reported_saved_survive_sigkill(tmp_path, seed):
    rng = random.Random(seed)
    folder = tmp_path / "profile"
    new_profile(folder)
    reported: list[str] = []  # every id any child reported as saved, in every round
    kinds = {"right after a save": 0, "during the next save": 0, "before the first save": 0}

    for round_number in range(CONTACT_ROUNDS):
        tag = f"r{round_number:02d}"
        with reopened(folder) as service:
            count_before = service.count()
        # Vary the kill point: right after a save returned, a little into the next one, or
        # while the child is still starting and saving its first contact.
        kind = ("right after a save", "during the next save", "before the first save")[
            round_number % 3
        ]
        wanted = 0 if kind == "before the first save" else rng.randint(1, 30)
        delay = 0.0 if kind == "right after a save" else rng.uniform(0, 0.004)
        kinds[kind] += 1
        context = f"seed {seed}, round {round_number}, {kind}, after {wanted} ids, +{delay:.4f} s"

        with child(tmp_path, "contacts", str(folder), tag) as running:
            assert running.read_line() == "ready"
            for _ in range(wanted):
                line = running.read_line()
                assert line.startswith("saved "), line
            if delay:
                time.sleep(delay)
            running.kill()
            saved = [line.split(" ", 1)[1] for line in running.lines if line.startswith("saved ")]

        with reopened(folder) as service:
            assert_sound(service, context)
            for number, contact_id in enumerate(saved):
                got = service.get(contact_id)
                assert got.detail == f"crashtest {tag}x{number} charged twice", context
                assert sorted(i.text for i in got.ideas) == [
                    f"first idea {tag}x{number}",
                    f"second idea {tag}x{number}",
                ], context
                # Found by its own words: the index entry came with it.
                found = service.page(search=f"{tag}x{number} charged")
                assert [s.id for s in found] == [contact_id], context
            reported += saved
            # At most one save may have committed without living to report it.
            added = service.count() - count_before
            assert added in (len(saved), len(saved) + 1), (context, added, len(saved))
            stored = set(service.contacts.all_ids())
            assert stored >= set(reported), context
            assert len(stored) - len(reported) <= round_number + 1, context

    assert len(reported) > CONTACT_ROUNDS  # the rounds did save contacts
    assert all(kinds.values()), kinds


def test_a_draft_saved_before_sigkill_comes_back(tmp_path):
    folder = tmp_path / "profile"
    new_profile(folder)
    draft = {
        "channel": "phone",
        "purpose": "billing.refund",
        "detail": "charged twice — the customer is still on the line",
        "prior_contacts": "2",
        "prior_channels": ["email", "chat"],
        "ideas": [{"text": "pausa från appen", "area": "mobile_app"}],
        "stayed": None,
        "mood_start": -1,
    }
    with child(tmp_path, "draft", str(folder), json.dumps(draft)) as running:
        assert running.read_line() == "ready"
        assert running.read_line() == "draft"
        running.kill()
    with reopened(folder) as service:
        assert service.load_draft() == draft
        assert service.profile.store.integrity_check() == "ok"


def test_a_draft_typed_keystroke_by_keystroke_survives_sigkill(tmp_path, seed):
    rng = random.Random(seed)
    folder = tmp_path / "profile"
    new_profile(folder)
    for round_number in range(DRAFT_ROUNDS):
        wanted = rng.randint(1, 40)
        delay = 0.0 if round_number % 2 == 0 else rng.uniform(0, 0.003)
        context = f"seed {seed}, round {round_number}, after draft {wanted}, +{delay:.4f} s"
        with child(tmp_path, "drafts", str(folder), "60") as running:
            assert running.read_line() == "ready"
            for number in range(1, wanted + 1):
                assert running.read_line() == f"draft {number}", context
            if delay:
                time.sleep(delay)
            running.kill()
            last = max(int(line.split()[1]) for line in running.lines if line != "ready")
        with reopened(folder) as service:
            assert service.profile.store.integrity_check() == "ok", context
            found = service.load_draft()
            # The last draft reported, or the one after it if that committed unreported.
            assert found in (growing_draft(last), growing_draft(last + 1)), (context, found)


def test_a_form_saved_as_a_contact_leaves_the_contact_or_the_draft_never_both(tmp_path, seed):
    """The form's save clears its draft in the same transaction as the contact's insert."""
    rng = random.Random(seed)
    folder = tmp_path / "profile"
    new_profile(folder)
    for round_number in range(FORM_ROUNDS):
        tag = f"f{round_number}"
        # Lines go "draft 0", "saved 0 <id>", "draft 1", ...: stop after a "draft" line, so
        # that the kill falls into the form's save, at a random point of it.
        wanted = 2 * rng.randint(0, 15) + 1
        delay = rng.uniform(0, 0.003)
        context = f"seed {seed}, round {round_number}, after {wanted} lines, +{delay:.4f} s"
        with child(tmp_path, "form", str(folder), tag) as running:
            assert running.read_line() == "ready"
            for _ in range(wanted):
                running.read_line()
            if delay:
                time.sleep(delay)
            running.kill()
            saved = [line.split()[2] for line in running.lines if line.startswith("saved ")]
        with reopened(folder) as service:
            assert_sound(service, context)
            logged = [
                s.id
                for n in range(len(saved) + 2)
                for s in service.page(search=f"{tag}x{n} charged")
            ]
            # Contacts 0..m-1 of this round, in order; every one it reported among them.
            assert logged[: len(saved)] == saved, context
            assert len(logged) in (len(saved), len(saved) + 1), context
            draft = service.load_draft()
            # Either the next form is waiting as a draft, or the last save cleared it; a
            # draft of a contact that was saved would be typed in, and saved, twice.
            assert draft in (None, contact(tag, len(logged))), (context, draft)
