"""Record ids that sort by creation time and never collide across devices (ULID layout)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# Two characters per 10 bits: derived_id makes an id per imported row, so it is hot.
_PAIRS = tuple(a + b for a in _CROCKFORD for b in _CROCKFORD)
_PAIR_SHIFTS = tuple(range(120, -1, -10))
_RANDOM_BITS = 80
_lock = threading.Lock()
_last = (-1, 0)


def new_id(now_ms: int | None = None) -> str:
    """A 26-character id: 48 bits of milliseconds then 80 random bits, Crockford base32.

    Time first makes ids sort by creation; 80 random bits make two devices colliding a
    practical impossibility. Within one process ids are also strictly increasing: in the
    same millisecond (or if the clock steps back) the random part counts up from the last
    id, so records made in one go (a contact's ideas) keep the order they were made in.
    """
    global _last
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    with _lock:
        last_ms, last_random = _last
        if ms <= last_ms and last_random + 1 < (1 << _RANDOM_BITS):
            ms, random_part = last_ms, last_random + 1
        else:
            random_part = int.from_bytes(os.urandom(_RANDOM_BITS // 8), "big")
        _last = (ms, random_part)
    value = (ms & ((1 << 48) - 1)) << _RANDOM_BITS | random_part
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def new_device_id() -> str:
    """A device (writer) id: lower-case so it is a safe folder name on every file system."""
    return "d" + new_id().lower()


def derived_id(*parts: str) -> str:
    """A 26-character id made from `parts` (the team, a kind, a source's own id): the same
    parts always give the same id, so importing a file again finds what it wrote before.

    It has the alphabet and length of new_id(), but no time order.
    """
    from hashlib import sha256

    digest = sha256("\x1f".join(parts).encode("utf-8")).digest()
    value = int.from_bytes(digest[:17], "big") >> 6  # 130 bits: 26 characters of 5 bits
    return "".join([_PAIRS[(value >> shift) & 1023] for shift in _PAIR_SHIFTS])


def derived_ids(*parts: str) -> Callable[[str], str]:
    """`derived_id(*parts, last)` as a function of `last`, with the hash of `parts` made
    once (an import makes an id per row under the same team and kind)."""
    from hashlib import sha256

    head = sha256(("\x1f".join(parts) + "\x1f").encode("utf-8"))

    def derived(last: str) -> str:
        digest = head.copy()
        digest.update(last.encode("utf-8"))
        value = int.from_bytes(digest.digest()[:17], "big") >> 6
        return "".join([_PAIRS[(value >> shift) & 1023] for shift in _PAIR_SHIFTS])

    return derived
