"""My feedback's metrics on random contact histories, checked against the definitions.

Hypothesis writes small team histories (Ana's contacts and Ben's, a few customers and
purposes, the last ten weeks, some amended or deleted) through the real ContactService into real
SQLite profiles and computes Ana's feedback with FeedbackService. The strongest check is a
brute-force Python reading of DESIGN §3 over the same contacts (`reference` below), which
must give exactly the numbers of the SQL, week by week and purpose by purpose.

Times sit on a grid (whole days back from NOW, half of them on a few days a week apart,
then 0 s, 1 s or 12 h earlier) so that the edges the definitions care about come up often:
two contacts exactly one repeat window apart (inside: the window is inclusive) or one
second more (outside); a contact exactly one window old (settled); two contacts in the same
second. Those edges are also written out as explicit examples (EDGES), tried first.

Weeks are local ISO weeks: the zone is pinned to UTC here, as in test_feedback.py. Two
profiles are made once for the module and emptied before each example (creating a profile
is the costly part).
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cxcompanion.domain.metrics import Feedback, WeekCounts
from cxcompanion.domain.records import Contact, parse_utc_iso
from cxcompanion.services.contacts import ContactService
from cxcompanion.services.feedback import FeedbackService
from cxcompanion.services.profile import Profile

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)  # a Monday
WINDOW = timedelta(days=7)  # the default repeat window
AGENT, OTHER = "Ana", "Ben"
# "C1" and "c-1" are the same customer once pseudonymised (spellings are unified).
CUSTOMERS = ("", "C1", "c-1", "C2", "C3")
PURPOSES = ("billing.refund", "orders.return")
CHANNELS = ("phone", "chat", "email")
VERDICTS = ("yes", "yes", "no", "unsure", "not_asked")
SLOTS = (0, 1, 12 * 3600)  # seconds before the whole day
ASKED = {"yes", "no", "unsure"}
COUNTS = [f.name for f in fields(WeekCounts) if f.name != "week"]

SETTINGS = settings(
    max_examples=80,
    deadline=None,  # each example writes SQLite files; fsync times vary
    suppress_health_check=[HealthCheck.too_slow],
)


@dataclass(frozen=True)
class Spec:
    """One generated contact, before it is logged."""

    agent: str
    day: int  # whole days before NOW
    slot: int  # and this many seconds more
    customer: str
    purpose: str
    channel: str
    verdict: str
    prior: int
    mood_start: int | None
    mood_end: int | None
    stayed: str | None  # None: no cancellation intent
    ideas: int
    amended: bool  # amended after logging, without its first idea (which is tombstoned)
    deleted: bool

    @property
    def at(self) -> datetime:
        return NOW - timedelta(days=self.day, seconds=self.slot)

    def raw(self, *, amending: bool = False) -> dict:
        ideas = range(1 if amending else 0, self.ideas)
        raw = {
            "at": self.at.isoformat(),
            "channel": self.channel,
            "purpose": self.purpose,
            "outcome": "resolved",
            "verdict": self.verdict,
            "customer_ref": self.customer,
            "prior_contacts": self.prior,
            "mood_start": self.mood_start,
            "mood_end": self.mood_end,
            "ideas": [{"text": f"idea {i}", "area": "service"} for i in ideas],
        }
        if self.prior:
            raw["prior_channels"] = ["email"]
        if self.stayed is not None:
            raw.update(cancel_reason="price", stayed=self.stayed)
        return raw


moods = st.sampled_from((None, -2, -1, 0, 1, 2))
specs = st.builds(
    Spec,
    agent=st.sampled_from((AGENT, AGENT, OTHER)),
    # The last ten weeks; half of the contacts on a few days a window apart (and next to the
    # day that makes them settled), so that edges and same-customer neighbours come up often.
    day=st.one_of(st.integers(0, 69), st.sampled_from((0, 6, 7, 8, 14, 21, 35))),
    slot=st.sampled_from(SLOTS),
    customer=st.sampled_from(CUSTOMERS),
    purpose=st.sampled_from(PURPOSES),
    channel=st.sampled_from(CHANNELS),
    verdict=st.sampled_from(VERDICTS),
    prior=st.sampled_from((0, 0, 0, 1, 2)),
    mood_start=moods,
    mood_end=moods,
    stayed=st.sampled_from((None, None, None, "yes", "no")),
    ideas=st.sampled_from((0, 0, 0, 1, 2)),
    amended=st.sampled_from((False,) * 9 + (True,)),
    deleted=st.sampled_from((False,) * 9 + (True,)),
)
histories = st.lists(specs, max_size=40)


def edge(agent: str, day: int, slot: int = 0, *, deleted: bool = False, **changes) -> Spec:
    """A plain contact about billing.refund by customer C1, confirmed, for the edge cases."""
    fields_ = dict(
        agent=agent,
        day=day,
        slot=slot,
        customer="C1",
        purpose="billing.refund",
        channel="phone",
        verdict="yes",
        prior=0,
        mood_start=None,
        mood_end=None,
        stayed=None,
        ideas=0,
        amended=False,
        deleted=deleted,
    )
    fields_.update(changes)
    return Spec(**fields_)


# The edges, always tried before the random histories (each names what it pins).
EDGES = {
    # exactly one window apart: inside (the window is inclusive), both ways
    "window_inclusive": [edge(AGENT, 14), edge(AGENT, 7)],
    # one window and one second apart: outside
    "window_plus_one_second": [edge(AGENT, 14, 1), edge(AGENT, 7)],
    # exactly one window old: settled, and the contact a day later makes it a repeat
    "settled_at_the_edge": [edge(AGENT, 7), edge(OTHER, 1)],
    # one second younger than the window: pending, left out of FCR and repeats
    "pending_by_a_second": [edge(AGENT, 6, 86399), edge(OTHER, 1)],
    # the same second, another agent: each is the other's earlier and later contact
    "same_second": [edge(AGENT, 10), edge(OTHER, 10)],
    "same_second_other_first": [edge(OTHER, 10), edge(AGENT, 10)],
    # another agent's contact the day before: not a first contact
    "earlier_with_a_colleague": [edge(OTHER, 21), edge(AGENT, 20)],
    # a deleted contact is nobody's neighbour
    "deleted_neighbour": [edge(AGENT, 20), edge(OTHER, 18, deleted=True)],
    # the same customer in another spelling is the same customer
    "spelling": [edge(AGENT, 20), edge(AGENT, 19, customer="c-1")],
    # another purpose is another need
    "other_purpose": [edge(AGENT, 20), edge(AGENT, 19, purpose="orders.return")],
    # no reference: verdict and prior contacts alone
    "no_reference": [edge(AGENT, 20, customer=""), edge(AGENT, 19, customer="", prior=1)],
    # deleted ideas and deleted contacts' ideas do not count; others do
    "ideas": [
        edge(AGENT, 20, ideas=2),
        edge(AGENT, 19, ideas=2, amended=True),
        edge(AGENT, 18, ideas=1, deleted=True),
    ],
}
period_weeks = st.sampled_from((2, 4, 12))  # 12 weeks hold the whole history; 2 and 4 do not


# -- profiles -------------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def utc() -> Iterator[None]:
    """Weeks are local ISO weeks: pin the zone (module-wide, so every example has it)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "UTC")
        time.tzset()
        yield
    time.tzset()


