"""Ideas as a Qt list model: one card per idea, its words made once, for the agent's Ideas
page and for each column of the lead's idea board (which also drags cards between columns).

Status is always a symbol and a word, never colour alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QCoreApplication,
    QDate,
    QDateTime,
    QLocale,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from cxcompanion.domain.taxonomy import Taxonomy
from cxcompanion.services.ideas_board import STATUS_LABELS, STATUSES, BoardIdea

STATUS_SYMBOLS = {
    "new": "○",
    "under_review": "◔",
    "planned": "◑",
    "adopted": "★",
    "declined": "⊘",
}
IDEA_MIME = "application/x-cxcompanion-idea"
# Roles beyond Qt's: views, the card delegate and tests read the idea and its texts here.
IDEA_ID_ROLE = Qt.ItemDataRole.UserRole + 1
IDEA_ROLE = Qt.ItemDataRole.UserRole + 2
CARD_ROLE = Qt.ItemDataRole.UserRole + 3

BOARD = "board"  # a card on the lead's board: who captured it matters
MINE = "mine"  # a card on the agent's own page: what became of it matters

_Index = QModelIndex | QPersistentModelIndex
_Role = Qt.ItemDataRole


def _tr(text: str) -> str:
    return QCoreApplication.translate("Ideas", text)


def status_word(status: str) -> str:
    return _tr(STATUS_LABELS.get(status, status))


def status_text(status: str) -> str:
    """ "★ Adopted": the symbol and the word together."""
    return f"{STATUS_SYMBOLS.get(status, '•')} {status_word(status)}"


def count_text(count: int, one: str, many: str) -> str:
    return _tr(one) if count == 1 else _tr(many).replace("%1", f"{count:,}")


def names_text(names: Sequence[str]) -> str:
    """ "Ben", "Ben and Cleo", "Ben, Cleo and Dan"."""
    if len(names) <= 1:
        return "".join(names)
    return _tr("%1 and %2").replace("%1", ", ".join(names[:-1])).replace("%2", names[-1])


def _moment(stamp: str | None) -> QDateTime | None:
    if not stamp:
        return None
    moment = QDateTime.fromString(stamp, Qt.DateFormat.ISODate)
    return moment.toLocalTime() if moment.isValid() else None


def day_text(stamp: str | None, *, weekday: bool = False) -> str:
    """ "24 Nov" (this year), "24 Nov 2025" (another); with `weekday`, "Tue 24 Nov"."""
    moment = _moment(stamp)
    if moment is None:
        return ""
    pattern = ("ddd " if weekday else "") + "d MMM"
    if moment.date().year() != QDate.currentDate().year():
        pattern += " yyyy"
    return QLocale().toString(moment, pattern)


def day_spoken(stamp: str | None) -> str:
    moment = _moment(stamp)
    return QLocale().toString(moment, "dddd d MMMM yyyy") if moment else ""


@dataclass(frozen=True)
class IdeaCard:
    """An idea with the words its card shows, made once (views ask many times a second)."""

    idea: BoardIdea
    status: str  # "★ Adopted"
    text: str  # the customer's words, quoted
    meta: str  # area, who, when (on the board: the area, then a line with who and when)
    credit: str = ""  # also captured by … / merged with the same idea …
    note: str = ""  # the lead's decision note
    thanks: str = ""  # the agent's recognition, for an adopted idea
    spoken: str = ""
    standout: bool = False


class IdeaListModel(QAbstractListModel):
    """Ideas newest first. A board column (`status` set) takes drops of other columns' cards:
    it does not move them itself but says so through `idea_dropped`, and the board asks the
    lead for a note before anything is decided."""

    idea_dropped = Signal(str, str)  # idea id, the status of the column it was dropped on

    def __init__(
        self,
        taxonomy: Taxonomy,
        *,
        mode: str = BOARD,
        status: str | None = None,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._taxonomy = taxonomy
        self.mode = mode
        self.status = status
        self._cards: list[IdeaCard] = []
        self._row_of: dict[str, int] = {}
        self._own: set[str] = set()  # on the agent's page: the ids of the agent's ideas

    # -- public API ----------------------------------------------------------------------

    def set_ideas(self, ideas: Iterable[BoardIdea], *, own: Iterable[str] = ()) -> None:
        """Show `ideas` (already newest first); `own`: every id the agent captured."""
        self.beginResetModel()
        self._own = set(own)
        self._cards = [self._card(i) for i in ideas]
        self._index()
        self.endResetModel()

    def ideas(self) -> list[BoardIdea]:
        return [c.idea for c in self._cards]

    def idea(self, row: int) -> BoardIdea:
        return self._cards[row].idea

    def card(self, row: int) -> IdeaCard:
        return self._cards[row]

    def row_of(self, idea_id: str) -> int | None:
        return self._row_of.get(idea_id)

    def put(self, idea: BoardIdea) -> int:
        """Show `idea` in its place (newest first), replacing the card it had; its row."""
        row = self._row_of.get(idea.id)
        if row is not None:
            self._cards[row] = self._card(idea)
            index = self.index(row)
            self.dataChanged.emit(index, index)
            return row
        row = next((r for r, c in enumerate(self._cards) if _comes_after(c.idea, idea)), len(self))
        self.beginInsertRows(QModelIndex(), row, row)
        self._cards.insert(row, self._card(idea))
        self._index()
        self.endInsertRows()
        return row

    def take(self, idea_id: str) -> BoardIdea | None:
        """Remove the card of `idea_id` and give its idea (None: not shown here)."""
        row = self._row_of.get(idea_id)
        if row is None:
            return None
        self.beginRemoveRows(QModelIndex(), row, row)
        card = self._cards.pop(row)
        self._index()
        self.endRemoveRows()
        return card.idea

    def __len__(self) -> int:
        return len(self._cards)

    def _index(self) -> None:
        self._row_of = {c.idea.id: row for row, c in enumerate(self._cards)}

    # -- Qt model ------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._cards)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            # Drops land on the column, never on a card (which would read as "merge").
            return Qt.ItemFlag.ItemIsDropEnabled if self.status else Qt.ItemFlag.NoItemFlags
        flags = (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )
        return flags | Qt.ItemFlag.ItemIsDragEnabled if self.status else flags

    def data(self, index: _Index, role: int = _Role.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._cards):
            return None
        card = self._cards[index.row()]
        if role == _Role.DisplayRole:
            return card.idea.text
        if role == _Role.AccessibleTextRole:
            return card.spoken
        if role == _Role.ToolTipRole:
            lines = [card.text, card.meta, card.credit, card.note, card.thanks]
            return "\n".join(line for line in lines if line)
        if role == IDEA_ID_ROLE:
            return card.idea.id
        if role == IDEA_ROLE:
            return card.idea
        if role == CARD_ROLE:
            return card
        return None

    # -- drag and drop (board columns only) ----------------------------------------------

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction if self.status else Qt.DropAction.IgnoreAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction if self.status else Qt.DropAction.IgnoreAction

    def mimeTypes(self) -> list[str]:
        return [IDEA_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        mime = QMimeData()
        rows = sorted({i.row() for i in indexes if i.isValid()})
        if rows:
            ids = "\n".join(self._cards[r].idea.id for r in rows)
            mime.setData(IDEA_MIME, QByteArray(ids.encode()))
        return mime

    def canDropMimeData(self, data, action, row, column, parent) -> bool:
        if not self.status or not data.hasFormat(IDEA_MIME):
            return False
        return any(i not in self._row_of for i in _dropped_ids(data))  # from another column

    def dropMimeData(self, data, action, row, column, parent) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        for idea_id in _dropped_ids(data):
            if idea_id not in self._row_of:
                self.idea_dropped.emit(idea_id, self.status)
        # True, yet nothing removed from the source: its model keeps Qt's removeRows (no-op)
        # until the lead confirms the move, and the board then moves the card itself.
        return True

    # -- texts ---------------------------------------------------------------------------

    def _area(self, code: str) -> str:
        term = self._taxonomy.product_area(code)
        return self.tr(term.label) if term else code

    def _card(self, idea: BoardIdea) -> IdeaCard:
        return self._mine(idea) if self.mode == MINE else self._board(idea)

    def _board(self, idea: BoardIdea) -> IdeaCard:
        area = self._area(idea.area)
        credit = (
            self.tr("Also captured by %1").replace("%1", names_text(idea.also_captured_by))
            if idea.also_captured_by
            else ""
        )
        note = "✎ " + idea.note if idea.note else ""
        spoken = [
            status_word(idea.status),
            f"“{idea.text}”",
            self.tr("%1, captured by %2 on %3")
            .replace("%1", area)
            .replace("%2", idea.agent)
            .replace("%3", day_spoken(idea.captured_at)),
            credit,
            self.tr("Note: %1").replace("%1", idea.note) if idea.note else "",
        ]
        return IdeaCard(
            idea,
            status_text(idea.status),
            f"“{idea.text}”",
            area + "\n" + _parts(idea.agent, day_text(idea.captured_at)),
            credit,
            note,
            spoken=". ".join(s for s in spoken if s),
        )

    def _mine(self, idea: BoardIdea) -> IdeaCard:
        area = self._area(idea.area)
        meta = [
            area,
            self.tr("captured %1").replace("%1", day_text(idea.captured_at, weekday=True)),
        ]
        if idea.decided_at and idea.status != "new":
            meta.append(self.tr("decided %1").replace("%1", day_text(idea.decided_at)))
        credit = ""
        if idea.merged_into and idea.merged_into in self._own:
            credit = self.tr("⇄ Merged with another of your ideas: the same idea, told twice.")
        elif idea.merged_into:
            credit = self.tr("⇄ Merged with the same idea from a colleague — you share the credit.")
        adopted = idea.status == "adopted"
        thanks = (
            self.tr("Your idea was adopted. Thank you for listening for it.") if adopted else ""
        )
        who = idea.decided_by.split()[0] if idea.decided_by else self.tr("your lead")
        note = (
            self.tr("Note from %1: %2").replace("%1", who).replace("%2", idea.note)
            if idea.note
            else ""
        )
        spoken = [
            status_word(idea.status),
            f"“{idea.text}”",
            self.tr("%1, captured on %2")
            .replace("%1", area)
            .replace("%2", day_spoken(idea.captured_at)),
            thanks,
            note,
            credit.lstrip("⇄ "),
        ]
        return IdeaCard(
            idea,
            status_text(idea.status),
            f"“{idea.text}”",
            " · ".join(meta),
            credit,
            note,
            thanks,
            spoken=". ".join(s.rstrip(".") for s in spoken if s) + ".",
            standout=adopted,
        )


def newest_first(ideas: Iterable[BoardIdea]) -> list[BoardIdea]:
    """The service's order (`ORDER BY c.at DESC, i.id`)."""
    by_id = sorted(ideas, key=lambda i: i.id)
    return sorted(by_id, key=lambda i: i.captured_at, reverse=True)


def short(text: str, limit: int = 50) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _parts(*parts: str) -> str:
    """ "Billing & invoices · Ana · 24 Nov", wrapping only between the parts."""
    return "\u00a0· ".join(p.replace(" ", "\u00a0") for p in parts if p)


def _comes_after(shown: BoardIdea, new: BoardIdea) -> bool:
    """Whether `shown` goes below `new` in the service's order (`ORDER BY c.at DESC, i.id`)."""
    if shown.captured_at != new.captured_at:
        return shown.captured_at < new.captured_at
    return shown.id > new.id


def _dropped_ids(data: QMimeData) -> list[str]:
    raw = bytes(data.data(IDEA_MIME).data()).decode(errors="replace")
    return [i for i in raw.split("\n") if i]


__all__ = ["STATUSES", "IdeaCard", "IdeaListModel", "status_text"]
