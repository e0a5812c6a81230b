"""The Coaching page between a lead ("Lena") and two agents ("Ana", "Ben") on a real shared
folder: the lead writes through the form, the agent answers through the buttons, and each
side sees the other's words after a sync. Real profiles under tmp_path, a fixed clock."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QWidget,
)

from cxcompanion.services.coaching import CoachingService
from cxcompanion.services.contacts import ContactService
from cxcompanion.store import workspace
from cxcompanion.ui.coaching_page import CoachingPage
from tests.conftest import raw_contact
from tests.sync.test_importer import Team
from tests.test_no_stopwatch import STOPWATCH

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
TODAY = date(2026, 11, 30)
WAIT = 5_000  # ms
CTRL = Qt.KeyboardModifier.ControlModifier


def clock() -> datetime:
    return NOW


@pytest.fixture
def team(tmp_path):
    made = Team(tmp_path)
    yield made
    made.close()


@pytest.fixture
def contact(team):
    """One of Ana's contacts, known to the lead after a sync."""
    logged = ContactService(team.ana, clock=clock).log(raw_contact(at="2026-11-24T10:00"))
    team.sync(team.ana, team.lead)
    return logged


def page_of(qtbot, profile) -> CoachingPage:
    page = CoachingPage(profile, clock=clock)
    qtbot.addWidget(page)
    page.resize(1000, 750)
    # Keys go to the active window (shortcuts need it): the page made last, here.
    with qtbot.waitActive(page, timeout=WAIT):
        page.show()
        page.activateWindow()
    return page


def card_texts(page: CoachingPage) -> list[str]:
    return [card.text() for card in page.cards.values()]


def test_the_lead_writes_a_note_that_only_its_agent_reads(qtbot, team, contact):
    lead = page_of(qtbot, team.lead)
    view = lead.lead_view
    agents = [view.agent_list.item(r).text() for r in range(view.agent_list.count())]
    assert agents == ["Whole team\nno notes", "Ana\nno notes", "Ben\nno notes"]
    view.write_button.click()
    form = view.form
    assert view.right.currentWidget().isAncestorOf(form)

    # An empty note: every missing part said beside its field, nothing saved.
    qtbot.keyClick(form.theme, Qt.Key.Key_Return, CTRL)
    assert "agent" in form.error_text("agent").lower()
    assert "contact or give it a theme" in form.error_text("theme")
    assert "growth area" in form.error_text("growth_area")
    assert form.error_text("strengths") == form.error_text("follow_up") == ""
    assert form.agent.hasFocus()  # the first field at fault
    # A contact that is not Ben's, for Ben: said beside the contact, still nothing saved.
    form.agent.setCurrentIndex(form.agent.findText("Ben"))
    assert form.error_text("agent") == ""  # fixing a field takes its message away
    qtbot.keyClicks(form.contact, contact.id)
    assert "Ana's contact" in form.contact_found.text()
    form.save_button.click()
    assert "is Ana's, not Ben's" in form.error_text("contact")
    assert CoachingService(team.lead).notes() == []

    # The note as it should be, saved with Ctrl+Enter.
    form.agent.setCurrentIndex(form.agent.findText("Ana"))
    qtbot.keyClicks(form.strengths, "calm with an upset customer")
    qtbot.keyClicks(form.growth_area, "confirm the need before solving")
    qtbot.keyClicks(form.commitment, "ask whether we took care of what they needed")
    form.follow_up.setDate(QDate(2026, 12, 7))
    with qtbot.waitSignal(lead.note_written, timeout=WAIT) as written:
        qtbot.keyClick(form.commitment, Qt.Key.Key_Return, CTRL)
    (note,) = CoachingService(team.lead).notes()
    assert written.args == [note.id]
    assert (note.agent, note.contact_id, note.follow_up) == ("Ana", contact.id, "2026-12-07")
    assert view.right.currentWidget().isAncestorOf(view.note_list)
    assert view.selected_agent() == "Ana"
    assert "reaches Ana with the next sync" in view.saved_note.text()
    (shown,) = card_texts(lead)
    assert "To Ana" in shown and "Not acknowledged yet" in shown
    assert view.agent_list.currentItem().text() == "Ana\n1 note"

    team.sync(team.lead, team.ana, team.ben)
    ana = page_of(qtbot, team.ana)
    (text,) = card_texts(ana)
    purpose = team.ana.taxonomy.purpose_display(contact.purpose)
    assert "From Lena" in text and "New — please read" in text
    assert f"Contact on 24 Nov 2026 · {purpose}" in text
    assert "calm with an upset customer" in text and "Mon 7 Dec 2026" in text
    assert "1 new note to read" in ana.subtitle.text()
    ben = page_of(qtbot, team.ben)
    assert ben.cards == {} and not ben.note_list.empty.isHidden()
    assert "No coaching notes yet" in ben.note_list.empty.text()