@pytest.fixture(scope="module")
def profiles(tmp_path_factory, utc) -> Iterator[tuple[Profile, Profile]]:
    folder = tmp_path_factory.mktemp("feedback-properties")
    first, second = Profile(folder / "first"), Profile(folder / "second")
    try:
        for profile in (first, second):
            profile.set_up(AGENT, "North", "agent")
        yield first, second
    finally:
        first.close()
        second.close()


def empty(profile: Profile) -> None:
    with profile.store.transaction() as conn:
        for table in ("ideas", "contacts", "contacts_fts", "drafts"):
            conn.execute(f"DELETE FROM {table}")


def log_history(profile: Profile, history: list[Spec], *, ben_first: bool = False) -> list[Contact]:
    """Log every contact of the history (Ana's and Ben's, each in the order given), then
    amend and delete those so marked. Returns the contacts as stored now (deleted ones as
    tombstones)."""
    empty(profile)
    service = ContactService(profile, clock=lambda: NOW)
    logged: dict[int, Contact] = {}
    order = (OTHER, AGENT) if ben_first else (AGENT, OTHER)
    try:
        for agent in order:
            profile.store.set_meta({"name": agent})
            mine = [i for i, spec in enumerate(history) if spec.agent == agent]
            for i, contact in zip(
                mine, service.log_many([history[i].raw() for i in mine]), strict=True
            ):
                logged[i] = contact
        # A person amends and deletes only their own contacts.
        for i, spec in enumerate(history):
            profile.store.set_meta({"name": spec.agent})
            if spec.amended:
                logged[i] = service.amend(logged[i].id, spec.raw(amending=True))
            if spec.deleted:
                logged[i] = service.delete(logged[i].id)
    finally:
        profile.store.set_meta({"name": AGENT})
    return [logged[i] for i in range(len(history))]


def feedback_of(profile: Profile, weeks: int) -> Feedback:
    return FeedbackService(profile, clock=lambda: NOW).compute(weeks)


