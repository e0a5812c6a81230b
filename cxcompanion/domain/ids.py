"""Record ids that sort by creation time and never collide across devices (ULID layout)."""

from __future__ import annotations

import os
import time

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id(now_ms: int | None = None) -> str:
    """A 26-character id: 48 bits of milliseconds then 80 random bits, Crockford base32.

    Time first makes ids sort by creation; 80 random bits make two devices (or two
    records in the same millisecond) colliding a practical impossibility.
    """
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    value = (ms & ((1 << 48) - 1)) << 80 | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def new_device_id() -> str:
    """A device (writer) id: lower-case so it is a safe folder name on every file system."""
    return "d" + new_id().lower()
