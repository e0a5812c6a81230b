"""The agent's Ideas page: what became of every idea they captured, the lead's note, an
adopted idea that stands out, shared credit for a merged duplicate, and a status filter.
The lead decides on the real idea board; a real shared folder carries it to the agents."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from cxcompanion.services.ideas_board import IdeasService
from cxcompanion.ui.ideas_model import CARD_ROLE, MINE, IdeaListModel
from cxcompanion.ui.ideas_page import IdeasPage
from cxcompanion.ui.theme import ACCENT
from tests.sync.test_importer import Team
from tests.test_no_stopwatch import STOPWATCH
from tests.ui.test_idea_board import (
    WAIT,
    captured,
    clock,
    controls_without_a_name,
    open_board,
    widget_texts,
)

NOTE = "In the next app release, thanks to you!"


@pytest.fixture
def team(tmp_path):
    made = Team(tmp_path)
    yield made
    made.close()


def open_page(qtbot, profile) -> IdeasPage:
    page = IdeasPage(profile)
    qtbot.addWidget(page)
    page.resize(1100, 750)
    with qtbot.waitActive(page, timeout=WAIT):
        page.show()
        page.activateWindow()
    return page


def cards(page: IdeasPage):
    return [page.model.card(row) for row in range(len(page.model))]


def band_colour(page: IdeasPage, row: int) -> QColor:
    """The colour at the card's left edge, where an adopted idea has its band."""
    view = page.view
    rect = view.visualRect(page.model.index(row))
    image = view.viewport().grab().toImage()
    x = rect.left() + page.delegate.margin + 3
    return image.pixelColor(x, rect.center().y())


