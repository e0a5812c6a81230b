"""Sync and team use-cases: joining a share, approving devices, publishing and importing.

One `sync()` publishes this installation's waiting changes, then imports everyone else's.
A share that is offline or half visible changes nothing; each problem comes back in words
a team lead can act on, and the last result is kept so the status bar can show it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cxcompanion.domain.enums import Role
from cxcompanion.domain.records import utc_iso
from cxcompanion.domain.roster import Announcement, Member, Roster, RosterError
from cxcompanion.services.profile import Profile, ProfileError
from cxcompanion.store.outbox import Outbox
from cxcompanion.sync.importer import Me, ProgressFn, import_share
from cxcompanion.sync.publisher import publish_waiting, repair_published
from cxcompanion.sync.share_folder import Files, ShareError, ShareLayout, ShareOfflineError


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class SyncReport:
    """What one sync did and found (also the JSON of `cxcompanion sync --format json`)."""

    share: str = "local"  # local | online | offline
    message: str = ""
    published_segments: int = 0
    published_records: int = 0
    waiting: int = 0
    imported_segments: int = 0
    imported_records: int = 0
    held: list[dict[str, Any]] = field(default_factory=list)
    quarantined: list[dict[str, str]] = field(default_factory=list)
    stopped: list[dict[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    approved: bool = True
    repaired: list[str] = field(default_factory=list)  # own segments written again
    finished_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "share": {"state": self.share, "message": self.message},
            "published": {"segments": self.published_segments, "records": self.published_records},
            "waiting": self.waiting,
            "imported": {"segments": self.imported_segments, "records": self.imported_records},
            "held": self.held,
            "quarantined": self.quarantined,
            "stopped": self.stopped,
            "problems": self.problems,
            "approved": self.approved,
            "repaired": self.repaired,
            "finished_at": self.finished_at,
        }

    @property
    def problem_count(self) -> int:
        return len(self.problems) + len(self.quarantined) + len(self.stopped)


@dataclass(frozen=True)
class Device:
    """A row of `cxcompanion team`: an approved member or a device asking to join."""

    device: str
    person: str
    role: Role
    approved: bool
    since: str
    waiting_segments: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "person": self.person,
            "role": self.role.value,
            "approved": self.approved,
            "since": self.since,
            "waiting_segments": self.waiting_segments,
        }


def connect_share(profile: Profile, name: str, team: str, role: Role, share: Path) -> Roster:
    """Create (lead) or join (agent) the team on `share`; raise ProfileError naming the field.

    Called by first-run setup before anything is saved; returns the roster to keep.
    """
    layout = ShareLayout(share)
    device = profile.device_id
    now = utc_iso(_now())
    if role is Role.LEAD and not layout.team_file.exists():
        roster = Roster(
            team=team,
            customer_key=profile.team_secret.hex(),
            members=(Member(device, name, Role.LEAD, now),),
        )
        try:
            layout.create(roster)
        except ShareError as exc:
            raise ProfileError(str(exc), "share") from None
        return roster
    try:
        roster = layout.read_team()
    except ShareError as exc:
        if not layout.marker.exists() and not layout.team_file.exists():
            raise ProfileError(
                f"{share} holds no CX Companion team yet; ask your team lead to set it up "
                "(`cxcompanion init --role lead --share DIR`), or check the folder.",
                "share",
            ) from None
        raise ProfileError(str(exc), "share") from None
    if roster.team.casefold() != team.casefold():
        raise ProfileError(
            f"The shared folder holds team {roster.team!r}, not {team!r}; enter {roster.team!r} "
            "or choose your own team's folder.",
            "team",
        )
    # A second lead (a colleague who also coaches and evaluates, for calibration) joins
    # like an agent does: the device asks, and a lead of the roster approves it.
    try:
        layout.announce(Announcement(device, name, role, roster.team, now))
    except ShareError as exc:
        raise ProfileError(str(exc), "share") from None
    return roster


def store_roster(profile: Profile, roster: Roster) -> None:
    """Keep the team file's content and settings locally (for offline use and metrics)."""
    profile.store.set_meta(
        {
            "roster": json.dumps(roster.to_dict(), sort_keys=True),
            "team_secret": roster.customer_key,
            "repeat_window_days": str(roster.settings.repeat_window_days),
            "sync_minutes": str(roster.settings.sync_minutes),
            **(
                {"scorecard": json.dumps(roster.settings.scorecard, sort_keys=True)}
                if roster.settings.scorecard
                else {}
            ),
        }
    )


