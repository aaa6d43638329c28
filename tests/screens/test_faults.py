"""Database faults while a labeler works: a short note, answers kept, nothing half-written."""

from __future__ import annotations

import sqlite3
import time

import pytest
from textual.app import ComposeResult
from textual.widgets import Static

from screens.base import WorkScreen
from screens.widgets.safe_text import safe_content
from store import labels
from store.db import open_db
from store.dialect import dialect_of
from store.task_session import NotSaved, Saved
from store.values import LabelValue


class Probe(WorkScreen):
    """The smallest work screen: shows a writing task, keeps `text` as its draft."""

    KIND = "demonstration"
    # Drafts are flushed by the tests, never by the autosave timer: on a loaded machine the
    # timer fired mid-test and retried a failing draft write, adding a third note.
    DRAFT_DELAY = 3600.0

    def compose(self) -> ComposeResult:
        yield Static(id="task")

    def show_task(self, view, draft) -> None:
        self.text = draft.get("text", "")
        self.query_one("#task", Static).update(safe_content(view.prompt.text))

    def draft_data(self):
        return {"text": self.text}

    def answer(self) -> list[LabelValue]:
        return [LabelValue("demonstration", self.view.assignment.item, "text", self.text)]


@pytest.fixture
def fast_busy(monkeypatch):
    """A short bound so a held lock is reported in well under a second."""
    monkeypatch.setattr("store.db.BUSY_BOUND", 0.3)
    calls = []
    real = labels.submit

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(labels, "submit", counting)
    return calls


async def open_probe(app, pilot) -> Probe:
    app.install_screen(Probe(), "probe")
    await app.push_screen("probe")
    await pilot.pause()
    probe = app.screen
    assert isinstance(probe, Probe) and probe.view is not None
    return probe


def notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def demonstrations(db_path) -> list[str]:
    check = open_db(db_path)
    try:
        return [r[0] for r in check.execute(
            "SELECT value FROM labels WHERE task = 'demonstration' AND labeler = 'alice'")]
    finally:
        check.conn.close()


def integrity(db_path) -> str:
    with sqlite3.connect(db_path) as conn:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    conn.close()
    return result


async def test_a_locked_database_is_retried_then_reported(make_app, sample_db, db_path, fast_busy):
    app = make_app("alice")
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        # The connection's own busy timeout far beyond the bound (the app sets 2 s), so that
        # which of the two ended the wait shows however slowly a loaded machine runs.
        dialect_of(sample_db).set_busy_timeout(sample_db, 60_000)
        probe = await open_probe(app, pilot)
        probe.text = "My answer."
        holder = sqlite3.connect(db_path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # a researcher's long import, say
        try:
            started = time.monotonic()
            assert isinstance(probe.finish(probe.answer(), "Saved."), NotSaved)
            waited = time.monotonic() - started
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        await pilot.pause()
        # It waited for the holder, then gave up at the bound (0.3 s), not at SQLite's own
        # busy timeout for the connection (60 s here; the app's is APP_BUSY_TIMEOUT_MS).
        assert fast_busy and waited < 30
        [note] = notes(app)
        assert "busy" in note and "answers stay on screen" in note and "Traceback" not in note
        assert app.is_running and app.screen is probe and probe.text == "My answer."
        assert demonstrations(db_path) == []
        assert isinstance(probe.finish(probe.answer(), "Saved."), Saved)  # the lock is gone: it saves
    assert demonstrations(db_path) == ['"My answer."']


@pytest.mark.parametrize("fault, words", [
    ("PRAGMA max_page_count = {pages}", "disk holding the database is full"),
    ("PRAGMA query_only = ON", "read-only"),
], ids=["disk full", "read-only"])
async def test_a_write_fault_keeps_the_answer(make_app, db_path, fault, words):
    app = make_app("alice")
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        probe = await open_probe(app, pilot)
        probe.text = "A long answer. " * 20_000  # 300 kB: needs new pages
        pages = app.db.execute("PRAGMA page_count").fetchone()[0]
        app.db.execute(fault.format(pages=pages))
        assert isinstance(probe.finish(probe.answer(), "Saved."), NotSaved)
        probe.changed()
        probe.flush_drafts()  # the draft cannot be written either, and says so
        await pilot.pause()
        assert all(words in n and "Traceback" not in n for n in notes(app)), notes(app)
        assert len(notes(app)) == 2 and app.is_running and probe.view is not None
        assert integrity(db_path) == "ok" and demonstrations(db_path) == []
        app.db.execute("PRAGMA max_page_count = 1073741823")
        app.db.execute("PRAGMA query_only = OFF")
        assert isinstance(probe.finish(probe.answer(), "Saved."), Saved)
    assert integrity(db_path) == "ok" and len(demonstrations(db_path)) == 1


async def test_a_fault_while_claiming_goes_home_with_a_note(make_app, fast_busy):
    app = make_app("alice")
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        app.db.execute("PRAGMA query_only = ON")  # claiming writes a lease
        app.install_screen(Probe(), "probe")
        await app.push_screen("probe")
        await pilot.pause()
        assert not isinstance(app.screen, Probe) and app.is_running
        assert any("fetch your next task" in n and "read-only" in n for n in notes(app))