def test_the_agent_answers_with_the_buttons_and_the_lead_sees_it(qtbot, team, contact):
    note = CoachingService(team.lead, clock=clock).write_note(
        "Ana", contact_id=contact.id, growth_area="confirm the need", commitment="ask first"
    )
    team.sync(team.lead, team.ana)
    ana = page_of(qtbot, team.ana)
    card = ana.cards[note.id]
    with qtbot.waitSignal(ana.note_answered, timeout=WAIT) as answered:
        card.acknowledge_button.click()
    assert answered.args == [note.id, "ack"]
    assert card.state.text() == "✓ Acknowledged" and card.acknowledge_button.isHidden()
    assert card.reply_button.hasFocus()
    assert "new note" not in ana.subtitle.text()

    # Reply…: an empty reply is refused beside the box; Esc puts the box away.
    card.reply_button.click()
    assert card.reply_box.isVisible() and card.reply_edit.hasFocus()
    card.send_button.click()
    assert "Write your reply" in card.reply_error.text() and card.reply_error.isVisible()
    qtbot.keyClicks(card.reply_edit, "half a thought")
    qtbot.keyClick(card.reply_edit, Qt.Key.Key_Escape)
    assert card.reply_box.isHidden() and card.reply_button.hasFocus()
    assert [r.kind for r in CoachingService(team.ana).note(note.id).replies] == ["ack"]
    card.reply_button.click()
    card.reply_edit.clear()
    qtbot.keyClicks(card.reply_edit, "Thanks, I will try")
    ana.refresh()  # a sync's refresh while typing: the reply stays open, as typed
    card = ana.cards[note.id]
    assert card.reply_box.isVisible() and card.reply_edit.hasFocus()
    qtbot.keyClicks(card.reply_edit, " it this week")
    with qtbot.waitSignal(ana.note_answered, timeout=WAIT) as answered:
        qtbot.keyClick(card.reply_edit, Qt.Key.Key_Return, CTRL)
    assert answered.args == [note.id, "reply"]
    assert card.reply_box.isHidden() and card.reply_edit.toPlainText() == ""
    assert "You replied" in card.text() and "Thanks, I will try it this week" in card.text()

    team.sync(team.ana, team.lead)
    lead = page_of(qtbot, team.lead)
    lead.lead_view.select_agent("Ana")
    (text,) = card_texts(lead)
    assert "✓ Acknowledged" in text
    assert "✓ Ana acknowledged the note" in text
    assert "↳ Ana replied" in text and "Thanks, I will try it this week" in text
    assert "marked the commitment done" not in text

    with qtbot.waitSignal(ana.note_answered, timeout=WAIT) as answered:
        card.done_button.click()
    assert answered.args == [note.id, "done"] and card.done_button.isHidden()
    team.sync(team.ana, team.lead)
    lead.refresh()
    (text,) = card_texts(lead)
    assert "★ Commitment done" in text and "★ Ana marked the commitment done" in text


