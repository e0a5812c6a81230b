"""The Import page: choose, preview, map, check (a dry run) and import, with real CSV and Excel
files under tmp_path, real profiles, and the import services running in the page's worker."""

from __future__ import annotations

import csv
import threading
from datetime import datetime, timezone

import openpyxl
import pytest
from PySide6.QtWidgets import QComboBox, QWidget

from cxcompanion.services import file_import
from cxcompanion.services.contacts import ContactService
from cxcompanion.services.file_import import load_mapping
from cxcompanion.services.history_import import HistoryImport
from cxcompanion.services.profile import Profile
from cxcompanion.ui import import_page
from cxcompanion.ui.import_page import CHECK, CHOOSE, IMPORT, MAP, PREVIEW, ImportPage
from cxcompanion.ui.import_preview_step import PreviewModel
from tests.test_no_stopwatch import STOPWATCH

WAIT = 10_000  # ms

HEADER = ["Call ID", "Date", "Time", "Topic", "Result", "Customer said", "Account", "Talk time"]
ROWS = [
    ["C1", "03/11/2026", "09:15", "Refund request", "Y", "yes", "AB-1", "00:04:10"],
    ["C2", "04/11/2026", "10:00", "billing.refund", "N", "no", "AB-2", "00:02:00"],
    ["C3", "05/11/2026", "11:30", "Cannot log in", "??", "yes", "AB-3", "00:01:00"],
    ["C4", "06/11/2026", "12:45", "Where is my order", "Y", "not asked", "AB-1", "00:03:00"],
]


def write_csv(path, rows=ROWS, header=HEADER):
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def page(qtbot, profile):
    shown = ImportPage(profile)
    qtbot.addWidget(shown)
    yield shown
    assert shown.shutdown(WAIT)


@pytest.fixture
def lead(tmp_path):
    opened = Profile(tmp_path / "lead")
    opened.set_up("Lee", "North", "lead")
    yield opened
    opened.close()


def preview(qtbot, page, path):
    page.path.setText(str(path))
    with qtbot.waitSignal(page.preview_loaded, timeout=WAIT):
        page.next_button.click()
    assert page.step() == PREVIEW


def to_map(qtbot, page, path):
    preview(qtbot, page, path)
    page.next_button.click()
    assert page.step() == MAP
    return page.editor


def map_calls(editor):
    """What a person does with the suggestion for calls.csv: the verdict column (no name the
    suggestion knows) and the meaning of the file's Y and N (?? stays unknown)."""
    editor.choose("verdict", "Customer said")
    outcome = editor.rows["outcome"].values
    outcome.choose("Y", "resolved")
    outcome.choose("N", "not_resolved")


def check(qtbot, page):
    with qtbot.waitSignal(page.check_finished, timeout=WAIT) as blocker:
        page.next_button.click()
    assert page.step() == CHECK
    return blocker.args[0]


def run_import(qtbot, page):
    with qtbot.waitSignal(page.import_finished, timeout=WAIT) as blocker:
        page.next_button.click()
    assert page.step() == IMPORT
    return blocker.args[0]


