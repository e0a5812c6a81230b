"""The lead's Patterns page: computed in a worker on a real team's store, tiles equal to the
service's numbers, a funnel with anonymous labels until the lead asks for names, a heat map
model whose counts are the service's, and a clear message on an agent's profile."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QLabel,
    QTableView,
    QWidget,
)

from cxcompanion.domain.metric_texts import detail_text, value_text
from cxcompanion.domain.patterns import TeamCounts, funnel_plot
from cxcompanion.services.contacts import ContactService
from cxcompanion.services.demo import DEMO_AGENTS, DEMO_LEAD, build_demo_team
from cxcompanion.services.patterns import PatternsService
from cxcompanion.services.profile import Profile
from cxcompanion.ui import patterns_page
from cxcompanion.ui.main_window import MainWindow
from cxcompanion.ui.pages import PAGE_PATTERNS
from cxcompanion.ui.patterns_heatmap import COUNT_ROLE, FIRST_OUTCOME, TOP_PURPOSES, HeatMapModel
from cxcompanion.ui.patterns_page import TILE_KEYS, PatternsPage
from cxcompanion.ui.patterns_texts import funnel_findings
from tests.conftest import raw_contact
from tests.sync.test_importer import Team
from tests.test_no_stopwatch import STOPWATCH

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
NAMES = re.compile(r"\b(Ana|Ben)\b")
WAIT = 15_000


@pytest.fixture(autouse=True)
def _workers_done():
    yield
    QThreadPool.globalInstance().waitForDone(10_000)


def at(days_ago: float) -> str:
    return (NOW - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%MZ")


@pytest.fixture
def team(tmp_path):
    """Ana: 30 contacts, every customer confirmed; Ben: 30, five confirmed, ten by chat. The
    team rate is 35/60, and at n = 30 the 99.8% limits are about 31–86%: Ana sits above and
    Ben below, on every count the page shows."""
    made = Team(tmp_path)
    purposes = ("billing.refund", "orders.return", "technical.cannot_log_in")
    ana = [
        raw_contact(at=at(2 + i / 3), purpose=purposes[i % 3], customer_ref=f"A{i}")
        for i in range(30)
    ]
    ana.append(
        raw_contact(
            at=at(3),
            purpose="cancellation.cancel_subscription",
            cancel_reason="price",
            stayed="yes",
        )
    )
    ben = [
        raw_contact(
            at=at(2 + i / 3),
            purpose=purposes[i % 2],
            channel="chat" if i < 10 else "email",
            outcome="resolved" if i < 5 else "not_resolved",
            verdict="yes" if i < 5 else "no",
            customer_ref=f"B{i}",
        )
        for i in range(30)
    ]
    ben.append(
        raw_contact(
            at=at(4),
            purpose="cancellation.cancel_subscription",
            outcome="not_resolved",
            verdict="no",
            cancel_reason="moving",
            stayed="no",
        )
    )
    ContactService(made.ana, clock=lambda: NOW).log_many(ana)
    ContactService(made.ben, clock=lambda: NOW).log_many(ben)
    made.sync(made.ana, made.ben, made.lead)
    yield made
    made.close()


@pytest.fixture
def service(team):
    return PatternsService(team.lead, clock=lambda: NOW)


def open_page(qtbot, profile, clock=None) -> PatternsPage:
    page = PatternsPage(profile, clock=clock)
    qtbot.addWidget(page)
    page.resize(1100, 750)
    with qtbot.waitSignal(page.patterns_loaded, timeout=WAIT):
        page.show()
    return page


def texts(page: QWidget) -> list[str]:
    """Every text the page shows or tells a screen reader, charts and tables included."""
    found = []
    for widget in page.findChildren(QWidget):
        found += [widget.toolTip(), widget.accessibleName(), widget.accessibleDescription()]
        if isinstance(widget, (QLabel, QAbstractButton)):
            found.append(widget.text())
        if isinstance(widget, QComboBox):
            found += [widget.itemText(i) for i in range(widget.count())]
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            for column in range(model.columnCount()):
                found.append(str(model.headerData(column, Qt.Orientation.Horizontal)))
                for row in range(model.rowCount()):
                    index = model.index(row, column)
                    for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                        found.append(str(model.data(index, role)))
    chart = page.comparison.chart
    if chart is not None and chart.isVisibleTo(page):
        found += [text.toPlainText() for text in chart._labels]
        found += [str(spot.data()) for spot in chart._points.points()]
        found += [chart.plot.getPlotItem().getAxis(side).labelText for side in ("left", "bottom")]
    return [t for t in found if t]


def test_the_page_computes_in_a_worker_and_tiles_show_the_services_numbers(
    qtbot, team, service, monkeypatch
):
    threads = []
    original = PatternsService.compute

    def recording(self, *args, **kwargs):
        threads.append(threading.get_ident())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(PatternsService, "compute", recording)
    page = open_page(qtbot, team.lead, clock=lambda: NOW)
    assert threads and threading.get_ident() not in threads  # never on the UI thread
    expected = service.compute(12)
    assert page.patterns.totals == expected.totals
    for key in TILE_KEYS:
        rate = expected.rates[key]
        tile = page.tiles[key]
        assert tile.value.text() == value_text(key, rate), key
        assert tile.detail.text() == detail_text(key, rate), key
    # 36 of 62 asked said yes (Ana's 30 and her cancellation, Ben's 5)
    assert page.tiles["confirmed_resolution"].value.text() == "58%"
    assert "n=62" in page.tiles["confirmed_resolution"].detail.text()
    assert page.tiles["save_rate"].value.text() == "1 of 2 stayed"  # too few for a rate
    assert page.tiles["save_rate"].detail.text() == "n=2 (a rate needs 10)"
    assert "62 contacts" in page.subtitle.text() and "never timed" in page.subtitle.text()
    assert page.trend.chart is not None and len(page.trend.chart.points) == 12
    assert "usual range" in page.trend.note.text()


def test_the_funnel_is_anonymous_until_names_are_asked_for(qtbot, team, service):
    page = open_page(qtbot, team.lead, clock=lambda: NOW)
    hidden = service.compute(12).funnel
    named = service.compute(12, reveal=True).funnel
    by_counts = {(p.n, p.rate.successes): p.label for p in hidden.points}
    # The page's labels are exactly the service's anonymous ones, agent for agent.
    assert page.labels == {p.label: by_counts[(p.n, p.rate.successes)] for p in named.points}
    chart = page.comparison.chart
    assert sorted(chart.shown_labels) == ["Agent A", "Agent B"]
    assert not page.filters.show_names.isChecked()
    assert "not about blame" in page.filters.note.text()
    assert [t for t in texts(page) if NAMES.search(t)] == []
    ana, ben = page.labels["Ana"], page.labels["Ben"]
    findings = page.comparison.findings.text()
    assert f"{ana}: above the usual range — worth learning from" in findings
    assert f"{ben}: below the usual range — worth a conversation" in findings
    # the agent filter offers the labels, in label order
    combo = page.filters.agent
    assert [combo.itemText(i) for i in range(1, combo.count())] == ["Agent A", "Agent B"]

    page.filters.show_names.click()  # names at once: nothing is counted again
    assert sorted(chart.shown_labels) == ["Ana", "Ben"]
    assert [text.toPlainText() for text in chart._labels] == chart.shown_labels
    findings = page.comparison.findings.text()
    assert "Ana: above the usual range — worth learning from" in findings
    assert "Ben: below the usual range — worth a conversation" in findings
    assert "Names are shown" in page.filters.note.text()
    assert [combo.itemText(i) for i in range(1, combo.count())] == ["Ana", "Ben"]
    page.filters.show_names.click()
    assert sorted(chart.shown_labels) == ["Agent A", "Agent B"]


def test_the_funnel_draws_the_services_points_and_limits(qtbot, team, service):
    page = open_page(qtbot, team.lead, clock=lambda: NOW)
    funnel = service.compute(12, metric="fcr", reveal=True).funnel
    with qtbot.waitSignal(page.patterns_loaded, timeout=WAIT):
        page.filters.metric.setCurrentIndex(page.filters.metric.findData("fcr"))
    chart = page.comparison.chart
    spots = chart._points.points()
    drawn = sorted((spot.pos().x(), round(spot.pos().y(), 9)) for spot in spots)
    assert drawn == sorted((p.n, round(p.rate.successes / p.n, 9)) for p in funnel.points)
    # outside the 99.8% limits: a triangle, not a colour alone
    assert sorted(spot.symbol() for spot in spots) == ["t", "t1"]
    assert chart._centre.value() == pytest.approx(funnel.centre)
    assert chart.pens["95"].dashPattern() != chart.pens["99.8"].dashPattern()
    assert page.trend.title.text() == "Week by week: First-contact resolution"
    # saved as PNGs
    for which in ("trend", "funnel"):
        target = team.share.parent / f"{which}.png"
        assert page.export_chart(which, str(target))
        assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_heat_map_models_counts_are_the_services(qtbot, qtmodeltester, team, service):
    page = open_page(qtbot, team.lead, clock=lambda: NOW)
    heat = service.compute(12).heat_map
    model = page.heat_map.model
    qtmodeltester.check(model)
    assert model.rowCount() == len(heat.rows) == 4  # fewer than a dozen: all shown
    assert not page.heat_map.all_button.isVisibleTo(page)
    for row, expected in enumerate(heat.rows):
        assert model.row(row).purpose == expected.purpose
        assert model.data(model.index(row, 1), COUNT_ROLE) == expected.contacts
        for column, cell in enumerate(expected.cells, FIRST_OUTCOME):
            index = model.index(row, column)
            assert model.data(index, COUNT_ROLE) == cell.count
            assert model.data(index) == str(cell.count)  # readable without colour
    refund = next(r for r, e in enumerate(heat.rows) if e.purpose == "billing.refund")
    assert model.data(model.index(refund, 0)) == team.lead.taxonomy.purpose_display(
        "billing.refund"
    )
    assert model.data(model.index(refund, 0)).startswith("Billing › ")
    assert model.headerData(FIRST_OUTCOME, Qt.Orientation.Horizontal) == "Resolved"
    for list_model in (page.repeats.model, page.cancels.model):
        qtmodeltester.check(list_model)
    cancels = page.cancels.model
    reasons = [cancels.data(cancels.index(r, 0)) for r in range(cancels.rowCount())]
    # one each: the tie goes by code, as the service orders it; labels from the taxonomy
    assert reasons == [team.lead.taxonomy.cancel_reason(c).label for c in ("moving", "price")]
    assert [cancels.data(cancels.index(r, 4)) for r in range(2)] == ["0 of 1", "1 of 1"]
    assert cancels.data(cancels.index(1, 3)) == "100%"  # the running total ends at all
    assert "2 customers wanted to cancel; 1 of them stayed." in page.cancels.summary.text()


def test_the_heat_map_model_passes_the_tester_when_empty(qtmodeltester):
    model = HeatMapModel(str)
    qtmodeltester.check(model)
    assert model.rowCount() == 0 and model.data(model.index(0, 0)) is None
    assert model.columnCount() == FIRST_OUTCOME  # a purpose and its contacts, no outcomes
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Purpose"


def test_one_agent_or_one_channel(qtbot, team, service):
    page = open_page(qtbot, team.lead, clock=lambda: NOW)
    label = page.labels["Ben"]
    with qtbot.waitSignal(page.patterns_loaded, timeout=WAIT):
        page.filters.agent.setCurrentIndex(page.filters.agent.findText(label))
    only_ben = service.compute(12, agent="Ben")
    assert page.patterns.totals == only_ben.totals
    assert page.tiles["confirmed_resolution"].value.text() == (
        f"{only_ben.rates['confirmed_resolution'].value:.0%}"
    )
    assert f"{label} only" in page.subtitle.text() and "Ben" not in page.subtitle.text()
    assert not page.comparison.chart.isVisibleTo(page)  # one agent against themselves: no
    assert "Every agent" in page.comparison.intro.text()
    assert page.labels["Ben"] == label  # the team's labels stay while one agent is chosen
    with qtbot.waitSignal(page.patterns_loaded, timeout=WAIT):
        page.filters.agent.setCurrentIndex(0)
        page.filters.channel.setCurrentIndex(page.filters.channel.findData("chat"))
    chat = service.compute(12, channel="chat")
    assert page.patterns.totals == chat.totals and chat.totals.contacts == 10
    assert "Chat only" in page.subtitle.text()


def test_a_newer_choice_wins_over_an_older_answer(qtbot, team, monkeypatch):
    page = open_page(qtbot, team.lead, clock=lambda: NOW)
    release = threading.Event()
    compute = patterns_page.compute_in_worker

    def slow_for_four_weeks(folder, weeks, *args):
        if weeks == 4:  # the older click's answer arrives only after the newer one's
            assert release.wait(10)
        return compute(folder, weeks, *args)

    monkeypatch.setattr(patterns_page, "compute_in_worker", slow_for_four_weeks)
    page.period_buttons[4].click()
    assert page.status.isVisible() and page.status.text() == "Updating…"
    with qtbot.waitSignal(page.patterns_loaded, timeout=WAIT):
        page.period_buttons[26].click()
    assert page.patterns.period.weeks == 26
    with qtbot.assertNotEmitted(page.patterns_loaded, wait=200):
        release.set()
        QThreadPool.globalInstance().waitForDone(10_000)
    assert page.patterns.period.weeks == 26 and len(page.trend.chart.points) == 26
    assert not page.status.isVisible()


def test_the_page_opens_from_the_main_window(qtbot, team):
    window = MainWindow(team.lead)
    qtbot.addWidget(window)
    window.show()
    page = window._page(PAGE_PATTERNS)
    with qtbot.waitSignal(page.patterns_loaded, timeout=WAIT):
        window.show_page(PAGE_PATTERNS)
    assert isinstance(page, PatternsPage) and page.patterns.totals.contacts == 62


def test_an_agent_gets_a_message_instead_of_the_page(qtbot, team):
    page = PatternsPage(team.ana)
    qtbot.addWidget(page)
    page.show()
    assert not page.is_lead
    assert "for your team lead" in page.message.text() and "My feedback" in page.message.text()
    page.refresh()  # nothing to compute, nothing to fail
    assert not hasattr(page, "filters")


def test_the_demo_team_reads_as_patterns_and_never_as_a_stopwatch(qtbot, tmp_path):
    demo = build_demo_team(tmp_path / "demo")
    lead = Profile(demo.folder(DEMO_LEAD))
    try:
        page = open_page(qtbot, lead)
        labels = page.comparison.chart.shown_labels
        assert sorted(labels) == [f"Agent {c}" for c in "ABCD"]
        found = texts(page)
        assert [t for t in found if STOPWATCH.search(t)] == []
        controls = page.findChildren(QAbstractButton) + page.findChildren(QComboBox)
        controls += page.findChildren(QTableView)
        unnamed = [c for c in controls if c.isVisibleTo(page) and not c.accessibleName()]
        assert [c for c in unnamed if not getattr(c, "text", lambda: "")()] == []
        # Tab reaches every control; of the period buttons, one (arrows move on from it, as
        # Qt does for an exclusive group: the last one focused keeps the Tab stop)
        periods = page.period_group.buttons()
        reachable = [c for c in controls if c.isVisibleTo(page) and c not in periods]
        assert [b for b in periods if b.focusPolicy() & Qt.FocusPolicy.TabFocus] != []
        unreachable = [c for c in reachable if not c.focusPolicy() & Qt.FocusPolicy.TabFocus]
        assert [(type(c).__name__, c.accessibleName()) for c in unreachable] == []
        first_names = {a.name.split()[0] for a in DEMO_AGENTS}
        assert [t for t in found if set(re.findall(r"\w+", t)) & first_names] == []
        model = page.heat_map.model
        assert model.rowCount() == TOP_PURPOSES < len(page.patterns.heat_map.rows)
        page.heat_map.all_button.click()
        assert model.rowCount() == len(page.patterns.heat_map.rows)
        assert page.heat_map.all_button.text() == f"Show the {TOP_PURPOSES} busiest"
        page.filters.show_names.click()
        assert sorted(page.comparison.chart.shown_labels) == sorted(a.name for a in DEMO_AGENTS)
        with qtbot.waitSignal(page.patterns_loaded, timeout=WAIT):
            page.set_weeks(4)
        assert len(page.patterns.weekly) == 4
        page.grab().save(str(tmp_path / "patterns.png"))
    finally:
        QThreadPool.globalInstance().waitForDone(10_000)
        lead.close()


def test_findings_for_repeat_contacts_say_which_way_is_good():
    agents = [
        TeamCounts("a", repeat_n=100, repeats=5),
        TeamCounts("b", repeat_n=100, repeats=45),
        TeamCounts("c", repeat_n=100, repeats=25),
        TeamCounts("d", repeat_n=4, repeats=1),
    ]
    funnel = funnel_plot("repeat_rate", agents, salt=b"k" * 32, reveal=True)
    lines = funnel_findings(funnel, {})
    assert lines[0].startswith(
        "a: fewer repeat contacts than the usual range — worth learning from"
    )
    assert lines[1].startswith(
        "b: more repeat contacts than the usual range — worth a conversation"
    )
    assert lines[-1] == "Too few contacts to place yet (fewer than 10): d."
    assert not any(line.startswith("c:") for line in lines)  # inside: not singled out


def test_importing_the_page_imports_no_pyqtgraph():
    code = "import sys\nimport cxcompanion.ui.patterns_page\nprint('pyqtgraph' in sys.modules)\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False"]