def test_the_follow_ups_due_filter(qtbot, team, contact):
    ContactService(team.ben, clock=clock).log(raw_contact(at="2026-11-25T10:00"))
    team.sync(team.ben, team.lead)
    lena = CoachingService(team.lead, clock=clock)
    due = lena.write_note("Ana", theme="repeats", growth_area="a", follow_up="2026-11-28")
    lena.write_note("Ana", theme="later", growth_area="b", follow_up="2026-12-14")
    lena.write_note("Ana", theme="no date", growth_area="c")
    done = lena.write_note("Ben", theme="done", growth_area="d", follow_up="2026-11-20")
    ben_due = lena.write_note("Ben", theme="due", growth_area="e", follow_up="2026-11-30")
    team.sync(team.lead, team.ana, team.ben)
    CoachingService(team.ben, clock=clock).mark_done(done.id)
    team.sync(team.ben, team.lead)

    page = page_of(qtbot, team.lead)
    view = page.lead_view
    items = [view.agent_list.item(r).text() for r in range(view.agent_list.count())]
    assert items == [
        "Whole team\n5 notes · 2 follow-ups due",
        "Ana\n3 notes · 1 follow-up due",
        "Ben\n2 notes · 1 follow-up due",
    ]
    assert "2 follow-ups are due" in page.subtitle.text()
    assert len(page.cards) == 5
    assert page.cards[due.id].due.isVisible() and not page.cards[done.id].due.isVisible()
    view.due_filter.click()
    assert list(page.cards) == [due.id, ben_due.id]  # the longest due first
    view.select_agent("Ben")
    assert list(page.cards) == [ben_due.id]
    assert "↻ Follow-up due" in page.cards[ben_due.id].text()
    view.due_filter.click()
    assert set(page.cards) == {done.id, ben_due.id}
    view.due_filter.click()
    view.select_agent("Ana")
    CoachingService(team.ana, clock=clock).mark_done(due.id)
    team.sync(team.ana, team.lead)
    page.refresh()  # after a sync: the agent and the filter are kept
    assert view.selected_agent() == "Ana" and page.cards == {}
    assert view.note_list.empty.text() == "✓ No follow-up is due here."


def test_team_review_opens_the_form_for_a_contact(qtbot, team, contact):
    page = page_of(qtbot, team.lead)
    assert page.start_note("Ana", contact.id)
    form = page.lead_view.form
    assert (form.agent.currentText(), form.contact.text()) == ("Ana", contact.id)
    assert form.strengths.hasFocus()
    qtbot.keyClicks(form.growth_area, "one thing")
    form.no_follow_up.click()
    assert not form.follow_up.isEnabled()
    with qtbot.waitSignal(page.note_written, timeout=WAIT):
        form.save_button.click()
    (note,) = CoachingService(team.lead).notes()
    assert (note.contact_id, note.follow_up) == (contact.id, None)
    # Cancel (or Esc) leaves the form and saves nothing.
    page.start_note("Ben")
    qtbot.keyClicks(form.theme, "tone")
    qtbot.keyClick(form.theme, Qt.Key.Key_Escape)
    assert page.lead_view.right.currentWidget().isAncestorOf(page.lead_view.note_list)
    assert len(CoachingService(team.lead).notes()) == 1
    assert page.lead_view.write_button.hasFocus()
    # An agent writes no notes.
    assert page_of(qtbot, team.ana).start_note("Ana") is False