def test_an_agent_imports_their_history_step_by_step(qtbot, page, profile, tmp_path):
    contacts = ContactService(profile)
    preview(qtbot, page, write_csv(tmp_path / "calls.csv"))
    # the preview: the file's columns and first rows, never the duration column
    model = page.preview_model
    assert model.columns == tuple(c for c in HEADER if c != "Talk time")
    assert model.rowCount() == 4
    assert model.data(model.index(0, 3)) == "Refund request"
    assert model.headerData(0, 2, 0) == "2"  # numbered as a spreadsheet numbers rows
    assert not page.dropped_card.isHidden()
    assert "“Talk time”" in page.dropped_note.text()
    assert "how long" in page.dropped_note.text()

    page.next_button.click()
    editor = page.editor
    assert "Talk time" not in editor.columns  # never offered for a field
    date = editor.rows["at"]
    assert (date.source.currentData(), date.format.text()) == ("Date", "%d/%m/%Y")
    assert date.time.currentData() == "Time"
    assert editor.id_column.currentData() == "Call ID"
    assert list(editor.rows["outcome"].values.combos) == ["Y", "N", "??"]
    map_calls(editor)

    report = check(qtbot, page)
    assert (report.dry_run, report.rows, report.new, report.rejected) == (True, 4, 3, 1)
    assert contacts.count() == 0  # a check writes nothing
    problems = [page.check_view.problems.item(i).text() for i in range(report.rejected)]
    assert len(problems) == 1
    assert problems[0].startswith("row 4, column “Result”: '??'")
    assert "fields.outcome" not in problems[0]  # the window's words, not the mapping file's
    assert "Map step" in problems[0]
    assert not page.choice_box.isHidden()
    assert not page.next_button.isEnabled()  # nothing until the person chooses
    page.no_rows.setChecked(True)
    assert not page.next_button.isEnabled()
    page.good_rows.setChecked(True)
    assert page.good_rows.text() == "Import the good rows (3), and leave out 1 row with problems"
    assert page.check_title.text() == "Checked: 3 rows can be imported, 1 row cannot"
    assert page.next_button.isEnabled()

    report = run_import(qtbot, page)
    assert report.written and (report.new, report.rejected) == (3, 1)
    assert contacts.count() == 3
    assert page.result.text() == "✓ Imported. New contacts: 3 · changed: 0"
    assert "left out" in page.final_view.problems_title.text()
    first = profile.store.conn.execute("SELECT min(at) FROM contacts").fetchone()[0]
    local = datetime(2026, 11, 3, 9, 15).astimezone()  # the date and the time column, combined
    assert first == local.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    page.next_button.click()  # "Import another file"
    assert page.step() == CHOOSE and page.path.text() == ""


def test_the_same_file_again_imports_nothing_new(qtbot, page, profile, tmp_path):
    path = write_csv(tmp_path / "calls.csv", ROWS[:2])
    map_calls(to_map(qtbot, page, path))
    check(qtbot, page)
    run_import(qtbot, page)
    page.next_button.click()
    map_calls(to_map(qtbot, page, path))
    report = check(qtbot, page)
    assert (report.new, report.unchanged) == (0, 2)
    assert "nothing new" in page.check_title.text()
    assert not page.next_button.isEnabled()


def test_cancel_leaves_the_store_unchanged(qtbot, page, profile, tmp_path, monkeypatch):
    map_calls(to_map(qtbot, page, write_csv(tmp_path / "calls.csv")))
    check(qtbot, page)
    page.good_rows.setChecked(True)
    # One row a batch, and the worker held after writing the first: the cancel comes mid-import.
    monkeypatch.setattr(file_import, "BATCH_ROWS", 1)
    entered, gate = threading.Event(), threading.Event()
    write = HistoryImport.write

    def held_write(self, conn, items, report, *, dry_run):
        write(self, conn, items, report, dry_run=dry_run)
        entered.set()
        gate.wait(WAIT / 1000)

    monkeypatch.setattr(HistoryImport, "write", held_write)
    with qtbot.waitSignal(page.import_stopped, timeout=WAIT) as blocker:
        page.next_button.click()
        qtbot.waitUntil(entered.is_set, timeout=WAIT)
        assert page.cancel_button.isVisibleTo(page) and not page.back_button.isVisibleTo(page)
        assert page.profile.store.conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == 0
        page.cancel_button.click()
        gate.set()
    assert blocker.args == ["cancelled"]
    assert ContactService(profile).count() == 0
    assert page.result.text() == "Stopped. Nothing was written."
    assert "as it was before" in page.result_note.text()
    assert page.back_button.isVisibleTo(page)  # back to the check, to import after all


def test_survey_results_are_for_the_lead(page):
    surveys = page.kind.button("surveys")
    assert not surveys.isEnabled()
    assert not page.kind_note.isHidden()
    assert "team lead" in page.kind_note.text()
    assert page.kind.value() == "contacts"


