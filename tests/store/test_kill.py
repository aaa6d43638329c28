"""kill -9 in the middle of a submit: nothing half-written, the draft and the lease survive."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap

from store.labels import load_draft
from store.queue import claim_next
from tests.cli.subproc import ROOT

LABELER = textwrap.dedent("""
    import os, signal, sys
    from store import labels
    from store.db import open_db
    from store.values import LabelValue
    from store.queue import claim_next

    db = open_db(sys.argv[1])
    a = claim_next(db, "alice", "comparison", overlap=3)
    labels.save_draft(db, a.id, {"ratings": {a.order[0]: 6}})
    real = labels.write_labels

    def die_halfway(db, labeler, values, **kw):
        values = list(values)
        real(db, labeler, values[:1], **kw)  # the first value is written, inside the transaction
        os.kill(os.getpid(), signal.SIGKILL)

    labels.write_labels = die_halfway
    # PostgreSQL's submit function is one statement, atomic by itself: the store statements'
    # path (gold checks, researchers, escalation) is the one that can die halfway.
    from store.dialect import POSTGRES
    POSTGRES.submit_on_server = lambda db, args: None
    ranking = [LabelValue("ranking", a.item, "ranking", [[o] for o in a.order])]
    ratings = [LabelValue("output", o, "rating", 5) for o in a.order]
    print(a.id, flush=True)
    labels.submit(db, a.id, ratings + ranking, seconds=3.0)
""")


def test_kill_9_halfway_through_a_submit(sample_db, db_path, backend):
    done = subprocess.run([sys.executable, "-c", LABELER, str(db_path)], capture_output=True,
                          text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT)}, timeout=60)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assignment = int(done.stdout.strip())
    if backend == "sqlite":  # a server checks its own files
        with sqlite3.connect(db_path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
    assert sample_db.execute("SELECT count(*) FROM labels").fetchone()[0] == 0
    assert list(load_draft(sample_db, assignment)["ratings"].values()) == [6]  # kept
    again = claim_next(sample_db, "alice", "comparison", overlap=3)
    assert again.id == assignment  # the lease brings the same task back to the same labeler
