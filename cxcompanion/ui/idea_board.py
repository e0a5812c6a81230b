"""The idea board: the team's ideas in a column per status, for the lead to triage.

A card moves with the keyboard (select it, Ctrl+Right / Ctrl+Left, or Enter for "Move to…")
or with the mouse (drag it to another column, or the buttons under the board). Every move
first opens the decision bar under the board for an optional note back to the agents; a
duplicate is merged into the idea it repeats, and its agent keeps the credit.

Reading the board is one query (about 15 ms for 3,000 ideas) and a decision a few small
writes, so both run on the UI thread; a move updates the two columns involved, not the board.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QItemSelection, QPoint, QTimer, Signal
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QVBoxLayout, QWidget

from cxcompanion.domain.enums import Role
from cxcompanion.domain.errors import ValidationError
from cxcompanion.services.ideas_board import STATUSES, BoardIdea, IdeasService
from cxcompanion.services.profile import Profile
from cxcompanion.store.errors import StoreError
from cxcompanion.ui.idea_board_bar import MERGE, MOVE, rank_candidates
from cxcompanion.ui.idea_board_column import BoardColumn
from cxcompanion.ui.idea_board_filters import BoardFilters
from cxcompanion.ui.idea_board_panel import SelectionPanel
from cxcompanion.ui.ideas_model import count_text, newest_first
from cxcompanion.ui.theme import style
from cxcompanion.ui.widgets import ErrorLabel


def _label(text: str = "", role: str | None = None, *, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(wrap)
    if role:
        style(label, role)
    return label


class IdeaBoardPage(QWidget):
    idea_decided = Signal(str, str)  # idea id, its new status
    idea_merged = Signal(str, str)  # the duplicate's id, the id of the idea it joined
    ideas_loaded = Signal(int)  # how many ideas are on the board

    def __init__(
        self,
        profile: Profile,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
    ):
        super().__init__(parent)
        self.profile = profile
        self.service = IdeasService(profile) if clock is None else IdeasService(profile, clock)
        self.is_lead = profile.identity.role is Role.LEAD
        self.board: dict[str, BoardIdea] = {}
        self.columns: dict[str, BoardColumn] = {}
        self.current_id: str | None = None
        self._selecting = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 12)
        outer.setSpacing(10)
        header = QHBoxLayout()
        header.setSpacing(8)
        title = QLabel(self.tr("Idea board"))
        style(title, "pageTitle")
        header.addWidget(title)
        header.addStretch(1)
        outer.addLayout(header)
        self.subtitle = _label(role="quiet")
        outer.addWidget(self.subtitle)
        self.error = ErrorLabel()
        outer.addWidget(self.error)
        if not self.is_lead:
            self.subtitle.setText(
                self.tr(
                    "The idea board is your team lead's: they decide on the team's ideas "
                    "here. What became of yours is on your Ideas page."
                )
            )
            outer.addStretch(1)
            return

        self.filters = BoardFilters(profile.taxonomy)
        self.area_filter, self.agent_filter = self.filters.area_filter, self.filters.agent_filter
        header.addWidget(self.filters)
        self.filters.filters_changed.connect(self._on_filters_filters_changed)

        board = QHBoxLayout()
        board.setSpacing(10)
        for status in STATUSES:
            column = BoardColumn(status, profile.taxonomy)
            self.columns[status] = column
            board.addWidget(column, 1)
            view, model = column.view, column.model
            view.selectionModel().selectionChanged.connect(
                lambda sel, _old, s=status: self._on_column_selection_changed(s, sel)
            )
            view.step_requested.connect(self._on_view_step_requested)
            view.neighbour_requested.connect(
                lambda step, s=status: self._on_view_neighbour_requested(s, step)
            )
            view.menu_requested.connect(self._on_view_menu_requested)
            view.doubleClicked.connect(self._on_view_double_clicked)
            model.idea_dropped.connect(self._on_model_idea_dropped)
        outer.addLayout(board, 1)

        self.panel = SelectionPanel(profile.taxonomy)
        self.bar = self.panel.bar
        panel = self.panel
        self.back_button, self.forward_button = panel.back_button, panel.forward_button
        self.move_button, self.merge_button = panel.move_button, panel.merge_button
        outer.addWidget(self.panel)
        self.move_menu = QMenu(self)
        self.move_menu.setAccessibleName(self.tr("Move to"))

        self.back_button.clicked.connect(self._on_back_button_clicked)
        self.forward_button.clicked.connect(self._on_forward_button_clicked)
        self.move_button.clicked.connect(self._on_move_button_clicked)
        self.merge_button.clicked.connect(self._on_merge_button_clicked)
        self.move_menu.triggered.connect(self._on_move_menu_triggered)
        self.bar.move_confirmed.connect(self._on_bar_move_confirmed)
        self.bar.merge_confirmed.connect(self._on_bar_merge_confirmed)
        self.bar.cancelled.connect(self._on_bar_cancelled)
        self.refresh()

    # -- reading and filtering -----------------------------------------------------------

    def refresh(self) -> None:
        """Read the board again (after a sync brought the agents' new ideas)."""
        if not self.is_lead:
            return
        try:
            ideas = self.service.ideas()
        except StoreError as exc:
            self.error.show_error(
                self.tr("The board could not be read: %1").replace("%1", str(exc))
            )
            return
        self.error.show_error(None)
        self.board = {i.id: i for i in ideas}
        self.filters.offer_agents(ideas)
        self._distribute(ideas)
        if self.bar.idea is not None and self.bar.idea.id not in self.board:
            self.panel.close_bar()
        self.ideas_loaded.emit(len(ideas))

    @property
    def area(self) -> str | None:
        return self.filters.area if self.is_lead else None

    @property
    def agent(self) -> str | None:
        return self.filters.agent if self.is_lead else None

    def set_filters(self, *, area: str | None = None, agent: str | None = None) -> None:
        """Show only the ideas of `area` and of `agent` (who captured it, or also did)."""
        self.filters.set_filters(area, agent)
        self._distribute(newest_first(list(self.board.values())))

    def passes(self, idea: BoardIdea) -> bool:
        return self.filters.passes(idea)

    def _distribute(self, ideas: list[BoardIdea]) -> None:
        shown: dict[str, list[BoardIdea]] = {s: [] for s in STATUSES}
        for idea in ideas:
            if self.passes(idea) and idea.status in shown:
                shown[idea.status].append(idea)
        self._selecting = True
        for status, column in self.columns.items():
            column.model.set_ideas(shown[status])
            column.show_count()
        self._selecting = False
        if self.current_id is not None and not self.select(self.current_id):
            self.current_id = None
        self._show_counts()
        self._show_selected()

    def _show_counts(self) -> None:
        total = len(self.board)
        shown = sum(len(c.model) for c in self.columns.values())
        new = len(self.columns["new"].model)
        if total == 0:
            text = self.tr(
                "No ideas on the board yet. They arrive with your agents' contacts at each "
                "sync, and wait here in New."
            )
        elif shown == total:
            text = count_text(total, "1 idea on the board", "%1 ideas on the board")
            text += self.tr(" · %1 new").replace("%1", f"{new:,}")
        else:
            text = self.tr("%1 of %2 ideas shown").replace("%1", f"{shown:,}")
            text = text.replace("%2", f"{total:,}") + self.tr(" · %1 new").replace("%1", f"{new:,}")
        self.subtitle.setText(text)

    # -- selecting -----------------------------------------------------------------------

    def current_idea(self) -> BoardIdea | None:
        return self.board.get(self.current_id) if self.current_id else None

    def select(self, idea_id: str, *, focus: bool = False) -> bool:
        """Select the card of `idea_id`; False if it is not shown (filtered out, merged)."""
        idea = self.board.get(idea_id)
        column = self.columns.get(idea.status) if idea else None
        row = column.model.row_of(idea_id) if column else None
        if column is None or row is None:
            return False
        index = column.model.index(row)
        column.view.setCurrentIndex(index)
        column.view.scrollTo(index)
        self.current_id = idea_id
        if focus:
            column.view.setFocus()
        self._show_selected()
        return True

    def _show_selected(self) -> None:
        self.panel.show_idea(self.current_idea())

    # -- moving --------------------------------------------------------------------------

    def request_move(self, idea_id: str, status: str) -> bool:
        """Open the decision bar for moving `idea_id` to `status`; nothing is decided yet."""
        idea = self.board.get(idea_id)
        if idea is None or status not in STATUSES:
            return False
        self.select(idea_id)
        self.panel.open_move(idea, status)
        self._keep_in_view(idea_id)
        return True

    def request_merge(self, idea_id: str) -> bool:
        """Open the decision bar for merging `idea_id` into the idea it repeats."""
        idea = self.board.get(idea_id)
        if idea is None:
            return False
        self.select(idea_id)
        if idea.also_captured_by:
            self.panel.close_bar()
            self.error.show_error(
                self.tr(
                    "Other ideas are already merged into this one. Merge the other idea into "
                    "it instead, so that nobody's credit is lost."
                )
            )
            return False
        self.error.show_error(None)
        candidates = rank_candidates(idea, newest_first(list(self.board.values())))
        self.panel.open_merge(idea, candidates)
        self._keep_in_view(idea_id)
        return True

    def move(self, idea_id: str, status: str, note: str = "") -> BoardIdea | None:
        """Decide: `idea_id` goes to `status`, with `note` for its agents."""
        old = self.board.get(idea_id)
        try:
            idea = self.service.decide(idea_id, status, note)
        except ValidationError as exc:
            self._fail(exc.errors)
            return None
        except StoreError as exc:
            self._fail({"": str(exc)})
            return None
        self.board[idea.id] = idea
        if old is not None:
            self.columns[old.status].model.take(idea.id)
        if self.passes(idea):
            self.columns[idea.status].model.put(idea)
        self._after_change(idea)
        self.panel.say_moved(idea)
        self.idea_decided.emit(idea.id, idea.status)
        return idea

    def merge(self, idea_id: str, into: str, note: str = "") -> BoardIdea | None:
        """Merge the duplicate `idea_id` into `into`; both agents keep the credit."""
        duplicate = self.board.get(idea_id)
        try:
            target = self.service.merge(idea_id, into, note)
        except ValidationError as exc:
            self._fail(exc.errors)
            return None
        except StoreError as exc:
            self._fail({"": str(exc)})
            return None
        self.board.pop(idea_id, None)
        if duplicate is not None:
            self.columns[duplicate.status].model.take(idea_id)
        self.board[target.id] = target
        if self.passes(target):
            self.columns[target.status].model.put(target)
        self._after_change(target)
        self.panel.say_merged(target, duplicate)
        self.idea_merged.emit(idea_id, target.id)
        return target

    def _fail(self, errors: dict[str, str]) -> None:
        """Say what went wrong beside the note when the bar is open, else above the board."""
        if self.bar.isVisible():
            self.bar.show_errors(errors)
        else:
            self.error.show_error(" ".join(errors.values()))

    def _keep_in_view(self, idea_id: str) -> None:
        """Scroll the card back into view once the bar has taken its room under the board."""

        def scroll() -> None:
            idea = self.board.get(idea_id)
            column = self.columns.get(idea.status) if idea else None
            row = column.model.row_of(idea_id) if column else None
            if column is not None and row is not None:
                column.view.scrollTo(column.model.index(row))

        QTimer.singleShot(0, scroll)

    def _after_change(self, idea: BoardIdea) -> None:
        self.panel.close_bar()
        self.error.show_error(None)
        for column in self.columns.values():
            column.show_count()
        self._show_counts()
        if not self.select(idea.id, focus=True):
            self.current_id = None
            self._show_selected()

    def _step(self, delta: int) -> None:
        idea = self.current_idea()
        if idea is None:
            return
        if self.bar.isVisible() and self.bar.mode == MOVE and self.bar.idea == idea:
            self.bar.step(delta)
            return
        if idea.status not in STATUSES:  # a status from a newer version: use Move to
            return
        position = STATUSES.index(idea.status) + delta
        if 0 <= position < len(STATUSES):
            self.request_move(idea.id, STATUSES[position])

    def _popup_menu(self, where: QPoint) -> None:
        idea = self.current_idea()
        if idea is not None:
            self.panel.fill_menu(self.move_menu, idea)
            self.move_menu.popup(where)

    # -- slots ---------------------------------------------------------------------------

    def _on_filters_filters_changed(self) -> None:
        self._distribute(newest_first(list(self.board.values())))

    def _on_column_selection_changed(self, status: str, selected: QItemSelection) -> None:
        if self._selecting:
            return
        indexes = selected.indexes()
        if not indexes:
            return
        idea = self.columns[status].model.idea(indexes[0].row())
        self._selecting = True
        for other, column in self.columns.items():
            if other != status:
                column.view.selectionModel().clearSelection()
        self._selecting = False
        if self.bar.isVisible() and self.bar.mode == MERGE and self.bar.idea is not None:
            if idea.id != self.bar.idea.id:
                self.bar.choose_target(idea.id)
            return  # picking the target on the board keeps the duplicate selected for merging
        if self.bar.isVisible() and self.bar.idea is not None and self.bar.idea.id != idea.id:
            self.panel.close_bar()
        self.current_id = idea.id
        self._show_selected()

    def _on_view_step_requested(self, delta: int) -> None:
        self._step(delta)

    def _on_view_neighbour_requested(self, status: str, delta: int) -> None:
        position = STATUSES.index(status) + delta
        while 0 <= position < len(STATUSES):
            column = self.columns[STATUSES[position]]
            if len(column.model):
                row = min(max(self.columns[status].view.currentIndex().row(), 0),
                          len(column.model) - 1)  # fmt: skip
                self.select(column.model.idea(row).id, focus=True)
                return
            position += delta

    def _on_view_menu_requested(self, where: QPoint) -> None:
        self._popup_menu(where)

    def _on_view_double_clicked(self, _index) -> None:
        self._popup_menu(QCursor.pos())

    def _on_model_idea_dropped(self, idea_id: str, status: str) -> None:
        self.request_move(idea_id, status)

    def _on_back_button_clicked(self) -> None:
        self._step(-1)

    def _on_forward_button_clicked(self) -> None:
        self._step(1)

    def _on_move_button_clicked(self) -> None:
        self._popup_menu(self.move_button.mapToGlobal(self.move_button.rect().bottomLeft()))

    def _on_merge_button_clicked(self) -> None:
        if self.current_id:
            self.request_merge(self.current_id)

    def _on_move_menu_triggered(self, action) -> None:
        kind, status = action.data()
        if self.current_id is None:
            return
        if kind == MERGE:
            self.request_merge(self.current_id)
        else:
            self.request_move(self.current_id, status)

    def _on_bar_move_confirmed(self, idea_id: str, status: str, note: str) -> None:
        self.move(idea_id, status, note)

    def _on_bar_merge_confirmed(self, idea_id: str, into: str, note: str) -> None:
        self.merge(idea_id, into, note)

    def _on_bar_cancelled(self) -> None:
        idea_id = self.bar.idea.id if self.bar.idea else self.current_id
        self.panel.close_bar()
        if idea_id:
            self.select(idea_id, focus=True)
