"""The one way to find files under `resources/`, installed (inside the wheel) or in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
# A wheel carries resources/ as cxcompanion/_resources; a checkout keeps it beside the package.
_ROOTS = (_PACKAGE / "_resources", _PACKAGE.parent / "resources")


def path(relative: str) -> Path:
    """The absolute path of `relative` (e.g. "taxonomy/default.json") under resources/."""
    for root in _ROOTS:
        candidate = root / relative
        if candidate.exists():
            return candidate
    raise FileNotFoundError(
        f"resource {relative!r} is missing from this installation; reinstall CX Companion"
    )
