import sqlite3

import pytest

from store import migrations
from store.db import connect, immediate, open_db
from store.errors import StoreError


@pytest.mark.sqlite_only
def test_pragmas(db):
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_fresh_file_is_at_latest_version(db):
    assert migrations.version(db) == migrations.LATEST
    tables = set(db.table_names())
    for table in ("labelers", "prompts", "outputs", "tasks", "assignments", "labels", "drafts", "events"):
        assert table in tables


def test_older_file_is_migrated(db_path, monkeypatch):
    steps_run = []

    def v2(db):
        steps_run.append(2)
        db.execute("CREATE TABLE extra (x TEXT)")

    open_db(db_path).conn.close()
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS + [v2])
    monkeypatch.setattr(migrations, "LATEST", len(migrations.MIGRATIONS))
    db = open_db(db_path)
    assert steps_run == [2]
    assert migrations.version(db) == migrations.LATEST
    assert "extra" in db.table_names()
    db.conn.close()
    open_db(db_path).conn.close()  # already current: the step does not run twice
    assert steps_run == [2]


def test_newer_file_is_refused(db_path):
    conn = connect(db_path)
    conn.dialect.set_version(conn, migrations.LATEST + 5)
    conn.conn.close()
    with pytest.raises(StoreError, match="newer LabelDesk"):
        open_db(db_path)


@pytest.mark.sqlite_only  # PostgreSQL: tests/store/test_pg.py
def test_foreign_file_is_refused(db_path):
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE mine (x)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not a LabelDesk database"):
        open_db(db_path)


@pytest.mark.sqlite_only
def test_garbage_file_is_refused(db_path):
    db_path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not a LabelDesk database|cannot read"):
        open_db(db_path)


def test_immediate_rolls_back(db):
    with pytest.raises(RuntimeError), immediate(db):
        db.execute("INSERT INTO labelers (name, role, created_at) VALUES ('x', 'labeler', 'now')")
        raise RuntimeError("boom")
    assert db.execute("SELECT count(*) FROM labelers").fetchone()[0] == 0


def test_events_are_append_only(db):
    from store.events import log_event

    log_event(db, "alice", "claim", {"task": 1})
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE events SET kind = 'x'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM events")


@pytest.mark.empty_database
def test_v3_counts_the_tasks_an_older_file_already_has(db_path, monkeypatch):
    with monkeypatch.context() as older:  # a file from before migration 3, whatever came after
        older.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:2])
        older.setattr(migrations, "LATEST", 2)
        db = open_db(db_path)
        for i in range(3):
            db.execute("INSERT INTO tasks (kind, item, created_at) VALUES ('demonstration', ?, 'x')", [f"w{i}"])
        db.conn.close()
    db = open_db(db_path)
    assert migrations.version(db) == migrations.LATEST
    assert db.execute("SELECT n FROM task_counts WHERE kind = 'demonstration' AND full = 0").fetchone() == (3,)
    db.execute("INSERT INTO tasks (kind, item, created_at) VALUES ('demonstration', 'w9', 'x')")
    assert db.execute("SELECT n FROM task_counts WHERE kind = 'demonstration' AND full = 0").fetchone() == (4,)
    db.conn.close()
