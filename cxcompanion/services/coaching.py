"""Coaching notes: a lead writes one to an agent (about a contact or a theme: strengths, one
growth area, an agreed commitment, a follow-up date); the agent acknowledges it, replies and
marks the commitment done. Both travel through the shared folder, each to its own reader."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from cxcompanion.domain.enums import Role
from cxcompanion.domain.errors import ValidationError
from cxcompanion.domain.ids import new_id
from cxcompanion.domain.records import utc_iso
from cxcompanion.services.profile import Profile, ProfileError
from cxcompanion.store import workspace
from cxcompanion.store.errors import NotFoundError

REPLY_KINDS = ("ack", "reply", "done")
TEXT_MAX = 2000


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Reply:
    id: str
    kind: str  # ack, reply, done
    text: str
    at: str


@dataclass(frozen=True)
class Note:
    id: str
    agent: str
    lead: str
    contact_id: str | None
    theme: str
    strengths: str
    growth_area: str
    commitment: str
    follow_up: str | None  # ISO date
    written_at: str
    replies: tuple[Reply, ...] = field(default=())

    @property
    def acknowledged(self) -> bool:
        return any(r.kind == "ack" for r in self.replies)

    @property
    def done(self) -> bool:
        return any(r.kind == "done" for r in self.replies)

    def follow_up_due(self, today: date) -> bool:
        return (
            bool(self.follow_up) and not self.done and date.fromisoformat(self.follow_up) <= today
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "agent": self.agent, "lead": self.lead, "contact_id": self.contact_id,
            "theme": self.theme, "strengths": self.strengths, "growth_area": self.growth_area,
            "commitment": self.commitment, "follow_up": self.follow_up,
            "written_at": self.written_at, "acknowledged": self.acknowledged, "done": self.done,
            "replies": [{"kind": r.kind, "text": r.text, "at": r.at} for r in self.replies],
        }  # fmt: skip


class CoachingService:
    def __init__(self, profile: Profile, clock: Callable[[], datetime] = _now):
        self.profile = profile
        self.clock = clock
        self.identity = profile.identity

    # -- the lead's side -------------------------------------------------------------------

    def write_note(
        self,
        agent: str,
        *,
        contact_id: str | None = None,
        theme: str = "",
        strengths: str = "",
        growth_area: str = "",
        commitment: str = "",
        follow_up: str | None = None,
    ) -> Note:
        """A new note to `agent`; ValidationError names each field at fault."""
        self._require(Role.LEAD, "Coaching notes are written by the team lead.")
        from cxcompanion.domain.redaction import mask_pii

        errors: dict[str, str] = {}
        agent = agent.strip()
        if not agent:
            errors["agent"] = "Name the agent the note is for."
        elif agent not in self._agents():
            known = ", ".join(sorted(self._agents())) or "none yet"
            errors["agent"] = f"{agent!r} is not an agent of the team ({known})."
        if contact_id:
            row = self.profile.store.conn.execute(
                "SELECT agent FROM contacts WHERE id = ? AND deleted = 0", (contact_id,)
            ).fetchone()
            if row is None:
                errors["contact"] = f"There is no contact {contact_id}."
            elif agent and row[0] != agent:
                errors["contact"] = f"Contact {contact_id} is {row[0]}'s, not {agent}'s."
        elif not theme.strip():
            errors["theme"] = "Tie the note to a contact or give it a theme."
        if not growth_area.strip():
            errors["growth_area"] = "Name one growth area: the one thing to work on."
        texts = {"theme": theme, "strengths": strengths, "growth_area": growth_area,
                 "commitment": commitment}  # fmt: skip
        for name, text in texts.items():
            if len(text) > TEXT_MAX:
                errors[name] = f"Keep this under {TEXT_MAX} characters."
        if follow_up:
            try:
                date.fromisoformat(follow_up.strip())
            except ValueError:
                errors["follow_up"] = f"{follow_up!r} is not a date; write it like 2026-12-15."
        if errors:
            raise ValidationError(errors)
        note_id = new_id()
        stamp = utc_iso(self.clock())
        values = {name: mask_pii(text.strip()) for name, text in texts.items()}
        values.update(
            agent=agent,
            lead=self.identity.name,
            contact_id=contact_id or None,
            follow_up=follow_up.strip() if follow_up else None,
            written_at=stamp,
        )
        workspace.write(
            self.profile.store, "coaching_notes", note_id, values,
            writer=self.profile.device_id, stamp=stamp,
        )  # fmt: skip
        return self.note(note_id)

    def due_follow_ups(self, today: date | None = None) -> list[Note]:
        today = today or self.clock().astimezone().date()
        return [n for n in self.notes() if n.follow_up_due(today)]

    # -- the agent's side ------------------------------------------------------------------

    def acknowledge(self, note_id: str) -> Note:
        return self._answer(note_id, "ack", "")

    def reply(self, note_id: str, text: str) -> Note:
        if not text.strip():
            raise ValidationError({"text": "Write your reply, or acknowledge the note instead."})
        if len(text) > TEXT_MAX:
            raise ValidationError({"text": f"Keep a reply under {TEXT_MAX} characters."})
        return self._answer(note_id, "reply", text)

    def mark_done(self, note_id: str) -> Note:
        return self._answer(note_id, "done", "")

    def _answer(self, note_id: str, kind: str, text: str) -> Note:
        self._require(Role.AGENT, "The agent the note is for acknowledges and answers it.")
        from cxcompanion.domain.redaction import mask_pii

        note = self.note(note_id)
        if kind in ("ack", "done") and any(r.kind == kind for r in note.replies):
            return note  # acknowledging twice changes nothing
        stamp = utc_iso(self.clock())
        workspace.write(
            self.profile.store, "coaching_replies", new_id(),
            {"note_id": note_id, "agent": self.identity.name, "kind": kind,
             "text": mask_pii(text.strip()), "at": stamp},
            writer=self.profile.device_id, stamp=stamp,
        )  # fmt: skip
        return self.note(note_id)

    # -- reading ---------------------------------------------------------------------------

    def notes(self, agent: str | None = None) -> list[Note]:
        """Notes newest first: an agent's own; a lead's for the team or one agent."""
        if self.identity.role is Role.AGENT:
            agent = self.identity.name
        where, params = ("agent = ?", (agent,)) if agent else ("", ())
        found = workspace.rows(
            self.profile.store, "coaching_notes", where, params, order="written_at DESC, id"
        )
        replies: dict[str, list[Reply]] = {}
        for r in workspace.rows(self.profile.store, "coaching_replies", order="at, id"):
            replies.setdefault(r["note_id"], []).append(
                Reply(r["id"], r["kind"], r["text"], r["at"])
            )
        return [_note(row, replies.get(row["id"], [])) for row in found]

    def note(self, note_id: str) -> Note:
        for found in self.notes():
            if found.id == note_id:
                return found
        raise NotFoundError(
            f"There is no coaching note {note_id}; list them with `cxcompanion coach list`."
        )

    def _agents(self) -> set[str]:
        import json

        from cxcompanion.domain.roster import Roster

        roster = self.profile.store.meta("roster")
        people = set()
        if roster:
            people = {
                p for p, r in Roster.from_dict(json.loads(roster)).people().items()
                if r is Role.AGENT
            }  # fmt: skip
        known = self.profile.store.conn.execute(
            "SELECT DISTINCT agent FROM contacts WHERE agent <> ''"
        )
        return people | {r[0] for r in known}

    def _require(self, role: Role, message: str) -> None:
        if self.identity.role is not role:
            raise ProfileError(message, "role")


def _note(row: dict[str, Any], replies: list[Reply]) -> Note:
    return Note(
        id=row["id"], agent=row["agent"], lead=row["lead"] or "", contact_id=row["contact_id"],
        theme=row["theme"] or "", strengths=row["strengths"] or "",
        growth_area=row["growth_area"] or "", commitment=row["commitment"] or "",
        follow_up=row["follow_up"], written_at=row["written_at"] or row["updated_at"],
        replies=tuple(replies),
    )  # fmt: skip
