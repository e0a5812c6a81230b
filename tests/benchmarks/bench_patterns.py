"""Patterns over a team of 500 agents with 1,000,000 contacts in a year, against a plain-SQL floor.

Target (issue "Team lead workspace", item 5): `PatternsService.compute()` at most 1.5x the
floor (the simplest hand-written GROUP BY queries giving the same numbers), measured in the
same run on the same file.

    python tests/benchmarks/bench_patterns.py [--repeats 10] [--contacts N] [--rebuild]

What is timed
-------------
*engine*: `PatternsService(lead, clock).compute()` with its defaults (12 weeks, the funnel of
confirmed resolution, agents anonymised): the statement of store/patterns_queries.py, then
the heat map, p-charts, funnel, Paretos and labels of domain/patterns.py.

*floor*: `FLOOR_SQL` below, written for this benchmark the plain way: the period's contacts
once (a CTE), each with its verdict (the latest survey answer, else the agent's), its week,
and whether another contact of the same customer about the same purpose lies within the
window before / after it (two EXISTS, the textbook way); then one plain GROUP BY per
output: per agent, per week, per purpose and outcome, per cancellation reason. No index is
named: it is what the planner does with the schema's indexes.

Before timing, the floor's numbers are checked against the engine's (every agent's counts,
every week, every heat-map cell, every reason; an AssertionError otherwise). Engine and
floor runs alternate (one untimed run each, then `--repeats` timed pairs); medians, p95 and
max are printed with the ratio of the medians, the load average before and after (another
benchmark on this 2-core VM moves the absolute figures, the ratio much less), where the
engine's time goes, and the query plans. No time is asserted; collected by pytest via
tests/benchmarks/conftest.py:

    pytest tests/benchmarks/bench_patterns.py -p no:cacheprovider -s -o addopts=""

The generated store
-------------------
A fresh lead profile ("Bench Lead", local only) whose `contacts` and `survey_answers` are
filled with plain SQL inserts (executemany, 20,000 rows per transaction; the three
secondary contact indexes dropped first and created again at the end, from their own
definitions; the search index is left empty, Patterns never reads it). From a fixed seed,
`--contacts` (default 1,000,000) contacts over the 365 days before `NOW`, of 500 agents
whose volumes differ (log-normal weights: roughly 500 to 5,000 a year) and whose customers
say "yes" more or less often (a per-agent shift), so the funnel has a shape; 60% of first
contacts with a reference from a pool of 300,000 customers, followed by the same customer
about the same purpose within the window with probability 0.11 (again and again), or after
it with 0.04; ~1% tombstones; survey answers to ~8% of contacts ("need met?" yes / no /
not answered, CSAT, NPS), which makes the survey verdict probe run for every contact.
Cached in $CXCOMPANION_BENCH_DIR/patterns-v<N>-<contacts>/ (default /tmp/cxcompanion-bench).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import math
import os
import random
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _build import BENCH_DIR, BuiltStore, TextGenerator, summary_ms, table

from cxcompanion.domain.ids import new_device_id, new_id
from cxcompanion.domain.patterns import PatternCounts, build_patterns
from cxcompanion.domain.records import utc_iso
from cxcompanion.domain.redaction import pseudonymise
from cxcompanion.services.patterns import PatternsService
from cxcompanion.services.profile import Profile
from cxcompanion.store import patterns_queries
from cxcompanion.store.patterns_queries import pattern_counts

TARGET_RATIO = 1.5
GENERATOR_VERSION = 1
SEED = 20261201
NOW = datetime(2026, 1, 5, 15, 0, tzinfo=timezone.utc)  # a Monday afternoon
DAYS = 365
CONTACTS = int(os.environ.get("CXCOMPANION_BENCH_CONTACTS", "1000000"))
AGENTS = 500
CUSTOMER_POOL = 300_000
WITH_REFERENCE, FOLLOW_UP, LATE_FOLLOW_UP = 0.60, 0.11, 0.04
SURVEYED, DELETED = 0.08, 0.01
BATCH = 20_000
LEAD = "Bench Lead"
_INDEXES = ("contacts_by_time", "contacts_by_customer", "contacts_by_agent")
_CHANNELS = {"phone": 45, "chat": 20, "email": 15, "messaging": 10, "social": 5, "in_person": 5}
_OUTCOMES = {
    "resolved": 50, "partly_resolved": 12, "not_resolved": 8, "escalated": 8, "follow_up": 8,
    "transferred": 6, "info_only": 8,
}  # fmt: skip
_CONTACT_COLUMNS = (
    "id", "writer", "revision", "updated_at", "deleted", "agent", "at", "channel", "purpose",
    "detail", "outcome", "verdict", "prior_contacts", "prior_channels", "customer_hash",
    "cancel_intent", "cancel_reason", "stayed", "mood_start", "mood_end", "notes",
)  # fmt: skip
_ANSWER_COLUMNS = (
    "id", "writer", "revision", "updated_at", "deleted", "contact_id", "agent", "answered_at",
    "customer_hash", "source_contact", "csat", "nps", "resolved", "comment",
)  # fmt: skip


# -- the generated store ---------------------------------------------------------------------


def store_folder(contacts: int) -> Path:
    return BENCH_DIR / f"patterns-v{GENERATOR_VERSION}-{contacts}"


def ensure_store(contacts: int = CONTACTS, *, rebuild: bool = False) -> BuiltStore:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    folder = store_folder(contacts)
    with open(BENCH_DIR / ".patterns-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two runs started at once build it once
        info_path = folder / "build.json"
        if not rebuild and info_path.exists():
            return BuiltStore(folder, json.loads(info_path.read_text()))
        shutil.rmtree(folder, ignore_errors=True)
        return _build(folder, contacts)


def _schedule(rng: random.Random, purposes: list[str], total: int) -> list[tuple]:
    """(moment, customer reference, purpose, is a follow-up) of every contact, oldest first."""
    first = (NOW - timedelta(days=DAYS)).replace(hour=0, minute=0, second=0).timestamp()
    last = (NOW - timedelta(minutes=10)).timestamp()
    pool = [f"CUST-{n}" for n in rng.sample(range(1_000_000, 10_000_000), CUSTOMER_POOL)]
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(purposes))]  # Zipf-like
    hour, day = 3600.0, 86400.0
    events: list[tuple] = []
    while len(events) < total:
        moment = first + rng.randrange(DAYS) * day + rng.uniform(7, 20) * hour
        if moment > last:
            continue
        purpose = rng.choices(purposes, weights=weights)[0]
        reference = rng.choice(pool) if rng.random() < WITH_REFERENCE else None
        events.append((moment, reference, purpose, False))
        if reference is None:
            continue
        follow = moment
        while rng.random() < FOLLOW_UP:
            follow += rng.uniform(2 * hour, 7 * day)
            if follow <= last:
                events.append((follow, reference, purpose, True))
        if rng.random() < LATE_FOLLOW_UP:
            late = moment + rng.uniform(8 * day, 30 * day)
            if late <= last:
                events.append((late, reference, purpose, True))
    del events[total:]
    events.sort()
    return events


def _build(folder: Path, total: int) -> BuiltStore:
    building = folder.with_name(folder.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    print(f"building a lead's store of {total:,} contacts in {folder} (once; cached) ...")
    started = time.perf_counter()
    profile = Profile(building)
    try:
        profile.set_up(LEAD, "Bench Team", "lead")
        conn = profile.store.conn
        gen = TextGenerator(SEED, profile.taxonomy)
        rng = gen.rng
        groups = dict(gen.purposes)
        events = _schedule(rng, [code for code, _ in gen.purposes], total)
        agents = [f"Member {i:03d}" for i in range(1, AGENTS + 1)]
        volume = [math.exp(rng.gauss(0, 0.6)) for _ in agents]  # ~500 to ~5,000 a year
        shift = {a: rng.gauss(0, 10) for a in agents}  # some agents hear "yes" more often
        writers = {a: new_device_id() for a in agents}
        survey_writer = new_device_id()  # the lead's other PC: no outbox rows here
        secret = profile.team_secret
        hashes: dict[str, str] = {}
        channels, channel_w = list(_CHANNELS), list(_CHANNELS.values())
        outcomes, outcome_w = list(_OUTCOMES), list(_OUTCOMES.values())
        definitions = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND name IN (?, ?, ?)", _INDEXES
        ).fetchall()
        for name in _INDEXES:  # build them once at the end, from sorted data
            conn.execute(f"DROP INDEX {name}")
        insert_contact = (
            f"INSERT INTO contacts ({', '.join(_CONTACT_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(_CONTACT_COLUMNS))})"
        )
        insert_answer = (
            f"INSERT INTO survey_answers ({', '.join(_ANSWER_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(_ANSWER_COLUMNS))})"
        )
        rows: list[tuple] = []
        answers: list[tuple] = []
        for moment, reference, purpose, follow_up in events:
            agent = rng.choices(agents, weights=volume)[0]
            at = utc_iso(datetime.fromtimestamp(int(moment), timezone.utc))
            stamp = utc_iso(datetime.fromtimestamp(int(moment) + 120, timezone.utc))
            cid = new_id(int(moment * 1000))
            customer_hash = None
            if reference is not None:
                customer_hash = hashes.get(reference) or hashes.setdefault(
                    reference, pseudonymise(secret, reference)
                )
            yes = max(5.0, (40 if follow_up else 52) + shift[agent])
            verdict = rng.choices(("yes", "no", "unsure", "not_asked"), weights=(yes, 16, 8, 28))[0]
            prior = rng.choices(
                (0, 1, 2, 3), weights=(15, 60, 18, 7) if follow_up else (80, 13, 5, 2)
            )[0]
            cancelling = groups[purpose] == "cancellation" or rng.random() < 0.02
            rows.append(
                (
                    cid, writers[agent], 1, stamp, int(rng.random() < DELETED), agent, at,
                    rng.choices(channels, weights=channel_w)[0], purpose,
                    gen.detail(purpose, groups[purpose]),
                    rng.choices(outcomes, weights=outcome_w)[0], verdict, prior, "",
                    customer_hash, int(cancelling),
                    rng.choice(gen.cancel_reasons) if cancelling else None,
                    int(rng.random() < 0.4) if cancelling else None,
                    rng.choice((-2, -1, 0, 0, 1)), rng.choice((-1, 0, 1, 1, 2)),
                    gen.note() if rng.random() < 0.45 else "",
                )
            )  # fmt: skip
            if rng.random() < SURVEYED:
                answered = utc_iso(datetime.fromtimestamp(int(moment) + 86400, timezone.utc))
                resolved = rng.choices((1, 0, None), weights=(55, 25, 20))[0]
                answers.append(
                    (
                        new_id(int(moment * 1000) + 86_400_000), survey_writer, 1, answered, 0,
                        cid, agent, answered, customer_hash, cid, rng.randint(1, 5),
                        rng.randint(0, 10), resolved, "",
                    )
                )  # fmt: skip
            if len(rows) == BATCH:
                _write(profile, insert_contact, rows, insert_answer, answers)
        _write(profile, insert_contact, rows, insert_answer, answers)
        with profile.store.transaction() as tx:
            for (sql,) in definitions:
                tx.execute(sql)
        # No ANALYZE: the app never runs it, so the planner here sees what it sees there.
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shape = conn.execute(
            "SELECT count(*), sum(deleted), sum(customer_hash IS NOT NULL), "
            "(SELECT count(*) FROM survey_answers), count(DISTINCT agent) FROM contacts"
        ).fetchone()
    finally:
        profile.close()
    seconds = time.perf_counter() - started
    info = {
        "generator_version": GENERATOR_VERSION,
        "seed": SEED,
        "now": utc_iso(NOW),
        **dict(
            zip(("contacts", "deleted", "with_reference", "answers", "agents"), shape, strict=True)
        ),
        "build_seconds": round(seconds, 1),
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    (building / "build.json").write_text(json.dumps(info, indent=2))
    building.rename(folder)
    print(f"built in {seconds:.0f} s")
    return BuiltStore(folder, {**info, "fresh": True})


def _write(profile: Profile, contact_sql: str, rows: list, answer_sql: str, answers: list) -> None:
    with profile.store.transaction() as conn:
        conn.executemany(contact_sql, rows)
        conn.executemany(answer_sql, answers)
    rows.clear()
    answers.clear()


# -- the floor -------------------------------------------------------------------------------

_WINDOW = "strftime('%Y-%m-%dT%H:%M:%SZ', c.at, {})"
_OTHER = (
    "SELECT 1 FROM contacts o WHERE o.customer_hash = c.customer_hash "
    "AND o.purpose = c.purpose AND o.deleted = 0 AND o.rowid <> c.rowid AND o.at BETWEEN "
)
FLOOR_SQL = f"""
WITH f AS MATERIALIZED (
    SELECT c.agent, c.purpose, c.outcome, c.prior_contacts, c.cancel_intent, c.cancel_reason,
           c.stayed, c.customer_hash IS NOT NULL AS referenced, c.at <= :settled AS settled,
           date(c.at, 'localtime', 'weekday 0', '-6 days') AS week,
           coalesce((SELECT CASE s.resolved WHEN 1 THEN 'yes' WHEN 0 THEN 'no' END
                     FROM survey_answers s
                     WHERE s.contact_id = c.id AND s.deleted = 0 AND s.resolved IN (0, 1)
                     ORDER BY s.answered_at DESC, s.id DESC LIMIT 1), c.verdict) AS verdict,
           c.customer_hash IS NOT NULL
               AND EXISTS ({_OTHER}{_WINDOW.format(":back")} AND c.at) AS earlier,
           c.customer_hash IS NOT NULL
               AND EXISTS ({_OTHER}c.at AND {_WINDOW.format(":ahead")}) AS later
    FROM contacts c
    WHERE c.deleted = 0 AND c.agent <> '' AND c.at BETWEEN :start AND :end
), counted AS (
    SELECT agent, week, purpose, outcome, cancel_intent, cancel_reason, stayed,
           verdict IN ('yes', 'no', 'unsure') AS asked, verdict = 'yes' AS yes,
           settled, settled AND verdict IN ('yes', 'no', 'unsure') AS fcr_n,
           settled AND verdict = 'yes' AND prior_contacts = 0 AND NOT earlier AND NOT later
               AS fcr_yes,
           settled AND referenced AS repeat_n, settled AND later AS repeat
    FROM f
)
SELECT 'agent', agent, NULL, count(*), sum(asked), sum(yes), sum(fcr_n), sum(fcr_yes),
       sum(repeat_n), sum(repeat), sum(NOT settled), sum(cancel_intent),
       sum(cancel_intent AND stayed = 1)
