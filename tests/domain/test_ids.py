from __future__ import annotations

from cxcompanion.domain.ids import new_device_id, new_id


def test_ids_sort_by_creation_time_and_are_unique():
    earlier = [new_id(now_ms=1_700_000_000_000) for _ in range(2000)]
    later = new_id(now_ms=1_700_000_000_001)
    assert len(set(earlier)) == 2000
    assert all(len(i) == 26 for i in earlier)
    assert max(earlier) < later


def test_device_ids_are_safe_folder_names():
    device = new_device_id()
    assert device.isalnum() and device == device.lower() and len(device) == 27
