"""A scrolling column of coaching-note cards (an agent's notes, or a lead's timeline), with a
sentence in their place when there is none."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from cxcompanion.services.coaching import Note
from cxcompanion.ui.coaching_card import NoteCard
from cxcompanion.ui.theme import style

# The card's row headings: measured once, so the values line up down the whole column.
CARD_HEADINGS = ("About", "What went well", "One thing to work on", "Your commitment",
                 "Commitment", "Follow-up")  # fmt: skip


class NoteList(QScrollArea):
    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName(name)
        self.cards: dict[str, NoteCard] = {}
        probe = QLabel()
        style(probe, "fieldLabel")
        self.label_width = 4 + max(
            probe.fontMetrics().horizontalAdvance(QCoreApplication.translate("NoteCard", h))
            for h in CARD_HEADINGS
        )
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 6, 8, 12)
        column.setSpacing(14)
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.empty.hide()
        column.addWidget(self.empty)
        self.cards_box = QVBoxLayout()
        self.cards_box.setSpacing(14)
        column.addLayout(self.cards_box)
        column.addStretch(1)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidget(body)

    def show_notes(
        self,
        notes: list[Note],
        about: Callable[[Note], str],
        *,
        for_agent: bool,
        today: date,
        now: datetime,
        empty_text: str,
    ) -> dict[str, NoteCard]:
        """Cards for `notes`, in their order, in place of the ones shown before."""
        for card in self.cards.values():
            self.cards_box.removeWidget(card)
            card.hide()  # at once: deleteLater waits for the event loop
            card.deleteLater()
        self.cards = {}
        for note in notes:
            card = NoteCard(
                note,
                about(note),
                for_agent=for_agent,
                today=today,
                now=now,
                label_width=self.label_width,
            )
            self.cards[note.id] = card
            self.cards_box.addWidget(card)
            card.show()  # now, not on the next turn of the event loop: focus may go into it
        self.empty.setText(empty_text)
        self.empty.setVisible(not notes)
        return self.cards
