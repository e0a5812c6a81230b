from __future__ import annotations

import time

from cxcompanion.domain.ids import _CROCKFORD, derived_id, derived_ids, new_device_id, new_id


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


def _derived_by_the_definition(*parts: str) -> str:
    """derived_id as first written: the top 130 bits of SHA-256, five bits at a time."""
    import hashlib

    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    value = int.from_bytes(digest[:17], "big") >> 6
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def test_derived_ids_never_change():
    # Stored ids depend on these: a re-import finds its contacts by them.
    assert derived_id("North", "contact", "C1") == "5H5N36C3HA080XVSBCFJCGMS2H"
    assert derived_id("Nörth", "idea", "é") == "W0V4XMD9VY8VAWRETNZ43K13QB"
    for n in range(3000):
        parts = ("North", "contact", f"C{n * 7919:07d}", "\x00" * (n % 3))
        assert derived_id(*parts) == _derived_by_the_definition(*parts)

    under = derived_ids("North", "contact")
    for key in ("C1", "", "é\x1fx", "x" * 300):
        assert under(key) == derived_id("North", "contact", key)