def counts(w: WeekCounts) -> dict[str, int]:
    return {name: getattr(w, name) for name in COUNTS}


# -- the definitions of DESIGN §3, by brute force -------------------------------------------


@dataclass
class Reference:
    weekly: dict[str, dict[str, int]]
    totals: dict[str, int]
    purposes: dict[str, tuple[int, int]]  # asked, confirmed


def reference(contacts: list[Contact], weeks: int) -> Reference:
    """Ana's counts read straight from DESIGN §3 over every stored contact, in Python.

    - Only live (not deleted) contacts count, as contacts and as neighbours.
    - The period: the last `weeks` ISO weeks (UTC here), this one included, up to NOW.
    - A neighbour: another live contact, of any agent, with the same customer (hash) and
      purpose; contacts without a customer reference have none.
    - Earlier within the window: a neighbour at most WINDOW before (inclusive). Later: a
      neighbour at most WINDOW after (inclusive). Two contacts at the same second are each
      other's earlier and later contact (as store/metrics_queries.py decides, so that the
      numbers never depend on the order contacts were stored in, i.e. on their ids).
    - Settled: at least WINDOW old (at <= NOW - WINDOW); younger ones are pending and left
      out of both FCR and the repeat rate.
    - FCR: settled, asked, yes, 0 prior contacts reported, no neighbour earlier or later.
    - Repeat: settled, with a reference, and a neighbour later.
    """
    live = [c for c in contacts if not c.deleted]
    moment = {c.id: parse_utc_iso(c.at) for c in live}
    this_monday = NOW.date() - timedelta(days=NOW.weekday())
    first_monday = this_monday - timedelta(weeks=weeks - 1)
    start = datetime.combine(first_monday, datetime.min.time(), tzinfo=timezone.utc)
    settled_by = NOW - WINDOW

    def neighbours(c: Contact) -> list[Contact]:
        if c.customer_hash is None:
            return []
        return [
            o
            for o in live
            if o.id != c.id and o.customer_hash == c.customer_hash and o.purpose == c.purpose
        ]

    def earlier(c: Contact) -> bool:
        at = moment[c.id]
        return any(at - WINDOW <= moment[o.id] <= at for o in neighbours(c))

    def later(c: Contact) -> bool:
        at = moment[c.id]
        return any(at <= moment[o.id] <= at + WINDOW for o in neighbours(c))

    weekly: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    purposes: dict[str, tuple[int, int]] = {}
    for c in live:
        at = moment[c.id]
        if c.agent != AGENT or not start <= at <= NOW:
            continue
        verdict = c.verdict.value
        asked, yes = verdict in ASKED, verdict == "yes"
        settled = at <= settled_by
        referenced = c.customer_hash is not None
        came_back = referenced and settled and later(c)
        fcr = settled and yes and c.prior_contacts == 0 and not earlier(c) and not later(c)
        both_moods = c.mood_start is not None and c.mood_end is not None
        week = weekly[(at.date() - timedelta(days=at.weekday())).isoformat()]
        week["contacts"] += 1
        week["asked"] += asked
        week["confirmed"] += yes
        week["fcr_n"] += settled and asked
        week["fcr_yes"] += fcr
        week["repeat_n"] += settled and referenced
        week["repeats"] += came_back
        week["mood_n"] += both_moods
        week["mood_up"] += both_moods and c.mood_end > c.mood_start
        week["cancel_n"] += c.cancel_intent
        week["saved"] += c.cancel_intent and c.stayed is True
        week["pending"] += not settled
        week["ideas"] += sum(not i.envelope.deleted for i in c.ideas)
        asked_before, yes_before = purposes.get(c.purpose, (0, 0))
        purposes[c.purpose] = (asked_before + asked, yes_before + yes)
    totals = {name: sum(w[name] for w in weekly.values()) for name in COUNTS}
    return Reference(dict(weekly), totals, purposes)


# -- properties -----------------------------------------------------------------------------


def with_edges(test):
    for history in EDGES.values():
        test = example(history=history, weeks=12)(test)
    # A neighbour before the period counts; the contact itself is the period's (2 weeks
    # from Monday 16 November 00:00; day 10 is before it, day 7 inside).
    return example(history=[edge(AGENT, 10), edge(AGENT, 7)], weeks=2)(test)


