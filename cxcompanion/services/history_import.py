"""Importing contact history from a spreadsheet: an agent's own, or a lead's for the team.

Each row becomes a contact with an id derived from the team and the source (its id column,
or a hash of the row), so importing the same file again changes nothing, and a row edited
in the source becomes a new revision of the same contact. Free text is masked and customer
references are hashed exactly as when a contact is typed in.
"""

from __future__ import annotations

import json
from typing import Any

from cxcompanion.domain.enums import Role
from cxcompanion.domain.errors import ValidationError
from cxcompanion.domain.ids import derived_id
from cxcompanion.domain.import_mapping import ImportMapping, MappingError
from cxcompanion.domain.import_rows import RowConverter, RowProblem, RowRejected
from cxcompanion.domain.records import Contact, Envelope, Idea
from cxcompanion.domain.validation import parse_contact
from cxcompanion.services import history_rows
from cxcompanion.services.contacts import ContactService
from cxcompanion.services.file_import import FileImport, ImportReport
from cxcompanion.services.history_rows import Prepared, QuickRows
from cxcompanion.store import imported
from cxcompanion.store.contacts import _contact_from_row, _contact_row
from cxcompanion.store.import_writes import ContactWriter

_CONTACT_KEYS = (
    "at", "channel", "purpose", "outcome", "verdict", "detail", "customer_ref",
    "prior_contacts", "prior_channels", "cancel_reason", "stayed", "mood_start", "mood_end",
    "notes",
)  # fmt: skip


def history_contact_id(team: str, source_key: str) -> str:
    """The id of the contact a source row (by its id or row hash) becomes, in any profile of
    the team: a survey naming the source's contact id finds it by this."""
    return derived_id(team, "contact", source_key)


