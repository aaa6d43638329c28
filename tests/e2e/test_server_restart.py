"""A PostgreSQL server restarted while a labeler types, end to end: the app in a real terminal
(a pty) on a real server of its own (a throwaway cluster, so no other test shares it) that is
stopped with `pg_ctl stop -m fast` mid-answer and started again. The app keeps running and says
the database cannot be reached, holds the submit the labeler asks for meanwhile, makes it once
the server is back, and the stored label is exactly what was typed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bench.pty_run import Typist, poll
from store import labels
from store.db import open_db
from tests.conftest import draft_text, fill_sample

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_server_restarts_mid_answer_and_the_typed_answer_is_stored_once(own_pg_cluster):
    url = own_pg_cluster.new_database()
    setup = open_db(url)
    fill_sample(setup)
    setup.close()
    term = Typist([sys.executable, "-m", "tui.cli", "app", "--db", url, "--labeler", "alice"],
                  cols=100, rows=30, cwd=str(ROOT), env={"PYTHONPATH": str(ROOT)})
    try:
        term.wait_for(b"Labeling as")
        term.send(b"w")
        term.wait_for(b"Your answer")
        term.send(b"Leaves catch light")
        poll(lambda: draft_text(url) == "Leaves catch light", "the first words saved as a draft")
        own_pg_cluster.stop_server("fast")
        term.send(b" and make sugar.")
        term.wait_for(b"Draft not saved")  # the status line says so; the app runs on
        term.send(b"\x13")  # ctrl+s
        term.wait_for(b"Submit this answer")
        term.send(b"y")
        term.wait_for(b"Not submitted yet")
        own_pg_cluster.start_server()
        term.wait_for(b"Saved your answer", timeout=60)
        term.send(b"\x11")  # ctrl+q
        assert term.exit_code() == 0
    finally:
        term.close()
    db = open_db(url)
    try:
        stored = [(r.labeler, r.value) for r in labels.iter_labels(db, task="demonstration")]
        assert stored == [("alice", "Leaves catch light and make sugar.")]
        assert db.execute("SELECT count(*) FROM events WHERE kind = 'submit'").fetchone()[0] == 1
    finally:
        db.close()
