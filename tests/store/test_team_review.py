"""Team review queries on a lead's real store: filters, search, paging and their plans.

The team is real (a lead and two agents on a shared folder, contacts logged through
ContactService and synced); volume comes from plain SQL inserts into a lead's store, whose
rows are then listed page by page against the order worked out here in Python.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxcompanion.domain.enums import Channel, Outcome, Verdict
from cxcompanion.domain.ids import new_id
from cxcompanion.services.contacts import ContactService
from cxcompanion.services.evaluations import EvaluationService
from cxcompanion.services.ideas_board import IdeasService
from cxcompanion.services.profile import Profile
from cxcompanion.store import bulk_load, metrics_queries
from cxcompanion.store.team_review import ReviewFilter, TeamReview, summaries_sql
from tests.conftest import raw_contact
from tests.sync.test_importer import Team

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
SCORES = {
    "understood_need": 3, "correct_solution": 2, "checked_resolution": 2,
    "prevented_repeat": "na", "records": 1, "empathy": 3, "tone": 2, "ownership": 1,
    "listened_to_leave": "na", "idea_captured": "na",
}  # fmt: skip


@pytest.fixture
def team(tmp_path):
    made = Team(tmp_path)
    yield made
    made.close()


def log(profile: Profile, at: str, **changes) -> str:
    service = ContactService(profile, clock=lambda: NOW)
    return service.log(raw_contact(at=at, **changes)).id


def survey(profile: Profile, contact_id: str, resolved: int | None, answered_at: str) -> None:
    """A survey answer as a lead's survey import stores it (matched to the contact)."""
    agent = profile.store.conn.execute(
        "SELECT agent FROM contacts WHERE id = ?", (contact_id,)
    ).fetchone()[0]
    with profile.store.transaction() as conn:
        conn.execute(
            "INSERT INTO survey_answers (id, writer, revision, updated_at, deleted, contact_id, "
            "agent, answered_at, csat, nps, resolved, comment) "
            "VALUES (?, 'survey-tool', 1, ?, 0, ?, ?, ?, 5, 9, ?, 'quick and kind')",
            (new_id(), answered_at, contact_id, agent, answered_at, resolved),
        )


def log_team(team: Team) -> dict[str, str]:
    """Ana's and Ben's contacts, synced to Lena; logged in an order other than their time's,
    so the search's time order is not the order the search index knows."""
    ids = {
        "refund": log(team.ana, "2026-11-20T09:00:00Z", notes="a giraffe on the invoice"),
        "cancel": log(
            team.ana, "2026-11-24T10:00:00Z", purpose="cancellation.cancel_subscription",
            verdict="unsure", detail="wanted to cancel, offered a pause", cancel_intent=True,
            cancel_reason="price", stayed=True,
            ideas=[{"text": "Let me pause my plan from the app", "area": "mobile_app"}],
        ),
        "chat": log(
            team.ana, "2026-11-22T15:30:00Z", channel="chat", outcome="info_only",
            purpose="orders.where_is_my_order", verdict="not_asked", detail="parcel refund late",
        ),
        "ben_old": log(team.ben, "2026-10-01T08:00:00Z", verdict="no", outcome="escalated",
                       notes="giraffe again, escalated to billing"),
        "ben_new": log(team.ben, "2026-11-28T17:45:00Z", channel="email",
                       ideas=[{"text": "pause by e-mail", "area": "billing"}]),
    }  # fmt: skip
    deleted = log(team.ana, "2026-11-25T08:00:00Z", notes="giraffe, logged by mistake")
    ContactService(team.ana, clock=lambda: NOW).delete(deleted)
    team.sync(team.ana, team.ben, team.lead)
    # The customer of the chat said "yes" in the survey: that is their verdict now.
    survey(team.lead, ids["chat"], 1, "2026-11-23T09:00:00Z")
    # Ben's escalation: the agent logged "no", the survey's latest answer says "yes"
    survey(team.lead, ids["ben_old"], 0, "2026-10-02T09:00:00Z")
    survey(team.lead, ids["ben_old"], 1, "2026-10-05T09:00:00Z")
    EvaluationService(team.lead, clock=lambda: NOW).evaluate(ids["refund"], SCORES)
    return ids


