"""Reading ahead in a helper process (sync/read_ahead.py): the store it gives is the store
without it, a fault is met as without it, and its answer is used only for the file as it is."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cxcompanion.services.contacts import ContactService
from cxcompanion.sync import importer, read_ahead
from cxcompanion.sync.prepared import Keeper, Prepared, Writer
from cxcompanion.sync.segment import SegmentError
from tests.conftest import raw_contact
from tests.sync.test_importer import Team, healthy

TABLES = {
    "contacts": "id, writer, revision, updated_at, deleted, agent, at, notes, customer_hash",
    "ideas": "id, writer, revision, contact_id, text",
    "sync_cursor": "writer, next_seq, segments, records",
    "sync_quarantine": "writer, name, reason, message",
}


def state(profile) -> dict[str, list[tuple]]:
    conn = profile.store.conn
    return {
        table: conn.execute(f"SELECT {columns} FROM {table} ORDER BY 1, 2").fetchall()
        for table, columns in TABLES.items()
    }


@pytest.fixture
def team(tmp_path):
    made = Team(tmp_path)
    for round_ in range(4):  # four segments from each agent
        for profile, who in ((made.ana, "Ana"), (made.ben, "Ben")):
            ContactService(profile).log(
                raw_contact(
                    notes=f"{who} round {round_}",
                    customer_ref=f"K-{round_}",
                    ideas=[{"text": f"idea {who} {round_}", "area": "mobile_app"}],
                )
            )
            made.sync(profile)
    yield made
    made.close()


def segments(team, profile):
    return team.segments_of(profile)


def test_a_first_import_read_ahead_gives_the_same_store(team, tmp_path, monkeypatch):
    started = []
    real_start = read_ahead.start
    monkeypatch.setattr(
        read_ahead, "start", lambda *a, **k: started.append(1) or real_start(*a, **k)
    )
    without = team.profile(tmp_path / "lead-plain", "Lena", "lead")
    team.opened.append(without)
    team.sync(without)  # under READ_AHEAD_MIN_SEGMENTS: read here
    assert not started
    monkeypatch.setattr(importer, "READ_AHEAD_MIN_SEGMENTS", 1)
    # a damaged segment is quarantined the same way, read ahead or not
    damaged = segments(team, team.ben)[1]
    damaged.write_bytes(damaged.read_bytes()[:-5])
    plain = team.profile(tmp_path / "lead-2", "Lena", "lead")
    team.opened.append(plain)
    monkeypatch.setattr(importer, "READ_AHEAD_MIN_SEGMENTS", 10**9)
    team.sync(plain)
    monkeypatch.setattr(importer, "READ_AHEAD_MIN_SEGMENTS", 1)
    answers = []
    real_take = read_ahead.ReadAhead.take
    monkeypatch.setattr(
        read_ahead.ReadAhead,
        "take",
        lambda self, *a: answers.append(real_take(self, *a)) or answers[-1],
    )
    ahead = team.profile(tmp_path / "lead-3", "Lena", "lead")
    team.opened.append(ahead)
    report = team.sync(ahead)
    assert started
    assert [p["reason"] for p in report.quarantined] == ["truncated"]
    assert sum(isinstance(a, Prepared) for a in answers) == 7  # all but the damaged one
    assert state(ahead) == state(plain)
    # Ana's four and three of Ben's: the segments after the damaged one are imported too
    assert len(state(ahead)["contacts"]) == 7
    healthy(ahead)


def jobs_of(team, profile):
    return [
        read_ahead.Job(
            profile.device_id,
            path.name,
            str(path),
            path.stat().st_size,
            Writer(profile.device_id, "Ana", "agent"),
        )
        for path in segments(team, profile)
    ]


def test_an_answer_is_used_only_for_the_file_as_it_is(team):
    jobs = jobs_of(team, team.ana)
    first, second, _third, fourth = (os.stat(job.path) for job in jobs)
    reader = read_ahead.ReadAhead(
        jobs, Keeper("Lena", lead=True), max_bytes=1 << 20, max_decompressed=1 << 22
    )
    try:
        got = reader.take(jobs[0].device, jobs[0].name, first.st_size, first.st_mtime_ns)
        assert isinstance(got, Prepared) and got.count == 2  # the contact and its idea
        assert got.ownership is None
        # the file changed since it was read: read it yourself
        assert (
            reader.take(jobs[1].device, jobs[1].name, second.st_size, second.st_mtime_ns + 1)
            is None
        )
        # a file asked for again, or one it never read: None
        assert reader.take(jobs[0].device, jobs[0].name, first.st_size, first.st_mtime_ns) is None
        assert reader.take(jobs[0].device, "000000000999.jsonl", 10, 10) is None
        # passing one over is fine
        got = reader.take(jobs[3].device, jobs[3].name, fourth.st_size, fourth.st_mtime_ns)
        assert isinstance(got, Prepared) and got.first_seq == 7
    finally:
        reader.close()


def test_a_fault_found_ahead_is_raised_to_the_importer(team):
    jobs = jobs_of(team, team.ana)
    path = Path(jobs[0].path)
    data = bytearray(path.read_bytes())
    data[-80] ^= 1  # a flipped bit inside the last record line
    path.write_bytes(bytes(data))
    stat = os.stat(path)
    reader = read_ahead.ReadAhead(jobs[:1], Keeper("Lena", lead=True), 1 << 20, 1 << 22)
    try:
        with pytest.raises(SegmentError) as caught:
            reader.take(jobs[0].device, jobs[0].name, stat.st_size, stat.st_mtime_ns)
        assert caught.value.reason in {"checksum", "truncated", "record"}
    finally:
        reader.close()


def test_a_helper_that_dies_leaves_the_reading_to_the_importer(team):
    jobs = jobs_of(team, team.ana)
    stat = os.stat(jobs[1].path)
    reader = read_ahead.ReadAhead(jobs, Keeper("Lena", lead=True), 1 << 20, 1 << 22)
    try:
        for process in list(reader._executor._processes.values()):
            process.kill()
            process.join()
        assert reader.take(jobs[1].device, jobs[1].name, stat.st_size, stat.st_mtime_ns) is None
        assert reader.take(jobs[2].device, jobs[2].name, 1, 1) is None
    finally:
        reader.close()


def test_jobs_passed_over_beyond_the_window_are_never_read(team, monkeypatch):
    monkeypatch.setattr(read_ahead, "WINDOW_SEGMENTS", 1)
    jobs = jobs_of(team, team.ana)
    stats = [os.stat(job.path) for job in jobs]
    reader = read_ahead.ReadAhead(jobs, Keeper("Lena", lead=True), 1 << 20, 1 << 22)
    try:
        # the third was never asked of the helper (one at a time): read it yourself
        assert (
            reader.take(jobs[2].device, jobs[2].name, stats[2].st_size, stats[2].st_mtime_ns)
            is None
        )
        assert reader._submitted == 4  # the fourth is on its way; the second never will be
        got = reader.take(jobs[3].device, jobs[3].name, stats[3].st_size, stats[3].st_mtime_ns)
        assert isinstance(got, Prepared) and got.first_seq == 7
    finally:
        reader.close()
