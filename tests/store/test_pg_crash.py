"""What the PostgreSQL server acknowledged survives its crash (`pg_ctl stop -m immediate`).

A claim and a submit each commit durably (`synchronous_commit` on, the server's default; the
tests' own cluster runs with it off). A claim committed without waiting for its WAL flush can
vanish in a crash together with the sequence's advance, and its assignment id is then handed to
the next claim after the restart: the first labeler's submit, drafts and skips, all keyed by that
id, would land on someone else's task (docs/performance.md, "Several hosts"). The WAL writer is
slowed to 10 s here, so a commit that did not wait for its flush is lost for certain, and this
test fails for it instead of passing by luck.
"""

from __future__ import annotations

import json

import pytest

from store.db import open_db
from store.labels import submit
from store.queue import claim_next
from store.values import LabelValue
from tests.conftest import fill_sample, running_cluster


@pytest.fixture
def durable_cluster():
    yield from running_cluster(synchronous_commit="on", wal_writer_delay="10s")


def test_an_acknowledged_claim_and_submit_survive_a_server_crash(durable_cluster):
    url = durable_cluster.new_database()
    db = open_db(url)
    fill_sample(db)
    done = claim_next(db, "alice", "comparison", overlap=2, window=1)
    values = [LabelValue("ranking", done.item, "ranking", [[o] for o in done.order])]
    submit(db, done.id, values, seconds=3.0, overlap=2)
    held = claim_next(db, "bob", "comparison", overlap=2, window=1)
    db.close()

    durable_cluster.stop_server("immediate")  # a crash: no shutdown checkpoint, no flush
    durable_cluster.start_server()

    db = open_db(url, migrate=False)
    try:
        rows = db.execute("SELECT id, labeler, status FROM assignments ORDER BY id").fetchall()
        assert rows == [(done.id, "alice", "done"), (held.id, "bob", "active")]
        stored = db.execute("SELECT item, value FROM labels WHERE assignment_id = ?",
                            [done.id]).fetchall()
        assert [(i, json.loads(v)) for i, v in stored] == [(done.item, values[0].value)]
        # The next claim's id is a new one: bob's lease is not handed out again.
        after = claim_next(db, "carol", "comparison", overlap=2, window=1)
        assert after.id not in (done.id, held.id)
    finally:
        db.close()