def test_a_lead_imports_survey_results(qtbot, lead, tmp_path):
    page = ImportPage(lead)
    qtbot.addWidget(page)
    assert page.kind.button("surveys").isEnabled() and page.kind_note.isHidden()
    page.kind.button("surveys").setChecked(True)
    path = write_csv(
        tmp_path / "survey.csv",
        [
            ["R1", "2025-11-03 10:00", "AB-1", "5", "Very helpful"],
            ["R2", "2025-11-04 11:00", "AB-2", "2", "Took three calls"],
            ["R3", "2025-11-05 12:00", "AB-3", "4", ""],
        ],
        ["Response ID", "Submitted", "Customer", "CSAT", "Comment"],
    )
    editor = to_map(qtbot, page, path)
    assert "answered_at" in editor.rows and "channel" not in editor.rows
    assert editor.rows["csat"].source.currentData() == "CSAT"
    report = check(qtbot, page)
    assert (report.kind, report.new, report.rejected, report.matched) == ("surveys", 3, 0, 0)
    assert len(report.unmatched_rows) == 3
    report = run_import(qtbot, page)
    assert report.written
    count = lead.store.conn.execute("SELECT count(*) FROM survey_answers").fetchone()[0]
    assert count == 3
    assert page.result.text() == "✓ Imported. New survey answers: 3 · changed: 0"
    assert page.shutdown(WAIT)


def test_a_lead_must_say_whose_contacts_they_are(qtbot, lead, tmp_path):
    page = ImportPage(lead)
    qtbot.addWidget(page)
    editor = to_map(qtbot, page, write_csv(tmp_path / "calls.csv"))
    agent = editor.rows["agent"]
    page.next_button.click()
    assert page.step() == MAP  # no check without the agent column
    assert not agent.error.isHidden()
    assert "which agent" in agent.error.text()
    assert page.shutdown(WAIT)


def test_a_saved_mapping_is_read_back_and_used_again(qtbot, page, profile, tmp_path):
    path = write_csv(tmp_path / "calls.csv")
    editor = to_map(qtbot, page, path)
    map_calls(editor)
    saved = editor.save_mapping(tmp_path / "calls-mapping.json")
    assert load_mapping(tmp_path / "calls-mapping.json") == saved == editor.mapping()
    assert saved.fields["verdict"].column == "Customer said"
    # Only the values that needed choosing go into the map (others are read as they are).
    assert dict(saved.fields["outcome"].values) == {"y": "resolved", "n": "not_resolved"}

    again = ImportPage(profile)
    qtbot.addWidget(again)
    again.mapping_path.setText(str(tmp_path / "calls-mapping.json"))
    editor = to_map(qtbot, again, path)
    assert editor.rows["verdict"].source.currentData() == "Customer said"
    assert editor.rows["outcome"].values.combos["Y"].currentData() == "resolved"
    assert editor.mapping() == saved
    assert again.shutdown(WAIT)


def test_a_mapping_of_another_kind_is_refused_beside_its_field(qtbot, page, tmp_path):
    mapping = tmp_path / "surveys.json"
    mapping.write_text(
        '{"kind": "surveys", "fields": {"answered_at": "Date", "csat": "Score", '
        '"customer_ref": "Account"}}',
        encoding="utf-8",
    )
    page.path.setText(str(write_csv(tmp_path / "calls.csv")))
    page.mapping_path.setText(str(mapping))
    page.next_button.click()
    qtbot.waitUntil(lambda: not page.mapping_error.isHidden(), timeout=WAIT)
    assert "another kind of file (surveys)" in page.mapping_error.text()
    assert page.step() == CHOOSE


def test_a_file_that_cannot_be_read_is_said_in_words(qtbot, page, tmp_path):
    page.next_button.click()
    assert "Choose the file" in page.file_error.text()
    page.path.setText(str(tmp_path / "gone.csv"))
    page.next_button.click()
    qtbot.waitUntil(lambda: not page.file_error.isHidden(), timeout=WAIT)
    assert "gone.csv was not found" in page.file_error.text()
    assert "Traceback" not in page.file_error.text()
    assert page.step() == CHOOSE


def test_a_bug_in_a_worker_is_said_in_words(qtbot, page, tmp_path, monkeypatch):
    def broken(*_args):
        raise RuntimeError("the reader tripped")

    monkeypatch.setattr(import_page, "preview_in_worker", broken)
    page.path.setText(str(write_csv(tmp_path / "calls.csv")))
    page.next_button.click()
    qtbot.waitUntil(lambda: not page.file_error.isHidden(), timeout=WAIT)
    assert page.file_error.text() == "⚠ Something went wrong: the reader tripped"
    assert page.next_button.isEnabled() and page.step() == CHOOSE


