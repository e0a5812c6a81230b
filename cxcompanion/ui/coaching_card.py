"""One coaching note as a card: who wrote it and when, what it is about, the strengths, the one
growth area, the commitment and the follow-up, its state in words, and the answers under it.

The agent's card carries the answer buttons and an inline reply box; the lead's card reads.
"""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cxcompanion.services.coaching import Note, Reply
from cxcompanion.ui.sync_controller import when_text
from cxcompanion.ui.theme import ACCENT_DARK, style
from cxcompanion.ui.widgets import ErrorLabel

# The state in a soft chip: the words carry the meaning, the chip only groups them.
CHIP_SHEET = (
    f"QLabel {{ color: {ACCENT_DARK}; background: #e7f0f4; border: 1px solid #b9d0da; "
    "border-radius: 10px; padding: 2px 10px; }"
)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ROWS = ("about", "strengths", "growth_area", "commitment", "follow_up")


def _tr(text: str) -> str:
    return QCoreApplication.translate("CoachingPage", text)


def day_text(day: date | str, *, weekday: bool = True) -> str:
    """ "2026-12-07" → "Mon 7 Dec 2026" (or "7 Dec 2026")."""
    if isinstance(day, str):
        day = date.fromisoformat(day)
    text = f"{day.day} {_tr(MONTHS[day.month - 1])} {day.year}"
    return f"{_tr(DAYS[day.weekday()])} {text}" if weekday else text


def state_text(note: Note, *, for_agent: bool) -> str:
    """The note's state in words (a sign beside them, never a colour alone)."""
    if note.done:
        return _tr("★ Commitment done") if note.commitment else _tr("★ Done")
    if note.acknowledged:
        return _tr("✓ Acknowledged")
    return _tr("✉ New — please read") if for_agent else _tr("○ Not acknowledged yet")


def answer_text(reply: Reply, who: str, now: datetime) -> str:
    when = when_text(reply.at, now)
    if reply.kind == "ack":
        return _tr("✓ %1 acknowledged the note · %2").replace("%1", who).replace("%2", when)
    if reply.kind == "done":
        return _tr("★ %1 marked the commitment done · %2").replace("%1", who).replace("%2", when)
    return _tr("↳ %1 replied · %2").replace("%1", who).replace("%2", when)


