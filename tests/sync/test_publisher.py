"""Publishing the outbox to a real shared folder: complete, idempotent, crash-tolerant."""

from __future__ import annotations

import pytest

from cxcompanion.store.outbox import Outbox
from cxcompanion.sync.publisher import publish_waiting
from cxcompanion.sync.segment import decode_segment
from cxcompanion.sync.share_folder import ShareError, ShareLayout, ShareOfflineError
from tests.conftest import raw_contact
from tests.sync import team_roster


@pytest.fixture
def share(tmp_path):
    layout = ShareLayout(tmp_path / "share")
    layout.create(team_roster("North"))
    return layout


def read_all(share, device):
    folder = share.writer_folder(device)
    records = []
    for path in sorted(folder.iterdir()):
        segment = decode_segment(path.name, path.read_bytes(), expected_writer=device)
        records.extend(segment.records)
    return records


def test_every_change_reaches_the_share_once_in_order(profile, service, share):
    contact = service.log(raw_contact(ideas=[{"text": "dark mode", "area": "mobile_app"}]))
    service.amend(contact.id, raw_contact(notes="amended"))
    report = publish_waiting(profile.store, profile.device_id, share)
    assert report.records == 4 and report.waiting == 0
    records = read_all(share, profile.device_id)
    assert [(r.type, r.revision) for r in records] == [
        ("contact", 1),
        ("idea", 1),
        ("contact", 2),
        ("idea", 2),
    ]
    assert records[2].body["notes"] == "amended" and records[3].deleted is True
    # nothing new: nothing written
    assert publish_waiting(profile.store, profile.device_id, share).segments == []
    service.delete(contact.id)
    report = publish_waiting(profile.store, profile.device_id, share)
    assert report.segments == ["000000000005.jsonl"]
    assert read_all(share, profile.device_id)[-1].deleted is True


def test_segments_follow_each_other_without_gaps(profile, service, share):
    service.log_many([raw_contact() for _ in range(7)])
    report = publish_waiting(profile.store, profile.device_id, share, batch=3)
    assert report.segments == ["000000000001.jsonl", "000000000004.jsonl", "000000000007.jsonl"]
    assert len(read_all(share, profile.device_id)) == 7


def test_a_crash_after_publishing_before_marking_duplicates_nothing(profile, service, share):
    service.log_many([raw_contact() for _ in range(3)])
    publish_waiting(profile.store, profile.device_id, share)
    # the outbox never heard back: as after a crash between rename and marking
    profile.store.conn.execute("UPDATE outbox SET segment = NULL")
    service.log(raw_contact())  # and a new change arrived meanwhile
    report = publish_waiting(profile.store, profile.device_id, share)
    assert report.segments == ["000000000001.jsonl", "000000000004.jsonl"]
    assert len(read_all(share, profile.device_id)) == 4
    assert Outbox(profile.store).count_waiting() == 0


def test_an_offline_share_keeps_everything_waiting(profile, service, share):
    service.log(raw_contact())
    share.marker.unlink()
    with pytest.raises(ShareOfflineError):
        publish_waiting(profile.store, profile.device_id, share)
    assert Outbox(profile.store).count_waiting() == 1


def test_a_foreign_file_under_our_next_name_is_refused(profile, service, share):
    service.log(raw_contact())
    folder = share.writer_folder(profile.device_id)
    folder.mkdir(parents=True)
    (folder / "000000000001.jsonl").write_bytes(b"not a segment\n")
    with pytest.raises(ShareError, match="damaged"):
        publish_waiting(profile.store, profile.device_id, share)
    assert Outbox(profile.store).count_waiting() == 1