def test_after_a_sync_ana_sees_her_idea_adopted_and_ben_shares_the_credit(qtbot, team):
    pause = captured(team.ana, "Let me pause my plan from the app", at="2026-11-20T10:00")
    typos = captured(team.ana, "Search should understand typos", "website", "2026-11-25T10:00")
    pause_too = captured(team.ben, "let me pause the plan in the app", at="2026-11-23T10:00")
    team.sync(team.ana, team.ben, team.lead)
    # the lead, on the board: merge Ben's duplicate, then adopt Ana's idea with a note
    board = open_board(qtbot, team.lead)
    board.select(pause_too)
    qtbot.mouseClick(board.merge_button, Qt.MouseButton.LeftButton)
    assert board.bar.target() == pause
    with qtbot.waitSignal(board.idea_merged, timeout=WAIT):
        qtbot.keyClick(board.bar.note, Qt.Key.Key_Return)
    board.select(pause, focus=True)
    qtbot.keyClick(board.columns["new"].view, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    for _ in range(2):
        qtbot.keyClick(board.bar.note, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(board.bar.note, NOTE)
    with qtbot.waitSignal(board.idea_decided, timeout=WAIT):
        qtbot.keyClick(board.bar.note, Qt.Key.Key_Return)
    team.sync(team.lead, team.ana, team.ben)

    ana = open_page(qtbot, team.ana)
    assert ana.summary.text() == "2 ideas captured · ★ 1 adopted · 0 planned"
    assert [c.idea.id for c in cards(ana)] == [typos, pause]  # newest first
    new, adopted = cards(ana)
    assert (new.status, new.standout, new.thanks, new.note) == ("○ New", False, "", "")
    assert adopted.status == "★ Adopted" and adopted.standout
    assert adopted.thanks == "Your idea was adopted. Thank you for listening for it."
    assert adopted.note == f"Note from Lena: {NOTE}"
    assert adopted.credit == ""  # Ana's own idea, joined by Ben's: not a merged one
    spoken = ana.model.index(1).data(Qt.ItemDataRole.AccessibleTextRole)
    assert spoken.startswith("Adopted. “Let me pause my plan from the app”")
    assert "Your idea was adopted" in spoken and NOTE.rstrip("!") in spoken
    # the standout is drawn: the accent band down the adopted card's edge, not the other's
    assert band_colour(ana, 1) == QColor(ACCENT)
    assert band_colour(ana, 0) != QColor(ACCENT)

    ben = open_page(qtbot, team.ben)
    assert ben.summary.text() == "1 idea captured · ★ 1 adopted · 0 planned"
    (shared,) = cards(ben)
    assert shared.idea.id == pause_too and shared.standout and shared.status == "★ Adopted"
    assert shared.credit == "⇄ Merged with the same idea from a colleague — you share the credit."
    assert shared.note == f"Note from Lena: {NOTE}"  # the decision reached him too
    assert band_colour(ben, 0) == QColor(ACCENT)


def test_the_status_filter_shows_one_status_at_a_time(qtbot, team):
    ids = {
        status: captured(team.ana, f"an idea that is {status}", at=f"2026-11-{20 + n}T10:00")
        for n, status in enumerate(("new", "under_review", "planned", "adopted"))
    }
    team.sync(team.ana, team.lead)
    lead = IdeasService(team.lead, clock=clock)
    lead.decide(ids["under_review"], "under_review")
    lead.decide(ids["planned"], "planned", "Spring")
    lead.decide(ids["adopted"], "adopted", "Done")
    team.sync(team.lead, team.ana)
    page = open_page(qtbot, team.ana)
    assert page.summary.text() == "4 ideas captured · ★ 1 adopted · 1 planned · 1 under review"
    buttons = page.filter_buttons
    assert [buttons[k].text() for k in buttons] == [
        "All  4", "○ New  1", "◔ Under review  1", "◑ Planned  1", "★ Adopted  1",
        "⊘ Declined  0",
    ]  # fmt: skip
    assert buttons["adopted"].accessibleName() == "Show only ideas adopted (1)"
    # one stop for Tab, like radio buttons: the checked filter; the arrows choose another
    assert [bool(b.focusPolicy() & Qt.FocusPolicy.TabFocus) for b in buttons.values()] == [
        True, False, False, False, False, False,
    ]  # fmt: skip
    assert len(page.shown()) == 4
    qtbot.mouseClick(buttons["adopted"], Qt.MouseButton.LeftButton)
    assert [i.id for i in page.shown()] == [ids["adopted"]] and page.status_filter == "adopted"
    assert page.view.isVisible() and page.empty.isHidden()
    assert buttons["adopted"].focusPolicy() & Qt.FocusPolicy.TabFocus  # Tab lands here now
    buttons["adopted"].setFocus()
    qtbot.keyClick(buttons["adopted"], Qt.Key.Key_Right)  # the keyboard works the filter too
    assert buttons["declined"].hasFocus() and page.status_filter == "declined"
    assert page.shown() == [] and page.view.isHidden()
    assert page.empty.isVisible() and page.empty.text() == "No idea declined."
    qtbot.mouseClick(buttons["all"], Qt.MouseButton.LeftButton)
    assert len(page.shown()) == 4 and page.status_filter is None
    # the filter stays through a refresh, and the refresh brings the lead's new decisions
    page.set_status_filter("planned")
    lead.decide(ids["new"], "planned", "Also spring")
    team.sync(team.lead, team.ana)
    with qtbot.waitSignal(page.ideas_loaded, timeout=WAIT) as blocker:
        page.refresh()
    assert blocker.args == [4]
    assert [i.id for i in page.shown()] == [ids["planned"], ids["new"]]
    assert page.summary.text() == "4 ideas captured · ★ 1 adopted · 2 planned · 1 under review"


def test_an_agent_with_no_ideas_yet_is_told_how_they_arrive(qtbot, profile):
    page = open_page(qtbot, profile)
    assert page.summary.text() == "No ideas captured yet"
    assert page.empty.isVisible() and page.view.isHidden()
    assert "log form" in page.empty.text()
    assert buttons_say(page) == ["All  0", "○ New  0"]


def buttons_say(page: IdeasPage) -> list[str]:
    return [page.filter_buttons[k].text() for k in ("all", "new")]


def test_two_of_my_own_ideas_merged_say_so_without_a_colleague(qtbot, team):
    first = captured(team.ana, "Dark mode in the app", at="2026-11-20T10:00")
    again = captured(team.ana, "Dark mode please", at="2026-11-22T10:00")
    team.sync(team.ana, team.lead)
    IdeasService(team.lead, clock=clock).merge(again, into=first)
    team.sync(team.lead, team.ana)
    page = open_page(qtbot, team.ana)
    merged = page.model.card(page.model.row_of(again))
    assert merged.credit == "⇄ Merged with another of your ideas: the same idea, told twice."
    assert merged.note == "Note from Lena: Merged with the same idea: Dark mode in the app"


def test_the_page_model_passes_the_model_tester(qtmodeltester, team):
    captured(team.ana, "Let me pause my plan from the app")
    captured(team.ana, "Dark mode in the app", at="2026-11-25T10:00")
    model = IdeaListModel(team.ana.taxonomy, mode=MINE)
    ideas = IdeasService(team.ana).ideas()
    model.set_ideas(ideas, own=[i.id for i in ideas])
    qtmodeltester.check(model)
    assert not model.flags(model.index(0)) & Qt.ItemFlag.ItemIsDragEnabled  # nothing to drag
    assert isinstance(model.index(0).data(CARD_ROLE).spoken, str)


def test_no_word_on_the_page_speaks_of_time_taken(qtbot, team):
    for n in range(3):
        captured(team.ana, f"idea {n}", at=f"2026-11-2{n}T10:00")
    team.sync(team.ana, team.lead)
    ideas = IdeasService(team.lead, clock=clock)
    first, second, _ = (i.id for i in ideas.ideas())
    ideas.decide(first, "adopted", "Thank you")
    ideas.merge(second, into=first)
    team.sync(team.lead, team.ana)
    page = open_page(qtbot, team.ana)
    texts = widget_texts(page)
    assert len(texts) > 25
    assert [t for t in texts if STOPWATCH.search(t)] == []


def test_every_control_is_named(qtbot, team):
    captured(team.ana, "Dark mode in the app")
    page = open_page(qtbot, team.ana)
    assert controls_without_a_name(page) == []
    assert page.view.accessibleName() == "Your ideas, newest first"
