import json
import multiprocessing
from datetime import datetime, timedelta, timezone

import pytest

from store import queue
from store.db import open_db
from store.errors import StoreError
from store.labels import load_draft, save_draft, submit
from store.ranking import shuffled_order
from store.roster import add_labeler
from store.values import LabelValue
from tests.conftest import T0, claim


def rank(a):
    return [LabelValue("ranking", a.item, "ranking", [[o] for o in a.order])]


def test_own_unfinished_task_comes_back_first(sample_db):
    first = claim(sample_db, "alice")
    again = claim(sample_db, "alice", at=T0 + timedelta(seconds=30))
    assert again.id == first.id and again.item == "p1"


def test_oldest_open_task_then_none(sample_db):
    a = claim(sample_db, "alice")
    submit(sample_db, a.id, rank(a))
    b = claim(sample_db, "alice")
    assert (a.item, b.item) == ("p1", "p2")
    submit(sample_db, b.id, rank(b))
    assert claim(sample_db, "alice") is None  # never the same item twice


def test_overlap_caps_labelers_per_item(sample_db):
    got = [claim(sample_db, who, overlap=2).item for who in ("alice", "bob", "carol")]
    assert got == ["p1", "p1", "p2"]


def test_expired_lease_returns_task_to_pool(sample_db):
    a = claim(sample_db, "alice", overlap=1, lease=60)
    assert claim(sample_db, "bob", overlap=1, at=T0 + timedelta(seconds=30)).item == "p2"
    late = T0 + timedelta(seconds=120)
    c = claim(sample_db, "carol", overlap=1, at=late)
    assert c.item == "p1"  # alice's lease ran out
    # alice comes back: p1 is full now (carol holds it), so her assignment expires and she
    # moves on; her draft is still in the database.
    save_draft(sample_db, a.id, {"ranking": "A>B"})
    back = claim(sample_db, "alice", overlap=1, at=late + timedelta(seconds=1))
    assert back is None or back.item != "p1"
    assert load_draft(sample_db, a.id) == {"ranking": "A>B"}
    assert queue.get_assignment(sample_db, a.id).status == "expired"
    lost = sample_db.execute(
        "SELECT labeler, data FROM events WHERE kind = 'lease_lost'").fetchall()
    assert [(who, json.loads(data)) for who, data in lost] == [
        ("alice", {"assignment": a.id, "task": a.task_id})]


def test_expired_lease_continues_when_nobody_took_it(sample_db):
    a = claim(sample_db, "alice", overlap=1, lease=60)
    back = claim(sample_db, "alice", overlap=1, at=T0 + timedelta(hours=5))
    assert back.id == a.id and back.lease_until > a.lease_until


def test_researchers_get_items_without_gold_and_do_not_count(sample_db):
    r = claim(sample_db, "rhea", overlap=1)
    submit(sample_db, r.id, rank(r))
    assert claim(sample_db, "rhea", overlap=1).item == "p2"  # p1 has gold now
    assert claim(sample_db, "alice", overlap=1).item == "p1"  # gold does not fill overlap
    gold = sample_db.execute("SELECT gold FROM labels WHERE labeler = 'rhea'").fetchone()
    assert gold == (1,)


def test_shuffle_is_per_labeler_and_stable(sample_db):
    orders = {who: claim(sample_db, who, overlap=3).order for who in ("alice", "bob", "carol")}
    assert all(sorted(o) == ["p1-a", "p1-b", "p1-c"] for o in orders.values())
    assert shuffled_order(["a", "b", "c", "d"], "x:1") == shuffled_order(["a", "b", "c", "d"], "x:1")


def test_submit_is_one_transaction(sample_db):
    a = claim(sample_db, "alice")
    save_draft(sample_db, a.id, {"x": 1})
    bad = rank(a) + [LabelValue("output", "p1-a", "rating", 99)]
    with pytest.raises(StoreError):
        submit(sample_db, a.id, bad)
    assert sample_db.execute("SELECT count(*) FROM labels").fetchone()[0] == 0
    submit(sample_db, a.id, rank(a) + [LabelValue("output", "p1-a", "rating", 5)], seconds=12.5)
    assert sample_db.execute("SELECT count(*) FROM labels WHERE seconds = 12.5").fetchone()[0] == 2
    assert load_draft(sample_db, a.id) is None
    with pytest.raises(StoreError, match="already done"):
        submit(sample_db, a.id, rank(a))


def test_conditional_field_needs_its_condition(sample_db):
    a = claim(sample_db, "alice")
    values = [LabelValue("instruction", "p1", "closed_domain", False),
              LabelValue("output", "p1-a", "hallucination", True)]
    with pytest.raises(StoreError, match="only asked when instruction.closed_domain"):
        submit(sample_db, a.id, values)


