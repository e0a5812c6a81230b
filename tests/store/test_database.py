"""The profile database itself: migrations, connection settings, refusals and transactions."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from cxcompanion.domain.ids import new_id
from cxcompanion.domain.validation import ValidationError
from cxcompanion.services.profile import Profile
from cxcompanion.store import database, migrations
from cxcompanion.store.database import DATABASE_NAME, Store
from cxcompanion.store.errors import NewerDatabaseError, StoreError, StoreNotWritableError
from cxcompanion.store.migrations import SCHEMA_VERSION
from tests.conftest import raw_contact

REPO_ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("_child.py")

EXPECTED_TABLES = {"contacts", "ideas", "drafts", "meta", "contacts_fts", "_migrations"}
# Local bookkeeping, never synced as such: settings, the migration log, the live-contact
# count, the outbox (a queue of snapshots of records) and the importer's cursors, quarantine
# and parked records. The full-text index (FTS5 shadow tables) is left out as well.
NOT_RECORDS = {
    "meta", "_migrations", "contact_count", "outbox", "sync_cursor", "sync_quarantine",
    "sync_parked", "sync_published",
}  # fmt: skip
ENVELOPE = ("id", "writer", "revision", "updated_at", "deleted")


@contextlib.contextmanager
def raw_connection(path: Path):
    """A plain sqlite3 connection, separate from the Store's, always closed."""
    conn = sqlite3.connect(path)
    try:
        yield conn
    finally:
        conn.close()


@contextlib.contextmanager
def opened(path: Path):
    store = Store(path)
    try:
        yield store
    finally:
        store.close()


