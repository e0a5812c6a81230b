"""Team review over a lead's store of 1,000,000 contacts from 500 agents.

Targets (issue, Performance): peak RSS of the process <= 250 MB after opening the page and
scrolling to the end; every fetchMore() and data() call on the UI thread <= 50 ms (the
slowest one is shown, with the median and p99). Filtered listings (first page) and a search
(worker time until the first rows show) are printed next to them, as are the counts (they
run in a worker, so they have no UI-thread target). No time is asserted.

    python tests/benchmarks/bench_team_review.py [--rebuild] [--no-scroll]

The store is generated once with plain SQL inserts from a fixed seed into a freshly set-up
lead profile (texts from `_build.TextGenerator`: demo phrases and Zipf words), through the
app's own bulk loader (`store/bulk_load.py`: the contact indexes and the FTS5 rows are built
once at the end, as a first import builds them), and cached under $CXCOMPANION_BENCH_DIR
(default /tmp/cxcompanion-bench) as `team-review-v<N>-<contacts>-<agents>/`. Rows are
stored agent by agent, each agent's in time order, as the first sync of a lead who joins an
existing team stores them: the worst layout for reading the team newest first.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import random
import resource
import shutil
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from _build import BENCH_DIR, TextGenerator, _pick_search_words, table

from cxcompanion.domain.enums import Channel, Outcome, Verdict
from cxcompanion.domain.ids import derived_id, new_id
from cxcompanion.domain.records import utc_iso
from cxcompanion.domain.redaction import pseudonymise
from cxcompanion.services.profile import Profile
from cxcompanion.store import bulk_load

CONTACTS = int(os.environ.get("CXCOMPANION_BENCH_CONTACTS", "1000000"))
AGENTS = 500
SEED = 20261201
GENERATOR_VERSION = 1
END = datetime(2026, 11, 30, 18, 0, tzinfo=timezone.utc)
SPAN = timedelta(days=365)
LEAD, SECOND_LEAD = "Bench Lead", "Olga Bench"
BATCH = 20_000
RSS_TARGET_MB = 250.0
CALL_TARGET_MS = 50.0

_FIRST = """
Ana Ben Chloe Dev Emre Fatima Gus Hana Ivo Jade Kofi Lena Mara Nico Omar Pia Quinn Rosa
Sami Tara Uma Vik Wes Xena Yara Zoe Aaron Bea Cyril Dara Elif Finn Greta Hugo Ines Jonas
Kira Luca Maya Nils Olga Ravi Sofia Tom Ugo Vera Will Yusuf Zara Alma
""".split()  # noqa: SIM905
_LAST = "ABCDEFGHIJKLMNOPRSTUVWZ"


# -- the generated store -----------------------------------------------------------------


def store_folder(count: int = CONTACTS, agents: int = AGENTS) -> Path:
    return BENCH_DIR / f"team-review-v{GENERATOR_VERSION}-{count}-{agents}"


def ensure_store(count: int = CONTACTS, agents: int = AGENTS, *, rebuild: bool = False) -> dict:
    """The cached lead store's build info (folder, words), built first if missing."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    folder = store_folder(count, agents)
    with open(BENCH_DIR / ".team-review.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        info_path = folder / "build.json"
        if not rebuild and info_path.exists():
            return {**json.loads(info_path.read_text()), "folder": str(folder)}
        shutil.rmtree(folder, ignore_errors=True)
        return {**_build(folder, count, agents), "folder": str(folder)}


def _agent_names(rng: random.Random, agents: int) -> list[str]:
    names = [f"{first} {last}." for first in _FIRST for last in _LAST]
    return sorted(rng.sample(names, agents))


def _rows(gen: TextGenerator, count: int, agents: list[str], secret: bytes) -> Iterator[tuple]:
    """(contact row, idea rows, survey rows, evaluation rows), agent by agent."""
    rng = gen.rng
    weights = [rng.uniform(0.4, 1.6) for _ in agents]
    total = sum(weights)
    shares = [int(count * w / total) for w in weights]
    shares[0] += count - sum(shares)
    customers = [pseudonymise(secret, f"CUST-{n}") for n in rng.sample(range(10**5, 10**6), 50_000)]
    channels, outcomes, verdicts = Channel.codes(), Outcome.codes(), Verdict.codes()
    start = (END - SPAN).timestamp()
    span = SPAN.total_seconds()
    for agent, n in zip(agents, shares, strict=True):
        writer = "d" + new_id().lower()
        for moment in sorted(start + rng.random() * span for _ in range(n)):
            at = datetime.fromtimestamp(int(moment), timezone.utc)
            stamp = utc_iso(at + timedelta(seconds=rng.randint(5, 120)))
            contact_id = new_id(int(moment * 1000))
            purpose, group = rng.choice(gen.purposes)
            cancelling = group == "cancellation" or rng.random() < 0.02
            prior = rng.choices([0, 1, 2, 3], weights=[78, 14, 6, 2])[0]
            mood = rng.choice([-2, -1, 0, 0, 1])
            verdict = rng.choice(verdicts)
            row = (
                contact_id, writer, 1, stamp, int(rng.random() < 0.005), agent, utc_iso(at),
                rng.choice(channels), purpose, gen.detail(purpose, group), rng.choice(outcomes),
                verdict, prior, ",".join(sorted({rng.choice(channels) for _ in range(prior)})),
                rng.choice(customers) if rng.random() < 0.85 else None, int(cancelling),
                rng.choice(gen.cancel_reasons) if cancelling else None,
                int(rng.random() < 0.4) if cancelling else None,
                mood if rng.random() < 0.9 else None,
                min(2, max(-2, mood + rng.choice([-1, 0, 1, 2]))) if rng.random() < 0.9 else None,
                gen.note() if rng.random() < 0.45 else "",
            )  # fmt: skip
            ideas = []
            if rng.random() < 0.08:
                for _ in range(2 if rng.random() < 0.1 else 1):
                    text, area = gen.idea()
                    ideas.append((new_id(), writer, 1, stamp, 0, contact_id, text, area))
            surveys = []
            if rng.random() < 0.06:
                resolved = int(verdict == "yes") if rng.random() < 0.8 else rng.randint(0, 1)
                answered = utc_iso(at + timedelta(hours=rng.randint(2, 72)))
                surveys.append((
                    new_id(), "bench-survey-tool", 1, answered, 0, contact_id, agent, answered,
                    row[14], contact_id, rng.randint(1, 5), rng.randint(0, 10), resolved, "",
                ))  # fmt: skip
            evaluations = []
            if rng.random() < 0.015:
                for evaluator in [LEAD, SECOND_LEAD] if rng.random() < 0.2 else [LEAD]:
                    evaluations.append(_evaluation(rng, contact_id, agent, evaluator, stamp))
            yield row, ideas, surveys, evaluations


# The default scorecard's criteria: (id, dimension, points, N/A allowed).
_CRITERIA = (
    ("understood_need", "technical", 3, False), ("correct_solution", "technical", 3, False),
    ("checked_resolution", "technical", 2, False), ("prevented_repeat", "technical", 2, True),
    ("records", "technical", 1, False), ("empathy", "emotional", 3, False),
    ("tone", "emotional", 2, False), ("ownership", "emotional", 2, False),
    ("listened_to_leave", "emotional", 3, True), ("idea_captured", "emotional", 1, True),
)  # fmt: skip


def _evaluation(rng: random.Random, contact_id: str, agent: str, evaluator: str, stamp: str):
    scores: dict[str, int | None] = {}
    earned = {"technical": 0, "emotional": 0}
    possible = {"technical": 0, "emotional": 0}
    for criterion, dimension, points, na in _CRITERIA:
        if na and rng.random() < 0.5:
            scores[criterion] = None
            continue
        scores[criterion] = rng.randint(max(0, points - 2), points)
        earned[dimension] += scores[criterion]
        possible[dimension] += points
    return (
        derived_id("Bench Team", "evaluation", contact_id, evaluator), "bench-lead-device", 1,
        stamp, 0, contact_id, agent, evaluator, "default", 1, json.dumps(scores, sort_keys=True),
        earned["technical"], possible["technical"], earned["emotional"], possible["emotional"],
        "", stamp,
    )  # fmt: skip


_INSERTS = {
    "contacts": "INSERT INTO contacts (id, writer, revision, updated_at, deleted, agent, at, "
    "channel, purpose, detail, outcome, verdict, prior_contacts, prior_channels, customer_hash, "
    "cancel_intent, cancel_reason, stayed, mood_start, mood_end, notes) VALUES "
    f"({', '.join('?' * 21)})",
    "ideas": "INSERT INTO ideas (id, writer, revision, updated_at, deleted, contact_id, text, "
    "area) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    "survey_answers": "INSERT INTO survey_answers (id, writer, revision, updated_at, deleted, "
    "contact_id, agent, answered_at, customer_hash, source_contact, csat, nps, resolved, "
    "comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "evaluations": "INSERT INTO evaluations (id, writer, revision, updated_at, deleted, "
    "contact_id, agent, evaluator, scorecard, scorecard_version, scores, technical_earned, "
    "technical_possible, emotional_earned, emotional_possible, comment, at) VALUES "
    f"({', '.join('?' * 17)})",
}


def _build(folder: Path, count: int, agents: int) -> dict[str, Any]:
    building = folder.with_name(folder.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    print(f"building a lead store of {count:,} contacts of {agents} agents (once; cached) ...")
    started = time.perf_counter()
    profile = Profile(building)
    try:
        profile.set_up(LEAD, "Bench Team", "lead")
        store = profile.store
        store.conn.execute("PRAGMA cache_size = -262144")  # this connection only
        gen = TextGenerator(SEED, profile.taxonomy)
        names = _agent_names(random.Random(SEED + 7), agents)
        bulk_load.begin(store)
        batches: dict[str, list[tuple]] = {table: [] for table in _INSERTS}

        def flush() -> None:
            with store.transaction() as conn:
                for name, rows in batches.items():
                    conn.executemany(_INSERTS[name], rows)
                    rows.clear()

        rows = _rows(gen, count, names, profile.team_secret)
        for done, (row, ideas, surveys, evaluations) in enumerate(rows, start=1):
            batches["contacts"].append(row)
            batches["ideas"] += ideas
            batches["survey_answers"] += surveys
            batches["evaluations"] += evaluations
            if done % BATCH == 0:
                flush()
                if done % 200_000 == 0:
                    print(f"  {done:>9,} contacts  ({time.perf_counter() - started:.0f} s)")
        flush()
        print("  building the indexes and the search index ...", flush=True)
        bulk_load.finish(store)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        seconds = time.perf_counter() - started
        words = _pick_search_words(store.conn, count)
        counts = {
            name: store.conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
            for name in _INSERTS
        }
    finally:
        profile.close()
    info = {
        "generator_version": GENERATOR_VERSION,
        "seed": SEED,
        "contacts": count,
        "agents": agents,
        "rows": counts,
        "build_seconds": round(seconds, 1),
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "words": words,
    }
    (building / "build.json").write_text(json.dumps(info, indent=2))
    building.rename(folder)
    print(f"built in {seconds:.0f} s")
    return info


# -- measuring (in a child process: its peak RSS is the page's own) -------------------------


class Calls:
    """Durations of many calls: count, max, and a histogram (10 µs bins) for percentiles,
    so a million data() calls cost no memory of their own."""

    BIN = 10e-6

    def __init__(self) -> None:
        self.count, self.total, self.max = 0, 0.0, 0.0
        self.recent = 0.0  # the longest since the last reset, for one listing's share
        self.bins = [0] * 20_001  # up to 200 ms; the last bin takes the rest

    def add(self, seconds: float) -> None:
        self.count += 1
        self.total += seconds
        self.max = max(self.max, seconds)
        self.recent = max(self.recent, seconds)
        self.bins[min(int(seconds / self.BIN), len(self.bins) - 1)] += 1

    def percentile(self, q: float) -> float:
        wanted, seen = q / 100 * self.count, 0
        for number, n in enumerate(self.bins):
            seen += n
            if seen >= wanted and n:
                return (number + 1) * self.BIN
        return self.max

    def row(self, name: str) -> list[str]:
        if not self.count:
            return [name, "0", "-", "-", "-"]
        return [name, f"{self.count:,}", f"{self.percentile(50) * 1000:.2f}",
                f"{self.percentile(99) * 1000:.2f}", f"{self.max * 1000:.1f}"]  # fmt: skip


def _timed(cls: type, name: str, calls: Calls) -> None:
    original = getattr(cls, name)

    def timed(self, *args):
        started = time.perf_counter()
        try:
            return original(self, *args)
        finally:
            calls.add(time.perf_counter() - started)

    setattr(cls, name, timed)


def _rss_mb() -> tuple[float, float]:
    """(peak, current) resident set size of this process, in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    current = peak
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                current = int(line.split()[1]) / 1024
    return peak, current


def child(folder: str, *, scroll: bool) -> dict[str, Any]:
    from PySide6.QtCore import QThreadPool
    from PySide6.QtWidgets import QApplication

    from cxcompanion.store.team_review import ReviewFilter, TeamReview
    from cxcompanion.ui.team_review_model import TeamReviewModel
    from cxcompanion.ui.theme import apply_app_theme

    result: dict[str, Any] = {}
    app = QApplication(["bench"])
    apply_app_theme(app)
    result["rss_qt_mb"] = _rss_mb()[1]
    calls = {"fetchMore": Calls(), "data": Calls(), "slice": Calls(), "filter": Calls()}
    _timed(TeamReviewModel, "fetchMore", calls["fetchMore"])
    _timed(TeamReviewModel, "data", calls["data"])
    _timed(TeamReviewModel, "_go_on", calls["slice"])  # a rare filter's walk, going on
    _timed(TeamReviewModel, "set_filter", calls["filter"])
    from cxcompanion.ui.team_review_page import TeamReviewPage

    profile = Profile(folder)
    started = time.perf_counter()
    page = TeamReviewPage(profile)
    page.resize(1100, 750)
    page.show()
    app.processEvents()
    result["open_ms"] = (time.perf_counter() - started) * 1000
    model, table = page.model, page.table

    def settle(timeout: float = 120.0) -> float:
        started = time.perf_counter()
        while model.searching or model.count is None:
            app.processEvents()
            QThreadPool.globalInstance().waitForDone(1)
            if time.perf_counter() - started > timeout:
                raise RuntimeError("the listing never settled")
        app.processEvents()
        return time.perf_counter() - started

    settle()
    result["count_all"] = model.count
    if scroll:
        started = time.perf_counter()
        fetches = calls["fetchMore"].count
        while model.canFetchMore() or model.searching:
            table.scrollToBottom()
            app.processEvents()
        result["scroll_s"] = time.perf_counter() - started
        result["scroll_fetches"] = calls["fetchMore"].count - fetches
        result["rows_at_end"] = model.rowCount()
        result["rss_after_scroll_mb"] = _rss_mb()
        table.scrollToTop()
        app.processEvents()
        table.scrollTo(model.index(model.rowCount() // 2, 0))  # a jump into the middle
        app.processEvents()

    agent = TeamReview(profile.store).agents()[AGENTS // 2]
    words = json.loads((Path(folder) / "build.json").read_text())["words"]
    common, medium = words["common"]["word"], words["medium"]["word"]
    rare, pair = words["rare"]["word"], words["pair"]["word"]
    june = ReviewFilter(start="2026-06-01T00:00:00Z", end="2026-07-01T00:00:00Z")
    cancelling = tuple(t.code for t in profile.taxonomy.purposes if t.group == "cancellation")
    cases = [
        (f"agent ({agent})", ReviewFilter(agent=agent)),
        ("one month (June)", june),
        ("customer's verdict: no", ReviewFilter(verdict="no")),
        ("purpose group (cancellation)", ReviewFilter(purposes=cancelling)),
        ("evaluated", ReviewFilter(evaluated=True)),
        ("agent + social + escalated + ideas",
         ReviewFilter(agent=agent, channel="social", outcome="escalated", has_ideas=True)),
        ("ideas + cancel + evaluated + no (rare)",
         ReviewFilter(has_ideas=True, cancel_intent=True, evaluated=True, verdict="no")),
        (f"search: common ({common})", ReviewFilter(search=common)),
        (f"search: medium ({medium})", ReviewFilter(search=medium)),
        (f"search: rare ({rare})", ReviewFilter(search=rare)),
        (f"search: two words ({pair})", ReviewFilter(search=pair)),
        (f"search: 3-letter prefix ({common[:3]})", ReviewFilter(search=common[:3])),
        (f"search + agent ({common})", ReviewFilter(search=common, agent=agent)),
    ]  # fmt: skip
    listings = []
    for name, f in cases:
        for c in calls.values():
            c.recent = 0.0
        started = time.perf_counter()
        model.set_filter(f)
        first_rows = None
        while model.searching or model.count is None:
            app.processEvents()
            if first_rows is None and model.rowCount():
                first_rows = time.perf_counter() - started
            QThreadPool.globalInstance().waitForDone(1)
        done = time.perf_counter() - started
        app.processEvents()
        if first_rows is None and model.rowCount():
            first_rows = done
        listings.append({
            "name": name, "rows": model.rowCount(), "count": model.count,
            "first_ms": None if first_rows is None else first_rows * 1000,
            "done_ms": done * 1000, "ui_max_ms": max(c.recent for c in calls.values()) * 1000,
        })  # fmt: skip
    result["listings"] = listings
    result["calls"] = {key: c.row(key) for key, c in calls.items()}
    result["max_ui_ms"] = max(c.max for c in calls.values()) * 1000
    started = time.perf_counter()
    page._select(model.contact_id(0))
    result["select_ms"] = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    page.open_evaluation()
    app.processEvents()
    result["evaluate_open_ms"] = (time.perf_counter() - started) * 1000
    result["rss_mb"] = _rss_mb()
    model.stop()
    QThreadPool.globalInstance().waitForDone()
    profile.close()
    return result


def run(*, rebuild: bool = False, scroll: bool = True) -> dict[str, Any]:
    load_before = os.getloadavg()
    info = ensure_store(rebuild=rebuild)
    print(f"store: {info['contacts']:,} contacts of {info['agents']} agents at {info['folder']} "
          f"({info['rows']}; built in {info['build_seconds']:.0f} s)")  # fmt: skip
    command = [sys.executable, __file__, "--child", info["folder"]]
    if not scroll:
        command.append("--no-scroll")
    import subprocess

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        print(done.stdout, done.stderr)
        raise SystemExit(1)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    load_after = os.getloadavg()
    _report(result, load_before, load_after)
    return result


def _report(r: dict[str, Any], load_before: tuple, load_after: tuple) -> None:
    peak = r["rss_mb"][0]
    rows = [
        ["peak RSS, page open and scrolled to the end", f"{peak:.0f} MB",
         f"<= {RSS_TARGET_MB:.0f} MB", "ok" if peak <= RSS_TARGET_MB else "OVER"],
        ["  of which Python + Qt + QApplication (floor)", f"{r['rss_qt_mb']:.0f} MB", "", ""],
        ["slowest UI-thread call (fetchMore, data, slice, filter change)",
         f"{r['max_ui_ms']:.1f} ms", f"<= {CALL_TARGET_MS:.0f} ms",
         "ok" if r["max_ui_ms"] <= CALL_TARGET_MS else "OVER"],
        ["open the page (make, show, first paint)", f"{r['open_ms']:.0f} ms", "", ""],
        ["select a contact (detail pane)", f"{r['select_ms']:.1f} ms", "", ""],
        ["open the scorecard (evaluation form)", f"{r['evaluate_open_ms']:.1f} ms", "", ""],
    ]  # fmt: skip
    if "scroll_s" in r:
        rows.insert(2, [f"scroll to the end: {r['rows_at_end']:,} rows, {r['scroll_fetches']:,} "
                        "fetchMore calls", f"{r['scroll_s']:.1f} s", "", ""])  # fmt: skip
    print()
    print(table(["figure", "value", "target", ""], rows))
    print()
    print("UI-thread calls (ms):")
    print(table(["call", "calls", "median", "p99", "max"], list(r["calls"].values())))
    print()
    print("listings (first rows and UI-thread max on the UI thread; done: the search or the")
    print("walk of a rare filter, and the count in its worker, finished):")
    print(table(
        ["listing", "rows", "count", "first rows ms", "done ms", "UI max ms"],
        [[x["name"], f"{x['rows']:,}", f"{x['count']:,}",
          "-" if x["first_ms"] is None else f"{x['first_ms']:.0f}", f"{x['done_ms']:.0f}",
          f"{x['ui_max_ms']:.1f}"] for x in r["listings"]],
    ))  # fmt: skip
    print()
    print(f"load average (1, 5, 15 min): before {', '.join(f'{v:.2f}' for v in load_before)}; "
          f"after {', '.join(f'{v:.2f}' for v in load_after)}; {os.cpu_count()} CPUs")  # fmt: skip


def test_team_review_benchmark() -> None:
    run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--no-scroll", action="store_true")
    parser.add_argument("--child", metavar="FOLDER")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, scroll=not args.no_scroll)))
        return 0
    run(rebuild=args.rebuild, scroll=not args.no_scroll)
    return 0


if __name__ == "__main__":
    sys.exit(main())
