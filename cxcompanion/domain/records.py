"""Record types: what an agent logs about a contact, and the stored records with their envelope.

Every stored record carries the sync envelope of DESIGN §5 (`id`, `writer`, `revision`,
`updated_at`, `deleted`) from the first version on, so sync needs no change of meaning later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from cxcompanion.domain.enums import Channel, Outcome, Verdict


@dataclass(frozen=True)
class IdeaInput:
    """A customer's idea as the agent typed it: the customer's words and a product area."""

    text: str
    area: str


@dataclass(frozen=True)
class ContactInput:
    """A validated contact as typed, before masking and pseudonymisation (see services)."""

    at: datetime
    channel: Channel
    purpose: str
    outcome: Outcome
    verdict: Verdict
    detail: str = ""
    prior_contacts: int = 0
    prior_channels: tuple[Channel, ...] = ()
    customer_ref: str = ""
    ideas: tuple[IdeaInput, ...] = ()
    cancel_intent: bool = False
    cancel_reason: str | None = None
    stayed: bool | None = None
    mood_start: int | None = None
    mood_end: int | None = None
    notes: str = ""


@dataclass(frozen=True)
class Envelope:
    id: str
    writer: str
    revision: int
    updated_at: str
    deleted: bool = False


@dataclass(frozen=True)
class Idea:
    envelope: Envelope
    contact_id: str
    text: str
    area: str

    @property
    def id(self) -> str:
        return self.envelope.id


@dataclass(frozen=True)
class Contact:
    """A stored contact: free text already masked, the customer only as a keyed hash."""

    envelope: Envelope
    agent: str
    at: str
    channel: Channel
    purpose: str
    outcome: Outcome
    verdict: Verdict
    detail: str = ""
    prior_contacts: int = 0
    prior_channels: tuple[Channel, ...] = ()
    customer_hash: str | None = None
    cancel_intent: bool = False
    cancel_reason: str | None = None
    stayed: bool | None = None
    mood_start: int | None = None
    mood_end: int | None = None
    notes: str = ""
    ideas: tuple[Idea, ...] = field(default=())

    @property
    def id(self) -> str:
        return self.envelope.id

    @property
    def revision(self) -> int:
        return self.envelope.revision

    @property
    def deleted(self) -> bool:
        return self.envelope.deleted


def contact_fields(contact: Contact) -> dict[str, Any]:
    """A contact's content as plain data (codes, lists, None): for exports and the form."""
    return {
        "at": contact.at,
        "channel": contact.channel.value,
        "purpose": contact.purpose,
        "detail": contact.detail,
        "outcome": contact.outcome.value,
        "verdict": contact.verdict.value,
        "prior_contacts": contact.prior_contacts,
        "prior_channels": [c.value for c in contact.prior_channels],
        "customer_hash": contact.customer_hash,
        "cancel_intent": contact.cancel_intent,
        "cancel_reason": contact.cancel_reason,
        "stayed": contact.stayed,
        "mood_start": contact.mood_start,
        "mood_end": contact.mood_end,
        "notes": contact.notes,
        "ideas": [{"id": i.id, "text": i.text, "area": i.area} for i in contact.ideas],
    }


def utc_iso(moment: datetime) -> str:
    """The one timestamp format of the store and exports: UTC, seconds, `Z` suffix."""
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
