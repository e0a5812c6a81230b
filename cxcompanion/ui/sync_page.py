"""The Sync page: the share's state, the last sync, and each problem with what to do about it.

A lead also approves the devices asking to join here. Everything comes from the sync
controller (which syncs in a worker); approving is a couple of small file writes, done here.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from cxcompanion.domain.enums import Role
from cxcompanion.domain.sync_texts import ADVICE
from cxcompanion.services.profile import Profile, ProfileError
from cxcompanion.services.sync import SyncService
from cxcompanion.ui.sync_controller import SyncController, count_text, when_text
from cxcompanion.ui.theme import style
from cxcompanion.ui.widgets import ErrorLabel

# A few words for each reason a file was set aside (the code stays beside them for support).
REASONS = {
    "truncated": "incomplete file",
    "checksum": "damaged or changed file",
    "count": "file does not match its header",
    "header": "not a CX Companion file",
    "encoding": "not readable as text",
    "decompression": "cannot be unpacked",
    "too_large": "far too large",
    "seq": "name and content disagree",
    "writer": "file in another device's folder",
    "record": "a record is not valid",
    "owner": "holds records its device may not write",
    "duplicate": "two files with the same numbers",
    "newer_format": "written by a newer CX Companion",
}


def _label(text: str = "", role: str | None = None, *, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if role:
        style(label, role)
    return label


class ProblemCard(QFrame):
    """One problem: what happened, whose file it is, and what a lead can do."""

    def __init__(
        self,
        title: str,
        rows: list[tuple[str, str]],
        label_width: int = 0,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        style(self, "card")
        self.setAccessibleName(title)
        box = QVBoxLayout(self)
        box.setContentsMargins(18, 14, 18, 16)
        box.setSpacing(10)
        self.title = _label("⚠ " + title, "tileTitle")
        box.addWidget(self.title)
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(6)
        grid.setColumnStretch(1, 1)
        self.values: dict[str, QLabel] = {}
        for row, (heading, text) in enumerate(rows):
            name = _label(heading, "fieldLabel", wrap=False)
            name.setContentsMargins(0, 0, 0, 0)
            name.setMinimumWidth(label_width)
            value = _label(text)
            grid.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, row, 1)
            self.values[heading] = value
        box.addLayout(grid)

    def text(self) -> str:
        return "\n".join([self.title.text(), *(v.text() for v in self.values.values())])


class SyncPage(QWidget):
    devices_approved = Signal(list)  # the Device rows just added to the roster

    def __init__(self, profile: Profile, controller: SyncController, parent: QWidget | None = None):
        super().__init__(parent)
        self.profile = profile
        self.controller = controller
        self.is_lead = controller.role is Role.LEAD
        self.problem_cards: list[ProblemCard] = []
        self.approve_buttons: dict[str, QPushButton] = {}
        # One width for the headings of every card, so their values line up down the page.
        headings = ("Shared folder", "Last sync", "Waiting to go out", "What happened",
                    "Whose file", "What to do", "What")  # fmt: skip
        probe = _label(role="fieldLabel")
        self.label_width = 4 + max(
            probe.fontMetrics().horizontalAdvance(self.tr(h)) for h in headings
        )
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 12)
        outer.setSpacing(10)
        header = QHBoxLayout()
        title = QLabel(self.tr("Sync"))
        style(title, "pageTitle")
        header.addWidget(title)
        header.addStretch(1)
        # Progress sits beside the button it answers, so nothing below moves during a sync.
        progress_row = QHBoxLayout()
        progress_row.setContentsMargins(0, 0, 0, 0)
        progress_row.setSpacing(12)
        self.progress_label = QLabel()
        self.progress = QProgressBar()
        style(self.progress, "progress")
        self.progress.setAccessibleName(self.tr("Sync progress"))
        self.progress.setTextVisible(False)
        self.progress.setFixedWidth(200)
        progress_row.addWidget(self.progress_label)
        progress_row.addWidget(self.progress)
        self.progress_box = QWidget()
        self.progress_box.setLayout(progress_row)
        header.addWidget(self.progress_box)
        header.addSpacing(12)
        self.sync_button = QPushButton(self.tr("Sync now  (F5)"))
        style(self.sync_button, "primary")
        self.sync_button.setAccessibleName(self.tr("Sync now"))
        self.sync_button.clicked.connect(self.controller.request)
        header.addWidget(self.sync_button)
        header.setContentsMargins(0, 0, 8, 0)  # line up with the cards, beside the scroll bar
        outer.addLayout(header)
        self.subtitle = _label(role="quiet")
        outer.addWidget(self.subtitle)
        self.error = ErrorLabel()
        outer.addWidget(self.error)

        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 6, 8, 12)
        column.setSpacing(14)
        state = QFrame()
        style(state, "card")
        grid = QGridLayout(state)
        grid.setContentsMargins(18, 14, 18, 14)
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(8)
        grid.setColumnStretch(1, 1)
        self.share_value = _label()
        self.last_value = _label()
        self.waiting_value = _label()
        for row, (heading, value) in enumerate(
            (
                (self.tr("Shared folder"), self.share_value),
                (self.tr("Last sync"), self.last_value),
                (self.tr("Waiting to go out"), self.waiting_value),
            )
        ):
            name = _label(heading, "fieldLabel", wrap=False)
            name.setContentsMargins(0, 0, 0, 0)
            name.setMinimumWidth(self.label_width)
            grid.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, row, 1)
        column.addWidget(state)
        # An agent whose device is not on the roster yet: said plainly, not as a problem.
        self.approval_card = QFrame()
        style(self.approval_card, "card")
        note_box = QVBoxLayout(self.approval_card)
        note_box.setContentsMargins(18, 14, 18, 16)
        note_box.setSpacing(8)
        note_title = self.tr("Waiting for your team lead's approval")
        self.approval_card.setAccessibleName(note_title)
        note_box.addWidget(_label(note_title, "tileTitle"))
        self.approval_note = _label()
        note_box.addWidget(self.approval_note)
        self.approval_card.hide()
        column.addWidget(self.approval_card)

        column.addSpacing(6)
        column.addWidget(_label(self.tr("Problems"), "sectionTitle"))
        self.no_problems = _label(self.tr("✓ Nothing needs your attention."))
        column.addWidget(self.no_problems)
        self.problems_box = QVBoxLayout()
        self.problems_box.setSpacing(12)
        column.addLayout(self.problems_box)

        self.devices_note = _label(role="quiet")
        self.approve_all = QPushButton(self.tr("Approve all"))
        self.approve_all.setAccessibleName(self.tr("Approve all devices asking to join"))
        self.approve_all.clicked.connect(self._on_approve_all_clicked)
        _roomy(self.approve_all)
        self.devices_box = QVBoxLayout()
        self.devices_box.setSpacing(10)
        if self.is_lead:
            column.addSpacing(6)
            devices_head = QHBoxLayout()
            devices_head.addWidget(_label(self.tr("Devices asking to join"), "sectionTitle"), 1)
            devices_head.addWidget(self.approve_all)
            column.addLayout(devices_head)
            column.addWidget(self.devices_note)
            column.addLayout(self.devices_box)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        controller.status_changed.connect(self._on_controller_status_changed)
        controller.sync_progressed.connect(self._on_controller_sync_progressed)
        controller.sync_finished.connect(self._on_controller_sync_finished)
        controller.sync_failed.connect(self._on_controller_sync_failed)
        self.reload()

    # -- showing -------------------------------------------------------------------------

    def reload(self) -> None:
        self._show_status()
        self._show_problems()
        self._show_devices()

    def _show_status(self) -> None:
        c = self.controller
        self.subtitle.setText(
            self.tr(
                "Your changes go to the team's shared folder and your team's come back here: "
                "every %1 min, and whenever you choose Sync now."
            ).replace("%1", str(c.minutes))
        )
        self.sync_button.setEnabled(not c.running)
        self.progress_box.setVisible(c.running)
        if c.running and c.indexing is not None:  # after a first import: seconds to minutes
            done, total = c.indexing
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.progress_label.setText(
                self.tr("Making the team's contacts searchable: %1%").replace(
                    "%1", str(min(99, done * 100 // max(total, 1)))
                )
            )
        elif c.running:
            done, total = c.progress or (0, 0)
            self.progress.setRange(0, total)  # 0..0 while publishing: a busy bar
            self.progress.setValue(done)
            self.progress_label.setText(
                self.tr("Reading the team's folders: %1 of %2")
                .replace("%1", str(done))
                .replace("%2", str(total))
                if total
                else self.tr("Sending your changes…")
            )
        report, share = c.report, self.profile.identity.share or ""
        if report is None:
            self.share_value.setText(share + self.tr(" — not checked yet"))
            self.last_value.setText(self.tr("Not synced yet."))
        elif report.share == "offline":
            self.share_value.setText(
                self.tr("⚠ Offline. Nothing on this PC was changed; your changes wait here "
                        "until a sync reaches the share again.")
                + "\n"
                + report.message
            )  # fmt: skip
            self.last_value.setText(
                self.tr("%1: the share could not be reached.").replace(
                    "%1", _first_upper(when_text(report.finished_at, c.clock()))
                )
            )
        else:
            self.share_value.setText(self.tr("✓ Online — %1").replace("%1", share))
            sent, came = report.published_records, report.imported_records
            result = (
                self.tr("sent %1, brought in %2 from your team.")
                .replace("%1", count_text(sent, "1 change", "%1 changes"))
                .replace("%2", count_text(came, "1 change", "%1 changes"))
                if sent or came
                else self.tr("nothing new to send or bring in.")
            )
            when = _first_upper(when_text(report.finished_at, c.clock()))
            self.last_value.setText(f"{when}: {result}")
        if c.failure:
            self.last_value.setText(
                self.tr("⚠ The last sync did not finish: %1").replace("%1", c.failure)
            )
        self.waiting_value.setText(
            count_text(c.waiting, "1 change, saved on this PC", "%1 changes, saved on this PC")
            if c.waiting
            else self.tr("Nothing: every change has gone out.")
        )
        if report is not None and not report.approved:
            self.approval_note.setText(
                self.tr(
                    "This device is not approved yet. Your team lead approves new devices "
                    "on their Sync page. Until then your contacts are kept on this PC and "
                    "on the share, and they reach the team once you are approved. "
                    "If it takes a while, tell your lead this device: %1 (%2)."
                )
                .replace("%1", self.profile.identity.name)
                .replace("%2", c.device_id)
            )
        self.approval_card.setVisible(report is not None and not report.approved)

    def _show_problems(self) -> None:
        for card in self.problem_cards:
            self.problems_box.removeWidget(card)
            card.deleteLater()
        self.problem_cards = []
        report = self.controller.report
        if report is not None:
            for entry in report.stopped:
                self._add_problem(
                    self.tr("Changes from %1 wait for a newer CX Companion").replace(
                        "%1", entry["person"]
                    ),
                    entry,
                    self.tr(ADVICE["newer_format"]),
                )
            for entry in report.quarantined:
                reason = entry["reason"]
                words = self.tr(REASONS.get(reason, reason))
                self._add_problem(
                    self.tr("A file from %1 was set aside: %2")
                    .replace("%1", entry["person"])
                    .replace("%2", words),
                    entry,
                    self.tr(ADVICE.get(reason, "Ask its owner to run a sync."))
                    + self.tr(" (reason: %1)").replace("%1", reason),
                )
            for problem in report.problems:
                card = ProblemCard(
                    self.tr("Something to look at"), [(self.tr("What"), problem)], self.label_width
                )
                self._insert(card)
        self.no_problems.setVisible(not self.problem_cards)
        if report is None:
            self.no_problems.setText(self.tr("Problems show here after the first sync."))
        else:
            self.no_problems.setText(self.tr("✓ Nothing needs your attention."))

    def _add_problem(self, title: str, entry: dict, advice: str) -> None:
        who = self.tr("%1 · device %2 · file %3")
        who = who.replace("%1", entry["person"]).replace("%2", entry["device"])
        rows = [
            (self.tr("What happened"), entry["message"]),
            (self.tr("Whose file"), who.replace("%3", entry["file"])),
            (self.tr("What to do"), advice),
        ]
        self._insert(ProblemCard(title, rows, self.label_width))

    def _insert(self, card: ProblemCard) -> None:
        self.problem_cards.append(card)
        self.problems_box.addWidget(card)

    def _show_devices(self) -> None:
        if not self.is_lead:
            return
        while self.devices_box.count():
            widget = self.devices_box.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.approve_buttons = {}
        c = self.controller
        rows: list[tuple[str, str, str, int]] = []  # device, person, role, files waiting
        if c.devices is not None:
            for d in c.asking_to_join():
                rows.append((d.device, d.person, d.role.label.lower(), d.waiting_segments))
        elif c.report is not None:  # the share was not listed: what the last sync held back
            rows = [(h["device"], h["person"], "", h["segments"]) for h in c.report.held]
        for device, person, role, files in rows:
            self.devices_box.addWidget(self._device_row(device, person, role, files))
        self.approve_all.setEnabled(bool(rows))
        if c.devices is None and c.devices_error:
            note = self.tr("The devices could not be listed: %1").replace("%1", c.devices_error)
        elif (
            c.devices is None and not rows and c.report is not None and c.report.share == "offline"
        ):
            note = self.tr(
                "The share is offline: devices asking to join are listed when it is back."
            )
        elif c.devices is None and not rows:
            note = self.tr("Devices asking to join are listed after the next sync.")
        elif not rows:
            note = self.tr("No device is asking to join. New colleagues show up here after "
                           "they set up CX Companion with the team's shared folder.")  # fmt: skip
        else:
            note = self.tr(
                "Approve only the devices you recognise. Until then their changes wait on "
                "the share and do not reach the team."
            )
        self.devices_note.setText(note)

    def _device_row(self, device: str, person: str, role: str, files: int) -> QFrame:
        row = QFrame()
        style(row, "card")
        line = QHBoxLayout(row)
        line.setContentsMargins(18, 12, 14, 12)
        line.setSpacing(16)
        text = QVBoxLayout()
        text.setSpacing(4)
        text.addWidget(_label(f"{person}" + (f" · {role}" if role else ""), "tileTitle"))
        detail = self.tr("Device %1 · %2").replace("%1", device)
        detail = detail.replace(
            "%2",
            count_text(
                files,
                "1 file of changes waiting to come in",
                "%1 files of changes waiting to come in",
            )
            if files
            else self.tr("no changes sent yet"),
        )
        text.addWidget(_label(detail, "quiet"))
        line.addLayout(text, 1)
        button = QPushButton(self.tr("Approve"))
        button.setAccessibleName(self.tr("Approve %1's device").replace("%1", person))
        button.clicked.connect(lambda: self.approve(device))
        _roomy(button)
        line.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.approve_buttons[device] = button
        return row

    # -- approving -----------------------------------------------------------------------

    def approve(self, device: str | None) -> list:
        """Add one device (None: all asking) to the roster, then sync to bring their changes."""
        try:
            chosen = SyncService(self.profile).approve(device)
        except ProfileError as exc:
            self.error.show_error(str(exc))
            return []
        self.error.show_error(None)
        c = self.controller
        if c.devices is not None:
            done = {d.device for d in chosen}
            c.note_devices(
                tuple(replace(d, approved=True) if d.device in done else d for d in c.devices)
            )
        self._show_devices()
        if chosen:
            self.devices_approved.emit(chosen)
            c.request()
        return chosen

    # -- slots ---------------------------------------------------------------------------

    def _on_approve_all_clicked(self) -> None:
        self.approve(None)

    def _on_controller_status_changed(self) -> None:
        self._show_status()

    def _on_controller_sync_progressed(self, _done: int, _total: int) -> None:
        self._show_status()

    def _on_controller_sync_finished(self, _report: object) -> None:
        self.error.show_error(None)
        self._show_problems()
        self._show_devices()

    def _on_controller_sync_failed(self, _message: str) -> None:
        self._show_status()


def _first_upper(text: str) -> str:
    """ "today at 14:32" → "Today at 14:32" (str.capitalize would lower "Nov")."""
    return text[:1].upper() + text[1:]


def _roomy(button: QPushButton) -> None:
    """A plain button with room around its word (the platform's default is tight)."""
    hint = button.sizeHint()
    button.setMinimumSize(hint.width() + 24, hint.height() + 6)
