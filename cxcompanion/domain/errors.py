"""Errors of the domain that a user can meet (kept light: start-up imports this module)."""

from __future__ import annotations

from collections.abc import Mapping


class ValidationError(ValueError):
    """Input that cannot be saved: `errors` maps each field name to a message for the user."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))
