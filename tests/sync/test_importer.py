"""Importing from a real shared folder, through every fault of the sync issue.

Each test asserts the three promises of DESIGN §5: nothing lost, nothing duplicated, and a
clear message naming the problem. Profiles, databases and the share are real folders.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cxcompanion.domain.enums import Role
from cxcompanion.domain.roster import Member
from cxcompanion.services.contacts import ContactService
from cxcompanion.services.profile import Profile
from cxcompanion.services.sync import SyncService
from cxcompanion.store.outbox import Outbox
from cxcompanion.sync.importer import Me, import_share
from cxcompanion.sync.segment import Record, encode_segment
from cxcompanion.sync.share_folder import Files, ShareLayout
from tests.conftest import raw_contact

ROOT = Path(__file__).resolve().parents[2]


class Team:
    """A lead and two agents on one shared folder, every device approved."""

    def __init__(self, folder: Path):
        self.share = folder / "share"
        self.share.mkdir()
        self.layout = ShareLayout(self.share)
        self.lead = self.profile(folder / "lead", "Lena", "lead")
        self.ana = self.profile(folder / "ana", "Ana", "agent")
        self.ben = self.profile(folder / "ben", "Ben", "agent")
        self.approve()
        self.opened = [self.lead, self.ana, self.ben]

    def profile(self, folder: Path, name: str, role: str) -> Profile:
        profile = Profile(folder)
        profile.set_up(name, "North", role, str(self.share))
        return profile

    def approve(self) -> None:
        SyncService(self.lead).approve(None)

    def sync(self, *profiles: Profile, files: Files | None = None):
        reports = [SyncService(p, files=files).sync() for p in profiles]
        return reports[0] if len(reports) == 1 else reports

    def folder_of(self, profile: Profile) -> Path:
        return self.layout.writer_folder(profile.device_id)

    def segments_of(self, profile: Profile) -> list[Path]:
        return sorted(p for p in self.folder_of(profile).iterdir() if p.name[0].isdigit())

    def close(self) -> None:
        for profile in self.opened:
            profile.close()


@pytest.fixture
def team(tmp_path):
    made = Team(tmp_path)
    yield made
    made.close()


def rows(profile: Profile, columns: str = "id, revision, deleted, agent") -> list[tuple]:
    return profile.store.conn.execute(f"SELECT {columns} FROM contacts ORDER BY id").fetchall()


def ids(profile: Profile, agent: str | None = None) -> list[str]:
    query = "SELECT id FROM contacts WHERE deleted = 0"
    params: tuple = ()
    if agent is not None:
        query += " AND agent = ?"
        params = (agent,)
    return sorted(r[0] for r in profile.store.conn.execute(query + " ORDER BY id", params))


def healthy(profile: Profile) -> None:
    conn = profile.store.conn
    assert profile.store.integrity_check() == "ok"
    conn.execute("INSERT INTO contacts_fts (contacts_fts) VALUES ('integrity-check')")
    duplicates = conn.execute("SELECT count(*) - count(DISTINCT id) FROM contacts").fetchone()[0]
    assert duplicates == 0


def log(profile: Profile, count: int = 1, **changes) -> list[str]:
    service = ContactService(profile)
    return [service.log(raw_contact(**changes)).id for _ in range(count)]


# -- the happy path and what each role keeps -------------------------------------------------


def test_a_lead_gets_the_whole_team_and_agents_only_what_repeats_need(team):
    ana_ids = log(team.ana, 2, customer_ref="C-1", notes="private words", ideas=[
        {"text": "pause the plan in the app", "area": "mobile_app"}
    ])  # fmt: skip
    ben_ids = log(team.ben, 1, customer_ref="C-1", channel="chat", notes="Ben's words", ideas=[
        {"text": "a colleague's idea", "area": "billing"}
    ])  # fmt: skip
    team.sync(team.ana, team.ben)
    report = team.sync(team.lead)
    assert report.imported_segments == 2 and report.quarantined == []
    assert ids(team.lead, "Ana") == sorted(ana_ids) and ids(team.lead, "Ben") == ben_ids
    lead_ideas = team.lead.store.conn.execute("SELECT count(*) FROM ideas").fetchone()[0]
    assert lead_ideas == 3
    # the lead can search the team's words (the search index was kept in step)
    found = team.lead.store.conn.execute(
        "SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH 'pause'"
    ).fetchone()[0]
    assert found == 2

    team.sync(team.ana)
    kept = rows(team.ana, "id, agent, detail, notes, channel, purpose, customer_hash")
    colleague = [r for r in kept if r[0] in ben_ids]
    assert colleague == [(ben_ids[0], "", "", "", "chat", "billing.refund", colleague[0][6])]
    assert colleague[0][6] is not None  # the customer's pseudonym: the same key team-wide
    mine = {r[6] for r in kept if r[0] in ana_ids}
    assert mine == {colleague[0][6]}
    ana_ideas = team.ana.store.conn.execute("SELECT text FROM ideas").fetchall()
    assert ana_ideas == [("pause the plan in the app",)] * 2  # none of a colleague's
    # My contacts lists Ana's own only; the colleague's slim row is never shown or counted
    assert ContactService(team.ana).count() == 2
    assert {s.id for s in ContactService(team.ana).page()} == set(ana_ids)
    for profile in team.opened:
        healthy(profile)


def test_a_colleague_contact_makes_a_repeat_on_my_feedback(team):
    from datetime import datetime, timedelta, timezone

    from cxcompanion.services.feedback import FeedbackService

    now = datetime.now(timezone.utc).replace(microsecond=0)
    long_ago = now - timedelta(days=20)
    ana = ContactService(team.ana, clock=lambda: now)
    for day in range(12):
        at = (long_ago + timedelta(hours=day)).isoformat()
        ana.log(raw_contact(customer_ref=f"C-{day}", at=at))
    # Ben hears from six of those customers again the next day about the same purpose
    ben = ContactService(team.ben, clock=lambda: now)
    for day in range(6):
        at = (long_ago + timedelta(days=1, hours=day)).isoformat()
        ben.log(raw_contact(customer_ref=f"C-{day}", at=at, channel="email"))
    before = FeedbackService(team.ana, clock=lambda: now).compute(4)
    team.sync(team.ben)
    team.sync(team.ana)
    after = FeedbackService(team.ana, clock=lambda: now).compute(4)
    assert before.rates["repeat_rate"].successes == 0
    assert after.rates["repeat_rate"].successes == 6


def test_a_second_sync_with_nothing_new_changes_nothing(team):
    log(team.ana, 3)
    team.sync(team.ana)
    team.sync(team.lead)
    before = rows(team.lead)
    report = team.sync(team.lead)
    assert (report.imported_segments, report.imported_records) == (0, 0)
    assert rows(team.lead) == before


def test_devices_not_in_the_roster_are_held_until_approved(team, tmp_path):
    cara = team.profile(tmp_path / "cara", "Cara", "agent")
    team.opened.append(cara)
    log(cara, 2)
    assert team.sync(cara).approved is False
    report = team.sync(team.lead)
    assert report.held == [{"device": cara.device_id, "person": "Cara", "segments": 1}]
    assert ids(team.lead, "Cara") == []
    SyncService(team.lead).approve(cara.device_id)
    report = team.sync(team.lead)
    assert report.held == [] and len(ids(team.lead, "Cara")) == 2


def test_one_agent_on_two_devices(team, tmp_path):
    laptop = team.profile(tmp_path / "ana-laptop", "Ana", "agent")
    team.opened.append(laptop)
    team.approve()
    desk_ids = log(team.ana, 2, notes="from the desk")
    laptop_ids = log(laptop, 1, notes="from the laptop")
    team.sync(team.ana, laptop, team.ana, team.lead)
    # both devices hold all of Ana's contacts in full; the lead holds each once
    for profile in (team.ana, laptop):
        assert ids(profile, "Ana") == sorted(desk_ids + laptop_ids)
    assert ids(team.lead, "Ana") == sorted(desk_ids + laptop_ids)
    # an amend on the laptop of a contact logged at the desk reaches everyone
    ContactService(laptop).amend(desk_ids[0], raw_contact(notes="amended on the laptop"))
    team.sync(laptop, team.ana, team.lead)
    for profile in (team.ana, team.lead):
        contact = ContactService(team.ana).get(desk_ids[0]) if profile is team.ana else None
        stored = profile.store.conn.execute(
            "SELECT notes, revision FROM contacts WHERE id = ?", (desk_ids[0],)
        ).fetchone()
        assert stored == ("amended on the laptop", 2)
        assert contact is None or contact.notes == "amended on the laptop"
    assert ContactService(laptop).count() == ContactService(team.ana).count() == 3
    for profile in team.opened:
        healthy(profile)


def test_delete_against_a_later_edit_keeps_the_later_one_everywhere(team, tmp_path):
    laptop = team.profile(tmp_path / "ana-laptop", "Ana", "agent")
    team.opened.append(laptop)
    team.approve()
    (contact_id,) = log(team.ana, 1)
    team.sync(team.ana, laptop)
    ContactService(team.ana).delete(contact_id)  # revision 2 at the desk
    time.sleep(1.1)  # updated_at has one-second resolution
    ContactService(laptop).amend(contact_id, raw_contact(notes="still needed"))  # revision 2, later
    team.sync(team.ana, laptop, team.ana, team.lead)
    for profile in (team.ana, laptop, team.lead):
        assert profile.store.conn.execute(
            "SELECT deleted, notes FROM contacts WHERE id = ?", (contact_id,)
        ).fetchone() == (0, "still needed")
    # and a later delete wins over an earlier edit
    time.sleep(1.1)
    ContactService(team.ana).delete(contact_id)
    team.sync(team.ana, laptop, team.lead)
    for profile in (team.ana, laptop, team.lead):
        assert ids(profile) == []
        assert rows(profile, "count(*)") == [(1,)]  # a tombstone, never erased


# -- faults of the share ---------------------------------------------------------------------


def test_a_truncated_segment_is_set_aside_and_imported_once_it_is_whole(team):
    first = log(team.ana, 2)
    team.sync(team.ana)
    second = log(team.ana, 1)
    team.sync(team.ana)
    segment = team.segments_of(team.ana)[0]
    whole = segment.read_bytes()
    segment.write_bytes(whole[: len(whole) // 2])
    report = team.sync(team.lead)
    assert [q["reason"] for q in report.quarantined] == ["truncated"]
    assert segment.name in report.quarantined[0]["message"]
    assert report.quarantined[0]["person"] == "Ana"
    # the rest of Ana's changes went on
    assert ids(team.lead, "Ana") == second
    # reported again on the next sync, until the file is whole
    assert [q["reason"] for q in team.sync(team.lead).quarantined] == ["truncated"]
    segment.write_bytes(whole)
    report = team.sync(team.lead)
    assert report.quarantined == [] and ids(team.lead, "Ana") == sorted(first + second)
    healthy(team.lead)


def test_a_segment_failing_its_checksum_is_set_aside_with_the_reason(team):
    log(team.ana, 1, notes="original words")
    team.sync(team.ana)
    (segment,) = team.segments_of(team.ana)
    segment.write_bytes(segment.read_bytes().replace(b"original", b"tampered"))
    report = team.sync(team.lead)
    assert [q["reason"] for q in report.quarantined] == ["checksum"]
    assert "checksum" in report.quarantined[0]["message"]
    assert ids(team.lead) == []


def test_the_same_segment_twice_imports_once(team):
    log(team.ana, 3)
    team.sync(team.ana)
    (segment,) = team.segments_of(team.ana)
    # the same records again, compressed, under the same number
    segment.with_name(segment.name + ".gz").write_bytes(gzip.compress(segment.read_bytes()))
    report = team.sync(team.lead)
    assert report.quarantined == [] and len(ids(team.lead)) == 3
    # and reading the whole share again from the start duplicates nothing
    team.lead.store.conn.execute("DELETE FROM sync_cursor")
    report = team.sync(team.lead)
    assert report.imported_records == 0 and len(rows(team.lead)) == 3


def test_two_different_segments_under_one_number_are_both_set_aside(team):
    log(team.ana, 1)
    team.sync(team.ana)
    (segment,) = team.segments_of(team.ana)
    record = Record.from_json(
        Outbox(team.ana.store).payloads(1, 1)[0].replace("charged twice", "other words")
    )
    _, data = encode_segment(team.ana.device_id, 1, [record], gzip_over=0)
    segment.with_name(segment.name + ".gz").write_bytes(data)
    report = team.sync(team.lead)
    assert sorted(q["reason"] for q in report.quarantined) == ["duplicate", "duplicate"]
    assert ids(team.lead) == []


@pytest.mark.parametrize(
    "stray",
    [
        "000000000001 (conflicted copy 2026-11-20).jsonl",
        "000000000001.sync-conflict-20261120-101010-ABCDEF.jsonl",
        ".000000000001.jsonl.1234abcd.tmp",
        "~$000000000001.jsonl",
        "000000000001.jsonl.part",
    ],
)
def test_conflicted_copies_and_temporary_files_beside_a_segment_are_ignored(team, stray):
    log(team.ana, 2)
    team.sync(team.ana)
    (segment,) = team.segments_of(team.ana)
    (segment.parent / stray).write_bytes(segment.read_bytes().replace(b"charged", b"CHARGED"))
    report = team.sync(team.lead)
    assert report.quarantined == [] and len(ids(team.lead)) == 2
    assert "CHARGED" not in json.dumps(rows(team.lead, "detail"))


def test_a_late_segment_with_an_old_file_time_is_imported(team):
    log(team.ana, 1)
    team.sync(team.ana)
    log(team.ana, 1)
    team.sync(team.ana)
    first, _second = team.segments_of(team.ana)
    hidden = first.with_name("hidden")
    first.rename(hidden)  # not copied to the share yet
    team.sync(team.lead)
    assert ids(team.lead) == []  # the second waits: the cursor never skips a missing number
    hidden.rename(first)
    os.utime(first, (0, 0))  # arrives late, dated 1970
    report = team.sync(team.lead)
    assert report.imported_segments == 2 and len(ids(team.lead)) == 2


def test_a_segment_removed_from_the_share_is_written_again_by_its_writer(team):
    first = log(team.ana, 2)
    team.sync(team.ana)
    second = log(team.ana, 1)
    team.sync(team.ana)
    removed = team.segments_of(team.ana)[0]
    removed.unlink()  # a file-sync tool or a tidy colleague
    team.sync(team.lead)
    assert ids(team.lead) == []  # the lead waits at the missing number, skipping nothing
    report = team.sync(team.ana)
    assert report.repaired == [removed.name] and report.problems == []
    team.sync(team.lead)
    assert ids(team.lead) == sorted(first + second)


def test_a_damaged_recent_segment_is_written_again_and_then_imported(team):
    made = log(team.ana, 2)
    team.sync(team.ana)
    (segment,) = team.segments_of(team.ana)
    whole = segment.read_bytes()
    segment.write_bytes(whole[:-7])
    assert [q["reason"] for q in team.sync(team.lead).quarantined] == ["truncated"]
    assert team.sync(team.ana).repaired == [segment.name]
    assert segment.read_bytes() == whole
    report = team.sync(team.lead)
    assert report.quarantined == [] and ids(team.lead) == sorted(made)
    assert team.sync(team.ana).repaired == []  # nothing to do once whole


class ShortReads(Files):
    """The network returns only part of every segment read (the file itself is whole)."""

    def read(self, path):
        data = super().read(path)
        return data[: len(data) // 2] if path.name[0].isdigit() else data


def test_a_short_read_is_not_blamed_on_the_file(team):
    made = log(team.ana, 2)
    team.sync(team.ana)
    report = team.sync(team.lead, files=ShortReads())
    assert report.quarantined == [] and ids(team.lead) == []
    report = team.sync(team.lead)
    assert report.quarantined == [] and ids(team.lead) == sorted(made)


class Unplugging(Files):
    """The share disappears after `calls` file-system calls."""

    def __init__(self, calls: int):
        self.calls = calls

    def _tick(self) -> None:
        self.calls -= 1
        if self.calls < 0:
            raise OSError(5, "Input/output error")

    def stat(self, path):
        self._tick()
        return super().stat(path)

    def listdir(self, folder):
        self._tick()
        return super().listdir(folder)

    def read(self, path):
        self._tick()
        return super().read(path)


def test_a_share_unplugged_mid_sync_deletes_nothing_and_says_so(team):
    for round_ in range(3):
        log(team.ana, 2, notes=f"round {round_}")
        log(team.ben, 1)
        team.sync(team.ana, team.ben)
    states = set()
    for calls in range(0, 40, 3):
        before = rows(team.lead)
        report = team.sync(team.lead, files=Unplugging(calls))
        after = rows(team.lead)
        assert set(before) <= set(after)  # nothing removed, nothing changed backwards
        states.add((report.share, len(after)))
        if report.share == "offline":
            assert "sync again" in report.message or "not reachable" in report.message
        healthy(team.lead)
    # it was cut off before anything, between segments, and not at all
    assert ("offline", 0) in states and ("online", 9) in states
    assert any(state == "offline" and 0 < count < 9 for state, count in states)
    report = team.sync(team.lead)
    assert report.share == "online" and len(ids(team.lead)) == 9


def test_an_offline_share_changes_nothing_and_keeps_changes_waiting(team):
    log(team.ana, 2)
    team.layout.marker.unlink()
    report = team.sync(team.ana)
    assert report.share == "offline" and report.waiting == 2
    assert "not reachable" in report.message
    team.layout.marker.write_text("back")
    assert team.sync(team.ana).waiting == 0


class FailingWrites(Files):
    def __init__(self, code: int):
        self.code = code

    def write(self, path, data):
        raise OSError(self.code, os.strerror(self.code))


@pytest.mark.parametrize(
    ("code", "words"),
    [(28, "is full"), (30, "read-only"), (13, "read-only or held")],
)
def test_a_full_or_read_only_share_loses_nothing(team, code, words):
    made = log(team.ana, 2)
    report = team.sync(team.ana, files=FailingWrites(code))
    assert report.waiting == 2 and any(words in p for p in report.problems)
    assert ids(team.ana, "Ana") == sorted(made)
    report = team.sync(team.ana)
    assert report.waiting == 0 and report.problems == []
    team.sync(team.lead)
    assert ids(team.lead) == sorted(made)


class HeldRename(Files):
    """An antivirus holds the new file for the first few renames (EPERM)."""

    def __init__(self, times: int):
        self.times = times

    def rename(self, source, target):
        if self.times > 0:
            self.times -= 1
            raise PermissionError(1, "Operation not permitted")
        super().rename(source, target)


def test_eperm_on_rename_is_retried(team, monkeypatch):
    monkeypatch.setattr("cxcompanion.sync.share_folder.RETRY_DELAYS", (0.0,) * 6)
    log(team.ana, 1)
    report = team.sync(team.ana, files=HeldRename(3))
    assert report.waiting == 0 and report.problems == []
    team.sync(team.lead)
    assert len(ids(team.lead)) == 1


# -- segments that may not be imported -------------------------------------------------------


def write_segment(team: Team, profile: Profile, records: list[Record], first: int = 1) -> Path:
    name, data = encode_segment(profile.device_id, first, records)
    path = team.folder_of(profile) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def contact_record(profile: Profile, **body) -> Record:
    base = {
        "agent": "Ana", "at": "2026-11-20T10:00:00Z", "channel": "phone",
        "purpose": "billing.refund", "detail": "", "outcome": "resolved", "verdict": "yes",
        "prior_contacts": 0, "prior_channels": "", "customer_hash": None,
        "cancel_intent": 0, "cancel_reason": None, "stayed": None, "mood_start": None,
        "mood_end": None, "notes": "",
    }  # fmt: skip
    base.update(body)
    return Record("01TESTCONTACT0000000000001", "contact", profile.device_id, 1,
                  "2026-11-20T10:00:00Z", False, base)  # fmt: skip


def test_a_segment_claiming_another_writer_is_refused(team):
    record = contact_record(team.ben)
    name, data = encode_segment(team.ben.device_id, 1, [record])
    (team.folder_of(team.ana) / name).write_bytes(data)  # Ben's segment in Ana's folder
    report = team.sync(team.lead)
    assert [q["reason"] for q in report.quarantined] == ["writer"]
    assert ids(team.lead) == []


def test_a_record_type_its_writer_may_not_own_is_refused(team):
    note = Record("01TESTNOTE0000000000000001", "coaching_note", team.ana.device_id, 1,
                  "2026-11-20T10:00:00Z", False, {"agent": "Ben", "text": "well done"})  # fmt: skip
    write_segment(team, team.ana, [note])
    report = team.sync(team.lead)
    assert [q["reason"] for q in report.quarantined] == ["owner"]
    assert "only a team lead may write" in report.quarantined[0]["message"]
    shared = team.lead.store.conn.execute("SELECT count(*) FROM shared_records").fetchone()
    assert shared == (0,)


def test_a_contact_in_a_colleague_s_name_is_refused(team):
    write_segment(team, team.ana, [contact_record(team.ana, agent="Ben")])
    report = team.sync(team.lead)
    assert [q["reason"] for q in report.quarantined] == ["owner"]
    assert "belongs to Ana" in report.quarantined[0]["message"]


def test_a_colleague_may_not_change_my_contact(team):
    (contact_id,) = log(team.ana, 1)
    team.sync(team.ana, team.lead)
    forged = Record(contact_id, "contact", team.ben.device_id, 5, "2026-11-21T10:00:00Z",
                    True, contact_record(team.ben, agent="Ben").body)  # fmt: skip
    write_segment(team, team.ben, [forged])
    report = team.sync(team.lead)
    assert [q["reason"] for q in report.quarantined] == ["owner"]
    assert "belongs to someone else" in report.quarantined[0]["message"]
    assert ids(team.lead) == [contact_id]


def test_lead_records_addressed_to_an_agent_reach_only_that_agent(team):
    notes = [
        Record(f"01TESTNOTE000000000000000{n}", "coaching_note", team.lead.device_id, 1,
               "2026-11-20T10:00:00Z", False, {"agent": agent, "text": f"for {agent}"})
        for n, agent in ((1, "Ana"), (2, "Ben"))
    ]  # fmt: skip
    write_segment(team, team.lead, notes)
    team.sync(team.ana)
    kept = team.ana.store.conn.execute("SELECT agent FROM coaching_notes").fetchall()
    assert kept == [("Ana",)]


def test_a_segment_from_a_newer_app_stops_that_writer_without_skipping(team):
    (first,) = log(team.ana, 1)
    team.sync(team.ana)
    # the next segment, as a newer CX Companion on Ana's PC would write it
    name, data = encode_segment(team.ana.device_id, 2, [contact_record(team.ana)])
    header, rest = data.decode().split("\n", 1)
    fields = json.loads(header)
    fields.update(format_version=2, min_reader_version=2)
    (team.folder_of(team.ana) / name).write_text(json.dumps(fields) + "\n" + rest)
    write_segment(team, team.ana, [contact_record(team.ana)], first=3)
    log(team.ben, 1)
    team.sync(team.ben)
    report = team.sync(team.lead)
    assert [s["reason"] for s in report.stopped] == ["newer_format"]
    assert "update the app" in report.stopped[0]["message"]
    assert ids(team.lead, "Ana") == [first] and len(ids(team.lead, "Ben")) == 1
    cursor = team.lead.store.conn.execute(
        "SELECT next_seq FROM sync_cursor WHERE writer = ?", (team.ana.device_id,)
    ).fetchone()
    assert cursor == (2,)  # stopped at the newer segment: segment 3 is not skipped to


def test_an_oversized_file_is_not_read(team, monkeypatch):
    monkeypatch.setattr("cxcompanion.sync.importer.MAX_SEGMENT_BYTES", 1000)
    log(team.ana, 10)
    team.sync(team.ana)
    report = team.sync(team.lead)
    assert [q["reason"] for q in report.quarantined] == ["too_large"]
    assert ids(team.lead) == []


def test_a_gzip_bomb_stops_at_the_limit(team, monkeypatch):
    monkeypatch.setattr("cxcompanion.sync.importer.MAX_DECOMPRESSED", 1 << 20)
    path = team.folder_of(team.ana) / "000000000001.jsonl.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(b"\n" * (64 << 20)))  # 64 MiB of newlines in ~64 KiB
    assert path.stat().st_size < 200_000
    report = team.sync(team.lead)
    assert [q["reason"] for q in report.quarantined] == ["decompression"]


def test_an_idea_whose_contact_sits_in_a_bad_segment_waits_for_it(team):
    contact = contact_record(team.ana)
    idea = Record("01TESTIDEA0000000000000001", "idea", team.ana.device_id, 1,
                  "2026-11-20T10:00:00Z", False,
                  {"contact_id": contact.id, "text": "an app", "area": "mobile_app"})  # fmt: skip
    first = write_segment(team, team.ana, [contact], first=1)
    write_segment(team, team.ana, [idea], first=2)
    whole = first.read_bytes()
    first.write_bytes(whole[:-5])
    report = team.sync(team.lead)
    assert [q["reason"] for q in report.quarantined] == ["truncated"]
    assert team.lead.store.conn.execute("SELECT count(*) FROM ideas").fetchone() == (0,)
    first.write_bytes(whole)
    team.sync(team.lead)
    assert team.lead.store.conn.execute("SELECT count(*) FROM ideas").fetchone() == (1,)
    assert team.lead.store.conn.execute("SELECT count(*) FROM sync_parked").fetchone() == (0,)
    healthy(team.lead)


# -- crashes ---------------------------------------------------------------------------------

CRASHING_SYNC = """
import os, signal, sys
from cxcompanion.services.profile import Profile
from cxcompanion.services.sync import SyncService
from cxcompanion.sync import share_folder as sf

