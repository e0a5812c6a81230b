"""Full-text search over 1,000,000 contacts: the contacts page's page() and count().

Target (issue, Performance): <= 50 ms for a typical word. The contacts page calls both
`ContactService.page(search=..., limit=200)` and `ContactService.count(search=...)` for each
search, so both are timed (median of 20 after one untimed call) and so is their sum, what
the user waits for. Floor, in the same run: the bare FTS5 query behind page(), i.e. the
newest 200 matching rowids with no join and no per-row columns. Reads the cached store as is.

    python tests/benchmarks/bench_search.py [--repeats 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _build import ensure_store, percentile, table

from cxcompanion.services.contacts import ContactService
from cxcompanion.services.profile import Profile
from cxcompanion.store.contacts import fts_query

TARGET_MS = 50.0
FLOOR_SQL = (
    "SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ? ORDER BY rowid DESC LIMIT 200"
)


def _times(action: Callable[[], Any], repeats: int) -> tuple[list[float], Any]:
    result = action()  # untimed first call: the page cache and the statement cache warm up
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return samples, result


def _ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def run(repeats: int = 20, *, show: bool = True) -> dict[str, Any]:
    built = ensure_store()
    words = {k: v["word"] for k, v in built.info["words"].items() if isinstance(v, dict)}
    cases = [
        ("common word (~10%)", words["common"], True),
        ("medium word (~1%)", words["medium"], True),
        ("rare word", words["rare"], True),
        ("two words (common + a ~1% word)", words["pair"], True),
        ("two common words", f"{words['common']} {words['common2']}", True),
        ("while typing: 3-letter prefix", words["common"][:3], False),
        ("no search (page opened)", "", False),
    ]
    profile = Profile(built.folder)
    try:
        service = ContactService(profile)
        conn = profile.store.conn
        rows = []
        results: dict[str, Any] = {}
        for label, search, is_target in cases:
            page_t, page = _times(lambda s=search: service.page(search=s, limit=200), repeats)
            count_t, count = _times(lambda s=search: service.count(s), repeats)
            both = [p + c for p, c in zip(page_t, count_t, strict=True)]
            query = fts_query(search)
            floor = ""
            if query is not None:
                floor_t, _ = _times(
                    lambda q=query: conn.execute(FLOOR_SQL, (q,)).fetchall(), repeats
                )
                floor = f"{_ms(floor_t):.1f}"
            verdict = ""
            if is_target:
                page_ok = _ms(page_t) <= TARGET_MS
                both_ok = _ms(both) <= TARGET_MS
                verdict = (
                    f"page {'meets' if page_ok else 'MISSES'}, "
                    f"page+count {'meets' if both_ok else 'MISSES'}"
                )
            rows.append(
                [
                    label,
                    f"'{search}'" if search else "-",
                    f"{count:,}",
                    f"{_ms(page_t):.1f}",
                    f"{percentile(page_t, 95) * 1000:.1f}",
                    f"{_ms(count_t):.1f}",
                    f"{_ms(both):.1f}",
                    floor,
                    verdict,
                ]
            )
            results[label] = {
                "search": search,
                "matches": count,
                "page_rows": len(page),
                "page_ms": _ms(page_t),
                "count_ms": _ms(count_t),
                "page_plus_count_ms": _ms(both),
                "target": is_target,
            }
        # The second page of a common word, as scrolling fetches it.
        first = service.page(search=words["common"], limit=200)
        after = (first[-1].at, first[-1].rowid)
        page2_t, _ = _times(
            lambda: service.page(search=words["common"], after=after, limit=200), repeats
        )
        plans = {
            "page(search)": _plan(
                conn,
                "SELECT c.rowid FROM contacts_fts f JOIN contacts c ON c.rowid = f.rowid "
                "WHERE contacts_fts MATCH ? AND f.rowid < ? ORDER BY f.rowid DESC LIMIT ?",
                (fts_query(words["common"]), 1 << 62, 200),
            ),
            "count(search)": _plan(
                conn,
                "SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH ?",
                (fts_query(words["common"]),),
            ),
            "count()": _plan(conn, "SELECT live FROM contact_count", ()),
        }
    finally:
        profile.close()

    if show:
        print(f"\n{built.describe()}")
        print(
            f"\nSearch over {built.contacts:,} contacts (median of {repeats} after one untimed "
            f"call; target <= {TARGET_MS:g} ms; the last word is searched as a prefix)"
        )
        print(
            table(
                [
                    "case",
                    "search",
                    "matches",
                    "page ms",
                    "page p95",
                    "count ms",
                    "page+count",
                    "floor ms",
                    "",
                ],
                rows,
            )
        )
        print(f"page 2 of '{words['common']}' (scrolling): {_ms(page2_t):.1f} ms")
        print("floor = the bare FTS5 query behind page(): newest 200 matching rowids, no join")
        print("\nquery plans (EXPLAIN QUERY PLAN):")
        for name, plan in plans.items():
            print(f"  {name}: {plan}")
    return {"cases": results, "page2_ms": _ms(page2_t), "plans": plans}


def _plan(conn: Any, sql: str, params: tuple[Any, ...]) -> str:
    return "; ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, params))


def test_search(capsys) -> None:
    """Runs the benchmark and prints it; no timing assertion (figures vary by machine)."""
    with capsys.disabled():
        result = run()
    assert result["cases"]["common word (~10%)"]["page_rows"] == 200


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args(argv)
    run(args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