class SyncService:
    """Runs on the thread that opened `profile` (the app's worker opens its own)."""

    def __init__(
        self,
        profile: Profile,
        *,
        files: Files | None = None,
        clock: Callable[[], datetime] = _now,
    ):
        self.profile = profile
        self.files = files or Files()
        self.clock = clock

    # -- state ---------------------------------------------------------------------------

    @property
    def layout(self) -> ShareLayout | None:
        share = self.profile.identity.share
        return ShareLayout(Path(share)) if share else None

    def roster(self) -> Roster | None:
        """The team file as last read (None before the first sync of a local profile)."""
        stored = self.profile.store.meta("roster")
        if not stored:
            return None
        try:
            return Roster.from_dict(json.loads(stored))
        except (ValueError, RosterError):
            return None

    def sync_minutes(self) -> int:
        stored = self.profile.store.meta("sync_minutes") or ""
        return int(stored) if stored.isdigit() and int(stored) > 0 else 2

    def waiting(self) -> int:
        return Outbox(self.profile.store).count_waiting()

    def last_report(self) -> SyncReport | None:
        stored = self.profile.store.meta("last_sync")
        if not stored:
            return None
        try:
            data = json.loads(stored)
            return SyncReport(
                share=data["share"]["state"],
                message=data["share"]["message"],
                published_segments=data["published"]["segments"],
                published_records=data["published"]["records"],
                waiting=data["waiting"],
                imported_segments=data["imported"]["segments"],
                imported_records=data["imported"]["records"],
                held=data["held"],
                quarantined=data["quarantined"],
                stopped=data["stopped"],
                problems=data["problems"],
                approved=data["approved"],
                repaired=data.get("repaired", []),
                finished_at=data["finished_at"],
            )
        except (ValueError, KeyError, TypeError):
            return None

    # -- syncing -------------------------------------------------------------------------

    def sync(
        self, progress: ProgressFn | None = None, *, indexing: ProgressFn | None = None
    ) -> SyncReport:
        """Publish, import, and finish the search index of a first import. `progress`:
        writer folders done of total; `indexing`: the search index's rows done of total.
        Either may raise to stop the sync between two steps (nothing half-written)."""
        identity = self.profile.identity
        report = SyncReport()
        layout = self.layout
        store = self.profile.store
        if layout is None:
            report.message = "This profile works locally; no shared folder is set."
            report.waiting = self.waiting()
            return self._finish(report)
        try:
            roster = layout.read_team(self.files)
        except ShareOfflineError as exc:
            return self._offline(report, str(exc))
        except ShareError as exc:
            return self._offline(report, str(exc))
        report.share = "online"
        store_roster(self.profile, roster)
        member = roster.member(identity.device_id)
        report.approved = member is not None
        # Not approved yet is `approved` = False, told in its own words, not a problem.
        if member is not None and member.role is not identity.role:
            report.problems.append(
                f"The roster lists this device as {member.role.label.lower()}, but this profile "
                f"is set up as {identity.role.label.lower()}; ask your team lead."
            )
        try:
            repaired = repair_published(store, identity.device_id, layout, files=self.files)
            report.repaired = repaired
            published = publish_waiting(store, identity.device_id, layout, files=self.files)
            report.published_segments = len(published.segments)
            report.published_records = published.records
        except ShareOfflineError as exc:
            return self._offline(report, str(exc))
        except ShareError as exc:
            report.problems.append(str(exc))
        me = Me(identity.device_id, member.person if member else identity.name, identity.role)
        try:
            imported = import_share(store, layout, roster, me, files=self.files, progress=progress)
        except ShareOfflineError as exc:
            return self._offline(report, str(exc))
        report.imported_segments = imported.segments
        report.imported_records = imported.records
        if identity.role is Role.LEAD and imported.records:
            # Survey answers that found no contact may find one among those just arrived.
            from cxcompanion.services.survey_import import rematch_unmatched

            with store.transaction() as conn:
                rematch_unmatched(self.profile, conn, utc_iso(self.clock()))
        # A first import leaves the search index of the team's history to write: in short
        # transactions, so the window can save meanwhile and the contacts show at once.
        from cxcompanion.store import bulk_load

        bulk_load.catch_up_search(store, progress=indexing)
        if identity.role is Role.LEAD:
            for device, count in sorted(imported.held.items()):
                announcement = layout.read_announcement(device, self.files)
                person = announcement.person if announcement else "unknown"
                report.held.append({"device": device, "person": person, "segments": count})
        report.quarantined = [p.to_dict() for p in imported.quarantined]
        report.stopped = [p.to_dict() for p in imported.stopped]
        report.waiting = self.waiting()
        return self._finish(report)

    def _offline(self, report: SyncReport, message: str) -> SyncReport:
        report.share = "offline"
        report.message = message
        report.waiting = self.waiting()
        return self._finish(report)

    def _finish(self, report: SyncReport) -> SyncReport:
        report.finished_at = utc_iso(self.clock())
        values = {"last_sync": json.dumps(report.to_dict())}
        if report.share == "online":
            values["last_online_sync"] = report.finished_at
        self.profile.store.set_meta(values)
        return report

    def last_online_sync(self) -> str | None:
        """When a sync last reached the share (UTC ISO), also after it went offline."""
        return self.profile.store.meta("last_online_sync")

    # -- the team (lead) -----------------------------------------------------------------

    def _lead_layout(self) -> ShareLayout:
        identity = self.profile.identity
        if identity.role is not Role.LEAD:
            raise ProfileError("Only a team lead's profile manages the team's devices.", "role")
        layout = self.layout
        if layout is None:
            raise ProfileError(
                "This profile has no shared folder; set one with "
                "`cxcompanion init --role lead --share DIR`.",
                "share",
            )
        return layout

    def devices(self) -> list[Device]:
        """Approved members and devices asking to join (lead)."""
        layout = self._lead_layout()
        try:
            roster = layout.read_team(self.files)
            on_share = layout.writer_devices(self.files)
        except ShareError as exc:
            raise ProfileError(str(exc), "share") from None
        rows = [
            Device(m.device, m.person, m.role, True, m.approved_at)
            for m in sorted(roster.members, key=lambda m: (m.person, m.device))
        ]
        from cxcompanion.sync.segment import parse_name

        for device in on_share:
            if roster.member(device) is not None:
                continue
            announcement = layout.read_announcement(device, self.files)
            try:
                names = self.files.listdir(layout.writer_folder(device))
            except OSError:
                names = []
            waiting = sum(1 for n in names if parse_name(n) is not None)
            if announcement is None:
                rows.append(Device(device, "unknown", Role.AGENT, False, "", waiting))
            else:
                rows.append(
                    Device(
                        device,
                        announcement.person,
                        announcement.role,
                        False,
                        announcement.announced_at,
                        waiting,
                    )
                )
        return rows

    def approve(self, device: str | None) -> list[Device]:
        """Add one device (or, with None, every device asking) to the roster."""
        layout = self._lead_layout()
        candidates = [d for d in self.devices() if not d.approved]
        if device is not None:
            chosen = [d for d in candidates if d.device == device]
            if not chosen:
                known = ", ".join(d.device for d in candidates) or "none"
                raise ProfileError(
                    f"{device} is not a device waiting for approval (waiting: {known}); "
                    "list them with `cxcompanion team`.",
                    "device",
                )
        else:
            chosen = candidates
        unknown = [d.device for d in chosen if d.person == "unknown"]
        if unknown:
            raise ProfileError(
                f"Device {unknown[0]} has not said who it belongs to (no readable device.json); "
                "it cannot be approved. Ask its user to run setup again.",
                "device",
            )
        if not chosen:
            return []
        try:
            roster = layout.read_team(self.files)
            stamp = utc_iso(self.clock())
            for entry in chosen:
                roster = roster.with_member(Member(entry.device, entry.person, entry.role, stamp))
            layout.write_team(roster, self.files)
        except ShareError as exc:
            raise ProfileError(str(exc), "share") from None
        store_roster(self.profile, roster)
        return chosen

    def change_settings(
        self,
        *,
        repeat_window_days: int | None = None,
        sync_minutes: int | None = None,
        scorecard: dict | None = None,
    ) -> Roster:
        """Change team settings in the team file (lead); every PC takes them at its next sync."""
        from dataclasses import replace

        layout = self._lead_layout()
        checks = (
            ("repeat_window_days", repeat_window_days, 1, 90, "--repeat-window"),
            ("sync_minutes", sync_minutes, 1, 1440, "--sync-minutes"),
        )
        for _key, value, low, high, option in checks:
            if value is not None and not low <= value <= high:
                raise ProfileError(
                    f"{option}: {value} is not a whole number from {low} to {high}", option
                )
        try:
            roster = layout.read_team(self.files)
            settings = roster.settings
            if repeat_window_days is not None:
                settings = replace(settings, repeat_window_days=repeat_window_days)
            if sync_minutes is not None:
                settings = replace(settings, sync_minutes=sync_minutes)
            if scorecard is not None:
                settings = replace(settings, scorecard=scorecard)
            roster = roster.with_settings(settings)
            layout.write_team(roster, self.files)
        except ShareError as exc:
            raise ProfileError(str(exc), "share") from None
        store_roster(self.profile, roster)
        return roster
