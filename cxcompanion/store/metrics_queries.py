"""The SQL aggregates behind the metrics: one pass over a period's contacts (and the survey
answers to them), counted per week.

Every count here is a numerator or denominator of DESIGN §3; turning them into rates with
intervals is the domain's job (domain/metrics.py), so the definitions can be tested without
a database and the volume work stays in SQLite.
"""

from __future__ import annotations

from cxcompanion.domain.metrics import PurposeCounts, SurveyCounts, WeekCounts
from cxcompanion.store.database import Store

_ASKED = "verdict IN ('yes', 'no', 'unsure')"
# Sums are wrapped in coalesce(): a comparison with a missing value (no mood recorded, no
# answer to "stayed?") is NULL, and a week of only NULLs would sum to NULL, not 0.
#
# A repeat is the same pseudonymised customer about the same purpose, on any channel and
# with any agent whose records this store holds, within the window. The probes read only
# the customer index (customer_hash, purpose, at, and the rowid it carries): INDEXED BY
# because without statistics the planner prefers the time index and scans every contact of
# the window per contact. Two contacts in the same second are each other's earlier and later
# contact, so the result never depends on the order they were stored in.
_NEIGHBOURS = """
    CASE WHEN c.customer_hash IS NULL THEN 0 ELSE (
        SELECT coalesce(max(CASE WHEN o.at <= c.at THEN
                   o.at >= strftime('%Y-%m-%dT%H:%M:%SZ', c.at, :window_back) END), 0)
               + 2 * coalesce(max(CASE WHEN o.at >= c.at THEN
                   o.at <= strftime('%Y-%m-%dT%H:%M:%SZ', c.at, :window_ahead) END), 0)
        FROM contacts o INDEXED BY contacts_by_customer
        WHERE o.customer_hash = c.customer_hash AND o.purpose = c.purpose AND o.deleted = 0
          AND o.rowid <> c.rowid
    ) END"""

# Whether this store holds any live answer matched to a contact: uncorrelated, so SQLite
# computes it once per statement; a team without a survey tool then pays nothing per contact.
_ANY_ANSWER = """(
    SELECT 1 FROM survey_answers INDEXED BY survey_answers_by_contact
    WHERE deleted = 0 AND contact_id IS NOT NULL LIMIT 1)"""

# The customer decides resolution (DESIGN §2.2): a survey answer to "was your need met?" is
# the customer's own verdict, given later and in their own words, so it replaces the one the
# agent recorded ('not_asked' included); of several, the latest answer wins (then the larger
# id, so two answers in the same second give the same verdict on every machine). One probe of
# the partial index survey_answers_by_contact (contact_id) per contact.
_VERDICT = f"""
    CASE WHEN {_ANY_ANSWER} THEN coalesce((
        SELECT CASE s.resolved WHEN 1 THEN 'yes' WHEN 0 THEN 'no' END
        FROM survey_answers s INDEXED BY survey_answers_by_contact
        WHERE s.contact_id = c.id AND s.deleted = 0 AND s.resolved IN (0, 1)
        ORDER BY s.answered_at DESC, s.id DESC LIMIT 1
    ), c.verdict) ELSE c.verdict END"""

