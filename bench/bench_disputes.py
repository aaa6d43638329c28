"""Benchmark finding disputes: `labeldesk disputes` and the adjudication screen's next item.

    python -m bench disputes

10,000 comparison items (4 outputs), each finished by 3 of 30 labelers (ratings, pii and a
ranking: 180,000 labels), 5% of them with a rating spread of 5. Rows go straight into the real
tables. Measures `list_disputes` (every item judged) and `next_case` (stops at the first item
waiting for a researcher). The first listing judges every item and remembers the undisputed
ones (dispute_checks); the second and every next case judge only the disputed ones and any item
whose labels changed. Not part of the test suite.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.results import machine, record  # noqa: E402
from store.db import now, open_db  # noqa: E402

ITEMS, LABELERS, PER_ITEM, OUTPUTS, DISPUTED = 10_000, 30, 3, 4, 0.05


def generate(path: Path, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    db = open_db(path)
    db.conn.execute("PRAGMA synchronous = OFF")
    stamp = now()
    names = [f"l{i:02d}" for i in range(LABELERS)]
    with db.conn:
        db.conn.execute("INSERT INTO labelers VALUES ('rhea', 'researcher', ?)", [stamp])
        db.conn.executemany("INSERT INTO labelers VALUES (?, 'labeler', ?)", [(n, stamp) for n in names])
        for i in range(ITEMS):
            p = f"p{i}"
            outs = [f"{p}-{k}" for k in range(OUTPUTS)]
            db.conn.execute("INSERT INTO prompts (id, text, created_at, tasks) VALUES (?, ?, ?, '[\"comparison\"]')",
                            [p, f"prompt {i}", stamp])
            db.conn.executemany("INSERT INTO outputs VALUES (?, ?, ?, NULL, ?)",
                                [(o, p, f"output {o}", k) for k, o in enumerate(outs)])
            task = db.conn.execute("INSERT INTO tasks (kind, item, created_at) VALUES ('comparison', ?, ?)",
                                   [p, stamp]).lastrowid
            disputed = rng.random() < DISPUTED
            for n, who in enumerate(rng.choice(names, PER_ITEM, replace=False)):
                db.conn.execute("INSERT INTO assignments (task_id, labeler, status, claimed_at, finished_at)"
                                " VALUES (?, ?, 'done', ?, ?)", [task, who, stamp, stamp])
                rows = [(who, "output", o, "rating", json.dumps(2 if disputed and n == 0 else 7 if disputed else 5))
                        for o in outs]
                rows += [(who, "instruction", p, "pii", "false"),
                         (who, "ranking", p, "ranking", json.dumps([[o] for o in outs]))]
                db.conn.executemany("INSERT INTO labels (labeler, task, item, field, value, created_at)"
                                    " VALUES (?, ?, ?, ?, ?, '" + stamp + "')", rows)
    db.close()


def main() -> None:
    from store.adjudication import next_case
    from store.disputes import Rules, list_disputes

    scratch = "/dev/shm" if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(dir=scratch) as tmp:
        path = Path(tmp) / "bench.db"
        generate(path)
        db = open_db(path)
        rules, overlap = Rules(max_overlap=3), (lambda kind: 3)
        started = time.perf_counter()
        found = list_disputes(db, rules, overlap)
        listed = time.perf_counter() - started
        started = time.perf_counter()
        again = list_disputes(db, rules, overlap)
        relisted = time.perf_counter() - started
        assert len(again) == len(found)
        started = time.perf_counter()
        case = next_case(db, "rhea", rules, overlap)
        first = time.perf_counter() - started
        labels = db.execute("SELECT count(*) FROM labels").fetchone()[0]
    figures = {"items": ITEMS, "labels": labels, "disputed": len(found),
               "list_disputes_seconds": round(listed, 2),
               "list_disputes_again_seconds": round(relisted, 2),
               "next_case_seconds": round(first, 3), "first_case": case.dispute.item if case else None,
               "machine": machine(), "measured_at": now()}
    record("disputes", figures)


if __name__ == "__main__":
    main()