def _label(text: str = "", role: str | None = None, *, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if role:
        style(label, role)
    if role == "fieldLabel":
        label.setContentsMargins(0, 0, 0, 0)
    return label


class NoteCard(QFrame):
    """A note for its agent (`for_agent`, with the answer buttons) or for the lead."""

    acknowledge_requested = Signal(str)
    reply_requested = Signal(str, str)  # note id, the reply's text
    done_requested = Signal(str)

    def __init__(
        self,
        note: Note,
        about: str,
        *,
        for_agent: bool,
        today: date,
        now: datetime,
        label_width: int = 0,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        style(self, "card")
        self.note = note
        self.for_agent = for_agent
        box = QVBoxLayout(self)
        box.setContentsMargins(20, 16, 20, 16)
        box.setSpacing(12)
        top = QHBoxLayout()
        top.setSpacing(12)
        self.title = _label(role="tileTitle")
        self.title.setContentsMargins(0, 3, 0, 0)  # on the state chip's line
        self.state = _label(wrap=False)
        self.state.setObjectName("noteState")
        self.state.setStyleSheet(CHIP_SHEET)
        # The lead's reminder, in its own chip: a follow-up is due (words and a sign).
        self.due = _label(self.tr("↻ Follow-up due"), wrap=False)
        self.due.setObjectName("followUpDue")
        self.due.setStyleSheet(CHIP_SHEET)
        self.due.hide()
        chips = QVBoxLayout()  # one above the other: the title keeps its line
        chips.setSpacing(6)
        chips.addWidget(self.state, 0, Qt.AlignmentFlag.AlignRight)
        chips.addWidget(self.due, 0, Qt.AlignmentFlag.AlignRight)
        top.addWidget(self.title, 1, Qt.AlignmentFlag.AlignTop)
        top.addLayout(chips)
        box.addLayout(top)

        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(8)
        grid.setColumnStretch(1, 1)
        headings = {
            "about": self.tr("About"),
            "strengths": self.tr("What went well"),
            "growth_area": self.tr("One thing to work on"),
            "commitment": self.tr("Your commitment") if for_agent else self.tr("Commitment"),
            "follow_up": self.tr("Follow-up"),
        }
        self.headings: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        for row, key in enumerate(ROWS):
            heading = _label(headings[key], "fieldLabel", wrap=False)
            heading.setMinimumWidth(label_width)
            value = _label()
            grid.addWidget(heading, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, row, 1)
            self.headings[key], self.values[key] = heading, value
        box.addLayout(grid)

        self.answers = QVBoxLayout()
        self.answers.setSpacing(6)
        self.answers_frame = QFrame()
        self.answers_frame.setFrameShape(QFrame.Shape.NoFrame)
        self.answers_frame.setLayout(self.answers)
        self.answers.setContentsMargins(0, 4, 0, 0)
        box.addWidget(self.answers_frame)

        if for_agent:
            self._build_answering(box, note.lead)
        self.set_note(note, about, today=today, now=now)

    def _build_answering(self, box: QVBoxLayout, lead: str) -> None:
        """The agent's buttons and the inline reply box (a lead's card has neither)."""
        self.acknowledge_button = QPushButton(self.tr("Acknowledge"))
        self.reply_button = QPushButton(self.tr("Reply…"))
        self.done_button = QPushButton(self.tr("Commitment done"))
        self.reply_box = QWidget()
        self.reply_edit = QPlainTextEdit()
        self.reply_error = ErrorLabel()
        self.send_button = QPushButton(self.tr("Send  (Ctrl+Enter)"))
        self.cancel_button = QPushButton(self.tr("Cancel  (Esc)"))
        buttons = QHBoxLayout()
        buttons.setSpacing(10)
        self.acknowledge_button.setAccessibleName(
            self.tr("Acknowledge the note from %1").replace("%1", lead)
        )
        self.acknowledge_button.setToolTip(self.tr("Tell %1 you have read it").replace("%1", lead))
        self.reply_button.setAccessibleName(self.tr("Reply to %1").replace("%1", lead))
        self.done_button.setAccessibleName(self.tr("Mark the commitment done"))
        self.done_button.setToolTip(self.tr("You did what you agreed to try"))
        for button in (self.acknowledge_button, self.reply_button, self.done_button):
            button.setAutoDefault(True)  # Enter presses the focused button, as Space does
            _roomy(button)
            buttons.addWidget(button)
        buttons.addStretch(1)
        box.addLayout(buttons)

        column = QVBoxLayout(self.reply_box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        self.reply_edit.setTabChangesFocus(True)
        self.reply_edit.setAccessibleName(self.tr("Your reply to %1").replace("%1", lead))
        self.reply_edit.setPlaceholderText(
            self.tr("A question, a thought, or how it went when you tried it")
        )
        self.reply_edit.setFixedHeight(72)
        column.addWidget(self.reply_edit)
        column.addWidget(self.reply_error)
        row = QHBoxLayout()
        row.setSpacing(10)
        row.addStretch(1)
        self.cancel_button.setAccessibleName(self.tr("Cancel the reply"))
        self.send_button.setAccessibleName(self.tr("Send the reply"))
        style(self.send_button, "primary")
        for button in (self.cancel_button, self.send_button):
            button.setAutoDefault(True)
            row.addWidget(button)
        column.addLayout(row)
        self.reply_box.hide()
        box.addWidget(self.reply_box)

        self.acknowledge_button.clicked.connect(self._on_acknowledge_button_clicked)
        self.reply_button.clicked.connect(self._on_reply_button_clicked)
        self.done_button.clicked.connect(self._on_done_button_clicked)
        self.send_button.clicked.connect(self._on_send_button_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            send = QShortcut(QKeySequence(keys), self.reply_box)
            send.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            send.activated.connect(self._on_send_button_clicked)
        escape = QShortcut(QKeySequence("Escape"), self.reply_box)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self._on_cancel_button_clicked)

    # -- showing -------------------------------------------------------------------------

    def set_note(self, note: Note, about: str, *, today: date, now: datetime) -> None:
        self.note = note
        when = when_text(note.written_at, now)
        lead = note.lead or self.tr("your lead")
        if self.for_agent:
            title = self.tr("From %1 · %2").replace("%1", lead)
        else:
            title = self.tr("To %1 · %2").replace("%1", note.agent)
        self.title.setText(title.replace("%2", when))
        state = state_text(note, for_agent=self.for_agent)
        due = not self.for_agent and note.follow_up_due(today)
        self.state.setText(state)
        self.due.setVisible(due)
        follow_up = ""
        if note.follow_up:
            follow_up = day_text(note.follow_up)
            if self.for_agent and not note.done:
                follow_up += self.tr(" · a check-in with %1").replace("%1", lead)
            elif due:
                follow_up += self.tr(" · due")
        texts = {
            "about": about,
            "strengths": note.strengths,
            "growth_area": note.growth_area,
            "commitment": note.commitment,
            "follow_up": follow_up,
        }
        for key, text in texts.items():
            self.values[key].setText(text)
            self.headings[key].setVisible(bool(text))
            self.values[key].setVisible(bool(text))
        self._show_answers(note, now)
        if self.for_agent:
            self.acknowledge_button.setVisible(not note.acknowledged and not note.done)
            self.done_button.setVisible(not note.done)
            # Without a commitment, "done" still closes the note (and its follow-up).
            self.done_button.setText(
                self.tr("Commitment done") if note.commitment else self.tr("Mark as done")
            )
            self.done_button.setMinimumSize(0, 0)
            _roomy(self.done_button)
        who = note.lead if self.for_agent else note.agent
        if due:
            state += " · " + self.due.text()
        self.setAccessibleName(
            self.tr("Coaching note %1 %2: %3")
            .replace("%1", self.tr("from") if self.for_agent else self.tr("to"))
            .replace("%2", who)
            .replace("%3", state)
        )

    def _show_answers(self, note: Note, now: datetime) -> None:
        while self.answers.count():
            widget = self.answers.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        who = self.tr("You") if self.for_agent else note.agent
        for reply in note.replies:
            self.answers.addWidget(_label(answer_text(reply, who, now), "quiet"))
            if reply.kind == "reply" and reply.text:
                text = _label(reply.text)
                text.setContentsMargins(18, 0, 0, 4)
                self.answers.addWidget(text)
        self.answers_frame.setVisible(bool(note.replies))

    def text(self) -> str:
        """Everything the card says, for tests and for a screen reader's summary."""
        parts = [self.title.text(), self.state.text()]
        if not self.due.isHidden():
            parts.append(self.due.text())
        parts += [v.text() for v in self.values.values() if v.text()]
        for index in range(self.answers.count()):
            widget = self.answers.itemAt(index).widget()
            if isinstance(widget, QLabel):
                parts.append(widget.text())
        return "\n".join(parts)

    # -- answering (the agent's card) -----------------------------------------------------

    def open_reply(self, text: str | None = None, *, focus: bool = True) -> None:
        if text is not None:
            self.reply_edit.setPlainText(text)
            self.reply_edit.moveCursor(QTextCursor.MoveOperation.End)  # typing goes on after it
        self.reply_error.show_error(None)
        self.reply_box.show()
        self.reply_button.setEnabled(False)
        if focus:
            self.reply_edit.setFocus()

    def close_reply(self, *, clear: bool = False) -> None:
        if clear:
            self.reply_edit.clear()
        self.reply_error.show_error(None)
        self.reply_box.hide()
        self.reply_button.setEnabled(True)
        self.reply_button.setFocus()

    def show_reply_error(self, message: str) -> None:
        self.reply_error.show_error(message)
        self.reply_edit.setFocus()

    def _on_acknowledge_button_clicked(self) -> None:
        self.acknowledge_requested.emit(self.note.id)

    def _on_reply_button_clicked(self) -> None:
        self.open_reply()

    def _on_done_button_clicked(self) -> None:
        self.done_requested.emit(self.note.id)

    def _on_send_button_clicked(self) -> None:
        if not self.reply_box.isHidden():
            self.reply_requested.emit(self.note.id, self.reply_edit.toPlainText())

    def _on_cancel_button_clicked(self) -> None:
        self.close_reply()


def _roomy(button: QPushButton) -> None:
    """A plain button with room around its word (the platform's default is tight)."""
    hint = button.sizeHint()
    button.setMinimumSize(hint.width() + 24, hint.height() + 6)
