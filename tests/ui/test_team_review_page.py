"""Team review (lead): the lazy model, the filter bar and search, the detail pane, and
evaluating or coaching from the page, on a real team's store and on a store filled by SQL."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QThreadPool
from PySide6.QtWidgets import QAbstractItemView, QWidget

from cxcompanion.services.evaluations import EvaluationService
from cxcompanion.services.profile import Profile
from cxcompanion.store.team_review import PAGE_SIZE, ReviewFilter
from cxcompanion.ui import team_review_model
from cxcompanion.ui.team_review_model import CONTACT_ID_ROLE, Column, TeamReviewModel
from cxcompanion.ui.team_review_page import TeamReviewPage
from tests.store.test_team_review import NOW, SCORES, expected, fill, log, survey
from tests.sync.test_importer import Team
from tests.test_no_stopwatch import STOPWATCH


@pytest.fixture(autouse=True)
def _workers_done():
    yield
    QThreadPool.globalInstance().waitForDone(10_000)


@pytest.fixture
def team(tmp_path):
    made = Team(tmp_path)
    yield made
    made.close()


@pytest.fixture
def logged(team):
    ids = {
        "refund": log(team.ana, "2026-11-20T09:00:00Z", notes="a giraffe on the invoice"),
        "cancel": log(
            team.ana, "2026-11-24T10:00:00Z", purpose="cancellation.cancel_subscription",
            verdict="unsure", detail="wanted to cancel, offered a pause", cancel_intent=True,
            cancel_reason="price", stayed=True, mood_start=-1, mood_end=1,
            ideas=[{"text": "Let me pause my plan from the app", "area": "mobile_app"}],
        ),
        "ben": log(team.ben, "2026-11-28T17:45:00Z", channel="email", verdict="not_asked",
                   notes="giraffe again"),
    }  # fmt: skip
    team.sync(team.ana, team.ben, team.lead)
    survey(team.lead, ids["ben"], 1, "2026-11-29T09:00:00Z")
    return ids


@pytest.fixture
def lead(tmp_path):
    profile = Profile(tmp_path / "lead")
    profile.set_up("Lena", "North", "lead")
    yield profile
    profile.close()


def make_page(qtbot, profile) -> TeamReviewPage:
    page = TeamReviewPage(profile)
    qtbot.addWidget(page)
    page.resize(1100, 750)
    with qtbot.waitActive(page):
        page.show()
    return page


def ids(model: TeamReviewModel) -> list[str]:
    return [model.contact_id(row) for row in range(model.rowCount())]


def rowids(model: TeamReviewModel) -> list[int]:
    return [model.summary(row).rowid for row in range(model.rowCount())]


def wait_idle(qtbot, model: TeamReviewModel) -> None:
    qtbot.waitUntil(lambda: not model.searching and model.count is not None, timeout=10_000)


# -- the model -------------------------------------------------------------------------------


def test_model_passes_the_model_tester_when_empty(qtmodeltester, qtbot, lead):
    model = TeamReviewModel(lead)
    qtmodeltester.check(model)
    wait_idle(qtbot, model)
    assert model.rowCount() == 0 and model.count == 0 and not model.canFetchMore()


@pytest.mark.parametrize(
    "f",
    [ReviewFilter(), ReviewFilter(agent="Ben"), ReviewFilter(has_ideas=True),
     ReviewFilter(search="zebra"), ReviewFilter(search="nothing at all")],
)  # fmt: skip
def test_model_passes_the_model_tester_with_data_and_filters(qtmodeltester, qtbot, lead, f):
    fill(lead, 450)
    model = TeamReviewModel(lead)
    model.set_filter(f)
    wait_idle(qtbot, model)
    # A fresh tester per state: testers call fetchMore from their own modelReset handler
    # (see test_contacts_page.py), which would report a false "change in flight".
    qtmodeltester.check(model)


def test_model_fetches_pages_lazily_without_duplicates_or_gaps(qtbot, lead):
    rows = fill(lead, 450)
    model = TeamReviewModel(lead)
    wanted = expected(rows, ReviewFilter())
    assert model.rowCount() == PAGE_SIZE and model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 2 * PAGE_SIZE
    while model.canFetchMore():
        model.fetchMore()
    assert rowids(model) == wanted  # newest first, ties by the order they were stored
    wait_idle(qtbot, model)
    assert model.count == len(wanted)
    # rows read again when shown: texts for a row far from the first block
    last = model.index(len(wanted) - 1, Column.AGENT)
    assert last.data() == next(r["agent"] for r in rows if r["rowid"] == wanted[-1])


def test_a_rare_filter_is_found_slice_by_slice(qtbot, lead, monkeypatch):
    """One page call per turn of the event loop, each walking 25 index entries: the rows
    arrive in slices and the window never waits for the whole walk."""
    rows = fill(lead, 600)
    monkeypatch.setattr(team_review_model, "SLICE_SECONDS", 0.0)
    model = TeamReviewModel(lead)
    model.budget = 25
    f = ReviewFilter(agent="Dev", verdict="no", has_ideas=False, channel="phone")
    wanted = expected(rows, f)
    assert 0 < len(wanted) < 40
    with qtbot.waitSignal(model.searching_changed, timeout=5000):
        model.set_filter(f)  # the first slice cannot reach the end of Dev's contacts
    assert model.searching and model.rowCount() < len(wanted)
    qtbot.waitUntil(lambda: not model.searching, timeout=10_000)
    assert rowids(model) == wanted


def test_the_rest_of_a_rare_filter_comes_from_a_worker_once_counted(qtbot, lead, monkeypatch):
    """A walk that would take hundreds of turns stops when the count says few are left: a
    worker reads them all in one statement."""
    rows = fill(lead, 600)
    monkeypatch.setattr(team_review_model, "SLICE_SECONDS", 0.0)
    calls = []
    page = team_review_model.TeamReview.page
    monkeypatch.setattr(
        team_review_model.TeamReview,
        "page",
        lambda self, *a, **k: calls.append(1) or page(self, *a, **k),
    )
    model = TeamReviewModel(lead)
    model.budget = 1  # one index entry a call: 600 turns of the event loop to walk it all
    f = ReviewFilter(verdict="no", has_ideas=True)
    model.set_filter(f)
    qtbot.waitUntil(lambda: not model.searching, timeout=10_000)
    assert rowids(model) == expected(rows, f)
    assert model.count == len(expected(rows, f))
    assert len(calls) < 500


def test_a_listing_found_in_one_page_is_counted_at_once(qtbot, lead):
    rows = fill(lead, 300)
    model = TeamReviewModel(lead)
    with qtbot.waitSignal(model.counted) as counted:
        model.set_filter(ReviewFilter(agent="Ben", has_ideas=True))
        assert model.count == len(expected(rows, model.filter)) and not model.canFetchMore()
    assert counted.args == [model.count]


def test_a_newer_filter_drops_an_older_search(qtbot, lead):
    rows = fill(lead, 300)
    model = TeamReviewModel(lead)
    model.set_filter(ReviewFilter(search="zebra"))
    model.set_filter(ReviewFilter(search="parcel", agent="Ana"))
    wait_idle(qtbot, model)
    assert rowids(model) == expected(rows, ReviewFilter(search="parcel", agent="Ana"))


def test_refresh_contact_reads_the_row_again(qtbot, team, logged):
    model = TeamReviewModel(team.lead)
    row = model.row_of(logged["refund"])
    assert model.index(row, Column.EVALUATED).data() == ""
    EvaluationService(team.lead, clock=lambda: NOW).evaluate(logged["refund"], SCORES)
    with qtbot.waitSignal(model.dataChanged):
        model.refresh_contact(logged["refund"])
    assert model.index(row, Column.EVALUATED).data() == "✓ you"
    assert model.index(row, 0).data(CONTACT_ID_ROLE) == logged["refund"]


def test_row_texts_say_where_the_verdict_comes_from(qtbot, team, logged):
    model = TeamReviewModel(team.lead)
    row = model.row_of(logged["ben"])
    assert model.index(row, Column.VERDICT).data() == "Yes · survey"
    tip = model.index(row, Column.VERDICT).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == "The customer answered the survey: Yes (the agent logged: Didn't ask)"
    assert model.index(row, Column.AGENT).data() == "Ben"  # names are shown to the lead
    cancel = model.row_of(logged["cancel"])
    assert model.index(cancel, Column.IDEAS).data() == "1"
    assert model.index(cancel, Column.PURPOSE).data() == "Cancel subscription"


# -- the page --------------------------------------------------------------------------------


def test_the_count_says_counting_until_the_worker_answers(qtbot, lead):
    fill(lead, 1200)  # Ana's ~300 take more than a page: their count comes from a worker
    page = make_page(qtbot, lead)
    wait_idle(qtbot, page.model)
    with qtbot.waitSignal(page.model.counted, timeout=10_000) as counted:
        page.filters.agent.setCurrentIndex(page.filters.agent.findData("Ana"))
        assert "counting…" in page.count_label.text()
    assert page.count_label.text() == f"{counted.args[0]} contacts"
    assert ids(page.model) and {
        page.model.summary(r).agent for r in range(page.model.rowCount())
    } == {"Ana"}


def test_search_waits_for_typing_to_pause_and_finds_the_exact_rows(qtbot, team, logged):
    page = make_page(qtbot, team.lead)
    wait_idle(qtbot, page.model)
    qtbot.keyClicks(page.filters.search, "giraff")
    assert page.model.filter.search == ""  # not on every key: ~250 ms after the last one
    qtbot.waitUntil(lambda: page.model.filter.search == "giraff", timeout=3000)
    wait_idle(qtbot, page.model)
    assert ids(page.model) == [logged["ben"], logged["refund"]]  # newest first
    assert page.count_label.text() == "2 contacts match “giraff”"
    page.filters.agent.setCurrentIndex(page.filters.agent.findData("Ana"))
    wait_idle(qtbot, page.model)
    assert ids(page.model) == [logged["refund"]]
    page.filters.clear()
    wait_idle(qtbot, page.model)
    assert ids(page.model) == [logged["ben"], logged["cancel"], logged["refund"]]


def test_the_filter_bar_builds_the_filter(qtbot, team, logged):
    page = make_page(qtbot, team.lead)
    f = page.filters
    assert [f.agent.itemText(i) for i in range(f.agent.count())] == ["Every agent", "Ana", "Ben"]
    f.purpose.setCurrentIndex(f.purpose.findText("Cancellation (all)"))
    wait_idle(qtbot, page.model)
    assert ids(page.model) == [logged["cancel"]]
    f.purpose.setCurrentIndex(0)
    f.verdict.setCurrentIndex(f.verdict.findData("yes"))  # Ben's survey answer says yes
    wait_idle(qtbot, page.model)
    assert ids(page.model) == [logged["ben"], logged["refund"]]
    f.has_ideas.setChecked(True)
    wait_idle(qtbot, page.model)
    assert ids(page.model) == [] and page.count_label.text() == "No contacts match these filters."
    f.clear()
    f.cancel_intent.setChecked(True)
    wait_idle(qtbot, page.model)
    assert ids(page.model) == [logged["cancel"]]
    f.clear()
    f.period.setCurrentIndex(f.period.findData("range"))
    assert f.dates.isVisible()
    f.start_date.setDate(f.start_date.date().fromString("2026-11-21", Qt.DateFormat.ISODate))
    f.end_date.setDate(f.end_date.date().fromString("2026-11-27", Qt.DateFormat.ISODate))
    wait_idle(qtbot, page.model)
    assert ids(page.model) == [logged["cancel"]]
    assert page.model.filter.start < "2026-11-21T12:00:00Z" < page.model.filter.end


def test_the_detail_pane_shows_the_selected_contact_in_full(qtbot, team, logged):
    page = make_page(qtbot, team.lead)
    assert not page.evaluate_button.isEnabled()
    page._select(logged["cancel"])
    texts = [w.text() for w in page.detail.findChildren(QWidget) if hasattr(w, "text")]
    assert "Ana · " in page.detail.title.text()
    for shown in ("Cancellation › Cancel subscription", "wanted to cancel, offered a pause",
                  "Unhappy at the start → pleased at the end", "“Let me pause my plan from the "
                  "app” · Mobile app · New", "Not evaluated yet."):  # fmt: skip
        assert shown in texts, texts
    assert "Too expensive · stayed" in texts, texts
    assert page.evaluate_button.isEnabled() and page.coach_button.isEnabled()


def test_coach_on_this_contact_names_the_agent_and_the_contact(qtbot, team, logged):
    page = make_page(qtbot, team.lead)
    page._select(logged["ben"])
    with qtbot.waitSignal(page.coach_requested) as asked:
        page.coach_button.click()
    assert asked.args == ["Ben", logged["ben"]]


def test_evaluate_from_the_page_bad_then_good_and_the_table_shows_it(qtbot, team, logged):
    page = make_page(qtbot, team.lead)
    page._select(logged["cancel"])
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)  # Enter in the list opens the scorecard
    form = page.form
    assert form is not None and page.body.currentWidget() is page.eval_split
    assert not form.save()  # nothing scored
    assert all(row.error.isVisibleTo(form) for row in form.rows.values())
    assert EvaluationService(team.lead).for_contact(logged["cancel"]) == {}
    for criterion, points in SCORES.items():
        form.rows[criterion].points.button(str(points)).click()
    with qtbot.waitSignal(page.evaluation_saved) as saved:
        form.save_button.click()
    assert saved.args == [logged["cancel"]]
    assert not any(row.error.isVisibleTo(form) for row in form.rows.values())
    (mine,) = EvaluationService(team.lead).for_contact(logged["cancel"]).values()
    assert mine.technical == (8, 9) and mine.emotional == (6, 7)
    row = page.model.row_of(logged["cancel"])
    assert page.model.index(row, Column.EVALUATED).data() == "✓ you"
    assert not page.filters.isEnabled()  # a filter change cannot drop scores being typed
    qtbot.keyClick(form.save_button, Qt.Key.Key_Escape)
    assert page.form is None and page.body.currentWidget() is page.list_split
    assert page.filters.isEnabled() and page.filters.search.isEnabled()
    assert page.selected_id() == logged["cancel"]
    page.filters.evaluated.setCurrentIndex(page.filters.evaluated.findData(True))
    wait_idle(qtbot, page.model)
    assert ids(page.model) == [logged["cancel"]]


def test_refresh_after_a_sync_keeps_the_filter_and_the_selection(qtbot, team, logged):
    page = make_page(qtbot, team.lead)
    page.filters.agent.setCurrentIndex(page.filters.agent.findData("Ana"))
    wait_idle(qtbot, page.model)
    page._select(logged["refund"])
    newer = log(team.ana, "2026-11-29T08:00:00Z", detail="a new one")
    team.sync(team.ana, team.lead)
    page.refresh()
    wait_idle(qtbot, page.model)
    assert ids(page.model) == [newer, logged["cancel"], logged["refund"]]
    assert page.selected_id() == logged["refund"]
    # a search's rows come from a worker: the selection comes back when they arrive
    page.filters.search.setText("giraffe")
    page.filters.search.returnPressed.emit()
    wait_idle(qtbot, page.model)
    page._select(logged["refund"])
    page.refresh()
    wait_idle(qtbot, page.model)
    assert ids(page.model) == [logged["refund"]]
    assert page.selected_id() == logged["refund"]


def test_no_text_on_the_page_speaks_of_the_stopwatch(qtbot, team, logged, tmp_path):
    second = Profile(tmp_path / "olga")
    team.opened.append(second)
    second.set_up("Olga", "North", "lead", str(team.share))
    team.approve()
    team.sync(team.lead, second)
    EvaluationService(second, clock=lambda: NOW).evaluate(logged["cancel"], SCORES)
    EvaluationService(team.lead, clock=lambda: NOW).evaluate(
        logged["cancel"], {**SCORES, "empathy": 1}, "kind, a little rushed at the end"
    )
    team.sync(second, team.lead)
    page = make_page(qtbot, team.lead)
    wait_idle(qtbot, page.model)
    page._select(logged["cancel"])
    form = page.open_evaluation()
    form.tabs.setCurrentIndex(1)
    assert form.tabs.isTabVisible(1)
    texts = []
    for widget in page.findChildren(QWidget):
        for getter in ("text", "placeholderText", "toolTip", "accessibleName",
                       "accessibleDescription", "windowTitle", "title"):  # fmt: skip
            value = getattr(widget, getter, None)
            if callable(value):
                try:
                    value = value()
                except TypeError:
                    continue
            if isinstance(value, str) and value:
                texts.append(value)
        if isinstance(widget, QAbstractItemView):
            m = widget.model()
            if isinstance(m, QAbstractTableModel) or hasattr(m, "rowCount"):
                for column in range(m.columnCount(QModelIndex())):
                    for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                        texts.append(str(m.headerData(column, Qt.Orientation.Horizontal, role)))
                    for row in range(min(m.rowCount(QModelIndex()), 50)):
                        for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                                     Qt.ItemDataRole.AccessibleTextRole):  # fmt: skip
                            texts.append(str(m.index(row, column).data(role)))
    for combo in (page.filters.agent, page.filters.purpose, page.filters.period):
        texts += [combo.itemText(i) for i in range(combo.count())]
    assert len(texts) > 200
    assert "≠ 2 apart" in texts  # the calibration table was among them
    assert [t for t in texts if STOPWATCH.search(t)] == []
