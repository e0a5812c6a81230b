"""The Coaching page. An agent reads the notes their lead wrote them and answers each one
(acknowledge, reply, commitment done); a lead sees each agent's timeline and the follow-ups
due, and writes notes (coaching_lead.py). A team has a few hundred notes at most: they are read
on the UI thread, with one read of the notes and one of the contacts they are about a refresh.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date, datetime, timezone

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from cxcompanion.domain.enums import Role
from cxcompanion.domain.errors import ValidationError
from cxcompanion.services.coaching import CoachingService, Note
from cxcompanion.services.profile import Profile
from cxcompanion.store.errors import StoreError
from cxcompanion.ui.coaching_card import NoteCard, day_text
from cxcompanion.ui.coaching_lead import LeadView
from cxcompanion.ui.coaching_list import NoteList
from cxcompanion.ui.sync_controller import count_text, parse_utc
from cxcompanion.ui.theme import style
from cxcompanion.ui.widgets import ErrorLabel


def _now() -> datetime:
    return datetime.now(timezone.utc)


def contact_lines(profile: Profile, ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Contact id → (its agent, "24 Nov 2026 · Billing › Charged twice"), in one query.

    Read here rather than through ContactService.get, which finds only the person's own
    contacts (a lead's notes are about the team's), and which would cost a query a note.
    """
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    marks = ", ".join("?" * len(wanted))
    rows = profile.store.conn.execute(
        "SELECT id, agent, at, purpose FROM contacts "
        f"WHERE deleted = 0 AND agent <> '' AND id IN ({marks})",
        wanted,
    )
    found = {}
    for contact_id, agent, at, purpose in rows:
        moment = parse_utc(at)
        day = day_text(moment.astimezone().date(), weekday=False) if moment else at
        found[contact_id] = (agent, f"{day} · {profile.taxonomy.purpose_display(purpose)}")
    return found


def team_agents(profile: Profile, notes: Iterable[Note]) -> list[str]:
    """The agents a lead coaches: those with notes, with contacts, or on the roster."""
    from cxcompanion.domain.roster import Roster

    names = {n.agent for n in notes}
    known = profile.store.conn.execute("SELECT DISTINCT agent FROM contacts WHERE agent <> ''")
    names |= {r[0] for r in known}
    roster = profile.store.meta("roster")
    if roster:
        try:
            people = Roster.from_dict(json.loads(roster)).people()
        except ValueError:  # a RosterError: the Sync page tells of it; the list does without
            people = {}
        names |= {person for person, role in people.items() if role is Role.AGENT}
    return sorted(names, key=str.casefold)