class HistoryImport(FileImport):
    kind = "contacts"

    def prepare(self, conn, mapping: ImportMapping) -> None:
        super().prepare(conn, mapping)
        self.builder = ContactService(self.profile, clock=self.clock)
        self.writer: ContactWriter | None = None
        # Read once: each is a query of the profile's meta table (a million rows, a million
        # queries each).
        self.device_id = self.profile.device_id
        self.secret = self.profile.team_secret
        self.is_lead = self.identity.role is Role.LEAD
        if self.is_lead and "agent" not in mapping.fields:
            raise MappingError(
                "fields.agent",
                "a team lead imports the team's contacts: map the column that says which "
                "agent took each contact",
            )
        roster = self.profile.store.meta("roster")
        self.people: dict[str, Role] | None = None
        if roster:
            from cxcompanion.domain.roster import Roster

            self.people = Roster.from_dict(json.loads(roster)).people()

    def build(
        self,
        number: int,
        key: str,
        raw: dict[str, Any],
        converter: RowConverter,
        report: ImportReport,
    ) -> Prepared | None:
        agent = self._agent(number, raw.get("agent"), converter)
        if agent is None:
            report.not_yours += 1
            return None
        fields = {k: raw[k] for k in _CONTACT_KEYS if k in raw}
        if "idea" in raw:
            fields["ideas"] = [{"text": raw["idea"], "area": raw.get("idea_area", "other")}]
        try:
            typed = parse_contact(fields, self.profile.taxonomy, self.now)
        except ValidationError as exc:
            raise RowRejected(
                [
                    RowProblem(number, _column(converter, name), _with_hint(name, message))
                    for name, message in exc.errors.items()
                ]
            ) from None
        contact_id = history_contact_id(self.identity.team, key)
        envelope = Envelope(contact_id, self.device_id, 1, self.stamp)
        contact = self.builder._build(
            typed,
            envelope,
            previous=None,
            agent=agent,
            idea_id=lambda position: derived_id(contact_id, "idea", str(position)),
            secret=self.secret,
        )
        return _contact_row(contact), tuple(
            (i.id, i.envelope.writer, i.envelope.revision, i.envelope.updated_at, contact.id,
             i.text, i.area)
            for i in contact.ideas
        )  # fmt: skip

    def quick_rows(self, converter: RowConverter, text_cells: bool) -> QuickRows | None:
        if not history_rows.FAST_ROWS:
            return None
        return QuickRows(
            converter,
            taxonomy=self.profile.taxonomy,
            now=self.now,
            team=self.identity.team,
            writer=self.device_id,
            stamp=self.stamp,
            secret=self.secret,
            agent_of=lambda number, value: self._agent(number, value, converter),
            text_cells=text_cells,
        )

    def _agent(self, number: int, value: Any, converter: RowConverter) -> str | None:
        """Whose contact the row is; None for a colleague's row in an agent's import."""
        me = self.identity.name
        if value is None:
            if self.is_lead:
                raise RowRejected(
                    [RowProblem(number, converter.column_of("agent"), "the agent is empty")]
                )
            return me
        text = str(value).strip()
        person = self.mapping.agents.get(text.casefold(), text)
        if not self.is_lead:
            return me if person.casefold() == me.casefold() else None
        if self.people is not None and self.people.get(person) is not Role.AGENT:
            known = ", ".join(sorted(p for p, r in self.people.items() if r is Role.AGENT))
            raise RowRejected(
                [
                    RowProblem(
                        number,
                        converter.column_of("agent"),
                        f"{text!r} is not an agent of the roster ({known or 'none yet'}); "
                        f'map the name in the mapping\'s agents ("{text}": "Name")',
                    )
                ]
            )
        return person

    def write(self, conn, items: list[Prepared], report: ImportReport, *, dry_run: bool) -> None:
        if not items:
            return
        stored = imported.existing_contacts(conn, [row[0] for row, _ideas in items])
        new: list[Prepared] = []
        changed: list[Contact] = []
        for row, ideas in items:
            before = stored.get(row[0])
            if before is None:
                new.append((row, ideas))
            elif before.writer != row[1]:
                report.kept_others += 1  # another person's import or their own record
            elif before.deleted or (before.content, before.ideas) == (
                row[5:],
                frozenset((i[5], i[6]) for i in ideas),
            ):
                report.unchanged += 1  # a contact deleted here stays deleted
            else:
                changed.append(_next_revision(_contact(row, ideas), before.revision))
        report.new += len(new)
        report.updated += len(changed)
        if dry_run:
            return
        if self.writer is None:
            self.writer = ContactWriter(conn)
        self.writer.insert([row for row, _ideas in new], [i for _row, ideas in new for i in ideas])
        if changed:
            self.writer.with_triggers()
            imported.update_contacts(conn, changed)

    def finish(self, conn, report: ImportReport, *, dry_run: bool) -> None:
        if self.writer is not None:
            self.writer.finish()
        if self.is_lead and not dry_run:
            from cxcompanion.services.survey_import import rematch_unmatched

            report.rematched = rematch_unmatched(self.profile, conn, self.stamp)


def _contact(row: tuple[Any, ...], ideas: tuple[tuple[Any, ...], ...]) -> Contact:
    return _contact_from_row(
        row, tuple(Idea(Envelope(i[0], i[1], i[2], i[3]), i[4], i[5], i[6]) for i in ideas)
    )


def _next_revision(contact: Contact, revision: int) -> Contact:
    from dataclasses import replace

    envelope = replace(contact.envelope, revision=revision + 1)
    return replace(contact, envelope=envelope)


_MAPPED_BY_VALUES = {"purpose": "purpose", "cancel_reason": "cancel_reason"}


def _with_hint(field_name: str, message: str) -> str:
    """Codes the taxonomy does not know are usually the source's own labels: say how to map."""
    target = _MAPPED_BY_VALUES.get(field_name)
    if field_name.startswith("ideas.") and field_name.endswith(".area"):
        target = "idea_area"
    if target is None:
        return message
    return f"{message.rstrip('.')}, or map the value in fields.{target}.values"


def _column(converter: RowConverter, field_name: str) -> str | None:
    if field_name.startswith("ideas."):
        return converter.column_of("idea_area" if field_name.endswith(".area") else "idea")
    return converter.column_of(field_name)
