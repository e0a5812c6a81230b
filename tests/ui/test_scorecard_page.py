"""The Scorecard page: the team's scorecard by dimension, a copy to edit and a new version from
a file (lead), the errors in words, and an agent's read-only view."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QPushButton, QWidget

from cxcompanion.domain.scorecard import DIMENSION_LABELS
from cxcompanion.services.evaluations import EvaluationService, load_scorecard
from cxcompanion.services.profile import Profile
from cxcompanion.ui.scorecard_page import ScorecardPage
from tests.sync.test_importer import Team
from tests.test_no_stopwatch import STOPWATCH


@pytest.fixture
def lead(tmp_path):
    profile = Profile(tmp_path / "lead")
    profile.set_up("Lena", "North", "lead")
    yield profile
    profile.close()


@pytest.fixture
def team(tmp_path):
    made = Team(tmp_path)
    yield made
    made.close()


def make_page(qtbot, profile) -> ScorecardPage:
    page = ScorecardPage(profile)
    qtbot.addWidget(page)
    page.resize(1100, 750)
    page.show()
    return page


def texts_of(page: QWidget) -> list[str]:
    found = []
    for widget in page.findChildren(QWidget):
        for getter in ("text", "toolTip", "accessibleName"):
            value = getattr(widget, getter, None)
            value = value() if callable(value) else None
            if isinstance(value, str) and value:
                found.append(value)
    return found


def shown_rows(page: ScorecardPage) -> dict[str, tuple[str, str, str]]:
    return {
        cid: (label.text(), points.text(), na.text())
        for card in page.cards.values()
        for cid, (label, points, na) in card.rows.items()
    }


def test_the_page_shows_the_default_scorecard_by_dimension_with_totals(qtbot, lead):
    card = load_scorecard(lead)
    page = make_page(qtbot, lead)
    assert card.version == 1 and len(card.criteria) >= 4
    assert card.title in page.subtitle.text() and "version 1" in page.subtitle.text()
    rows = shown_rows(page)
    assert set(rows) == {c.id for c in card.criteria}
    for c in card.criteria:
        label, points, na = rows[c.id]
        assert label == c.label
        assert str(c.points) in points
        assert na == ("N/A allowed" if c.na_allowed else "Applies to every contact")
        assert c.id in page.cards[c.dimension].rows
        if c.guide:
            assert c.guide in texts_of(page.cards[c.dimension])
    assert any(c.na_allowed for c in card.criteria)
    assert any(not c.na_allowed for c in card.criteria)
    for dimension, name in DIMENSION_LABELS.items():
        total = sum(c.points for c in card.criteria if c.dimension == dimension)
        assert total > 0
        assert page.cards[dimension].title.text() == name
        assert page.cards[dimension].total_label.text() == f"{total} points in all"
    assert "keep the version they were made with" in page.note.text()
    assert page.save_button.isVisible() and page.load_button.isVisible()


def test_a_saved_copy_edited_comes_back_as_version_2(qtbot, lead, tmp_path):
    page = make_page(qtbot, lead)
    path = tmp_path / "copy.json"
    assert page.save_copy(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == load_scorecard(lead).to_dict()
    assert str(path) in page.status.text() and not page.error.isVisible()

    dropped = data["criteria"].pop()["id"]
    data["title"] = "Customer conversation, shorter"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data, indent=2), encoding="utf-8")
    with qtbot.waitSignal(page.scorecard_changed, timeout=1000) as changed:
        card = page.load_new_version(edited)
    assert changed.args == [2]
    assert card is not None and card.version == 2
    stored = load_scorecard(lead)
    assert stored.version == 2 and stored.title == "Customer conversation, shorter"
    assert dropped not in {c.id for c in stored.criteria}
    assert len(stored.criteria) == len(data["criteria"])
    assert "version 2" in page.subtitle.text() and "shorter" in page.subtitle.text()
    assert "version 2" in page.status.text() and not page.error.isVisible()
    assert set(shown_rows(page)) == {c.id for c in stored.criteria}
    # the evaluation form scores on the new version from now on
    assert EvaluationService(lead).scorecard.version == 2


def test_a_new_version_goes_into_the_team_file_on_a_share(qtbot, team, tmp_path):
    page = make_page(qtbot, team.lead)
    path = tmp_path / "copy.json"
    assert page.save_copy(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["criteria"] = data["criteria"][1:]
    path.write_text(json.dumps(data), encoding="utf-8")
    assert page.load_new_version(path).version == 2
    assert "next sync" in page.status.text()
    team_file = json.loads(team.layout.team_file.read_text(encoding="utf-8"))
    assert '"version": 2' in json.dumps(team_file)
    assert load_scorecard(team.lead).version == 2


TOO_MANY_POINTS = {
    "id": "x",
    "version": 1,
    "title": "t",
    "criteria": [{"id": "a", "label": "A", "dimension": "technical", "points": 11}],
}


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "There is no file"),
        ("{ not json", "is not readable JSON"),
        (json.dumps({"id": "x", "version": 1, "title": "t", "criteria": []}), "cannot be used"),
        (json.dumps(TOO_MANY_POINTS), "points must be 1 to 10"),
        (json.dumps(["a list"]), "a scorecard is a JSON object"),
    ],
    ids=["missing", "bad-json", "no-criteria", "too-many-points", "not-an-object"],
)
def test_a_broken_file_shows_why_and_changes_nothing(qtbot, lead, tmp_path, content, words):
    page = make_page(qtbot, lead)
    before = load_scorecard(lead)
    rows_before = shown_rows(page)
    path = tmp_path / "broken.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with qtbot.assertNotEmitted(page.scorecard_changed):
        assert page.load_new_version(path) is None
    assert page.error.isVisible()
    assert words in page.error.text() and "Nothing was changed." in page.error.text()
    assert not page.status.isVisible()
    assert load_scorecard(lead) == before
    assert lead.store.meta("scorecard") is None
    assert shown_rows(page) == rows_before and "version 1" in page.subtitle.text()
    # a good file afterwards clears the error
    good = tmp_path / "good.json"
    good.write_text(json.dumps(before.to_dict()), encoding="utf-8")
    assert page.load_new_version(good).version == 2
    assert not page.error.isVisible()


def test_an_agent_sees_the_scorecard_read_only(qtbot, profile, tmp_path):
    page = make_page(qtbot, profile)
    assert page.findChildren(QPushButton) == []
    assert page.save_button is None and page.load_button is None
    assert set(shown_rows(page)) == {c.id for c in load_scorecard(profile).criteria}
    assert "team lead sets the scorecard" in page.note.text()
    # and the service refuses an agent even if asked directly
    path = tmp_path / "card.json"
    path.write_text(json.dumps(load_scorecard(profile).to_dict()), encoding="utf-8")
    assert page.load_new_version(path) is None
    assert "set by the team lead" in page.error.text()
    assert load_scorecard(profile).version == 1


def test_the_buttons_open_the_file_dialogs(qtbot, lead, tmp_path, monkeypatch):
    page = make_page(qtbot, lead)
    path = tmp_path / "from-dialog.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    page.save_button.click()
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == 1
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    page.load_button.click()
    assert "version 2" in page.subtitle.text()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    page.load_button.click()  # cancelled: nothing happens
    assert load_scorecard(lead).version == 2


def test_refresh_shows_a_version_set_elsewhere(qtbot, lead):
    page = make_page(qtbot, lead)
    data = load_scorecard(lead).to_dict()
    data["criteria"] = data["criteria"][:3]
    EvaluationService(lead).set_scorecard(data)  # as `cxcompanion scorecard set` would
    assert "version 1" in page.subtitle.text()
    page.refresh()
    assert "version 2" in page.subtitle.text() and len(shown_rows(page)) == 3


def test_controls_are_named_and_no_word_speaks_of_duration(qtbot, lead):
    page = make_page(qtbot, lead)
    for button in page.findChildren(QPushButton):
        assert button.accessibleName() and button.focusPolicy() == Qt.FocusPolicy.StrongFocus
    texts = texts_of(page)
    assert len(texts) > 30
    assert [t for t in texts if STOPWATCH.search(t)] == []
