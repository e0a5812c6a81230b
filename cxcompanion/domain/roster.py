"""The team file (DESIGN §5 `team.json`): who the writers on the share are, and team settings.

The roster maps each approved device (one installation, one writer) to a person and a role.
Records from a device that is not in it are held, never applied, until a lead approves it.
A device that asks to join announces itself in its own share folder (`Announcement`).
Pure data and validation; reading and writing the file is the sync layer's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from cxcompanion.domain.enums import Role

FORMAT = "cxcompanion-team"
FORMAT_VERSION = 1
DEFAULT_REPEAT_WINDOW_DAYS = 7
DEFAULT_SYNC_MINUTES = 2
DEVICE_ID = re.compile(r"^[a-z0-9]{8,40}\Z")
_HEX64 = re.compile(r"^[0-9a-f]{64}\Z")


class RosterError(ValueError):
    """A team file or announcement that cannot be used; the message says what is wrong."""


@dataclass(frozen=True)
class Member:
    """One approved device: whose it is and what that person may write."""

    device: str
    person: str
    role: Role
    approved_at: str


@dataclass(frozen=True)
class Settings:
    repeat_window_days: int = DEFAULT_REPEAT_WINDOW_DAYS
    sync_minutes: int = DEFAULT_SYNC_MINUTES
    taxonomy_version: str = ""
    # The team's scorecard (Scorecard.to_dict()), once a lead has set one; None: the default.
    scorecard: dict[str, Any] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Roster:
    team: str
    # The key customer references are hashed with: one per team, so that the same customer
    # gets the same pseudonym on every agent's PC (repeats are found across agents).
    customer_key: str
    settings: Settings = field(default_factory=Settings)
    members: tuple[Member, ...] = ()
    revision: int = 1

    @cached_property
    def _by_device(self) -> dict[str, Member]:
        return {member.device: member for member in self.members}

    def member(self, device: str) -> Member | None:
        return self._by_device.get(device)

    def people(self) -> dict[str, Role]:
        """Each person with their role (a lead on two PCs is still one lead)."""
        found: dict[str, Role] = {}
        for member in self.members:
            found.setdefault(member.person, member.role)
        return found

    def devices_of(self, person: str) -> list[str]:
        return [m.device for m in self.members if m.person == person]

    def with_member(self, member: Member) -> Roster:
        others = tuple(m for m in self.members if m.device != member.device)
        return replace(self, members=(*others, member), revision=self.revision + 1)

    def with_settings(self, settings: Settings) -> Roster:
        return replace(self, settings=settings, revision=self.revision + 1)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "revision": self.revision,
            "team": self.team,
            "customer_key": self.customer_key,
            "settings": {
                "repeat_window_days": self.settings.repeat_window_days,
                "sync_minutes": self.settings.sync_minutes,
                "taxonomy_version": self.settings.taxonomy_version,
                **({"scorecard": self.settings.scorecard} if self.settings.scorecard else {}),
            },
            "devices": {
                m.device: {"person": m.person, "role": m.role.value, "approved_at": m.approved_at}
                for m in sorted(self.members, key=lambda m: (m.person, m.device))
            },
        }

    @classmethod
    def from_dict(cls, data: Any) -> Roster:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise RosterError("it is not a CX Companion team file")
        version = data.get("format_version")
        if not isinstance(version, int) or version < 1:
            raise RosterError("its format_version is missing")
        if version > FORMAT_VERSION:
            raise RosterError("it was written by a newer version of CX Companion; update the app")
        team = _text(data, "team")
        key = data.get("customer_key")
        if not isinstance(key, str) or not _HEX64.match(key):
            raise RosterError("its customer_key is missing or not 64 hex digits")
        revision = data.get("revision", 1)
        if not isinstance(revision, int) or isinstance(revision, bool) or revision < 1:
            raise RosterError("its revision is not a positive integer")
        settings = data.get("settings", {})
        if not isinstance(settings, dict):
            raise RosterError("its settings are not an object")
        parsed_settings = Settings(
            repeat_window_days=_int(
                settings, "repeat_window_days", DEFAULT_REPEAT_WINDOW_DAYS, 1, 90
            ),
            sync_minutes=_int(settings, "sync_minutes", DEFAULT_SYNC_MINUTES, 1, 1440),
            taxonomy_version=str(settings.get("taxonomy_version", "")),
            scorecard=_scorecard(settings.get("scorecard")),
        )
        devices = data.get("devices", {})
        if not isinstance(devices, dict):
            raise RosterError("its devices are not an object")
        members = []
        for device, entry in devices.items():
            if not DEVICE_ID.match(device):
                raise RosterError(f"{device!r} is not a device id")
            if not isinstance(entry, dict):
                raise RosterError(f"the entry of device {device} is not an object")
            try:
                role = Role(entry.get("role"))
            except ValueError:
                raise RosterError(f"device {device} has no valid role") from None
            members.append(
                Member(device, _text(entry, "person"), role, str(entry.get("approved_at", "")))
            )
        return cls(team, key, parsed_settings, tuple(members), revision)


@dataclass(frozen=True)
class Announcement:
    """A device asking to join: written once by the device, in its own share folder."""

    device: str
    person: str
    role: Role
    team: str
    announced_at: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "cxcompanion-device",
            "device": self.device,
            "person": self.person,
            "role": self.role.value,
            "team": self.team,
            "announced_at": self.announced_at,
        }

    @classmethod
    def from_dict(cls, data: Any, folder_device: str) -> Announcement:
        if not isinstance(data, dict) or data.get("format") != "cxcompanion-device":
            raise RosterError("it is not a CX Companion device file")
        if data.get("device") != folder_device:
            raise RosterError(f"it names device {data.get('device')!r}, not {folder_device}")
        try:
            role = Role(data.get("role"))
        except ValueError:
            raise RosterError("it has no valid role") from None
        return cls(
            folder_device,
            _text(data, "person"),
            role,
            str(data.get("team", "")),
            str(data.get("announced_at", "")),
        )


def _scorecard(data: Any) -> dict[str, Any] | None:
    if data is None:
        return None
    from cxcompanion.domain.scorecard import Scorecard, ScorecardError

    try:
        return Scorecard.from_dict(data).to_dict()
    except ScorecardError as exc:
        raise RosterError(f"its scorecard cannot be used: {exc}") from None


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise RosterError(f"its {key} is missing")
    return value.strip()


def _int(data: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = data.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise RosterError(f"its setting {key} must be a whole number from {low} to {high}")
    return value
