"""The queue's rules hold at the database level when many processes race: labelers claim and
submit a few items at full speed, some leases run out before the submit (others take the item
meanwhile), and a researcher imports more items in the middle. Afterwards every acknowledged
submit is stored exactly once, an item has more labelers than its overlap only where an
`over_overlap` event records why, and `task_counts` equals a recount of `tasks`. On PostgreSQL
the server must also have seen writers in parallel (`pg_stat_activity`): claims and labelers'
submits take row locks, not one global write lock."""

from __future__ import annotations

import json
import multiprocessing as mp
import random
import sqlite3
import threading
import time

import pytest

from store.db import open_db, retry_busy
from store.imports import import_outputs, import_prompts
from store.labels import submit
from store.queue import claim_next
from store.roster import add_labeler
from store.values import LabelValue

LABELERS = [f"l{i}" for i in range(6)]
OUTPUTS = 2
SECONDS = {"sqlite": 1.0, "postgres": 2.5}
# The racers go on past their seconds until what the test needs has happened (the importer
# done, some submits, on PostgreSQL two writers seen at once): a loaded machine can leave a
# process unscheduled for most of a second. Past this they stop whatever happened, and the
# assertions say what did not.
MAX_SECONDS = 120


def _write_items(path, first: int, n: int) -> tuple[str, str]:
    prompts, outputs = path / f"p{first}.jsonl", path / f"o{first}.jsonl"
    prompts.write_text("".join(json.dumps({"id": f"p{i}", "text": f"Prompt {i}",
                                           "tasks": ["comparison"]}) + "\n"
                               for i in range(first, first + n)))
    outputs.write_text("".join(json.dumps({"id": f"o{i}_{k}", "prompt_id": f"p{i}",
                                           "text": f"Answer {k}"}) + "\n"
                               for i in range(first, first + n) for k in range(OUTPUTS)))
    return str(prompts), str(outputs)


def _labeler(target: str, name: str, overlap: int, seed: int, stop, acks, out) -> None:
    rng = random.Random(seed)
    db = open_db(target, migrate=False)
    acked, busy = [], 0
    give_up = time.monotonic() + MAX_SECONDS
    while not stop.is_set() and time.monotonic() < give_up:
        try:
            # A third of the leases run out at once: the item goes to others meanwhile.
            a = retry_busy(claim_next, db, name, "comparison", overlap=overlap,
                           lease_seconds=0 if rng.random() < 0.33 else 60)
            if a is None:
                time.sleep(0.02)  # wait for the import
                continue
            values = [LabelValue("ranking", a.item, "ranking", [[o] for o in a.order])]
            values += [LabelValue("output", o, "rating", rng.randint(1, 7)) for o in a.order]
            retry_busy(submit, db, a.id, values, seconds=1.0, overlap=overlap)
            acked.append(a.id)
            with acks.get_lock():
                acks.value += 1
        except sqlite3.OperationalError:
            busy += 1  # not acknowledged: nothing may be stored
    db.close()
    out.put((acked, busy))


def _importer(target: str, tmp: str, seconds: float, imported) -> None:
    from pathlib import Path

    db = open_db(target, migrate=False)
    for batch in range(3):
        time.sleep(seconds / 4)
        prompts, outputs = _write_items(Path(tmp), 100 + 10 * batch, 4)
        import_prompts(db, prompts)
        import_outputs(db, outputs)
    db.close()
    imported.set()


def _parallel_writers(target: str, seen: list[int], stop: threading.Event) -> None:
    """How many of the racers' statements the server was running at one moment, or transactions
    that had written something (PostgreSQL; every labeler's statement is a claim or a submit).
    Each is one short statement, so the sampler looks as often as it can."""
    db = open_db(target, migrate=False)
    while not stop.is_set():
        seen.append(db.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid != pg_backend_pid() AND (backend_xid IS NOT NULL OR state = 'active')"
        ).fetchone()[0])
    db.close()


