"""Contacts in a real profile database: round trips, masking, revisions, tombstones, search,
paging and drafts, checked through the service and against the raw rows on disk."""

from __future__ import annotations

import contextlib
import re
import sqlite3
from datetime import datetime, timedelta, timezone
from itertools import islice
from pathlib import Path

import pytest

from cxcompanion.domain.enums import Channel, Outcome, Verdict
from cxcompanion.domain.redaction import pseudonymise
from cxcompanion.services.contacts import ContactService
from cxcompanion.services.profile import Profile
from cxcompanion.store.contacts import iter_contacts
from cxcompanion.store.database import DATABASE_NAME
from cxcompanion.store.errors import NotFoundError
from cxcompanion.store.migrations import SCHEMA_VERSION
from tests.conftest import raw_contact

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
ISO_Z = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


class Clock:
    """A clock the test moves, so that every revision's updated_at is known."""

    def __init__(self, now: datetime = NOW):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def tick(self, minutes: int = 1) -> str:
        self.now += timedelta(minutes=minutes)
        return self.now.strftime("%Y-%m-%dT%H:%M:%SZ")


@contextlib.contextmanager
def open_service(folder: Path, clock: Clock | None = None):
    profile = Profile(folder)
    try:
        if not profile.is_set_up:
            profile.set_up("Ana", "North", "agent")
        yield ContactService(profile, clock=clock or Clock())
    finally:
        profile.close()


@contextlib.contextmanager
def raw_db(folder: Path):
    """The profile's file through a plain, separate sqlite3 connection."""
    conn = sqlite3.connect(folder / DATABASE_NAME)
    try:
        yield conn
    finally:
        conn.close()


@pytest.fixture
def folder(tmp_path) -> Path:
    return tmp_path / "profile"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def svc(folder, clock):
    with open_service(folder, clock) as service:
        yield service


def row(conn: sqlite3.Connection, sql: str, *args) -> tuple:
    found = conn.execute(sql, args).fetchone()
    assert found is not None, sql
    return found


