"""Team review (lead): every team contact, lazily listed, filtered and searchable; the
selected one in full beside the list, to evaluate it on the scorecard or to coach on it.

Agents' names are shown here: this is the lead reviewing their own team's work, contact by
contact (the anonymised views are the Patterns page's). The evaluation form opens inline in
place of the list, with the contact's details still beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cxcompanion.domain.enums import Channel, Outcome, Verdict
from cxcompanion.services.evaluations import EvaluationService
from cxcompanion.services.profile import Profile
from cxcompanion.store.errors import StoreError
from cxcompanion.store.team_review import TeamReview
from cxcompanion.ui.contacts_model import fit_when_column, when_width
from cxcompanion.ui.evaluation_form import EvaluationForm
from cxcompanion.ui.report_export_panel import ReportExportPanel
from cxcompanion.ui.team_review_detail import ContactDetailView
from cxcompanion.ui.team_review_filters import TeamReviewFilters
from cxcompanion.ui.team_review_model import Column, TeamReviewModel
from cxcompanion.ui.theme import style
from cxcompanion.ui.widgets import ErrorLabel

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_PLAIN = (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
REFRESH_DEPTH = 5_000  # rows read again at most when the page is refreshed


class TeamReviewPage(QWidget):
    coach_requested = Signal(str, str)  # the agent, the contact id
    evaluation_saved = Signal(str)  # the contact id

    def __init__(
        self,
        profile: Profile,
        parent: QWidget | None = None,
        *,
        today: Callable[[], date] = date.today,
    ):
        super().__init__(parent)
        self.profile = profile
        self.me = profile.identity.name
        self.queries = TeamReview(profile.store)
        self.form: EvaluationForm | None = None
        self.export_panel: ReportExportPanel | None = None  # made when first asked for
        self._reselect: str | None = None  # the contact to select again once rows arrive
        self.model = TeamReviewModel(profile, self)

        self.heading = QLabel(self.tr("Team review"))
        style(self.heading, "pageTitle")
        self.count_label = QLabel()
        self.count_label.setAccessibleName(self.tr("Contacts found"))
        self.filters = TeamReviewFilters(profile.taxonomy, today=today)
        self.error = ErrorLabel()

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("The team's contacts, newest first"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        self.table.installEventFilter(self)
        self._size_columns()

        self.detail = ContactDetailView(profile.taxonomy, self.me)
        self.evaluate_button = QPushButton(self.tr("Evaluate…"))
        self.evaluate_button.setAccessibleName(self.tr("Evaluate the selected contact"))
        self.evaluate_button.setToolTip(self.tr("Score it on the scorecard (Enter in the list)"))
        self.coach_button = QPushButton(self.tr("Coach on this contact"))
        self.coach_button.setAccessibleName(self.tr("Write a coaching note about this contact"))
        for button in (self.evaluate_button, self.coach_button):
            button.setAutoDefault(True)
        self.side = QWidget()
        side_box = QVBoxLayout(self.side)
        side_box.setContentsMargins(0, 8, 0, 0)
        side_box.setSpacing(10)
        buttons = QHBoxLayout()
        buttons.setSpacing(10)
        buttons.addWidget(self.detail.title, 1)
        buttons.addWidget(self.evaluate_button, 0, Qt.AlignmentFlag.AlignTop)
        buttons.addWidget(self.coach_button, 0, Qt.AlignmentFlag.AlignTop)
        side_box.addLayout(buttons)
        side_box.addWidget(self.detail, 1)

        # Listing: the table over the selected contact, both the page's full width (eight
        # columns need it). Evaluating: the scorecard where the list was, the contact beside it.
        self.list_split = QSplitter(Qt.Orientation.Vertical)
        self.list_split.setChildrenCollapsible(False)
        self.list_split.addWidget(self.table)
        self.list_split.addWidget(self.side)
        self.list_split.setStretchFactor(0, 3)
        self.list_split.setStretchFactor(1, 1)
        self.list_split.setSizes([560, 440])  # the list first; the contact needs ~12 lines
        self.eval_split = QSplitter(Qt.Orientation.Horizontal)
        self.eval_split.setChildrenCollapsible(False)
        self.body = QStackedWidget()
        self.body.addWidget(self.list_split)
        self.body.addWidget(self.eval_split)

        head = QHBoxLayout()
        head.setSpacing(16)
        head.addWidget(self.heading)
        head.addWidget(self.filters.search, 1)
        head.addWidget(self.count_label)
        head.addWidget(self.filters.clear_button)
        self.export_button = QPushButton(self.tr("Export report…"))
        self.export_button.setAccessibleName(self.tr("Export the team's report"))
        self.export_button.setToolTip(
            self.tr("CSV files and a SQLite file of the team's contacts (Ctrl+E)")
        )
        self.export_button.setAutoDefault(True)
        head.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(12)
        layout.addLayout(head)
        self.export_box = QVBoxLayout()  # the export panel, a strip under the header
        self.export_box.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.export_box)
        layout.addWidget(self.filters)
        layout.addWidget(self.error)
        layout.addWidget(self.body, 1)

        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.activated.connect(self.filters.focus_search)
        export = QShortcut(QKeySequence("Ctrl+E"), self)
        export.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        export.activated.connect(self.show_export)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.filters.changed.connect(self._on_filters_changed)
        self.model.counted.connect(self._on_model_counted)
        self.model.searching_changed.connect(self._on_model_searching_changed)
        self.model.failed.connect(self._on_model_failed)
        self.model.modelReset.connect(self._on_model_model_reset)
        self.model.rowsInserted.connect(self._on_model_rows_inserted)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)
        self.table.doubleClicked.connect(self._on_evaluate_button_clicked)
        self.evaluate_button.clicked.connect(self._on_evaluate_button_clicked)
        self.coach_button.clicked.connect(self._on_coach_button_clicked)

        self._set_agents()
        self._update_count()
        self._update_buttons()

    # -- public API ----------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the team's contacts again (after a sync): same filter, same selection."""
        self._set_agents()
        # Selected again when the rows are back (a search's come later, from a worker); as
        # deep as was scrolled, up to a limit: a sync must not start a walk of everything.
        self._reselect = self.selected_id()
        self.model.reload(at_least=min(self.model.rowCount(), REFRESH_DEPTH))
        self._update_count()

    def selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.contact_id(rows[0].row()) if rows else None

    def show_export(self) -> ReportExportPanel:
        """Show the report export under the header (made the first time), its button focused."""
        if self.export_panel is None:
            self.export_panel = ReportExportPanel(self.profile)
            self.export_panel.closed.connect(self._on_export_panel_closed)
            self.export_box.addWidget(self.export_panel)
        self.export_panel.show()
        self.export_panel.focus_first()
        return self.export_panel

    def open_evaluation(self, contact_id: str | None = None) -> EvaluationForm | None:
        """Open the scorecard for a contact (the selected one) in place of the list."""
        contact_id = contact_id or self.selected_id()
        if contact_id is None:
            return None
        self.close_evaluation()
        try:
            form = EvaluationForm(self.profile, contact_id)
        except StoreError as exc:  # the scorecard cannot be read
            self.error.show_error(str(exc))
            return None
        form.evaluation_saved.connect(self._on_form_evaluation_saved)
        form.closed.connect(self.close_evaluation)
        self.form = form
        self.eval_split.addWidget(form)
        self.eval_split.addWidget(self.side)  # moves it out of the listing
        self.eval_split.setSizes([640, 360])
        self.detail.set_wide(False)
        self.evaluate_button.hide()
        self._set_filters_enabled(False)  # a filter change must not drop scores being typed
        self.body.setCurrentWidget(self.eval_split)
        next(iter(form.rows.values())).points.setFocus(Qt.FocusReason.OtherFocusReason)
        return form

    def close_evaluation(self) -> None:
        if self.form is None:
            return
        form, self.form = self.form, None
        self.list_split.addWidget(self.side)
        self.detail.set_wide(True)
        self.evaluate_button.show()
        self._set_filters_enabled(True)
        self.body.setCurrentWidget(self.list_split)
        form.hide()
        form.setParent(None)
        form.deleteLater()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- slots ---------------------------------------------------------------------------

    def _on_filters_changed(self) -> None:
        self._reselect = None
        self.error.show_error(None)
        self.model.set_filter(self.filters.value())
        self._update_count()

    def _on_model_counted(self, _count: int) -> None:
        self._update_count()

    def _on_model_searching_changed(self, _searching: bool) -> None:
        self._update_count()

    def _on_model_failed(self, message: str) -> None:
        self.error.show_error(self.tr("The list could not be read: %1").replace("%1", message))
        self._update_count()

    def _on_model_model_reset(self) -> None:
        self._show_detail(None)
        self._update_buttons()
        self._fit_when_column()
        if self._reselect is not None and not self.model.searching:
            kept, self._reselect = self._reselect, None
            self._select(kept)

    def _on_model_rows_inserted(self, *_args: object) -> None:
        self._fit_when_column()
        self._update_count()

    def _on_table_current_row_changed(self, current, _previous) -> None:
        self._show_detail(self.model.contact_id(current.row()) if current.isValid() else None)
        self._update_buttons()

    def _on_evaluate_button_clicked(self, *_args: object) -> None:
        self.open_evaluation()

    def _on_export_button_clicked(self) -> None:
        self.show_export()

    def _on_export_panel_closed(self) -> None:
        self.export_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_coach_button_clicked(self) -> None:
        row = self._current_row()
        summary = self.model.summary(row) if row is not None else None
        if summary is not None:
            self.coach_requested.emit(summary.agent, summary.id)

    def _on_form_evaluation_saved(self, contact_id: str) -> None:
        self.model.refresh_contact(contact_id)
        self._show_detail(contact_id)
        self.evaluation_saved.emit(contact_id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in _ENTER_KEYS
            and event.modifiers() in _PLAIN
        ):
            self.open_evaluation()
            return True
        return super().eventFilter(watched, event)

    # -- inside --------------------------------------------------------------------------

    def _set_agents(self) -> None:
        """The agents to filter by, and an Agent column as wide as their names need."""
        names = self.queries.agents()
        self.filters.set_agents(names)
        metrics = self.table.fontMetrics()
        char = metrics.averageCharWidth()
        title = self.model.headerData(Column.AGENT, Qt.Orientation.Horizontal)
        widest = max((metrics.horizontalAdvance(n) for n in [*names, title]), default=0)
        self.table.horizontalHeader().resizeSection(Column.AGENT, min(widest, char * 20) + char * 2)

    def _set_filters_enabled(self, enabled: bool) -> None:
        for widget in (self.filters, self.filters.search, self.filters.clear_button):
            widget.setEnabled(enabled)

    def _current_row(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def _select(self, contact_id: str | None) -> None:
        row = self.model.row_of(contact_id) if contact_id else None
        if row is None:
            return
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)

    def _show_detail(self, contact_id: str | None) -> None:
        if contact_id is None:
            self.detail.show_contact(None, {})
            return
        try:
            detail = self.queries.detail(contact_id)
            evaluations = EvaluationService(self.profile).for_contact(contact_id)
        except StoreError as exc:
            self.error.show_error(str(exc))
            return
        self.detail.show_contact(detail, evaluations)

    def _update_buttons(self) -> None:
        selected = self._current_row() is not None
        self.evaluate_button.setEnabled(selected)
        self.coach_button.setEnabled(selected)

    def _update_count(self) -> None:
        f = self.model.filter
        count = self.model.count
        loaded = self.model.rowCount()
        number = self.locale().toString(count) if count is not None else ""
        if f.fts is not None and self.model.searching:
            text = self.tr("Searching…")
        elif count is None:
            text = self.tr("%1 shown · counting…").replace("%1", self.locale().toString(loaded))
            if self.model.searching:
                text = self.tr("%1 found so far · looking further back…").replace(
                    "%1", self.locale().toString(loaded)
                )
        elif count == 0:
            text = self.tr("No contacts match these filters.")
            if f.search:
                text = self.tr("Nothing matches “%1” with these filters.").replace("%1", f.search)
        elif f.search and count == 1:
            text = self.tr("1 contact matches “%1”").replace("%1", f.search)
        elif f.search:
            text = self.tr("%1 contacts match “%2”").replace("%1", number).replace("%2", f.search)
        elif count == 1:
            text = self.tr("1 contact")
        else:
            text = self.tr("%1 contacts").replace("%1", number)
        self.count_label.setText(text)

    def _size_columns(self) -> None:
        metrics = self.table.fontMetrics()
        char = metrics.averageCharWidth()
        padding = char * 2
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(char * 4)
        samples = {
            Column.CHANNEL: [c.label for c in Channel],
            Column.OUTCOME: [o.label for o in Outcome],
            Column.VERDICT: [f"{v.label} · survey" for v in Verdict],
            Column.IDEAS: ["99"],
            Column.EVALUATED: ["✓ you + 9"],
        }
        for column, texts in samples.items():
            title = self.model.headerData(column, Qt.Orientation.Horizontal)
            widest = max(metrics.horizontalAdvance(t) for t in [*texts, title])
            header.resizeSection(column, widest + padding)
        # The purpose takes the width left (its full name is its tooltip): the other columns
        # are as wide as their words, so all eight fit the main window's ~990 px.
        header.setSectionResizeMode(Column.PURPOSE, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(Column.WHEN, self._when_width(other_years=False))
        self.table.verticalHeader().setDefaultSectionSize(metrics.height() + 10)

    def _when_width(self, *, other_years: bool) -> int:
        return when_width(self.table, other_years=other_years)

    def _fit_when_column(self) -> None:
        fit_when_column(self.table, Column.WHEN, other_years=self.model.shows_other_years)