@pytest.mark.parametrize("overlap", [1, 3])
def test_racing_claims_and_submits_keep_every_rule(db, db_path, backend, tmp_path, overlap):
    seen: list[int] = []
    acked = race(db, str(db_path), str(db_path), tmp_path, overlap, SECONDS[backend],
                 seen if backend == "postgres" else None)
    assert_rules(db, acked, overlap)
    if backend == "postgres":
        assert max(seen) >= 2, "no two writers were ever in a transaction at once"


def race(db, labelers_at: str, importer_at: str, tmp_path, overlap: int, seconds: float,
         seen: list[int] | None = None) -> list[int]:
    """LABELERS claim and submit through `labelers_at` while a researcher imports through
    `importer_at`, for `seconds` and then until the import is done and there were submits
    (and, given `seen`, sampled PostgreSQL's parallel writers, two at once); the acknowledged
    submits."""
    for name in LABELERS:
        add_labeler(db, name)
    prompts, outputs = _write_items(tmp_path, 0, 4)
    import_prompts(db, prompts)
    import_outputs(db, outputs)

    ctx = mp.get_context("fork")  # each child opens its own connection (exits without closing ours)
    out, stop, imported, acks = ctx.Queue(), ctx.Event(), ctx.Event(), ctx.Value("i", 0)
    labelers = [ctx.Process(target=_labeler, args=(labelers_at, n, overlap, i, stop, acks, out))
                for i, n in enumerate(LABELERS)]
    importer = ctx.Process(target=_importer, args=(importer_at, str(tmp_path), seconds, imported))
    sampling = threading.Event()
    sampler = None
    if seen is not None:
        sampler = threading.Thread(target=_parallel_writers, args=(importer_at, seen, sampling))
        sampler.start()
    for p in [*labelers, importer]:
        p.start()
    start = time.monotonic()

    def raced_enough() -> bool:
        return (time.monotonic() - start >= seconds and imported.is_set()
                and acks.value >= len(LABELERS) and (seen is None or max(seen, default=0) >= 2))

    while not raced_enough() and time.monotonic() - start < MAX_SECONDS:
        time.sleep(0.02)
    stop.set()
    reports = [out.get(timeout=120) for _ in labelers]
    for p in [*labelers, importer]:
        p.join(30)
    sampling.set()
    if sampler is not None:
        sampler.join()
    assert imported.is_set(), "the import never finished"
    return [a for r in reports for a in r[0]]


def assert_rules(db, acked: list[int], overlap: int) -> None:
    """Every acknowledged submit stored once, overlap kept or recorded, counters recounted."""
    assert acked, "no submit went through: the race proved nothing"
    assert len(set(acked)) == len(acked)
    # Every acknowledged submit is stored once: its assignment done, its labels there once.
    per_assignment = dict(db.execute(
        "SELECT assignment_id, count(*) FROM labels GROUP BY assignment_id").fetchall())
    done = {r[0] for r in db.execute("SELECT id FROM assignments WHERE status = 'done'")}
    assert {a: per_assignment.get(a) for a in acked} == {a: 1 + OUTPUTS for a in acked}
    assert done == set(acked) and set(per_assignment) == set(acked)
    # Past the overlap only where an expired lease's submit was recorded as such.
    over = dict(db.execute(
        """SELECT item, count(DISTINCT labeler) - ? FROM labels WHERE task = 'ranking'
           GROUP BY item HAVING count(DISTINCT labeler) > ?""", [overlap, overlap]).fetchall())
    recorded: dict[str, int] = {}
    for (data,) in db.execute("SELECT data FROM events WHERE kind = 'over_overlap'"):
        item = json.loads(data)["item"]
        recorded[item] = recorded.get(item, 0) + 1
    assert all(recorded.get(item, 0) >= extra for item, extra in over.items()), (over, recorded)
    # The counters the home screen reads equal a recount.
    counted = {tuple(r[:3]): r[3] for r in db.execute(
        "SELECT kind, quiz, full, count(*) FROM tasks GROUP BY kind, quiz, full")}
    kept = {tuple(r[:3]): r[3] for r in db.execute(
        "SELECT kind, quiz, full, n FROM task_counts WHERE n != 0")}
    assert kept == counted
    assert db.execute("SELECT count(*) FROM tasks").fetchone()[0] == 16  # 4 + 3 imports of 4
