"""My contacts: the lazy table model and the page (search, count, amend, inline delete)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtCore import QDate, QDateTime, Qt

from cxcompanion.store.errors import NotFoundError
from cxcompanion.ui.contacts_model import PAGE_SIZE, Column, ContactsModel
from cxcompanion.ui.contacts_page import ContactsPage
from tests.conftest import raw_contact

_START = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)


def _at(minutes_before: int) -> str:
    return (_START - timedelta(minutes=minutes_before)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _log(service, count: int, **changes):
    """`count` contacts, one minute apart, the first logged being the newest."""
    raws = [raw_contact(at=_at(i), notes=f"note number {i}", **changes) for i in range(count)]
    return service.log_many(raws)


@pytest.fixture
def three(service):
    """Three contacts: a refund, a stayed cancellation with an idea, a delivery question."""
    refund = service.log(
        raw_contact(at="2026-11-02T10:00", notes="customer mentioned a giraffe on the invoice")
    )
    stayed = service.log(
        raw_contact(
            at="2026-11-02T11:00",
            purpose="cancellation.cancel_subscription",
            outcome="resolved",
            verdict="unsure",
            detail="wanted to cancel, offered a pause",
            cancel_intent=True,
            cancel_reason="price",
            stayed=True,
            ideas=[{"text": "Let me pause my plan from the app", "area": "mobile_app"}],
        )
    )
    late = service.log(
        raw_contact(
            at="2026-11-02T12:00",
            channel="chat",
            purpose="orders.where_is_my_order",
            outcome="info_only",
            detail="parcel refund late",
            notes="tracking number given",
        )
    )
    return refund, stayed, late


@pytest.fixture
def page(qtbot, service):
    widget = ContactsPage(service)
    qtbot.addWidget(widget)
    widget.resize(1000, 600)
    with qtbot.waitActive(widget):
        widget.show()
    return widget


def _ids(model: ContactsModel) -> list[str]:
    return [model.summary(row).id for row in range(model.rowCount())]


# -- the model ---------------------------------------------------------------------------


def test_model_passes_the_model_tester_when_empty(qtmodeltester, service):
    model = ContactsModel(service)
    qtmodeltester.check(model)
    assert model.rowCount() == 0
    assert not model.canFetchMore()


@pytest.mark.parametrize(
    ("search", "rows"), [("", PAGE_SIZE), ("zebra", 1), ("note", PAGE_SIZE), ("nothing", 0)]
)
def test_model_passes_the_model_tester_with_data_and_after_a_search(
    qtmodeltester, service, search, rows
):
    _log(service, 250)
    service.log(raw_contact(at=_at(-30), notes="a zebra crossed the road"))
    model = ContactsModel(service)
    model.set_search(search)
    assert model.rowCount() == rows
    # A tester watching the model across a reset after which more can be fetched reports a
    # false "change in flight": both Qt's and pytest-qt's testers call fetchMore from their
    # modelReset handler before they clear their reset flag. So each state gets a fresh one.
    qtmodeltester.check(model)


def test_model_passes_the_model_tester_through_searches_and_reloads(qtmodeltester, service, three):
    model = ContactsModel(service)
    qtmodeltester.check(model)
    assert model.rowCount() == 3
    model.set_search("giraffe")
    assert model.rowCount() == 1
    model.set_search("no such word")
    assert model.rowCount() == 0
    model.set_search("")
    service.delete(three[0].id)
    model.reload()
    assert model.rowCount() == 2


def test_model_fetches_pages_of_200_lazily_newest_first(service):
    logged = _log(service, 450)
    model = ContactsModel(service)
    assert model.rowCount() == 200
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 400
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 450
    assert not model.canFetchMore()
    # Pages neither overlap nor skip, and the newest contact comes first.
    assert _ids(model) == [c.id for c in logged]
    assert model.row_of(logged[449].id) == 449


def test_model_never_holds_more_than_asked_for(service):
    _log(service, 450)
    model = ContactsModel(service)
    model.reload(at_least=201)
    assert model.rowCount() == 400
    model.reload()
    assert model.rowCount() == 200


def test_search_finds_a_word_in_the_notes_and_in_an_idea(service, three):
    refund, stayed, _late = three
    model = ContactsModel(service)
    model.set_search("giraffe")
    assert _ids(model) == [refund.id]
    model.set_search("PAUSE my pl")  # every word, the last as a prefix, any case
    assert _ids(model) == [stayed.id]
    assert model.search == "PAUSE my pl"
    model.set_search('"AND')  # query syntax typed by a person is read as text
    assert model.rowCount() == 0


def test_model_shows_words_labels_and_the_purpose_code_as_tooltip(service, three):
    _refund, stayed, late = three
    model = ContactsModel(service)

    def cell(contact, column, role=Qt.ItemDataRole.DisplayRole):
        return model.data(model.index(model.row_of(contact.id), column), role)

    assert cell(stayed, Column.PURPOSE) == "Cancel subscription"
    assert cell(stayed, Column.PURPOSE, Qt.ItemDataRole.ToolTipRole) == (
        "Cancellation › Cancel subscription  (cancellation.cancel_subscription)"
    )
    assert cell(stayed, Column.CHANNEL) == "Phone"
    assert cell(stayed, Column.VERDICT) == "Unsure"
    assert cell(stayed, Column.CANCEL) == "stayed"
    assert cell(stayed, Column.IDEAS) == "1"
    assert cell(late, Column.CHANNEL) == "Chat"
    assert cell(late, Column.OUTCOME) == "Information only"
    assert cell(late, Column.IDEAS) == ""
    assert cell(late, Column.CANCEL) == ""
    assert cell(late, Column.DETAIL) == "parcel refund late"
    assert cell(late, Column.IDEAS, Qt.ItemDataRole.AccessibleTextRole) == "no ideas"
    assert model.headerData(Column.VERDICT, Qt.Orientation.Horizontal) == "Customer says"


def test_when_is_local_time_with_the_year_only_for_other_years(service):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    recent = service.log(raw_contact(at=(now - timedelta(minutes=2)).isoformat()))
    old = service.log(raw_contact(at="2024-03-04T09:30:00Z"))
    model = ContactsModel(service)

    def when(contact):
        return model.index(model.row_of(contact.id), Column.WHEN).data()

    local_old = QDateTime.fromString("2024-03-04T09:30:00Z", Qt.DateFormat.ISODate).toLocalTime()
    assert "2024" in when(old)
    assert local_old.toString("HH:mm") in when(old)
    local_recent = QDateTime.fromSecsSinceEpoch(int((now - timedelta(minutes=2)).timestamp()))
    if local_recent.date().year() == QDate.currentDate().year():
        assert str(local_recent.date().year()) not in when(recent)
    assert when(recent).endswith(local_recent.toString("HH:mm"))


# -- the page ----------------------------------------------------------------------------


def test_count_label_for_empty_all_and_searches(qtbot, service):
    empty = ContactsPage(service)
    qtbot.addWidget(empty)
    assert empty.count_label.text() == "No contacts yet. Log one with Ctrl+N."

    _log(service, 2)
    service.log(raw_contact(at=_at(-5), notes="customer asked for a refund by cheque"))
    page = ContactsPage(service)
    qtbot.addWidget(page)
    assert page.count_label.text() == "3 contacts"

    qtbot.keyClicks(page.search, "cheque")  # searches once typing stops
    qtbot.waitUntil(lambda: page.count_label.text() == "1 contact matches “cheque”")
    assert page.model.rowCount() == 1

    page.search.clear()
    qtbot.keyClicks(page.search, "xyz")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)  # Enter searches at once
    assert page.count_label.text() == "Nothing matches “xyz”."
    assert page.model.rowCount() == 0

    page.search.setText("note")
    qtbot.keyClick(page.search, Qt.Key.Key_Enter)
    assert page.count_label.text() == "2 contacts match “note”"


def test_delete_with_the_keyboard_through_the_inline_bar(qtbot, page, service, three):
    page.reload()
    qtbot.keyClick(page, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.search.hasFocus()
    qtbot.keyClick(page.search, Qt.Key.Key_Down)  # into the list, on the newest contact
    assert page.table.hasFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Down)
    victim = page.model.summary(1)
    assert page.selected_id() == victim.id
    when = page.model.index(1, Column.WHEN).data()

    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert page.confirm_bar.isVisible()
    assert page.confirm_label.text() == (
        f"Delete the contact of {when} about Cancellation › Cancel subscription? "
        "It stays in the history as deleted."
    )
    assert page.keep_button.hasFocus()
    assert service.get(victim.id)  # nothing deleted before the answer

    qtbot.keyClick(page.keep_button, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert page.confirm_button.hasFocus()
    with qtbot.waitSignal(page.contact_deleted, timeout=2000) as deleted:
        qtbot.keyClick(page.confirm_button, Qt.Key.Key_Return)
    assert deleted.args == [victim.id]
    assert not page.confirm_bar.isVisible()
    assert page.model.row_of(victim.id) is None
    assert page.model.rowCount() == 2
    assert page.count_label.text() == "2 contacts"
    assert page.selected_id() == page.model.summary(1).id  # the next one takes its place
    with pytest.raises(NotFoundError):
        service.get(victim.id)


@pytest.mark.parametrize("how", ["keep", "escape"])
def test_keep_leaves_the_contact(qtbot, page, service, three, how):
    page.reload()
    page.table.setFocus()
    victim = page.model.summary(0)
    assert page.selected_id() == victim.id  # focusing the list selects its current row

    with qtbot.assertNotEmitted(page.contact_deleted):
        qtbot.keyClick(page.table, Qt.Key.Key_Delete)
        assert page.confirm_bar.isVisible()
        if how == "keep":
            qtbot.keyClick(page.keep_button, Qt.Key.Key_Space)
        else:
            qtbot.keyClick(page.keep_button, Qt.Key.Key_Escape)
    assert not page.confirm_bar.isVisible()
    assert page.table.hasFocus()
    assert service.get(victim.id).id == victim.id
    assert page.model.rowCount() == 3


def test_delete_button_asks_too(qtbot, page, three):
    page.reload()
    assert not page.delete_button.isEnabled()  # nothing selected yet
    page.table.selectRow(2)
    assert page.delete_button.isEnabled()
    with qtbot.assertNotEmitted(page.contact_deleted):
        qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    assert page.confirm_bar.isVisible()


def test_enter_on_a_row_asks_to_amend_that_contact(qtbot, page, three):
    page.reload()
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Down)
    qtbot.keyClick(page.table, Qt.Key.Key_Down)
    wanted = page.model.summary(2).id
    with qtbot.waitSignal(page.open_requested, timeout=2000) as opened:
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert opened.args == [wanted]
    with qtbot.waitSignal(page.open_requested, timeout=2000) as opened:
        qtbot.mouseClick(page.amend_button, Qt.MouseButton.LeftButton)
    assert opened.args == [wanted]


def test_a_restored_contact_comes_back_after_reload(qtbot, page, service, three):
    refund, _stayed, _late = three
    page.reload()
    service.delete(refund.id)
    page.reload()
    assert page.model.row_of(refund.id) is None
    service.restore(refund.id)
    page.reload()
    assert page.model.row_of(refund.id) is not None
    assert page.count_label.text() == "3 contacts"


def test_reload_keeps_the_search_the_selection_and_the_depth(qtbot, page, service):
    _log(service, 450)
    page.search.setText("note")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    page.model.fetchMore()
    page.table.selectRow(300)
    chosen = page.selected_id()
    page.reload()
    assert page.model.search == "note"
    assert page.model.rowCount() == 400
    assert page.selected_id() == chosen


def test_when_column_widens_to_show_a_year_unclipped(qtbot, service):
    service.log(raw_contact(at=_at(0)))
    page = ContactsPage(service)
    qtbot.addWidget(page)
    old = service.log(raw_contact(at="2024-09-25T23:55:00Z"))
    page.reload()
    text = page.model.index(page.model.row_of(old.id), Column.WHEN).data()
    width = page.table.horizontalHeader().sectionSize(Column.WHEN)
    assert width > page.table.fontMetrics().horizontalAdvance(text)


def test_every_control_has_an_accessible_name(page):
    for control in (
        page.search,
        page.table,
        page.amend_button,
        page.delete_button,
        page.confirm_button,
        page.keep_button,
    ):
        assert control.accessibleName()