def test_a_workbook_sheet_is_chosen_in_the_preview(qtbot, page, tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Summary"
    book.active.append(["November report"])
    book.active.append(["made by the phone system"])
    calls = book.create_sheet("Calls")
    calls.append(HEADER)
    for row in ROWS:
        calls.append(row)
    book.save(tmp_path / "calls.xlsx")
    preview(qtbot, page, tmp_path / "calls.xlsx")
    assert page.preview_model.columns == ("November report",)
    assert not page.sheet.isHidden()
    assert [page.sheet.itemText(i) for i in range(page.sheet.count())] == ["Summary", "Calls"]
    page.sheet.setCurrentIndex(1)
    with qtbot.waitSignal(page.preview_loaded, timeout=WAIT):
        page.sheet.activated.emit(1)
    assert page.preview_model.columns[:2] == ("Call ID", "Date")
    assert "sheet 'Calls'" in page.source_label.text()
    page.next_button.click()
    assert page.editor.mapping().sheet == "Calls"


def test_only_the_notice_names_what_the_file_timed(qtbot, page, tmp_path):
    """Principle 1: the page never shows a duration; it says which columns it leaves out."""
    map_calls(to_map(qtbot, page, write_csv(tmp_path / "calls.csv")))
    check(qtbot, page)
    told = {page.dropped_note, page.check_view.details}
    texts = [
        page.preview_model.headerData(c, 1, 0) for c in range(page.preview_model.columnCount())
    ]
    for widget in page.findChildren(QWidget):
        if widget in told:
            continue
        for getter in ("text", "placeholderText", "toolTip", "accessibleName", "currentText"):
            value = getattr(widget, getter, None)
            texts.append(value() if callable(value) else "")
        if isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
    assert len(texts) > 100
    assert [t for t in texts if isinstance(t, str) and STOPWATCH.search(t)] == []
    assert "Talk time" in page.dropped_note.text() and "Talk time" in page.check_view.details.text()


def test_the_preview_model_is_a_sound_qt_model(qtbot, qtmodeltester, page, tmp_path):
    qtmodeltester.check(PreviewModel())
    preview(qtbot, page, write_csv(tmp_path / "calls.csv"))
    qtmodeltester.check(page.preview_model)


def test_the_map_says_what_a_date_column_holds(qtbot, page, tmp_path):
    rows = [[*row[:1], row[1].replace("/", "."), *row[2:]] for row in ROWS]  # 03.11.2026
    editor = to_map(qtbot, page, write_csv(tmp_path / "calls.csv", rows))
    date = editor.rows["at"]
    date.format.setText("%Y-%m-%d")
    assert not date.sample.isHidden() and "4 of the first 4 dates" in date.sample.text()
    assert date.use_format.text() == "Use %d.%m.%Y"
    date.use_format.click()
    assert date.format.text() == "%d.%m.%Y"
    assert date.sample.text().startswith("✓ The first row reads as 03 Nov 2026")
    assert date.use_format.isHidden()


def test_the_main_window_adds_the_page_and_refreshes_after_an_import(qtbot, profile, tmp_path):
    from cxcompanion.ui.main_window import PAGE_CONTACTS, PAGE_IMPORT, MainWindow

    window = MainWindow(profile)
    qtbot.addWidget(window)
    assert window.import_page is None  # built when first shown
    contacts = window.show_page(PAGE_CONTACTS)
    page = window.show_page(PAGE_IMPORT)
    assert page is window.import_page and window.stack.currentWidget() is page
    map_calls(to_map(qtbot, page, write_csv(tmp_path / "calls.csv")))
    check(qtbot, page)
    page.good_rows.setChecked(True)
    run_import(qtbot, page)
    assert contacts.model.rowCount() == 3
    assert window.count_label.text() == "3 contacts logged"
    window.close()


def test_the_last_step_of_an_import_says_what_it_is_doing(qtbot, page):
    step = page.result_step
    step.show_running(1_000_000)
    step.show_progress(500_000, 1_000_000)
    assert step.progress_label.text() == "500,000 of 1,000,000 rows read"
    assert (step.progress.value(), step.progress.maximum()) == (500_000, 1_000_000)
    # every row read: indexes, search and commit follow, with no count to show
    step.show_progress(1_000_000, 1_000_000)
    assert step.progress_label.text() == (
        "All 1,000,000 rows read; writing them and making them searchable…"
    )
    assert step.progress.maximum() == 0  # a busy bar, not a stuck full one
