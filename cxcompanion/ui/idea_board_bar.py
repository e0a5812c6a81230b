"""The inline editor under the idea board that finishes a move or a merge: where to, and an
optional note that goes back to the agents who captured the idea. Never a modal dialog:
Enter confirms, Escape lets go, and the board stays in view.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from cxcompanion.services.ideas_board import NOTE_MAX, STATUSES, BoardIdea
from cxcompanion.ui.ideas_model import names_text, short, status_text
from cxcompanion.ui.theme import style
from cxcompanion.ui.widgets import ErrorLabel

MOVE = "move"
MERGE = "merge"
_WORD = re.compile(r"[^\W_]{3,}")
_COMMON = frozenset(
    ("the", "and", "for", "from", "with", "that", "this", "please", "would", "could", "when")
)


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.casefold()) if w not in _COMMON}


def rank_candidates(duplicate: BoardIdea, ideas: Sequence[BoardIdea]) -> list[BoardIdea]:
    """The ideas `duplicate` could join, the likeliest first: most words in common, then the
    same product area, then newest. Ideas already merged elsewhere cannot be joined."""
    mine = _words(duplicate.text)

    def likeness(idea: BoardIdea) -> float:
        theirs = _words(idea.text)
        return len(mine & theirs) / len(mine | theirs) if mine and theirs else 0.0

    pool = [i for i in ideas if i.id != duplicate.id and not i.merged_into]
    # The same area counts for a little: among ideas with no word in common it decides.
    scored = [(likeness(i) + (0.2 if i.area == duplicate.area else 0.0), i) for i in pool]
    scored.sort(key=lambda s: -s[0])  # stable: newest first among equals
    return [s[1] for s in scored]


class DecisionBar(QFrame):
    move_confirmed = Signal(str, str, str)  # idea id, status, note
    merge_confirmed = Signal(str, str, str)  # duplicate id, the idea it joins, note
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.mode = MOVE
        self.idea: BoardIdea | None = None
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.setAutoFillBackground(True)
        self.title = QLabel()
        style(self.title, "tileTitle")
        self.title.setWordWrap(True)
        self.status_choice = QComboBox()
        self.status_choice.setAccessibleName(self.tr("Move the idea to"))
        for status in STATUSES:
            self.status_choice.addItem(status_text(status), status)
        self.target_choice = QComboBox()
        self.target_choice.setAccessibleName(self.tr("The idea this one is the same as"))
        self.target_choice.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.target_choice.setMinimumContentsLength(40)
        self.target_choice.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.choice_label = QLabel()
        style(self.choice_label, "fieldLabel")
        self.choice_label.setContentsMargins(0, 0, 0, 0)
        self.hint = QLabel()
        style(self.hint, "quiet")
        self.hint.setWordWrap(True)
        self.side_hint = QLabel(self.tr("The likeliest first, or select it on the board."))
        style(self.side_hint, "quiet")
        self.side_hint.setWordWrap(True)
        self.note_label = QLabel()
        style(self.note_label, "fieldLabel")
        self.note_label.setContentsMargins(0, 0, 0, 0)
        self.note = QLineEdit()
        self.note.setMaxLength(NOTE_MAX)
        self.note.setClearButtonEnabled(True)
        self.note.setAccessibleName(self.tr("Note to the agent"))
        self.note.installEventFilter(self)
        self.note_label.setBuddy(self.note)
        self.choice_label.setBuddy(self.status_choice)
        self.confirm_button = QPushButton()
        style(self.confirm_button, "primary")
        self.confirm_button.setAutoDefault(True)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setAutoDefault(True)
        self.cancel_button.setToolTip(self.tr("Leave the idea where it is (Escape)"))
        self.cancel_button.setAccessibleName(self.tr("Cancel, leave the idea where it is"))
        self.error = ErrorLabel()

        grid = QGridLayout(self)
        grid.setContentsMargins(16, 12, 16, 12)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(8)
        grid.addWidget(self.title, 0, 0, 1, 3)
        grid.addWidget(self.choice_label, 1, 0)
        choice_row = QHBoxLayout()
        choice_row.setSpacing(12)
        choice_row.addWidget(self.status_choice)
        choice_row.addWidget(self.target_choice, 1)
        choice_row.addWidget(self.hint, 1)
        grid.addLayout(choice_row, 1, 1)
        grid.addWidget(self.side_hint, 1, 2)
        grid.addWidget(self.note_label, 2, 0)
        grid.addWidget(self.note, 2, 1)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(self.cancel_button)
        grid.addLayout(buttons, 2, 2)
        grid.addWidget(self.error, 3, 1, 1, 2)
        grid.setColumnStretch(1, 1)

        self.note.returnPressed.connect(self._on_note_return_pressed)
        self.confirm_button.clicked.connect(self._on_confirm_button_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        self.status_choice.currentIndexChanged.connect(self._on_status_choice_changed)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self._on_escape_activated)
        self.hide()

    # -- opening -------------------------------------------------------------------------

    def open_move(self, idea: BoardIdea, status: str) -> None:
        """Ask where `idea` goes (starting at `status`) and for a note to its agents."""
        self.mode, self.idea = MOVE, idea
        self.error.show_error(None)
        self.note.clear()
        self.status_choice.show()
        self.target_choice.hide()
        self.choice_label.setText(self.tr("&Move to"))
        self.choice_label.setBuddy(self.status_choice)
        self.hint.setText(self.tr("Ctrl+Right or Ctrl+Left in an empty note changes the column."))
        self.hint.show()
        self.side_hint.hide()
        self.status_choice.setCurrentIndex(STATUSES.index(status))
        self._show_move_words()
        self.note.setPlaceholderText(self.tr("Why, or what happens next (optional)"))
        self.show()
        self.note.setFocus()

    def open_merge(
        self,
        idea: BoardIdea,
        candidates: Sequence[BoardIdea],
        describe: Callable[[BoardIdea], str],
    ) -> None:
        """Ask which idea `idea` is the same as (the likeliest first) and for a note."""
        self.mode, self.idea = MERGE, idea
        self.error.show_error(None)
        self.note.clear()
        self.status_choice.hide()
        self.target_choice.show()
        self.target_choice.clear()
        for candidate in candidates:
            self.target_choice.addItem(describe(candidate), candidate.id)
        self.choice_label.setText(self.tr("&Same as"))
        self.choice_label.setBuddy(self.target_choice)
        self.hint.hide()
        self.side_hint.show()
        self.title.setText(
            self.tr("Merge %1's idea “%2” into the idea it repeats")
            .replace("%1", idea.agent)
            .replace("%2", short(idea.text))
        )
        self.note_label.setText(self.tr("&Note to %1").replace("%1", idea.agent))
        self.note.setAccessibleName(self.tr("Note to %1 (optional)").replace("%1", idea.agent))
        self.note.setPlaceholderText(
            self.tr("Optional. Without one: “Merged with the same idea: …”")
        )
        self.confirm_button.setText(self.tr("Merge  ↵"))
        self.confirm_button.setAccessibleName(self.tr("Merge the two ideas"))
        self.confirm_button.setToolTip(self.tr("Merge (Enter); both agents keep the credit"))
        self.confirm_button.setEnabled(bool(candidates))
        if not candidates:
            self.error.show_error(self.tr("There is no other idea on the board to merge with."))
        self.show()
        (self.target_choice if candidates else self.cancel_button).setFocus()

    def close_bar(self) -> None:
        self.idea = None
        self.hide()

    # -- reading -------------------------------------------------------------------------

    def status(self) -> str:
        return self.status_choice.currentData()

    def target(self) -> str | None:
        return self.target_choice.currentData()

    def choose_target(self, idea_id: str) -> bool:
        """Point the merge at `idea_id` (selected on the board); False if it cannot be."""
        position = self.target_choice.findData(idea_id)
        if position >= 0:
            self.target_choice.setCurrentIndex(position)
        return position >= 0

    def step(self, delta: int) -> None:
        """Move the target column one to the left (-1) or right (+1)."""
        position = self.status_choice.currentIndex() + delta
        if 0 <= position < self.status_choice.count():
            self.status_choice.setCurrentIndex(position)

    def show_errors(self, errors: dict[str, str]) -> None:
        self.error.show_error(" ".join(errors.values()))

    # -- words ---------------------------------------------------------------------------

    def _recipients(self) -> str:
        idea = self.idea
        return names_text([idea.agent, *idea.also_captured_by]) if idea else ""

    def _show_move_words(self) -> None:
        idea = self.idea
        if idea is None:
            return
        target = self.status()
        same = target == idea.status
        self.title.setText(
            (self.tr("Change the note on “%1”") if same else self.tr("Move “%1” from %2 to %3"))
            .replace("%1", short(idea.text))
            .replace("%2", status_text(idea.status))
            .replace("%3", status_text(target))
        )
        who = self._recipients()
        self.note_label.setText(self.tr("&Note to %1").replace("%1", who))
        self.note.setAccessibleName(self.tr("Note to %1 (optional)").replace("%1", who))
        self.confirm_button.setEnabled(True)
        self.confirm_button.setText(self.tr("Save note  ↵") if same else self.tr("Move  ↵"))
        self.confirm_button.setAccessibleName(
            self.tr("Save the note") if same else self.tr("Move the idea")
        )
        self.confirm_button.setToolTip(
            self.tr("Confirm (Enter); %1 sees it after their next sync").replace("%1", who)
        )

    # -- keys and slots ------------------------------------------------------------------

    def eventFilter(self, watched, event) -> bool:
        if watched is self.note and isinstance(event, QKeyEvent) and self.mode == MOVE:
            arrows = (Qt.Key.Key_Left, Qt.Key.Key_Right)
            ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
            if (
                event.type() == QKeyEvent.Type.KeyPress
                and event.key() in arrows
                and ctrl
                and not self.note.text()
            ):
                self.step(-1 if event.key() == Qt.Key.Key_Left else 1)
                return True
        return super().eventFilter(watched, event)

    def _confirm(self) -> None:
        if self.idea is None or not self.confirm_button.isEnabled():
            return
        note = self.note.text().strip()
        if self.mode == MOVE:
            self.move_confirmed.emit(self.idea.id, self.status(), note)
        elif self.target():
            self.merge_confirmed.emit(self.idea.id, self.target(), note)

    def _on_note_return_pressed(self) -> None:
        self._confirm()

    def _on_confirm_button_clicked(self) -> None:
        self._confirm()

    def _on_cancel_button_clicked(self) -> None:
        self.cancelled.emit()

    def _on_escape_activated(self) -> None:
        self.cancelled.emit()

    def _on_status_choice_changed(self, _index: int) -> None:
        if self.mode == MOVE:
            self._show_move_words()
