"""Ideas: what became of every idea the agent captured, newest first, with the lead's note.

An adopted idea stands out (the recognition that keeps agents listening for ideas); an idea
merged into a colleague's says that the credit is shared. Reading is one quick query (a few
milliseconds for thousands of ideas), so the page reads on the UI thread.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cxcompanion.services.ideas_board import STATUSES, BoardIdea, IdeasService
from cxcompanion.services.profile import Profile
from cxcompanion.store.errors import StoreError
from cxcompanion.ui.ideas_card import CardListView, IdeaCardDelegate
from cxcompanion.ui.ideas_model import (
    MINE,
    IdeaListModel,
    count_text,
    status_text,
    status_word,
)
from cxcompanion.ui.theme import style
from cxcompanion.ui.widgets import ErrorLabel

ALL = "all"
# What an empty filter says (the status filter is on, and nothing has that status).
_NONE_WITH = {
    "new": "No idea is waiting for your lead's first look.",
    "under_review": "No idea is under review just now.",
    "planned": "No idea is planned yet.",
    "adopted": "No idea adopted yet. Every idea you capture is read; keep listening for them.",
    "declined": "No idea declined.",
}


class IdeasPage(QWidget):
    ideas_loaded = Signal(int)  # how many ideas the agent has captured

    def __init__(self, profile: Profile, parent: QWidget | None = None):
        super().__init__(parent)
        self.profile = profile
        self.service = IdeasService(profile)
        self.status_filter: str | None = None
        self.all_ideas: list[BoardIdea] = []

        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 12)
        outer.setSpacing(10)
        title = QLabel(self.tr("My ideas"))
        style(title, "pageTitle")
        outer.addWidget(title)
        self.summary = QLabel()
        style(self.summary, "sectionTitle")
        self.summary.setAccessibleName(self.tr("Your ideas in numbers"))
        outer.addWidget(self.summary)
        self.intro = QLabel(
            self.tr(
                "The ideas your customers gave you, in their words. Your team lead reads each "
                "one on the team's idea board; when they decide, you see it here with their "
                "note."
            )
        )
        self.intro.setWordWrap(True)
        style(self.intro, "quiet")
        outer.addWidget(self.intro)
        self.error = ErrorLabel()
        outer.addWidget(self.error)

        filters = QHBoxLayout()
        filters.setSpacing(8)
        show = QLabel(self.tr("Show:"))
        filters.addWidget(show)
        self.filter_group = QButtonGroup(self)
        self.filter_buttons: dict[str, QPushButton] = {}
        for position, key in enumerate((ALL, *STATUSES)):
            button = QPushButton()
            button.setCheckable(True)
            button.setAutoDefault(True)
            self.filter_group.addButton(button, position)
            self.filter_buttons[key] = button
            filters.addWidget(button)
        self.filter_buttons[ALL].setChecked(True)
        self.filter_group.idClicked.connect(self._on_filter_group_id_clicked)
        filters.addStretch(1)
        outer.addSpacing(4)
        outer.addLayout(filters)

        self.model = IdeaListModel(profile.taxonomy, mode=MINE, parent=self)
        self.view = CardListView()
        self.view.setModel(self.model)
        self.delegate = IdeaCardDelegate(MINE, self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.setAccessibleName(self.tr("Your ideas, newest first"))
        self.view.setAccessibleDescription(
            self.tr("Up and Down move between ideas; each is read with its status and note")
        )
        self.view.verticalScrollBar().setSingleStep(24)
        self.view.setLayoutMode(QListView.LayoutMode.Batched)
        self.view.setBatchSize(200)
        self.view.setFrameShape(QFrame.Shape.NoFrame)
        self.view.viewport().setBackgroundRole(QPalette.ColorRole.Window)
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.empty.setContentsMargins(0, 12, 0, 0)
        self.empty.hide()
        outer.addWidget(self.view, 1)
        outer.addWidget(self.empty, 1)
        self.refresh()

    # -- public API ----------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the agent's ideas again (after a sync brought the lead's decisions)."""
        try:
            self.all_ideas = self.service.ideas(agent=self.profile.identity.name)
        except StoreError as exc:  # the disk or the database: say so, keep what is shown
            self.error.show_error(
                self.tr("Your ideas could not be read: %1").replace("%1", str(exc))
            )
            return
        self.error.show_error(None)
        self._show_summary()
        self._show_list()
        self.ideas_loaded.emit(len(self.all_ideas))

    def set_status_filter(self, status: str | None) -> None:
        """Show only the ideas with `status` (None: all of them)."""
        self.status_filter = status
        self.filter_buttons[status or ALL].setChecked(True)
        self._show_list()

    def shown(self) -> list[BoardIdea]:
        return self.model.ideas()

    # -- showing -------------------------------------------------------------------------

    def _counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for idea in self.all_ideas:
            counts[idea.status] = counts.get(idea.status, 0) + 1
        return counts

    def _show_summary(self) -> None:
        counts, total = self._counts(), len(self.all_ideas)
        if total == 0:
            self.summary.setText(self.tr("No ideas captured yet"))
        else:
            parts = [
                count_text(total, "1 idea captured", "%1 ideas captured"),
                self.tr("★ %1 adopted").replace("%1", str(counts["adopted"])),
                self.tr("%1 planned").replace("%1", str(counts["planned"])),
            ]
            if counts["under_review"]:
                parts.append(self.tr("%1 under review").replace("%1", str(counts["under_review"])))
            self.summary.setText(" · ".join(parts))
        self.filter_buttons[ALL].setText(self.tr("All  %1").replace("%1", str(total)))
        self.filter_buttons[ALL].setAccessibleName(
            self.tr("Show all your ideas (%1)").replace("%1", str(total))
        )
        for status in STATUSES:
            button = self.filter_buttons[status]
            button.setText(f"{status_text(status)}  {counts[status]}")
            button.setAccessibleName(
                self.tr("Show only ideas %1 (%2)")
                .replace("%1", status_word(status).lower())
                .replace("%2", str(counts[status]))
            )

    def _show_list(self) -> None:
        status = self.status_filter
        shown = [i for i in self.all_ideas if status is None or i.status == status]
        self.delegate.forget()
        self.model.set_ideas(shown, own=(i.id for i in self.all_ideas))
        if not self.all_ideas:
            self.empty.setText(
                self.tr(
                    "No ideas yet. When a customer suggests something, a wish, a fix or a pain "
                    "point, add it under Ideas on the log form, in their words. You will see "
                    "here what became of it, and the credit when it is adopted."
                )
            )
        elif not shown and status is not None:
            self.empty.setText(self.tr(_NONE_WITH[status]))
        self.view.setVisible(bool(shown))
        self.empty.setVisible(not shown)

    # -- slots ---------------------------------------------------------------------------

    def _on_filter_group_id_clicked(self, position: int) -> None:
        key = (ALL, *STATUSES)[position]
        self.set_status_filter(None if key == ALL else key)