@with_edges
@settings(SETTINGS, max_examples=300)
@given(histories, period_weeks)
def test_the_sql_counts_what_the_definitions_say(profiles, history, weeks):
    """(d) The store's numbers equal a brute-force reading of DESIGN §3, week by week."""
    contacts = log_history(profiles[0], history)
    feedback = feedback_of(profiles[0], weeks)
    expected = reference(contacts, weeks)
    assert counts(feedback.totals) == expected.totals
    for w in feedback.weekly:
        assert counts(w) == expected.weekly.get(w.week, dict.fromkeys(COUNTS, 0)), w.week
    assert set(expected.weekly) <= {w.week for w in feedback.weekly}
    assert {p.purpose: (p.rate.n, p.rate.successes) for p in feedback.by_purpose} == {
        purpose: asked_yes for purpose, asked_yes in expected.purposes.items() if asked_yes[0]
    }


# Ana's and Ben's contact in the same second, logged Ana's first into one profile and Ben's
# first into the other (Random(2) reverses two items and then draws ben_first=True).
@example(history=EDGES["same_second"], weeks=12, rnd=random.Random(2))
@settings(SETTINGS, max_examples=100)
@given(histories, period_weeks, st.randoms(use_true_random=False))
def test_the_order_contacts_were_logged_in_does_not_matter(profiles, history, weeks, rnd):
    """(a) The same contacts, logged in another order into another profile (with its own
    team secret, so other pseudonyms, and other ids): the same numbers, same-second
    contacts included."""
    first, second = profiles
    log_history(first, history)
    shuffled = list(history)
    rnd.shuffle(shuffled)
    log_history(second, shuffled, ben_first=rnd.random() < 0.5)
    one, other = feedback_of(first, weeks), feedback_of(second, weeks)
    assert one.totals == other.totals
    assert one.weekly == other.weekly
    assert sorted(one.by_purpose, key=lambda p: p.purpose) == sorted(
        other.by_purpose, key=lambda p: p.purpose
    )


@SETTINGS
@given(histories, period_weeks, st.integers(7, 69), st.sampled_from(SLOTS), st.data())
def test_a_confirmed_first_contact_never_lowers_fcr(profiles, history, weeks, day, slot, data):
    """(b) One more of Ana's contacts, settled and in the period, confirmed by a customer
    nobody else has seen, with no prior contacts: FCR gets one more yes out of one more."""
    profile = profiles[0]
    first_day = (NOW.date() - timedelta(days=NOW.weekday())) - timedelta(weeks=weeks - 1)
    period_start = datetime.combine(first_day, datetime.min.time(), tzinfo=timezone.utc)
    # Settled (at least one window old), and inside the period (2 weeks end 12 h later).
    at = max(min(NOW - timedelta(days=day, seconds=slot), NOW - WINDOW), period_start)
    log_history(profile, history)
    before = feedback_of(profile, weeks).totals
    service = ContactService(profile, clock=lambda: NOW)
    service.log(
        {
            "at": at.isoformat(),
            "channel": data.draw(st.sampled_from(CHANNELS)),
            "purpose": data.draw(st.sampled_from(PURPOSES)),
            "outcome": "resolved",
            "verdict": "yes",
            "customer_ref": "NEW-CUSTOMER-9",  # nobody else's reference, in any spelling
            "prior_contacts": 0,
        }
    )
    after = feedback_of(profile, weeks).totals
    assert (after.fcr_yes, after.fcr_n) == (before.fcr_yes + 1, before.fcr_n + 1)
    if before.fcr_n:
        assert Fraction(after.fcr_yes, after.fcr_n) >= Fraction(before.fcr_yes, before.fcr_n)
    # Nobody else's numbers moved: the newcomer has no neighbour, and is nobody's.
    assert after.repeats == before.repeats
    assert after.repeat_n == before.repeat_n + 1


@SETTINGS
@given(histories, period_weeks)
def test_every_rate_is_a_share_inside_its_interval(profiles, history, weeks):
    """(c) Whatever the history: rates within [0, 1], inside their Wilson interval."""
    log_history(profiles[0], history)
    feedback = feedback_of(profiles[0], weeks)
    for key, r in feedback.rates.items():
        assert 0 <= r.successes <= r.n, key
        if r.value is None:
            assert r.n < 10, key
        else:
            assert 0.0 <= r.low <= r.value <= r.high <= 1.0, (key, r)
    for p in feedback.by_purpose:
        if p.rate.value is not None:
            assert 0.0 <= p.rate.low <= p.rate.value <= p.rate.high <= 1.0, p
    t = feedback.totals
    assert t.fcr_yes <= t.fcr_n <= t.asked <= t.contacts
    assert t.fcr_yes <= t.confirmed <= t.asked
    assert t.repeats <= t.repeat_n <= t.contacts - t.pending


def test_the_stores_of_both_profiles_are_separate(profiles):
    """The order test compares two profiles; they must not share a database or a secret."""
    first, second = profiles
    assert first.store.path != second.store.path
    assert first.team_secret != second.team_secret