FROM counted GROUP BY agent
UNION ALL
SELECT 'week', week, NULL, count(*), sum(asked), sum(yes), sum(fcr_n), sum(fcr_yes),
       sum(repeat_n), sum(repeat), sum(NOT settled), sum(cancel_intent),
       sum(cancel_intent AND stayed = 1)
FROM counted GROUP BY week
UNION ALL
SELECT 'cell', purpose, outcome, count(*), sum(repeat_n), sum(repeat),
       NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM counted GROUP BY purpose, outcome
UNION ALL
SELECT 'cancel', cancel_reason, NULL, count(*), sum(stayed = 1),
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM counted WHERE cancel_intent GROUP BY cancel_reason
"""


def _parameters(service: PatternsService, weeks: int) -> dict[str, Any]:
    """What compute(weeks) passes to the store (bounds computed as the service does)."""
    from cxcompanion.services.feedback import feedback_period

    window = service.repeat_window_days
    period = feedback_period(weeks, NOW, window)
    first_day = datetime.fromisoformat(period.start).date()
    start = utc_iso(datetime.combine(first_day, datetime.min.time()).astimezone())
    return {
        "period": period,
        "start": start,
        "end": period.end,
        "settled": utc_iso(NOW - timedelta(days=window)),
        "window_days": window,
        "back": f"-{window} days",
        "ahead": f"+{window} days",
    }


def _floor(conn: sqlite3.Connection, params: dict[str, Any]) -> list[tuple]:
    return conn.execute(FLOOR_SQL, params).fetchall()


def _normalised_floor(rows: list[tuple]) -> dict[str, dict]:
    found: dict[str, dict] = {"agent": {}, "week": {}, "cell": {}, "cancel": {}}
    for tag, key, outcome, *values in rows:
        if tag in ("agent", "week"):
            found[tag][key] = tuple(values)
        elif tag == "cell":
            found[tag][(key, outcome)] = tuple(values[:3])
        else:
            found[tag][key] = tuple(values[:2])
    return found


def _normalised_engine(counts: PatternCounts) -> dict[str, dict]:
    def row(r: Any) -> tuple:
        return tuple(getattr(r, f) for f in list(r.__dataclass_fields__)[1:])

    return {
        "agent": {a.key: row(a) for a in counts.agents},
        "week": {w.key: row(w) for w in counts.weeks},
        "cell": {(c.purpose, c.outcome): (c.contacts, c.repeat_n, c.repeats) for c in counts.cells},
        "cancel": {c.reason: (c.contacts, c.stayed) for c in counts.cancels},
    }


def _check(service: PatternsService, conn: sqlite3.Connection, params: dict[str, Any]) -> None:
    """The floor counts what the engine counts, and the engine's output is made of them."""
    counts = pattern_counts(
        service.profile.store,
        start=params["start"],
        end=params["end"],
        settled=params["settled"],
        window_days=params["window_days"],
    )
    engine, floor = _normalised_engine(counts), _normalised_floor(_floor(conn, params))
    for part in engine:
        if engine[part] != floor[part]:
            keys = set(engine[part]) | set(floor[part])
            wrong = [k for k in keys if engine[part].get(k) != floor[part].get(k)][:5]
            raise AssertionError(
                f"the floor and the engine disagree on {part}: "
                + "; ".join(f"{k}: {engine[part].get(k)} vs {floor[part].get(k)}" for k in wrong)
            )
    for metric, (numerator, denominator) in (
        ("confirmed_resolution", ("confirmed", "asked")),
        ("fcr", ("fcr_yes", "fcr_n")),
        ("repeat_rate", ("repeats", "repeat_n")),
    ):
        shown = service.compute(params["period"].weeks, metric, reveal=True)
        points = {p.label: (p.rate.successes, p.n) for p in shown.funnel.points}
        expected = {
            a.key: (getattr(a, numerator), getattr(a, denominator))
            for a in counts.agents
            if getattr(a, denominator)
        }
        assert points == expected, f"the {metric} funnel is not the store's counts"