# One probe per contact finds both: 1 = an earlier contact within the window, 2 = a later one.
# The window's bounds are computed only for a customer's other contacts about the purpose
# (rare), not for every contact: strftime() on every row was a fifth of the statement.
# The period's contacts are read once (MATERIALIZED) and counted three times, tagged in the
# first column: per week, per purpose, and their survey answers (CSAT and NPS).
#
# CSAT and NPS count the answers matched to the period's contacts: the contact's moment
# decides the period, as for every other metric, not the answer's. Several answers to one
# contact each count: they are separate survey responses. Each scale counts on its own (a
# survey may ask only one of them); a value outside its scale is no answer. The answers are
# found from the period's contacts (one index probe each), so the work grows with the period
# as everything else does, not with the team's answers of all time that sync brings.
METRICS_SQL = f"""
WITH n AS MATERIALIZED (
    SELECT c.id, {_VERDICT} AS verdict,
           prior_contacts, customer_hash, purpose, cancel_intent, stayed, mood_start, mood_end,
           date(at, 'localtime', 'weekday 0', '-6 days') AS week,
           at <= :settled AS settled,
           {_NEIGHBOURS} AS neighbours,
           (SELECT count(*) FROM ideas i WHERE i.contact_id = c.id AND i.deleted = 0) AS ideas
    FROM contacts c
    WHERE deleted = 0 AND agent = :agent AND at >= :start AND at <= :end
), f AS (
    SELECT *, neighbours & 1 AS earlier, settled AND neighbours & 2 AS later FROM n
)
SELECT 'week', week,
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
       coalesce(sum(NOT settled), 0),
       coalesce(sum(ideas), 0)
FROM f GROUP BY week
UNION ALL
SELECT 'purpose', purpose, coalesce(sum({_ASKED}), 0), coalesce(sum(verdict = 'yes'), 0),
       0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
FROM n GROUP BY purpose
UNION ALL
SELECT 'survey', NULL,
       coalesce(sum(s.csat BETWEEN 1 AND 5), 0),
       coalesce(sum(s.csat BETWEEN 4 AND 5), 0),
       coalesce(sum(s.nps BETWEEN 9 AND 10), 0),
       coalesce(sum(s.nps BETWEEN 7 AND 8), 0),
       coalesce(sum(s.nps BETWEEN 0 AND 6), 0),
       0, 0, 0, 0, 0, 0, 0, 0
FROM n CROSS JOIN survey_answers s INDEXED BY survey_answers_by_contact
WHERE {_ANY_ANSWER} AND s.contact_id = n.id AND s.deleted = 0
"""


def metrics_counts(
    store: Store, *, agent: str, start: str, end: str, settled: str, window_days: int
) -> tuple[list[WeekCounts], list[PurposeCounts], SurveyCounts]:
    """Counts per local ISO week (Monday's date as key) and per purpose of the agent's
    contacts in [start, end], and the survey answers to them, in one statement.

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
    weeks: list[WeekCounts] = []
    purposes: list[PurposeCounts] = []
    surveys = SurveyCounts()
    from cxcompanion.store import bulk_load

    # While a first import loads the team's history its indexes are away; name none then.
    sql = (
        bulk_load.without_index_hints(METRICS_SQL) if bulk_load.in_bulk_load(store) else METRICS_SQL
    )
    for row in store.conn.execute(sql, params):
        if row[0] == "week":
            weeks.append(WeekCounts(row[1], *row[2:14], ideas=row[14]))
        elif row[0] == "purpose":
            purposes.append(PurposeCounts(row[1], row[2], row[3]))
        else:
            surveys = SurveyCounts(*row[2:7])
    weeks.sort(key=lambda w: w.week)
    return weeks, purposes, surveys


def quality_counts(
    store: Store, *, agent: str, start: str, end: str
) -> dict[str, tuple[int, int, int]]:
    """Scorecard points of the evaluations of the agent's contacts in [start, end]: per
    dimension (points earned, points possible, evaluations that scored it)."""
    row = store.conn.execute(
        "SELECT coalesce(sum(e.technical_earned), 0), coalesce(sum(e.technical_possible), 0), "
        "coalesce(sum(e.technical_possible > 0), 0), coalesce(sum(e.emotional_earned), 0), "
        "coalesce(sum(e.emotional_possible), 0), coalesce(sum(e.emotional_possible > 0), 0) "
        "FROM evaluations e JOIN contacts c ON c.id = e.contact_id "
        "WHERE e.deleted = 0 AND e.agent = :agent AND c.deleted = 0 AND c.agent = :agent "
        "AND c.at >= :start AND c.at <= :end",
        {"agent": agent, "start": start, "end": end},
    ).fetchone()
    return {"technical": row[0:3], "emotional": row[3:6]}


def ideas_adopted(store: Store, *, agent: str, start: str, end: str) -> int:
    """The agent's ideas captured in [start, end] whose latest decision is 'adopted'."""
    return store.conn.execute(
        "SELECT count(*) FROM ideas i JOIN contacts c ON c.id = i.contact_id "
        "JOIN idea_decisions d ON d.idea_id = i.id AND d.deleted = 0 "
        "WHERE i.deleted = 0 AND c.deleted = 0 AND c.agent = ? AND c.at >= ? AND c.at <= ? "
        "AND d.status = 'adopted'",
        (agent, start, end),
    ).fetchone()[0]
