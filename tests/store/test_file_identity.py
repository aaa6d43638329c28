"""Issue 14 (4): a database file deleted or replaced under a running process is noticed before
the next write, instead of writes going into the unlinked old file."""

from __future__ import annotations

import os
import shutil

import pytest

from store.db import immediate, open_db
from store.errors import StoreError

pytestmark = pytest.mark.sqlite_only  # a file's identity; a server has none to check


def _remove(db_path):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(f"{db_path}{suffix}"):
            os.unlink(f"{db_path}{suffix}")


def test_a_deleted_file_refuses_the_next_write(db, db_path):
    with immediate(db):
        db.execute("INSERT INTO labelers (name, role, created_at) VALUES ('ana', 'labeler', 'x')")
    _remove(db_path)
    with pytest.raises(StoreError, match=f"the database file {db_path} was deleted while LabelDesk was running; nothing was saved"):
        with immediate(db):
            db.execute("INSERT INTO labelers (name, role, created_at) VALUES ('ben', 'labeler', 'x')")
    assert not db.conn.in_transaction


def test_a_replaced_file_refuses_the_next_write(db, db_path, tmp_path):
    other = tmp_path / "restore.db"
    open_db(other).conn.close()
    shutil.copy(other, tmp_path / "copy.db")
    os.replace(tmp_path / "copy.db", db_path)  # a restore from backup over the live file
    with pytest.raises(StoreError, match="was replaced by another file"):
        with immediate(db):
            pass


async def test_the_app_keeps_the_answer_when_the_file_is_gone(make_app, db_path):
    app = make_app("alice")
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("w")
        await pilot.pause()
        await pilot.press(*"My answer")
        _remove(db_path)
        await pilot.press("ctrl+s", "y")
        await pilot.pause()
        notes = [str(n.message) for n in app._notifications]
        assert not any("Answer submitted" in n for n in notes), notes
        assert any("was deleted while LabelDesk was running; nothing was saved" in n for n in notes), notes
        assert app.screen.editor.text == "My answer"
