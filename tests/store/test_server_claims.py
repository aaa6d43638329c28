"""PostgreSQL's claims and submits are one server-side function call each
(store/server_functions.py), take no global lock, and keep the rules the store statements
keep (the shared store tests run both paths; these check what is the server's own)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from store import queue
from store.db import open_db
from store.dialect import WRITE_LOCK
from store.labels import submit
from store.quality.policy import QualityPolicy
from store.queue import claim_next
from store.ranking import shuffle_seed, shuffled_order
from store.roster import add_labeler
from store.values import LabelValue
from tests.conftest import fill_sample
from tests.quality.conftest import add_gold, ranking_project
from tui.config import Config


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
    """With the default config (`[queue] window` 20, `gold_rate` 0.05): the window's order and
    the gold draw are made on the server (store/server_claims_window.py)."""
    policy = QualityPolicy()
    assert policy.gold_rate > 0 and Config().window > 1
    sent = Statements(monkeypatch)
    a = claim_next(pg, "alice", "comparison", overlap=2, policy=policy)
    assert sent.n == 1
    again = claim_next(pg, "alice", "comparison", overlap=2, policy=policy)  # lease renewed
    assert (again.id, sent.n) == (a.id, 2)
    submit(pg, a.id, values_for(a), seconds=2.0, overlap=2)
    assert sent.n == 3
    b = claim_next(pg, "bob", "comparison", overlap=2, policy=policy)
    assert b is not None and sent.n == 4
    strict = claim_next(pg, "bob", "toxicity", overlap=2, window=1)  # oldest first, no policy
    assert strict is not None and sent.n == 5
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
                         {"kind": "submit", "task": a.task_id, "item": a.item,
                          "n": len(values_for(a))}]


@contextmanager
def _lite_and_server(pg_cluster, tmp_path) -> Iterator[tuple]:
    """A SQLite project and a PostgreSQL one (their files under `tmp_path`/lite and /pg)."""
    lite = open_db(tmp_path / "lite.db")
    url = pg_cluster.new_database()
    server = open_db(url)
    try:
        (tmp_path / "lite").mkdir()
        (tmp_path / "pg").mkdir()
        yield lite, server
    finally:
        server.close()
        lite.conn.close()
        pg_cluster.drop(url)


def _play(db, tmp_path, sent=None) -> tuple[list[tuple], int]:
    """Two labelers work 24 ranking tasks each, turn about, with the default window and a gold
    rate of 0.3 (gold on q005-q014, among the production items): what each claim handed out,
    and how many claims took one statement."""
    items = ranking_project(db, tmp_path, 60)
    add_gold(db, tmp_path, items[5:15])
    policy = QualityPolicy(gold_rate=0.3)
    got, one_trip = [], 0
    for _ in range(24):
        for name in ("ana", "bo"):
            before = sent.n if sent else 0
            a = claim_next(db, name, "comparison", overlap=2, policy=policy)
            one_trip += sent is not None and sent.n - before == 1
            check = db.execute("SELECT gold_check FROM assignments WHERE id = ?", [a.id]).fetchone()[0]
            got.append((name, a.item, check, tuple(a.order)))
            submit(db, a.id, [LabelValue("ranking", a.item, "ranking", [[o] for o in a.order])],
                   overlap=2)
    return got, one_trip


def test_the_server_claims_exactly_as_the_store_statements_do(pg_cluster, tmp_path, monkeypatch):
    """The same labelers, queue and gold on SQLite (the claim in Python) and on PostgreSQL (the
    claim function): the same items in the same order, the same checks, the same shuffles; and
    the open tasks the function's `labeldesk_open_tasks` lists are the store's (`open_tasks`),
    so the claim order is one rule written in two languages that agree."""
    with _lite_and_server(pg_cluster, tmp_path) as (lite, server):
        expected, _ = _play(lite, tmp_path / "lite")
        sent = Statements(monkeypatch)
        got, one_trip = _play(server, tmp_path / "pg", sent)
        monkeypatch.undo()
        assert got == expected
        checks = sum(c for _n, _i, c, _o in got)
        assert 0 < checks < len(got) - 10  # both kinds of claim were made
        # Only the claim after a check's answers runs in Python (the labeler is re-judged).
        assert one_trip >= len(got) - checks
        # A held prompt, an expired lease and a live one: the open tasks agree too.
        server.execute("UPDATE prompts SET status = 'held' WHERE id = 'q050'")
        ana = claim_next(server, "ana", "comparison", overlap=2, window=1)
        server.execute("UPDATE assignments SET lease_until = '2000-01-01' WHERE id = ?", [ana.id])
        claim_next(server, "bo", "comparison", overlap=2, window=1)
        stamp = "2030-01-01T00:00:00.000"
        for labeler in ("ana", "bo", "rhea"):
            for cap in (1, 2, 3):
                for at in (stamp, "2001-01-01"):
                    listed = [r[0] for r in server.execute(
                        "SELECT id FROM labeldesk_open_tasks('comparison', '', ?, ?, ?)",
                        [labeler, cap, at]).fetchall()]
                    store = [t for t, _i in queue.open_tasks(server, "comparison", "", labeler,
                                                             cap, at)]
                    assert listed == store and listed, (labeler, cap, at)


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


def _rows_read(plan: dict, relation: str, what: str = "rows") -> int:
    """Rows the plan's nodes on `relation` returned over all their loops (`what` "loops": how
    many times they ran)."""
    here = 0
    if plan.get("Relation Name") == relation:
        here = plan.get("Actual Loops", 0) * (plan.get("Actual Rows", 0) if what == "rows" else 1)
    return here + sum(_rows_read(p, relation, what) for p in plan.get("Plans", []))


def test_a_claim_passes_the_labelers_done_tasks_without_reading_all_of_them(pg_cluster, tmp_path):
    """A labeler 300 tasks ahead of the others (overlap 3: none filled), on a fresh project
    whose statistics have not caught up: the candidates' scan reads the labeler's assignments
    once, not all 300 of them for each task passed (an anti-join through the labeler's index:
    51,520 rows, 13-17 ms a claim against 1), nor each passed task's labelers one task at a
    time (~10 µs a task: 19.8 ms a claim at 800 against 1.3 ms)."""
    url = pg_cluster.new_database()
    db = open_db(url)
    try:
        ranking_project(db, tmp_path, 330)
        db.conn.executemany(
            "INSERT INTO assignments (task_id, labeler, status, claimed_at) "
            "VALUES (?, 'ana', 'done', 'x')",
            [[t] for (t,) in db.execute("SELECT id FROM tasks ORDER BY id LIMIT 300").fetchall()])
        plan = db.execute(
            "EXPLAIN (ANALYZE, FORMAT JSON) SELECT id FROM "
            "labeldesk_open_tasks('comparison', '', 'ana', 3, 'x') LIMIT 20").fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        rows = _rows_read(plan[0]["Plan"], "assignments")
        assert rows <= 3 * 320, rows
        # Once for the labeler's, then once for each of the 20 candidates' count of labelers.
        loops = _rows_read(plan[0]["Plan"], "assignments", "loops")
        assert loops <= 1 + 20, loops
    finally:
        db.close()
        pg_cluster.drop(url)


def _check_submitted(db, tmp_path, sent=None) -> tuple[list, int]:
    """Ana's first claim at gold rate 1 (a hidden check), submitted: what the store kept, and
    the statements the submit sent (`sent`: counting, on PostgreSQL)."""
    items = ranking_project(db, tmp_path, 8)
    add_gold(db, tmp_path, items[:4])
    a = claim_next(db, "ana", "comparison", overlap=2, policy=QualityPolicy(gold_rate=1.0))
    assert db.execute("SELECT gold_check FROM assignments WHERE id = ?", [a.id]).fetchone()[0]
    values = values_for(a)[:1] + [LabelValue("output", o, "rating", n + 1)
                                  for n, o in enumerate(a.order)]
    before = sent.n if sent else 0
    submit(db, a.id, values, seconds=2.5, overlap=2, active_seconds=1.5)
    trips = sent.n - before if sent else 0
    kept = [
        db.execute("SELECT labeler, kind, item, answers, seconds, active_seconds FROM gold_answers"
                   ).fetchall(),
        db.execute("SELECT status, seconds, active_seconds, lease_until FROM assignments "
                   "WHERE id = ?", [a.id]).fetchall(),
        db.execute("SELECT count(*) FROM labels WHERE labeler = 'ana'").fetchall(),
        db.execute('SELECT id, "full" FROM tasks ORDER BY id').fetchall(),
        [json.loads(d) for (d,) in db.execute(
            "SELECT data FROM events WHERE kind = 'submit' ORDER BY id").fetchall()],
    ]
    return kept, trips


def test_a_gold_checks_submit_is_one_call_as_production_work_is(pg_cluster, tmp_path, monkeypatch):
    """A hidden check's answers go to `gold_answers` in the same one call as production work's
    labels go to `labels` (a check that took more round trips could be timed), stored exactly
    as the store statements store them on SQLite."""
    with _lite_and_server(pg_cluster, tmp_path) as (lite, server):
        expected, _ = _check_submitted(lite, tmp_path / "lite")
        sent = Statements(monkeypatch)
        got, trips = _check_submitted(server, tmp_path / "pg", sent)
        monkeypatch.undo()
    assert trips == 1
    assert got == expected
    assert got[0] and got[2] == [(0,)]  # answers kept, no label written
