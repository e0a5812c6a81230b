"""The idea board: every idea customers gave, with its status (new, under review, planned,
adopted, declined), the lead's decision note back to the agent who captured it, and
duplicates merged into one idea with credit kept for everyone who captured it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from cxcompanion.domain.enums import Role
from cxcompanion.domain.errors import ValidationError
from cxcompanion.domain.ids import derived_id
from cxcompanion.domain.records import utc_iso
from cxcompanion.services.profile import Profile, ProfileError
from cxcompanion.store import workspace
from cxcompanion.store.errors import NotFoundError

STATUSES = ("new", "under_review", "planned", "adopted", "declined")
STATUS_LABELS = {
    "new": "New",
    "under_review": "Under review",
    "planned": "Planned",
    "adopted": "Adopted",
    "declined": "Declined",
}
NOTE_MAX = 2000


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class BoardIdea:
    id: str
    contact_id: str
    agent: str  # who captured it
    text: str
    area: str
    captured_at: str
    status: str = "new"
    note: str = ""
    decided_at: str | None = None
    merged_into: str | None = None
    also_captured_by: tuple[str, ...] = field(default=())  # agents of ideas merged into it
    decided_by: str = ""  # the lead who made the latest decision

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "contact_id": self.contact_id, "agent": self.agent,
            "text": self.text, "area": self.area, "captured_at": self.captured_at,
            "status": self.status, "note": self.note, "decided_at": self.decided_at,
            "merged_into": self.merged_into, "also_captured_by": list(self.also_captured_by),
            "decided_by": self.decided_by,
        }  # fmt: skip


class IdeasService:
    def __init__(self, profile: Profile, clock: Callable[[], datetime] = _now):
        self.profile = profile
        self.clock = clock
        self.identity = profile.identity

    def ideas(self, *, status: str | None = None, agent: str | None = None) -> list[BoardIdea]:
        """The board (a lead's: the team's ideas; an agent's: their own), newest first.
        Ideas merged into another are listed under it, not on their own."""
        if status is not None and status not in STATUSES:
            raise ValidationError(
                {"status": f"{status!r} is not a status; use {', '.join(STATUSES)}."}
            )
        if self.identity.role is Role.AGENT:
            agent = self.identity.name
        board = self._rows(agent)
        merged: dict[str, list[str]] = {}
        for idea in board:
            if idea.merged_into:
                merged.setdefault(idea.merged_into, []).append(idea.agent)
        shown = [
            _with_credit(idea, merged.get(idea.id, []))
            for idea in board
            if not idea.merged_into or self.identity.role is Role.AGENT
        ]
        return [i for i in shown if status is None or i.status == status]

    def idea(self, idea_id: str) -> BoardIdea:
        for found in self.ideas():
            if found.id == idea_id:
                return found
        for found in self._all_including_merged():
            if found.id == idea_id:
                return found
        raise NotFoundError(f"There is no idea {idea_id}; list them with `cxcompanion ideas list`.")

    def decide(self, idea_id: str, status: str, note: str = "") -> BoardIdea:
        """Move an idea on the board, with a note that goes back to its agent."""
        self._require_lead()
        if status not in STATUSES:
            raise ValidationError(
                {"status": f"{status!r} is not a status; use {', '.join(STATUSES)}."}
            )
        if len(note) > NOTE_MAX:
            raise ValidationError({"note": f"Keep the note under {NOTE_MAX} characters."})
        idea = self.idea(idea_id)
        self._write(idea, status=status, note=note.strip(), merged_into=None)
        for duplicate in self._all_including_merged():
            if duplicate.merged_into == idea_id:  # duplicates follow the idea they joined
                self._write(duplicate, status=status, note=note.strip(), merged_into=idea_id)
        return self.idea(idea_id)

    def merge(self, idea_id: str, into: str, note: str = "") -> BoardIdea:
        """Merge a duplicate into another idea: it takes that idea's status from now on,
        and its agent keeps the credit (listed as having captured it too)."""
        self._require_lead()
        if idea_id == into:
            raise ValidationError({"into": "An idea cannot be merged into itself."})
        duplicate, target = self.idea(idea_id), self.idea(into)
        if target.merged_into:
            raise ValidationError(
                {"into": f"Idea {into} is itself merged into {target.merged_into}."}
            )
        text = note.strip() or f"Merged with the same idea: {target.text}"
        self._write(duplicate, status=target.status, note=text, merged_into=into)
        return self.idea(into)

    def _write(self, idea: BoardIdea, *, status: str, note: str, merged_into: str | None) -> None:
        from cxcompanion.domain.redaction import mask_pii

        stamp = utc_iso(self.clock())
        decision_id = derived_id(self.identity.team, "decision", idea.id)  # one per idea
        workspace.write(
            self.profile.store, "idea_decisions", decision_id,
            {"idea_id": idea.id, "agent": idea.agent, "status": status, "note": mask_pii(note),
             "merged_into": merged_into, "decided_by": self.identity.name, "at": stamp},
            writer=self.profile.device_id, stamp=stamp,
        )  # fmt: skip

    def _all_including_merged(self) -> list[BoardIdea]:
        return self._rows(self.identity.name if self.identity.role is Role.AGENT else None)

    def _rows(self, agent: str | None) -> list[BoardIdea]:
        """Every live idea (of `agent`, or of everyone), merged duplicates included."""
        rows = self.profile.store.conn.execute(
            "SELECT i.id, i.contact_id, c.agent, i.text, i.area, c.at, d.status, d.note, d.at, "
            "d.merged_into, d.decided_by FROM ideas i JOIN contacts c ON c.id = i.contact_id "
            "LEFT JOIN idea_decisions d ON d.idea_id = i.id AND d.deleted = 0 "
            "WHERE i.deleted = 0 AND c.deleted = 0 AND c.agent <> '' "
            "AND (? IS NULL OR c.agent = ?) ORDER BY c.at DESC, i.id",
            (agent, agent),
        ).fetchall()
        return [
            BoardIdea(
                r[0], r[1], r[2], r[3], r[4], r[5], r[6] or "new", r[7] or "", r[8], r[9],
                decided_by=r[10] or "",
            )
            for r in rows
        ]  # fmt: skip

    def _require_lead(self) -> None:
        if self.identity.role is not Role.LEAD:
            raise ProfileError("The idea board is the team lead's to decide on.", "role")


def _with_credit(idea: BoardIdea, agents: list[str]) -> BoardIdea:
    if not agents:
        return idea
    from dataclasses import replace

    others = tuple(sorted(set(agents) - {idea.agent}))
    return replace(idea, also_captured_by=others)
