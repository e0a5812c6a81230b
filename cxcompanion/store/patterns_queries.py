"""The SQL aggregates behind the team lead's Patterns: one statement over a period's contacts
of the whole team (or of one agent or one channel), counted per agent, per week, per purpose
and outcome, and per cancellation reason.

The counts follow the agent's metrics exactly: the verdict (a survey answer is the customer's
own), the settled/pending rule and the repeat probe are METRICS_SQL's own fragments, imported
rather than written a second time, so a lead and an agent can never count one contact apart.
"""

from __future__ import annotations

from cxcompanion.domain.patterns import CancelCounts, CellCounts, PatternCounts, TeamCounts
from cxcompanion.store import bulk_load
from cxcompanion.store.database import Store
from cxcompanion.store.metrics_queries import _ASKED, _NEIGHBOURS, _VERDICT

# The period's contacts are read once (MATERIALIZED), each with its verdict and its repeat
# probe, and reduced twice: per agent and week (at most agents × weeks rows, summed again per
# agent and per week, so 230,000 contacts are sorted once, not twice), and per purpose and
# outcome. Colleagues' slim rows (agent '', in an agent's store) are probed as neighbours but
# never counted: they are not this team's records to show. `{source}` is the index range the
# contacts are read from and `{filters}` the optional agent and channel conditions; both are
# fixed texts chosen below, never user input.
_TEMPLATE = """
WITH n AS MATERIALIZED (
    SELECT c.agent, c.purpose, c.outcome, c.prior_contacts, c.cancel_intent, c.cancel_reason,
           c.stayed, c.customer_hash IS NOT NULL AS referenced,
           {verdict} AS verdict,
           date(c.at, 'localtime', 'weekday 0', '-6 days') AS week,
           c.at <= :settled AS settled,
           {neighbours} AS neighbours
    FROM contacts c {source}
    WHERE c.deleted = 0 AND c.at >= :start AND c.at <= :end AND c.agent <> '' {filters}
), f AS (
    SELECT agent, week, purpose, outcome, cancel_intent, stayed, settled,
           {asked} AS asked,
           verdict = 'yes' AS yes,
           settled AND verdict = 'yes' AND prior_contacts = 0
               AND NOT neighbours & 1 AND NOT neighbours & 2 AS fcr_yes,
           settled AND referenced AS repeat_n,
           settled AND neighbours & 2 AS later
    FROM n
), aw AS MATERIALIZED (
    SELECT agent, week,
           count(*) AS contacts,
           coalesce(sum(asked), 0) AS asked,
           coalesce(sum(yes), 0) AS confirmed,
           coalesce(sum(settled AND asked), 0) AS fcr_n,
           coalesce(sum(fcr_yes), 0) AS fcr_yes,
           coalesce(sum(repeat_n), 0) AS repeat_n,
           coalesce(sum(later), 0) AS repeats,
           coalesce(sum(NOT settled), 0) AS pending,
           coalesce(sum(cancel_intent), 0) AS cancel_n,
           coalesce(sum(cancel_intent AND stayed = 1), 0) AS saved
    FROM f GROUP BY agent, week
)
SELECT 'agent', agent, NULL, sum(contacts), sum(asked), sum(confirmed), sum(fcr_n),
       sum(fcr_yes), sum(repeat_n), sum(repeats), sum(pending), sum(cancel_n), sum(saved)
FROM aw GROUP BY agent
UNION ALL
SELECT 'week', week, NULL, sum(contacts), sum(asked), sum(confirmed), sum(fcr_n),
       sum(fcr_yes), sum(repeat_n), sum(repeats), sum(pending), sum(cancel_n), sum(saved)
FROM aw GROUP BY week
UNION ALL
SELECT 'cell', purpose, outcome, count(*), coalesce(sum(repeat_n), 0), coalesce(sum(later), 0),
       0, 0, 0, 0, 0, 0, 0
FROM f GROUP BY purpose, outcome
UNION ALL
SELECT 'cancel', cancel_reason, NULL, count(*), coalesce(sum(stayed = 1), 0),
       0, 0, 0, 0, 0, 0, 0, 0
FROM n WHERE cancel_intent GROUP BY cancel_reason
"""
# Without statistics the planner cannot tell which index narrows more; name the one that
# fits: the time range for the team (deleted, at), the agent's range (agent, deleted, at).
_TEAM_SOURCE = "INDEXED BY contacts_by_time"
_AGENT_SOURCE = "INDEXED BY contacts_by_agent"


def patterns_sql(*, agent: bool = False, channel: bool = False) -> str:
    """The statement for the whole team, or one agent, and optionally one channel."""
    filters = ""
    if agent:
        filters += " AND c.agent = :agent"
    if channel:
        filters += " AND c.channel = :channel"
    return _TEMPLATE.format(
        verdict=_VERDICT,
        neighbours=_NEIGHBOURS,
        asked=_ASKED,
        source=_AGENT_SOURCE if agent else _TEAM_SOURCE,
        filters=filters,
    )


PATTERNS_SQL = patterns_sql()


def pattern_counts(
    store: Store,
    *,
    start: str,
    end: str,
    settled: str,
    window_days: int,
    agent: str | None = None,
    channel: str | None = None,
) -> PatternCounts:
    """Counts of the team's contacts in [start, end] (UTC ISO), per agent, per local ISO
    week (Monday's date), per purpose × outcome and per cancellation reason.

    `settled` is the moment before which a contact's repeat window has passed (younger
    contacts are pending for first-contact resolution and the repeat rate), as in
    metrics_counts.
    """
    params = {
        "start": start,
        "end": end,
        "settled": settled,
        "window_back": f"-{window_days} days",
        "window_ahead": f"+{window_days} days",
        "agent": agent,
        "channel": channel,
    }
    sql = patterns_sql(agent=agent is not None, channel=channel is not None)
    # While a first import loads the team's history its indexes are away; name none then.
    if bulk_load.in_bulk_load(store):
        sql = bulk_load.without_index_hints(sql)
    agents: list[TeamCounts] = []
    weeks: list[TeamCounts] = []
    cells: list[CellCounts] = []
    cancels: list[CancelCounts] = []
    for tag, key, outcome, *values in store.conn.execute(sql, params):
        if tag == "agent":
            agents.append(TeamCounts(key, *values))
        elif tag == "week":
            weeks.append(TeamCounts(key, *values))
        elif tag == "cell":
            cells.append(CellCounts(key, outcome, *values[:3]))
        else:
            cancels.append(CancelCounts(key, values[0], values[1]))
    weeks.sort(key=lambda w: w.key)
    return PatternCounts(tuple(agents), tuple(weeks), tuple(cells), tuple(cancels))
