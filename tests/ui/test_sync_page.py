"""Sync in the app: a worker on demand and on the team's timer, the status bar in words, and
a Sync page a team lead can act on. Real share folders under tmp_path, real profiles."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from cxcompanion.domain.records import utc_iso
from cxcompanion.domain.sync_texts import ADVICE
from cxcompanion.services.contacts import ContactService
from cxcompanion.services.profile import Profile
from cxcompanion.services.sync import SyncService
from cxcompanion.store import bulk_load
from cxcompanion.sync.share_folder import ShareLayout
from cxcompanion.ui import sync_controller
from cxcompanion.ui.main_window import PAGE_SYNC, MainWindow
from cxcompanion.ui.sync_controller import when_text
from tests.conftest import raw_contact
from tests.test_no_stopwatch import STOPWATCH

WAIT = 20_000  # ms: generous, a slow CI machine is not a failure


@pytest.fixture(autouse=True)
def _first_sync_at_once(monkeypatch):
    # The app waits a moment after the first paint; the tests need not.
    monkeypatch.setattr(sync_controller, "FIRST_SYNC_MS", 0)


@pytest.fixture
def team(tmp_path):
    """A lead who made the share, and two agents who joined it (not approved yet)."""
    share = tmp_path / "share"
    share.mkdir()
    opened = []

    def person(folder, name, role):
        profile = Profile(tmp_path / folder)
        profile.set_up(name, "North", role, str(share))
        opened.append(profile)
        return profile

    lead = person("lead", "Lena", "lead")
    ana = person("ana", "Ana", "agent")
    bo = person("bo", "Bo", "agent")
    yield SimpleNamespace(share=share, layout=ShareLayout(share), lead=lead, ana=ana, bo=bo)
    for profile in opened:
        profile.close()


def publish(profile, count=1):
    for _ in range(count):
        ContactService(profile).log(raw_contact())
    return SyncService(profile).sync()


def open_window(qtbot, profile):
    """The window as the app shows it, after its first (automatic) sync has finished."""
    window = MainWindow(profile)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.sync_controller is not None, timeout=WAIT)
    controller = window.sync_controller
    qtbot.waitUntil(lambda: controller.runs >= 1 and not controller.running, timeout=WAIT)
    return window, controller


def sync_page(window):
    return window.show_page(PAGE_SYNC)


def sync_now(qtbot, controller):
    with qtbot.waitSignal(controller.sync_finished, timeout=WAIT) as blocker:
        controller.request()
    return blocker.args[0]


def all_texts(widget):
    texts = []
    for child in [widget, *widget.findChildren(QWidget)]:
        for getter in ("text", "toolTip", "accessibleName"):
            value = getattr(child, getter, None)
            value = value() if callable(value) else None
            if isinstance(value, str) and value:
                texts.append(value)
    return texts


# -- syncing from the page ---------------------------------------------------------------


def test_sync_from_the_page_brings_in_a_colleagues_contacts_after_approval(qtbot, team):
    publish(team.ana, 2)
    window, controller = open_window(qtbot, team.lead)
    page = sync_page(window)
    # Ana's device asks to join; her contacts wait on the share, not in the lead's store
    assert window.service.contacts.count(agent="Ana") == 0
    assert set(page.approve_buttons) == {team.ana.device_id, team.bo.device_id}
    assert "1 file of changes waiting to come in" in "\n".join(all_texts(page))
    assert "2 devices ask to join" in window.sync_status.text()
    with qtbot.waitSignal(controller.sync_finished, timeout=WAIT) as blocker:
        page.approve_buttons[team.ana.device_id].click()
    assert blocker.args[0].imported_records == 2
    assert window.service.contacts.count(agent="Ana") == 2
    assert "brought in 2 changes from your team" in page.last_value.text()
    assert set(page.approve_buttons) == {team.bo.device_id}
    assert window.sync_status.text() == "Synced just now · 0 waiting · 1 device asks to join"
    # the next sync from the page has nothing new
    with qtbot.waitSignal(controller.sync_finished, timeout=WAIT):
        page.sync_button.click()
    assert page.last_value.text() == "Just now: nothing new to send or bring in."


def test_progress_and_finished_states(qtbot, team):
    SyncService(team.lead).approve(None)
    publish(team.ana)
    publish(team.bo)
    window, controller = open_window(qtbot, team.lead)
    page = sync_page(window)
    seen = []
    controller.sync_progressed.connect(lambda done, total: seen.append((done, total)))
    with (
        qtbot.waitSignal(controller.sync_started, timeout=WAIT),
        qtbot.waitSignal(controller.sync_finished, timeout=WAIT),
    ):
        controller.request()
        # running: said in words, the button waits, the progress shows
        assert controller.running
        assert window.sync_status.text() == "Syncing…"
        assert not page.sync_button.isEnabled()
        assert page.progress_box.isVisibleTo(page)
        assert page.progress_label.text() == "Sending your changes…"
    assert seen[-1] == (2, 2)  # two colleagues' folders read
    assert not controller.running
    assert page.sync_button.isEnabled()
    assert not page.progress_box.isVisibleTo(page)
    assert window.sync_status.text() == "Synced just now · 0 waiting"


def test_progress_shows_folders_read(qtbot, team, monkeypatch):
    SyncService(team.lead).approve(None)
    window, controller = open_window(qtbot, team.lead)
    page = sync_page(window)
    release = threading.Event()
    real = sync_controller.sync_in_worker

    def held_after_each_folder(folder, progress, indexing=None):
        def report_then_wait(done, total):
            progress(done, total)
            release.wait(WAIT / 1000)

        return real(folder, report_then_wait, indexing)

    monkeypatch.setattr(sync_controller, "sync_in_worker", held_after_each_folder)
    try:
        with qtbot.waitSignal(controller.sync_progressed, timeout=WAIT) as blocker:
            controller.request()
        assert blocker.args == [1, 2]
        assert page.progress_label.text() == "Reading the team's folders: 1 of 2"
        assert (page.progress.value(), page.progress.maximum()) == (1, 2)
        assert window.sync_status.text() == "Syncing… 1/2"
    finally:
        release.set()
    qtbot.waitUntil(lambda: not controller.running, timeout=WAIT)


def test_a_first_import_says_while_it_makes_the_contacts_searchable(qtbot, team, monkeypatch):
    SyncService(team.lead).approve(None)
    window, controller = open_window(qtbot, team.lead)  # its first sync finds nothing yet
    for _ in range(3):
        publish(team.ana)
    page = sync_page(window)
    release = threading.Event()
    real = sync_controller.sync_in_worker

    def held_while_indexing(folder, progress, indexing=None):
        def report_then_wait(done, total):
            indexing(done, total)
            release.wait(WAIT / 1000)

        return real(folder, progress, report_then_wait)

    monkeypatch.setattr(sync_controller, "sync_in_worker", held_while_indexing)
    try:
        controller.request()
        qtbot.waitUntil(lambda: controller.indexing is not None, timeout=WAIT)
        done, total = controller.indexing
        percent = done * 100 // total
        assert page.progress_label.text() == f"Making the team's contacts searchable: {percent}%"
        assert window.sync_status.text() == f"Syncing… search index {percent}%"
        assert page.progress.maximum() == total
    finally:
        release.set()
    qtbot.waitUntil(lambda: not controller.running, timeout=WAIT)
    assert bulk_load.search_pending(team.lead.store) is None
    assert window.sync_status.text().startswith("Synced")


def test_a_request_during_a_run_queues_exactly_one_more(qtbot, team, monkeypatch):
    SyncService(team.lead).approve(None)
    entered, release = threading.Event(), threading.Event()
    real = sync_controller.sync_in_worker

    def gated(folder, progress=None, indexing=None):
        entered.set()
        release.wait(WAIT / 1000)
        return real(folder, progress, indexing)

    _window, controller = open_window(qtbot, team.lead)
    monkeypatch.setattr(sync_controller, "sync_in_worker", gated)
    runs = controller.runs
    controller.request()
    assert entered.wait(WAIT / 1000)
    controller.request()
    controller.request()
    release.set()
    qtbot.waitUntil(lambda: controller.runs == runs + 2 and not controller.running, timeout=WAIT)
    assert controller._timer.isActive()  # back on the timer, no third run waiting
    assert controller.runs == runs + 2


# -- the status bar ----------------------------------------------------------------------


def test_a_local_profile_never_syncs_and_says_local_only(qtbot, profile):
    window = MainWindow(profile)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.sync_status.parentWidget() is not None, timeout=WAIT)
    assert window.statusBar().isAncestorOf(window.sync_status)
    assert window.sync_status.text() == "Local only"
    keys = [window.nav.item(r).data(Qt.ItemDataRole.UserRole) for r in range(window.nav.count())]
    assert PAGE_SYNC not in keys
    window.sync_now()  # F5
    assert window.sync_controller is None
    assert "nothing to sync" in window.toast.message.text()


def test_saving_a_contact_updates_the_waiting_count(qtbot, team):
    SyncService(team.lead).approve(None)
    window, controller = open_window(qtbot, team.ana)
    assert window.sync_status.text() == "Synced just now · 0 waiting"
    window.log_form.load(raw_contact())
    assert window.log_form.save()
    assert window.sync_status.text() == "Synced just now · 1 waiting"
    sync_now(qtbot, controller)
    assert window.sync_status.text() == "Synced just now · 0 waiting"


def test_an_unapproved_agent_is_told_plainly(qtbot, team):
    publish(team.ana)
    window, _controller = open_window(qtbot, team.ana)
    assert window.sync_status.text() == (
        "Synced just now · 0 waiting · awaiting your lead's approval — see Sync"
    )
    page = sync_page(window)
    assert page.approval_card.isVisibleTo(page)
    assert "not approved yet" in page.approval_note.text()
    assert team.ana.device_id in page.approval_note.text()
    assert page.problem_cards == []  # not shown a second time as a problem
    assert page.no_problems.isVisibleTo(page)
    assert not hasattr(page, "approve_all") or not page.approve_all.isVisibleTo(page)


def test_an_offline_share_changes_nothing_and_says_so(qtbot, team):
    SyncService(team.lead).approve(None)
    window, controller = open_window(qtbot, team.ana)
    page = sync_page(window)
    ContactService(team.ana).log(raw_contact())
    publish(team.bo, 3)
    window.log_form.load(raw_contact())
    window.log_form.save()
    team.layout.marker.unlink()
    before = window.service.contacts.count()
    report = sync_now(qtbot, controller)
    assert report.share == "offline"
    assert report.published_records == 0 and report.imported_records == 0
    assert window.service.contacts.count() == before
    assert window.service.contacts.count(agent="Bo") == 0
    assert window.sync_status.text() == "Share offline · 2 waiting"
    assert page.share_value.text().startswith("⚠ Offline. Nothing on this PC was changed")
    assert report.message in page.share_value.text()
    assert "the share could not be reached" in page.last_value.text()
    assert page.waiting_value.text() == "2 changes, saved on this PC"
    assert list(team.layout.writers.glob(f"{team.ana.device_id}/*.jsonl*")) == []


def test_a_truncated_segment_shows_its_reason_and_advice(qtbot, team):
    SyncService(team.lead).approve(team.ana.device_id)
    publish(team.ana)
    publish(team.bo)  # not approved: held, and asking to join
    (segment,) = team.layout.writers.glob(f"{team.ana.device_id}/*.jsonl*")
    segment.write_bytes(segment.read_bytes()[:-40])
    window, controller = open_window(qtbot, team.lead)
    assert controller.report.quarantined[0]["reason"] == "truncated"
    assert window.sync_status.text() == (
        "Synced just now · 0 waiting · 1 problem — see Sync · 1 device asks to join"
    )
    window.sync_status.click()
    page = window.stack.currentWidget()
    assert page is window.sync_page
    (card,) = page.problem_cards
    text = card.text()
    assert "A file from Ana was set aside: incomplete file" in text
    assert segment.name in text and team.ana.device_id in text
    assert ADVICE["truncated"] in text and "(reason: truncated)" in text
    assert not page.no_problems.isVisibleTo(page)
    # the held device is listed with its count and an Approve button
    assert list(page.approve_buttons) == [team.bo.device_id]
    assert page.approve_buttons[team.bo.device_id].accessibleName() == "Approve Bo's device"
    assert "1 file of changes waiting to come in" in "\n".join(all_texts(page))
    # every word on the page is calm: no stopwatch anywhere
    texts = [*all_texts(page), window.sync_status.text()]
    assert [t for t in texts if STOPWATCH.search(t)] == []
    window.grab().save(str(team.share.parent / "sync-page.png"))


def test_approve_all_from_the_page(qtbot, team):
    publish(team.ana)
    publish(team.bo, 2)
    window, controller = open_window(qtbot, team.lead)
    page = sync_page(window)
    assert page.approve_all.isEnabled()
    with (
        qtbot.waitSignal(page.devices_approved, timeout=WAIT) as approved,
        qtbot.waitSignal(controller.sync_finished, timeout=WAIT) as finished,
    ):
        page.approve_all.click()
    assert {d.person for d in approved.args[0]} == {"Ana", "Bo"}
    assert all(d.approved for d in SyncService(team.lead).devices())
    assert finished.args[0].imported_records == 3
    assert page.approve_buttons == {}
    assert not page.approve_all.isEnabled()
    assert page.devices_note.text().startswith("No device is asking to join.")
    assert "ask to join" not in window.sync_status.text()


# -- the timer and closing ---------------------------------------------------------------


def test_the_timer_syncs_by_itself_at_the_teams_interval(qtbot, team, monkeypatch):
    monkeypatch.setattr(sync_controller, "MINUTE_MS", 40)  # 2 "minutes" = 80 ms
    _window, controller = open_window(qtbot, team.lead)
    assert controller.minutes == 2
    assert controller._timer.interval() == 80
    roster = team.layout.read_team()
    team.layout.write_team(roster.with_settings(replace(roster.settings, sync_minutes=3)))
    runs = controller.runs
    with qtbot.waitSignal(controller.sync_finished, timeout=WAIT):
        pass  # no request: the timer does it
    assert controller.runs > runs
    assert controller.minutes == 3  # read again after each sync
    assert controller._timer.interval() == 120


def test_closing_the_window_during_a_sync_waits_and_does_not_crash(qtbot, team, monkeypatch):
    SyncService(team.lead).approve(None)
    window, controller = open_window(qtbot, team.lead)
    publish(team.ana)
    publish(team.bo)
    in_sync = threading.Event()
    real = sync_controller.sync_in_worker

    def gated(folder, progress, indexing=None):
        def between_folders(done, total):
            in_sync.set()
            controller._cancel.wait(WAIT / 1000)  # hold the sync until the window closes
            progress(done, total)

        return real(folder, between_folders, indexing)

    monkeypatch.setattr(sync_controller, "sync_in_worker", gated)
    failures = []
    controller.sync_failed.connect(failures.append)
    controller.request()
    assert in_sync.wait(WAIT / 1000)
    assert controller.running
    window.close()  # waits for the worker, which stops at its next folder
    assert controller._pool.activeThreadCount() == 0
    QApplication.processEvents()
    assert failures == []  # nothing is reported to a closed window
    controller.request()  # after closing: ignored
    assert not controller.running
    # it stopped after the first colleague's folder; the next sync takes up from there
    assert ContactService(team.lead).contacts.count() == 1
    report = SyncService(team.lead).sync()
    assert report.share == "online" and report.problem_count == 0
    assert ContactService(team.lead).contacts.count() == 2


def test_f5_syncs_now(qtbot, team):
    window, controller = open_window(qtbot, team.ana)
    window.activateWindow()
    qtbot.waitActive(window)
    with qtbot.waitSignal(controller.sync_finished, timeout=WAIT):
        qtbot.keyClick(window.log_form.detail, Qt.Key.Key_F5)


# -- words -------------------------------------------------------------------------------


def test_when_a_sync_happened_in_words():
    now = datetime(2026, 11, 23, 15, 0).astimezone()  # a local afternoon
    assert when_text(utc_iso(now - timedelta(seconds=20)), now) == "just now"
    assert when_text(utc_iso(now - timedelta(minutes=4)), now) == "4 min ago"
    assert when_text(utc_iso(now - timedelta(hours=2)), now) == "today at 13:00"
    assert when_text(utc_iso(now - timedelta(days=1)), now) == "yesterday at 15:00"
    assert when_text(utc_iso(now - timedelta(days=3)), now) == "on 20 Nov at 15:00"
    assert when_text("not a time", now.astimezone(timezone.utc)) == "at an unknown moment"


def test_syncs_wait_while_an_import_holds_the_store(qtbot, team, tmp_path, monkeypatch):
    from cxcompanion.ui import import_page as import_page_module
    from cxcompanion.ui.main_window import PAGE_IMPORT
    from tests.ui.test_import_page import check, map_calls, to_map, write_csv

    SyncService(team.lead).approve(None)
    window, controller = open_window(qtbot, team.ana)
    page = window.show_page(PAGE_IMPORT)
    map_calls(to_map(qtbot, page, write_csv(tmp_path / "calls.csv")))
    check(qtbot, page)
    page.good_rows.setChecked(True)
    entered, release = threading.Event(), threading.Event()
    real = import_page_module.import_in_worker

    def slow_import(*args, **kwargs):
        entered.set()
        release.wait(WAIT / 1000)
        return real(*args, **kwargs)

    monkeypatch.setattr(import_page_module, "import_in_worker", slow_import)
    runs = controller.runs
    assert page.start_import()
    assert entered.wait(WAIT / 1000)
    assert controller.held
    controller.request()  # the timer, or F5: it waits for the import
    assert not controller.running
    assert window.sync_status.text().startswith("Sync waits for the import")
    # saving the form meanwhile says why it waits, at once, and keeps what was typed
    form = window.log_form
    form.detail.setText("parcel lost twice")
    assert form.save() is None
    assert "An import is writing to your contacts" in form.banner.text()
    assert form.detail.text() == "parcel lost twice"
    form._save_draft_now()
    assert form.draft_state.text() == "draft waits for the import"
    release.set()
    qtbot.waitUntil(lambda: page.report is not None, timeout=WAIT)
    # the import is done: the sync asked for meanwhile runs, and publishes the history
    qtbot.waitUntil(lambda: controller.runs == runs + 1 and not controller.running, timeout=WAIT)
    assert not controller.held
    assert controller.report.published_records == page.report.new
    # and the form is free again: its draft was written, the warning gone
    assert form.banner.isHidden() and form.draft_state.text() == "draft saved"
    assert form.service.load_draft()["detail"] == "parcel lost twice"
    window.close()