@pytest.fixture
def logged(team):
    return log_team(team)


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One team for the read-only tests (a team takes half a second to set up)."""
    made = Team(tmp_path_factory.mktemp("shared"))
    ids = log_team(made)
    yield made, ids
    made.close()


def listed(queries: TeamReview, f: ReviewFilter, *, limit: int = 200, budget: int = 2000):
    """Every row id of a listing, page after page, as the table model walks it."""
    rowids, after = [], None
    for _ in range(10_000):
        page = queries.page(f, after=after, limit=limit, budget=budget)
        assert len(page.rowids) <= limit
        rowids += page.rowids
        after = page.cursor
        if page.exhausted:
            return rowids
    raise AssertionError("the listing never ended")


def ids_of(queries: TeamReview, f: ReviewFilter) -> list[str]:
    if f.fts is not None:
        rowids = list(queries.matching(f))
    else:
        rowids = listed(queries, f)
        assert rowids == list(queries.matching(f))
    assert queries.count(f) == len(rowids)
    found = queries.summaries(rowids)
    return [found[r].id for r in rowids]


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        ({}, ["ben_new", "cancel", "chat", "refund", "ben_old"]),
        ({"agent": "Ana"}, ["cancel", "chat", "refund"]),
        ({"agent": "Ben"}, ["ben_new", "ben_old"]),
        ({"purposes": ("cancellation.cancel_subscription",)}, ["cancel"]),
        ({"purposes": ("billing.refund", "orders.where_is_my_order")},
         ["ben_new", "chat", "refund", "ben_old"]),
        ({"outcome": "info_only"}, ["chat"]),
        ({"channel": "email"}, ["ben_new"]),
        # the customer's verdict: a survey answer overrides what the agent logged
        ({"verdict": "yes"}, ["ben_new", "chat", "refund", "ben_old"]),
        ({"verdict": "no"}, []),
        ({"verdict": "not_asked"}, []),
        ({"verdict": "unsure"}, ["cancel"]),
        ({"start": "2026-11-22T15:30:00Z", "end": "2026-11-28T17:45:00Z"}, ["cancel", "chat"]),
        ({"start": "2026-11-01T00:00:00Z", "agent": "Ben"}, ["ben_new"]),
        ({"has_ideas": True}, ["ben_new", "cancel"]),
        ({"cancel_intent": True}, ["cancel"]),
        ({"evaluated": True}, ["refund"]),
        ({"evaluated": False}, ["ben_new", "cancel", "chat", "ben_old"]),
        ({"agent": "Ana", "has_ideas": True, "cancel_intent": True, "verdict": "unsure"},
         ["cancel"]),
        ({"agent": "Zed"}, []),
    ],
)  # fmt: skip
def test_filters_give_exactly_the_right_contacts_newest_first(shared, wanted, expected):
    team, logged = shared
    queries = TeamReview(team.lead.store)
    assert ids_of(queries, ReviewFilter(**wanted)) == [logged[name] for name in expected]


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        # newest first by the contact's time, though logged refund, cancel, chat, then Ben
        ({"search": "giraffe"}, ["refund", "ben_old"]),
        ({"search": "GIRAF"}, ["refund", "ben_old"]),  # the last word as a prefix, any case
        ({"search": "pause"}, ["ben_new", "cancel"]),  # in an idea, in the detail
        ({"search": "refund"}, ["chat"]),
        ({"search": "pause my pl"}, ["cancel"]),
        ({"search": "giraffe", "agent": "Ben"}, ["ben_old"]),
        ({"search": "giraffe", "verdict": "yes", "start": "2026-11-01T00:00:00Z"}, ["refund"]),
        ({"search": "pause", "has_ideas": True, "evaluated": False}, ["ben_new", "cancel"]),
        ({"search": '"AND'}, []),  # query syntax typed by a person is read as text
        ({"search": "mistake"}, []),  # the deleted contact
    ],
)
def test_search_finds_words_and_keeps_the_time_order(shared, wanted, expected):
    team, logged = shared
    queries = TeamReview(team.lead.store)
    assert ids_of(queries, ReviewFilter(**wanted)) == [logged[name] for name in expected]


def test_the_customer_verdict_is_the_one_my_feedback_counts(team, logged):
    """The same rule as the metrics: a survey answer replaces the verdict the agent logged."""
    queries = TeamReview(team.lead.store)
    confirmed = queries.count(ReviewFilter(agent="Ben", verdict="yes"))
    weeks, _, _ = metrics_queries.metrics_counts(
        team.lead.store, agent="Ben", start="2026-01-01T00:00:00Z", end="2026-12-01T00:00:00Z",
        settled="2026-11-23T00:00:00Z", window_days=7,
    )  # fmt: skip
    assert confirmed == sum(w.confirmed for w in weeks) == 2
    rows = queries.summaries(list(queries.matching(ReviewFilter(agent="Ben"))))
    shown = {r.id: (r.logged_verdict, r.survey_verdict, r.verdict) for r in rows.values()}
    assert shown == {
        logged["ben_new"]: ("yes", None, "yes"),
        logged["ben_old"]: ("no", "yes", "yes"),  # the latest answer wins
    }


def test_a_summary_carries_ideas_and_evaluators(team, logged, tmp_path):
    second = Profile(tmp_path / "olga")
    team.opened.append(second)
    second.set_up("Olga", "North", "lead", str(team.share))
    team.approve()
    team.sync(team.lead, second)
    EvaluationService(second, clock=lambda: NOW).evaluate(logged["refund"], SCORES)
    team.sync(second, team.lead)
    queries = TeamReview(team.lead.store)
    rows = queries.summaries([queries.rowid_of(logged[n]) for n in ("refund", "cancel")])
    by_id = {r.id: r for r in rows.values()}
    assert by_id[logged["refund"]].evaluators == ("Lena", "Olga")
    assert by_id[logged["cancel"]].evaluators == ()
    assert by_id[logged["cancel"]].idea_count == 1
    assert by_id[logged["cancel"]].cancel_intent and by_id[logged["cancel"]].stayed is True


def test_the_detail_of_a_contact_has_its_ideas_status_and_survey_answers(team, logged):
    queries = TeamReview(team.lead.store)
    cancel = queries.detail(logged["cancel"])
    assert cancel.contact.agent == "Ana" and cancel.contact.cancel_reason == "price"
    (idea,) = cancel.contact.ideas
    assert cancel.idea_status == {}
    IdeasService(team.lead, clock=lambda: NOW).decide(idea.id, "planned", "next release")
    assert queries.detail(logged["cancel"]).idea_status == {idea.id: "planned"}
    ben_old = queries.detail(logged["ben_old"])
    assert [(s.answered_at, s.resolved) for s in ben_old.surveys] == [
        ("2026-10-05T09:00:00Z", True),
        ("2026-10-02T09:00:00Z", False),
    ]
    assert ben_old.customer_verdict == "yes" and ben_old.surveys[0].comment == "quick and kind"
    assert queries.detail("no-such-contact") is None


def test_agents_are_the_people_with_live_contacts(team, logged):
    assert TeamReview(team.lead.store).agents() == ["Ana", "Ben"]
    # An agent's store keeps blank rows of colleagues' contacts: never listed there.
    team.sync(team.ana)
    ana = TeamReview(team.ana.store)
    assert ana.agents() == ["Ana"]
    assert ids_of(ana, ReviewFilter()) == [logged[n] for n in ("cancel", "chat", "refund")]


# -- volume: SQL inserts into a lead store ---------------------------------------------------

AGENTS = ("Ana", "Ben", "Chloe", "Dev")
_START = datetime(2026, 6, 1, tzinfo=timezone.utc)


def fill(profile: Profile, count: int, seed: int = 7) -> list[dict]:
    """`count` contacts of four agents with random fields, many sharing the same second
    (so the paging's tie-break on the rowid is exercised), some with ideas and evaluations;
    returned as dicts for the expected listings."""
    rng = random.Random(seed)
    rows, ideas, evaluations = [], [], []
    for n in range(count):
        at = _START + timedelta(minutes=rng.choice(range(0, count * 3, 3)))
        row = {
            "id": new_id(), "agent": rng.choice(AGENTS),
            "at": at.strftime("%Y-%m-%dT%H:%M:%SZ"), "channel": rng.choice(Channel.codes()),
            "purpose": rng.choice(["billing.refund", "orders.where_is_my_order"]),
            "outcome": rng.choice(Outcome.codes()), "verdict": rng.choice(Verdict.codes()),
            "cancel_intent": int(rng.random() < 0.2), "deleted": int(rng.random() < 0.05),
            "detail": rng.choice(["zebra crossing", "parcel late", "refund twice"]) + f" n{n}",
        }  # fmt: skip
        row["ideas"] = rng.random() < 0.15
        row["evaluated"] = rng.random() < 0.1
        rows.append(row)
        if row["ideas"]:
            ideas.append((new_id(), "w", 1, row["at"], 0, row["id"], "an idea", "billing"))
        if row["evaluated"]:
            evaluations.append((new_id(), "w", 1, row["at"], 0, row["id"], row["agent"], "Lena"))
    store = profile.store
    with store.transaction() as conn:
        for row in rows:
            cur = conn.execute(
                "INSERT INTO contacts (id, writer, revision, updated_at, deleted, agent, at, "
                "channel, purpose, detail, outcome, verdict, prior_contacts, cancel_intent) "
                "VALUES (?, 'w', 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
                (row["id"], row["at"], row["deleted"], row["agent"], row["at"], row["channel"],
                 row["purpose"], row["detail"], row["outcome"], row["verdict"],
                 row["cancel_intent"]),
            )  # fmt: skip
            row["rowid"] = cur.lastrowid
            if not row["deleted"]:
                conn.execute(
                    "INSERT INTO contacts_fts (rowid, detail, notes, ideas) VALUES (?, ?, '', '')",
                    (row["rowid"], row["detail"]),
                )
        conn.executemany(
            "INSERT INTO ideas (id, writer, revision, updated_at, deleted, contact_id, text, "
            "area) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            ideas,
        )
        conn.executemany(
            "INSERT INTO evaluations (id, writer, revision, updated_at, deleted, contact_id, "
            "agent, evaluator) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            evaluations,
        )
    return rows


def expected(rows: list[dict], f: ReviewFilter) -> list[int]:
    def keep(r: dict) -> bool:
        words = f.search.lower().split()
        return (
            not r["deleted"]
            and (f.agent is None or r["agent"] == f.agent)
            and (not f.purposes or r["purpose"] in f.purposes)
            and (f.outcome is None or r["outcome"] == f.outcome)
            and (f.channel is None or r["channel"] == f.channel)
            and (f.verdict is None or r["verdict"] == f.verdict)
            and (f.start is None or r["at"] >= f.start)
            and (f.end is None or r["at"] < f.end)
            and (not f.has_ideas or r["ideas"])
            and (not f.cancel_intent or r["cancel_intent"])
            and (f.evaluated is None or r["evaluated"] == f.evaluated)
            and all(
                any(t.startswith(w) if i == len(words) - 1 else t == w for t in _tokens(r))
                for i, w in enumerate(words)
            )
        )

    kept = sorted((r for r in rows if keep(r)), key=lambda r: (r["at"], r["rowid"]), reverse=True)
    return [r["rowid"] for r in kept]


def _tokens(row: dict) -> list[str]:
    return row["detail"].lower().split()


@pytest.fixture
def lead(tmp_path):
    profile = Profile(tmp_path / "lead")
    profile.set_up("Lena", "North", "lead")
    yield profile
    profile.close()


def test_pages_across_a_page_boundary_have_no_duplicates_or_gaps(lead):
    rows = fill(lead, 1000)
    queries = TeamReview(lead.store)
    since = sorted(r["at"] for r in rows)[100]  # ~900 contacts from then on
    for f in (ReviewFilter(), ReviewFilter(agent="Ben"), ReviewFilter(start=since)):
        first = queries.page(f, limit=200)
        assert len(first.rowids) == 200 and not first.exhausted
        second = queries.page(f, after=first.cursor, limit=200)
        both = first.rowids + second.rowids
        assert both == expected(rows, f)[:400]
        assert len(set(both)) == len(both) == min(400, len(expected(rows, f)))
        assert listed(queries, f) == expected(rows, f)


filters = st.builds(
    ReviewFilter,
    agent=st.none() | st.sampled_from(AGENTS),
    purposes=st.sampled_from([(), ("billing.refund",), ("billing.refund", "x.y")]),
    outcome=st.none() | st.sampled_from(Outcome.codes()),
    verdict=st.none() | st.sampled_from(Verdict.codes()),
    channel=st.none() | st.sampled_from(Channel.codes()),
    start=st.none() | st.sampled_from(["2026-06-01T05:00:00Z", "2026-06-01T12:00:00Z"]),
    end=st.none() | st.sampled_from(["2026-06-01T10:00:00Z", "2026-06-01T18:00:00Z"]),
    has_ideas=st.booleans(),
    cancel_intent=st.booleans(),
    evaluated=st.none() | st.booleans(),
    search=st.sampled_from(["", "", "zebra", "parcel la", "refund", "n1"]),
)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(f=filters, limit=st.integers(1, 60), budget=st.integers(1, 90))
def test_every_filter_pages_to_what_python_expects(lead_rows, f, limit, budget):
    """Pages of any size with any walking budget join into exactly the expected listing."""
    profile, rows = lead_rows
    queries = TeamReview(profile.store)
    wanted = expected(rows, f)
    if f.fts is None:
        assert listed(queries, f, limit=limit, budget=budget) == wanted
    assert list(queries.matching(f)) == wanted
    assert queries.count(f) == len(wanted)


@pytest.fixture(scope="module")
def lead_rows(tmp_path_factory):
    profile = Profile(tmp_path_factory.mktemp("volume") / "lead")
    profile.set_up("Lena", "North", "lead")
    rows = fill(profile, 400, seed=11)
    yield profile, rows
    profile.close()


# -- query plans -----------------------------------------------------------------------------

_BY_TIME = "contacts_by_time"


def _full_scans(lines: list[str]) -> list[str]:
    # "SCAN c" alone is a walk of the whole table; "SCAN c USING INDEX" would be a whole index
    return [line for line in lines if line.startswith("SCAN c") or line.startswith("SCAN contacts")]


@pytest.mark.parametrize(
    ("f", "index"),
    [
        (ReviewFilter(), "contacts_by_time"),
        (ReviewFilter(agent="Ben"), "contacts_by_agent"),
        (
            ReviewFilter(start="2026-06-01T00:00:00Z", end="2026-06-02T00:00:00Z"),
            "contacts_by_time",
        ),
        (ReviewFilter(agent="Ben", start="2026-06-01T00:00:00Z"), "contacts_by_agent"),
        (ReviewFilter(verdict="yes", has_ideas=True, evaluated=False), "contacts_by_time"),
    ],
)
def test_listings_walk_an_index_never_the_whole_table(lead, f, index):
    fill(lead, 300)
    queries = TeamReview(lead.store)
    for after in (None, ("2026-06-01T12:00:00Z", 150)):
        plan = queries.plan(f, after=after)
        assert _full_scans(plan) == [], plan
        searches = [line for line in plan if line.startswith("SEARCH c USING")]  # top level
        assert len(searches) == 2 and all(index in line for line in searches), plan
        # the walk reads the index in its own order: never a sort of the listing
        assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan


@pytest.mark.parametrize("count", [1, 100, 500])
def test_rows_are_read_by_rowid_whatever_the_number(lead, count):
    """With a long IN list SQLite would rather walk the whole time index (deleted = 0)."""
    fill(lead, 300)
    plan = [
        r[3]
        for r in lead.store.conn.execute(
            f"EXPLAIN QUERY PLAN {summaries_sql(count)}", list(range(count))
        )
    ]
    assert plan[0] == "SEARCH c USING INTEGER PRIMARY KEY (rowid=?)", plan
    assert not any(line.startswith(("SCAN c", "SEARCH c USING COVERING")) for line in plan)


def test_a_search_is_driven_by_the_search_index(lead):
    fill(lead, 300)
    plan = TeamReview(lead.store).plan(ReviewFilter(search="zebra", agent="Ben"))
    assert _full_scans(plan) == [], plan
    assert any("contacts_fts VIRTUAL TABLE" in line for line in plan), plan
    assert any("SEARCH c USING INTEGER PRIMARY KEY (rowid=?)" in line for line in plan), plan


def test_a_page_call_looks_at_no_more_than_its_budget(lead):
    """A filter nothing matches ends a call after `budget` entries, saying where it stopped."""
    rows = fill(lead, 500)
    queries = TeamReview(lead.store)
    f = ReviewFilter(agent="Ana", outcome="resolved", channel="phone", verdict="no", has_ideas=True)
    page = queries.page(f, limit=200, budget=50)
    live = expected(rows, ReviewFilter(agent="Ana"))
    assert not page.exhausted or len(live) <= 50
    assert page.cursor is not None
    stop = next(r for r in rows if r["rowid"] == live[49])
    assert page.cursor == (stop["at"], stop["rowid"])  # the 50th of Ana's contacts
    assert page.rowids == [r for r in expected(rows, f) if r in live[:50]]


def test_a_page_call_on_an_empty_store_ends_at_once(lead):
    page = TeamReview(lead.store).page(ReviewFilter())
    assert (page.rowids, page.cursor, page.exhausted) == ([], None, True)
    with pytest.raises(ValueError, match="matching"):
        TeamReview(lead.store).page(ReviewFilter(search="x"))


def test_listings_still_work_while_a_first_import_has_the_indexes_away(lead):
    """A lead may open the page while a history import runs (store/bulk_load.py)."""
    rows = fill(lead, 300)
    bulk_load.begin(lead.store)
    queries = TeamReview(lead.store)
    for f in (ReviewFilter(), ReviewFilter(agent="Ana"), ReviewFilter(evaluated=True)):
        assert listed(queries, f, limit=50) == expected(rows, f)
        assert queries.count(f) == len(expected(rows, f))
    assert queries.agents() == sorted({r["agent"] for r in rows if not r["deleted"]})
    bulk_load.finish(lead.store)
    assert listed(queries, ReviewFilter(agent="Ana")) == expected(rows, ReviewFilter(agent="Ana"))
