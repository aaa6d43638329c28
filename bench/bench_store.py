"""Store: claim latency with 1,000,000 open tasks; one label's commit against a bare sqlite3
insert+commit with the same pragmas (the floor); import and export throughput at 1,000,000."""

from __future__ import annotations

import json
import resource
import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from bench.results import record, summary
from store import queue
from store.db import immediate, open_db
from store.exports import export_labels
from store.imports import import_prompts
from store.labels import submit
from store.roster import add_labeler
from store.values import LabelValue

N = 1_000_000
CLAIMS = 300


def fill_tasks(db, n: int) -> None:
    """`n` open demonstration tasks, inserted directly (the importers would take minutes)."""
    with immediate(db):
        db.conn.executemany(
            "INSERT INTO prompts (id, text, tasks, created_at) VALUES (?, ?, '[\"demonstration\"]', 'x')",
            ((f"q{i}", f"prompt {i}") for i in range(n)))
        db.conn.executemany(
            "INSERT INTO tasks (kind, item, created_at) VALUES ('demonstration', ?, 'x')",
            ((f"q{i}",) for i in range(n)))


def bench_claim_and_commit(tmp: Path) -> dict:
    db = open_db(tmp / "claim.db")
    fill_tasks(db, N)
    for i in range(CLAIMS):
        add_labeler(db, f"l{i}")
    claim_ms, commit_ms = [], []
    for i in range(CLAIMS):
        t = time.perf_counter()
        a = queue.claim_next(db, f"l{i}", "demonstration", overlap=3, lease_seconds=600)
        claim_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        submit(db, a.id, [LabelValue("demonstration", a.item, "text", "answer")])
        commit_ms.append((time.perf_counter() - t) * 1000)
    db.conn.close()

    floor = sqlite3.connect(tmp / "floor.db", isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=10000"):
        floor.execute(f"PRAGMA {pragma}")
    floor.execute("CREATE TABLE t (a, b, c, d, e)")
    floor_ms = []
    for i in range(CLAIMS):
        t = time.perf_counter()
        floor.execute("BEGIN IMMEDIATE")
        floor.execute("INSERT INTO t VALUES (?, ?, ?, ?, ?)", [i, "x", "y", "z", "w"])
        floor.execute("COMMIT")
        floor_ms.append((time.perf_counter() - t) * 1000)
    floor.close()
    commit, bare = statistics.median(commit_ms), statistics.median(floor_ms)
    return {
        "open_tasks": N,
        "claim_ms": summary(claim_ms), "claim_target_ms": 5,
        "submit_one_label_ms": summary(commit_ms),
        "bare_sqlite_insert_commit_ms": summary(floor_ms),
        "commit_ratio_to_floor": round(commit / bare, 2), "commit_target_ratio": 2,
    }


def bench_import_export(tmp: Path) -> dict:
    src = tmp / "prompts.jsonl"
    with open(src, "w") as f:
        for i in range(N):
            f.write(json.dumps({"id": f"p{i}", "text": f"Prompt number {i} " * 5, "source": "api",
                                "user_id": f"u{i % 5000}", "category": "open_qa"}) + "\n")
    db = open_db(tmp / "io.db")
    t = time.perf_counter()
    import_prompts(db, src)
    import_s = time.perf_counter() - t
    with immediate(db):
        add_labeler(db, "ana")
        db.conn.executemany(
            "INSERT INTO labels (labeler, task, item, field, value, gold, created_at) "
            "VALUES ('ana', 'instruction', ?, 'pii', 'false', 0, '2026-01-01')",
            ((f"p{i}",) for i in range(N)))
    t = time.perf_counter()
    with open(tmp / "labels.jsonl", "w") as out:
        n = sum(out.write(json.dumps(r) + "\n") > 0 for r in export_labels(db))
    export_s = time.perf_counter() - t
    db.conn.close()
    return {
        "import_prompts_per_second": round(N / import_s),
        "import_prompts_seconds": round(import_s, 1),
        "export_labels_per_second": round(n / export_s),
        "export_labels_seconds": round(export_s, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    try:
        figures = bench_claim_and_commit(tmp)
        figures.update(bench_import_export(tmp))
        record("store", figures)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
