"""The source keys an import has met so far, each with the row it was first met in.

A million-row file has a million keys; a dict of str -> int holds them in ~140 MB. Here
they sit in flat arrays (a hash table of indexes, each key's hash, row and UTF-8 bytes):
~30 bytes a key plus the key itself. A key is a duplicate only when its bytes are equal to
the earlier key's, never on a hash alone, so a report never names a false duplicate.
"""

from __future__ import annotations

from array import array

_EMPTY = -1


class SeenKeys:
    def __init__(self) -> None:
        self._slots = array("i", [_EMPTY]) * 1024  # a power of two, at most half full
        self._hashes = array("q")
        self._rows = array("q")
        self._ends = array("q")  # where each key's bytes end in _bytes
        self._bytes = bytearray()

    def __len__(self) -> int:
        return len(self._rows)

    def first_row(self, key: str, row: int) -> int | None:
        """The row `key` was first met in; None if it is new (it is then kept, with `row`)."""
        hashed = hash(key)
        slots, hashes = self._slots, self._hashes
        mask = len(slots) - 1
        position = hashed & mask
        encoded = None
        while (entry := slots[position]) != _EMPTY:
            if hashes[entry] == hashed:
                if encoded is None:
                    encoded = key.encode("utf-8", "surrogatepass")
                start = self._ends[entry - 1] if entry else 0
                if self._bytes[start : self._ends[entry]] == encoded:
                    return self._rows[entry]
            position = (position + 1) & mask
        if encoded is None:
            encoded = key.encode("utf-8", "surrogatepass")
        slots[position] = len(hashes)
        hashes.append(hashed)
        self._rows.append(row)
        self._bytes += encoded
        self._ends.append(len(self._bytes))
        if 2 * len(hashes) > len(slots):
            self._grow()
        return None

    def _grow(self) -> None:
        slots = array("i", [_EMPTY]) * (2 * len(self._slots))
        mask = len(slots) - 1
        for entry, hashed in enumerate(self._hashes):
            position = hashed & mask
            while slots[position] != _EMPTY:
                position = (position + 1) & mask
            slots[position] = entry
        self._slots = slots