class CoachingPage(QWidget):
    note_written = Signal(str)  # a lead saved a note (its id)
    note_answered = Signal(str, str)  # an agent answered a note: its id, "ack", "reply", "done"

    def __init__(
        self,
        profile: Profile,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
    ):
        super().__init__(parent)
        self.profile = profile
        self.clock = clock or _now  # a fixed clock serves tests
        self.service = CoachingService(profile, clock=self.clock)
        self.is_lead = profile.identity.role is Role.LEAD
        self.notes: list[Note] = []
        self._contacts: dict[str, tuple[str, str]] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 12)
        outer.setSpacing(10)
        title = QLabel(self.tr("Coaching"))
        style(title, "pageTitle")
        outer.addWidget(title)
        self.subtitle = QLabel()
        self.subtitle.setWordWrap(True)
        style(self.subtitle, "quiet")
        outer.addWidget(self.subtitle)
        self.error = ErrorLabel()
        outer.addWidget(self.error)
        self.lead_view: LeadView | None = None
        self.note_list: NoteList | None = None
        if self.is_lead:
            self.lead_view = LeadView(self.service, self._lookup_contact, self.clock)
            self.lead_view.note_written.connect(self._on_lead_view_note_written)
            outer.addWidget(self.lead_view, 1)
        else:
            self.note_list = NoteList(self.tr("Coaching notes to you, newest first"))
            outer.addWidget(self.note_list, 1)
        self.refresh()

    @property
    def cards(self) -> dict[str, NoteCard]:
        """The cards shown, by note id."""
        shown = self.lead_view.note_list if self.lead_view is not None else self.note_list
        return shown.cards if shown is not None else {}

    # -- reading -------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the notes again (after a sync, say) and show them; a lead keeps the agent."""
        try:
            self.notes = self.service.notes()
            self._contacts = contact_lines(
                self.profile, (n.contact_id for n in self.notes if n.contact_id)
            )
            agents = team_agents(self.profile, self.notes) if self.is_lead else []
        except StoreError as exc:
            self.error.show_error(str(exc))
            return
        self.error.show_error(None)
        if self.lead_view is not None:
            self.lead_view.show_notes(self.notes, agents, self._about)
        elif self.note_list is not None:
            # A sync may refresh the page while a reply is being typed: it stays, as typed.
            drafts = {
                note_id: (card.reply_edit.toPlainText(), card.reply_edit.hasFocus())
                for note_id, card in self.cards.items()
                if not card.reply_box.isHidden()
            }
            cards = self.note_list.show_notes(
                self.notes, self._about, for_agent=True, today=self._today(), now=self.clock(),
                empty_text=self.tr(
                    "No coaching notes yet. When your team lead writes you one, it shows here "
                    "after a sync: what went well, one thing to work on, and what you agree "
                    "to try."
                ),
            )  # fmt: skip
            for note_id, card in cards.items():
                card.acknowledge_requested.connect(self._on_card_acknowledge_requested)
                card.reply_requested.connect(self._on_card_reply_requested)
                card.done_requested.connect(self._on_card_done_requested)
                if note_id in drafts:
                    text, focused = drafts[note_id]
                    card.open_reply(text, focus=focused)
        self._show_subtitle()

    def _today(self) -> date:
        return self.clock().astimezone().date()

    def _lookup_contact(self, contact_id: str) -> tuple[str, str] | None:
        try:
            return contact_lines(self.profile, [contact_id]).get(contact_id)
        except StoreError:
            return None

    def _about(self, note: Note) -> str:
        parts = []
        if note.contact_id:
            found = self._contacts.get(note.contact_id)
            parts.append(
                self.tr("Contact on %1").replace("%1", found[1])
                if found
                else self.tr("Contact %1 (not on this PC yet)").replace("%1", note.contact_id)
            )
        if note.theme:
            parts.append(self.tr("Theme: %1").replace("%1", note.theme))
        return "\n".join(parts)

    def _show_subtitle(self) -> None:
        if self.is_lead:
            text = self.tr("Your notes to the team and their answers, newest first.")
            due = sum(1 for n in self.notes if n.follow_up_due(self._today()))
            if due:
                text += " " + count_text(due, "1 follow-up is due.", "%1 follow-ups are due.")
        else:
            text = self.tr(
                "Notes from your team lead, newest first. They are about learning, never "
                "about blame: read each one, let your lead know you have, and reply whenever "
                "you like."
            )
            new = sum(1 for n in self.notes if not n.acknowledged and not n.done)
            if new:
                text += " " + count_text(new, "1 new note to read.", "%1 new notes to read.")
        self.subtitle.setText(text)

    # -- writing (the lead) --------------------------------------------------------------

    def start_note(self, agent: str | None = None, contact_id: str | None = None) -> bool:
        """Open the Write a note form for `agent`, prefilled with `contact_id` (Team review
        opens it for a contact). False for an agent, who answers notes and writes none."""
        if self.lead_view is None:
            return False
        self.lead_view.start_note(agent, contact_id)
        return True

    # -- answering (the agent) -----------------------------------------------------------

    def _answer(self, note_id: str, kind: str, text: str = "") -> Note | None:
        card = self.cards[note_id]
        try:
            if kind == "ack":
                note = self.service.acknowledge(note_id)
            elif kind == "done":
                note = self.service.mark_done(note_id)
            else:
                note = self.service.reply(note_id, text)
        except ValidationError as exc:
            card.show_reply_error(" ".join(exc.errors.values()))
            return None
        except StoreError as exc:  # a wrong role or a note gone: said, never a traceback
            self.error.show_error(str(exc))
            return None
        self.error.show_error(None)
        self.notes = [note if n.id == note_id else n for n in self.notes]
        card.set_note(note, self._about(note), today=self._today(), now=self.clock())
        if kind == "reply":
            card.close_reply(clear=True)
        else:
            card.reply_button.setFocus()  # the button pressed may be gone now
        self._show_subtitle()
        self.note_answered.emit(note_id, kind)
        return note

    # -- slots ---------------------------------------------------------------------------

    def _on_card_acknowledge_requested(self, note_id: str) -> None:
        self._answer(note_id, "ack")

    def _on_card_reply_requested(self, note_id: str, text: str) -> None:
        self._answer(note_id, "reply", text)

    def _on_card_done_requested(self, note_id: str) -> None:
        self._answer(note_id, "done")

    def _on_lead_view_note_written(self, note_id: str) -> None:
        self.refresh()
        self.note_written.emit(note_id)
