"""Issue 14 (6-8): the app without a terminal, after its terminal is gone, in a terminal too
small to draw in, and quitting when the draft cannot be written."""

from __future__ import annotations

import subprocess
import sys

import pytest
from textual import events

from store.db import open_db

from .test_hangup import ROOT, active_draft, terminal


def test_without_a_terminal_the_app_refuses_to_start(sample_db, db_path):
    """`ssh host labeldesk` (no -t): one line and exit 1, not a process spinning forever."""
    proc = subprocess.run(
        [sys.executable, "-m", "tui.cli", "app", "--db", str(db_path), "--labeler", "alice"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "Error: labeldesk app needs a terminal (with ssh, use ssh -t)"


@pytest.mark.slow
def test_a_closed_terminal_without_any_signal_exits_and_keeps_the_draft(sample_db, db_path):
    """The hangup signal may never come (blocked here, as under some session managers): end of
    input alone makes the app save and leave."""
    block_hup = ("import os, signal, sys; signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGHUP]); "
                 "os.execv(sys.executable, [sys.executable] + sys.argv[1:])")
    term = terminal([sys.executable, "-c", block_hup, "-m", "tui.cli", "app", "--db", str(db_path),
                     "--labeler", "alice"])
    try:
        term.wait_for(b"Labeling as")
        term.send(b"w")
        term.wait_for(b"Your answer")
        term.send(b"Leaves are green")
        term.wait_for(b"3 words")
        term.hang_up()
        assert term.exit_code() == 0
    finally:
        term.close()
    assert active_draft(db_path) == "Leaves are green"


def test_input_closed_sees_end_of_file_without_reading():
    import os

    from tui.terminal import input_closed

    read, write = os.pipe()
    try:
        assert not input_closed(read)
        os.write(write, b"k")
        assert not input_closed(read)  # a key waiting is not the end
        assert os.read(read, 1) == b"k"
        os.close(write)
        assert input_closed(read)
    finally:
        os.close(read)


# ------------------------------------------------------------------ item 8: too small

async def test_a_tiny_terminal_shows_the_minimum_size_instead_of_crashing(make_app, sample_db):
    from screens.too_small import TooSmallScreen
    from screens.writing import WritingScreen

    app = make_app("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, WritingScreen)
        await pilot.resize_terminal(8, 24)
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        shown = str(app.screen.query_one("#too-small").render())
        assert shown == "Make the terminal at least 40×12 (it is 8×24)."
        await pilot.press("a", "b")  # typed at the wrong size: nothing happens, nothing breaks
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert isinstance(app.screen, WritingScreen) and app.screen.editor.text == ""
        await pilot.press("o", "k")
        await pilot.pause()
        assert app.screen.editor.text == "ok"


async def test_starting_in_a_tiny_terminal_waits_for_room(make_app, sample_db):
    from screens.too_small import TooSmallScreen

    app = make_app("alice")
    async with app.run_test(size=(6, 3)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"


# ------------------------------------------------------------------ item 7: quit, disk full

async def test_quitting_when_the_draft_cannot_be_saved_exits_1_naming_it(make_app, sample_db, db_path):
    app = make_app("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("w")
        await pilot.pause()
        shown = app.screen.shown_id  # "#<assignment>": labelers never see item ids
        pages = app.db.execute("PRAGMA page_count").fetchone()[0]
        app.db.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full from here on
        await pilot.press(*"Typed")
        # A long answer pasted (bracketed paste, as a terminal sends it): 46 kB, a dozen new
        # 4 kB pages for the draft, which the full disk refuses (a larger paste only costs
        # the editor more time to lay out).
        app.screen.editor.post_message(events.Paste(" after the disk filled." * 2_000))
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
        message = str(app._exit_renderables[-1])  # printed once the app has left the screen
    assert app.return_code == 1
    assert message.startswith("LabelDesk could not save this before quitting")
    assert f"demonstration {shown}:" in message and "Typed after the disk filled" in message
    check = open_db(db_path)
    assert "Typed after" not in str(check.execute("SELECT data FROM drafts").fetchall())
    check.conn.close()


async def test_quitting_with_everything_saved_exits_0(make_app):
    app = make_app("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("w")
        await pilot.pause()
        await pilot.press(*"saved")
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0 and not app._exit_renderables