def listed_ids(service: ContactService, search: str = "", limit: int = 200) -> list[str]:
    """Every id of a listing, fetched page by page with the keyset cursor."""
    ids: list[str] = []
    after = None
    total = service.count(search)
    for _ in range(total // limit + 2):  # a cursor that does not move must fail, not hang
        page = service.page(search=search, after=after, limit=limit)
        if not page:
            return ids
        assert len(page) <= limit
        ids += [s.id for s in page]
        after = (page[-1].at, page[-1].rowid)
    raise AssertionError(f"paging did not end after {total} contacts: {len(ids)} listed")


# -- round trip ---------------------------------------------------------------------------

FULL = raw_contact(
    at="2026-03-14T09:26:53+01:00",
    channel="email",
    purpose="account.plan_change",
    outcome="follow_up",
    verdict="unsure",
    detail="wants a cheaper plan for the café",
    prior_contacts=2,
    prior_channels=["chat", "phone", "chat"],
    customer_ref="AB-123 45",
    ideas=[
        {"text": "let me pause my plan from the app", "area": "mobile_app"},
        {"text": "show the price per month, not per year", "area": "pricing"},
    ],
    cancel_intent=True,
    cancel_reason="price",
    stayed="yes",
    mood_start=-2,
    mood_end=1,
    notes="offered the smaller plan\nshe will think about it",
)


def test_every_field_survives_a_round_trip_through_the_file(folder, clock):
    with open_service(folder, clock) as service:
        logged = service.log(FULL)
        device = service.profile.device_id
        secret = service.profile.team_secret
        assert service.get(logged.id) == logged
    with open_service(folder, clock) as service:  # from disk, not from a cache
        got = service.get(logged.id)
        summary = service.page()[0]
    assert got == logged
    assert got.envelope.writer == device
    assert got.revision == 1
    assert not got.deleted
    assert got.envelope.updated_at == "2026-11-20T12:00:00Z"
    assert got.agent == "Ana"
    assert got.at == "2026-03-14T08:26:53Z"  # the moment, in UTC
    assert got.channel is Channel.EMAIL
    assert got.purpose == "account.plan_change"
    assert got.outcome is Outcome.FOLLOW_UP
    assert got.verdict is Verdict.UNSURE
    assert got.detail == "wants a cheaper plan for the café"
    assert got.prior_contacts == 2
    assert got.prior_channels == (Channel.CHAT, Channel.PHONE)
    assert got.customer_hash == pseudonymise(secret, "ab12345")
    assert got.cancel_intent is True
    assert got.cancel_reason == "price"
    assert got.stayed is True
    assert (got.mood_start, got.mood_end) == (-2, 1)
    assert got.notes == "offered the smaller plan\nshe will think about it"
    assert [(i.text, i.area) for i in got.ideas] == [
        ("let me pause my plan from the app", "mobile_app"),
        ("show the price per month, not per year", "pricing"),
    ]
    for idea in got.ideas:
        assert idea.contact_id == got.id
        assert (idea.envelope.writer, idea.envelope.revision) == (device, 1)
        assert not idea.envelope.deleted
    assert len({got.id, *(i.id for i in got.ideas)}) == 3
    assert (summary.id, summary.at, summary.idea_count) == (got.id, got.at, 2)
    assert (summary.cancel_intent, summary.stayed) == (True, True)


def test_false_and_empty_values_stay_distinct_from_missing_ones(svc):
    left = svc.log(raw_contact(cancel_reason="moving", stayed="no", mood_start=0, mood_end=0))
    plain = svc.log(raw_contact())
    got_left, got_plain = svc.get(left.id), svc.get(plain.id)
    assert (got_left.cancel_intent, got_left.cancel_reason, got_left.stayed) == (
        True,
        "moving",
        False,
    )
    assert (got_left.mood_start, got_left.mood_end) == (0, 0)
    assert (got_plain.cancel_intent, got_plain.cancel_reason, got_plain.stayed) == (
        False,
        None,
        None,
    )
    assert (got_plain.mood_start, got_plain.mood_end) == (None, None)
    assert got_plain.customer_hash is None
    assert got_plain.prior_channels == ()
    assert got_plain.ideas == ()
    assert got_plain.notes == ""


# -- personal data -------------------------------------------------------------------------

CARD = "4539 1488 0343 6467"  # Luhn-valid
EMAIL = "zelda.qwxyz@mailhost-unique.org"
PHONE = "+44 20 7946 0958"
REFERENCE = "QZ-REF Hollow 7734"
# What must appear nowhere in the file: the values, and the distinctive parts of them.
FORBIDDEN = (
    CARD,
    CARD.replace(" ", ""),
    EMAIL,
    "zelda",
    "qwxyz",
    "mailhost",
    PHONE,
    "7946 0958",
    "79460958",
    "hollow",
    "qz-ref",
    "qzref",
)


def _every_stored_value(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(table, value as text) for every value of every table, the FTS index's own included."""
    values = []
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        for stored in conn.execute(f"SELECT * FROM [{table}]"):
            for value in stored:
                if isinstance(value, bytes):
                    value = value.decode("latin-1")
                if value is not None:
                    values.append((table, str(value)))
    return values


def test_personal_data_is_masked_before_it_is_stored(svc, folder):
    logged = svc.log(
        raw_contact(
            detail=f"card {CARD} and mail {EMAIL}",
            notes=f"call back on {PHONE}; card was {CARD.replace(' ', '')}; {EMAIL}",
            customer_ref=REFERENCE,
            ideas=[{"text": f"write to {EMAIL} or ring {PHONE}", "area": "communication"}],
        )
    )
    svc.amend(
        logged.id,
        {
            **svc.to_raw(svc.get(logged.id)),
            "notes": f"amended: {PHONE} {CARD}",
            "ideas": [{"text": f"a new idea from {EMAIL}", "area": "service"}],
        },
    )
    with raw_db(folder) as conn:
        detail, notes, customer_hash = row(
            conn, "SELECT detail, notes, customer_hash FROM contacts WHERE id = ?", logged.id
        )
        texts = [r[0] for r in conn.execute("SELECT text FROM ideas ORDER BY id")]
        stored = _every_stored_value(conn)
    assert detail == "card [card] and mail [email]"
    assert notes == "amended: [phone] [card]"
    assert texts == ["write to [email] or ring [phone]", "a new idea from [email]"]
    assert re.fullmatch(r"[0-9a-f]{32}", customer_hash)
    assert customer_hash == pseudonymise(svc.profile.team_secret, REFERENCE)
    leaks = [
        (table, value)
        for table, value in stored
        for secret in FORBIDDEN
        if secret.casefold() in value.casefold()
    ]
    assert not leaks, leaks
    # Nor anywhere in the bytes on disk (free pages, the write-ahead log).
    for path in folder.iterdir():
        data = path.read_bytes().lower()
        for word in (b"zelda", b"qwxyz", b"mailhost", b"hollow"):
            assert word not in data, (path.name, word)


def test_searching_for_personal_data_finds_nothing(svc):
    svc.log(raw_contact(detail=f"card {CARD} mail {EMAIL}", notes=f"phone {PHONE}"))
    assert svc.count("card") == 1
    for typed in ("4539", "qwxyz", "zelda", "7946", "mailhost"):
        assert svc.count(typed) == 0, typed


# -- revisions and tombstones ----------------------------------------------------------------


def _two_ideas(**changes):
    return raw_contact(
        customer_ref="C-100",
        ideas=[
            {"text": "pause the plan from the app", "area": "mobile_app"},
            {"text": "paper invoices by post", "area": "billing"},
        ],
        **changes,
    )


def test_amend_makes_a_new_revision_of_the_same_contact(svc, folder, clock):
    first = svc.log(_two_ideas())
    with raw_db(folder) as conn:
        rowid = row(conn, "SELECT rowid FROM contacts WHERE id = ?", first.id)[0]
    stamp = clock.tick()
    raw = {**svc.to_raw(first), "detail": "charged twice, refund given as zebra credit"}
    amended = svc.amend(first.id, raw)
    got = svc.get(first.id)
    assert amended.id == got.id == first.id
    assert got.revision == 2
    assert got.envelope.updated_at == stamp
    assert got.detail == "charged twice, refund given as zebra credit"
    assert got.customer_hash == first.customer_hash  # a blank reference keeps the hash
    assert got.at == first.at
    assert [i.id for i in got.ideas] == [i.id for i in first.ideas]  # unchanged ideas stay
    assert all(i.envelope.revision == 1 for i in got.ideas)
    with raw_db(folder) as conn:
        assert conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == 1
        assert row(conn, "SELECT rowid, revision FROM contacts WHERE id = ?", first.id) == (
            rowid,
            2,
        )
    assert svc.count("zebra") == 1
    assert svc.count("november") == 0  # the old wording is no longer indexed
    svc.amend(first.id, {**svc.to_raw(got), "verdict": "no"})
    assert svc.get(first.id).revision == 3


def test_amend_tombstones_a_removed_idea_instead_of_erasing_it(svc, folder, clock):
    first = svc.log(_two_ideas())
    kept, removed = first.ideas
    stamp = clock.tick()
    raw = svc.to_raw(first)
    raw["ideas"] = [i for i in raw["ideas"] if i["id"] == kept.id]
    raw["ideas"].append({"text": "a loyalty discount", "area": "pricing"})
    svc.amend(first.id, raw)
    got = svc.get(first.id)
    assert [i.text for i in got.ideas] == ["pause the plan from the app", "a loyalty discount"]
    with raw_db(folder) as conn:
        ideas = {
            r[0]: r[1:]
            for r in conn.execute("SELECT id, deleted, revision, updated_at, text FROM ideas")
        }
    assert len(ideas) == 3
    assert ideas[removed.id] == (1, 2, stamp, "paper invoices by post")
    assert ideas[kept.id][:2] == (0, 1)
    added = next(i for i in got.ideas if i.text == "a loyalty discount")
    assert ideas[added.id] == (0, 1, stamp, "a loyalty discount")
    assert svc.count("paper") == 0
    assert svc.count("loyalty") == 1
    assert svc.page()[0].idea_count == 2


def test_delete_tombstones_the_contact_and_restore_brings_it_back(svc, folder, clock):
    other = svc.log(raw_contact(detail="a different matter"))
    first = svc.log(_two_ideas(detail="charged twice for the giraffe invoice"))
    deleted_at = clock.tick()
    svc.delete(first.id)
    with raw_db(folder) as conn:
        assert row(
            conn, "SELECT deleted, revision, updated_at FROM contacts WHERE id = ?", first.id
        ) == (1, 2, deleted_at)
    with pytest.raises(NotFoundError):
        svc.get(first.id)
    assert listed_ids(svc) == [other.id]
    assert svc.count() == 1
    assert svc.count("giraffe") == 0
    assert svc.page(search="giraffe") == []
    assert svc.count("pause") == 0  # its ideas are no longer found either
    with pytest.raises(NotFoundError):
        svc.amend(first.id, raw_contact())

    restored_at = clock.tick()
    svc.restore(first.id)
    got = svc.get(first.id)
    assert (got.revision, got.deleted, got.envelope.updated_at) == (3, False, restored_at)
    assert sorted(i.text for i in got.ideas) == [
        "paper invoices by post",
        "pause the plan from the app",
    ]
    assert sorted(listed_ids(svc)) == sorted([other.id, first.id])
    assert svc.count() == 2
    assert [s.id for s in svc.page(search="giraffe")] == [first.id]
    assert svc.count("pause") == 1
    with raw_db(folder) as conn:
        assert row(conn, "SELECT deleted, revision FROM contacts WHERE id = ?", first.id) == (0, 3)
        assert conn.execute("SELECT count(*) FROM ideas WHERE deleted = 1").fetchone()[0] == 0


def test_deleting_a_contact_tombstones_its_ideas_as_new_revisions(svc, folder, clock):
    first = svc.log(_two_ideas())
    deleted_at = clock.tick()
    svc.delete(first.id)
    with raw_db(folder) as conn:
        ideas = conn.execute("SELECT deleted, revision, updated_at FROM ideas").fetchall()
    assert ideas == [(1, 2, deleted_at), (1, 2, deleted_at)]


def test_restore_does_not_bring_back_an_idea_removed_before_the_delete(svc):
    first = svc.log(_two_ideas())
    raw = svc.to_raw(first)
    raw["ideas"] = raw["ideas"][:1]
    svc.amend(first.id, raw)
    svc.delete(first.id)
    svc.restore(first.id)
    assert [i.text for i in svc.get(first.id).ideas] == ["pause the plan from the app"]
    assert svc.count("paper") == 0


# -- full-text search ----------------------------------------------------------------------


@pytest.fixture
def searchable(svc):
    found = svc.log(
        raw_contact(
            detail="charged twice for the November invoice at the café",
            notes="customer mentioned a flamingo on the envelope",
            ideas=[{"text": "a dark theme for the website", "area": "website"}],
        )
    )
    svc.log(raw_contact(detail="where is my parcel", notes="courier lost it"))
    return svc, found


@pytest.mark.parametrize(
    "typed",
    [
        "november",  # a word in detail
        "flamingo",  # a word in notes
        "theme",  # a word in an idea
        "charged twi",  # the last word as a prefix
        "flam",
        "CAFÉ",  # case folded
        "cafe",  # diacritics folded
        "Novémber",
        "twice november",  # every word, in any order
    ],
)
def test_search_finds_a_contact_by_its_words(searchable, typed):
    service, found = searchable
    assert [s.id for s in service.page(search=typed)] == [found.id]
    assert service.count(typed) == 1


@pytest.mark.parametrize(
    "typed",
    [
        "twi charged",  # only the last word is a prefix
        "november zebra",  # every word must match
        "charged AND twice",  # typed operators are words, not syntax
        "charged OR zebra",
        "charged NOT zebra",
        "NEAR(charged twice)",
        "detail:charged",
    ],
)
def test_search_does_not_match_what_was_not_typed(searchable, typed):
    service, _found = searchable
    assert service.page(search=typed) == []
    assert service.count(typed) == 0


@pytest.mark.parametrize(
    "typed",
    [
        '"',
        '""',
        '"charged',
        'charged"',
        "AND",
        "OR",
        "NOT",
        "NEAR(",
        "NEAR(charged",
        "*",
        "* *",
        "charged*",
        "-",
        "-charged",
        "charged -",
        "(",
        ")",
        "^charged",
        ":",
        "detail:",
        "{detail notes}: x",
        "+",
        "'",
        "a' OR '1'='1",
        "\\",
        "🙂",
        "ﬁ",
        "x" * 500,
    ],
)
def test_typed_search_syntax_never_raises(searchable, typed):
    service, _found = searchable
    listed = service.page(search=typed)
    assert service.count(typed) == len(listed) <= 2


def test_search_with_quotes_and_stars_still_finds_the_words(searchable):
    service, found = searchable
    for typed in ('"charged"', "charged*", '"flamingo', "-november", "(theme)"):
        assert [s.id for s in service.page(search=typed)] == [found.id], typed


# -- keyset paging ---------------------------------------------------------------------------

TOTAL = 1050


def test_keyset_paging_returns_every_contact_once_newest_first(svc):
    # Times out of logging order, with runs of equal times that straddle page boundaries.
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    minutes = [(i * 7919) % 300 for i in range(TOTAL)]
    raws = [
        raw_contact(
            at=(start + timedelta(minutes=m)).isoformat(),
            detail=f"contact number {i} {'parcel' if i % 3 == 0 else 'invoice'}",
        )
        for i, m in enumerate(minutes)
    ]
    saved = svc.log_many(raws)
    ids = [c.id for c in saved]
    assert svc.count() == TOTAL

    # No search: by the moment of the contact, then the latest logged first.
    by_time = [ids[i] for i in sorted(range(TOTAL), key=lambda i: (minutes[i], i), reverse=True)]
    for limit in (1000, 200, 97):
        assert listed_ids(svc, limit=limit) == by_time, limit
    # Search: in the order they were logged, latest first.
    parcels = [ids[i] for i in reversed(range(TOTAL)) if i % 3 == 0]
    assert svc.count("parcel") == len(parcels) == 350
    for limit in (200, 33):
        assert listed_ids(svc, "parcel", limit=limit) == parcels, limit
    assert listed_ids(svc, "contact", limit=200) == ids[::-1]
    # The streaming export walks the same order in batches.
    streamed = iter_contacts(svc.profile.store, batch=128)
    assert [c.id for c in islice(streamed, TOTAL + 1)] == by_time  # islice: never hang
    streamed = iter_contacts(svc.profile.store, "parcel", batch=64)
    assert [c.id for c in islice(streamed, TOTAL + 1)] == parcels

    # Deleted contacts drop out of every listing; nothing else moves.
    gone = {ids[0], ids[3], ids[500], ids[TOTAL - 1]}
    for contact_id in gone:
        svc.delete(contact_id)
    assert listed_ids(svc, limit=200) == [i for i in by_time if i not in gone]
    assert listed_ids(svc, "parcel", limit=200) == [i for i in parcels if i not in gone]
    assert svc.count() == TOTAL - len(gone)
    assert svc.count("parcel") == len(parcels) - 2  # ids[0] and ids[3] were parcels


# -- drafts ----------------------------------------------------------------------------------

DRAFT = {
    "channel": "chat",
    "purpose": "billing.refund",
    "detail": "half-typed: charged twi",
    "prior_channels": ["email", "phone"],
    "ideas": [{"text": "pausa från appen", "area": "mobile_app"}],
    "stayed": None,
    "mood_start": -1,
    "cancel_intent": False,
}


def test_a_draft_round_trips_and_survives_reopening(folder, clock):
    with open_service(folder, clock) as service:
        assert service.load_draft() is None
        service.save_draft(DRAFT)
        assert service.load_draft() == DRAFT
    with open_service(folder, clock) as service:
        assert service.load_draft() == DRAFT
        newer = {**DRAFT, "detail": "half-typed: charged twice"}
        service.save_draft(newer)
        assert service.load_draft() == newer
    with open_service(folder, clock) as service:
        assert service.load_draft() == newer
        service.clear_draft()
        assert service.load_draft() is None
    with open_service(folder, clock) as service:
        assert service.load_draft() is None
        with raw_db(folder) as conn:
            # One draft row, tombstoned with a new revision; the typed text is gone.
            assert conn.execute("SELECT id, deleted, revision, body FROM drafts").fetchall() == [
                ("current", 1, 3, "{}")
            ]
        service.save_draft({"detail": "next one"})
    with open_service(folder, clock) as service:
        assert service.load_draft() == {"detail": "next one"}


def test_the_draft_row_carries_the_envelope(svc, folder, clock):
    stamp = clock.tick()
    svc.save_draft(DRAFT)
    with raw_db(folder) as conn:
        assert row(conn, "SELECT writer, revision, updated_at, deleted FROM drafts") == (
            svc.profile.device_id,
            1,
            stamp,
            0,
        )


def test_logging_a_contact_clears_the_draft_in_the_same_step(svc):
    svc.save_draft(DRAFT)
    svc.log(raw_contact())  # the command line logs beside the window: its draft stays
    assert svc.load_draft() == DRAFT
    svc.log(raw_contact(), clear_draft=True)  # the form's save: the draft goes with it
    assert svc.load_draft() is None


def test_the_live_count_follows_logs_deletes_and_restores(svc, folder):
    logged = svc.log_many([raw_contact() for _ in range(5)])
    svc.delete(logged[0].id)
    svc.delete(logged[1].id)
    svc.restore(logged[1].id)
    svc.amend(logged[2].id, raw_contact(notes="amended"))
    assert svc.count() == 4
    with raw_db(folder) as conn:
        assert conn.execute("SELECT count(*) FROM contacts WHERE deleted = 0").fetchone()[0] == 4


def test_a_version_1_database_gains_the_live_count_on_opening(tmp_path):
    from cxcompanion.services.profile import Profile

    folder = tmp_path / "old"
    profile = Profile(folder)
    profile.set_up("Ana", "North", "agent")
    ContactService(profile).log_many([raw_contact() for _ in range(3)])
    conn = profile.store.conn
    for trigger in ("insert", "delete", "update"):
        conn.execute(f"DROP TRIGGER contact_count_{trigger}")
    conn.execute("DROP TABLE contact_count")
    conn.execute("DROP INDEX contacts_by_agent")  # and migration 3's indexes
    conn.execute("DROP INDEX contacts_by_customer")
    conn.execute("CREATE INDEX contacts_by_customer ON contacts (customer_hash, purpose)")
    for trigger in ("contacts_insert", "contacts_update", "ideas_insert", "ideas_update"):
        conn.execute(f"DROP TRIGGER outbox_{trigger}")  # and migration 4's outbox
    conn.execute("DROP TABLE outbox")
    for table in ("sync_cursor", "sync_quarantine", "sync_parked", "sync_published"):
        conn.execute(f"DROP TABLE {table}")
    for table in ("shared_records",):
        conn.execute(f"DROP TABLE {table}")  # and migration 5's sync tables
    for trigger in ("insert", "update"):
        conn.execute(f"DROP TRIGGER outbox_survey_answers_{trigger}")
    conn.execute("DROP TABLE survey_answers")  # and migration 6's
    from cxcompanion.store.migrations import LEAD_WORKSPACE_TABLES

    for table in LEAD_WORKSPACE_TABLES:  # and migration 7's
        for trigger in ("insert", "update"):
            conn.execute(f"DROP TRIGGER outbox_{table}_{trigger}")
        conn.execute(f"DROP TABLE {table}")
    conn.execute("DELETE FROM _migrations WHERE number >= 2")
    conn.execute("PRAGMA user_version = 1")
    profile.close()
    reopened = Profile(folder)
    try:
        assert reopened.store.schema_version() == SCHEMA_VERSION
        assert ContactService(reopened).count() == 3
        # the contacts made before the outbox existed wait to be published
        queued = reopened.store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
        assert queued == 3
    finally:
        reopened.close()


def test_a_draft_keeps_no_card_number_email_or_phone(svc, folder):
    svc.save_draft(
        {
            "detail": "card 4111 1111 1111 1111",
            "notes": "mail ana@example.com or call +44 20 7946 0958",
            "ideas": [{"text": "text me at 07700 900123", "area": "other"}],
            "customer_ref": "CUST-1",
        }
    )
    draft = svc.load_draft()
    assert draft["detail"] == "card [card]"
    assert draft["notes"] == "mail [email] or call [phone]"
    assert draft["ideas"][0]["text"] == "text me at [phone]"
    assert draft["customer_ref"] == "CUST-1"  # hashed when the contact is saved
