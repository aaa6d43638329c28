"""Benchmark `agreement_report` on 1,000,000 labels (500 labelers, 20 fields).

    python -m bench agreement        # or: python bench/bench_agreement.py

Labels go straight into a temporary database made by `open_db` (the real tables; the import
path's per-line checks would dominate and are measured elsewhere), on tmpfs when available. Each report runs in a child
process so its peak memory (VmHWM) is the report's own, not the generator's.
Not part of the test suite.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # also runnable as a plain script (the child process is one)

from bench.child import child_args, measure, record_run, run_in_child  # noqa: E402
from store.db import now, open_db  # noqa: E402
from store.schema import load_schema  # noqa: E402

# isort: split
# numpy after the store, whose __init__ puts BLAS on one thread before numpy loads (loaded
# first, OpenBLAS spun a thread per core: the report's CPU 5.8 s -> 13.5 s at 1M).
import numpy as np  # noqa: E402

LABELERS = 500
PER_ITEM = 5  # labelers per item
PER_LABELER_PER_FIELD = 100
GOLD_SHARE = 0.2  # items with a researcher's gold label
ACCURACY = 0.7  # chance a labeler gives the item's "true" value
OUTPUTS_PER_PROMPT = 4
FIELDS = [
    "output.rating",
    "ranking.ranking",
    "instruction.category",
    "toxicity.toxicity",
    "toxicity.continuity",
    "output.inappropriate_for_assistant",
    "instruction.pii",
    "instruction.closed_domain",
    "instruction.intent_unclear",
    "instruction.explicit_constraints",
    "instruction.asks_advice",
    "instruction.asks_opinion",
    "output.fails_task",
    "output.hallucination",
    "output.satisfies_constraints",
    "output.sexual",
    "output.violent",
    "output.encourages_harm",
    "output.harmful_advice",
    "output.expresses_opinion",
]


def _ranking(rng: np.random.Generator, item: str) -> list[list[str]]:
    outputs = [f"{item}-{c}" for c in "abcd"[:OUTPUTS_PER_PROMPT]]
    order = [outputs[i] for i in rng.permutation(len(outputs))]
    groups: list[list[str]] = []
    for output in order:
        if groups and rng.random() < 0.15:  # an occasional tie
            groups[-1].append(output)
        else:
            groups.append([output])
    return groups


def generate(path: Path, seed: int = 0, *, labelers_n: int = LABELERS,
             per_labeler: int = PER_LABELER_PER_FIELD) -> dict:
    """`labelers_n` labelers (a multiple of PER_ITEM), `per_labeler` labels each per field."""
    schema = load_schema()
    rng = np.random.default_rng(seed)
    db = open_db(path)
    # Generation only: the report is what is measured, and it opens the file with our pragmas.
    db.conn.execute("PRAGMA synchronous = OFF")
    db.conn.execute("PRAGMA cache_size = -262144")
    # The app folds the log after each writer's turn (store/db.py); these raw inserts take no
    # turn, so without SQLite's own checkpoints the log grew past 12 GB at a million labels.
    db.conn.execute("PRAGMA wal_autocheckpoint = 1000")
    stamp = now()
    labelers = [f"labeler{i:03d}" for i in range(labelers_n)]
    n_items = labelers_n * per_labeler // PER_ITEM
    rows = gold_rows = 0
    started = time.perf_counter()
    for key in FIELDS:
        task, name = key.split(".")
        field = schema.field(task, name)
        prefix = {"output": "o", "toxicity": "t"}.get(task, "p")
        batch = []
        for block in range(0, n_items, labelers_n // PER_ITEM):
            # Each block of 100 items spreads all 500 labelers over it, five to an item.
            order = rng.permutation(labelers_n)
            for offset in range(labelers_n // PER_ITEM):
                item = f"{prefix}{block + offset}"
                if field.kind == "ranking":
                    truth = _ranking(rng, item)
                else:
                    truth = field.scale[rng.integers(len(field.scale))]
                if rng.random() < GOLD_SHARE:
                    batch.append(("researcher", task, item, name, json.dumps(truth), 1, stamp))
                    gold_rows += 1
                for slot in order[offset * PER_ITEM : (offset + 1) * PER_ITEM]:
                    if rng.random() < ACCURACY:
                        value = truth
                    elif field.kind == "ranking":
                        value = _ranking(rng, item)
                    else:
                        value = field.scale[rng.integers(len(field.scale))]
                    batch.append((labelers[slot], task, item, name, json.dumps(value), 0, stamp))
                    rows += 1
        with db.conn:
            db.conn.executemany(
                "INSERT INTO labels (labeler, task, item, field, value, gold, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                batch,
            )
    db.conn.close()
    return {
        "labels": rows,
        "gold_labels": gold_rows,
        "labelers": labelers_n,
        "fields": len(FIELDS),
        "generate_seconds": round(time.perf_counter() - started, 1),
    }


def run_report(path: str, resamples: int) -> None:
    """Child process: one report (see bench.child.measure)."""
    from store.reports.agreement import agreement_report

    measure(path, lambda db: agreement_report(db, n_boot=resamples, seed=0),
            lambda report: {"per_labeler_entries":
                            sum(len(fields) for fields in report["per_labeler"].values())})


@contextmanager
def generated() -> Iterator[tuple[Path, dict]]:
    """The generated database (deleted afterwards) and the figures of its generation."""
    # tmpfs when there is one: random-order index inserts on a slow disk take many minutes.
    scratch = "/dev/shm" if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(dir=scratch) as tmp:
        path = Path(tmp) / "bench.db"
        figures = generate(path)
        print(f"generated: {figures}", file=sys.stderr)
        yield path, figures


def main() -> None:
    with generated() as (path, figures):
        for resamples in (1000, 0):
            figures[f"report_resamples_{resamples}"] = run_in_child(__file__, str(path), str(resamples))
            print(f"resamples={resamples}: {figures[f'report_resamples_{resamples}']}", file=sys.stderr)
    record_run("agreement", figures)


if __name__ == "__main__":
    if (args := child_args()) is not None:
        run_report(args[0], int(args[1]))
    else:
        main()
