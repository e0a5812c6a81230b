"""Shared helpers of the sync tests."""

from __future__ import annotations

from cxcompanion.domain.roster import Roster


def team_roster(team: str = "North") -> Roster:
    """A team file with no devices yet and a fixed customer key."""
    return Roster(team=team, customer_key="ab" * 32)
