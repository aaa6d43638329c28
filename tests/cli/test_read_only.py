"""A kept archive is read, never changed: `db copy` from it, exports and reports on it work on a
file nobody may write (chmod 0444 in a read-only directory, under a read-only mount so that
root cannot write it either), and a source of an older schema is copied through the migrations
of a temporary copy, never migrated in place."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3

import pytest

from store.db import open_db
from store.migrations import LATEST, MIGRATIONS
from tests.cli.subproc import labeldesk
from tests.cli.test_disk_faults import _mount, mounted
from tests.lived_in import lived_in_project

pytestmark = pytest.mark.sqlite_only  # files and their permissions

RESEARCHER = ["--labeler", "rhea"]


def digest(directory) -> dict[str, str]:
    """Every file of the directory and its bytes' hash: what "left alone" means."""
    return {name: hashlib.sha256((directory / name).read_bytes()).hexdigest()
            for name in sorted(os.listdir(directory))}


def schema_3_file(path) -> None:
    """A project written by a LabelDesk of schema 3 (no sessions, no live quality, …)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    db = open_db(":memory:", migrate=False)
    db.conn.close()
    db.conn = conn
    for step in range(3):
        MIGRATIONS[step](db)
    conn.executescript("""
        PRAGMA user_version = 3;
        INSERT INTO labelers VALUES ('rhea', 'researcher', '2025-01-01T00:00:00Z'),
                                    ('alice', 'labeler', '2025-01-01T00:00:00Z');
        INSERT INTO prompts (id, text, created_at) VALUES ('p1', 'Name a colour.', '2025-01-01');
        INSERT INTO outputs VALUES ('p1/A', 'p1', 'Green.', 'm1', 0), ('p1/B', 'p1', 'Blue.', 'm2', 1);
        INSERT INTO labels (labeler, task, item, field, value, gold, created_at)
            VALUES ('alice', 'output', 'p1/A', 'overall', '5', 0, '2025-01-02T00:00:00Z'),
                   ('rhea', 'output', 'p1/A', 'overall', '6', 1, '2025-01-02T00:00:00Z');
    """)
    conn.close()


def test_db_copy_never_migrates_its_source(tmp_path):
    source, target = tmp_path / "old.db", tmp_path / "new.db"
    schema_3_file(source)
    before = source.read_bytes()
    done = labeldesk("db", "copy", str(source), str(target), *RESEARCHER)
    assert done.returncode == 0, done.stderr
    assert source.read_bytes() == before  # SQLite may leave an empty -wal and a -shm beside it
    with sqlite3.connect(source) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 3
    conn.close()
    copy = open_db(target)
    assert copy.execute("PRAGMA user_version").fetchone()[0] == LATEST
    assert copy.execute("SELECT labeler, value, gold FROM labels ORDER BY id").fetchall() == [
        ("alice", "5", 0), ("rhea", "6", 1)]
    assert copy.execute("SELECT count(*) FROM outputs").fetchone()[0] == 2
    copy.close()


@pytest.fixture
def archive(tmp_path):
    """A lived-in project kept as an archive: 0444 in a 0555 directory, mounted read-only."""
    kept, view = tmp_path / "kept", tmp_path / "view"
    kept.mkdir()
    view.mkdir()
    db = open_db(kept / "labels.db")
    lived_in_project(db)
    db.close()  # the last connection: SQLite folds the log in and removes -wal and -shm
    for name in os.listdir(kept):
        (kept / name).chmod(0o444)
    kept.chmod(0o555)
    before = digest(kept)
    with mounted("--bind", str(kept), str(view)):
        _mount("-o", "remount,bind,ro", str(view))
        yield view / "labels.db"
    assert digest(kept) == before
    kept.chmod(0o755)


READERS = [
    ("export", "labels", "--out", "-"),
    ("export", "pairs", "--out", "-"),
    ("export", "sft", "--out", "-"),
    ("export", "consensus", "--out", "-"),
    ("agreement", "--format", "json", "--resamples", "0"),
    ("quality", "--format", "json"),
    ("disputes", "--format", "json"),
    ("stats", "--format", "json"),
    ("labelers", "list"),
    ("quiz", "list"),
]


def test_reading_commands_work_on_a_read_only_archive(archive, tmp_path):
    for command in READERS:
        env = {"LABELDESK_LABELER": "rhea"}
        done = labeldesk(*command, "--db", str(archive), env=env)
        assert done.returncode == 0, (command, done.stderr)
        assert done.stdout.strip() or command[1] == "sft", command  # the demo has no demonstrations
        assert "Traceback" not in done.stderr
    labels = labeldesk("export", "labels", "--out", "-", "--db", str(archive), env=env).stdout
    assert len([json.loads(line) for line in labels.splitlines()]) > 10
    target = tmp_path / "copy.db"
    done = labeldesk("db", "copy", str(archive), str(target), *RESEARCHER)
    assert done.returncode == 0, done.stderr
    copy = open_db(target)
    assert copy.execute("SELECT count(*) FROM labels").fetchone()[0] == len(labels.splitlines())
    copy.close()


def test_an_older_read_only_archive_is_read_through_a_migrated_copy(tmp_path):
    kept, view = tmp_path / "kept", tmp_path / "view"
    kept.mkdir()
    view.mkdir()
    schema_3_file(kept / "old.db")
    before = digest(kept)
    with mounted("--bind", str(kept), str(view)):
        _mount("-o", "remount,bind,ro", str(view))
        done = labeldesk("export", "labels", "--out", "-", "--db", str(view / "old.db"),
                         env={"LABELDESK_LABELER": "rhea"})
        assert done.returncode == 0, done.stderr
        assert [json.loads(line)["value"] for line in done.stdout.splitlines()] == [5, 6]
        target = tmp_path / "new.db"
        done = labeldesk("db", "copy", str(view / "old.db"), str(target), *RESEARCHER)
        assert done.returncode == 0, done.stderr
    assert digest(kept) == before
