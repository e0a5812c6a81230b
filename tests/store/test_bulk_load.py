"""Bulk loading of a first import: the indexes go and come back exactly as the schema made
them, the search index is whole afterwards, and a crash in between is finished later."""

from __future__ import annotations

import pytest

from cxcompanion.services.contacts import ContactService
from cxcompanion.services.feedback import FeedbackService
from cxcompanion.services.sync import SyncService
from cxcompanion.store import bulk_load
from cxcompanion.sync import importer
from cxcompanion.sync.apply import Applier
from tests.conftest import raw_contact
from tests.sync.test_importer import Team, healthy


@pytest.fixture
def team(tmp_path):
    made = Team(tmp_path)
    yield made
    made.close()


def indexes(profile):
    return dict(
        profile.store.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        ).fetchall()
    )


def test_a_first_import_leaves_indexes_and_search_as_row_by_row(team):
    before = indexes(team.lead)
    service = ContactService(team.ana)
    for n in range(30):
        service.log(raw_contact(detail=f"parcel {n} arrived broken", customer_ref=f"K-{n % 7}"))
    team.sync(team.ana)
    assert not team.lead.store.conn.execute("SELECT 1 FROM sync_cursor").fetchone()
    report = team.sync(team.lead)
    assert report.to_dict()["imported"]["records"] == 30
    assert indexes(team.lead) == before
    assert not bulk_load.in_bulk_load(team.lead.store)
    healthy(team.lead)
    lead_contacts = team.lead.store.conn.execute(
        "SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH 'broken'"
    ).fetchone()[0]
    assert lead_contacts == 30
    # later imports keep the indexes up row by row, as before
    service.log(raw_contact(detail="a second parcel broken"))
    team.sync(team.ana, team.lead)
    assert (
        team.lead.store.conn.execute(
            "SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH 'second'"
        ).fetchone()[0]
        == 1
    )


def test_a_first_import_cut_off_is_finished_by_the_next_sync(team, monkeypatch):
    before = indexes(team.ben)
    for n in range(5):
        ContactService(team.ana).log(raw_contact(detail=f"login loop {n}", customer_ref="K-1"))
    team.sync(team.ana)
    monkeypatch.setattr(bulk_load, "finish", lambda store: None)  # the app killed mid-way
    monkeypatch.setattr(importer.bulk_load, "finish", lambda store: None)
    team.sync(team.ben)
    assert bulk_load.in_bulk_load(team.ben.store)
    assert set(before) - set(indexes(team.ben)) == {
        "contacts_by_time",
        "contacts_by_customer",
        "contacts_by_agent",
    }
    # meanwhile the app still works: saving, listing, feedback (no index hints)
    ContactService(team.ben).log(raw_contact(customer_ref="K-1"))
    assert ContactService(team.ben).count() == 1
    assert FeedbackService(team.ben).compute(weeks=4).totals.contacts == 1
    monkeypatch.undo()
    SyncService(team.ben).sync()
    assert not bulk_load.in_bulk_load(team.ben.store)
    assert indexes(team.ben) == before
    healthy(team.ben)


def test_index_hints_are_dropped_only_for_the_indexes_a_bulk_load_removes():
    sql = (
        "SELECT 1 FROM contacts o INDEXED BY contacts_by_customer JOIN survey_answers s "
        "INDEXED BY survey_answers_by_contact"
    )
    assert bulk_load.without_index_hints(sql) == (
        "SELECT 1 FROM contacts o JOIN survey_answers s INDEXED BY survey_answers_by_contact"
    )


