"""A database file replaced by a restore (`mv restore.db labels.db`) while a process had the old
one open, or after one died holding it: the old file's `-wal` must never be replayed into the
restored file (store/wal_owner.py)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from store.db import FileReplaced, open_db
from store.errors import StoreError
from store.queue import claim_next
from store.sessions import start_session, touch_session
from tests.cli.subproc import labeldesk, one_line_error
from tests.screens.test_hangup import start_writing, terminal

pytestmark = pytest.mark.sqlite_only  # files on disk; a server has no -wal

ROOT = Path(__file__).resolve().parents[2]


def backup(db_path: Path, to: Path) -> None:
    """A consistent copy, as `sqlite3 labels.db ".backup restore.db"` makes it."""
    src, dst = sqlite3.connect(db_path), sqlite3.connect(to)
    src.backup(dst)
    src.close()
    dst.close()


def health(path: Path) -> tuple[str, list, int]:
    """integrity_check, foreign_key_check and the assignments of a file, read as an operator
    would with the sqlite3 shell (which replays whatever -wal lies beside it)."""
    conn = sqlite3.connect(path)
    try:
        return (conn.execute("PRAGMA integrity_check").fetchone()[0],
                conn.execute("PRAGMA foreign_key_check").fetchall(),
                conn.execute("SELECT count(*) FROM assignments").fetchone()[0])
    finally:
        conn.close()


# A labeler's process that claims work and dies holding the file (kill -9: SQLite never
# checkpoints, the log stays beside the file).
DIE_HOLDING = textwrap.dedent("""
    import os, sys
    from store.db import open_db
    from store.queue import claim_next
    db = open_db(sys.argv[1])
    db.execute("PRAGMA wal_autocheckpoint = 0")
    for name in ("alice", "bob", "carol"):
        for kind in ("comparison", "demonstration", "toxicity"):
            claim_next(db, name, kind, lease_seconds=600, overlap=3)
    os._exit(9)
""")


def die_holding(db_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", DIE_HOLDING, str(db_path)], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
    assert done.returncode == 9, done.stderr
    assert os.path.getsize(f"{db_path}-wal") > 32  # the claims are in the log alone


def test_a_log_left_by_a_dead_process_is_refused_for_the_restored_file(sample_db, db_path, tmp_path):
    sample_db.conn.close()
    restore = tmp_path / "restore.db"
    backup(db_path, restore)
    die_holding(db_path)
    os.replace(restore, db_path)  # the restore

    with pytest.raises(StoreError) as refused:
        open_db(db_path)
    line = str(refused.value)
    assert "\n" not in line and line.startswith(f"{db_path}: desk.db-wal and desk.db-shm belong to the file")
    assert "move desk.db-wal, desk.db-shm and desk.db-wal-owner aside" in line
    done = labeldesk("labelers", "list", "--db", str(db_path))
    assert one_line_error(done) == f"Error: {line}"

    # The documented recovery: move them aside. The restored file is then whole and as backed up.
    aside = tmp_path / "aside"
    aside.mkdir()
    for suffix in ("-wal", "-shm", "-wal-owner"):
        shutil.move(f"{db_path}{suffix}", aside)
    assert health(db_path) == ("ok", [], 0)
    open_db(db_path).close()


def test_the_log_of_a_file_that_moved_with_it_is_replayed(sample_db, db_path, tmp_path):
    """Moved or copied together (another disk: both get new inodes), the log is the file's own:
    the labels in it are kept, not refused."""
    sample_db.conn.close()
    die_holding(db_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for suffix in ("", "-wal", "-shm", "-wal-owner"):
        shutil.copy2(f"{db_path}{suffix}", elsewhere)  # copies: new inodes for all
    moved = open_db(elsewhere / "desk.db")
    assert moved.execute("SELECT count(*) FROM assignments").fetchone()[0] == 9
    moved.close()


def test_a_log_without_a_record_is_left_to_sqlite(sample_db, db_path):
    """A file last opened by something that keeps no record (the sqlite3 shell, an older
    LabelDesk): nothing to judge by, so SQLite replays its log as it always did."""
    sample_db.conn.close()
    die_holding(db_path)
    os.unlink(f"{db_path}-wal-owner")
    db = open_db(db_path)
    assert db.execute("SELECT count(*) FROM assignments").fetchone()[0] == 9
    db.close()


def test_a_process_whose_file_was_replaced_leaves_an_empty_log(sample_db, db_path, tmp_path):
    """It notices at its next write (here the session heartbeat), copies its log into its own
    old file, and writes nothing more: the restored file then opens, whole."""
    restore = tmp_path / "restore.db"
    backup(db_path, restore)
    start_session(sample_db, "alice")
    claim_next(sample_db, "alice", "comparison", overlap=3)
    assert os.path.getsize(f"{db_path}-wal") > 0
    os.replace(restore, db_path)
    with pytest.raises(FileReplaced):
        touch_session(sample_db)
    assert os.path.getsize(f"{db_path}-wal") == 0
    with pytest.raises(FileReplaced):
        touch_session(sample_db)  # and again: still nothing written
    assert os.path.getsize(f"{db_path}-wal") == 0
    assert health(db_path) == ("ok", [], 0)
    open_db(db_path).close()


@pytest.mark.slow
def test_a_restore_under_a_running_app(sample_db, db_path, tmp_path):
    """The restore an operator would do, under a labeler's app in a real terminal: the app
    refuses to save into the new file, and after ctrl+q the restored file is whole, holds
    nothing of the old file, and opens without a word."""
    restore = tmp_path / "restore.db"
    backup(db_path, restore)
    sample_db.conn.close()
    term = terminal([sys.executable, "-m", "tui.cli", "app", "--db", str(db_path), "--labeler", "alice"])
    try:
        start_writing(term)
        term.settle()  # the draft is in the log (throttled save, within a second)
        os.replace(restore, db_path)
        term.send(b" and")
        term.wait_for(b"Draft not saved: the database file")
        term.send(b"\x11")  # ctrl+q
        assert term.exit_code() == 1  # the draft could not be saved, and it says so
    finally:
        term.close()
    assert health(db_path) == ("ok", [], 0)
    db = open_db(db_path)
    assert db.execute("SELECT count(*) FROM drafts").fetchone()[0] == 0
    db.close()
