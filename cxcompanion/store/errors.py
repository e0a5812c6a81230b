"""Failures of the local store that a user can meet, each with a message written for them."""

from __future__ import annotations


class StoreError(Exception):
    """A known, explainable failure (disk full, newer database, folder not writable)."""


class NewerDatabaseError(StoreError):
    def __init__(self, path: object, found: int, supported: int):
        super().__init__(
            f"The database {path} was made by a newer version of CX Companion "
            f"(schema {found}; this version understands up to {supported}). "
            "Update CX Companion to open it; nothing was changed."
        )


class StoreNotWritableError(StoreError):
    pass


class NotFoundError(StoreError):
    pass


class ReadOnlyRecordError(StoreError):
    """A record this person may see but not change (history their team lead imported)."""
