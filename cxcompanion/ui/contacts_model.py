"""The agent's own contacts as a Qt table model, newest first, fetched a page at a time.

Pages come from the store through a keyset cursor, so scrolling to the end of years of
history never loads everything at once and never re-reads earlier rows (no OFFSET).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QDateTime,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from cxcompanion.domain.enums import Channel, Outcome, Verdict
from cxcompanion.services.contacts import ContactService
from cxcompanion.store.contacts import ContactSummary, Cursor

PAGE_SIZE = 200
WHEN_FORMAT = "ddd d MMM HH:mm"
WHEN_FORMAT_OTHER_YEAR = "ddd d MMM yyyy HH:mm"


def when_width(view, *, other_years: bool) -> int:
    """Pixels a When cell needs in `view` (a table): a long weekday and month, and the year
    when rows from other years show it."""
    from PySide6.QtCore import QTime

    sample = QDateTime(QDate(2026, 9, 30), QTime(23, 55))
    text = view.locale().toString(sample, WHEN_FORMAT_OTHER_YEAR if other_years else WHEN_FORMAT)
    metrics = view.fontMetrics()
    return metrics.horizontalAdvance(text) + metrics.averageCharWidth() * 3


def fit_when_column(view, column: int, *, other_years: bool) -> None:
    """Widen the When column once rows from other years show their year (never narrow it)."""
    header = view.horizontalHeader()
    wanted = when_width(view, other_years=other_years)
    if header.sectionSize(column) < wanted:
        header.resizeSection(column, wanted)


# The contact id of a row, for views and tests that want it without `summary(row)`.
CONTACT_ID_ROLE = Qt.ItemDataRole.UserRole + 1

_Index = QModelIndex | QPersistentModelIndex
_Role = Qt.ItemDataRole


class Column(IntEnum):
    WHEN = 0
    CHANNEL = 1
    PURPOSE = 2
    OUTCOME = 3
    VERDICT = 4
    IDEAS = 5
    CANCEL = 6
    DETAIL = 7


@dataclass(frozen=True)
class _Row:
    """A summary with the texts the view asks for many times per second, made once."""

    summary: ContactSummary
    texts: tuple[str, ...]
    tips: tuple[str, ...]
    spoken: tuple[str, ...]


def _label(enum: type[Channel] | type[Outcome] | type[Verdict], code: str) -> str:
    try:
        return enum(code).label
    except ValueError:  # a code from a newer version, merged from someone else's export
        return code


class ContactsModel(QAbstractTableModel):
    def __init__(self, service: ContactService, parent: QObject | None = None):
        super().__init__(parent)
        self._service = service
        self._taxonomy = service.profile.taxonomy
        self._search = ""
        self._rows: list[_Row] = []
        self._row_of: dict[str, int] = {}
        self._cursor: Cursor | None = None
        self._exhausted = False
        self._other_years = False
        self._headers = (
            self.tr("When"),
            self.tr("Channel"),
            self.tr("Purpose"),
            self.tr("Outcome"),
            self.tr("Customer says"),
            self.tr("Ideas"),
            self.tr("Cancel"),
            self.tr("Detail"),
        )
        self._header_tips = (
            self.tr("When the contact happened, in your local time"),
            self.tr("How the customer reached us"),
            self.tr("Why the customer contacted us"),
            self.tr("What came of the contact"),
            self.tr("The customer's own answer to “did we take care of what you needed?”"),
            self.tr("Ideas the customer gave"),
            self.tr("Whether a customer who wanted to cancel stayed or left"),
            self.tr("What the contact was about"),
        )
        self._load(0)

    # -- public API ----------------------------------------------------------------------

    @property
    def search(self) -> str:
        return self._search

    def set_search(self, text: str) -> None:
        """Show only the contacts matching `text` (every word, the last as a prefix)."""
        self._search = text.strip()
        self.reload()

    def reload(self, *, at_least: int = 0) -> None:
        """Read the first page again (and more, until `at_least` rows are loaded)."""
        self.beginResetModel()
        self._load(at_least)
        self.endResetModel()

    @property
    def shows_other_years(self) -> bool:
        """True when a loaded row shows its year (it is not from this year)."""
        return self._other_years

    def summary(self, row: int) -> ContactSummary:
        return self._rows[row].summary

    def row_of(self, contact_id: str) -> int | None:
        """The row of a loaded contact, or None (not loaded yet, deleted or filtered out)."""
        return self._row_of.get(contact_id)

    # -- lazy fetching -------------------------------------------------------------------

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted:
            return
        rows = self._next_page()
        if not rows:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._append(rows)
        self.endInsertRows()

    def _load(self, at_least: int) -> None:
        self._rows, self._row_of = [], {}
        self._cursor, self._exhausted, self._other_years = None, False, False
        self._append(self._next_page())
        while len(self._rows) < at_least and not self._exhausted:
            self._append(self._next_page())

    def _next_page(self) -> list[_Row]:
        page = self._service.page(search=self._search, after=self._cursor, limit=PAGE_SIZE)
        if len(page) < PAGE_SIZE:
            self._exhausted = True
        if page:
            self._cursor = (page[-1].at, page[-1].rowid)
        this_year = QDate.currentDate().year()
        return [self._row(s, this_year) for s in page]

    def _append(self, rows: list[_Row]) -> None:
        for row in rows:
            self._row_of[row.summary.id] = len(self._rows)
            self._rows.append(row)

    # -- Qt model ------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

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
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if role == _Role.DisplayRole:
            return row.texts[column]
        if role == _Role.ToolTipRole:
            return row.tips[column] or None
        if role == _Role.AccessibleTextRole:
            return row.spoken[column]
        if role == _Role.TextAlignmentRole and column == Column.IDEAS:
            return Qt.AlignmentFlag.AlignCenter
        if role == CONTACT_ID_ROLE:
            return row.summary.id
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

    def _row(self, s: ContactSummary, this_year: int) -> _Row:
        moment = QDateTime.fromString(s.at, Qt.DateFormat.ISODate).toLocalTime()
        locale = QLocale()
        if moment.date().year() == this_year:
            when = locale.toString(moment, WHEN_FORMAT)
        else:
            when = locale.toString(moment, WHEN_FORMAT_OTHER_YEAR)
            self._other_years = True
        when_long = locale.toString(moment, "dddd d MMMM yyyy, HH:mm")
        term = self._taxonomy.purpose(s.purpose)
        purpose = term.label if term else s.purpose
        channel = _label(Channel, s.channel)
        outcome = _label(Outcome, s.outcome)
        verdict = _label(Verdict, s.verdict)
        if s.idea_count == 0:
            ideas, ideas_spoken = "", self.tr("no ideas")
        elif s.idea_count == 1:
            ideas, ideas_spoken = "1", self.tr("1 idea")
        else:
            ideas = str(s.idea_count)
            ideas_spoken = self.tr("%1 ideas").replace("%1", ideas)
        if not s.cancel_intent:
            cancel, cancel_tip = "", ""
        elif s.stayed is True:
            cancel, cancel_tip = self.tr("stayed"), self.tr("Wanted to cancel, and stayed")
        elif s.stayed is False:
            cancel, cancel_tip = self.tr("left"), self.tr("Wanted to cancel, and left")
        else:
            cancel, cancel_tip = "", self.tr("Wanted to cancel")
        cancel_spoken = cancel_tip or self.tr("no cancellation")
        texts = (when, channel, purpose, outcome, verdict, ideas, cancel, s.detail)
        tips = (
            when_long,
            "",
            f"{self._taxonomy.purpose_display(s.purpose)}  ({s.purpose})",
            "",
            self.tr("The customer says: %1").replace("%1", verdict),
            ideas_spoken if s.idea_count else "",
            cancel_tip,
            s.detail,
        )
        spoken = (
            when_long,
            channel,
            self._taxonomy.purpose_display(s.purpose),
            outcome,
            self.tr("customer says %1").replace("%1", verdict),
            ideas_spoken,
            cancel_spoken,
            s.detail or self.tr("no detail"),
        )
        return _Row(s, texts, tips, spoken)