# -- running ---------------------------------------------------------------------------------


def _alternate(actions: dict[str, Callable[[], Any]], repeats: int) -> dict[str, list[float]]:
    """Each action once untimed, then `repeats` rounds of all of them in turn."""
    for action in actions.values():
        action()
    samples: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(repeats):
        for name, action in actions.items():
            started = time.perf_counter()
            action()
            samples[name].append(time.perf_counter() - started)
    return samples


def _query_plan(conn: sqlite3.Connection, sql: str, params: dict[str, Any]) -> list[str]:
    rows = conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    depth: dict[int, int] = {0: -1}
    lines = []
    for node, parent, _, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + detail)
    return lines


def run(repeats: int = 10, *, contacts: int = CONTACTS, rebuild: bool = False) -> dict[str, Any]:
    built = ensure_store(contacts, rebuild=rebuild)
    load_before = os.getloadavg()
    profile = Profile(built.folder)
    try:
        service = PatternsService(profile, clock=lambda: NOW)
        conn = profile.store.conn
        params = _parameters(service, 12)
        _check(service, conn, params)
        main = _alternate(
            {"engine": lambda: service.compute(), "floor": lambda: _floor(conn, params)}, repeats
        )
        sql_params = {
            "start": params["start"],
            "end": params["end"],
            "settled": params["settled"],
            "window_back": params["back"],
            "window_ahead": params["ahead"],
            "agent": None,
            "channel": None,
        }
        counts = pattern_counts(
            profile.store,
            start=params["start"],
            end=params["end"],
            settled=params["settled"],
            window_days=params["window_days"],
        )
        year = _parameters(service, 52)
        busiest = max(counts.agents, key=lambda a: a.contacts).key
        parts = _alternate(
            {
                "PATTERNS_SQL alone (store)": lambda: conn.execute(
                    patterns_queries.PATTERNS_SQL, sql_params
                ).fetchall(),
                "build_patterns() (domain)": lambda: build_patterns(
                    params["period"], counts, salt=profile.team_secret
                ),
                "the period's rows, no probes": lambda: conn.execute(
                    "SELECT count(*), sum(length(purpose) + length(outcome) + length(agent)) "
                    "FROM contacts WHERE deleted = 0 AND at BETWEEN :start AND :end",
                    sql_params,
                ).fetchone(),
                f"compute(agent={busiest!r})": lambda: service.compute(agent=busiest),
                "compute(channel='chat')": lambda: service.compute(channel="chat"),
            },
            max(3, repeats // 2),
        )
        year_runs = _alternate(
            {
                "engine: compute(weeks=52)": lambda: service.compute(52),
                "floor over 52 weeks": lambda: _floor(conn, year),
            },
            max(2, repeats // 4),
        )
        plans = {
            "PATTERNS_SQL": _query_plan(conn, patterns_queries.PATTERNS_SQL, sql_params),
            "FLOOR_SQL": _query_plan(conn, FLOOR_SQL, params),
        }
        shown = service.compute()
    finally:
        profile.close()
    engine_ms, floor_ms = summary_ms(main["engine"]), summary_ms(main["floor"])
    result = {
        "engine_ms": engine_ms,
        "floor_ms": floor_ms,
        "ratio": engine_ms[0] / floor_ms[0],
        "parts_ms": {k: summary_ms(v) for k, v in parts.items()},
        "year_ms": {k: summary_ms(v) for k, v in year_runs.items()},
        "plans": plans,
        "load": (load_before, os.getloadavg()),
        "period_contacts": shown.totals.contacts,
        "agents": len(shown.funnel.points),
    }
    _print(built, shown, result, repeats)
    return result


def _print(built: BuiltStore, shown: Any, result: dict[str, Any], repeats: int) -> None:
    t = shown.totals
    print(f"\n{built.describe()}")
    print(
        f"{built.info['agents']} agents, {built.info['answers']:,} survey answers; 12 weeks up "
        f"to {utc_iso(NOW)} hold {t.contacts:,} live contacts ({t.repeat_n:,} settled with a "
        f"reference, {t.pending:,} pending), {len(shown.heat_map.rows)} purposes"
    )
    rates = ", ".join(f"{k} {r.value:.1%} (n={r.n:,})" for k, r in shown.rates.items())
    print(f"team rates: {rates}")
    bands = [p.band_998 for p in shown.funnel.points]
    print(
        f"funnel (confirmed resolution): p̄ = {shown.funnel.centre:.3f}; 99.8% band: "
        f"{bands.count('above')} above, {bands.count('below')} below, "
        f"{bands.count('inside')} inside, {bands.count(None)} too small"
    )
    print(f"\nPatterns over 12 weeks (median of {repeats} alternating runs after one untimed each)")
    e, f = result["engine_ms"], result["floor_ms"]
    print(
        table(
            ["", "median ms", "p95 ms", "max ms", "vs floor"],
            [
                ["engine: PatternsService.compute()", *(f"{v:.0f}" for v in e),
                 f"{result['ratio']:.2f}x"],
                ["floor: FLOOR_SQL (plain GROUP BYs)", *(f"{v:.0f}" for v in f), "1.00x"],
            ],
        )
    )  # fmt: skip
    verdict = "meets" if result["ratio"] <= TARGET_RATIO else "MISSES"
    print(f"target <= {TARGET_RATIO:g}x the floor: {verdict} ({result['ratio']:.2f}x)")
    print("the floor's numbers equal the engine's: every agent, week, cell and reason")
    before, after = result["load"]
    print(
        f"load average (1, 5, 15 min) before {before[0]:.2f} {before[1]:.2f} {before[2]:.2f}, "
        f"after {after[0]:.2f} {after[1]:.2f} {after[2]:.2f} on {os.cpu_count()} CPUs"
    )
    print("\nwhere the engine's time goes, and other shapes (each alone, alternating):")
    rows = [[k, f"{v[0]:.1f}", f"{v[1]:.1f}"] for k, v in result["parts_ms"].items()]
    rows += [[k, f"{v[0]:.0f}", f"{v[1]:.0f}"] for k, v in result["year_ms"].items()]
    print(table(["part", "median ms", "p95 ms"], rows))
    print("\nquery plans (EXPLAIN QUERY PLAN):")
    for name, plan in result["plans"].items():
        print(f"  {name}:")
        for line in plan:
            print(f"    {line}")


def test_patterns(capsys: Any) -> None:
    """Runs the benchmark and prints it; no timing assertion (figures vary by machine)."""
    with capsys.disabled():
        result = run()
    assert result["period_contacts"] > 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--contacts", type=int, default=CONTACTS)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args(argv)
    run(args.repeats, contacts=args.contacts, rebuild=args.rebuild)
    return 0


if __name__ == "__main__":
    sys.exit(main())
