"""My contacts: the agent's own history, searchable, to amend or delete a contact.

Deleting asks first in a bar inside the page (never a modal dialog that breaks the flow),
and the main window offers Undo afterwards through `contact_deleted`.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFocusEvent, QKeyEvent, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cxcompanion.domain.enums import Channel, Outcome, Verdict
from cxcompanion.services.contacts import ContactService
from cxcompanion.store.errors import NotFoundError, ReadOnlyRecordError
from cxcompanion.ui.contacts_model import (
    Column,
    ContactsModel,
    fit_when_column,
    when_width,
)
from cxcompanion.ui.theme import style

SEARCH_DELAY_MS = 200
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class ContactsPage(QWidget):
    open_requested = Signal(str)
    contact_deleted = Signal(str)

    def __init__(self, service: ContactService, parent: QWidget | None = None):
        super().__init__(parent)
        self._service = service
        self._pending_delete: str | None = None
        self.model = ContactsModel(service, self)

        self.heading = QLabel(self.tr("My contacts"))
        style(self.heading, "pageTitle")

        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search detail, notes and ideas"))
        self.search.setAccessibleName(self.tr("Search contacts"))
        self.search.setAccessibleDescription(
            self.tr("Type words from the detail, notes or ideas; Down moves to the list")
        )
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(self.fontMetrics().averageCharWidth() * 48)
        self.search.installEventFilter(self)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)

        self.count_label = QLabel()

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("Contacts, newest first"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setSortingEnabled(False)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)  # Tab leaves the list for the buttons
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        self.table.installEventFilter(self)
        self._size_columns()

        self.amend_button = QPushButton(self.tr("Amend…"))
        self.amend_button.setAccessibleName(self.tr("Amend the selected contact"))
        self.amend_button.setToolTip(self.tr("Amend the selected contact (Enter)"))
        self.delete_button = QPushButton(self.tr("Delete…"))
        self.delete_button.setAccessibleName(self.tr("Delete the selected contact"))
        self.delete_button.setToolTip(self.tr("Delete the selected contact (Delete)"))
        for button in (self.amend_button, self.delete_button):
            button.setAutoDefault(True)  # Enter presses the focused button, as Space does

        self.confirm_bar = QFrame()
        self.confirm_bar.setFrameShape(QFrame.Shape.StyledPanel)
        self.confirm_bar.setAccessibleName(self.tr("Confirm deleting a contact"))
        self.confirm_bar.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.confirm_bar.setAutoFillBackground(True)
        self.confirm_label = QLabel()
        self.confirm_label.setWordWrap(True)
        self.confirm_button = QPushButton(self.tr("Delete"))
        self.confirm_button.setAccessibleName(self.tr("Delete this contact"))
        self.keep_button = QPushButton(self.tr("Keep"))
        self.keep_button.setAccessibleName(self.tr("Keep this contact"))
        self.keep_button.setToolTip(self.tr("Keep the contact (Escape)"))
        for button in (self.confirm_button, self.keep_button):
            button.setAutoDefault(True)
        bar_layout = QHBoxLayout(self.confirm_bar)
        bar_layout.setContentsMargins(16, 12, 16, 12)
        bar_layout.setSpacing(12)
        bar_layout.addWidget(self.confirm_label, 1)
        bar_layout.addWidget(self.confirm_button)
        bar_layout.addWidget(self.keep_button)
        self.confirm_bar.hide()

        search_row = QHBoxLayout()
        search_row.setSpacing(16)
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.count_label)
        search_row.addStretch(0)
        buttons = QHBoxLayout()
        buttons.setSpacing(12)
        buttons.addStretch(1)
        buttons.addWidget(self.amend_button)
        buttons.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(14)
        layout.addWidget(self.heading)
        layout.addLayout(search_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.confirm_bar)
        layout.addLayout(buttons)

        self._find_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        self._find_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._escape_shortcut = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        self._escape_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._escape_shortcut.setEnabled(False)

        self.search.textChanged.connect(self._on_search_text_changed)
        self.search.returnPressed.connect(self._on_search_return_pressed)
        self._search_timer.timeout.connect(self._on_search_timer_timeout)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.model.modelReset.connect(self._on_model_model_reset)
        self.model.rowsInserted.connect(self._on_model_rows_inserted)
        self.amend_button.clicked.connect(self._on_amend_button_clicked)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.confirm_button.clicked.connect(self._on_confirm_button_clicked)
        self.keep_button.clicked.connect(self._on_keep_button_clicked)
        self._find_shortcut.activated.connect(self._on_find_shortcut_activated)
        self._escape_shortcut.activated.connect(self._on_escape_shortcut_activated)

        self._update_count()
        self._update_buttons()

    # -- public API ----------------------------------------------------------------------

    def reload(self) -> None:
        """Read the contacts again (after an amend, a sync, an undo); keeps search and selection."""
        self._reload(keep_row=None)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def selected_id(self) -> str | None:
        row = self._selected_row()
        return None if row is None else self.model.summary(row).id

    # -- slots ---------------------------------------------------------------------------

    def _on_search_text_changed(self, _text: str) -> None:
        self._search_timer.start()

    def _on_search_return_pressed(self) -> None:
        self._search_timer.stop()
        self._apply_search()

    def _on_search_timer_timeout(self) -> None:
        self._apply_search()

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_requested.emit(self.model.summary(index.row()).id)

    def _on_table_selection_changed(self, *_args: object) -> None:
        self._update_buttons()

    def _on_model_model_reset(self) -> None:
        self._update_buttons()
        self._fit_when_column()

    def _on_model_rows_inserted(self, *_args: object) -> None:
        self._fit_when_column()

    def _on_amend_button_clicked(self) -> None:
        contact_id = self.selected_id()
        if contact_id is not None:
            self.open_requested.emit(contact_id)

    def _on_delete_button_clicked(self) -> None:
        row = self._selected_row()
        if row is None:
            return
        when = self.model.index(row, Column.WHEN).data()
        purpose = self._service.profile.taxonomy.purpose_display(self.model.summary(row).purpose)
        self._pending_delete = self.model.summary(row).id
        question = (
            self.tr("Delete the contact of %1 about %2? It stays in the history as deleted.")
            .replace("%1", when)
            .replace("%2", purpose)
        )
        self.confirm_label.setText(question)
        # Focus lands on Keep: a screen reader then reads the question with the button.
        self.keep_button.setAccessibleDescription(question)
        self.confirm_button.setAccessibleDescription(question)
        self.confirm_bar.show()
        self._escape_shortcut.setEnabled(True)
        self.keep_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_confirm_button_clicked(self) -> None:
        contact_id = self._pending_delete
        row = self._selected_row()
        self._close_confirm_bar()
        if contact_id is None:
            return
        if row is None or self.model.summary(row).id != contact_id:
            row = self.model.row_of(contact_id)
        try:
            self._service.delete(contact_id)
        except NotFoundError:  # deleted meanwhile (another window, a sync): nothing to undo
            self._reload(keep_row=row)
            return
        except ReadOnlyRecordError as exc:  # history the team lead imported
            self.count_label.setText(str(exc))
            return
        self._reload(keep_row=row)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self.contact_deleted.emit(contact_id)

    def _on_keep_button_clicked(self) -> None:
        self._close_confirm_bar()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_escape_shortcut_activated(self) -> None:
        self._on_keep_button_clicked()

    def _on_find_shortcut_activated(self) -> None:
        self.focus_search()

    # -- keys ----------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.table
            and isinstance(event, QFocusEvent)
            and event.type() == QEvent.Type.FocusIn
            and event.reason() != Qt.FocusReason.MouseFocusReason
            and self._selected_row() is None
            and self.model.rowCount() > 0
        ):
            # Tabbing in shows a current row; make it the selected one so Enter and Delete act.
            current = self.table.currentIndex()
            self._select_row(current.row() if current.isValid() else 0)
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key, mods = event.key(), event.modifiers()
            plain = mods in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
            if watched is self.search and key == Qt.Key.Key_Down and plain:
                self._enter_table()
                return True
            if watched is self.table and plain and key in _ENTER_KEYS:
                self._on_amend_button_clicked()
                return True
            if watched is self.table and plain and key == Qt.Key.Key_Delete:
                self._on_delete_button_clicked()
                return True
        return super().eventFilter(watched, event)

    # -- inside --------------------------------------------------------------------------

    def _apply_search(self) -> None:
        text = self.search.text().strip()
        if text == self.model.search:
            return
        self._close_confirm_bar()
        self.model.set_search(text)
        self._update_count()

    def _reload(self, keep_row: int | None) -> None:
        """Reload as deep as was loaded; select the same contact, or the row that took its place."""
        kept_id = self.selected_id()
        self.model.reload(at_least=max(self.model.rowCount(), (keep_row or 0) + 1))
        row = self.model.row_of(kept_id) if kept_id is not None else None
        if keep_row is not None:
            row = min(keep_row, self.model.rowCount() - 1)
        if row is not None and row >= 0:
            self._select_row(row)
        self._update_count()

    def _enter_table(self) -> None:
        if self.model.rowCount() == 0:
            return
        if self._selected_row() is None:
            self._select_row(0)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)

    def _selected_row(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def _close_confirm_bar(self) -> None:
        self._pending_delete = None
        self._escape_shortcut.setEnabled(False)
        self.confirm_bar.hide()

    def _update_buttons(self) -> None:
        selected = self._selected_row() is not None
        self.amend_button.setEnabled(selected)
        self.delete_button.setEnabled(selected)

    def _update_count(self) -> None:
        search = self.model.search
        count = self._service.count(search)
        number = self.locale().toString(count)
        if not search:
            if count == 0:
                text = self.tr("No contacts yet. Log one with Ctrl+N.")
            elif count == 1:
                text = self.tr("1 contact")
            else:
                text = self.tr("%1 contacts").replace("%1", number)
        elif count == 0:
            text = self.tr("Nothing matches “%1”.").replace("%1", search)
        elif count == 1:
            text = self.tr("1 contact matches “%1”").replace("%1", search)
        else:
            text = self.tr("%1 contacts match “%2”").replace("%1", number).replace("%2", search)
        self.count_label.setText(text)

    def _size_columns(self) -> None:
        metrics = self.table.fontMetrics()
        char = metrics.averageCharWidth()
        padding = char * 2
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setMinimumSectionSize(char * 5)
        taxonomy = self._service.profile.taxonomy
        widest_purpose = max(
            (metrics.horizontalAdvance(t.label) for t in taxonomy.purposes), default=0
        )
        # The longest labels of each column; the detail gets what is left (full text as tooltip).
        samples = {
            Column.CHANNEL: [c.label for c in Channel],
            Column.OUTCOME: [o.label for o in Outcome],
            Column.VERDICT: [v.label for v in Verdict],
            Column.IDEAS: ["99"],
            Column.CANCEL: [self.tr("stayed"), self.tr("left")],
        }
        for column, texts in samples.items():
            title = self.model.headerData(column, Qt.Orientation.Horizontal)
            widest = max(metrics.horizontalAdvance(t) for t in [*texts, title])
            header.resizeSection(column, widest + padding)
        header.resizeSection(Column.PURPOSE, min(widest_purpose + padding, char * 24))
        header.resizeSection(Column.WHEN, self._when_width(other_years=False))
        self._fit_when_column()
        self.table.verticalHeader().setDefaultSectionSize(metrics.height() + 14)

    def _when_width(self, *, other_years: bool) -> int:
        return when_width(self.table, other_years=other_years)

    def _fit_when_column(self) -> None:
        fit_when_column(self.table, Column.WHEN, other_years=self.model.shows_other_years)
