"""The lead's side of the Coaching page: the agents with their notes and follow-ups due, the
chosen agent's timeline (with each agent's answers), and the Write a note form in its place."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cxcompanion.services.coaching import CoachingService, Note
from cxcompanion.ui.coaching_form import ContactLookup, NoteForm
from cxcompanion.ui.coaching_list import NoteList
from cxcompanion.ui.sync_controller import count_text
from cxcompanion.ui.theme import ACCENT, style

TEAM = ""  # the agents list's key for the whole team
TIMELINE, FORM = range(2)


class LeadView(QWidget):
    note_written = Signal(str)  # the new note's id

    def __init__(
        self,
        service: CoachingService,
        lookup: ContactLookup,
        clock: Callable[[], datetime],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.clock = clock
        self.notes: list[Note] = []
        self.agents: list[str] = []
        self._about: Callable[[Note], str] = lambda _note: ""
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(20)
        side = QVBoxLayout()
        side.setSpacing(8)
        heading = QLabel(self.tr("Agents"))
        style(heading, "sectionTitle")
        side.addWidget(heading)
        self.agent_list = QListWidget()
        self.agent_list.setAccessibleName(self.tr("Agents, with their notes and follow-ups due"))
        self.agent_list.setFixedWidth(230)
        self.agent_list.setSpacing(2)
        _accent_selection(self.agent_list)
        side.addWidget(self.agent_list, 1)
        row.addLayout(side)

        timeline = QWidget()
        column = QVBoxLayout(timeline)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        head = QHBoxLayout()
        head.setSpacing(16)
        head.setContentsMargins(0, 0, 8, 0)  # line up with the cards, beside the scroll bar
        self.timeline_title = QLabel()
        style(self.timeline_title, "sectionTitle")
        self.due_filter = QCheckBox(self.tr("Only &follow-ups due"))
        self.due_filter.setAccessibleName(self.tr("Show only the follow-ups due"))
        self.write_button = QPushButton(self.tr("&Write a note…"))
        self.write_button.setAccessibleName(self.tr("Write a coaching note"))
        style(self.write_button, "primary")
        head.addWidget(self.timeline_title, 1)
        head.addWidget(self.due_filter)
        head.addWidget(self.write_button)
        column.addLayout(head)
        self.saved_note = QLabel()
        self.saved_note.setWordWrap(True)
        self.saved_note.hide()
        column.addWidget(self.saved_note)
        self.note_list = NoteList(self.tr("Coaching notes, newest first"))
        column.addWidget(self.note_list, 1)

        self.form = NoteForm(service, lookup, self._today)
        form_body = QWidget()
        form_column = QVBoxLayout(form_body)
        form_column.setContentsMargins(0, 0, 8, 12)
        form_column.addWidget(self.form)
        form_column.addStretch(1)
        form_scroll = QScrollArea()
        form_scroll.setWidgetResizable(True)
        form_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        form_scroll.setWidget(form_body)
        self.right = QStackedWidget()
        self.right.addWidget(timeline)  # TIMELINE
        self.right.addWidget(form_scroll)  # FORM
        row.addWidget(self.right, 1)

        self.agent_list.currentRowChanged.connect(self._on_agent_list_current_row_changed)
        self.due_filter.toggled.connect(self._on_due_filter_toggled)
        self.write_button.clicked.connect(self._on_write_button_clicked)
        self.form.note_written.connect(self._on_form_note_written)
        self.form.cancelled.connect(self._on_form_cancelled)

    def _today(self) -> date:
        return self.clock().astimezone().date()

    # -- showing -------------------------------------------------------------------------

    def show_notes(self, notes: list[Note], agents: list[str], about: Callable[[Note], str]):
        """The team's notes (newest first) and agents, keeping the chosen agent."""
        self.notes, self.agents, self._about = notes, agents, about
        self.form.set_agents(agents)
        chosen = self.selected_agent()
        by_agent: dict[str, list[Note]] = {}
        for note in notes:
            by_agent.setdefault(note.agent, []).append(note)
        self.agent_list.blockSignals(True)
        self.agent_list.clear()
        keys = [TEAM, *agents]
        for key in keys:
            theirs = notes if key == TEAM else by_agent.get(key, [])
            counts = (
                count_text(len(theirs), "1 note", "%1 notes") if theirs else self.tr("no notes")
            )
            due = len(self.due(theirs))
            if due:
                counts += " · " + count_text(due, "1 follow-up due", "%1 follow-ups due")
            name = self.tr("Whole team") if key == TEAM else key
            item = QListWidgetItem(f"{name}\n{counts}")
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setSizeHint(QSize(0, 2 * self.fontMetrics().lineSpacing() + 16))
            self.agent_list.addItem(item)
        self.agent_list.setCurrentRow(keys.index(chosen) if chosen in keys else 0)
        self.agent_list.blockSignals(False)
        self._show_timeline()

    def due(self, notes: list[Note]) -> list[Note]:
        today = self._today()
        return [n for n in notes if n.follow_up_due(today)]

    def selected_agent(self) -> str:
        """The agent whose timeline is shown ("" for the whole team)."""
        item = self.agent_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else TEAM

    def select_agent(self, agent: str) -> None:
        for row in range(self.agent_list.count()):
            if self.agent_list.item(row).data(Qt.ItemDataRole.UserRole) == agent:
                self.agent_list.setCurrentRow(row)

    def _show_timeline(self) -> None:
        agent = self.selected_agent()
        notes = [n for n in self.notes if agent == TEAM or n.agent == agent]
        if self.due_filter.isChecked():  # the longest due first
            notes = sorted(self.due(notes), key=lambda n: (n.follow_up or "", n.agent))
            empty = self.tr("✓ No follow-up is due here.")
        elif agent == TEAM:
            empty = self.tr("No coaching notes yet. Choose an agent, or Write a note.")
        else:
            empty = self.tr(
                "No notes to %1 yet. Write one about a contact worth learning from, or about "
                "a theme you see across their week."
            ).replace("%1", agent)
        self.timeline_title.setText(agent or self.tr("Whole team"))
        self.note_list.show_notes(
            notes, self._about, for_agent=False, today=self._today(), now=self.clock(),
            empty_text=empty,
        )  # fmt: skip

    # -- writing -------------------------------------------------------------------------

    def start_note(self, agent: str | None = None, contact_id: str | None = None) -> None:
        self.saved_note.hide()
        self.right.setCurrentIndex(FORM)
        self.form.start(agent or self.selected_agent() or None, contact_id)

    def _close_form(self) -> None:
        self.right.setCurrentIndex(TIMELINE)
        self.write_button.setFocus()

    # -- slots ---------------------------------------------------------------------------

    def _on_agent_list_current_row_changed(self, _row: int) -> None:
        self.saved_note.hide()
        self._show_timeline()

    def _on_due_filter_toggled(self, _checked: bool) -> None:
        self._show_timeline()

    def _on_write_button_clicked(self) -> None:
        self.start_note()

    def _on_form_note_written(self, note_id: str) -> None:
        self.due_filter.setChecked(False)
        self._close_form()
        self.note_written.emit(note_id)  # the page reads the notes again and shows them
        note = next((n for n in self.notes if n.id == note_id), None)
        if note is not None:
            self.select_agent(note.agent)
            self.saved_note.setText(
                self.tr("✓ Note saved. It reaches %1 with the next sync.").replace("%1", note.agent)
            )
            self.saved_note.show()

    def _on_form_cancelled(self) -> None:
        self._close_form()


def _accent_selection(widget: QWidget) -> None:
    """The chosen row in the app's one accent colour (as the side navigation has it)."""
    palette = widget.palette()
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        palette.setColor(group, QPalette.ColorRole.Highlight, QColor(ACCENT))
        palette.setColor(group, QPalette.ColorRole.HighlightedText, QColor("white"))
    widget.setPalette(palette)
