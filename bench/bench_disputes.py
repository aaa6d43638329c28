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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.results import machine, record  # noqa: E402
from store.db import now, open_db  # noqa: E402

# isort: split
# numpy after the store, whose __init__ puts BLAS on one thread before numpy loads.
import numpy as np  # noqa: E402

ITEMS, LABELERS, PER_ITEM, OUTPUTS, DISPUTED = 10_000, 30, 3, 4, 0.05
# The researchers' report project (`python -m bench disputes --million`): 13,000 prompts of 4
# outputs, 200 labelers, five an item, each giving 15 values (a rating and two flags per
# output, two prompt flags, a ranking): 975,000 label values.
MILLION = {"items": 13_000, "labelers": 200, "per_item": 5, "output_flags": ("fails_task", "hallucination")}


def generate(path: Path, seed: int = 0, *, items: int = ITEMS, labelers: int = LABELERS,
             per_item: int = PER_ITEM, output_flags: tuple[str, ...] = ()) -> None:
    rng = np.random.default_rng(seed)
    db = open_db(path)
    db.conn.execute("PRAGMA synchronous = OFF")
    stamp = now()
    names = [f"l{i:03d}" for i in range(labelers)]
    with db.conn:
        db.conn.execute("INSERT INTO labelers VALUES ('rhea', 'researcher', ?)", [stamp])
        db.conn.executemany("INSERT INTO labelers VALUES (?, 'labeler', ?)", [(n, stamp) for n in names])
        for i in range(items):
            p = f"p{i}"
            outs = [f"{p}-{k}" for k in range(OUTPUTS)]
            db.conn.execute("INSERT INTO prompts (id, text, created_at, tasks) VALUES (?, ?, ?, '[\"comparison\"]')",
                            [p, f"prompt {i}", stamp])
            db.conn.executemany("INSERT INTO outputs VALUES (?, ?, ?, NULL, ?)",
                                [(o, p, f"output {o}", k) for k, o in enumerate(outs)])
            task = db.conn.execute("INSERT INTO tasks (kind, item, created_at) VALUES ('comparison', ?, ?)",
                                   [p, stamp]).lastrowid
            disputed = rng.random() < DISPUTED
            for n, who in enumerate(rng.choice(names, per_item, replace=False)):
                db.conn.execute("INSERT INTO assignments (task_id, labeler, status, claimed_at, finished_at)"
                                " VALUES (?, ?, 'done', ?, ?)", [task, who, stamp, stamp])
                rows = [(who, "output", o, "rating", json.dumps(2 if disputed and n == 0 else 7 if disputed else 5))
                        for o in outs]
                rows += [(who, "output", o, flag, "false") for o in outs for flag in output_flags]
                rows += [(who, "instruction", p, "pii", "false"),
                         (who, "ranking", p, "ranking", json.dumps([[o] for o in outs]))]
                if output_flags:
                    rows.append((who, "instruction", p, "closed_domain", "false"))
                db.conn.executemany("INSERT INTO labels (labeler, task, item, field, value, created_at)"
                                    " VALUES (?, ?, ?, ?, ?, '" + stamp + "')", rows)
    db.close()


def measure(path: Path, per_item: int) -> dict:
    """The first listing, the second, and the adjudication screen's next case, each in wall
    and CPU seconds."""
    from store.adjudication import next_case
    from store.disputes import Rules, list_disputes

    db = open_db(path)
    rules, overlap = Rules(max_overlap=per_item), (lambda kind: per_item)
    figures: dict = {}

    def timed(name: str, work):  # noqa: ANN001, ANN202
        started, cpu = time.perf_counter(), time.process_time()
        out = work()
        figures[f"{name}_seconds"] = round(time.perf_counter() - started, 3)
        figures[f"{name}_cpu_seconds"] = round(time.process_time() - cpu, 3)
        return out

    found = timed("list_disputes", lambda: list_disputes(db, rules, overlap))
    again = timed("list_disputes_again", lambda: list_disputes(db, rules, overlap))
    assert len(again) == len(found)
    case = timed("next_case", lambda: next_case(db, "rhea", rules, overlap))
    figures.update(labels=db.execute("SELECT count(*) FROM labels").fetchone()[0],
                   disputed=len(found), first_case=case.dispute.item if case else None)
    db.conn.close()
    return figures


def main(million: bool = "--million" in sys.argv) -> None:
    sizes: dict = MILLION if million else {}
    scratch = "/dev/shm" if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(dir=scratch) as tmp:
        path = Path(tmp) / "bench.db"
        generate(path, **sizes)
        figures = {"items": sizes.get("items", ITEMS),
                   **measure(path, sizes.get("per_item", PER_ITEM)),
                   "machine": machine(), "measured_at": now()}
    record("disputes_million" if million else "disputes", figures)


if __name__ == "__main__":
    main()
