"""The team's contacts as a lazy Qt table model: row ids held, rows read when shown.

The model keeps the listing as an array of row ids (8 bytes a contact, so scrolling to the
end of a million costs 8 MB) and reads the texts of a block of rows when the view first
asks for one, keeping the last few blocks. `fetchMore` asks the store for the next page with
a bounded walk (store/team_review.py); when a rare filter leaves a page short, the model
goes on by itself, one slice of at most ~20 ms per turn of the event loop, so the window
never freezes and the rows appear as they are found. A search and the counts are read by a
worker on its own connection; a newer filter interrupts the older worker's statement.
"""

from __future__ import annotations

import time
from array import array
from collections import OrderedDict
from collections.abc import Callable
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from cxcompanion.services.profile import Profile
from cxcompanion.store.contacts import Cursor
from cxcompanion.store.team_review import (
    BUDGET,
    PAGE_SIZE,
    ReviewFilter,
    ReviewSummary,
    TeamReview,
)
from cxcompanion.ui.team_review_reads import InterruptibleRead
from cxcompanion.ui.team_review_rows import RowTextMaker, RowTexts, header_tips, headers
from cxcompanion.ui.workers import run_in_background

BLOCK = 50  # rows read together when the view first shows one of them (~3 ms)
KEPT_BLOCKS = 80  # blocks of texts kept (4,000 rows); the rest is read again when shown
SLICE_SECONDS = 0.02  # how long a page walk may hold the UI thread before it yields
MIN_STEP = 100  # the fewest index entries a page call looks at
# A rare filter still walking when its count arrives: if this few are left to find, a worker
# reads them all at once (a rare filter over all of history: ~1 s, not seconds of slices).
MATCH_ALL_LIMIT = 20_000
CONTACT_ID_ROLE = Qt.ItemDataRole.UserRole + 1

_Index = QModelIndex | QPersistentModelIndex
_Role = Qt.ItemDataRole


class Column(IntEnum):
    WHEN = 0
    AGENT = 1
    CHANNEL = 2
    PURPOSE = 3
    OUTCOME = 4
    VERDICT = 5
    IDEAS = 6
    EVALUATED = 7


