"""My feedback: the agent's own quality metrics over the last weeks (for the page and CLI)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta, timezone

from cxcompanion.domain.metrics import (
    DEFAULT_REPEAT_WINDOW_DAYS,
    Feedback,
    Period,
    build_feedback,
    quality_rate,
)
from cxcompanion.domain.records import utc_iso
from cxcompanion.services.profile import Profile
from cxcompanion.store.metrics_queries import ideas_adopted, metrics_counts, quality_counts

PERIOD_CHOICES = (4, 12, 26)
MAX_WEEKS = 260


def _now() -> datetime:
    return datetime.now(timezone.utc)


def feedback_period(weeks: int, now: datetime, window_days: int) -> Period:
    """The last `weeks` local ISO weeks, this one included, up to `now`."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValueError(f"weeks must be from 1 to {MAX_WEEKS}, not {weeks}")
    local_now = now.astimezone()
    monday = local_now.date() - timedelta(days=local_now.weekday())
    first = monday - timedelta(weeks=weeks - 1)
    keys = tuple((first + timedelta(weeks=i)).isoformat() for i in range(weeks))
    return Period(
        weeks=weeks,
        start=first.isoformat(),
        end=utc_iso(now),
        repeat_window_days=window_days,
        week_keys=keys,
    )


class FeedbackService:
    """Opens nothing itself: runs on the thread that owns `profile` (a worker opens its own)."""

    def __init__(self, profile: Profile, clock: Callable[[], datetime] = _now):
        self.profile = profile
        self.clock = clock

    @property
    def repeat_window_days(self) -> int:
        # A team setting; the team's settings arrive with sync, until then the default.
        stored = self.profile.store.meta("repeat_window_days")
        return int(stored) if stored and stored.isdigit() else DEFAULT_REPEAT_WINDOW_DAYS

    def compute(self, weeks: int = 12) -> Feedback:
        now = self.clock()
        window = self.repeat_window_days
        period = feedback_period(weeks, now, window)
        first_day = datetime.fromisoformat(period.start).date()
        start = utc_iso(datetime.combine(first_day, time.min).astimezone())
        settled = utc_iso(now - timedelta(days=window))
        agent = self.profile.identity.name
        store = self.profile.store
        weekly, purposes, surveys = metrics_counts(
            store, agent=agent, start=start, end=period.end, settled=settled, window_days=window
        )
        points = quality_counts(store, agent=agent, start=start, end=period.end)
        return build_feedback(
            period,
            weekly,
            purposes,
            surveys=surveys,
            quality={dimension: quality_rate(*counts) for dimension, counts in points.items()},
            ideas_adopted=ideas_adopted(store, agent=agent, start=start, end=period.end),
        )