def test_skip_and_counts(sample_db):
    a = claim(sample_db, "alice", overlap=1)
    with pytest.raises(StoreError):
        queue.skip(sample_db, a.id, " ")
    save_draft(sample_db, a.id, {"ranking": "A>B"})
    queue.skip(sample_db, a.id, "contains PII")
    assert load_draft(sample_db, a.id) is None  # a skipped task keeps no draft
    skipped = queue.get_assignment(sample_db, a.id)
    assert skipped.status == "skipped"
    assert claim(sample_db, "bob", overlap=1).item == "p1"  # skipped items go to others
    c = queue.counts(sample_db, "alice", {"comparison": 1})["comparison"]
    assert (c.waiting, c.done) == (1, 0)


def test_unknown_labeler(sample_db):
    with pytest.raises(StoreError, match="not in this database's roster"):
        claim(sample_db, "mallory")


def _worker(path, name, out):
    db = open_db(path)
    got, errors = [], 0
    while True:
        try:
            a = queue.claim_next(db, name, "demonstration", overlap=2, lease_seconds=600)
        except Exception:  # noqa: BLE001 - any error is what this test counts
            errors += 1
            continue
        if a is None:
            break
        submit(db, a.id, [LabelValue("demonstration", a.item, "text", f"by {name}")])
        got.append(a.item)
    out.put((name, got, errors))


def test_eight_processes_never_over_assign(db, db_path, backend):
    from store.db import immediate

    with immediate(db):
        for i in range(120):
            db.execute("INSERT INTO prompts (id, text, tasks, created_at) VALUES (?, 'w', '[\"demonstration\"]', 'x')", [f"w{i}"])
            db.execute("INSERT INTO tasks (kind, item, created_at) VALUES ('demonstration', ?, 'x')", [f"w{i}"])
    for n in range(8):
        add_labeler(db, f"l{n}")
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(str(db_path), f"l{n}", out)) for n in range(8)]
    for p in procs:
        p.start()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join()
    assert sum(errors for _, _, errors in results) == 0
    per_item = {}
    for _name, items, _ in results:
        assert len(items) == len(set(items))  # nobody got an item twice
        for item in items:
            per_item[item] = per_item.get(item, 0) + 1
    assert len(per_item) == 120 and set(per_item.values()) == {2}
    assert db.execute("SELECT count(*) FROM labels").fetchone()[0] == 240
    if backend == "sqlite":  # a server checks its own files
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_counts_follow_overlap(sample_db):
    overlap = {"comparison": 2}
    for who in ("alice", "bob"):
        a = claim(sample_db, who, overlap=2)
        submit(sample_db, a.id, rank(a), overlap=2)
    c = queue.counts(sample_db, "carol", overlap)["comparison"]
    assert (c.waiting, c.done) == (1, 0)  # p1 is full after two labelers
    c = queue.counts(sample_db, "alice", overlap)["comparison"]
    assert (c.waiting, c.done) == (1, 1)
    assert queue.counts(sample_db, "rhea", overlap)["comparison"].waiting == 2


def test_saving_a_draft_keeps_the_lease(sample_db):
    a = claim(sample_db, "alice", overlap=1, lease=60)  # claimed long ago: the lease ran out
    save_draft(sample_db, a.id, {"text": "still typing"}, lease_seconds=600)
    assert claim(sample_db, "bob", overlap=1, at=datetime.now(timezone.utc)).item != a.item
    (until,) = sample_db.execute("SELECT lease_until FROM assignments WHERE id = ?", [a.id]).fetchone()
    assert until > datetime.now(timezone.utc).isoformat()


def test_task_counts_follow_every_change_to_tasks(sample_db):
    def table():
        return {(k, q, f): n for k, q, f, n in sample_db.execute(
            "SELECT kind, quiz, full, n FROM task_counts WHERE n != 0")}

    def recount():
        return {(k, q, f): n for k, q, f, n in sample_db.execute(
            "SELECT kind, quiz, full, count(*) FROM tasks GROUP BY kind, quiz, full")}

    assert table() == recount() and table()[("comparison", "", 0)] == 2
    a = claim(sample_db, "alice", overlap=1)
    submit(sample_db, a.id, rank(a), overlap=1)  # p1 leaves the pool
    sample_db.execute("DELETE FROM tasks WHERE kind = 'demonstration' AND item = 'p5'")
    assert table() == recount()
    assert table()[("comparison", "", 1)] == 1 and table()[("comparison", "", 0)] == 1
