"""Logging, amending, deleting and finding contacts: the agent's core loop, for UI and CLI."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timezone
from functools import partial
from typing import Any

from cxcompanion.domain.ids import new_id
from cxcompanion.domain.records import (
    Contact,
    ContactInput,
    Envelope,
    Idea,
    contact_fields,
    utc_iso,
)
from cxcompanion.services.profile import Profile
from cxcompanion.store.contacts import ContactStore, ContactSummary, Cursor
from cxcompanion.store.drafts import DraftStore
from cxcompanion.store.errors import NotFoundError, ReadOnlyRecordError


def _now() -> datetime:
    return datetime.now(timezone.utc)


class ContactService:
    def __init__(self, profile: Profile, clock: Callable[[], datetime] = _now):
        self.profile = profile
        self.clock = clock
        self.contacts = ContactStore(profile.store)
        self.drafts = DraftStore(profile.store)
        # Which ideas each delete of this session tombstoned, so that its Undo brings back
        # exactly those (not ideas an earlier amend removed in the same second).
        self._deleted_with: dict[str, set[str]] = {}

    # -- writing -------------------------------------------------------------------------

    def parse(self, raw: Mapping[str, Any]) -> ContactInput:
        """Validate without saving (raises ValidationError with field errors)."""
        # Imported on first use: start-up shows the form before anyone saves (see the
        # start-up benchmark); the same goes for redaction in _build.
        from cxcompanion.domain.validation import parse_contact

        return parse_contact(raw, self.profile.taxonomy, self.clock())

    def log(self, raw: Mapping[str, Any], *, clear_draft: bool = False) -> Contact:
        """Validate, mask and save a new contact.

        With `clear_draft` (the form's save) the draft it was typed in is cleared in the
        same transaction: after a crash there is either the draft or the contact, never both.
        """
        self._check_may_log()
        typed = self.parse(raw)
        stamp = utc_iso(self.clock())
        contact = self._build(typed, Envelope(new_id(), self._writer, 1, stamp), previous=None)
        also = partial(DraftStore.clear_in, updated_at=stamp) if clear_draft else None
        self.contacts.insert(contact, also=also)
        return contact

    def log_many(self, raws: list[Mapping[str, Any]]) -> list[Contact]:
        """Validate every contact first, then save them all in one transaction."""
        self._check_may_log()
        stamp = utc_iso(self.clock())
        contacts = [
            self._build(self.parse(raw), Envelope(new_id(), self._writer, 1, stamp), previous=None)
            for raw in raws
        ]
        self.contacts.insert_many(contacts)
        return contacts

    def amend(self, contact_id: str, raw: Mapping[str, Any]) -> Contact:
        """A new revision of a contact; its id, ideas' ids and time stay unless changed."""
        previous = self._existing(contact_id)
        self._check_may_change(previous)
        typed = self.parse(raw)
        stamp = utc_iso(self.clock())
        envelope = _next_revision(previous.envelope, self._writer, stamp, deleted=False)
        contact = self._build(typed, envelope, previous=previous)
        self.contacts.replace(contact)
        return contact

    def delete(self, contact_id: str) -> Contact:
        """Tombstone a contact and its ideas: each gets deleted = 1 and a new revision."""
        previous = self._existing(contact_id)
        self._check_may_change(previous)
        stamp = utc_iso(self.clock())
        envelope = _next_revision(previous.envelope, self._writer, stamp, deleted=True)
        ideas = tuple(
            replace(i, envelope=_next_revision(i.envelope, self._writer, stamp, deleted=True))
            for i in previous.ideas
        )
        contact = replace(previous, envelope=envelope, ideas=ideas)
        self.contacts.replace(contact)
        self._deleted_with[contact_id] = {i.id for i in ideas}
        return contact

    def restore(self, contact_id: str) -> Contact:
        """Bring back a deleted contact (the Undo of a delete) as a new revision."""
        previous = self.contacts.get(contact_id, include_deleted=True)
        if previous is None or previous.agent != self._agent:
            raise NotFoundError(f"There is no contact {contact_id}.")
        stamp = utc_iso(self.clock())
        envelope = _next_revision(previous.envelope, self._writer, stamp, deleted=False)
        # Only the ideas deleted together with the contact come back, not those the agent
        # had removed by an earlier amend.
        tombstoned = self._deleted_ideas(contact_id, previous.envelope.updated_at)
        remembered = self._deleted_with.pop(contact_id, None)
        if remembered is not None:  # the Undo of a delete made in this session: exact
            tombstoned = [i for i in tombstoned if i.id in remembered]
        ideas = tuple(
            replace(i, envelope=_next_revision(i.envelope, self._writer, stamp, deleted=False))
            for i in tombstoned
        )
        contact = replace(previous, envelope=envelope, ideas=ideas)
        self.contacts.replace(contact)
        return contact

    # -- reading -------------------------------------------------------------------------

    def get(self, contact_id: str) -> Contact:
        return self._existing(contact_id)

    def get_for_change(self, contact_id: str) -> Contact:
        """A contact to amend: ReadOnlyRecordError for history the team lead imported."""
        contact = self._existing(contact_id)
        self._check_may_change(contact)
        return contact

    def page(
        self, *, search: str = "", after: Cursor | None = None, limit: int = 200
    ) -> list[ContactSummary]:
        return self.contacts.page(search=search, after=after, limit=limit, agent=self._agent)

    def count(self, search: str = "") -> int:
        return self.contacts.count(search, agent=self._agent)

    def to_raw(self, contact: Contact) -> dict[str, Any]:
        """The form fields of a stored contact, for amending it.

        The customer reference is blank: only its hash is stored, and a blank reference
        keeps that hash when the amended contact is saved.
        """
        raw = contact_fields(contact)
        del raw["customer_hash"]
        raw["customer_ref"] = ""
        raw["cancel_reason"] = contact.cancel_reason or ""
        return raw

    # -- drafts --------------------------------------------------------------------------

    def save_draft(self, body: dict[str, Any]) -> None:
        """Keep what is being typed. Free text is masked like a saved contact's (principle 6);
        the customer reference stays as typed, on this PC only, until the save hashes it."""
        from cxcompanion.domain.redaction import mask_pii

        masked = dict(body)
        for key in ("detail", "notes"):
            if isinstance(masked.get(key), str):
                masked[key] = mask_pii(masked[key])
        if isinstance(masked.get("ideas"), list):
            masked["ideas"] = [
                {**idea, "text": mask_pii(idea.get("text", ""))} if isinstance(idea, dict) else idea
                for idea in masked["ideas"]
            ]
        self.drafts.save(masked, writer=self._writer, updated_at=utc_iso(self.clock()))

    def load_draft(self) -> dict[str, Any] | None:
        return self.drafts.load()

    def clear_draft(self) -> None:
        self.drafts.clear(updated_at=utc_iso(self.clock()))

    # -- inside --------------------------------------------------------------------------

    @property
    def _writer(self) -> str:
        return self.profile.device_id

    def _check_may_log(self) -> None:
        # Contacts are agents' records (DESIGN §5: one owner role per record type); a lead's
        # contact would be refused by every other installation of the team.
        if self.profile.store.meta("role") == "lead":
            from cxcompanion.services.profile import ProfileError

            raise ProfileError(
                "A team lead's profile does not log contacts: contacts belong to agents. "
                "Log them in an agent profile (`cxcompanion --profile DIR init --role agent`).",
                "role",
            )

    @property
    def _agent(self) -> str:
        # My contacts are the person's own, logged on any of their devices; a lead's store
        # also holds the team's (shown on the team pages, not here).
        return self.profile.store.meta("name") or ""

    def _check_may_change(self, contact: Contact) -> None:
        """Only the person's own devices change their contacts (DESIGN §5: one owner per
        record); a lead's import is the lead's record, and a change here would be refused
        by every other installation of the team."""
        writer = contact.envelope.writer
        if writer == self._writer or writer in self._my_devices():
            return
        raise ReadOnlyRecordError(
            "This contact came from your team lead's import and can only be read here; "
            "ask your team lead to correct the file and import it again."
        )

    def _my_devices(self) -> set[str]:
        import json

        roster = self.profile.store.meta("roster")
        if not roster:
            return set()
        from cxcompanion.domain.roster import Roster

        return set(Roster.from_dict(json.loads(roster)).devices_of(self._agent))

    def _existing(self, contact_id: str) -> Contact:
        contact = self.contacts.get(contact_id)
        if contact is None or contact.agent != self._agent:
            raise NotFoundError(
                f"There is no contact {contact_id}; list contacts with `cxcompanion contacts`."
            )
        return contact

    def _deleted_ideas(self, contact_id: str, deleted_at: str) -> list[Idea]:
        rows = self.profile.store.conn.execute(
            "SELECT id, writer, revision, updated_at, contact_id, text, area FROM ideas "
            "WHERE contact_id = ? AND deleted = 1 AND updated_at = ? ORDER BY id",
            (contact_id, deleted_at),
        ).fetchall()
        return [Idea(Envelope(r[0], r[1], r[2], r[3], True), r[4], r[5], r[6]) for r in rows]

    def _build(
        self,
        typed: ContactInput,
        envelope: Envelope,
        previous: Contact | None,
        *,
        agent: str | None = None,
        idea_id: Callable[[int], str] | None = None,
        secret: bytes | None = None,
    ) -> Contact:
        """The stored form of a typed contact: texts masked, the customer hashed.

        `agent` and `idea_id` (a new idea's id from its position) are for imports, which
        write contacts for the person a file names, with ids derived from the source;
        `secret`, the team's key read once, spares an import a lookup per row.
        """
        from cxcompanion.domain.redaction import mask_pii, pseudonymise

        if typed.customer_ref:
            key = secret if secret is not None else self.profile.team_secret
            customer_hash: str | None = pseudonymise(key, typed.customer_ref)
        elif previous is not None:
            # Amending never shows the reference (only its hash is kept): blank means "keep".
            customer_hash = previous.customer_hash
        else:
            customer_hash = None
        old_ideas = {(i.text, i.area): i for i in previous.ideas} if previous else {}
        ideas = []
        for position, idea in enumerate(typed.ideas):
            text = mask_pii(idea.text)
            kept = old_ideas.pop((text, idea.area), None)
            if kept is not None:
                ideas.append(kept)
            else:
                ideas.append(
                    Idea(
                        Envelope(
                            idea_id(position) if idea_id else new_id(),
                            envelope.writer,
                            1,
                            envelope.updated_at,
                        ),
                        envelope.id,
                        text,
                        idea.area,
                    )
                )
        return Contact(
            envelope=envelope,
            agent=agent or (previous.agent if previous else self.profile.identity.name),
            at=utc_iso(typed.at),
            channel=typed.channel,
            purpose=typed.purpose,
            outcome=typed.outcome,
            verdict=typed.verdict,
            detail=mask_pii(typed.detail.strip()),
            prior_contacts=typed.prior_contacts,
            prior_channels=typed.prior_channels,
            customer_hash=customer_hash,
            cancel_intent=typed.cancel_intent,
            cancel_reason=typed.cancel_reason,
            stayed=typed.stayed,
            mood_start=typed.mood_start,
            mood_end=typed.mood_end,
            notes=mask_pii(typed.notes.strip()),
            ideas=tuple(ideas),
        )


def _next_revision(envelope: Envelope, writer: str, stamp: str, *, deleted: bool) -> Envelope:
    return replace(
        envelope, writer=writer, revision=envelope.revision + 1, updated_at=stamp, deleted=deleted
    )