def test_the_search_index_catches_up_in_short_transactions(team, monkeypatch):
    from cxcompanion.sync.importer import Me, import_share

    service = ContactService(team.ana)
    for n in range(12):
        service.log(raw_contact(detail=f"router {n} keeps dropping"))
    team.sync(team.ana)
    lead = team.lead
    roster = team.layout.read_team()
    me = Me(lead.device_id, "Lena", lead.identity.role)
    import_share(lead.store, team.layout, roster, me)  # the import alone: no search yet
    assert bulk_load.search_pending(lead.store) is not None
    count = "SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH 'router'"
    assert lead.store.conn.execute(count).fetchone() == (0,)
    # the list is there at once; the search index follows a few rows at a time
    assert lead.store.conn.execute(
        "SELECT count(*) FROM contacts WHERE agent = 'Ana'"
    ).fetchone() == (12,)
    calls = iter([False, True])
    done = bulk_load.catch_up_search(lead.store, chunk=5, should_stop=lambda: next(calls))
    assert done == 5 and bulk_load.search_pending(lead.store)[0] == 5
    # a change meanwhile (a later import amending a contact) stays right
    first = service.page()[-1].id
    service.amend(first, raw_contact(detail="modem replaced"))
    team.sync(team.ana, team.lead)  # the sync finishes the catch-up
    assert bulk_load.search_pending(lead.store) is None
    assert lead.store.conn.execute(count).fetchone() == (11,)
    modem = "SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH 'modem'"
    assert lead.store.conn.execute(modem).fetchone() == (1,)
    healthy(lead)


def triggers(profile):
    return dict(
        profile.store.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
        ).fetchall()
    )


def test_a_bulk_load_drops_triggers_only_inside_its_transactions(team, tmp_path, monkeypatch):
    for n in range(3):
        ContactService(team.ana).log(raw_contact(detail=f"refund {n}"))
    team.sync(team.ana)
    laptop = team.profile(tmp_path / "ana-laptop", "Ana", "agent")
    team.opened.append(laptop)
    team.approve()
    before = triggers(laptop)
    # an import transaction that fails half-way gives every trigger back (the rollback)
    original = Applier.apply

    def failing(self, conn, member, prepared):
        original(self, conn, member, prepared)
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(Applier, "apply", failing)
    with pytest.raises(RuntimeError):
        importer.import_share(
            laptop.store,
            team.layout,
            team.layout.read_team(),
            importer.Me(laptop.device_id, "Ana", laptop.identity.role),
        )
    assert triggers(laptop) == before
    assert ContactService(laptop).count() == 0
    monkeypatch.undo()
    team.sync(laptop)
    assert triggers(laptop) == before
    # the live count of Ana's own contacts, counted again at the end of the bulk load
    assert ContactService(laptop).count() == 3
    # and what the laptop writes next still reaches its outbox
    ContactService(laptop).log(raw_contact(detail="from the laptop"))
    assert laptop.store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 1
    assert ContactService(laptop).count() == 4


def test_an_import_gives_the_collector_its_settings_back(team):
    import gc

    before = gc.get_threshold()
    ContactService(team.ana).log(raw_contact())
    team.sync(team.ana, team.lead)
    assert gc.get_threshold() == before


def test_the_search_catch_up_reports_progress_and_can_be_stopped(team):
    from cxcompanion.sync.importer import Me, import_share

    service = ContactService(team.ana)
    for n in range(12):
        service.log(raw_contact(detail=f"router {n} keeps dropping"))
    team.sync(team.ana)
    lead = team.lead
    import_share(
        lead.store,
        team.layout,
        team.layout.read_team(),
        Me(lead.device_id, "Lena", lead.identity.role),
    )
    seen = []

    class Closing(Exception):
        pass

    def progress(done, total):
        seen.append((done, total))
        if len(seen) == 2:
            raise Closing  # the window closes between two transactions

    with pytest.raises(Closing):
        bulk_load.catch_up_search(lead.store, chunk=5, progress=progress)
    low, end = bulk_load.search_pending(lead.store)
    assert seen == [(0, end), (5, end)] and low == 5
    # the next sync goes on from there, reporting through SyncService
    reported = []
    SyncService(lead).sync(indexing=lambda done, total: reported.append((done, total)))
    assert bulk_load.search_pending(lead.store) is None
    assert reported and reported[0][1] == end - 5
    count = "SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH 'router'"
    assert lead.store.conn.execute(count).fetchone() == (12,)
