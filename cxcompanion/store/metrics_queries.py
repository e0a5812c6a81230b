"""The SQL aggregates behind the metrics: one pass over a period's contacts, counted per week.

Every count here is a numerator or denominator of DESIGN §3; turning them into rates with
intervals is the domain's job (domain/metrics.py), so the definitions can be tested without
a database and the volume work stays in SQLite.
"""

from __future__ import annotations

from cxcompanion.domain.metrics import PurposeCounts, WeekCounts
from cxcompanion.store.database import Store

_ASKED = "verdict IN ('yes', 'no', 'unsure')"
# Sums are wrapped in coalesce(): a comparison with a missing value (no mood recorded, no
# answer to "stayed?") is NULL, and a week of only NULLs would sum to NULL, not 0.
# A repeat is the same pseudonymised customer about the same purpose, on any channel and
# with any agent whose records this store holds, within the window (index contacts_by_customer).
# INDEXED BY: without statistics the planner prefers the time index for the window's range
# and scans every contact of the window per contact (seconds at 50,000 contacts).
_NEIGHBOUR = (
    "SELECT 1 FROM contacts o INDEXED BY contacts_by_customer "
    "WHERE o.customer_hash = c.customer_hash "
    "AND o.purpose = c.purpose AND o.deleted = 0 AND o.id <> c.id "
)
_EARLIER = (
    _NEIGHBOUR + "AND o.at >= strftime('%Y-%m-%dT%H:%M:%SZ', c.at, :window_back) "
    "AND (o.at < c.at OR (o.at = c.at AND o.id < c.id))"
)
_LATER = (
    _NEIGHBOUR + "AND o.at <= strftime('%Y-%m-%dT%H:%M:%SZ', c.at, :window_ahead) "
    "AND (o.at > c.at OR (o.at = c.at AND o.id > c.id))"
)

WEEKLY_SQL = f"""
WITH c AS (
    SELECT id, at, verdict, prior_contacts, customer_hash, purpose, cancel_intent, stayed,
           mood_start, mood_end,
           date(at, 'localtime', 'weekday 0', '-6 days') AS week,
           at <= :settled AS settled
    FROM contacts
    WHERE deleted = 0 AND agent = :agent AND at >= :start AND at <= :end
), f AS MATERIALIZED (
    SELECT *,
           customer_hash IS NOT NULL AND EXISTS ({_EARLIER}) AS earlier,
           customer_hash IS NOT NULL AND settled AND EXISTS ({_LATER}) AS later
    FROM c
)
SELECT week,
       count(*),
       coalesce(sum({_ASKED}), 0),
       coalesce(sum(verdict = 'yes'), 0),
       coalesce(sum(settled AND {_ASKED}), 0),
       coalesce(sum(settled AND verdict = 'yes' AND prior_contacts = 0
                    AND NOT earlier AND NOT later), 0),
       coalesce(sum(settled AND customer_hash IS NOT NULL), 0),
       coalesce(sum(later), 0),
       coalesce(sum(mood_start IS NOT NULL AND mood_end IS NOT NULL), 0),
       coalesce(sum(mood_end > mood_start), 0),
       coalesce(sum(cancel_intent), 0),
       coalesce(sum(cancel_intent AND stayed = 1), 0),
       coalesce(sum(NOT settled), 0)
FROM f GROUP BY week ORDER BY week
"""

IDEAS_SQL = """
SELECT date(c.at, 'localtime', 'weekday 0', '-6 days') AS week, count(*)
FROM ideas i JOIN contacts c ON c.id = i.contact_id
WHERE i.deleted = 0 AND c.deleted = 0 AND c.agent = :agent AND c.at >= :start AND c.at <= :end
GROUP BY week
"""

PURPOSE_SQL = f"""
SELECT purpose, coalesce(sum({_ASKED}), 0), coalesce(sum(verdict = 'yes'), 0)
FROM contacts
WHERE deleted = 0 AND agent = :agent AND at >= :start AND at <= :end
GROUP BY purpose
"""


def weekly_counts(
    store: Store, *, agent: str, start: str, end: str, settled: str, window_days: int
) -> list[WeekCounts]:
    """Counts per local ISO week (Monday's date as key) of the agent's contacts in [start, end].

    `settled` is the moment before which a contact's repeat window has passed; younger
    contacts are pending for first-contact resolution and the repeat rate.
    """
    params = {
        "agent": agent,
        "start": start,
        "end": end,
        "settled": settled,
        "window_back": f"-{window_days} days",
        "window_ahead": f"+{window_days} days",
    }
    ideas = dict(store.conn.execute(IDEAS_SQL, params).fetchall())
    return [
        WeekCounts(row[0], *row[1:], ideas=ideas.get(row[0], 0))
        for row in store.conn.execute(WEEKLY_SQL, params)
    ]


def purpose_counts(store: Store, *, agent: str, start: str, end: str) -> list[PurposeCounts]:
    params = {"agent": agent, "start": start, "end": end}
    return [PurposeCounts(*row) for row in store.conn.execute(PURPOSE_SQL, params)]
