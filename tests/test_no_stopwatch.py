"""Principle 1 pinned: nothing in the schema, the exports or the window speaks of duration."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3

import pytest

from cxcompanion import cli
from cxcompanion.services.demo import fill_demo_profile

# Word edges are "not a letter", so `hold_time` and `wrap-up` are caught and `holder` is not.
STOPWATCH = re.compile(
    r"(?<![a-z])(duration|handl(e|ed|ing)|hold|on.hold|wrap|talk.?time|elapsed|aht|"
    r"time.spent|how.long|seconds?|minutes?|per.hour|speed.of.answer)(?![a-z])",
    re.IGNORECASE,
)


def test_the_pattern_catches_what_it_must():
    for word in (
        "Average handle time",
        "hold_time",
        "wrap_up",
        "Talk time",
        "elapsed",
        "AHT",
        "calls per hour",
        "duration_s",
    ):
        assert STOPWATCH.search(word), word
    for word in ("Customer says need met?", "Mood at end", "prior_contacts", "holder"):
        assert not STOPWATCH.search(word), word


@pytest.fixture
def demo_profile(profile):
    fill_demo_profile(profile)
    return profile


def test_no_table_or_column_speaks_of_duration(demo_profile):
    conn = sqlite3.connect(demo_profile.store.path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        names = list(tables)
        for table in tables:
            names += [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
    finally:
        conn.close()
    assert "contacts" in tables
    assert [n for n in names if STOPWATCH.search(n)] == []


def test_no_export_key_speaks_of_duration(demo_profile, capsys):
    folder = str(demo_profile.folder)
    demo_profile.close()
    for fmt in ("json", "jsonl", "csv", "table"):
        assert cli.main(["--profile", folder, "contacts", "--format", fmt]) == 0
        out = capsys.readouterr().out
        if fmt == "json":
            keys = {k for record in json.loads(out) for k in record}
        elif fmt == "jsonl":
            keys = {k for line in out.splitlines() for k in json.loads(line)}
        elif fmt == "csv":
            keys = set(next(csv.reader(io.StringIO(out))))
        else:
            keys = set(out.splitlines()[0].split("  "))
        assert keys, fmt
        assert [k for k in keys if STOPWATCH.search(k)] == [], fmt
    assert cli.main(["--profile", folder, "taxonomy", "--format", "json"]) == 0
    taxonomy = capsys.readouterr().out
    assert not STOPWATCH.search(taxonomy)
    # My feedback, as JSON and as text: every key and every word
    assert cli.main(["--profile", folder, "feedback", "--weeks", "26", "--format", "json"]) == 0
    feedback = json.loads(capsys.readouterr().out)
    keys = set(feedback) | set(feedback["metrics"]) | set(feedback["period"])
    keys |= {k for week in feedback["weekly"] for k in week}
    assert "fcr" in keys and [k for k in keys if STOPWATCH.search(k)] == []
    assert cli.main(["--profile", folder, "feedback"]) == 0
    assert not STOPWATCH.search(capsys.readouterr().out)


def test_no_label_in_the_window_speaks_of_duration(qtbot, demo_profile):
    from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
    from PySide6.QtWidgets import QAbstractItemView, QWidget

    from cxcompanion.ui.main_window import PAGE_CONTACTS, PAGE_FEEDBACK, MainWindow

    window = MainWindow(demo_profile)
    qtbot.addWidget(window)
    window.show()
    window.show_page(PAGE_CONTACTS)
    with qtbot.waitSignal(window._page(PAGE_FEEDBACK).feedback_loaded, timeout=15000):
        window.show_page(PAGE_FEEDBACK)
    for tile in window.feedback_page.tiles.values():
        tile.help_button.setChecked(True)  # the explanations are labels too
    window.log_form.ideas.add_idea("x")
    window.log_form.cancel.setChecked(True)
    texts = []
    for widget in window.findChildren(QWidget):
        for getter in (
            "text",
            "placeholderText",
            "toolTip",
            "accessibleName",
            "windowTitle",
            "title",
            "specialValueText",
            "suffix",
        ):
            value = getattr(widget, getter, None)
            if callable(value):
                try:
                    value = value()
                except TypeError:
                    continue
            if isinstance(value, str) and value:
                texts.append(value)
        if isinstance(widget, QAbstractItemView) and isinstance(
            widget.model(), QAbstractTableModel
        ):
            m = widget.model()
            for column in range(m.columnCount(QModelIndex())):
                texts.append(str(m.headerData(column, Qt.Orientation.Horizontal)))
            for row in range(min(m.rowCount(QModelIndex()), 50)):
                texts.append(str(m.data(m.index(row, 0))))
    assert len(texts) > 50
    assert [t for t in texts if STOPWATCH.search(t)] == []
