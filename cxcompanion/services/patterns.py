"""Patterns: the team lead's view of the team across weeks and across agents (lead-only)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta, timezone

from cxcompanion.domain.enums import Channel, Role
from cxcompanion.domain.patterns import FUNNEL_METRICS, Patterns, build_patterns
from cxcompanion.domain.records import utc_iso
from cxcompanion.services.feedback import FeedbackService, feedback_period
from cxcompanion.services.profile import Profile, ProfileError
from cxcompanion.store.patterns_queries import pattern_counts


def _now() -> datetime:
    return datetime.now(timezone.utc)


class PatternsService:
    """Runs on the thread that owns `profile` (a worker opens its own: at a million
    contacts a year, twelve weeks take one to three seconds: never on the UI thread).

    Team aggregates are for the team lead: DESIGN principle 4 lets an agent see them only
    anonymised, and the simplest way to keep that is not to offer them on an agent's
    profile at all (an agent's store holds colleagues' contacts only as slim rows anyway).
    """

    def __init__(self, profile: Profile, clock: Callable[[], datetime] = _now):
        identity = profile.identity  # NotSetUpError for a profile that is not set up
        if identity.role is not Role.LEAD:
            raise ProfileError(
                "team patterns are for team leads; your own feedback is under My feedback "
                "(set this profile up with --role lead to see the team's patterns).",
                "role",
            )
        self.profile = profile
        self.clock = clock

    @property
    def repeat_window_days(self) -> int:
        # The same team setting My feedback reads: a lead and an agent count repeats alike.
        return FeedbackService(self.profile, self.clock).repeat_window_days

    def compute(
        self,
        weeks: int = 12,
        metric: str = "confirmed_resolution",
        reveal: bool = False,
        *,
        agent: str | None = None,
        channel: str | None = None,
    ) -> Patterns:
        """The team's patterns over the last `weeks` local ISO weeks, this one included.

        `metric` is the rate the funnel compares (confirmed_resolution, fcr, repeat_rate);
        agents carry "Agent A", "Agent B", … labels unless `reveal`. `agent` and `channel`
        narrow every count to one agent's or one channel's contacts.
        """
        if metric not in FUNNEL_METRICS:
            raise ValueError(
                f"the funnel compares one of {', '.join(FUNNEL_METRICS)}, not {metric!r}"
            )
        if channel is not None and channel not in Channel.codes():
            raise ValueError(f"{channel!r} is not a channel; choose one of {Channel.codes()}")
        now = self.clock()
        window = self.repeat_window_days
        period = feedback_period(weeks, now, window)
        # The period's bounds exactly as My feedback takes them, so one agent's numbers here
        # are that agent's own (tests/services/test_patterns.py pins it).
        first_day = datetime.fromisoformat(period.start).date()
        start = utc_iso(datetime.combine(first_day, time.min).astimezone())
        settled = utc_iso(now - timedelta(days=window))
        counts = pattern_counts(
            self.profile.store,
            start=start,
            end=period.end,
            settled=settled,
            window_days=window,
            agent=agent,
            channel=channel,
        )
        return build_patterns(
            period,
            counts,
            metric=metric,
            salt=self.profile.team_secret,
            reveal=reveal,
            agent=agent,
            channel=channel,
        )
