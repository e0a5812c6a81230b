"""Sync converges, whatever the writers do and whatever the shared folder does (DESIGN §2.5, §5).

A stateful hypothesis machine: a team lead and one to three agent devices (sometimes one
person on two devices) on a real shared folder, each with its own real profile. Agents log,
amend, delete and restore their own contacts (sometimes with a shared customer and ideas);
any device syncs; the clock ticks (or does not: edits in the same second tie on revision
and time, and the writer id decides). Faults: the share offline or unreadable during a
sync, a segment truncated on the share or read back damaged (short, or zeros), the share
vanishing in the middle of a sync, reading back a new segment failing, a late segment, a
segment deleted (its writer puts it back), a writer's folder missing from a listing,
"conflicted copy" / `.sync-conflict-` / lock / temporary files beside real segments,
devices waiting for approval.

The model is every revision each writer wrote, built from what was typed (not read back from
the share). After every step every store holds only revisions somebody wrote, never loses a
row and never goes back; after every clean sync a device holds exactly the newest revision
of everything on the share that its role keeps; and at the end, once every device has
synced twice, every store equals the model: the lead in full, each agent in full for its own
person and as slim rows (no name, detail, notes or ideas) for colleagues, with no
quarantine, no parked records, sound SQLite and FTS indexes.

`CX_HYPOTHESIS_PROFILE=long` runs many more and longer examples, and shrinks a failure.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import gzip
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, event, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from cxcompanion.domain.records import Contact, utc_iso
from cxcompanion.domain.redaction import pseudonymise
from cxcompanion.services.contacts import ContactService
from cxcompanion.services.profile import Profile
from cxcompanion.services.sync import SyncService
from cxcompanion.sync.share_folder import Files, ShareLayout
from tests.conftest import raw_contact

LONG = os.environ.get("CX_HYPOTHESIS_PROFILE", "").lower() == "long"
SETTINGS = settings(
    max_examples=400 if LONG else 30,
    stateful_step_count=40 if LONG else 20,
    deadline=None,  # every step writes real SQLite files and folders
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    # Shrinking a failure of this machine can take minutes: the default run reports the
    # failing steps as found (and replays saved ones); the long run shrinks them.
    phases=tuple(Phase) if LONG else tuple(p for p in Phase if p is not Phase.shrink),
)

BASE = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
NAMES = ("Ana", "Ben", "Cai")
CUSTOMERS = ("", "C1", "c-1", "C2")  # "C1" and "c-1" are one customer once pseudonymised
PURPOSES = ("billing.refund", "orders.return", "billing.double_charge")
CHANNELS = ("phone", "chat", "email")
AREAS = ("mobile_app", "website", "billing")
STRICT_NAME = re.compile(r"[0-9]{12}\.jsonl(\.gz)?")  # DESIGN §5, written out independently

# One revision of a contact as every store keeps it, and of an idea.
CONTACT_COLUMNS = (
    "id", "writer", "revision", "updated_at", "deleted", "agent", "at", "channel", "purpose",
    "detail", "notes", "customer_hash",
)  # fmt: skip
IDEA_COLUMNS = (
    "id", "writer", "revision", "updated_at", "deleted", "contact_id", "text", "area",
)  # fmt: skip
C = {name: index for index, name in enumerate(CONTACT_COLUMNS)}
I = {name: index for index, name in enumerate(IDEA_COLUMNS)}  # noqa: E741
Row = tuple[Any, ...]
Key = tuple[int, str, str]


def note(text: str) -> None:
    """A hypothesis event (statistics); also callable when replaying steps by hand."""
    with contextlib.suppress(InvalidArgument):
        event(text)


def key(row: Row) -> Key:
    """The order every store must apply revisions in: revision, then time, then writer."""
    return (row[2], row[3], row[1])


def slim(row: Row) -> Row:
    """What an agent keeps of a colleague's contact: no name, no detail, no notes."""
    blank = ("agent", "detail", "notes")
    return tuple("" if n in blank else v for n, v in zip(CONTACT_COLUMNS, row, strict=True))


def changed(row: Row, columns: dict[str, int], **values: Any) -> Row:
    out = list(row)
    for name, value in values.items():
        out[columns[name]] = value
    return tuple(out)


def contact_row(contact: Contact) -> Row:
    e = contact.envelope
    return (
        e.id, e.writer, e.revision, e.updated_at, int(e.deleted), contact.agent, contact.at,
        contact.channel.value, contact.purpose, contact.detail, contact.notes,
        contact.customer_hash,
    )  # fmt: skip


def newest(versions: dict[Key, Row]) -> Row:
    return versions[max(versions)]


# -- the share, read independently of the importer --------------------------------------


