"""The evaluation form: inline errors, saving through the service, the earlier evaluation
filled in, live totals, and calibration with a second lead on a real shared folder."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QThreadPool

from cxcompanion.services.evaluations import COMMENT_MAX, EvaluationService
from cxcompanion.services.profile import Profile
from cxcompanion.ui.evaluation_form import NA, EvaluationForm
from tests.store.test_team_review import NOW, SCORES, log
from tests.sync.test_importer import Team


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
def contact(team):
    contact_id = log(team.ana, "2026-11-24T10:00:00Z", notes="calm with an upset customer")
    team.sync(team.ana, team.lead)
    return contact_id


def make_form(qtbot, profile, contact_id) -> EvaluationForm:
    form = EvaluationForm(profile, contact_id, clock=lambda: NOW)
    qtbot.addWidget(form)
    form.resize(700, 700)
    with qtbot.waitActive(form):
        form.show()
    return form


def score(form: EvaluationForm, scores: dict) -> None:
    for criterion, points in scores.items():
        form.rows[criterion].points.button(str(points)).click()


def test_the_scorecard_is_grouped_by_dimension_with_na_only_where_allowed(qtbot, team, contact):
    form = make_form(qtbot, team.lead, contact)
    card = EvaluationService(team.lead).scorecard
    assert list(form.rows) == [c.id for c in card.criteria if c.dimension == "technical"] + [
        c.id for c in card.criteria if c.dimension == "emotional"
    ]
    for c in card.criteria:
        row = form.rows[c.id]
        assert row.title.text() == c.label and row.guide.text() == c.guide
        codes = [str(p) for p in range(c.points + 1)] + ([NA] if c.na_allowed else [])
        for code in codes:
            assert row.points.button(code).text() in (code, "N/A")
        with pytest.raises(KeyError):
            row.points.button(str(c.points + 1))
        if not c.na_allowed:
            with pytest.raises(KeyError):
                row.points.button(NA)
    assert "Ana · " in form.subtitle.text() and "Customer conversation v1" in form.subtitle.text()
    assert not form.tabs.isTabVisible(1)  # nobody else scored it


def test_totals_follow_the_points_as_they_are_chosen(qtbot, team, contact):
    form = make_form(qtbot, team.lead, contact)
    assert form.total.text() == "Technical 0 of 11 · Emotional 0 of 11 · 10 criteria to score"
    score(form, {"understood_need": 3, "correct_solution": 2, "prevented_repeat": NA})
    assert form.totals["technical"].text() == "5 of 9"  # N/A leaves the 2 points out
    assert form.total.text() == "Technical 5 of 9 · Emotional 0 of 11 · 7 criteria to score"
    score(form, SCORES)
    assert form.total.text() == "Technical 8 of 9 · Emotional 6 of 7"


def test_a_bad_evaluation_shows_errors_next_to_each_criterion_and_saves_nothing(
    qtbot, team, contact
):
    form = make_form(qtbot, team.lead, contact)
    score(form, {"understood_need": 3, "empathy": 2})
    form.comment.setPlainText("x" * (COMMENT_MAX + 1))
    with qtbot.assertNotEmitted(form.evaluation_saved):
        assert form.save() is None
    missing = [c for c in form.rows if c not in ("understood_need", "empathy")]
    shown = {c: r.error.text() for c, r in form.rows.items() if r.error.isVisibleTo(form)}
    assert set(shown) == set(missing)
    assert shown["records"] == "⚠ Choose 0 or 1 point."
    assert shown["prevented_repeat"] == "⚠ Choose 0 to 2 points, or N/A."
    assert shown["tone"] == "⚠ Choose 0 to 2 points."
    assert form.error.text() == "⚠ Score every criterion: 8 still need points."
    assert EvaluationService(team.lead).for_contact(contact) == {}
    # the first criterion in error gets the focus, so the keyboard lands where work is left
    assert form.rows["correct_solution"].points.isAncestorOf(form.focusWidget())
    score(form, SCORES)
    assert form.save() is None  # only the comment is wrong now
    assert form.comment_error.text() == f"⚠ Keep the comment under {COMMENT_MAX} characters."
    assert not any(r.error.isVisibleTo(form) for r in form.rows.values())


def test_a_good_evaluation_is_saved_with_ctrl_enter_and_filled_in_next_time(qtbot, team, contact):
    form = make_form(qtbot, team.lead, contact)
    score(form, SCORES)
    form.comment.setPlainText("Named the worry; call me on +44 20 7946 0958")
    form.comment.setFocus()
    with qtbot.waitSignal(form.evaluation_saved) as saved:
        qtbot.keyClick(form.comment, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert saved.args == [contact]
    (mine,) = EvaluationService(team.lead).for_contact(contact).values()
    assert mine.evaluator == "Lena" and mine.technical == (8, 9) and mine.emotional == (6, 7)
    assert mine.scores["prevented_repeat"] is None and mine.scores["ownership"] == 1
    assert mine.comment == "Named the worry; call me on [phone]"  # masked by the service
    assert form.total.text().startswith("✓ Saved. Technical 8 of 9")
    assert form.save_button.text().startswith("Save changes")
    again = make_form(qtbot, team.lead, contact)
    assert again.raw_scores() == {c: str(p) for c, p in SCORES.items()}
    assert again.comment.toPlainText() == mine.comment
    score(again, {"ownership": 2})
    again.save()
    (changed,) = EvaluationService(team.lead).for_contact(contact).values()
    assert changed.emotional == (7, 7)  # a new revision of the same evaluation, not a second


def test_an_agent_cannot_evaluate_and_is_told_so(qtbot, team, contact):
    form = make_form(qtbot, team.ana, contact)
    score(form, SCORES)
    assert form.save() is None
    assert form.error.text() == "⚠ Contacts are evaluated by the team lead."


def test_calibration_with_a_second_lead_shows_after_scoring_blind(qtbot, team, contact, tmp_path):
    second = Profile(tmp_path / "olga")
    team.opened.append(second)
    second.set_up("Olga", "North", "lead", str(team.share))
    team.approve()
    team.sync(team.lead, second)
    olga = {**SCORES, "empathy": 1, "tone": 2, "prevented_repeat": 1, "records": 1}
    EvaluationService(second, clock=lambda: NOW).evaluate(contact, olga)
    team.sync(second, team.lead)

    form = make_form(qtbot, team.lead, contact)
    # Lena has not scored it yet: Olga's points stay hidden until she has
    assert not form.tabs.isTabVisible(1)
    assert form.blind.isVisibleTo(form) and form.blind.text().startswith("Olga scored this")
    assert all(not row.value() for row in form.rows.values())  # nothing of Olga's filled in
    score(form, SCORES)
    form.save()
    assert form.tabs.isTabVisible(1) and form.tabs.currentIndex() == 1
    assert form.tabs.tabText(1) == "Calibration · 2 leads"
    assert not form.blind.isVisibleTo(form)
    table = form.calibration.table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers == ["Agreement", "Criterion", "Dimension", "You", "Olga"]
    cells = [[table.item(r, c).text() for c in range(table.columnCount())]
             for r in range(table.rowCount())]  # fmt: skip
    # the criteria that differ first, the widest spread first, each marked in words
    assert cells[:2] == [
        ["≠ 2 apart", "Acknowledged the customer's feelings", "Emotional", "3 of 3", "1 of 3"],
        ["≠ N/A for some", "Prevented the next contact", "Technical", "N/A", "1 of 2"],
    ]
    assert all(row[0] == "= same" for row in cells[2:])
    assert len(cells) == len(form.rows)
    assert form.calibration.summary.text() == (
        "≠ The leads differ on 2 of 10 criteria; those come first."
    )
    assert "Olga: technical 9 of 11, emotional 4 of 7" in form.calibration.totals.text()
