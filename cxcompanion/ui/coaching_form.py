"""The lead's "Write a note" form: the agent, a contact or a theme, strengths, the one growth
area, the commitment and a follow-up date; the service's field errors shown beside each field.

Nothing is saved until the service accepts the whole note (it validates, then writes once).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cxcompanion.domain.errors import ValidationError
from cxcompanion.services.coaching import CoachingService
from cxcompanion.store.errors import StoreError
from cxcompanion.ui.theme import style
from cxcompanion.ui.widgets import ErrorLabel, field_box

FOLLOW_UP_DAYS = 14  # the usual rhythm of a coaching check-in
# The service's error keys → the field that shows them.
ERROR_FIELDS = {
    "agent": "agent",
    "contact": "contact",
    "contact_id": "contact",
    "theme": "theme",
    "strengths": "strengths",
    "growth_area": "growth_area",
    "commitment": "commitment",
    "follow_up": "follow_up",
}

ContactLookup = Callable[[str], "tuple[str, str] | None"]  # id → (agent, description)


class NoteForm(QFrame):
    note_written = Signal(str)  # the new note's id
    cancelled = Signal()

    def __init__(
        self,
        service: CoachingService,
        lookup: ContactLookup,
        today: Callable[[], date],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        style(self, "card")
        self.setAccessibleName(self.tr("Write a coaching note"))
        self.service = service
        self.lookup = lookup
        self.today = today
        self.errors: dict[str, ErrorLabel] = {}
        self.inputs: dict[str, QWidget] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(22, 16, 22, 16)
        outer.setSpacing(10)
        title = QLabel(self.tr("Write a note"))
        style(title, "sectionTitle")
        outer.addWidget(title)
        intro = QLabel(
            self.tr(
                "Coaching, not a verdict: what went well, the one thing to work on next, and "
                "what you agreed together. The agent reads it after their next sync."
            )
        )
        intro.setWordWrap(True)
        style(intro, "quiet")
        outer.addWidget(intro)

        form = QFormLayout()
        form.setContentsMargins(0, 8, 0, 0)
        form.setHorizontalSpacing(18)
        form.setVerticalSpacing(14)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._form = form
        outer.addLayout(form)

        self.agent = QComboBox()
        self.agent.setAccessibleName(self.tr("Agent"))
        self.agent.setPlaceholderText(self.tr("choose the agent"))
        self.agent.setMinimumWidth(240)
        self._add_row(self.tr("Agent"), self.agent, "agent", grow=False)

        contact_row = QVBoxLayout()  # the field, and under it the contact it names
        contact_row.setSpacing(4)
        self.contact = QLineEdit()
        self.contact.setAccessibleName(self.tr("Contact id (optional)"))
        self.contact.setPlaceholderText(self.tr("optional: the id of the contact it is about"))
        self.contact.setClearButtonEnabled(True)
        # Room for a 26-character id and for the words that say it is optional.
        self.contact.setFixedWidth(
            self.fontMetrics().horizontalAdvance(self.contact.placeholderText()) + 48
        )
        self.contact_found = QLabel()
        style(self.contact_found, "quiet")
        self.contact_found.setWordWrap(True)
        self.contact_found.hide()
        contact_row.addWidget(self.contact, 0, Qt.AlignmentFlag.AlignLeft)
        contact_row.addWidget(self.contact_found)
        self._add_row(self.tr("Contact"), contact_row, "contact", focus=self.contact)

        self.theme = QLineEdit()
        self.theme.setAccessibleName(self.tr("Theme"))
        self.theme.setPlaceholderText(self.tr("or a theme, e.g. “customers who want to cancel”"))
        self._add_row(self.tr("Theme"), self.theme, "theme")

        self.strengths = self._text_box(
            self.tr("What went well"), self.tr("what the agent did well: be specific")
        )
        self._add_row(self.tr("What went well"), self.strengths, "strengths")
        self.growth_area = self._text_box(
            self.tr("One thing to work on"), self.tr("one growth area, not a list")
        )
        self._add_row(self.tr("One thing to work on"), self.growth_area, "growth_area")
        self.commitment = self._text_box(
            self.tr("Commitment"), self.tr("what the agent agreed to try (optional)")
        )
        self._add_row(self.tr("Commitment"), self.commitment, "commitment")

        follow_row = QHBoxLayout()
        follow_row.setSpacing(18)
        self.follow_up = QDateEdit()
        self.follow_up.setAccessibleName(self.tr("Follow-up date"))
        self.follow_up.setCalendarPopup(True)
        self.follow_up.setDisplayFormat("ddd d MMM yyyy")
        self.follow_up.setMinimumWidth(170)
        self.no_follow_up = QCheckBox(self.tr("No follow-up"))
        self.no_follow_up.setAccessibleName(self.tr("No follow-up date"))
        follow_row.addWidget(self.follow_up)
        follow_row.addWidget(self.no_follow_up)
        follow_row.addStretch(1)
        self._add_row(self.tr("Follow-up"), follow_row, "follow_up", focus=self.follow_up)

        buttons = QHBoxLayout()
        buttons.setSpacing(10)
        hint = QLabel(self.tr("Ctrl+Enter saves · Esc cancels"))
        style(hint, "quiet")
        buttons.addWidget(hint)
        buttons.addStretch(1)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setAccessibleName(self.tr("Cancel the note"))
        self.save_button = QPushButton(self.tr("Save note  (Ctrl+Enter)"))
        self.save_button.setAccessibleName(self.tr("Save the note"))
        style(self.save_button, "primary")
        for button in (self.cancel_button, self.save_button):
            button.setAutoDefault(True)
            buttons.addWidget(button)
        outer.addSpacing(4)
        outer.addLayout(buttons)
        for widget in (self.agent, self.contact, self.theme, self.follow_up):
            widget.setMinimumHeight(30)

        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self._on_save_button_clicked)
        escape = QShortcut(QKeySequence("Escape"), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self._on_cancel_button_clicked)
        self.agent.currentIndexChanged.connect(self._on_agent_current_index_changed)
        self.contact.textChanged.connect(self._on_contact_text_changed)
        self.theme.textChanged.connect(self._on_theme_text_changed)
        self.strengths.textChanged.connect(self._on_strengths_text_changed)
        self.growth_area.textChanged.connect(self._on_growth_area_text_changed)
        self.commitment.textChanged.connect(self._on_commitment_text_changed)
        self.follow_up.dateChanged.connect(self._on_follow_up_date_changed)
        self.no_follow_up.toggled.connect(self._on_no_follow_up_toggled)
        self.reset()

    def _text_box(self, name: str, placeholder: str) -> QPlainTextEdit:
        box = QPlainTextEdit()
        box.setAccessibleName(name)
        box.setPlaceholderText(placeholder)
        box.setTabChangesFocus(True)
        box.setFixedHeight(60)
        return box

    def _add_row(
        self,
        text: str,
        field: QWidget | QHBoxLayout | QVBoxLayout,
        key: str,
        *,
        grow: bool = True,
        focus: QWidget | None = None,
    ) -> None:
        box, error = field_box(field, grow=grow)
        self.errors[key] = error
        self.inputs[key] = focus or field  # type: ignore[assignment]
        label = QLabel(text)
        style(label, "fieldLabel")
        label.setBuddy(self.inputs[key])
        self._form.addRow(label, box)

    # -- reading and filling -------------------------------------------------------------

    def set_agents(self, agents: list[str]) -> None:
        chosen = self.agent.currentText()
        self.agent.blockSignals(True)
        self.agent.clear()
        self.agent.addItems(agents)
        self.agent.setCurrentIndex(self.agent.findText(chosen) if chosen else -1)
        self.agent.blockSignals(False)

    def start(self, agent: str | None = None, contact_id: str | None = None) -> None:
        """An empty note, prefilled with the agent and the contact it is about."""
        self.reset()
        if contact_id:
            self.contact.setText(contact_id)
        if agent:
            if self.agent.findText(agent) < 0:
                self.agent.addItem(agent)  # the service says whether they are of the team
            self.agent.setCurrentIndex(self.agent.findText(agent))
        if not self.agent.currentText():
            self.agent.setFocus()
        elif contact_id:
            self.strengths.setFocus()
        else:
            self.theme.setFocus()

    def reset(self) -> None:
        for widget in (self.contact, self.theme):
            widget.clear()
        for box in (self.strengths, self.growth_area, self.commitment):
            box.clear()
        self.agent.setCurrentIndex(-1)
        today = self.today()
        self.follow_up.setMinimumDate(_qdate(today))
        self.follow_up.setDate(_qdate(today + timedelta(days=FOLLOW_UP_DAYS)))
        self.no_follow_up.setChecked(False)
        self.show_errors({})

    def raw(self) -> dict[str, Any]:
        """The form as `CoachingService.write_note` takes it."""
        follow_up = None
        if not self.no_follow_up.isChecked():
            follow_up = self.follow_up.date().toString(Qt.DateFormat.ISODate)
        return {
            "agent": self.agent.currentText(),
            "contact_id": self.contact.text().strip() or None,
            "theme": self.theme.text(),
            "strengths": self.strengths.toPlainText(),
            "growth_area": self.growth_area.toPlainText(),
            "commitment": self.commitment.toPlainText(),
            "follow_up": follow_up,
        }

    # -- saving --------------------------------------------------------------------------

    def save(self) -> str | None:
        """Write the note; its id, or None with every error shown beside its field."""
        raw = self.raw()
        try:
            note = self.service.write_note(raw.pop("agent"), **raw)
        except ValidationError as exc:
            self.show_errors(exc.errors, focus=True)
            return None
        except StoreError as exc:  # a ProfileError too: shown, never a traceback
            self.show_errors({"agent": str(exc)}, focus=True)
            return None
        self.reset()
        self.note_written.emit(note.id)
        return note.id

    def show_errors(self, errors: dict[str, str], *, focus: bool = False) -> None:
        shown: dict[str, list[str]] = {}
        for key, message in errors.items():
            shown.setdefault(ERROR_FIELDS.get(key, "agent"), []).append(message)
        for key, label in self.errors.items():
            label.show_error(" ".join(shown.get(key, [])) or None)
        if focus:
            first = next((k for k in self.errors if k in shown), None)
            if first is not None:
                self.inputs[first].setFocus()

    def error_text(self, key: str) -> str:
        label = self.errors[key]
        return "" if label.isHidden() else label.text()

    def _clear_error(self, key: str) -> None:
        # Fixing a field takes its message away; the rest stay until the next save.
        self.errors[key].show_error(None)

    # -- slots ---------------------------------------------------------------------------

    def _on_save_button_clicked(self) -> None:
        self.save()

    def _on_cancel_button_clicked(self) -> None:
        self.reset()
        self.cancelled.emit()

    def _on_agent_current_index_changed(self, _index: int) -> None:
        self._clear_error("agent")

    def _on_contact_text_changed(self, text: str) -> None:
        self._clear_error("contact")
        self._clear_error("theme")  # a contact is the other answer to "what is it about"
        found = self.lookup(text.strip()) if text.strip() else None
        self.contact_found.setVisible(bool(text.strip()))
        if not text.strip():
            self.contact_found.setText("")
            return
        if found is None:
            self.contact_found.setText(self.tr("No contact with this id on this PC yet."))
            return
        agent, description = found
        self.contact_found.setText(
            self.tr("✓ %1's contact on %2").replace("%1", agent).replace("%2", description)
        )
        if not self.agent.currentText() and self.agent.findText(agent) >= 0:
            self.agent.setCurrentIndex(self.agent.findText(agent))

    def _on_theme_text_changed(self, _text: str) -> None:
        self._clear_error("theme")

    def _on_strengths_text_changed(self) -> None:
        self._clear_error("strengths")

    def _on_growth_area_text_changed(self) -> None:
        self._clear_error("growth_area")

    def _on_commitment_text_changed(self) -> None:
        self._clear_error("commitment")

    def _on_follow_up_date_changed(self, _date: QDate) -> None:
        self._clear_error("follow_up")

    def _on_no_follow_up_toggled(self, checked: bool) -> None:
        self.follow_up.setEnabled(not checked)
        self._clear_error("follow_up")


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)
