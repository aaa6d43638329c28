"""Hidden gold checks: a check's claim against a production claim (time and statements), and
the shuffled window's claim against strict oldest first, at 100,000 open comparison tasks.

One run measures all of it, interleaved, so load on the machine falls on every figure alike;
compare the ratios, not the milliseconds."""

from __future__ import annotations

import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench.results import record, summary
from store import queue
from store.db import immediate, open_db
from store.imports import import_labels
from store.labels import submit
from store.quality.gold import is_gold_check
from store.quality.policy import QualityPolicy
from store.roster import add_labeler
from store.task_session import judge_labeler
from store.values import LabelValue

N, GOLD, CLAIMS = 100_000, 200, 400


def build(tmp: Path, n: int, gold: int):
    """`n` open comparison tasks of 2 outputs each, the first `gold` with researcher gold."""
    db = open_db(tmp / "gold.db")
    add_labeler(db, "rhea", "researcher")
    with immediate(db):
        db.conn.executemany(
            "INSERT INTO prompts (id, text, tasks, created_at) VALUES (?, ?, '[\"comparison\"]', 'x')",
            ((f"q{i:06d}", f"prompt {i}") for i in range(n)))
        db.conn.executemany(
            "INSERT INTO outputs (id, prompt_id, text, position) VALUES (?, ?, 'answer', ?)",
            ((f"q{i:06d}-{x}", f"q{i:06d}", p) for i in range(n) for p, x in enumerate("ab")))
        db.conn.executemany("INSERT INTO tasks (kind, item, created_at) VALUES ('comparison', ?, 'x')",
                            ((f"q{i:06d}",) for i in range(n)))
    (tmp / "g.jsonl").write_text("".join(json.dumps(
        {"labeler": "rhea", "task": "ranking", "item": f"q{i:06d}", "field": "ranking",
         "value": [[f"q{i:06d}-a"], [f"q{i:06d}-b"]]}) + "\n" for i in range(gold)))
    import_labels(db, tmp / "g.jsonl", gold=True)
    return db


def measure(n: int = N, gold: int = GOLD, claims: int = CLAIMS) -> dict:
    tmp = Path(tempfile.mkdtemp())
    try:
        db = build(tmp, n, gold)
        policy = QualityPolicy(gold_rate=0.25)
        times: dict[str, list[float]] = {"check": [], "production": [], "window_1": []}
        statements: dict[str, list[int]] = {"check": [], "production": []}
        execute, count = db.execute, [0]

        def counted(sql, parameters=None):
            count[0] += 1
            return execute(sql, parameters)

        db.execute = counted
        for i in range(claims):
            for name, window in ((f"w{i % 20}", 20), (f"s{i % 20}", 1)):
                if i < 20:
                    add_labeler(db, name)
                count[0] = 0
                t = time.perf_counter()
                a = queue.claim_next(db, name, "comparison", overlap=3, lease_seconds=600,
                                     policy=policy, window=window)
                ms = (time.perf_counter() - t) * 1000
                assert a is not None
                if window == 1:
                    times["window_1"].append(ms)
                else:
                    kind = "check" if is_gold_check(db, a.id) else "production"
                    times[kind].append(ms)
                    statements[kind].append(count[0])
                submit(db, a.id, [LabelValue("ranking", a.item, "ranking", [[o] for o in a.order])],
                       overlap=3)
                judge_labeler(db, name, policy, None)  # as the app does after every submit
        db.conn.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    check, production = statistics.median(times["check"]), statistics.median(times["production"])
    window_20 = statistics.median(times["check"] + times["production"])
    return {
        "open_tasks": n, "gold_items": gold, "gold_rate": 0.25,
        "check_claim_ms": summary(times["check"]),
        "production_claim_ms": summary(times["production"]),
        "check_to_production_ratio": round(check / production, 2),
        "check_statements": sorted(set(statements["check"])),
        "production_statements": sorted(set(statements["production"])),
        "window_1_claim_ms": summary(times["window_1"]),
        "window_20_to_window_1_ratio": round(window_20 / statistics.median(times["window_1"]), 2),
    }


def main() -> None:
    record("gold_claim", measure())


if __name__ == "__main__":
    main()
