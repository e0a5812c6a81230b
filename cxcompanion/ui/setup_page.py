"""First-run setup: who is using this installation, in which team, and where the share is."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cxcompanion.domain.enums import Role
from cxcompanion.services.profile import Profile, ProfileError
from cxcompanion.ui.theme import style
from cxcompanion.ui.widgets import ChoiceRow, ErrorLabel


class SetupPage(QWidget):
    setup_finished = Signal()

    def __init__(self, profile: Profile, parent: QWidget | None = None):
        super().__init__(parent)
        self.profile = profile
        outer = QVBoxLayout(self)
        outer.setContentsMargins(48, 40, 48, 32)
        outer.setSpacing(14)
        title = QLabel(self.tr("Welcome to CX Companion"))
        style(title, "pageTitle")
        intro = QLabel(
            self.tr(
                "Log why customers contact you and whether their need was met — never how long "
                "it took. Everything stays on this PC unless you name your team's shared folder."
            )
        )
        intro.setWordWrap(True)
        outer.addWidget(title)
        outer.addWidget(intro)
        form = QFormLayout()
        form.setHorizontalSpacing(18)
        form.setVerticalSpacing(12)
        self.name = QLineEdit()
        self.name.setAccessibleName(self.tr("Your name"))
        self.name.setPlaceholderText(self.tr("as your team lead knows you"))
        self.team = QLineEdit()
        self.team.setAccessibleName(self.tr("Team"))
        self.role = ChoiceRow([(r.value, r.label) for r in Role], self.tr("Role"))
        self.role.set_value(Role.AGENT.value)
        self.share = QLineEdit()
        self.share.setAccessibleName(self.tr("Shared folder"))
        self.share.setPlaceholderText(self.tr("leave empty to work locally only"))
        browse = QPushButton(self.tr("Browse…"))
        browse.setAccessibleName(self.tr("Choose the shared folder"))
        browse.clicked.connect(self._on_browse_clicked)
        share_row = QHBoxLayout()
        share_row.addWidget(self.share, 1)
        share_row.addWidget(browse)
        self.errors: dict[str, ErrorLabel] = {}
        for key, label, field in (
            ("name", self.tr("Your name"), self.name),
            ("team", self.tr("Team"), self.team),
            ("role", self.tr("Role"), self.role),
            ("share", self.tr("Shared folder"), share_row),
        ):
            box = QVBoxLayout()
            box.setSpacing(4)
            if isinstance(field, QWidget):
                box.addWidget(field)
            else:
                box.addLayout(field)
            self.errors[key] = ErrorLabel()
            box.addWidget(self.errors[key])
            form.addRow(label, box)
        for line in (self.name, self.team, self.share):
            line.setMinimumHeight(30)
        outer.addLayout(form)
        self.error = ErrorLabel()  # a problem that belongs to no single field
        outer.addWidget(self.error)
        self.start = QPushButton(self.tr("Start"))
        style(self.start, "primary")
        self.start.setDefault(True)
        self.start.setAccessibleName(self.tr("Finish setup and start"))
        self.start.clicked.connect(self.finish)
        self.name.returnPressed.connect(self.finish)
        self.team.returnPressed.connect(self.finish)
        outer.addWidget(self.start, 0, Qt.AlignmentFlag.AlignLeft)
        outer.addStretch(1)

    def finish(self) -> bool:
        for label in (*self.errors.values(), self.error):
            label.show_error(None)
        try:
            self.profile.set_up(
                self.name.text(), self.team.text(), self.role.value(), self.share.text().strip()
            )
        except ProfileError as exc:
            self.errors.get(exc.field or "", self.error).show_error(str(exc))
            focus = {"name": self.name, "team": self.team, "share": self.share}
            focus.get(exc.field or "", self.name).setFocus()
            return False
        self.setup_finished.emit()
        return True

    def _on_browse_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Team's shared folder"))
        if folder:
            self.share.setText(folder)
