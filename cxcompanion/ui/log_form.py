"""The Log contact form: every field of a contact, keyboard first, errors next to the field.

What is typed goes to the store as a draft a moment after each change, so a crash or a
restart gives it back. The same form amends a stored contact (then drafts are paused).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from cxcompanion.domain.enums import Channel, Outcome, Verdict
from cxcompanion.domain.errors import ValidationError
from cxcompanion.services.contacts import ContactService
from cxcompanion.store.errors import StoreError
from cxcompanion.ui.contact_rows import CancellationRow, PriorContactsRow
from cxcompanion.ui.ideas_editor import IdeasEditor
from cxcompanion.ui.purpose_field import PurposeField
from cxcompanion.ui.theme import style
from cxcompanion.ui.widgets import ChoiceRow, ErrorLabel, MoodPicker, field_box

DRAFT_DELAY_MS = 400


class LogForm(QWidget):
    contact_saved = Signal(str)
    contact_amended = Signal(str)
    amend_finished = Signal()
    draft_saved = Signal()
    form_cleared = Signal(dict)  # what was on the form, so it can be brought back

    def __init__(self, service: ContactService, parent: QWidget | None = None):
        super().__init__(parent)
        self.service = service
        self.taxonomy = service.profile.taxonomy
        self._amending: str | None = None
        self._amend_at: str | None = None
        self._loading = False
        self._checked_once = False
        self._auto_cancel = False
        self._errors: dict[str, ErrorLabel] = {}
        self.store_busy = ""  # why saving must wait (an import holds the store), or ""
        self._draft_timer = QTimer(self, singleShot=True, interval=DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self._on_draft_timer_timeout)
        self._build()
        self._size_inputs()
        self._connect_changes()
        self._restore_draft()

    # -- building ------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 20, 28, 16)
        outer.setSpacing(10)
        header = QHBoxLayout()
        self.title = QLabel(self.tr("Log contact"), self)
        style(self.title, "pageTitle")
        self.draft_state = QLabel("", self)
        style(self.draft_state, "quiet")
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.draft_state)
        outer.addLayout(header)
        self.banner = ErrorLabel(self)
        outer.addWidget(self.banner)

        body = QWidget(self)
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 4, 12, 4)
        form = QFormLayout()
        column.addLayout(form)
        # Spare height goes below the form, not between its rows (rows stay evenly spaced).
        column.addStretch(1)
        form.setContentsMargins(0, 0, 0, 0)
        form.setHorizontalSpacing(18)
        form.setVerticalSpacing(18)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._form = form

        self.channel = ChoiceRow([(c.value, c.label) for c in Channel], self.tr("Channel"))
        self.channel.set_value(Channel.PHONE.value)
        self._add_row(self.tr("Channel"), self.channel, "channel")

        self.purpose_field = PurposeField(self.taxonomy)
        self.purpose = self.purpose_field.edit  # the widget a person types in
        self._add_row(self.tr("Purpose"), self.purpose_field, "purpose")

        self.detail = QLineEdit()
        self.detail.setPlaceholderText(self.tr("in a few words: what the customer needed"))
        self.detail.setAccessibleName(self.tr("Detail"))
        self._add_row(self.tr("Detail"), self.detail, "detail")

        self.customer = QLineEdit()
        self.customer.setPlaceholderText(self.tr("customer reference (hashed before it is stored)"))
        self.customer.setAccessibleName(self.tr("Customer reference"))
        self._add_row(self.tr("Customer"), self.customer, "customer_ref")

        self.prior_row = PriorContactsRow()
        self.prior = self.prior_row.spin
        self.prior_channels = self.prior_row.channels
        self._add_row(
            self.tr("Contacted us before?"),
            self.prior_row,
            "prior_contacts",
            extra_keys=("prior_channels",),
        )

        self.outcome = QComboBox()
        self.outcome.setPlaceholderText(self.tr("choose the outcome"))
        self.outcome.setAccessibleName(self.tr("Outcome"))
        for outcome in Outcome:
            self.outcome.addItem(outcome.label, outcome.value)
        self.outcome.setCurrentIndex(-1)
        self.outcome.setMinimumWidth(220)
        self._add_row(self.tr("Outcome"), self.outcome, "outcome", grow=False)

        self.verdict = ChoiceRow(
            [(v.value, v.label) for v in Verdict], self.tr("Customer says need met")
        )
        self._add_row(self.tr("Customer says need met?"), self.verdict, "verdict")

        self.mood_start = MoodPicker(self.tr("Mood at start"))
        self.mood_end = MoodPicker(self.tr("Mood at end"))
        self._add_row(self.tr("Mood at start"), self.mood_start, "mood_start")
        self._add_row(self.tr("Mood at end"), self.mood_end, "mood_end")

        self.ideas = IdeasEditor(self.taxonomy)
        self._form.addRow(self._label(self.tr("Ideas")), self.ideas)

        self.cancellation = CancellationRow(self.taxonomy)
        self.cancel = self.cancellation.tick
        self.cancel_reason = self.cancellation.reason
        self.stayed = self.cancellation.stayed
        self.cancel_details = self.cancellation.details
        self._add_row(
            self.tr("Cancellation"), self.cancellation, "cancel_reason", extra_keys=("stayed",)
        )

        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setAccessibleName(self.tr("Notes"))
        self.notes.setPlaceholderText(self.tr("anything worth remembering (optional)"))
        self.notes.setFixedHeight(76)
        self._add_row(self.tr("Notes"), self.notes, "notes")

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        buttons = QHBoxLayout()
        self.hint = QLabel(self.tr("Tab moves between fields · arrows change a choice"))
        style(self.hint, "quiet")
        buttons.addWidget(self.hint)
        buttons.addStretch(1)
        self.clear_button = QPushButton(self.tr("Clear"))
        self.clear_button.setAccessibleName(self.tr("Clear the form"))
        self.save_button = QPushButton(self.tr("Save  (Ctrl+Enter)"))
        style(self.save_button, "primary")
        self.save_button.setAccessibleName(self.tr("Save contact"))
        self.save_button.setDefault(True)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.save_button)
        outer.addLayout(buttons)
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        self.save_button.clicked.connect(self.save)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.save)
        add_idea = QShortcut(QKeySequence("Ctrl+I"), self)
        add_idea.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        add_idea.activated.connect(self.ideas.add_and_focus)
        escape = QShortcut(QKeySequence("Escape"), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self._on_escape_activated)

    def _label(self, text: str) -> QLabel:
        label = QLabel(text)
        style(label, "fieldLabel")
        return label

    def _add_row(
        self,
        text: str,
        field: Any,
        key: str,
        *,
        extra_keys: tuple[str, ...] = (),
        grow: bool = True,
    ) -> None:
        box, error = field_box(field, grow=grow)
        for name in (key, *extra_keys):
            self._errors[name] = error
        label = self._label(text)
        if isinstance(field, QWidget):
            label.setBuddy(field)
        self._form.addRow(label, box)

    def _size_inputs(self) -> None:
        # Taller inputs than the platform default: easier to hit and to read after a shift
        # (the purpose, prior-contacts and cancellation rows size their own).
        for widget in (self.detail, self.customer, self.outcome):
            widget.setMinimumHeight(30)

    def _connect_changes(self) -> None:
        for widget in (self.purpose, self.detail, self.customer):
            widget.textChanged.connect(self._on_field_changed)
        self.purpose_field.code_changed.connect(self._on_purpose_code_changed)
        self.notes.textChanged.connect(self._on_field_changed)
        self.outcome.currentIndexChanged.connect(self._on_field_changed)
        self.cancel.toggled.connect(self._on_cancel_toggled)
        for widget in (
            self.channel,
            self.verdict,
            self.mood_start,
            self.mood_end,
            self.prior_row,
            self.cancellation,
            self.ideas,
        ):
            widget.changed.connect(self._on_field_changed)

    # -- reading and writing the fields --------------------------------------------------

    def raw(self) -> dict[str, Any]:
        """What the form holds, as the services take it (see domain.validation)."""
        raw: dict[str, Any] = {
            "channel": self.channel.value(),
            "purpose": self.purpose_field.code or self.purpose.text().strip(),
            "purpose_text": self.purpose.text(),
            "detail": self.detail.text(),
            "customer_ref": self.customer.text(),
            "prior_contacts": self.prior_row.count(),
            "prior_channels": self.prior_row.chosen_channels(),
            "outcome": self.outcome.currentData() or "",
            "verdict": self.verdict.value(),
            "mood_start": self.mood_start.value(),
            "mood_end": self.mood_end.value(),
            "ideas": self.ideas.ideas(),
            **self.cancellation.value(),
            "notes": self.notes.toPlainText(),
        }
        if self._amend_at:
            raw["at"] = self._amend_at
        return raw

    def load(self, raw: dict[str, Any]) -> None:
        """Fill the form from `raw` (a draft, a stored contact, or an undone save)."""
        self._loading = True
        try:
            self.channel.set_value(raw.get("channel") or Channel.PHONE.value)
            self.purpose_field.set_purpose(raw.get("purpose") or "", raw.get("purpose_text"))
            self.detail.setText(raw.get("detail") or "")
            self.customer.setText(raw.get("customer_ref") or "")
            self.prior_row.set_value(int(raw.get("prior_contacts") or 0), raw.get("prior_channels"))
            self.outcome.setCurrentIndex(self.outcome.findData(raw.get("outcome") or ""))
            self.verdict.set_value(raw.get("verdict"))
            self.mood_start.set_value(_int_or_none(raw.get("mood_start")))
            self.mood_end.set_value(_int_or_none(raw.get("mood_end")))
            self.ideas.set_ideas(list(raw.get("ideas") or ()))
            self.cancellation.set_value(
                bool(raw.get("cancel_intent")), raw.get("cancel_reason"), raw.get("stayed")
            )
            self.notes.setPlainText(raw.get("notes") or "")
        finally:
            self._loading = False
        self._show_errors({})

    def reset(self) -> None:
        channel = self.channel.value()
        self.load({"channel": channel})  # the next contact is most likely on the same channel
        self._checked_once = False
        self.banner.show_error(None)
        self.channel.setFocus()

    def is_empty(self) -> bool:
        raw = self.raw()
        return (
            not any(
                raw[k]
                for k in (
                    "purpose",
                    "detail",
                    "customer_ref",
                    "notes",
                    "ideas",
                    "outcome",
                    "verdict",
                    "prior_contacts",
                    "cancel_intent",
                )
            )
            and raw["mood_start"] is None
            and raw["mood_end"] is None
        )

    # -- saving --------------------------------------------------------------------------

    def save(self) -> str | None:
        """Save (or amend) the contact; returns its id, or None with errors shown inline."""
        self._checked_once = True
        raw = self.raw()
        if self.store_busy:  # an import holds the store: say so now, never wait for it
            self.banner.show_error(self.store_busy)
            return None
        try:
            if self._amending:
                contact = self.service.amend(self._amending, raw)
            else:
                contact = self.service.log(raw, clear_draft=True)
        except ValidationError as exc:
            self._show_errors(exc.errors, focus=True)
            return None
        except StoreError as exc:
            self.banner.show_error(str(exc))
            return None
        self.last_saved_raw = raw
        if self._amending:
            self._finish_amend()
            self.contact_amended.emit(contact.id)
        else:
            self._draft_timer.stop()
            self.reset()
            self.draft_state.setText(self.tr("saved"))
            self.contact_saved.emit(contact.id)
        return contact.id

    def clear(self) -> None:
        """Empty the form; what was on it goes out with form_cleared for an Undo."""
        if self._amending:
            self._finish_amend()
            return
        previous = self.raw()
        was_empty = self.is_empty()
        self.reset()
        self._save_draft_now()
        if not was_empty:
            self.form_cleared.emit(previous)

    # -- amending ------------------------------------------------------------------------

    def start_amend(self, contact_id: str) -> None:
        contact = self.service.get_for_change(contact_id)
        self._save_draft_now()
        self._amending = contact_id
        self._amend_at = contact.at
        self.load(self.service.to_raw(contact))
        self.customer.setPlaceholderText(
            self.tr("unchanged (stored only as a hash); type to replace")
        )
        self.title.setText(self.tr("Amend contact"))
        self.draft_state.setText(
            self.tr("revision %1 → %2")
            .replace("%1", str(contact.revision))
            .replace("%2", str(contact.revision + 1))
        )
        self.save_button.setText(self.tr("Save changes  (Ctrl+Enter)"))
        self.clear_button.setText(self.tr("Cancel  (Esc)"))
        self.channel.setFocus()

    @property
    def amending(self) -> str | None:
        return self._amending

    def _finish_amend(self) -> None:
        self._amending = None
        self._amend_at = None
        self.title.setText(self.tr("Log contact"))
        self.save_button.setText(self.tr("Save  (Ctrl+Enter)"))
        self.clear_button.setText(self.tr("Clear"))
        self.customer.setPlaceholderText(self.tr("customer reference (hashed before it is stored)"))
        self.draft_state.setText("")
        self._restore_draft()
        self.amend_finished.emit()

    # -- drafts --------------------------------------------------------------------------

    def _restore_draft(self) -> None:
        draft = self.service.load_draft()
        self.reset()
        if draft:
            self.load(draft)
            self.draft_state.setText(self.tr("draft restored"))

    def _save_draft_now(self) -> None:
        if self._amending:
            return
        if self.store_busy:  # written once the import has finished (store_free)
            self.draft_state.setText(self.tr("draft waits for the import"))
            return
        self._draft_timer.stop()
        empty = self.is_empty()
        try:
            if empty:
                self.service.clear_draft()
            else:
                self.service.save_draft(self.raw())
        except StoreError as exc:
            self.banner.show_error(str(exc))
            return
        self.draft_state.setText("" if empty else self.tr("draft saved"))
        self.draft_saved.emit()

    def store_held(self, message: str) -> None:
        """An import of a file writes the store in one transaction until it ends: saving
        would wait for it, on the window's thread."""
        self.store_busy = message

    def store_free(self) -> None:
        busy, self.store_busy = self.store_busy, ""
        if not busy:
            return
        if self.banner.text() == "⚠ " + busy:  # the banner says why saving waited
            self.banner.show_error(None)
        if self.draft_state.text() == self.tr("draft waits for the import"):
            self._save_draft_now()

    def flush_draft(self) -> None:
        """Write a pending draft at once (the window calls this when it closes)."""
        if self._draft_timer.isActive():
            self._save_draft_now()

    # -- reacting ------------------------------------------------------------------------

    def _friendly(self, errors: dict[str, str]) -> dict[str, str]:
        """On screen a missing choice needs no list of codes: the choices are right there."""
        raw = self.raw()
        plain = {
            "channel": self.tr("Choose the channel."),
            "outcome": self.tr("Choose the outcome."),
            "verdict": self.tr("Ask the customer, or choose Didn't ask."),
            "cancel_reason": self.tr("Choose the reason the customer gives."),
            "stayed": self.tr("Did the customer stay?"),
        }
        friendly = dict(errors)
        for key, message in plain.items():
            if key in errors and not raw.get(key):
                friendly[key] = message
        if "purpose" in errors and self.purpose_field.unresolved:
            friendly["purpose"] = self.tr(
                "Choose a purpose from the list: type a few letters, then ↓ and Enter."
            )
        return friendly

    def _show_errors(self, errors: dict[str, str], focus: bool = False) -> None:
        errors = self._friendly(errors) if errors else errors
        for label in set(self._errors.values()):
            label.show_error(None)
        shown: dict[int, list[str]] = {}
        for key, label in self._errors.items():
            if key in errors:
                shown.setdefault(id(label), []).append(errors[key])
                label.show_error(" ".join(shown[id(label)]))
        first_idea = self.ideas.show_errors(errors)
        if errors and "at" in errors:
            self.banner.show_error(errors["at"])
        if focus and errors:
            order = [
                ("channel", self.channel),
                ("purpose", self.purpose),
                ("detail", self.detail),
                ("customer_ref", self.customer),
                ("prior_contacts", self.prior),
                ("prior_channels", self.prior),
                ("outcome", self.outcome),
                ("verdict", self.verdict),
                ("mood_start", self.mood_start),
                ("mood_end", self.mood_end),
                ("ideas", first_idea),
                ("cancel_reason", self.cancel_reason),
                ("stayed", self.stayed),
                ("notes", self.notes),
            ]
            for key, widget in order:
                hit = key in errors or (key == "ideas" and first_idea is not None)
                if hit and widget is not None:
                    widget.setFocus()
                    break

    def _on_field_changed(self, *_: Any) -> None:
        if self._loading:
            return
        if not self._amending:
            self.draft_state.setText(self.tr("typing…"))
            self._draft_timer.start()
        if self._checked_once:
            # Once a save has shown errors, re-check live so each one clears when fixed.
            try:
                self.service.parse(self.raw())
                self._show_errors({})
            except ValidationError as exc:
                self._show_errors(exc.errors)

    def _on_purpose_code_changed(self, code: str) -> None:
        # A cancellation purpose opens the cancellation fields; another purpose closes them
        # again only if they were opened for the purpose, not ticked by hand.
        if self._loading:
            return
        is_cancel = bool(code) and self.taxonomy.is_cancellation(code)
        if is_cancel and not self.cancel.isChecked():
            self._auto_cancel = True
            self.cancel.setChecked(True)
        elif not is_cancel and self._auto_cancel and self.cancel.isChecked():
            self._auto_cancel = False
            self.cancel.setChecked(False)

    def _on_cancel_toggled(self, checked: bool) -> None:
        if not checked:
            self._auto_cancel = False  # unticked by hand: a purpose no longer unticks it

    def _on_clear_button_clicked(self) -> None:
        self.clear()

    def _on_escape_activated(self) -> None:
        if self._amending:
            self._finish_amend()

    def _on_draft_timer_timeout(self) -> None:
        self._save_draft_now()


def _int_or_none(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
