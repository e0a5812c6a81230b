"""My feedback page: renders real numbers from a worker, with n and intervals, never timed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cxcompanion.services.demo import fill_demo_profile
from cxcompanion.ui.main_window import PAGE_FEEDBACK, MainWindow
from tests.conftest import raw_contact

ROOT = Path(__file__).resolve().parents[2]


def open_feedback(qtbot, profile):
    window = MainWindow(profile)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window._page(PAGE_FEEDBACK).feedback_loaded, timeout=15000):
        window.show_page(PAGE_FEEDBACK)
    return window, window.feedback_page


def test_the_page_shows_demo_feedback_with_n_and_intervals(qtbot, profile, tmp_path):
    fill_demo_profile(profile)
    window, page = open_feedback(qtbot, profile)
    confirmed = page.tiles["confirmed_resolution"]
    assert confirmed.value.text().endswith("%")
    assert "n=" in confirmed.detail.text() and "–" in confirmed.detail.text()
    rate = page.feedback.rates["confirmed_resolution"]
    assert confirmed.value.text() == f"{rate.value:.0%}"
    assert page.tiles["csat"].value.text() == "no survey answers yet"
    assert page.tiles["quality_technical"].value.text() == "no evaluations yet"
    assert page.tiles["ideas_captured"].value.text() == str(page.feedback.ideas_captured)
    assert "never timed" in page.subtitle.text()
    assert page.chart is not None and len(page.chart.points) == 12
    assert "%" in page.most.text()
    # the explanation is one click away
    page.tiles["fcr"].help_button.click()
    assert "pending" in page.tiles["fcr"].explanation.text()
    assert page.tiles["fcr"].explanation.isVisibleTo(page)
    # switching the period recomputes in a worker
    with qtbot.waitSignal(page.feedback_loaded, timeout=15000):
        page.period_buttons[4].click()
    assert page.feedback.period.weeks == 4 and len(page.chart.points) == 4
    # the chart can be saved as a PNG
    target = tmp_path / "chart.png"
    assert page.export_chart(str(target))
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    window.grab().save(str(tmp_path / "page.png"))


def test_small_samples_say_not_enough_contacts_yet(qtbot, profile, service):
    service.log_many([raw_contact(verdict="yes") for _ in range(4)])
    _window, page = open_feedback(qtbot, profile)
    tile = page.tiles["confirmed_resolution"]
    assert tile.value.text() == "not enough contacts yet"
    assert tile.detail.text() == "n=4 (a rate needs 10)"


def test_an_empty_period_encourages(qtbot, profile):
    _window, page = open_feedback(qtbot, profile)
    assert page.empty.isVisibleTo(page)
    assert "never looks at the clock" in page.empty.text()


def test_the_way_to_the_form_imports_no_pyqtgraph(tmp_path):
    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from cxcompanion.services.profile import Profile\n"
        "from cxcompanion.ui.main_window import MainWindow\n"
        "app = QApplication([])\n"
        f"p = Profile({str(tmp_path / 'p')!r}); p.set_up('Ana', 'North', 'agent')\n"
        "w = MainWindow(p); w.show(); app.processEvents()\n"
        "print('pyqtgraph' in sys.modules, 'sqlite_utils' in sys.modules)\n"
        "w.close(); p.close()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    # sqlite-utils runs the first migrations of a new profile, so only pyqtgraph is checked
    assert result.stdout.split()[0] == "False"


@pytest.mark.parametrize("weeks", [4, 26])
def test_every_period_choice_loads(qtbot, profile, weeks):
    fill_demo_profile(profile)
    _window, page = open_feedback(qtbot, profile)
    with qtbot.waitSignal(page.feedback_loaded, timeout=15000):
        page.set_weeks(weeks)
    assert len(page.feedback.weekly) == weeks
