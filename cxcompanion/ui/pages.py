"""Which pages the side navigation offers to each role, and how each is made when first shown.

An agent logs contacts and sees their own feedback, coaching and ideas; a team lead reviews
the team's contacts, decides on ideas, reads patterns and coaches (DESIGN §6). Pages other
than the first are built when first shown: start-up pays only for the first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from cxcompanion.domain.enums import Role

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from cxcompanion.ui.main_window import MainWindow

PAGE_LOG = "log"
PAGE_CONTACTS = "contacts"
PAGE_FEEDBACK = "feedback"
PAGE_SYNC = "sync"
PAGE_IMPORT = "import"
PAGE_COACHING = "coaching"
PAGE_IDEAS = "ideas"
PAGE_TEAM_REVIEW = "team_review"
PAGE_IDEA_BOARD = "idea_board"
PAGE_PATTERNS = "patterns"
PAGE_SCORECARD = "scorecard"


@dataclass(frozen=True)
class PageSpec:
    key: str
    title: str  # translated through the "MainWindow" context
    keys: str
    needs_share: bool = False


AGENT_PAGES = (
    PageSpec(PAGE_LOG, "Log contact", "Ctrl+1"),
    PageSpec(PAGE_CONTACTS, "My contacts", "Ctrl+2"),
    PageSpec(PAGE_FEEDBACK, "My feedback", "Ctrl+3"),
    PageSpec(PAGE_SYNC, "Sync", "Ctrl+4", needs_share=True),
    PageSpec(PAGE_IMPORT, "Import", "Ctrl+5"),
    PageSpec(PAGE_COACHING, "Coaching", "Ctrl+6"),
    PageSpec(PAGE_IDEAS, "My ideas", "Ctrl+7"),
)
LEAD_PAGES = (
    PageSpec(PAGE_TEAM_REVIEW, "Team review", "Ctrl+1"),
    PageSpec(PAGE_IDEA_BOARD, "Idea board", "Ctrl+2"),
    PageSpec(PAGE_PATTERNS, "Patterns", "Ctrl+3"),
    PageSpec(PAGE_SYNC, "Sync", "Ctrl+4", needs_share=True),
    PageSpec(PAGE_IMPORT, "Import", "Ctrl+5"),
    PageSpec(PAGE_COACHING, "Coaching", "Ctrl+6"),
    PageSpec(PAGE_SCORECARD, "Scorecard", "Ctrl+7"),
)


def pages_for(role: Role, has_share: bool) -> list[PageSpec]:
    specs = LEAD_PAGES if role is Role.LEAD else AGENT_PAGES
    return [s for s in specs if has_share or not s.needs_share]


def title(spec: PageSpec) -> str:
    return QCoreApplication.translate("MainWindow", spec.title)


def make_page(window: MainWindow, key: str) -> QWidget:
    """The page for `key`, made now, with its signals wired to the window."""
    return _FACTORIES[key](window)


def _contacts(window: MainWindow) -> QWidget:
    from cxcompanion.ui.contacts_page import ContactsPage

    page = ContactsPage(window.service)
    page.open_requested.connect(window._on_contacts_open_requested)
    page.contact_deleted.connect(window._on_contacts_contact_deleted)
    window.contacts_page = page
    return page


def _sync(window: MainWindow) -> QWidget:
    from cxcompanion.ui.sync_page import SyncPage

    page = SyncPage(window.profile, window._ensure_sync_controller())
    window.sync_page = page
    return page


def _feedback(window: MainWindow) -> QWidget:
    from cxcompanion.ui.feedback_page import FeedbackPage

    page = FeedbackPage(window.profile)
    window.feedback_page = page
    return page


def _import(window: MainWindow) -> QWidget:
    from cxcompanion.ui.import_page import ImportPage

    page = ImportPage(window.profile)
    page.import_started.connect(window._on_import_page_import_started)
    page.import_finished.connect(window._on_import_page_import_finished)
    page.import_stopped.connect(window._on_import_page_import_stopped)
    window.import_page = page
    return page


def _coaching(window: MainWindow) -> QWidget:
    from cxcompanion.ui.coaching_page import CoachingPage

    page = CoachingPage(window.profile)
    page.note_written.connect(window._on_workspace_changed)
    page.note_answered.connect(window._on_workspace_changed)
    return page


def _ideas(window: MainWindow) -> QWidget:
    from cxcompanion.ui.ideas_page import IdeasPage

    return IdeasPage(window.profile)


def _idea_board(window: MainWindow) -> QWidget:
    from cxcompanion.ui.idea_board import IdeaBoardPage

    page = IdeaBoardPage(window.profile)
    page.idea_decided.connect(window._on_workspace_changed)
    page.idea_merged.connect(window._on_workspace_changed)
    return page


def _team_review(window: MainWindow) -> QWidget:
    from cxcompanion.ui.team_review_page import TeamReviewPage

    page = TeamReviewPage(window.profile)
    page.coach_requested.connect(window._on_team_review_coach_requested)
    page.evaluation_saved.connect(window._on_workspace_changed)
    return page


def _patterns(window: MainWindow) -> QWidget:
    from cxcompanion.ui.patterns_page import PatternsPage

    return PatternsPage(window.profile)


def _scorecard(window: MainWindow) -> QWidget:
    from cxcompanion.ui.scorecard_page import ScorecardPage

    page = ScorecardPage(window.profile)
    page.scorecard_changed.connect(window._on_workspace_changed)
    return page


_FACTORIES: dict[str, Callable[[MainWindow], QWidget]] = {
    PAGE_CONTACTS: _contacts,
    PAGE_SYNC: _sync,
    PAGE_FEEDBACK: _feedback,
    PAGE_IMPORT: _import,
    PAGE_COACHING: _coaching,
    PAGE_IDEAS: _ideas,
    PAGE_IDEA_BOARD: _idea_board,
    PAGE_TEAM_REVIEW: _team_review,
    PAGE_PATTERNS: _patterns,
    PAGE_SCORECARD: _scorecard,
}
# Pages whose content another PC may have changed: refreshed after every sync.
REFRESHED_AFTER_SYNC = (PAGE_COACHING, PAGE_IDEAS, PAGE_IDEA_BOARD, PAGE_TEAM_REVIEW)
