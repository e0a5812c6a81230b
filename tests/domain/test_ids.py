from __future__ import annotations

import time

from cxcompanion.domain.ids import _CROCKFORD, new_device_id, new_id


def _millis(record_id: str) -> int:
    value = 0
    for char in record_id[:10]:
        value = value * 32 + _CROCKFORD.index(char)
    return value


def test_ids_lead_with_the_creation_time():
    before = int(time.time() * 1000)
    made = new_id()
    after = int(time.time() * 1000)
    assert len(made) == 26
    assert before <= _millis(made) <= after + 1


def test_ids_made_in_one_go_keep_their_order_and_never_repeat():
    made = [new_id() for _ in range(5000)]
    assert made == sorted(made)
    assert len(set(made)) == 5000


def test_device_ids_are_safe_folder_names():
    device = new_device_id()
    assert device.isalnum() and device == device.lower() and len(device) == 27
