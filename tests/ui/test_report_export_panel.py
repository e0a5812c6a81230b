"""The report export from the app: the panel runs the export in its worker (its own Profile,
off the UI thread) with progress, lists the files with their rows, or says why it could not;
Team review shows it inline under its header."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QLocale, Qt, QThreadPool
from PySide6.QtWidgets import QFileDialog, QPushButton, QWidget

from cxcompanion.services import report_export
from cxcompanion.services.report_export import REPORT_FILES, ExportError, export_report
from cxcompanion.ui import report_export_panel
from cxcompanion.ui.report_export_panel import ReportExportPanel
from cxcompanion.ui.team_review_page import TeamReviewPage
from tests.store.test_team_review import log
from tests.sync.test_importer import Team
from tests.test_no_stopwatch import STOPWATCH


@pytest.fixture(autouse=True)
def _workers_done():
    yield
    QThreadPool.globalInstance().waitForDone(20_000)


@pytest.fixture
def team(tmp_path):
    made = Team(tmp_path)
    log(made.ana, "2026-11-20T09:00:00Z")
    log(
        made.ana,
        "2026-11-24T10:00:00Z",
        ideas=[{"text": "Pause from the app", "area": "mobile_app"}],
    )
    log(made.ben, "2026-11-28T17:45:00Z", channel="email")
    made.sync(made.ana, made.ben, made.lead)
    yield made
    made.close()


def make_panel(qtbot, profile) -> ReportExportPanel:
    panel = ReportExportPanel(profile)
    qtbot.addWidget(panel)
    panel.resize(1100, 300)
    panel.show()
    return panel


def grouped(value: int) -> str:
    locale = QLocale()
    locale.setNumberOptions(QLocale.NumberOption.DefaultNumberOptions)
    return locale.toString(value)


def texts_of(root: QWidget) -> list[str]:
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        for getter in ("text", "toolTip", "accessibleName"):
            value = getattr(widget, getter, None)
            value = value() if callable(value) else None
            if isinstance(value, str) and value:
                found.append(value)
    return found


def test_the_panel_exports_the_team_in_its_worker_and_lists_the_files(
    qtbot, team, tmp_path, monkeypatch
):
    seen = []
    real = report_export_panel.export_report

    def spy(profile, folder, **kwargs):
        seen.append((threading.current_thread() is threading.main_thread(), profile))
        return real(profile, folder, **kwargs)

    monkeypatch.setattr(report_export_panel, "export_report", spy)
    monkeypatch.setattr(report_export, "_PROGRESS_EVERY", 1)  # progress on every row
    panel = make_panel(qtbot, team.lead)
    progress = []
    panel._worker_progress.connect(lambda _g, table, rows: progress.append((table, rows)))
    folder = tmp_path / "report"
    with qtbot.waitSignal(panel.export_finished, timeout=20_000) as finished:
        assert panel.start(folder)
        assert panel.running and panel.progress_box.isVisible()
        assert not panel.choose_button.isEnabled()
        assert not panel.start(tmp_path / "second")  # one export at a time
    summary = finished.args[0]

    [(on_main_thread, worker_profile)] = seen
    assert not on_main_thread
    assert worker_profile is not team.lead and worker_profile.folder == team.lead.folder
    assert ("contacts", 1) in progress and ("contacts", 3) in progress
    assert panel.summary is summary and not panel.running
    assert not panel.progress_box.isVisible() and panel.choose_button.isEnabled()
    assert sorted(p.name for p in folder.iterdir()) == sorted(REPORT_FILES)

    expected = export_report(team.lead, tmp_path / "again")  # the service, on the same store
    assert summary.rows == expected.rows
    assert dict(summary.rows)["contacts"] == 3 and dict(summary.rows)["ideas"] == 1
    assert list(panel.file_labels) == [f"{t}.csv" for t, _ in expected.rows] + [
        report_export.SQLITE_NAME
    ]
    for table, count in expected.rows:
        name, shown = panel.file_labels[f"{table}.csv"]
        assert name.text() == f"{table}.csv"
        assert shown.text() == ("1 row" if count == 1 else f"{grouped(count)} rows")
    assert panel.file_labels[report_export.SQLITE_NAME][1].text() == "5 tables"
    assert str(folder) in panel.done_label.text()
    assert "2026-11-20" in panel.done_label.text()
    assert panel.result_box.isVisible() and not panel.error.isVisible()
    assert [t for t in texts_of(panel) if STOPWATCH.search(t)] == []


def test_progress_is_shown_in_words_with_grouped_numbers(qtbot, team, tmp_path):
    panel = make_panel(qtbot, team.lead)
    with qtbot.waitSignal(panel.export_finished, timeout=20_000):
        panel.start(tmp_path / "report")
        # what a worker's signal shows while the export runs (the generation of this run)
        panel._on_worker_progress(panel._generation, "contacts", 120_000)
        assert panel.progress_label.text() == f"contacts: {grouped(120_000)} rows…"
        assert "120" in panel.progress_label.text() and "000" in panel.progress_label.text()
        panel._on_worker_progress(panel._generation - 1, "ideas", 5)  # an older run: ignored
        assert panel.progress_label.text().startswith("contacts:")


def test_a_folder_holding_other_files_shows_the_services_error(qtbot, team, tmp_path):
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "budget.xlsx").write_bytes(b"not ours")
    with pytest.raises(ExportError) as refused:
        export_report(team.lead, folder)
    panel = make_panel(qtbot, team.lead)
    with qtbot.waitSignal(panel.export_failed, timeout=20_000) as failed:
        panel.start(folder)
    assert failed.args == [str(refused.value)]
    assert "already holds other files (budget.xlsx)" in failed.args[0]
    assert panel.error.isVisible() and panel.error.text() == "⚠ " + str(refused.value)
    assert not panel.result_box.isVisible() and not panel.progress_box.isVisible()
    assert panel.summary is None and not panel.running and panel.choose_button.isEnabled()
    assert sorted(p.name for p in folder.iterdir()) == ["budget.xlsx"]
    assert (folder / "budget.xlsx").read_bytes() == b"not ours"
    # an empty folder next: the error goes, the files come
    with qtbot.waitSignal(panel.export_finished, timeout=20_000):
        panel.start(tmp_path / "empty")
    assert not panel.error.isVisible() and panel.result_box.isVisible()


def test_an_unexpected_failure_is_said_in_words(qtbot, team, tmp_path, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(report_export_panel, "export_report", broken)
    panel = make_panel(qtbot, team.lead)
    with qtbot.waitSignal(panel.export_failed, timeout=20_000) as failed:
        panel.start(tmp_path / "out")
    assert failed.args == ["The report could not be written: disk on fire"]
    assert not panel.running and panel.choose_button.isEnabled()


def test_the_choose_button_asks_for_a_folder(qtbot, team, tmp_path, monkeypatch):
    panel = make_panel(qtbot, team.lead)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: "")
    panel.choose_button.click()  # cancelled: nothing starts
    assert not panel.running
    folder = tmp_path / "chosen"
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    with qtbot.waitSignal(panel.export_finished, timeout=20_000):
        panel.choose_button.click()
    assert (folder / "contacts.csv").exists()


def test_team_review_shows_the_panel_inline_under_its_header(qtbot, team, tmp_path):
    page = TeamReviewPage(team.lead)
    qtbot.addWidget(page)
    page.resize(1100, 750)
    page.show()
    assert page.export_button.text() == "Export report…"
    assert page.export_button.accessibleName()
    assert page.export_panel is None  # made when first asked for
    page.export_button.click()
    panel = page.export_panel
    assert isinstance(panel, ReportExportPanel) and panel.isVisible()
    assert not panel.isWindow() and page.isAncestorOf(panel)
    assert panel.geometry().top() > page.export_button.geometry().bottom()
    qtbot.waitUntil(lambda: panel.choose_button.hasFocus(), timeout=2000)
    with qtbot.waitSignal(panel.export_finished, timeout=20_000):
        panel.start(tmp_path / "from-review")
    assert dict(panel.summary.rows)["contacts"] == 3
    panel.close_button.click()
    assert not panel.isVisible()
    qtbot.waitUntil(lambda: page.export_button.hasFocus(), timeout=2000)
    page.show_export()
    assert page.export_panel is panel and panel.isVisible()  # the same panel, kept
    texts = texts_of(page)
    assert [t for t in texts if STOPWATCH.search(t)] == []


def test_the_panels_controls_are_named_and_reachable(qtbot, team):
    panel = make_panel(qtbot, team.lead)
    buttons = panel.findChildren(QPushButton)
    assert len(buttons) == 3
    for button in buttons:
        assert button.accessibleName()
        assert button.focusPolicy() == Qt.FocusPolicy.StrongFocus
    assert "Every contact of the team" in panel.about.text()


def test_an_agent_is_told_it_is_their_own_contacts(qtbot, team):
    panel = make_panel(qtbot, team.ana)
    assert "Your own contacts" in panel.about.text()
