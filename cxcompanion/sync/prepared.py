"""A verified segment made ready to apply: its rows and what the importer checks, worked out
without the store, so that a large import can do it ahead in another process
(sync/read_ahead.py) while the store writes.

Pure: whose store it is (`Keeper`) and whose segment (`Writer`) come in as arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cxcompanion.domain.enums import Role
from cxcompanion.sync.segment import Record, Segment, owner_role

CONTACT_BODY = (
    "agent", "at", "channel", "purpose", "detail", "outcome", "verdict", "prior_contacts",
    "prior_channels", "customer_hash", "cancel_intent", "cancel_reason", "stayed",
    "mood_start", "mood_end", "notes",
)  # fmt: skip
ENVELOPE = ("id", "writer", "revision", "updated_at", "deleted")
# An agent's own contacts and ideas, and history a team lead imported (DESIGN §5: each
# record type has one owner role), go to the same tables.
CONTACT_TYPES = ("contact", "imported_contact")
IDEA_TYPES = ("idea", "imported_idea")


@dataclass(frozen=True)
class Keeper:
    """Whose store the segment goes into: what is kept of it depends on that."""

    person: str
    lead: bool


@dataclass(frozen=True)
class Writer:
    """Whose folder the segment came from, as the roster says."""

    device: str
    person: str
    role: str  # Role value

    @property
    def label(self) -> str:
        return Role(self.role).label.lower()


@dataclass(frozen=True)
class Prepared:
    """What applying a segment takes. `ownership` says why it must be refused, if it must."""

    writer: str
    first_seq: int
    last_seq: int
    count: int
    ownership: str | None
    contact_rows: list[tuple[Any, ...]]  # full rows, or slim ones of a colleague's contacts
    contact_ids: list[str]  # every contact record, in order
    whole: list[str]  # contacts kept whole (searchable; their ideas are kept)
    idea_ids: list[str]
    ideas: list[Record]
    others: list[Record]  # coaching, evaluations, decisions, settings, ...


def prepare(segment: Segment, writer: Writer, keeper: Keeper) -> Prepared:
    records = segment.records
    contacts = [r for r in records if r.type in CONTACT_TYPES]
    if keeper.lead or writer.person == keeper.person:
        whole = [r.id for r in contacts]
        rows = list(map(contact_row, contacts))
    else:
        kept = [(r, _addressed_to(r, keeper)) for r in contacts]
        whole = [r.id for r, keep in kept if keep]
        rows = [contact_row(r) if keep else slim_contact_row(r) for r, keep in kept]
    if len(contacts) == len(records):
        ideas: list[Record] = []
        others: list[Record] = []
    else:
        ideas = [r for r in records if r.type in IDEA_TYPES]
        others = [r for r in records if r.type not in CONTACT_TYPES and r.type not in IDEA_TYPES]
    return Prepared(
        writer=segment.writer,
        first_seq=segment.first_seq,
        last_seq=segment.last_seq,
        count=len(records),
        ownership=ownership_problem(writer, records),
        contact_rows=rows,
        contact_ids=[r.id for r in contacts],
        whole=whole,
        idea_ids=[r.id for r in ideas],
        ideas=ideas,
        others=others,
    )


def _addressed_to(record: Record, keeper: Keeper) -> bool:
    """History a lead imported for this agent is the agent's own, kept whole."""
    return record.type == "imported_contact" and record.body.get("agent") == keeper.person


def ownership_problem(writer: Writer, records: tuple[Record, ...]) -> str | None:
    """Why the writer may not have written these records (type ↔ role, contact ↔ person)."""
    types = {r.type for r in records}
    person = writer.person
    if all(owner_role(t) == writer.role for t in types) and (
        "contact" not in types
        or all(r.body.get("agent") == person for r in records if r.type == "contact")
    ):
        return None  # the usual case, checked by type: the first problem is found below
    for record in records:
        owner = owner_role(record.type)
        if owner is None:
            return f"record {record.id} has the unknown type {record.type!r}."
        if owner != writer.role:
            return (
                f"record {record.id} is a {record.type.replace('_', ' ')}, which only "
                f"{'a team lead' if owner == Role.LEAD.value else 'an agent'} may write, "
                f"but the roster lists this device as {writer.label}."
            )
        if record.type == "contact" and record.body.get("agent") != person:
            return (
                f"contact {record.id} names {record.body.get('agent')!r} as its agent, "
                f"but this device belongs to {person}."
            )
    return None


def envelope(record: Record) -> tuple[Any, ...]:
    return (record.id, record.writer, record.revision, record.updated_at, int(record.deleted))


def contact_row(record: Record) -> tuple[Any, ...]:
    # envelope() inlined: a first import builds a million of these.
    return (
        record.id,
        record.writer,
        record.revision,
        record.updated_at,
        1 if record.deleted else 0,
        *map(record.body.get, CONTACT_BODY),
    )


def slim_contact_row(record: Record) -> tuple[Any, ...]:
    """What an agent keeps of a colleague's contact: enough to see a repeat, nothing else."""
    body = record.body
    return (
        *envelope(record),
        "",  # agent: never a colleague's name
        body.get("at"),
        body.get("channel"),
        body.get("purpose"),
        "",
        "",
        "",
        0,
        "",
        body.get("customer_hash"),
        0,
        None,
        None,
        None,
        None,
        "",
    )


def idea_row(record: Record) -> tuple[Any, ...]:
    body = record.body
    return (*envelope(record), body.get("contact_id"), body.get("text"), body.get("area"))