def table_names(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def record_tables(conn: sqlite3.Connection) -> set[str]:
    return {
        name
        for name in table_names(conn)
        if name not in NOT_RECORDS
        and not name.startswith("sqlite_")
        and not name.startswith("contacts_fts")
    }


def folder_state(folder: Path) -> dict[str, str]:
    """Every file in `folder` with the sha256 of its bytes."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


# -- migrations --------------------------------------------------------------------------


@pytest.mark.parametrize("start", ["missing file", "zero-byte file"])
def test_migrations_create_every_table_and_set_the_version(tmp_path, start):
    path = tmp_path / DATABASE_NAME
    if start == "zero-byte file":
        path.touch()
    with opened(path) as store:
        assert table_names(store.conn) >= EXPECTED_TABLES
        assert store.schema_version() == SCHEMA_VERSION
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        rows = store.conn.execute("SELECT number FROM _migrations ORDER BY number").fetchall()
        assert [r[0] for r in rows] == list(range(1, SCHEMA_VERSION + 1))
        assert store.integrity_check() == "ok"
    # What the Store set is on disk, not only on its own connection.
    with raw_connection(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert table_names(conn) >= EXPECTED_TABLES


def test_a_reopened_database_keeps_wal_and_full_sync(tmp_path):
    path = tmp_path / DATABASE_NAME
    with opened(path):
        pass
    with opened(path) as store:
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2


def test_reopening_does_not_run_migrations_again(tmp_path, monkeypatch):
    path = tmp_path / DATABASE_NAME
    with opened(path) as store:
        first = store.conn.execute("SELECT * FROM _migrations ORDER BY number").fetchall()
    assert len(first) == SCHEMA_VERSION

    def must_not_run(db):
        raise AssertionError("a migration ran again on a current database")

    monkeypatch.setattr(migrations, "MIGRATIONS", [must_not_run] * SCHEMA_VERSION)
    for _ in range(2):
        with opened(path) as store:
            again = store.conn.execute("SELECT * FROM _migrations ORDER BY number").fetchall()
            assert again == first  # one row per migration, same applied_at
            assert store.schema_version() == SCHEMA_VERSION


def test_a_failing_migration_leaves_the_database_at_the_previous_version(tmp_path, monkeypatch):
    path = tmp_path / DATABASE_NAME
    with opened(path):
        pass
    version = SCHEMA_VERSION

    def half_done(db):
        db["widgets"].create({"id": str}, pk="id")
        db.execute("INSERT INTO meta (key, value) VALUES ('widgets', 'yes')")
        raise RuntimeError("migration failed half-way")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, half_done])
    monkeypatch.setattr(database, "SCHEMA_VERSION", version + 1)
    with pytest.raises(RuntimeError, match="half-way"):
        Store(path)
    with raw_connection(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == version
        assert "widgets" not in table_names(conn)
        assert conn.execute("SELECT count(*) FROM meta WHERE key = 'widgets'").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM _migrations").fetchone()[0] == version

    def done(db):
        db["widgets"].create({"id": str}, pk="id")

    done.__name__ = "_m_next"
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS[:-1], done])
    with opened(path) as store:
        assert store.schema_version() == version + 1
        assert "widgets" in table_names(store.conn)
        numbers = [r[0] for r in store.conn.execute("SELECT number, name FROM _migrations")]
        assert numbers == list(range(1, version + 2))
        last_name = store.conn.execute(
            "SELECT name FROM _migrations WHERE number = ?", (version + 1,)
        ).fetchone()[0]
        assert last_name == "m_next"


def test_every_record_table_carries_the_sync_envelope(tmp_path):
    with opened(tmp_path / DATABASE_NAME) as store:
        tables = record_tables(store.conn)
        assert tables >= {"contacts", "ideas", "drafts"}
        for table in sorted(tables):
            info = {
                row[1]: {"type": row[2].upper(), "notnull": row[3], "default": row[4], "pk": row[5]}
                for row in store.conn.execute(f"PRAGMA table_info([{table}])")
            }
            missing = [c for c in ENVELOPE if c not in info]
            assert not missing, f"{table} lacks envelope columns {missing}"
            assert info["id"]["pk"] == 1, f"{table}.id is not the primary key"
            assert info["revision"]["type"] == "INTEGER", table
            assert info["deleted"]["type"] == "INTEGER", table
            for column in ("writer", "revision", "updated_at", "deleted"):
                assert info[column]["notnull"] == 1, f"{table}.{column} may be NULL"
            assert str(info["deleted"]["default"]).strip("'") == "0", table


# -- refusals ------------------------------------------------------------------------------


def _newer_database(path: Path, *, wal: bool) -> None:
    with raw_connection(path) as conn:
        if wal:
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE contacts (id TEXT PRIMARY KEY, future_column TEXT)")
        conn.execute("INSERT INTO contacts VALUES ('a', 'made by a later version')")
        conn.commit()
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")


@pytest.mark.parametrize("wal", [False, True], ids=["rollback-journal", "wal"])
@pytest.mark.parametrize("opener", ["Store", "Profile"])
def test_a_newer_database_is_refused_and_left_untouched(tmp_path, wal, opener):
    folder = tmp_path / "profile"
    folder.mkdir()
    path = folder / DATABASE_NAME
    _newer_database(path, wal=wal)
    before = folder_state(folder)

    with pytest.raises(NewerDatabaseError) as caught:
        if opener == "Store":
            Store(path)
        else:
            Profile(folder)
    message = str(caught.value)
    assert "Update CX Companion" in message
    assert "nothing was changed" in message
    assert str(path) in message
    assert f"schema {SCHEMA_VERSION + 1}" in message

    assert folder_state(folder) == before, "refusing a newer database changed files"
    with raw_connection(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        assert "_migrations" not in table_names(conn)


@pytest.mark.parametrize("content", ["random bytes", "text"])
def test_a_file_that_is_not_a_database_gives_a_clear_store_error(tmp_path, content):
    path = tmp_path / DATABASE_NAME
    data = (
        os.urandom(8192)
        if content == "random bytes"
        else b"Dear diary, today I stored my contacts in a text file.\n" * 100
    )
    path.write_bytes(data)
    with pytest.raises(StoreError) as caught:
        Store(path)
    assert not isinstance(caught.value, sqlite3.Error)
    assert caught.value.__cause__ is None
    message = str(caught.value)
    assert str(path) in message
    assert "not a CX Companion database" in message
    assert path.read_bytes() == data, "a file that is not ours was modified"


def test_a_profile_folder_below_a_regular_file_is_refused_clearly(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(StoreNotWritableError) as caught:
        Profile(blocker / "profile")
    assert str(blocker / "profile") in str(caught.value)
    assert "--profile" in str(caught.value)
    with pytest.raises(StoreNotWritableError) as caught:
        Store(blocker / DATABASE_NAME)
    assert "writable" in str(caught.value)
    assert blocker.read_text() == "a file where a folder should be"


def test_a_database_path_that_is_a_folder_is_refused_clearly(tmp_path):
    (tmp_path / DATABASE_NAME).mkdir()
    with pytest.raises(StoreError) as caught:
        Store(tmp_path / DATABASE_NAME)
    assert str(tmp_path / DATABASE_NAME) in str(caught.value)
    assert not isinstance(caught.value, sqlite3.Error)


# Read-only cases run in a child process. Root ignores permission bits through the
# CAP_DAC_OVERRIDE family of capabilities, so as root the child drops those from its bounding
# set before it starts (Linux): it stays root, but chmod binds it like any other user.
_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _CAP_FOWNER = 1, 2, 3


def _drop_permission_override() -> None:  # runs in the child between fork and exec
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _CAP_FOWNER):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.fixture
def run_bound_by_permissions(tmp_path):
    """A function running the child helper as a process that read-only permissions stop."""
    if not hasattr(os, "geteuid"):
        pytest.skip("POSIX permissions only")
    as_root = os.geteuid() == 0
    if as_root and not sys.platform.startswith("linux"):
        pytest.skip("as root, permissions can only be made to bind on Linux")
    home = tmp_path / "child-home"
    home.mkdir()
    made_read_only: list[Path] = []

    def run(*args: str) -> dict:
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO_ROOT),
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_CACHE_HOME": str(home / ".cache"),
        }
        try:
            done = subprocess.run(
                [sys.executable, str(CHILD), *args],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
                preexec_fn=_drop_permission_override if as_root else None,
            )
        except subprocess.SubprocessError as exc:
            pytest.skip(f"cannot drop root's permission override here: {exc}")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])

    def read_only(path: Path) -> None:
        path.chmod(0o555 if path.is_dir() else 0o444)
        made_read_only.append(path)

    run.read_only = read_only
    try:
        yield run
    finally:  # let pytest clean tmp_path up
        for path in made_read_only:
            path.chmod(0o755 if path.is_dir() else 0o644)


def _made_profile(folder: Path) -> None:
    made = Profile(folder)
    try:
        made.set_up("Ana", "North", "agent")
    finally:
        made.close()


def test_a_read_only_profile_folder_is_refused_clearly(tmp_path, run_bound_by_permissions):
    run = run_bound_by_permissions
    folder = tmp_path / "profile"
    _made_profile(folder)
    before = folder_state(folder)
    run.read_only(folder)
    outcome = run("open", str(folder))
    assert outcome["error"] == "StoreNotWritableError", outcome
    assert "not writable" in outcome["message"]
    assert str(folder) in outcome["message"]
    assert folder_state(folder) == before


def test_a_new_profile_in_a_read_only_folder_is_refused_clearly(tmp_path, run_bound_by_permissions):
    run = run_bound_by_permissions
    locked = tmp_path / "locked"
    locked.mkdir()
    run.read_only(locked)
    outcome = run("open", str(locked / "profile"))
    assert outcome["error"] == "StoreNotWritableError", outcome
    assert "--profile" in outcome["message"]
    assert not (locked / "profile").exists()


def test_a_read_only_database_file_refuses_writes_clearly(tmp_path, run_bound_by_permissions):
    run = run_bound_by_permissions
    folder = tmp_path / "profile"
    _made_profile(folder)
    run.read_only(folder / DATABASE_NAME)
    before = hashlib.sha256((folder / DATABASE_NAME).read_bytes()).hexdigest()
    outcome = run("open", str(folder))
    # Opening to read may work; saving must fail with the store's own, explained error.
    assert outcome["error"] == "StoreNotWritableError", outcome
    assert "read-only" in outcome["message"]
    assert not outcome["logged"]
    assert hashlib.sha256((folder / DATABASE_NAME).read_bytes()).hexdigest() == before


# -- transactions --------------------------------------------------------------------------


def test_an_exception_inside_a_transaction_leaves_nothing_written(tmp_path):
    path = tmp_path / DATABASE_NAME
    with opened(path) as store:
        with pytest.raises(RuntimeError, match="interrupted"), store.transaction() as conn:
            conn.execute("INSERT INTO meta (key, value) VALUES ('half', 'written')")
            conn.execute(
                "INSERT INTO drafts (id, writer, revision, updated_at, deleted, body) "
                "VALUES ('current', 'w', 1, '2026-01-01T00:00:00Z', 0, '{}')"
            )
            raise RuntimeError("interrupted")
        assert not store.conn.in_transaction
        assert store.meta("half") is None
        assert store.conn.execute("SELECT count(*) FROM drafts").fetchone()[0] == 0
        # The store is still usable, and a later transaction commits normally.
        store.set_meta({"whole": "written"})
    with raw_connection(path) as conn:
        assert conn.execute("SELECT key FROM meta WHERE key IN ('half', 'whole')").fetchall() == [
            ("whole",)
        ]
        assert conn.execute("SELECT count(*) FROM drafts").fetchone()[0] == 0


def test_a_failing_statement_rolls_back_the_earlier_ones(tmp_path):
    path = tmp_path / DATABASE_NAME
    with opened(path) as store:
        store.set_meta({"kept": "1"})
        with pytest.raises(sqlite3.IntegrityError), store.transaction() as conn:
            conn.execute("UPDATE meta SET value = 'changed' WHERE key = 'kept'")
            conn.execute("INSERT INTO meta (key, value) VALUES ('kept', 'duplicate')")
        assert not store.conn.in_transaction
    with raw_connection(path) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'kept'").fetchone() == ("1",)


def test_a_full_disk_is_reported_as_such_and_nothing_is_written(tmp_path):
    path = tmp_path / DATABASE_NAME
    with opened(path) as store:
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count = {pages + 2}")  # a disk that fills up
        with pytest.raises(StoreError, match="is full"), store.transaction() as conn:
            conn.execute("INSERT INTO meta (key, value) VALUES ('small', 'fits')")
            conn.execute("INSERT INTO meta (key, value) VALUES ('big', ?)", ("x" * 100_000,))
        assert not store.conn.in_transaction
        assert store.meta("small") is None
        store.conn.execute(f"PRAGMA max_page_count = {pages + 1000}")  # space freed again
        store.set_meta({"after": "space was freed"})
        assert store.meta("after") == "space was freed"


def test_log_many_saves_all_or_none(profile, service):
    with pytest.raises(ValidationError):
        service.log_many([raw_contact(), raw_contact(), raw_contact(channel="pigeon")])
    assert service.count() == 0
    with raw_connection(profile.folder / DATABASE_NAME) as conn:
        assert conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM contacts_fts").fetchone()[0] == 0


def test_insert_many_with_a_failing_contact_saves_none(service):
    first = service.log(raw_contact(ideas=[{"text": "an idea", "area": "other"}]))
    fresh = replace(
        first,
        envelope=replace(first.envelope, id=new_id()),
        detail="fresh words",
        ideas=(),
    )
    with pytest.raises(sqlite3.IntegrityError):  # `first` again: its id is taken
        service.contacts.insert_many([fresh, first])
    assert service.contacts.get(fresh.id) is None
    assert service.count() == 1
    assert service.count("fresh") == 0
