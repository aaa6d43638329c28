"""PostgreSQL's claims and submits are one server-side function call each
(store/server_functions.py), take no global lock, and keep the rules the store statements
keep (the shared store tests run both paths; these check what is the server's own)."""

from __future__ import annotations

import json
import threading

import pytest

from store.db import open_db
from store.dialect import WRITE_LOCK
from store.labels import submit
from store.quality.policy import QualityPolicy
from store.queue import claim_next
from store.ranking import shuffle_seed, shuffled_order
from store.roster import add_labeler
from store.values import LabelValue
from tests.conftest import fill_sample


@pytest.fixture
def pg(pg_cluster):
    url = pg_cluster.new_database()
    db = open_db(url)
    fill_sample(db)
    add_labeler(db, "bob")
    yield db
    db.close()
    pg_cluster.drop(url)


class Statements:
    """Statements (each one round trip) sent to the server while counting."""

    def __init__(self, monkeypatch) -> None:
        from store import pg

        self.n = 0
        for owner, name in ((pg.Cursor, "execute"), (pg.Cursor, "executemany"),
                            (pg.Connection, "run")):
            monkeypatch.setattr(owner, name, self._counted(getattr(owner, name)))

    def _counted(self, real):
        def counted(obj, *args, **kwargs):
            self.n += 1
            return real(obj, *args, **kwargs)

        return counted


def values_for(a) -> list[LabelValue]:
    return [LabelValue("ranking", a.item, "ranking", [[o] for o in a.order])] + [
        LabelValue("output", o, "rating", 3) for o in a.order]


def test_a_claim_and_a_submit_are_one_round_trip_each(pg, monkeypatch):
    """The function hands out strictly oldest first (`[queue] window = 1`); a shuffled window
    runs the claim as store statements (docs/deployment.md, hidden gold checks)."""
    sent = Statements(monkeypatch)
    a = claim_next(pg, "alice", "comparison", overlap=2, window=1)
    assert sent.n == 1
    again = claim_next(pg, "alice", "comparison", overlap=2, window=1)  # her own task, lease renewed
    assert (again.id, sent.n) == (a.id, 2)
    submit(pg, a.id, values_for(a), seconds=2.0, overlap=2)
    assert sent.n == 3
    # With a gold rate (no gold yet, so no check is due): the draw's number, then the claim.
    b = claim_next(pg, "bob", "comparison", overlap=2, policy=QualityPolicy(gold_rate=0.05),
                   window=1)
    assert b is not None and sent.n == 5
    # What the function wrote is what the store statements would have.
    row = pg.execute("SELECT status, seconds, lease_until FROM assignments WHERE id = ?",
                     [a.id]).fetchone()
    assert row == ("done", 2.0, None)
    labels = pg.execute("SELECT task, item, field, value, gold, assignment_id FROM labels "
                        "ORDER BY id").fetchall()
    assert [(t, i, f, json.loads(v), g, x) for t, i, f, v, g, x in labels] == [
        (v.task, v.item, v.field, v.value, 0, a.id) for v in values_for(a)]
    kinds = [json.loads(d) | {"kind": k} for k, d in pg.execute(
        "SELECT kind, data FROM events ORDER BY id").fetchall() if k in ("claim", "submit")]
    assert kinds[:2] == [{"kind": "claim", "task": a.task_id, "item": a.item},
                         {"kind": "submit", "task": a.task_id, "item": a.item, "n": 4}]


def test_the_server_shuffles_as_the_store_does(pg):
    for labeler in ("alice", "bob"):
        a = claim_next(pg, labeler, "comparison", overlap=2, window=1)
        ids = [r[0] for r in pg.execute(
            "SELECT id FROM outputs WHERE prompt_id = ? ORDER BY position", [a.item])]
        assert len(ids) > 1
        assert a.order == shuffled_order(ids, shuffle_seed(labeler, a.task_id))
        stored = pg.execute('SELECT "order" FROM assignments WHERE id = ?', [a.id]).fetchone()[0]
        assert json.loads(stored) == a.order


def test_claims_and_submits_go_on_while_a_researcher_writes(pg, pg_cluster):
    """An import (any `immediate()` write) holds the global write lock: labelers' claims and
    submits do not wait for it."""
    holder = open_db(pg.path, migrate=False)
    holder.conn.run(f"BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})")
    try:
        pg.write_wait = 0.5  # a wait for the lock would end as busy
        done = threading.Event()

        def labeler() -> None:
            a = claim_next(pg, "alice", "comparison", overlap=2, window=1)
            submit(pg, a.id, values_for(a), seconds=1.0, overlap=2)
            done.set()

        worker = threading.Thread(target=labeler)
        worker.start()
        worker.join(10)
        assert done.is_set()
    finally:
        holder.conn.run("ROLLBACK")
        holder.close()


def test_the_app_role_may_call_the_functions_only_as_itself(pg):
    """SECURITY INVOKER: the app role's grants and row-level security apply inside them."""
    rows = pg.execute(
        "SELECT proname, prosecdef FROM pg_proc WHERE proname LIKE 'labeldesk_%' ORDER BY 1"
    ).fetchall()
    assert rows == [("labeldesk_claim", False), ("labeldesk_open_tasks", False),
                    ("labeldesk_submit", False)]
