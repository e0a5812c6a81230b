"""Test-wide set-up: Qt offscreen before any Qt import, and every path under tmp_path."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from cxcompanion.services.contacts import ContactService
from cxcompanion.services.profile import Profile


@pytest.fixture(autouse=True)
def _isolated_paths(tmp_path, monkeypatch):
    """No test may touch the real home folder, app-data folder or settings."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.delenv("CXCOMPANION_PROFILE", raising=False)


@pytest.fixture
def profile(tmp_path):
    """A set-up agent profile in a temporary folder, closed after the test."""
    opened = Profile(tmp_path / "profile")
    opened.set_up("Ana", "North", "agent")
    yield opened
    opened.close()


@pytest.fixture
def service(profile):
    return ContactService(profile)


def raw_contact(**changes):
    """A valid contact as a form or the command line would give it."""
    raw = {
        "channel": "phone",
        "purpose": "billing.refund",
        "outcome": "resolved",
        "verdict": "yes",
        "detail": "charged twice for the November invoice",
    }
    raw.update(changes)
    return raw
