"""The team review's filter bar: a search typed ahead, and a choice for each field.

`changed` is emitted when the filter is different; a search waits until typing pauses
(SEARCH_DELAY_MS) or Enter is pressed, every other control applies at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from cxcompanion.domain.enums import Channel, Outcome, Verdict
from cxcompanion.domain.records import utc_iso
from cxcompanion.domain.taxonomy import Taxonomy
from cxcompanion.store.team_review import ReviewFilter

SEARCH_DELAY_MS = 250
# (key, label, days back from today; None: no bound, -1: the dates chosen)
PERIODS = (
    ("any", "Any time", None),
    ("today", "Today", 0),
    ("7", "Last 7 days", 6),
    ("30", "Last 30 days", 29),
    ("90", "Last 90 days", 89),
    ("range", "Between dates…", -1),
)


def local_midnight_utc(day: date) -> str:
    """The moment a local calendar day starts, as the store writes moments (UTC)."""
    return utc_iso(datetime.combine(day, time.min))


class TeamReviewFilters(QWidget):
    """The choices, laid out in two rows; `search` and `clear_button` are the page's to place
    (on its title row), though this widget keeps their logic."""

    changed = Signal()

    def __init__(
        self,
        taxonomy: Taxonomy,
        parent: QWidget | None = None,
        *,
        today: Callable[[], date] = date.today,
    ):
        super().__init__(parent)
        self._today = today
        self._current = ReviewFilter()
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search the team's details, notes and ideas"))
        self.search.setAccessibleName(self.tr("Search the team's contacts"))
        self.search.setClearButtonEnabled(True)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)

        self.agent = self._combo(self.tr("Agent"), [(self.tr("Every agent"), None)])
        purposes: list[tuple[str, object]] = [(self.tr("Every purpose"), ())]
        for group in taxonomy.groups:
            codes = tuple(t.code for t in taxonomy.purposes if t.group == group.code)
            if not codes:
                continue
            purposes.append((self.tr("%1 (all)").replace("%1", group.label), codes))
            purposes += [(taxonomy.purpose_display(code), (code,)) for code in codes]
        self.purpose = self._combo(self.tr("Purpose"), purposes)
        self.outcome = self._combo(
            self.tr("Outcome"),
            [(self.tr("Any outcome"), None)] + [(o.label, o.value) for o in Outcome],
        )
        self.verdict = self._combo(
            self.tr("Customer's verdict"),
            [(self.tr("Any verdict"), None)] + [(v.label, v.value) for v in Verdict],
        )
        self.verdict.setToolTip(
            self.tr(
                "The customer's own answer: a survey answer if they gave one, "
                "else what they told the agent"
            )
        )
        self.channel = self._combo(
            self.tr("Channel"),
            [(self.tr("Any channel"), None)] + [(c.label, c.value) for c in Channel],
        )
        self.period = self._combo(
            self.tr("When"), [(self.tr(text), key) for key, text, _ in PERIODS]
        )
        self.start_date = self._date(self.tr("From"))
        self.end_date = self._date(self.tr("To"))
        self.evaluated = self._combo(
            self.tr("Evaluated"),
            [(self.tr("Evaluated or not"), None), (self.tr("Evaluated"), True),
             (self.tr("Not evaluated yet"), False)],
        )  # fmt: skip
        self.has_ideas = QCheckBox(self.tr("With ideas"))
        self.has_ideas.setAccessibleName(self.tr("Only contacts with customer ideas"))
        self.cancel_intent = QCheckBox(self.tr("Wanted to cancel"))
        self.cancel_intent.setAccessibleName(self.tr("Only customers who wanted to cancel"))
        self.clear_button = QPushButton(self.tr("Clear filters"))
        self.clear_button.setAccessibleName(self.tr("Clear the search and every filter"))

        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(8)
        cells = [
            [(self.agent, 1), (self.purpose, 2), (self.outcome, 1), (self.verdict, 1)],
            [(self.channel, 1), (self.period, 1), (self.evaluated, 1)],
        ]
        for row, items in enumerate(cells):
            column = 0
            for combo, stretch in items:
                caption = QLabel(combo.accessibleName())
                caption.setBuddy(combo)
                grid.addWidget(caption, row, column, Qt.AlignmentFlag.AlignRight)
                grid.addWidget(combo, row, column + 1)
                grid.setColumnStretch(column + 1, stretch)
                column += 2
        dates = QHBoxLayout()
        dates.setSpacing(6)
        self.dates = QWidget()
        self.dates.setLayout(dates)
        dates.setContentsMargins(0, 0, 0, 0)
        dates.addWidget(self.start_date)
        dates.addWidget(QLabel("–"))
        dates.addWidget(self.end_date)
        self.dates.hide()
        checks = QHBoxLayout()
        checks.setContentsMargins(0, 0, 0, 0)
        checks.setSpacing(16)
        checks.addWidget(self.dates)
        checks.addWidget(self.has_ideas)
        checks.addWidget(self.cancel_intent)
        checks.addStretch(1)
        grid.addLayout(checks, 1, 6, 1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addLayout(grid)

        self.search.textChanged.connect(self._on_search_text_changed)
        self.search.returnPressed.connect(self._on_search_return_pressed)
        self._timer.timeout.connect(self._apply)
        for combo in (self.agent, self.purpose, self.outcome, self.verdict, self.channel,
                      self.evaluated):  # fmt: skip
            combo.currentIndexChanged.connect(self._on_choice_changed)
        self.period.currentIndexChanged.connect(self._on_period_changed)
        self.start_date.dateChanged.connect(self._on_choice_changed)
        self.end_date.dateChanged.connect(self._on_choice_changed)
        self.has_ideas.toggled.connect(self._on_choice_changed)
        self.cancel_intent.toggled.connect(self._on_choice_changed)
        self.clear_button.clicked.connect(self.clear)

    # -- public API ----------------------------------------------------------------------

    def value(self) -> ReviewFilter:
        """The filter as the controls show it (the search as typed, even before the pause)."""
        start, end = self._period()
        return ReviewFilter(
            agent=self.agent.currentData(),
            purposes=self.purpose.currentData() or (),
            outcome=self.outcome.currentData(),
            verdict=self.verdict.currentData(),
            channel=self.channel.currentData(),
            start=start,
            end=end,
            has_ideas=self.has_ideas.isChecked(),
            cancel_intent=self.cancel_intent.isChecked(),
            evaluated=self.evaluated.currentData(),
            search=self.search.text().strip(),
        )

    def set_agents(self, names: list[str]) -> None:
        """The agents to choose from; the one chosen stays chosen if still there."""
        chosen = self.agent.currentData()
        self.agent.blockSignals(True)
        while self.agent.count() > 1:
            self.agent.removeItem(1)
        for name in names:
            self.agent.addItem(name, name)
        found = self.agent.findData(chosen) if chosen is not None else 0
        self.agent.setCurrentIndex(max(found, 0))
        self.agent.blockSignals(False)
        if found < 0:
            self._apply()

    def clear(self) -> None:
        combos = (self.agent, self.purpose, self.outcome, self.verdict, self.channel,
                  self.period, self.evaluated)  # fmt: skip
        widgets = (self.search, *combos, self.has_ideas, self.cancel_intent)
        for widget in widgets:
            widget.blockSignals(True)
        self.search.clear()
        for combo in combos:
            combo.setCurrentIndex(0)
        self.has_ideas.setChecked(False)
        self.cancel_intent.setChecked(False)
        self.dates.hide()
        for widget in widgets:
            widget.blockSignals(False)
        self._timer.stop()
        self._apply()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # -- slots ---------------------------------------------------------------------------

    def _on_search_text_changed(self, _text: str) -> None:
        self._timer.start()

    def _on_search_return_pressed(self) -> None:
        self._timer.stop()
        self._apply()

    def _on_choice_changed(self, *_args: object) -> None:
        self._apply()

    def _on_period_changed(self, _index: int) -> None:
        between = self.period.currentData() == "range"
        if between and not self.dates.isVisible():
            today = QDate.fromString(self._today().isoformat(), Qt.DateFormat.ISODate)
            for edit, day in ((self.start_date, today.addDays(-6)), (self.end_date, today)):
                edit.blockSignals(True)
                edit.setDate(day)
                edit.blockSignals(False)
        self.dates.setVisible(between)
        self._apply()

    # -- inside --------------------------------------------------------------------------

    def _apply(self) -> None:
        wanted = self.value()
        if wanted != self._current:
            self._current = wanted
            self.changed.emit()

    def _period(self) -> tuple[str | None, str | None]:
        key = self.period.currentData()
        days = next((d for k, _, d in PERIODS if k == key), None)
        if days is None:
            return None, None
        if days >= 0:
            return local_midnight_utc(self._today() - timedelta(days=days)), None
        first = self.start_date.date().toPython()
        last = self.end_date.date().toPython()
        if last < first:
            first, last = last, first
        return local_midnight_utc(first), local_midnight_utc(last + timedelta(days=1))

    def _combo(self, name: str, items: list[tuple[str, object]]) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(6)  # the page fits the main window (~990 px)
        combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        for text, data in items:
            combo.addItem(text, data)
        return combo

    def _date(self, name: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setAccessibleName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("d MMM yyyy")
        return edit
