"""Every page of both roles opens on the demo team and shows its data (no empty pages)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QAbstractItemView, QLabel

from cxcompanion.services.demo import DEMO_AGENTS, DEMO_LEAD, build_demo_team
from cxcompanion.services.profile import Profile
from cxcompanion.ui.main_window import MainWindow
from cxcompanion.ui.pages import AGENT_PAGES, LEAD_PAGES


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return build_demo_team(tmp_path_factory.mktemp("demo") / "team")


def _words(page) -> str:
    texts = [label.text() for label in page.findChildren(QLabel) if label.isVisible()]
    for view in page.findChildren(QAbstractItemView):
        model = view.model()
        if model is not None and model.rowCount() and view.isVisible():
            texts.append(str(model.index(0, 0).data()))
    return " ".join(texts)


@pytest.mark.parametrize(
    ("who", "specs"), [(DEMO_LEAD, LEAD_PAGES), (DEMO_AGENTS[0].name, AGENT_PAGES)]
)
def test_every_page_of_the_role_opens_with_data(qtbot, demo, who, specs):
    profile = Profile(demo.folder(who))
    try:
        window = MainWindow(profile)
        qtbot.addWidget(window)
        window.resize(1180, 780)
        window.show()
        shown = []
        for spec in specs:
            page = window.show_page(spec.key)
            loaded = getattr(page, "patterns_loaded", None) or getattr(
                page, "feedback_loaded", None
            )
            if loaded is not None and getattr(page, "patterns", None) is None:
                with qtbot.waitSignal(loaded, timeout=20000, raising=False):
                    pass
            qtbot.waitUntil(lambda p=page: p.isVisible(), timeout=5000)
            image = page.grab()
            assert not image.isNull() and image.width() > 600, spec.key
            words = _words(page)
            assert len(words) > 40, (spec.key, words)  # a page with content, not a frame
            shown.append(spec.key)
        assert shown == [s.key for s in specs]
        window.close()
    finally:
        profile.close()
