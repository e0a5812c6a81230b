"""Shared benchmark helpers: the cached million-contact store, its texts, and small stats.

The store is built once under $CXCOMPANION_BENCH_DIR (default /tmp/cxcompanion-bench) and
reused by every benchmark. Contacts are generated from a fixed seed and written through the
real `ContactStore.insert_many` in batches of 10,000, so the tables, indexes and the FTS5
index are exactly what the app writes; only validation and masking (per-save costs that
leave nothing behind in the store) are skipped, which makes the build ~4x faster than
`ContactService.log_many`. Run this file to build (or rebuild) the store on its own:

    python tests/benchmarks/_build.py [--contacts N] [--rebuild]
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import random
import shutil
import sqlite3
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # run as a script from a checkout (the package is not installed)
    sys.path.insert(0, str(REPO))

from cxcompanion import resources  # noqa: E402
from cxcompanion.domain.enums import Channel, Outcome, Verdict  # noqa: E402
from cxcompanion.domain.ids import new_id  # noqa: E402
from cxcompanion.domain.records import Contact, Envelope, Idea, utc_iso  # noqa: E402
from cxcompanion.domain.redaction import pseudonymise  # noqa: E402
from cxcompanion.services.profile import Profile  # noqa: E402
from cxcompanion.store.contacts import ContactStore  # noqa: E402
from cxcompanion.store.database import DATABASE_NAME  # noqa: E402

BENCH_DIR = Path(os.environ.get("CXCOMPANION_BENCH_DIR", "/tmp/cxcompanion-bench"))
# A smaller store for a quick try of the scripts; the targets are stated for 1,000,000.
STORE_SIZE = int(os.environ.get("CXCOMPANION_BENCH_CONTACTS", "1000000"))
BATCH = 10_000
SEED = 20261123
# Bump when the generator changes, so an old cached store is not silently reused.
GENERATOR_VERSION = 2
END = datetime(2026, 1, 1, tzinfo=timezone.utc)  # the last generated contact is before this
SPAN = timedelta(days=5 * 365)

# Words a contact-centre agent types beside the demo phrases (products, places, months,
# actions); they take the top Zipf ranks, synthetic names and codes the long tail.
_COMMON_WORDS = """
customer called again about order invoice refund account app password delivery parcel
payment card plan price discount charger router courier store address phone email chat
monday tuesday wednesday thursday friday saturday january february march april may june
july august september october november december yesterday today tomorrow morning evening
week month year wrong missing late broken cracked damaged refused declined failed stuck
reset update cancel return exchange upgrade downgrade transfer confirm explained checked
promised booked escalated callback voucher credit fee contract renewal subscription
premium basic family student business home office warehouse branch manager supervisor
colleague specialist team website login error screen settings notification reminder
letter receipt statement balance overdue direct debit bank transfer paypal instalment
tablet laptop television speaker headphones camera kettle toaster fridge washer dryer
vacuum blender sofa mattress lamp jacket shoes boots shirt trousers dress coat gloves
size colour model serial warranty repair replacement engineer appointment visit slot
tracking label depot locker neighbour doorstep porch garage signature photo proof outage
signal wifi fibre modem cable coverage roaming abroad travel holiday moved postcode
street city village flat house surname birthday partner daughter son mother father
elderly vulnerable upset angry calm happy relieved confused worried patient polite rude
quick slow twice three four five second third first last new old same different cheaper
expensive competitor offer bundle loyalty points coupon gift sale
""".split()  # noqa: SIM905 (a word list reads better as text)

_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]


@dataclass(frozen=True)
class BuiltStore:
    """A built store on disk and what the build recorded about it."""

    folder: Path
    info: dict[str, Any]

    @property
    def database(self) -> Path:
        return self.folder / DATABASE_NAME

    @property
    def contacts(self) -> int:
        return int(self.info["contacts"])

    def describe(self) -> str:
        size_mb = self.database.stat().st_size / 1e6
        how = "built now" if self.info.get("fresh") else "reused cache"
        return (
            f"store: {self.contacts:,} contacts, {size_mb:,.0f} MB at {self.folder} "
            f"({how}; the build took {self.info['build_seconds']:.0f} s)"
        )


class TextGenerator:
    """Contact texts from a fixed seed: demo phrases mixed with Zipf-distributed words.

    The demo phrases give the realistic shape (a few very frequent words); the Zipf tail
    (s = 1) gives words at every frequency, so a benchmark can pick a word hitting ~10%,
    ~1% or a handful of contacts, as real text has.
    """

    def __init__(self, seed: int, taxonomy: Any):
        self.rng = random.Random(seed)
        phrases = json.loads(resources.path("demo/phrases.json").read_text(encoding="utf-8"))
        # Demo phrases are keyed by purpose code (or, in older files, by purpose group).
        self.details: dict[str, list[str]] = phrases["details"]
        self.any_detail = [d for options in self.details.values() for d in options]
        self.notes = [n for n in phrases["notes"] if n]
        self.ideas: list[tuple[str, str]] = [tuple(i) for i in phrases["ideas"]]
        self.taxonomy = taxonomy
        self.purposes = [(p.code, p.group) for p in taxonomy.purposes]
        self.cancel_reasons = [t.code for t in taxonomy.cancel_reasons]
        vocab_rng = random.Random(seed + 1)
        common = list(dict.fromkeys(_COMMON_WORDS))
        vocab_rng.shuffle(common)
        tail: dict[str, None] = {}
        while len(tail) < 30_000:
            word = "".join(vocab_rng.choice(_SYLLABLES) for _ in range(vocab_rng.randint(2, 4)))
            if word not in common:
                tail[word] = None
        self.vocabulary = common + list(tail)
        weights = [1.0 / rank for rank in range(1, len(self.vocabulary) + 1)]
        total, self.cum_weights = 0.0, []
        for w in weights:
            total += w
            self.cum_weights.append(total)

    def words(self, k: int) -> list[str]:
        return self.rng.choices(self.vocabulary, cum_weights=self.cum_weights, k=k)

    def detail(self, purpose: str, group: str) -> str:
        rng = self.rng
        length = rng.randint(6, 10)
        options = self.details.get(purpose) or self.details.get(group) or self.any_detail
        base = rng.choice(options).split()[: max(2, length - rng.randint(1, 4))]
        extra = self.words(max(0, length - len(base)))
        if extra and rng.random() < 0.15:
            extra[-1] = f"#{rng.randint(1_000_000, 9_999_999)}"  # an order or ticket number
        for word in extra:
            base.insert(rng.randint(0, len(base)), word)
        return " ".join(base)

    def note(self) -> str:
        words = [self.rng.choice(self.notes), *self.words(self.rng.randint(0, 10))]
        return " ".join(words)

    def idea(self) -> tuple[str, str]:
        text, area = self.rng.choice(self.ideas)
        return " ".join([text, *self.words(self.rng.randint(0, 5))]), area

    def raw(self) -> dict[str, Any]:
        """One contact as the form gives it to `ContactService.log` (time: now)."""
        rng = self.rng
        purpose, group = rng.choice(self.purposes)
        prior = rng.choices([0, 1, 2, 3], weights=[78, 14, 6, 2])[0]
        raw: dict[str, Any] = {
            "channel": rng.choice(Channel.codes()),
            "purpose": purpose,
            "detail": self.detail(purpose, group),
            "outcome": rng.choice(Outcome.codes()),
            "verdict": rng.choice(Verdict.codes()),
            "prior_contacts": prior,
            "prior_channels": sorted({rng.choice(Channel.codes()) for _ in range(prior)}),
            "customer_ref": f"CUST-{rng.randint(100_000, 999_999)}" if rng.random() < 0.85 else "",
            "mood_start": rng.choice([-2, -1, 0, 1, None]),
            "mood_end": rng.choice([-1, 0, 1, 2, None]),
            "notes": self.note() if rng.random() < 0.45 else "",
            "ideas": [],
        }
        if rng.random() < 0.08:
            text, area = self.idea()
            raw["ideas"].append({"text": text, "area": area})
        if group == "cancellation":
            raw.update(
                cancel_intent=True,
                cancel_reason=rng.choice(self.cancel_reasons),
                stayed=rng.random() < 0.4,
            )
        return raw


def _contacts(
    gen: TextGenerator, count: int, writer: str, secret: bytes, agent: str
) -> Iterator[Contact]:
    """`count` stored contacts, oldest first, as `ContactService` would have built them."""
    rng = gen.rng
    channels, outcomes, verdicts = list(Channel), list(Outcome), list(Verdict)
    customers = [f"CUST-{n}" for n in rng.sample(range(100_000, 999_999), 50_000)]
    hashes: dict[str, str] = {}
    step = SPAN.total_seconds() / count
    moment = (END - SPAN).timestamp()
    for _ in range(count):
        moment += rng.uniform(0.2, 1.8) * step
        at = datetime.fromtimestamp(int(moment), timezone.utc)
        logged = at + timedelta(seconds=rng.randint(5, 120))
        stamp = utc_iso(logged)
        envelope = Envelope(new_id(int(logged.timestamp() * 1000)), writer, 1, stamp)
        purpose, group = rng.choice(gen.purposes)
        customer_hash = None
        if rng.random() < 0.85:
            ref = rng.choice(customers)
            customer_hash = hashes.get(ref) or hashes.setdefault(ref, pseudonymise(secret, ref))
        prior = rng.choices([0, 1, 2, 3], weights=[78, 14, 6, 2])[0]
        ideas: tuple[Idea, ...] = ()
        if rng.random() < 0.08:
            n_ideas = 2 if rng.random() < 0.1 else 1
            ideas = tuple(
                Idea(Envelope(new_id(), writer, 1, stamp), envelope.id, *gen.idea())
                for _ in range(n_ideas)
            )
        cancelling = group == "cancellation" or rng.random() < 0.02
        start = rng.choice([-2, -1, 0, 0, 1])
        yield Contact(
            envelope=envelope,
            agent=agent,
            at=utc_iso(at),
            channel=rng.choice(channels),
            purpose=purpose,
            outcome=rng.choice(outcomes),
            verdict=rng.choice(verdicts),
            detail=gen.detail(purpose, group),
            prior_contacts=prior,
            prior_channels=tuple(dict.fromkeys(rng.choice(channels) for _ in range(prior))),
            customer_hash=customer_hash,
            cancel_intent=cancelling,
            cancel_reason=rng.choice(gen.cancel_reasons) if cancelling else None,
            stayed=(rng.random() < 0.4) if cancelling else None,
            mood_start=start if rng.random() < 0.9 else None,
            mood_end=max(-2, min(2, start + rng.choice([-1, 0, 1, 1, 2])))
            if rng.random() < 0.9
            else None,
            notes=gen.note() if rng.random() < 0.45 else "",
            ideas=ideas,
        )


def store_folder(count: int = STORE_SIZE) -> Path:
    return BENCH_DIR / f"store-{count}"


def ensure_store(
    count: int = STORE_SIZE, *, rebuild: bool = False, quiet: bool = False
) -> BuiltStore:
    """The cached store of `count` contacts, built first if missing (or if `rebuild`)."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    folder = store_folder(count)
    with open(BENCH_DIR / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two benchmarks started at once build it once
        info_path = folder / "build.json"
        if not rebuild and info_path.exists():
            info = json.loads(info_path.read_text())
            if info.get("generator_version") == GENERATOR_VERSION:
                if "pair" not in info["words"]:  # a cache from before pairs were picked
                    conn = sqlite3.connect(folder / DATABASE_NAME)
                    try:
                        info["words"] = _pick_search_words(conn, count)
                    finally:
                        conn.close()
                    info_path.write_text(json.dumps(info, indent=2))
                return BuiltStore(folder, info)
        shutil.rmtree(folder, ignore_errors=True)
        return _build(folder, count, quiet=quiet)


def _build(folder: Path, count: int, *, quiet: bool) -> BuiltStore:
    building = folder.with_name(folder.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    if not quiet:
        print(f"building a store of {count:,} contacts in {folder} (once; cached) ...", flush=True)
    started = time.perf_counter()
    profile = Profile(building)
    try:
        profile.set_up("Bench Agent", "Bench Team", "agent")
        # Connection-local, for the build only: a bigger page cache speeds up FTS5 merges.
        profile.store.conn.execute("PRAGMA cache_size = -262144")
        gen = TextGenerator(SEED, profile.taxonomy)
        contacts = ContactStore(profile.store)
        batch: list[Contact] = []
        done = 0
        stream = _contacts(gen, count, profile.device_id, profile.team_secret, "Bench Agent")
        for contact in stream:
            batch.append(contact)
            if len(batch) == BATCH:
                contacts.insert_many(batch)
                done += len(batch)
                batch = []
                if not quiet and done % 100_000 == 0:
                    rate = done / (time.perf_counter() - started)
                    print(f"  {done:>9,} contacts  ({rate:,.0f}/s)", flush=True)
        if batch:
            contacts.insert_many(batch)
        profile.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        seconds = time.perf_counter() - started
        words = _pick_search_words(profile.store.conn, count)
        ideas = profile.store.conn.execute("SELECT count(*) FROM ideas").fetchone()[0]
    finally:
        profile.close()
    info = {
        "generator_version": GENERATOR_VERSION,
        "seed": SEED,
        "contacts": count,
        "ideas": ideas,
        "build_seconds": round(seconds, 1),
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "words": words,
    }
    (building / "build.json").write_text(json.dumps(info, indent=2))
    building.rename(folder)
    if not quiet:
        print(f"built in {seconds:.0f} s", flush=True)
    return BuiltStore(folder, {**info, "fresh": True})


def _pick_search_words(conn: Any, count: int) -> dict[str, dict[str, Any]]:
    """Words for the search benchmark, by the share of contacts they hit (as a prefix too).

    The app searches the last word as a prefix ("word*"), so a word is chosen only if the
    terms it is a prefix of add little to its own hits.
    """
    conn.execute("CREATE VIRTUAL TABLE temp.bench_vocab USING fts5vocab(main, contacts_fts, row)")
    try:
        terms = conn.execute("SELECT term, doc FROM temp.bench_vocab ORDER BY term").fetchall()
    finally:
        conn.execute("DROP TABLE temp.bench_vocab")
    docs = dict(terms)
    prefixed: dict[str, int] = {}
    for i, (term, doc) in enumerate(terms):  # sorted, so the terms it prefixes follow it
        total, j = doc, i + 1
        while j < len(terms) and terms[j][0].startswith(term):
            total += terms[j][1]
            j += 1
        prefixed[term] = total

    def pick(share: float, exclude: Sequence[str] = ()) -> dict[str, Any]:
        target = share * count
        best = min(
            (
                t
                for t in docs
                if t.isalpha() and len(t) >= 4 and t not in exclude and prefixed[t] <= 1.1 * docs[t]
            ),
            key=lambda t: abs(docs[t] - target) / target,
        )
        return {"word": best, "docs": docs[best], "share": docs[best] / count}

    common = pick(0.10)
    second = pick(0.10, exclude=[common["word"]])
    medium = pick(0.01)
    rare = pick(50 / 1_000_000)
    # The ~1% words, to pick the second word of a two-word search from.
    candidates = sorted(
        (t for t in docs if t.isalpha() and len(t) >= 4 and prefixed[t] <= 1.1 * docs[t]),
        key=lambda t: abs(docs[t] - 0.01 * count),
    )[:30]
    pair = _pick_pair(conn, common["word"], candidates, count)
    return {"common": common, "common2": second, "medium": medium, "rare": rare, "pair": pair}


def _pick_pair(conn: Any, common: str, candidates: list[str], count: int) -> dict[str, Any]:
    """A two-word search people would type: the common word and a ~1% word that occurs
    with it often (two unrelated words, which match nothing, are not a typical search)."""
    scored = []
    for word in candidates:
        if word == common:
            continue
        hits = conn.execute(
            "SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH ?",
            (f'"{common}" "{word}"*',),
        ).fetchone()[0]
        scored.append((hits, word))
    hits, word = max(scored)
    return {"word": f"{common} {word}", "docs": hits, "share": hits / count}


# -- small helpers the benchmarks share -------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation, as numpy's default."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary_ms(values: Sequence[float]) -> tuple[float, float, float]:
    """(median, p95, max) of durations in seconds, in milliseconds."""
    return (
        statistics.median(values) * 1000,
        percentile(values, 95) * 1000,
        max(values) * 1000,
    )


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table, numbers right-aligned."""
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if i and _numeric(c) else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def _numeric(text: str) -> bool:
    return bool(text) and (text[0].isdigit() or text[0] in "-+.") and text[-1] not in ":"


@contextlib.contextmanager
def working_copy(built: BuiltStore, name: str) -> Iterator[Path]:
    """A throw-away copy of a built store's folder (benchmarks that write use this)."""
    target = BENCH_DIR / name
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    shutil.copyfile(built.database, target / DATABASE_NAME)
    # Flush the copy now, or the kernel writes it back during the timed saves.
    with open(target / DATABASE_NAME, "rb+") as copied:
        os.fsync(copied.fileno())
    try:
        yield target
    finally:
        shutil.rmtree(target, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=STORE_SIZE)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args(argv)
    built = ensure_store(args.contacts, rebuild=args.rebuild)
    print(built.describe())
    print(json.dumps(built.info["words"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