@dataclass(frozen=True)
class SegmentFile:
    device: str
    name: str
    path: Path

    @property
    def seq(self) -> int:
        return int(self.name[:12])


def segment_files(layout: ShareLayout) -> list[SegmentFile]:
    found = []
    if not layout.writers.is_dir():
        return found
    for folder in sorted(layout.writers.iterdir()):
        if folder.is_dir():
            for name in sorted(os.listdir(folder)):
                if STRICT_NAME.fullmatch(name):
                    found.append(SegmentFile(folder.name, name, folder / name))
    return found


def read_segment(path: Path) -> tuple[int, list[dict[str, Any]]]:
    """(last sequence number, records) of an intact segment file."""
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    lines = data.decode("utf-8").split("\n")
    assert lines[-1] == "", f"{path.name} does not end with a line end"
    header, *records, footer = (json.loads(line) for line in lines[:-1])
    assert footer.get("footer") is True and footer["count"] == len(records), path.name
    return header["last_seq"], records


def encode_like_a_segment(header: dict[str, Any], records: list[dict[str, Any]]) -> bytes:
    """A well-formed segment (header, records, footer with count and checksum)."""
    dumps = functools.partial(json.dumps, sort_keys=True, separators=(",", ":"))
    body = "".join(dumps(r) + "\n" for r in records).encode()
    footer = {"footer": True, "count": len(records), "sha256": hashlib.sha256(body).hexdigest()}
    return (dumps(header) + "\n").encode() + body + (dumps(footer) + "\n").encode()


def record_row(record: dict[str, Any]) -> Row:
    body = record["body"]
    if record["type"] == "contact":
        rest = tuple(body[c] for c in CONTACT_COLUMNS[5:])
    else:
        rest = tuple(body[c] for c in IDEA_COLUMNS[5:])
    envelope = (
        record["id"], record["writer"], record["revision"], record["updated_at"],
        int(record["deleted"]),
    )  # fmt: skip
    return envelope + rest


# -- faults -------------------------------------------------------------------------------


class BadRead(Files):
    """The share hands back one segment damaged, once, while the file itself is intact (a
    network hiccup, a stale cache page, a placeholder read before it was filled): cut short,
    or of the right length with zeros after `keep` bytes."""

    def __init__(self, target: Path, keep: int, same_length: bool):
        self.target = target
        self.keep = keep
        self.same_length = same_length
        self.done = False

    def read(self, path: Path) -> bytes:
        data = super().read(path)
        if not self.done and path == self.target:
            self.done = True
            tail = b"\0" * (len(data) - self.keep) if self.same_length else b""
            return data[: self.keep] + tail
        return data


class ReadBackFails(Files):
    """Reading back what this device just wrote fails (the file is in place): the segment is
    on the share, but the device cannot know it yet."""

    def __init__(self, folder: Path):
        self.folder = folder

    def read(self, path: Path) -> bytes:
        if path.parent == self.folder:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return super().read(path)


class VanishingShare(Files):
    """The share answers `budget` file calls, then is gone: every call fails with `error`
    (EIO: a dropped connection, ESTALE: a stale network handle; not EACCES, which
    publishing retries for seconds as an antivirus lock) or, for ENOENT, every path is
    missing as after an unmount (then `stat` says "not there", as Files does)."""

    def __init__(self, budget: int, error: int):
        self.budget = budget
        self.error = error

    def _gone(self) -> bool:
        self.budget -= 1
        return self.budget < 0

    def _fail(self) -> None:
        raise OSError(self.error, os.strerror(self.error))

    def write(self, path, data):
        if self._gone():
            self._fail()
        return super().write(path, data)

    def rename(self, source, target):
        if self._gone():
            self._fail()
        return super().rename(source, target)

    def read(self, path):
        if self._gone():
            self._fail()
        return super().read(path)

    def stat(self, path):
        if self._gone():
            if self.error == errno.ENOENT:
                return None
            self._fail()
        return super().stat(path)

    def listdir(self, folder):
        if self._gone():
            self._fail()
        return super().listdir(folder)

    def replace_file(self, path, data):
        if self._gone():
            self._fail()
        return super().replace_file(path, data)

    def remove(self, path):
        if self._gone():
            self._fail()
        return super().remove(path)


# -- the team -----------------------------------------------------------------------------


class TeamClock:
    """Whole seconds that move only when the machine says so; each device may run a little
    ahead (clock skew), so a later edit can carry an earlier time."""

    def __init__(self) -> None:
        self.seconds = 0

    def for_device(self, skew: int) -> Callable[[], datetime]:
        return lambda: BASE + timedelta(seconds=self.seconds + skew)