class TeamReviewModel(QAbstractTableModel):
    counted = Signal(int)  # the number of contacts the filter lets through
    searching_changed = Signal(bool)  # a search (or a long walk) is under way
    failed = Signal(str)  # a read in a worker failed, in words

    def __init__(self, profile: Profile, parent: QObject | None = None):
        super().__init__(parent)
        self._profile = profile
        self._me = profile.identity.name
        self._queries = TeamReview(profile.store)
        self.budget = BUDGET  # index entries one page call may look at, at most
        self._step = BUDGET  # ...and the number it looks at now
        self._filter = ReviewFilter()
        self._keys = array("q")
        self._cursor: Cursor | None = None
        self._exhausted = False
        self._wanted = 0  # rows the current fetch still looks for
        self._searching = False
        self._count: int | None = None
        self._blocks: OrderedDict[int, list[RowTexts]] = OrderedDict()
        self._reads: dict[str, InterruptibleRead] = {}
        self._generation = 0
        self._texts = RowTextMaker(profile.taxonomy, self._me)
        self._headers, self._header_tips = headers(), header_tips()
        self._start()

    # -- public API ----------------------------------------------------------------------

    @property
    def filter(self) -> ReviewFilter:
        return self._filter

    def set_filter(self, f: ReviewFilter) -> None:
        """Show the contacts `f` lets through, newest first (a search: when found)."""
        self._filter = f
        self.reload()

    def reload(self, *, at_least: int = 0) -> None:
        """Read the listing again (after a sync), as deep as `at_least` rows if it can."""
        self.beginResetModel()
        self._start(at_least)
        self.endResetModel()

    @property
    def count(self) -> int | None:
        """The number the filter lets through, None while it is being counted."""
        return self._count

    @property
    def searching(self) -> bool:
        return self._searching

    @property
    def shows_other_years(self) -> bool:
        return self._texts.other_years

    def summary(self, row: int) -> ReviewSummary | None:
        if not 0 <= row < len(self._keys):
            return None
        return self._row(row).summary

    def contact_id(self, row: int) -> str | None:
        found = self.summary(row)
        return None if found is None else found.id

    def row_of(self, contact_id: str) -> int | None:
        """The row of a loaded contact, or None (not loaded yet, or filtered out)."""
        rowid = self._queries.rowid_of(contact_id)
        if rowid is None:
            return None
        try:
            return self._keys.index(rowid)
        except ValueError:
            return None

    def refresh_contact(self, contact_id: str) -> None:
        """Read one contact's row again (it was evaluated); the listing stays as it is."""
        row = self.row_of(contact_id)
        if row is None:
            return
        self._blocks.pop(row // BLOCK, None)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(Column) - 1))

    def stop(self) -> None:
        """Interrupt the workers' reads (the page is going away)."""
        self._generation += 1
        for read in self._reads.values():
            read.cancel()
        self._reads.clear()

    # -- lazy fetching -------------------------------------------------------------------

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted and not self._wanted

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted or self._wanted:
            return
        self._wanted = PAGE_SIZE
        self._walk(insert=True)

    def _start(self, at_least: int = 0) -> None:
        self.stop()
        self._keys = array("q")
        self._cursor, self._exhausted, self._wanted = None, False, 0
        self._step = self.budget
        self._blocks.clear()
        self._texts.other_years = False
        self._count = None
        self._set_searching(False)
        if self._filter.fts is not None:
            self._exhausted = True  # the worker brings every match at once
            self._set_searching(True)
            self._read("search", lambda q, f=self._filter: q.matching(f))
            return
        self._wanted = max(PAGE_SIZE, at_least)
        self._walk(insert=False)
        if self._exhausted:  # all of it is here: that is the count, no worker needed
            self._count = len(self._keys)
            generation, count = self._generation, self._count
            QTimer.singleShot(0, self, lambda: self._announce(generation, count))
        else:
            self._read("count", lambda q, f=self._filter: q.count(f))

    def _announce(self, generation: int, count: int) -> None:
        if generation == self._generation:
            self.counted.emit(count)

    def _walk(self, *, insert: bool) -> None:
        """Walk on for the rows still wanted, for one slice; go on next turn if need be."""
        deadline = time.perf_counter() + SLICE_SECONDS
        found: list[int] = []
        while self._wanted > 0 and not self._exhausted:
            started = time.perf_counter()
            page = self._queries.page(
                self._filter, after=self._cursor, limit=self._wanted, budget=self._step
            )
            spent = time.perf_counter() - started
            found += page.rowids
            self._wanted -= len(page.rowids)
            self._cursor, self._exhausted = page.cursor, page.exhausted
            if self._count is not None and len(self._keys) + len(found) >= self._count:
                self._exhausted = True  # the count says there is no more
            # A call that took a large part of the slice walks less next time (a costly
            # filter, a busy machine); a quick one walks more, up to the budget.
            if spent > SLICE_SECONDS / 3:
                self._step = min(self.budget, max(MIN_STEP, self._step // 2))
            elif spent < SLICE_SECONDS / 10:
                self._step = min(self.budget, self._step * 2)
            if time.perf_counter() + spent > deadline:
                break  # the next call would end past the slice
        if self._exhausted:
            self._wanted = 0
        if found:
            first = len(self._keys)
            if insert:
                self.beginInsertRows(QModelIndex(), first, first + len(found) - 1)
            self._keys.extend(found)
            if insert:
                self.endInsertRows()
        if self._wanted > 0:
            self._set_searching(True)
            generation = self._generation
            QTimer.singleShot(0, self, lambda: self._go_on(generation))
        else:
            self._set_searching(False)

    def _go_on(self, generation: int) -> None:
        if generation == self._generation and self._wanted > 0:
            self._walk(insert=True)

    def _read(self, name: str, work: Callable[[TeamReview], Any]) -> None:
        read = InterruptibleRead(self._profile.store.path, work)
        self._reads[name] = read
        generation = self._generation

        def run() -> tuple[str, int, InterruptibleRead, Any, str | None]:
            try:
                return name, generation, read, read(), None
            except Exception as exc:  # interrupted, or the store went away: said in words
                return name, generation, read, None, str(exc) or type(exc).__name__

        # Bound to the model (a QObject), so the result is delivered on the UI thread.
        run_in_background(run, self._on_read_finished, self._on_read_finished)

    def _on_read_finished(self, outcome: Any) -> None:
        if not isinstance(outcome, tuple):
            self.failed.emit(str(outcome))
            return
        name, generation, read, result, error = outcome
        if generation != self._generation or read.cancelled:
            return  # an older filter's, or interrupted
        self._reads.pop(name, None)
        if error is not None:
            self._set_searching(False)
            self.failed.emit(error)
        elif name == "search":
            self._on_found(result)
        elif name == "rest":
            self._on_rest(result)
        else:
            self._on_counted(result)

    def _on_found(self, rowids: array) -> None:
        self.beginResetModel()
        self._keys = rowids
        self._blocks.clear()
        self._count = len(rowids)
        self._searching = False  # before the reset ends: its watchers see the rows settled
        self.endResetModel()
        self.searching_changed.emit(False)
        self.counted.emit(len(rowids))

    def _on_counted(self, count: int) -> None:
        self._count = count
        if len(self._keys) >= count and not self._exhausted:
            self._exhausted, self._wanted = True, 0
            self._set_searching(False)
        elif self._wanted > 0 and count <= MATCH_ALL_LIMIT and "rest" not in self._reads:
            self._read("rest", lambda q, f=self._filter: q.matching(f))
        self.counted.emit(count)

    def _on_rest(self, rowids: array) -> None:
        """Every row of a rare filter, read by a worker while the walk went on."""
        if self._exhausted:
            return  # the walk got there first
        loaded = len(self._keys)
        if rowids[:loaded] == self._keys:
            if len(rowids) > loaded:
                self.beginInsertRows(QModelIndex(), loaded, len(rowids) - 1)
                self._keys.extend(rowids[loaded:])
                self.endInsertRows()
        else:  # the store changed under the walk (a sync): show what is there now
            self.beginResetModel()
            self._keys, self._blocks = rowids, OrderedDict()
            self.endResetModel()
        self._exhausted, self._wanted = True, 0
        self._set_searching(False)

    def _set_searching(self, searching: bool) -> None:
        if searching != self._searching:
            self._searching = searching
            self.searching_changed.emit(searching)

    # -- Qt model ------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._keys)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: _Index, role: int = _Role.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._keys):
            return None
        column = index.column()
        if role == _Role.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter if column == Column.IDEAS else None
        if role == _Role.DisplayRole:
            return self._row(index.row()).texts[column]
        if role == _Role.ToolTipRole:
            return self._row(index.row()).tips[column] or None
        if role == _Role.AccessibleTextRole:
            return self._row(index.row()).spoken[column]
        if role == CONTACT_ID_ROLE:
            found = self._row(index.row()).summary
            return None if found is None else found.id
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _Role.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return super().headerData(section, orientation, role)
        if role in (_Role.DisplayRole, _Role.AccessibleTextRole):
            return self._headers[section]
        if role == _Role.ToolTipRole:
            return self._header_tips[section]
        if role == _Role.TextAlignmentRole and section == Column.IDEAS:
            return Qt.AlignmentFlag.AlignCenter
        return None

    # -- texts ---------------------------------------------------------------------------

    def _row(self, row: int) -> RowTexts:
        number = row // BLOCK
        block = self._blocks.get(number)
        if block is None:
            rowids = list(self._keys[number * BLOCK : (number + 1) * BLOCK])
            found = self._queries.summaries(rowids)
            block = [self._texts.row(found.get(rowid)) for rowid in rowids]
            self._blocks[number] = block
            while len(self._blocks) > KEPT_BLOCKS:
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(number)
        return block[row % BLOCK]
