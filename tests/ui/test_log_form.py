"""The Log contact form, driven as an agent would: from the keyboard."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from cxcompanion.domain.enums import Channel, Outcome, Verdict
from cxcompanion.services.contacts import ContactService
from cxcompanion.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, profile):
    win = MainWindow(profile)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def focused():
    return QApplication.focusWidget()


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier, times=1):
    for _ in range(times):
        qtbot.keyClick(focused(), key, modifier)


def type_text(qtbot, text):
    qtbot.keyClicks(focused(), text)


def test_a_contact_is_logged_with_the_keyboard_alone(qtbot, window, service):
    form = window.log_form
    assert focused() is form.channel.button("phone")
    press(qtbot, Qt.Key.Key_Right)  # Phone → Chat
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is form.purpose
    type_text(qtbot, "charged tw")
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is form.detail
    type_text(qtbot, "November invoice paid twice")
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is form.customer
    type_text(qtbot, "CUST-1001")
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is form.prior
    press(qtbot, Qt.Key.Key_Up)  # 1 earlier contact
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is form.prior_channels["phone"]
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is form.prior_channels["email"]
    press(qtbot, Qt.Key.Key_Space)
    while focused() is not form.outcome:
        press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "R")  # keyboard search in the combo: Resolved
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is form.verdict.button("yes")
    press(qtbot, Qt.Key.Key_Space)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is form.mood_start.row.button("")
    press(qtbot, Qt.Key.Key_Right, times=2)  # – → −2 → −1
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Right, times=5)  # – … +2
    press(qtbot, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)  # add an idea
    type_text(qtbot, "Let me pause my plan from the app")
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "Mob")  # product area combo: Mobile app
    with qtbot.waitSignal(form.contact_saved, timeout=2000) as saved:
        press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    contact = service.get(saved.args[0])
    assert contact.channel is Channel.CHAT
    assert contact.purpose == "billing.double_charge"
    assert contact.detail == "November invoice paid twice"
    assert contact.customer_hash and len(contact.customer_hash) == 32
    assert contact.prior_contacts == 1 and contact.prior_channels == (Channel.EMAIL,)
    assert contact.outcome is Outcome.RESOLVED and contact.verdict is Verdict.YES
    assert (contact.mood_start, contact.mood_end) == (-1, 2)
    assert [(i.text, i.area) for i in contact.ideas] == [
        ("Let me pause my plan from the app", "mobile_app")
    ]
    # The form is ready for the next contact, on the same channel, and offers Undo.
    assert form.purpose.text() == "" and form.channel.value() == "chat"
    assert window.toast.isVisible() and window.toast.can_undo


def test_invalid_input_shows_inline_errors_and_saves_nothing(qtbot, window, service):
    form = window.log_form
    form.purpose.setText("zzz")
    form.mood_start.set_value(1)
    form.cancel.setChecked(True)
    form.ideas.add_idea("   ")
    assert form.save() is None
    assert service.count() == 0
    errors = {k: label.text() for k, label in form._errors.items() if label.isVisible()}
    assert "Choose a purpose from the list" in errors["purpose"]
    assert errors["outcome"] == "⚠ Choose the outcome."
    assert "Didn't ask" in errors["verdict"]
    assert "reason" in errors["cancel_reason"]
    assert focused() is form.purpose  # the first field in error takes the focus
    # An empty idea row is dropped, not an error; fixing a field clears its error live.
    form.outcome.setCurrentIndex(form.outcome.findData("resolved"))
    assert not form._errors["outcome"].isVisible()
    assert form._errors["purpose"].isVisible()


def test_a_cancellation_purpose_opens_the_cancellation_fields(qtbot, window):
    form = window.log_form
    assert not form.cancel_details.isVisibleTo(form)
    form.purpose.setText("Cancellation › Cancel subscription")
    assert form.cancel.isChecked() and form.cancel_details.isVisibleTo(form)
    form.purpose.setText("Billing › Refund request")
    assert not form.cancel.isChecked()  # it was only ticked for the purpose; untick again


def fill_valid(form, notes="kept"):
    form.purpose.setText("Billing › Refund request")
    form.outcome.setCurrentIndex(form.outcome.findData("resolved"))
    form.verdict.set_value("yes")
    form.notes.setPlainText(notes)


def test_undo_after_saving_removes_the_contact_and_refills_the_form(qtbot, window, service):
    form = window.log_form
    fill_valid(form, notes="customer asked for a copy")
    contact_id = form.save()
    assert service.count() == 1
    press(qtbot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert service.count() == 0
    assert service.contacts.get(contact_id, include_deleted=True).deleted
    assert form.notes.toPlainText() == "customer asked for a copy"
    assert form.purpose.text() == "Billing › Refund request"


def test_what_is_typed_is_kept_as_a_draft_and_comes_back(qtbot, profile):
    first = MainWindow(profile)
    qtbot.addWidget(first)
    form = first.log_form
    with qtbot.waitSignal(form.draft_saved, timeout=3000):
        form.detail.setText("half-typed before the crash")
        form.customer.setText("CUST-77")
    first.close()
    again = MainWindow(profile)
    qtbot.addWidget(again)
    assert again.log_form.detail.text() == "half-typed before the crash"
    assert again.log_form.customer.text() == "CUST-77"
    assert again.log_form.draft_state.text() == "draft restored"


def test_ctrl_n_starts_a_new_contact_and_the_old_one_can_come_back(qtbot, window):
    form = window.log_form
    form.detail.setText("something")
    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert form.detail.text() == ""
    assert window.toast.can_undo
    window.toast.undo()
    assert form.detail.text() == "something"


def test_amending_a_contact_makes_a_new_revision(qtbot, window, service):
    contact = service.log(
        {
            "channel": "email",
            "purpose": "orders.return",
            "outcome": "resolved",
            "verdict": "unsure",
            "customer_ref": "C-9",
            "ideas": [{"text": "prepaid return label", "area": "delivery"}],
        }
    )
    window.log_form.detail.setText("draft kept aside")
    window._on_contacts_open_requested(contact.id)
    form = window.log_form
    assert form.amending == contact.id
    assert form.purpose.text() == "Orders & delivery › Return an item"
    form.verdict.set_value("yes")
    with qtbot.waitSignal(form.contact_amended, timeout=2000):
        press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    amended = service.get(contact.id)
    assert amended.revision == 2 and amended.verdict is Verdict.YES
    assert amended.customer_hash == contact.customer_hash  # blank reference keeps the hash
    assert [i.id for i in amended.ideas] == [i.id for i in contact.ideas]
    assert amended.at == contact.at
    assert form.amending is None
    assert form.detail.text() == "draft kept aside"  # the draft comes back after amending


def test_a_store_failure_is_shown_and_the_form_keeps_what_was_typed(qtbot, window, profile):
    form = window.log_form
    fill_valid(form, notes="must not be lost")
    profile.store.conn.execute("PRAGMA query_only = ON")  # every write now fails
    try:
        assert form.save() is None
    finally:
        profile.store.conn.execute("PRAGMA query_only = OFF")
    assert form.banner.isVisible()
    assert form.notes.toPlainText() == "must not be lost"


def test_first_run_setup_then_the_log_form(qtbot, tmp_path):
    from cxcompanion.services.profile import Profile

    fresh = Profile(tmp_path / "fresh")
    win = MainWindow(fresh)
    qtbot.addWidget(win)
    setup = win.stack.currentWidget()
    assert setup.finish() is False  # no name
    assert "name" in setup.errors["name"].text()
    assert setup.errors["name"].isVisibleTo(setup)
    setup.name.setText("Ben")
    setup.team.setText("South")
    setup.share.setText(str(tmp_path / "missing-share"))
    assert setup.finish() is False
    assert "does not exist" in setup.errors["share"].text()
    assert not setup.errors["name"].isVisibleTo(setup)
    share = tmp_path / "share"
    share.mkdir()
    setup.share.setText(str(share))
    assert setup.finish() is False  # an agent joins a team; this folder holds none yet
    assert "ask your team lead to set it up" in setup.errors["share"].text()
    lead = Profile(tmp_path / "lead")
    lead.set_up("Lena", "South", "lead", str(share))
    lead.close()
    assert setup.finish() is True
    assert win.log_form is not None
    assert fresh.identity.name == "Ben" and fresh.identity.share == str(share.resolve())
    assert ContactService(fresh).count() == 0
    # the device asked to join, in its own folder on the share
    device_file = share / "cxcompanion" / "v1" / "writers" / fresh.device_id / "device.json"
    assert '"person": "Ben"' in device_file.read_text()
    win.close()
    fresh.close()


def test_compact_mode_keeps_just_the_form_on_top(qtbot, window):
    from PySide6.QtCore import Qt as _Qt

    press(
        qtbot, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert window.windowFlags() & _Qt.WindowType.WindowStaysOnTopHint
    assert not window._side.isVisible()
    assert window.stack.currentWidget() is window.log_form
    window.compact_button.setChecked(False)
    assert not window.windowFlags() & _Qt.WindowType.WindowStaysOnTopHint
    assert window._side.isVisible()