@dataclass
class Device:
    label: str
    person: str
    lead: bool
    profile: Profile
    sync: SyncService
    contacts: ContactService
    clock: Callable[[], datetime]

    @property
    def id(self) -> str:
        return self.profile.device_id

    def rows(self, sql: str, *params: Any) -> list[Row]:
        return self.profile.store.conn.execute(sql, params).fetchall()

    def contact_rows(self) -> dict[str, Row]:
        return {r[0]: r for r in self.rows(f"SELECT {', '.join(CONTACT_COLUMNS)} FROM contacts")}

    def idea_rows(self) -> dict[str, Row]:
        return {r[0]: r for r in self.rows(f"SELECT {', '.join(IDEA_COLUMNS)} FROM ideas")}

    def own(self, deleted: bool) -> list[str]:
        return [
            r[0]
            for r in self.rows(
                "SELECT id FROM contacts WHERE agent = ? AND deleted = ? ORDER BY id",
                self.person,
                int(deleted),
            )
        ]

    def cursors(self) -> dict[str, int]:
        return dict(self.rows("SELECT writer, next_seq FROM sync_cursor"))

    def quarantined(self) -> set[tuple[str, str]]:
        return set(self.rows("SELECT writer, name FROM sync_quarantine"))


def tracked(method: Callable[..., Any]) -> Callable[..., Any]:
    """Remember that a step failed, so teardown does not hide it behind a second failure."""

    @functools.wraps(method)
    def wrapper(self: SyncConvergence, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except BaseException:
            self.failed = True
            raise

    return wrapper


class SyncConvergence(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="cx-convergence-")).resolve()
        self.layout = ShareLayout(self.root / "share")
        self.devices: list[Device] = []
        self.approved: set[str] = set()
        self.clock = TeamClock()
        self.failed = False
        self.counter = 0
        # every revision anyone wrote: id -> key -> row
        self.contacts: dict[str, dict[Key, Row]] = {}
        self.ideas: dict[str, dict[Key, Row]] = {}
        self.tokens: dict[str, str] = {}  # a unique word of a contact's text -> its person
        self.seen: dict[str, dict[str, Key]] = {}  # device -> id -> newest key it held
        self.removed: set[Path] = set()  # segments deleted from the share
        self.key = b""

    # -- setting up -----------------------------------------------------------------------

    @initialize(
        agents=st.lists(st.sampled_from(NAMES), min_size=1, max_size=3),
        order=st.permutations(range(4)),
        approve=st.lists(st.sampled_from([True, True, False]), min_size=3, max_size=3),
        skews=st.lists(st.sampled_from([0, 0, 1, 3]), min_size=4, max_size=4),
    )
    @tracked
    def set_up_team(self, agents, order, approve, skews):
        (self.root / "share").mkdir()
        people = [("Lea", "lead"), *((name, "agent") for name in agents)]
        for index, (name, role) in enumerate(people):
            profile = Profile(self.root / f"profile{index}")
            # Device ids in a drawn order: which writer wins a tie is part of the example
            # (and a failing example replays with the same winner).
            profile.store.set_meta({"device_id": f"dev{order[index]}x{index:04d}"})
            profile.set_up(name, "North", role, str(self.layout.root))
            clock = self.clock.for_device(skews[index])
            same = sum(1 for n, _ in people[:index] if n == name)
            self.devices.append(
                Device(
                    label=f"{name}#{same + 1}",
                    person=name,
                    lead=role == "lead",
                    profile=profile,
                    sync=SyncService(profile),
                    contacts=ContactService(profile, clock=clock),
                    clock=clock,
                )
            )
            self.seen[profile.device_id] = {}
        lead = self.devices[0]
        self.key = lead.profile.team_secret
        self.approved.add(lead.id)
        for device, now in zip(self.devices[1:], approve, strict=False):
            if now:
                lead.sync.approve(device.id)
                self.approved.add(device.id)

    @property
    def lead(self) -> Device:
        return self.devices[0]

    @property
    def agents(self) -> list[Device]:
        return self.devices[1:]

    def pick(self, devices: list[Device], who: int) -> Device:
        return devices[who % len(devices)]

    def token(self, kind: str, person: str) -> str:
        self.counter += 1
        word = f"{kind}zq{self.counter}zq"
        self.tokens[word] = person
        return word

    def customer_hash(self, ref: str) -> str | None:
        return pseudonymise(self.key, ref) if ref else None

    def add_contact(self, row: Row) -> None:
        versions = self.contacts.setdefault(row[0], {})
        assert versions.get(key(row), row) == row, f"two different revisions {key(row)}"
        versions[key(row)] = row

    def add_idea(self, row: Row) -> None:
        versions = self.ideas.setdefault(row[0], {})
        assert versions.get(key(row), row) == row, f"two different idea revisions {key(row)}"
        versions[key(row)] = row

    def local(self, device: Device, contact_id: str) -> Row:
        """The revision `device` holds of its own contact: one the model knows."""
        row = device.rows(
            f"SELECT {', '.join(CONTACT_COLUMNS)} FROM contacts WHERE id = ?", contact_id
        )[0]
        assert self.contacts[contact_id].get(key(row)) == row, (device.label, row)
        return row

    def live_ideas(self, device: Device, contact_id: str) -> list[Row]:
        rows = device.rows(
            f"SELECT {', '.join(IDEA_COLUMNS)} FROM ideas WHERE contact_id = ? AND deleted = 0",
            contact_id,
        )
        for row in rows:
            assert self.ideas[row[0]].get(key(row)) == row, (device.label, row)
        return rows

    # -- what agents do -------------------------------------------------------------------

    @rule(
        who=st.integers(0, 3),
        customer=st.sampled_from(CUSTOMERS),
        purpose=st.sampled_from(PURPOSES),
        channel=st.sampled_from(CHANNELS),
        areas=st.lists(st.sampled_from(AREAS), max_size=2),
    )
    @tracked
    def log_contact(self, who, customer, purpose, channel, areas):
        device = self.pick(self.agents, who)
        notes = self.token("note", device.person)
        detail = self.token("detail", device.person)
        wanted = [(self.token("idea", device.person), area) for area in areas]
        contact = device.contacts.log(
            raw_contact(
                channel=channel,
                purpose=purpose,
                detail=detail,
                notes=notes,
                customer_ref=customer,
                ideas=[{"text": t, "area": a} for t, a in wanted],
            )
        )
        stamp = utc_iso(device.clock())
        expected = (
            contact.id, device.id, 1, stamp, 0, device.person, stamp, channel, purpose,
            detail, notes, self.customer_hash(customer),
        )  # fmt: skip
        assert contact_row(contact) == expected
        assert contact.id not in self.contacts
        self.add_contact(expected)
        assert [(i.text, i.area) for i in contact.ideas] == wanted
        for idea in contact.ideas:
            self.add_idea((idea.id, device.id, 1, stamp, 0, contact.id, idea.text, idea.area))

    def _has_own(self, deleted: bool) -> bool:
        return any(device.own(deleted) for device in self.agents)

    def _choose_own(self, who: int, pick: int, deleted: bool) -> tuple[Device, str]:
        candidates = [d for d in self.agents if d.own(deleted)]
        device = self.pick(candidates, who)
        ids = device.own(deleted)
        return device, ids[pick % len(ids)]

    @precondition(lambda self: self._has_own(deleted=False))
    @rule(
        who=st.integers(0, 3),
        pick=st.integers(0, 50),
        customer=st.sampled_from(CUSTOMERS),
        purpose=st.sampled_from(PURPOSES),
        keep=st.lists(st.booleans(), min_size=3, max_size=3),
        new_idea=st.none() | st.sampled_from(AREAS),
    )
    @tracked
    def amend_contact(self, who, pick, customer, purpose, keep, new_idea):
        device, contact_id = self._choose_own(who, pick, deleted=False)
        base = self.local(device, contact_id)
        before = {row[0]: row for row in self.live_ideas(device, contact_id)}
        current = device.contacts.get(contact_id)
        kept = [i for n, i in enumerate(current.ideas) if n >= len(keep) or keep[n]]
        wanted = [(i.text, i.area) for i in kept]
        if new_idea is not None:
            wanted.append((self.token("idea", device.person), new_idea))
        raw = device.contacts.to_raw(current)
        notes = self.token("note", device.person)
        raw.update(
            purpose=purpose,
            notes=notes,
            customer_ref=customer,
            ideas=[{"text": t, "area": a} for t, a in wanted],
        )
        contact = device.contacts.amend(contact_id, raw)
        stamp = utc_iso(device.clock())
        expected = changed(
            base, C, writer=device.id, revision=base[2] + 1, updated_at=stamp, purpose=purpose,
            notes=notes,
            customer_hash=self.customer_hash(customer) if customer else base[C["customer_hash"]],
        )  # fmt: skip
        assert contact_row(contact) == expected
        self.add_contact(expected)
        assert sorted((i.text, i.area) for i in contact.ideas) == sorted(wanted)
        kept_ids = {i.id for i in kept}
        for idea in contact.ideas:
            if idea.id in kept_ids:
                continue
            assert idea.id not in before
            self.add_idea((idea.id, device.id, 1, stamp, 0, contact_id, idea.text, idea.area))
        for idea_id, row in before.items():
            if idea_id not in kept_ids:  # left out: tombstoned, never erased
                self.add_idea(
                    changed(row, I, writer=device.id, revision=row[2] + 1, updated_at=stamp,
                            deleted=1)
                )  # fmt: skip

    @precondition(lambda self: self._has_own(deleted=False))
    @rule(who=st.integers(0, 3), pick=st.integers(0, 50))
    @tracked
    def delete_contact(self, who, pick):
        device, contact_id = self._choose_own(who, pick, deleted=False)
        base = self.local(device, contact_id)
        before = self.live_ideas(device, contact_id)
        contact = device.contacts.delete(contact_id)
        stamp = utc_iso(device.clock())
        expected = changed(
            base, C, writer=device.id, revision=base[2] + 1, updated_at=stamp, deleted=1
        )
        assert contact_row(contact) == expected
        self.add_contact(expected)
        assert sorted(i.id for i in contact.ideas) == sorted(r[0] for r in before)
        for row in before:
            self.add_idea(
                changed(row, I, writer=device.id, revision=row[2] + 1, updated_at=stamp, deleted=1)
            )

    @precondition(lambda self: self._has_own(deleted=True))
    @rule(who=st.integers(0, 3), pick=st.integers(0, 50))
    @tracked
    def restore_contact(self, who, pick):
        device, contact_id = self._choose_own(who, pick, deleted=True)
        base = self.local(device, contact_id)
        before = device.idea_rows()
        contact = device.contacts.restore(contact_id)
        stamp = utc_iso(device.clock())
        expected = changed(
            base, C, writer=device.id, revision=base[2] + 1, updated_at=stamp, deleted=0
        )
        assert contact_row(contact) == expected
        self.add_contact(expected)
        for idea in contact.ideas:  # the ideas deleted with it come back
            previous = before[idea.id]
            assert previous[I["deleted"]] == 1 and previous[I["contact_id"]] == contact_id
            assert self.ideas[idea.id].get(key(previous)) == previous, previous
            self.add_idea(
                changed(previous, I, writer=device.id, revision=previous[2] + 1,
                        updated_at=stamp, deleted=0)
            )  # fmt: skip

    @rule(seconds=st.integers(1, 90))
    @tracked
    def tick(self, seconds):
        self.clock.seconds += seconds

    @rule(pick=st.integers(0, 3))
    @tracked
    def approve_device(self, pick):
        waiting = [d for d in self.agents if d.id not in self.approved]
        if not waiting:
            return
        device = self.pick(waiting, pick)
        assert [d.device for d in self.lead.sync.approve(device.id)] == [device.id]
        self.approved.add(device.id)

    # -- syncing ----------------------------------------------------------------------------

    @rule(who=st.integers(0, 3))
    @tracked
    def sync(self, who):
        self.clean_sync(self.pick(self.devices, who))

    def clean_sync(self, device: Device):
        """A sync with no fault going on: everything on the share is now in the store (once
        every deleted segment has been put back by its writer)."""
        report = device.sync.sync()
        assert report.share == "online", report.message
        assert report.stopped == [], report.stopped
        assert report.waiting == 0
        assert report.problems == [], report.problems
        assert report.approved == (device.id in self.approved)
        if device.lead:
            waiting: dict[str, int] = {}
            for segment in segment_files(self.layout):
                if segment.device not in self.approved:
                    waiting[segment.device] = waiting.get(segment.device, 0) + 1
            assert {h["device"]: h["segments"] for h in report.held} == waiting
        if self.share_is_whole():  # else it waits for (or still reports) a missing one
            assert report.quarantined == [], report.quarantined
            self.check_caught_up(device)
        return report

    def sync_during_fault(self, device: Device, files: Files | None = None):
        service = device.sync if files is None else SyncService(device.profile, files=files)
        return service.sync()

    def check_caught_up(self, device: Device) -> None:
        """The store holds the newest revision of every record on the share it may keep."""
        contacts: dict[str, Row] = {}
        ideas: dict[str, Row] = {}
        last: dict[str, int] = {}
        for segment in segment_files(self.layout):
            if segment.device not in self.approved and segment.device != device.id:
                continue  # held until approved (its own are in the store already)
            last_seq, records = read_segment(segment.path)
            last[segment.device] = max(last.get(segment.device, 0), last_seq)
            for record in records:
                row = record_row(record)
                table = contacts if record["type"] == "contact" else ideas
                if row[0] not in table or key(row) > key(table[row[0]]):
                    table[row[0]] = row
        assert device.contact_rows() == self.expected_contacts(device, contacts)
        assert device.idea_rows() == self.expected_ideas(device, ideas, contacts)
        assert device.rows("SELECT id FROM sync_parked") == []
        cursors = device.cursors()
        for writer, seq in last.items():
            if writer != device.id:
                assert cursors.get(writer) == seq + 1, (device.label, writer, cursors, last)

    def expected_contacts(self, device: Device, newest_rows: dict[str, Row]) -> dict[str, Row]:
        if device.lead:
            return dict(newest_rows)
        return {
            cid: row if row[C["agent"]] == device.person else slim(row)
            for cid, row in newest_rows.items()
        }

    def expected_ideas(
        self, device: Device, newest_ideas: dict[str, Row], newest_contacts: dict[str, Row]
    ) -> dict[str, Row]:
        if device.lead:
            return dict(newest_ideas)
        return {
            iid: row
            for iid, row in newest_ideas.items()
            if newest_contacts[row[I["contact_id"]]][C["agent"]] == device.person
        }

    # -- the share misbehaves ---------------------------------------------------------------

    def _snapshot(self, device: Device) -> tuple[Any, ...]:
        return (
            device.contact_rows(),
            device.idea_rows(),
            device.cursors(),
            device.quarantined(),
            device.rows("SELECT * FROM sync_parked"),
            device.rows("SELECT seq, segment FROM outbox"),
        )

    @rule(who=st.integers(0, 3), unreadable=st.booleans())
    @tracked
    def sync_while_offline(self, who, unreadable):
        device = self.pick(self.devices, who)
        marker = self.layout.marker
        text = marker.read_bytes()
        before = self._snapshot(device)
        marker.unlink()
        if unreadable:
            marker.mkdir()  # there, but cannot be read as a file
        try:
            report = self.sync_during_fault(device)
        finally:
            if unreadable:
                marker.rmdir()
            marker.write_bytes(text)
        assert report.share == "offline", report.to_dict()
        assert self._snapshot(device) == before  # an offline share changes nothing

    def _expect_quarantine(self, device: Device, segment: SegmentFile) -> bool | None:
        """Whether a sync that finds `segment` damaged must report it: it has held it back
        before, or its cursor reaches it over segments that are all there (None: cannot
        tell, as when it holds others of that writer back)."""
        if segment.device not in self.approved or segment.device == device.id:
            return False
        held = {name for writer, name in device.quarantined() if writer == segment.device}
        if segment.name in held:
            return True
        if held:
            return None
        last = {
            s.seq: read_segment(s.path)[0]
            for s in segment_files(self.layout)
            if s.device == segment.device and s.seq < segment.seq
        }
        seq = device.cursors().get(segment.device, 1)
        while seq in last:  # a missing segment holds back what follows
            seq = last[seq] + 1
        return seq == segment.seq

    def _check_fault_report(
        self, report, segment: SegmentFile, expected: bool | None, before
    ) -> None:
        assert report.share == "online", report.message
        reported = {(q["device"], q["file"]) for q in report.quarantined}
        if expected is not None:
            assert ((segment.device, segment.name) in reported) == expected, (segment, reported)
            note(f"damaged segment {'reported' if expected else 'not read'}")
        assert reported <= {(segment.device, segment.name)} | before, reported

    @rule(
        who=st.integers(0, 3),
        pick=st.integers(0, 100),
        fraction=st.floats(0, 0.99),
        keep_mtime=st.booleans(),
    )
    @tracked
    def sync_with_truncated_segment(self, who, pick, fraction, keep_mtime):
        device = self.pick(self.devices, who)
        segments = segment_files(self.layout)
        if not segments:
            return
        segment = segments[pick % len(segments)]
        data = segment.path.read_bytes()
        stat = segment.path.stat()
        expected = self._expect_quarantine(device, segment)
        before = device.quarantined()
        segment.path.write_bytes(data[: int(len(data) * fraction)])
        try:
            report = self.sync_during_fault(device)
        finally:
            segment.path.write_bytes(data)  # the whole file arrives after all
            if keep_mtime:  # as a sync client that keeps the original time would
                os.utime(segment.path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        self._check_fault_report(report, segment, expected, before)

    @rule(
        who=st.integers(0, 3),
        pick=st.integers(0, 100),
        fraction=st.floats(0, 0.99),
        same_length=st.booleans(),
    )
    @tracked
    def sync_with_a_bad_read(self, who, pick, fraction, same_length):
        """Whether it is set aside or left for the next sync, it must arrive in the end (the
        next clean sync checks): nothing about the file changes, so nothing else will."""
        device = self.pick(self.devices, who)
        segments = segment_files(self.layout)
        if not segments:
            return
        segment = segments[pick % len(segments)]
        keep = int(segment.path.stat().st_size * fraction)
        before = device.quarantined()
        report = self.sync_during_fault(device, BadRead(segment.path, keep, same_length))
        assert report.share == "online", report.message
        reported = {(q["device"], q["file"]) for q in report.quarantined}
        assert reported <= {(segment.device, segment.name)} | before, reported

    @rule(
        who=st.integers(0, 3),
        budget=st.integers(0, 30),
        error=st.sampled_from([errno.EIO, errno.ENOENT, errno.ESTALE]),
    )
    @tracked
    def sync_while_share_vanishes(self, who, budget, error):
        device = self.pick(self.devices, who)
        report = self.sync_during_fault(device, VanishingShare(budget, error))
        assert report.share in ("online", "offline")

    @rule(who=st.integers(0, 3))
    @tracked
    def sync_with_read_back_failing(self, who):
        device = self.pick(self.devices, who)
        files = ReadBackFails(self.layout.writer_folder(device.id))
        report = self.sync_during_fault(device, files)
        assert report.share == "online", report.message

    @rule(pick=st.integers(0, 100))
    @tracked
    def segment_removed_from_share(self, pick):
        """A person or a file-sync tool deletes a segment: its writer puts it back."""
        segments = segment_files(self.layout)
        if not segments:
            return
        segment = segments[pick % len(segments)]
        segment.path.unlink()
        self.removed.add(segment.path)

    def share_is_whole(self) -> bool:
        """No deleted segment is still missing (its writer has not synced since)."""
        return all(path.exists() for path in self.removed)

    @rule(who=st.integers(0, 3), pick=st.integers(0, 100))
    @tracked
    def sync_with_late_segment(self, who, pick):
        """A segment not copied yet: what follows it waits; it arrives with an old mtime."""
        device = self.pick(self.devices, who)
        segments = segment_files(self.layout)
        if not segments:
            return
        segment = segments[pick % len(segments)]
        aside = self.root / "aside"
        aside.mkdir(exist_ok=True)
        held_back = device.cursors().get(segment.device, 1) <= segment.seq
        os.replace(segment.path, aside / segment.name)
        try:
            report = self.sync_during_fault(device)
        finally:
            os.replace(aside / segment.name, segment.path)  # keeps its old mtime
        assert report.share == "online", report.message
        if held_back and segment.device != device.id:
            assert device.cursors().get(segment.device, 1) <= segment.seq

    @rule(who=st.integers(0, 3), pick=st.integers(0, 100))
    @tracked
    def sync_with_a_writer_folder_missing(self, who, pick):
        """A half-visible share: one writer's folder is missing from the listing."""
        device = self.pick(self.devices, who)
        folders = sorted({s.device for s in segment_files(self.layout)} - {device.id})
        if not folders:
            return
        folder = self.layout.writer_folder(folders[pick % len(folders)])
        aside = self.root / "aside-folder"
        os.replace(folder, aside)
        try:
            report = self.sync_during_fault(device)
        finally:
            os.replace(aside, folder)
        assert report.share == "online", report.message

    @rule(pick=st.integers(0, 100))
    @tracked
    def conflict_copies_appear(self, pick):
        """What file-sync tools leave beside a segment: valid-looking, other content."""
        segments = segment_files(self.layout)
        if not segments:
            return
        segment = segments[pick % len(segments)]
        if segment.name.endswith(".gz"):
            return
        lines = segment.path.read_bytes().decode().split("\n")
        header = json.loads(lines[0])
        records = []
        for line in lines[1:-2]:
            record = json.loads(line)
            record["revision"] += 1000  # would win everywhere if it were imported
            if record["type"] == "contact":
                record["body"]["notes"] = "from a conflicted copy"
            records.append(record)
        data = encode_like_a_segment(header, records)
        stem = segment.name[:12]
        folder = segment.path.parent
        (folder / f"{stem} (Ana's conflicted copy 2026-01-05).jsonl").write_bytes(data)
        (folder / f"{stem}.sync-conflict-20260105-090000-ABCDEFG.jsonl").write_bytes(data)
        (folder / f"{stem}.jsonl.sync-conflict-20260105-090001-ABCDEFG").write_bytes(data)
        (folder / f"~${stem}.jsonl").write_bytes(b"\x00lock")
        (folder / f".~lock.{stem}.jsonl#").write_bytes(b"lock")

    @rule(pick=st.integers(0, 100), cut=st.floats(0, 1))
    @tracked
    def stray_temporary_files_appear(self, pick, cut):
        segments = segment_files(self.layout)
        if not segments:
            return
        segment = segments[pick % len(segments)]
        data = segment.path.read_bytes()
        folder = segment.path.parent
        following = f"{segment.seq + 10_000:012d}"
        (folder / f".{following}.jsonl.{self.counter:08x}.tmp").write_bytes(
            data[: int(len(data) * cut)]
        )
        (folder / f"{following}.jsonl.part").write_bytes(data)
        (folder / f"{following}.jsonl.tmp").write_bytes(data)

    # -- after every step ---------------------------------------------------------------------

    @invariant()
    @tracked
    def stores_hold_only_written_revisions_and_never_go_back(self):
        for device in self.devices:
            seen = self.seen[device.id]
            contacts = device.contact_rows()
            assert set(seen) <= set(contacts), f"{device.label} lost a contact"
            for cid, row in contacts.items():
                versions = self.contacts.get(cid, {})
                assert key(row) in versions, f"{device.label} holds a revision nobody wrote: {row}"
                written = versions[key(row)]
                full = device.lead or written[C["agent"]] == device.person
                assert row == (written if full else slim(written)), (device.label, row, written)
                assert key(row) >= seen.get(cid, key(row)), f"{device.label} went back on {cid}"
                seen[cid] = key(row)
            for iid, row in device.idea_rows().items():
                assert self.ideas.get(iid, {}).get(key(row)) == row, (device.label, row)
                owner = newest(self.contacts[row[I["contact_id"]]])[C["agent"]]
                assert device.lead or owner == device.person, f"{device.label} keeps {row}"
            live = device.rows(
                "SELECT count(*) FROM contacts WHERE deleted = 0 AND agent = ?", device.person
            )[0][0]
            assert device.rows("SELECT live FROM contact_count")[0][0] == live, device.label

    # -- at the end -----------------------------------------------------------------------

    def teardown(self):
        try:
            if self.devices and not self.failed:
                self.converge_and_check()
        finally:
            for device in self.devices:
                device.profile.close()
            shutil.rmtree(self.root, ignore_errors=True)

    def converge_and_check(self):
        if len(self.approved) < len(self.devices):
            self.lead.sync.approve(None)
            self.approved = {d.id for d in self.devices}
        for round_ in range(2):  # the first publishes everything, the second brings it in
            for device in self.devices:
                self.clean_sync(device)
            if round_ == 0:
                assert self.share_is_whole(), "a writer did not put back its deleted segment"
        contacts = {cid: newest(v) for cid, v in self.contacts.items()}
        ideas = {iid: newest(v) for iid, v in self.ideas.items()}
        people = [d.person for d in self.agents]
        if len(set(people)) < len(people):
            note("one person on two devices")
        if any(len({k[:2] for k in v}) < len(v) for v in self.contacts.values()):
            note("two revisions tied on revision and time: the writer decided")
        for device in self.devices:
            label = device.label
            # (a), (b): the model, whole for a lead, by person for an agent
            assert device.contact_rows() == self.expected_contacts(device, contacts), label
            assert device.idea_rows() == self.expected_ideas(device, ideas, contacts), label
            if not device.lead:
                colleagues = {w for w, p in self.tokens.items() if p != device.person}
                stored = b"".join(
                    path.read_bytes()
                    for path in device.profile.folder.iterdir()
                    if path.name.startswith("cxcompanion.sqlite3")
                )
                leaked = sorted(w for w in colleagues if w.encode() in stored)
                assert not leaked, f"{label} holds colleagues' words {leaked}"
                names = {d.person for d in self.agents} - {device.person}
                assert not device.rows(
                    "SELECT id FROM contacts WHERE agent IN (SELECT value FROM json_each(?))",
                    json.dumps(sorted(names)),
                ), label
            # (c): one row per contact, sound database and search index
            assert device.rows("SELECT id FROM contacts GROUP BY id HAVING count(*) > 1") == []
            assert device.profile.store.integrity_check() == "ok", label
            device.rows("INSERT INTO contacts_fts (contacts_fts) VALUES ('integrity-check')")
            self.check_search_index(device)
            # (d): every fault was undone, so nothing stays quarantined, parked or behind
            assert device.quarantined() == set(), label
            assert device.rows("SELECT id FROM sync_parked") == [], label

    def check_search_index(self, device: Device) -> None:
        """The index holds exactly the live, full contacts, with their words and ideas."""
        indexed = {
            r[0]: (r[1], r[2], sorted(filter(None, (r[3] or "").split("\n"))))
            for r in device.rows("SELECT rowid, detail, notes, ideas FROM contacts_fts")
        }
        expected = {}
        for rowid, cid, detail, notes in device.rows(
            "SELECT rowid, id, detail, notes FROM contacts WHERE deleted = 0 AND agent <> ''"
        ):
            texts = sorted(
                r[0]
                for r in device.rows(
                    "SELECT text FROM ideas WHERE contact_id = ? AND deleted = 0", cid
                )
            )
            expected[rowid] = (detail, notes, texts)
        assert indexed == expected, device.label


SyncConvergence.TestCase.settings = SETTINGS
TestSyncConvergence = SyncConvergence.TestCase