def test_a_note_is_written_with_the_keyboard_alone(qtbot, team, contact):
    page = page_of(qtbot, team.lead)
    page.lead_view.agent_list.setFocus()
    qtbot.keyClick(page.lead_view.agent_list, Qt.Key.Key_Down)  # Whole team → Ana
    assert page.lead_view.timeline_title.text() == "Ana"

    def focused() -> QWidget:
        return QApplication.focusWidget()

    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is page.lead_view.due_filter
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is page.lead_view.write_button
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    form = page.lead_view.form
    assert form.theme.hasFocus() and form.agent.currentText() == "Ana"
    qtbot.keyClicks(focused(), "customers who want to cancel")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is form.strengths
    qtbot.keyClicks(focused(), "you listened first")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is form.growth_area
    qtbot.keyClicks(focused(), "ask what would make them stay")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is form.commitment
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is form.follow_up
    qtbot.keyClick(focused(), Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    with qtbot.waitSignal(page.note_written, timeout=WAIT):
        qtbot.keyClick(focused(), Qt.Key.Key_Return, CTRL)
    (note,) = CoachingService(team.lead).notes()
    assert (note.agent, note.theme, note.follow_up) == (
        "Ana", "customers who want to cancel", "2026-12-14"
    )  # fmt: skip


def test_a_note_gone_meanwhile_is_told_in_words(qtbot, team, contact):
    note = CoachingService(team.lead, clock=clock).write_note(
        "Ana", contact_id=contact.id, growth_area="g"
    )
    team.sync(team.lead, team.ana)
    ana = page_of(qtbot, team.ana)
    # The note is withdrawn in the store while the page shows it (as a sync may do).
    workspace.write(
        team.ana.store, "coaching_notes", note.id, {}, writer="lead-device",
        stamp="2026-11-30T12:00:00Z", deleted=True,
    )  # fmt: skip
    ana.cards[note.id].acknowledge_button.click()
    assert ana.error.isVisible()
    assert f"There is no coaching note {note.id}" in ana.error.text()
    ana.refresh()
    assert ana.cards == {} and ana.error.isHidden()


def _texts(page: QWidget) -> list[str]:
    texts = []
    for widget in [page, *page.findChildren(QWidget)]:
        for getter in ("text", "placeholderText", "toolTip", "accessibleName", "currentText"):
            value = getattr(widget, getter, None)
            if callable(value):
                try:
                    value = value()
                except TypeError:
                    continue
            if isinstance(value, str) and value:
                texts.append(value)
        if isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
        if isinstance(widget, QListWidget):
            texts += [widget.item(i).text() for i in range(widget.count())]
    return texts


def _unnamed_controls(page: QWidget) -> list[str]:
    controls = (
        QAbstractButton,
        QLineEdit,
        QPlainTextEdit,
        QComboBox,
        QAbstractSpinBox,
        QListWidget,
    )
    return [
        f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r}"
        for w in page.findChildren(QWidget)
        if isinstance(w, controls)
        # Qt's own parts: a spin box's or a combo's line edit, a line edit's clear button
        and not isinstance(w.parent(), QAbstractSpinBox | QComboBox | QLineEdit)
        and not w.accessibleName()
    ]


def test_every_label_and_control_speaks_of_coaching_never_of_time_taken(qtbot, team, contact):
    lena = CoachingService(team.lead, clock=clock)
    note = lena.write_note(
        "Ana", contact_id=contact.id, strengths="s", growth_area="g", commitment="c",
        follow_up="2026-11-29",
    )  # fmt: skip
    team.sync(team.lead, team.ana)
    ana_service = CoachingService(team.ana, clock=clock)
    ana_service.acknowledge(note.id)
    ana_service.reply(note.id, "thanks")
    team.sync(team.ana, team.lead)
    ana = page_of(qtbot, team.ana)
    ana.cards[note.id].reply_button.click()
    ana.cards[note.id].send_button.click()  # the empty reply's message is a label too
    lead = page_of(qtbot, team.lead)
    lead.start_note("Ana")
    lead.lead_view.form.save_button.click()  # and so are the form's messages
    for page in (ana, lead):
        texts = _texts(page)
        assert len(texts) > 25
        assert [t for t in texts if STOPWATCH.search(t)] == []
        assert _unnamed_controls(page) == []
    # The states are words (with a sign), never a colour alone.
    states = [c.state.text() for c in ana.cards.values()]
    assert states == ["✓ Acknowledged"]
    assert all(isinstance(c.state, QLabel) for c in lead.cards.values())