step = sys.argv[2]

class Crashing(sf.Files):
    def write(self, path, data):
        if step == "mid-write":
            with open(path, "xb") as handle:
                handle.write(data[: len(data) // 2])
            os.kill(os.getpid(), signal.SIGKILL)
        super().write(path, data)
        if step == "before-rename":
            os.kill(os.getpid(), signal.SIGKILL)

    def rename(self, source, target):
        super().rename(source, target)
        if step == "after-rename":
            os.kill(os.getpid(), signal.SIGKILL)

    def read(self, path):
        data = super().read(path)
        if step == "after-read-back" and path.name[0].isdigit():
            os.kill(os.getpid(), signal.SIGKILL)
        return data

SyncService(Profile(sys.argv[1]), files=Crashing()).sync()
"""


@pytest.mark.parametrize("step", ["mid-write", "before-rename", "after-rename", "after-read-back"])
def test_a_crash_anywhere_in_publishing_loses_and_duplicates_nothing(team, step):
    made = log(team.ana, 3)
    team.ana.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.run(
        [sys.executable, "-c", CRASHING_SYNC, str(team.ana.folder), step],
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()
    team.ana = Profile(team.ana.folder)
    team.opened[1] = team.ana
    team.sync(team.lead)  # may see nothing or the whole segment, never half of it
    assert set(ids(team.lead)) <= set(made)
    report = team.sync(team.ana)
    assert report.problems == [] and report.waiting == 0
    report = team.sync(team.lead)
    assert report.quarantined == []
    assert ids(team.lead) == sorted(made)
    assert len(rows(team.lead)) == 3
    healthy(team.lead)


@pytest.mark.parametrize("batch", [1, 5000])
def test_import_applies_a_whole_segment_or_nothing(team, monkeypatch, batch):
    from cxcompanion.sync import apply as applying
    from cxcompanion.sync import importer

    monkeypatch.setattr(importer, "BATCH_RECORDS", batch)
    log(team.ana, 4)
    team.sync(team.ana)
    calls = {"n": 0}
    real = applying.Applier.apply_ideas

    def failing(self, conn, ideas, **kwargs):
        calls["n"] += 1
        raise RuntimeError("power cut")

    monkeypatch.setattr(applying.Applier, "apply_ideas", failing)
    log(team.ana, 1, ideas=[{"text": "an idea", "area": "mobile_app"}])
    team.sync(team.ana)
    roster = team.layout.read_team()
    me = Me(team.lead.device_id, "Lena", Role.LEAD)
    with pytest.raises(RuntimeError):
        import_share(team.lead.store, team.layout, roster, me)
    # applied one segment per transaction, the first landed whole and the second not at all;
    # in one batch, neither (never a part of a segment, never its cursor without it)
    assert len(rows(team.lead)) == (4 if batch == 1 else 0)
    cursor = team.lead.store.conn.execute("SELECT next_seq FROM sync_cursor").fetchall()
    assert cursor == ([(5,)] if batch == 1 else [])
    monkeypatch.setattr(applying.Applier, "apply_ideas", real)
    import_share(team.lead.store, team.layout, roster, me)
    assert len(rows(team.lead)) == 5 and calls["n"] == 1
    healthy(team.lead)


def test_a_roster_member_helper_round_trips(team):
    roster = team.layout.read_team()
    assert {m.person for m in roster.members} == {"Lena", "Ana", "Ben"}
    assert isinstance(roster.member(team.ana.device_id), Member)


# -- found by the convergence state machine (tests/sync/test_convergence.py) ----------------


class DamagedOnce(Files):
    """One read returns the right length with zeros after 100 bytes; the file is intact."""

    def __init__(self):
        self.done = False

    def read(self, path):
        data = super().read(path)
        if path.name.endswith(".jsonl") and not self.done:
            self.done = True
            return data[:100] + bytes(len(data) - 100)
        return data


def test_a_segment_read_damaged_once_is_imported_later(team):
    made = log(team.ana, 1)
    team.sync(team.ana)
    damaged = team.sync(team.lead, files=DamagedOnce()).quarantined
    assert len(damaged) == 1 and damaged[0]["reason"] in {"truncated", "checksum"}
    report = team.sync(team.lead)
    assert report.quarantined == [] and ids(team.lead) == made


class StatFails(Files):
    def stat(self, path):
        if path.name.endswith(".jsonl"):
            raise OSError(5, "Input/output error")
        return super().stat(path)


def test_a_share_that_fails_mid_sync_is_reported_not_raised(team):
    log(team.ana, 1)
    team.sync(team.ana)
    report = team.sync(team.ana, files=StatFails())
    assert report.share == "offline" and "stopped answering" in report.message


class ReadBackFails(Files):
    """The segment is renamed into place; reading it back fails once."""

    def __init__(self):
        self.done = False

    def read(self, path):
        if path.name.endswith(".jsonl") and not self.done:
            self.done = True
            raise OSError(5, "Input/output error")
        return super().read(path)


def test_a_segment_published_but_not_confirmed_keeps_its_range(team, tmp_path):
    first = log(team.ana, 1)
    team.sync(team.ana, files=ReadBackFails())  # on the share, not marked published
    team.sync(team.lead)  # the lead imports it
    second = log(team.ana, 1)
    (segment,) = team.segments_of(team.ana)
    segment.rename(tmp_path / "aside.jsonl")  # a sync tool moves it away
    team.sync(team.ana)  # the same range again under the same name, then the new one
    assert [p.name for p in team.segments_of(team.ana)] == [
        "000000000001.jsonl",
        "000000000002.jsonl",
    ]
    team.sync(team.lead)
    assert ids(team.lead) == sorted(first + second)


def test_a_damaged_segment_followed_by_a_late_one_loses_nothing(team, tmp_path):
    made = []
    for _ in range(3):
        made += log(team.ana, 1)
        team.sync(team.ana)
    first, second, _third = team.segments_of(team.ana)
    whole = first.read_bytes()
    first.write_bytes(whole[:40])
    second.rename(tmp_path / "late.jsonl")
    report = team.sync(team.lead)
    assert [q["reason"] for q in report.quarantined] == ["truncated"]
    assert ids(team.lead) == [made[2]]  # what follows the gap is read ahead
    cursor = team.lead.store.conn.execute("SELECT next_seq FROM sync_cursor").fetchall()
    assert cursor in ([], [(1,)])  # but the cursor stays at the damaged segment
    first.write_bytes(whole)
    (tmp_path / "late.jsonl").rename(second)
    team.sync(team.lead)
    assert ids(team.lead) == sorted(made)
    assert team.lead.store.conn.execute("SELECT next_seq FROM sync_cursor").fetchall() == [(4,)]
