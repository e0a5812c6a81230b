"""The main window: side navigation, the pages, the status bar and the Undo toast."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence, QPainter, QPaintEvent, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cxcompanion.services.contacts import ContactService
from cxcompanion.services.profile import Profile
from cxcompanion.store.errors import StoreError
from cxcompanion.ui.log_form import LogForm
from cxcompanion.ui.theme import style
from cxcompanion.ui.toast import Toast

if TYPE_CHECKING:
    from cxcompanion.ui.sync_controller import SyncController

from cxcompanion.ui.pages import (  # noqa: F401  (the page keys, for callers and tests)
    PAGE_COACHING,
    PAGE_CONTACTS,
    PAGE_FEEDBACK,
    PAGE_IDEA_BOARD,
    PAGE_IDEAS,
    PAGE_IMPORT,
    PAGE_LOG,
    PAGE_PATTERNS,
    PAGE_SYNC,
    PAGE_TEAM_REVIEW,
    REFRESHED_AFTER_SYNC,
    make_page,
    pages_for,
    title,
)


class _ElidedLabel(QLabel):
    """A status-bar label that gives way with "…" when the window is narrow, so the sync
    status beside it keeps its words."""

    def minimumSizeHint(self) -> QSize:
        return QSize(60, super().minimumSizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        QPainter(self).drawText(rect, int(self.alignment()), text)


class MainWindow(QMainWindow):
    def __init__(self, profile: Profile, *, demo: bool = False):
        super().__init__()
        self.profile = profile
        self.demo = demo
        self.setWindowTitle(self.tr("CX Companion") + (self.tr(" — demo") if demo else ""))
        self.resize(1180, 780)
        self.service = ContactService(profile)
        self.log_form: LogForm | None = None
        self.contacts_page = None
        self.feedback_page = None
        self.sync_page = None
        self.import_page = None
        # Made after the first paint, and only for a profile with a shared folder.
        self.sync_controller: SyncController | None = None
        self.has_share = False
        self.is_lead = False
        self._built = False  # the pages of a set-up profile exist
        self._pages: dict[str, QWidget] = {}

        central = QWidget(self)
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        side = QWidget(central)
        style(side, "sidebar")
        side.setFixedWidth(190)
        side_box = QVBoxLayout(side)
        side_box.setContentsMargins(12, 18, 12, 12)
        brand = QLabel(self.tr("CX Companion"), side)
        style(brand, "brand")
        side_box.addWidget(brand)
        self.nav = QListWidget(side)
        style(self.nav, "nav")
        self.nav.setAccessibleName(self.tr("Pages"))
        self.nav.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        side_box.addWidget(self.nav, 1)
        row.addWidget(side)
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(0)
        self.stack = QStackedWidget(central)
        right.addWidget(self.stack, 1)
        self._right = right
        self._toast: Toast | None = None
        row.addLayout(right, 1)
        self.setCentralWidget(central)

        self.identity_label = _ElidedLabel()
        self.count_label = QLabel()
        self.role_label = QLabel()
        self.compact_button = QPushButton(self.tr("Compact, on top"))
        style(self.compact_button, "flat")
        self.compact_button.setCheckable(True)
        self.compact_button.setToolTip(
            self.tr("Just the log form, kept above other windows (Ctrl+Shift+T)")
        )
        self.compact_button.setAccessibleName(self.tr("Compact always-on-top mode"))
        self.compact_button.toggled.connect(self.set_compact)
        # Sync in words (never colour alone); clicking it opens the Sync page.
        self.sync_status = QPushButton()
        style(self.sync_status, "flat")
        self.sync_status.setAccessibleName(self.tr("Sync status"))
        self.sync_status.clicked.connect(self._on_sync_status_clicked)
        for label in (self.identity_label, self.count_label, self.role_label):
            label.setContentsMargins(8, 0, 8, 0)
        # The status bar is put in place right after the first paint: start-up shows the
        # form first (making a QStatusBar costs as much as a fifth of the form).
        QTimer.singleShot(0, self._install_status_bar)
        self._side = side
        self._full_geometry = None
        self.nav.currentRowChanged.connect(self._on_nav_current_row_changed)

        if profile.is_set_up:
            self._build_pages()
        else:
            from cxcompanion.ui.setup_page import SetupPage

            setup = SetupPage(profile)
            setup.setup_finished.connect(self._on_setup_finished)
            self.stack.addWidget(setup)
            self.nav.setEnabled(False)
            self.compact_button.hide()  # nothing to keep on top before the form exists
            self.identity_label.setText(self.tr("First run: tell us who you are"))

    def _install_status_bar(self) -> None:
        bar = self.statusBar()
        bar.addWidget(self.identity_label, 1)
        bar.addPermanentWidget(self.sync_status)
        bar.addPermanentWidget(self.count_label)
        bar.addPermanentWidget(self.role_label)
        bar.addPermanentWidget(self.compact_button)
        # Sync is set up on the next turn of the event loop: the window has painted by then.
        QTimer.singleShot(0, self._start_sync)

    @property
    def toast(self) -> Toast:
        """The confirmation strip, made when first needed (start-up shows only the form)."""
        if self._toast is None:
            self._toast = Toast(self.centralWidget())
            self._right.addWidget(self._toast)
        return self._toast

    # -- pages ---------------------------------------------------------------------------

    def _build_pages(self) -> None:
        from cxcompanion.domain.enums import Role

        identity = self.profile.identity
        self.is_lead = identity.role is Role.LEAD
        self.has_share = bool(identity.share)
        if not self.is_lead:
            self.log_form = LogForm(self.service)
            self.log_form.contact_saved.connect(self._on_log_form_contact_saved)
            self.log_form.contact_amended.connect(self._on_log_form_contact_amended)
            self.log_form.form_cleared.connect(self._on_log_form_form_cleared)
        for spec in pages_for(identity.role, self.has_share):
            # Pages other than the log form are built when first shown: start-up only pays
            # for the first page.
            first = self.log_form if spec.key == PAGE_LOG else None
            self._add_page(spec.key, title(spec), first, spec.keys)
        if self.has_share:
            self.sync_status.setToolTip(self.tr("Open the Sync page (sync now: F5)"))
        else:
            self.sync_status.setText(self.tr("Local only"))
            self.sync_status.setToolTip(
                self.tr("This profile works on this PC only; no shared folder is set.")
            )
        shortcuts = [("Ctrl+Z", self._on_undo_activated), ("F5", self.sync_now)]
        if not self.is_lead:
            shortcuts += [
                ("Ctrl+N", self.new_contact),
                ("Ctrl+Shift+T", self.compact_button.toggle),
                ("Ctrl+F", self._on_find_activated),
            ]
        for keys, slot in shortcuts:
            QShortcut(QKeySequence(keys), self).activated.connect(slot)
        self._built = True
        self.nav.setEnabled(True)
        self.compact_button.setVisible(not self.is_lead)  # compact mode is the log form
        self.nav.setCurrentRow(0)
        self._refresh_status()
        if self.log_form is not None:
            self.log_form.channel.setFocus()

    def _add_page(self, key: str, title: str, widget: QWidget | None, keys: str) -> None:
        item = QListWidgetItem(title)
        item.setSizeHint(QSize(0, 38))
        item.setData(Qt.ItemDataRole.UserRole, key)
        item.setToolTip(f"{title}  ({keys})")
        self.nav.addItem(item)
        if widget is not None:
            self._pages[key] = widget
            self.stack.addWidget(widget)
        row = self.nav.count() - 1
        QShortcut(QKeySequence(keys), self).activated.connect(lambda: self.nav.setCurrentRow(row))

    def show_page(self, key: str) -> QWidget:
        for row in range(self.nav.count()):
            if self.nav.item(row).data(Qt.ItemDataRole.UserRole) == key:
                self.nav.setCurrentRow(row)
        return self._page(key)

    def _page(self, key: str) -> QWidget:
        if key not in self._pages:
            page = make_page(self, key)
            self._pages[key] = page
            self.stack.addWidget(page)
        return self._pages[key]

    def new_contact(self) -> None:
        """Ctrl+N: the log page with an empty form (what was there can be brought back)."""
        self.show_page(PAGE_LOG)
        assert self.log_form is not None
        self.log_form.clear()
        self.log_form.channel.setFocus()

    def set_compact(self, compact: bool) -> None:
        """Compact mode: only the log form, always on top, to sit beside a softphone or CRM."""
        if compact:
            self._full_geometry = self.saveGeometry()
            self.show_page(PAGE_LOG)
        self._side.setVisible(not compact)
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, compact)
        if compact:
            self.resize(760, self.height())
        elif self._full_geometry is not None:
            self.restoreGeometry(self._full_geometry)
        if self.compact_button.isChecked() != compact:
            self.compact_button.setChecked(compact)
        self.show()  # changing window flags hides the window until it is shown again

    # -- sync ----------------------------------------------------------------------------

    def _ensure_sync_controller(self) -> SyncController:
        if self.sync_controller is None:
            from cxcompanion.ui.sync_controller import SyncController

            self.sync_controller = SyncController(self.profile, self)
            self.sync_controller.status_changed.connect(self._on_sync_status_changed)
            self.sync_controller.sync_finished.connect(self._on_sync_controller_sync_finished)
            self._on_sync_status_changed()
        return self.sync_controller

    def _start_sync(self) -> None:
        """First sync shortly after the first paint, then on the team's timer."""
        if self._built and self.has_share:
            self._ensure_sync_controller().start()

    def sync_now(self) -> None:
        """F5: sync now (a local profile has nothing to sync)."""
        if not self._built:
            return
        if not self.has_share:
            self.toast.show_message(
                self.tr("This profile works on this PC only: there is nothing to sync.")
            )
            return
        self._ensure_sync_controller().request()

    # -- status --------------------------------------------------------------------------

    def _refresh_status(self) -> None:
        identity = self.profile.identity
        # The shared folder is on the Sync page (and in the tooltip); the bar says how sync is.
        text = f"{identity.name} · {self.tr('team')} {identity.team}"
        if self.demo:
            text += self.tr(" · demo data, thrown away on exit")
        self.identity_label.setText(text)
        self.identity_label.setToolTip(
            self.tr("Shared folder: %1").replace("%1", identity.share)
            if identity.share
            else self.tr("Local only: no shared folder is set.")
        )
        if self.is_lead:  # a lead logs none; the team's are on Team review
            self.count_label.setText("")
        else:
            count = self.service.count()
            self.count_label.setText(
                self.tr("1 contact logged")
                if count == 1
                else self.tr("%1 contacts logged").replace("%1", f"{count:,}")
            )
        self.role_label.setText(identity.role.label)
        if self.sync_controller is not None:
            self.sync_controller.refresh_waiting()  # a save or delete waits to be published

    # -- slots ---------------------------------------------------------------------------

    def _on_setup_finished(self) -> None:
        setup = self.stack.currentWidget()
        self.stack.removeWidget(setup)
        setup.deleteLater()
        self._build_pages()
        self._start_sync()

    def _on_nav_current_row_changed(self, row: int) -> None:
        if row < 0:
            return
        key = self.nav.item(row).data(Qt.ItemDataRole.UserRole)
        page = self._page(key)
        self.stack.setCurrentWidget(page)
        if key in (PAGE_CONTACTS, PAGE_FEEDBACK, PAGE_SYNC):
            page.reload()
        elif key in (PAGE_COACHING, PAGE_IDEAS, PAGE_IDEA_BOARD):
            page.refresh()  # small reads: what a sync or another page changed shows at once

    def _on_log_form_contact_saved(self, contact_id: str) -> None:
        assert self.log_form is not None
        raw = self.log_form.last_saved_raw
        self._refresh_status()

        def undo() -> None:
            self._guarded(lambda: self.service.delete(contact_id))
            self.show_page(PAGE_LOG)
            self.log_form.load(raw)
            self._refresh_status()
            self.toast.show_message(self.tr("Save undone: the contact is back on the form."))

        self.toast.show_message(self.tr("Contact saved."), undo)

    def _on_log_form_contact_amended(self, contact_id: str) -> None:
        self._refresh_status()
        self.show_page(PAGE_CONTACTS)
        self.toast.show_message(self.tr("Changes saved."))

    def _on_log_form_form_cleared(self, previous: dict) -> None:
        def undo() -> None:
            self.show_page(PAGE_LOG)
            self.log_form.load(previous)

        self.toast.show_message(self.tr("Form cleared."), undo)

    def _on_contacts_open_requested(self, contact_id: str) -> None:
        self.show_page(PAGE_LOG)
        self._guarded(lambda: self.log_form.start_amend(contact_id))

    def _on_contacts_contact_deleted(self, contact_id: str) -> None:
        self._refresh_status()

        def undo() -> None:
            self._guarded(lambda: self.service.restore(contact_id))
            if self.contacts_page is not None:
                self.contacts_page.reload()
            self._refresh_status()

        self.toast.show_message(self.tr("Contact deleted."), undo)

    def _on_import_page_import_started(self) -> None:
        # The import holds the store until it ends: syncs and saves wait for it.
        if self.sync_controller is not None:
            self.sync_controller.hold()
        if self.log_form is not None:
            self.log_form.store_held(
                self.tr(
                    "An import is writing to your contacts; save again when it has finished "
                    "(see Import). What you typed stays here."
                )
            )

    def _store_free(self) -> None:
        if self.sync_controller is not None:
            self.sync_controller.release()  # and the imported history goes out with it
        if self.log_form is not None:
            self.log_form.store_free()

    def _on_import_page_import_stopped(self, _why: str) -> None:
        self._store_free()

    def _on_import_page_import_finished(self, _report: object) -> None:
        self._store_free()
        # The imported contacts show in the count, My contacts and My feedback (if built).
        self._refresh_status()
        for page in (self.contacts_page, self.feedback_page):
            if page is not None:
                page.reload()

    def _on_sync_controller_sync_finished(self, _report: object) -> None:
        # Notes, answers, decisions and colleagues' contacts may have come in.
        for key in REFRESHED_AFTER_SYNC:
            page = self._pages.get(key)
            if page is not None:
                page.refresh()

    def _on_workspace_changed(self, *_args: object) -> None:
        """A note, answer, decision or evaluation was written: it waits to be published."""
        if self.sync_controller is not None:
            self.sync_controller.refresh_waiting()

    def _on_team_review_coach_requested(self, agent: str, contact_id: str) -> None:
        page = self.show_page(PAGE_COACHING)
        page.start_note(agent, contact_id)

    def _on_sync_status_changed(self) -> None:
        assert self.sync_controller is not None
        self.sync_status.setText(self.sync_controller.status_text())

    def _on_sync_status_clicked(self) -> None:
        if self._built and self.has_share:
            self.show_page(PAGE_SYNC)

    def _on_undo_activated(self) -> None:
        # Ctrl+Z belongs to a text field while one is being typed in.
        if self._toast is not None and self._toast.can_undo:
            self.toast.undo()

    def _on_find_activated(self) -> None:
        page = self.show_page(PAGE_CONTACTS)
        page.focus_search()

    def _guarded(self, action) -> None:
        try:
            action()
        except StoreError as exc:
            self.toast.show_message(str(exc))

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.log_form is not None:
            self.log_form.flush_draft()
        if self.sync_controller is not None:
            self.sync_controller.shutdown()  # a running sync stops at its next folder; wait for it
        if self.import_page is not None:
            self.import_page.shutdown()  # a running import stops, writing nothing
        super().closeEvent(event)
