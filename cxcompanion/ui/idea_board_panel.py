"""The panel under the idea board: the selected idea in full (cards are cut short), the
buttons that move or merge it, and the decision bar that takes the note."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cxcompanion.domain.taxonomy import Taxonomy
from cxcompanion.services.ideas_board import STATUSES, BoardIdea
from cxcompanion.ui.idea_board_bar import MERGE, MOVE, DecisionBar
from cxcompanion.ui.ideas_model import day_text, names_text, short, status_text, status_word
from cxcompanion.ui.theme import style


def _label(role: str | None = None) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    if role:
        style(label, role)
    return label


class SelectionPanel(QFrame):
    def __init__(self, taxonomy: Taxonomy, parent: QWidget | None = None):
        super().__init__(parent)
        self.taxonomy = taxonomy
        style(self, "card")
        box = QVBoxLayout(self)
        box.setContentsMargins(16, 12, 16, 12)
        box.setSpacing(10)
        self.selection_row = QWidget()
        row = QHBoxLayout(self.selection_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(12)
        detail = QVBoxLayout()
        detail.setSpacing(3)
        self.selected_text = _label("tileTitle")
        self.selected_meta = _label("quiet")
        self.selected_note = _label()
        for label in (self.selected_text, self.selected_meta, self.selected_note):
            detail.addWidget(label)
        row.addLayout(detail, 1)
        self.back_button = QPushButton()
        self.forward_button = QPushButton()
        self.move_button = QPushButton(self.tr("Move &to…"))
        self.move_button.setAccessibleName(self.tr("Move the selected idea to a column"))
        self.move_button.setToolTip(self.tr("Move the selected idea to any column (Enter)"))
        self.merge_button = QPushButton(self.tr("&Merge into…"))
        self.merge_button.setAccessibleName(self.tr("Merge the selected idea into the same idea"))
        self.merge_button.setToolTip(
            self.tr("The same idea, captured twice: merge them, and both agents keep the credit")
        )
        for button in self.buttons():
            button.setAutoDefault(True)
            row.addWidget(button)
        box.addWidget(self.selection_row)
        self.bar = DecisionBar()
        box.addWidget(self.bar)
        self.done = _label("quiet")
        self.done.hide()
        box.addWidget(self.done)
        self.show_idea(None)

    def buttons(self) -> tuple[QPushButton, ...]:
        return (self.back_button, self.forward_button, self.move_button, self.merge_button)

    # -- the selected idea ---------------------------------------------------------------

    def show_idea(self, idea: BoardIdea | None) -> None:
        for button in self.buttons():
            button.setEnabled(idea is not None)
        self._show_step_buttons(idea)
        if idea is None:
            self.selected_text.setText(self.tr("Select an idea to decide on it"))
            self.selected_meta.setText(
                self.tr(
                    "Drag a card to another column, or select it and press Ctrl+Right or "
                    "Ctrl+Left (Enter: Move to). Your note goes back to the agent."
                )
            )
            self.selected_note.hide()
            return
        self.selected_text.setText(f"“{idea.text}”")
        area = self.taxonomy.product_area(idea.area)
        parts = [
            status_text(idea.status),
            self.tr(area.label) if area else idea.area,
            self.tr("captured by %1 on %2")
            .replace("%1", idea.agent)
            .replace("%2", day_text(idea.captured_at, weekday=True)),
        ]
        if idea.also_captured_by:
            parts.append(self.tr("also by %1").replace("%1", names_text(idea.also_captured_by)))
        self.selected_meta.setText(" · ".join(parts))
        self.selected_note.setText(self.tr("Your note: %1").replace("%1", idea.note))
        self.selected_note.setVisible(bool(idea.note))

    def _show_step_buttons(self, idea: BoardIdea | None) -> None:
        position = STATUSES.index(idea.status) if idea and idea.status in STATUSES else -1
        back = STATUSES[position - 1] if position > 0 else None
        forward = STATUSES[position + 1] if 0 <= position < len(STATUSES) - 1 else None
        self.back_button.setText(f"◀ {status_word(back)}" if back else "◀")
        self.forward_button.setText(f"{status_word(forward)} ▶" if forward else "▶")
        self.back_button.setEnabled(back is not None)
        self.forward_button.setEnabled(forward is not None)
        for button, target, keys in ((self.back_button, back, "Ctrl+Left"),
                                     (self.forward_button, forward, "Ctrl+Right")):  # fmt: skip
            words = status_word(target) if target else self.tr("no column")
            button.setAccessibleName(self.tr("Move the selected idea to %1").replace("%1", words))
            button.setToolTip(self.tr("Move to %1 (%2)").replace("%1", words).replace("%2", keys))

    # -- the decision bar ----------------------------------------------------------------

    def open_move(self, idea: BoardIdea, status: str) -> None:
        self.done.hide()
        self.selection_row.hide()  # the bar names the idea: the board keeps its height
        self.bar.open_move(idea, status)

    def open_merge(self, idea: BoardIdea, candidates: Sequence[BoardIdea]) -> None:
        self.done.hide()
        self.selection_row.hide()
        self.bar.open_merge(idea, candidates, self.describe)

    def describe(self, idea: BoardIdea) -> str:
        """An idea in the list of merge targets: its words, who, where and its status."""
        area = self.taxonomy.product_area(idea.area)
        where = self.tr(area.label) if area else idea.area
        return f"“{short(idea.text, 48)}” — {idea.agent} · {where} · {status_word(idea.status)}"

    def close_bar(self) -> None:
        self.bar.close_bar()
        self.selection_row.show()

    def fill_menu(self, menu: QMenu, idea: BoardIdea) -> None:
        """The Move to menu for `idea`: every column (its own: to change the note), and
        Merge. Each action's data says what it asks for: (MOVE, status) or (MERGE, None)."""
        menu.clear()
        for status in STATUSES:
            words = status_text(status)
            if status == idea.status:
                words += self.tr("  (now: change the note)")
            menu.addAction(words).setData((MOVE, status))
        menu.addSeparator()
        menu.addAction(self.tr("Merge into the same idea…")).setData((MERGE, None))

    def say_moved(self, idea: BoardIdea) -> None:
        who = names_text([idea.agent, *idea.also_captured_by])
        self._say(
            (
                self.tr("✓ %1 is now %2. %3 sees it with your note after their next sync.")
                if idea.note
                else self.tr("✓ %1 is now %2. %3 sees it after their next sync.")
            )
            .replace("%1", f"“{short(idea.text)}”")
            .replace("%2", status_word(idea.status).lower())
            .replace("%3", who)
        )

    def say_merged(self, target: BoardIdea, duplicate: BoardIdea | None) -> None:
        self._say(
            self.tr("✓ Merged into %1's idea “%2”. %3 keeps the credit, and follows it.")
            .replace("%1", target.agent)
            .replace("%2", short(target.text))
            .replace("%3", duplicate.agent if duplicate else self.tr("Its agent"))
        )

    def _say(self, text: str) -> None:
        self.done.setText(text)
        self.done.show()
