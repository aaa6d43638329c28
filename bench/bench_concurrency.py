"""Concurrency: N labeler processes (8 by default) claim → submit comparisons on one database
for a bounded time, with the store calls the app makes; throughput and p99 per claim+submit.

Usage: python -m bench concurrency, or python -m bench.bench_concurrency [processes] [seconds]

Each submit writes a ranking and a rating per output (4 outputs). Afterwards every submit a
process saw succeed must be in the database with its labels, no process may have hit an error,
and `PRAGMA integrity_check` must say ok; the figures go under `concurrency_<N>`.
"""

from __future__ import annotations

import multiprocessing as mp
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench.results import record, summary
from bench.workload import KIND_OUTPUTS, build_db

PROCESSES = 8
SECONDS = 15.0
OVERLAP = 3


def labeler(db_path: str, name: str, start: float, stop: float, out) -> None:
    from store.db import open_db
    from store.labels import LabelValue, submit
    from store.queue import claim_next
    from store.schema import load_schema

    schema = load_schema()
    db = open_db(db_path, migrate=False)
    done, pair_ms, errors = [], [], []
    while time.time() < start:
        time.sleep(0.001)
    while time.time() < stop:
        try:
            t0 = time.perf_counter()
            a = claim_next(db, name, "comparison", overlap=OVERLAP)
            if a is None:
                break
            values = [LabelValue("ranking", a.item, "ranking", [[o] for o in a.order])]
            values += [LabelValue("output", o, "rating", 1 + i) for i, o in enumerate(a.order)]
            submit(db, a.id, values, seconds=1.0, schema=schema, overlap=OVERLAP)
            pair_ms.append((time.perf_counter() - t0) * 1000)
            done.append(a.id)
        except Exception:  # noqa: BLE001 - every error is a finding, reported by the parent
            errors.append(traceback.format_exc(limit=3))
    db.conn.close()
    out.put({"done": done, "pair_ms": pair_ms, "errors": errors, "end": time.time()})


def run(processes: int, seconds: float) -> dict:
    tmp = Path(tempfile.mkdtemp())
    try:
        names = [f"l{i:02d}" for i in range(processes)]
        db_path = tmp / "concurrency.db"
        # Enough comparisons that nobody runs dry: ~3,000 submits a second at most.
        build_db(db_path, int(seconds * 3000 * OVERLAP / processes) + 100, labelers=names,
                 output_chars=200, kinds=("comparison",)).conn.close()
        ctx = mp.get_context("spawn")
        out = ctx.Queue()
        start = time.time() + 3  # every process connected before the clock starts
        procs = [ctx.Process(target=labeler, args=(str(db_path), n, start, start + seconds, out))
                 for n in names]
        for p in procs:
            p.start()
        reports = [out.get() for _ in procs]
        for p in procs:
            p.join()
        elapsed = max(r["end"] for r in reports) - start
        from store.db import open_db

        db = open_db(db_path, migrate=False)
        claimed = {a for r in reports for a in r["done"]}
        committed = {row[0] for row in db.execute(
            "SELECT a.id FROM assignments a WHERE a.status = 'done' AND EXISTS "
            "(SELECT 1 FROM labels l WHERE l.assignment_id = a.id AND l.task = 'ranking')")}
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        db.conn.close()
        pair_ms = [ms for r in reports for ms in r["pair_ms"]]
        errors = [e for r in reports for e in r["errors"]]
        for e in errors[:3]:
            print(e, file=sys.stderr)
        return {
            "processes": processes, "seconds": round(elapsed, 1),
            "submits": len(claimed), "submits_per_second": round(len(claimed) / elapsed),
            "claim_plus_submit_ms": summary(pair_ms),
            "outputs_per_task": KIND_OUTPUTS["comparison"],
            "errors": len(errors), "lost": len(claimed - committed),
            "integrity_check": integrity,
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(processes: int = PROCESSES, seconds: float = SECONDS) -> None:
    figures = run(processes, seconds)
    record(f"concurrency_{processes}", figures)
    if figures["errors"] or figures["lost"] or figures["integrity_check"] != "ok":
        raise SystemExit(1)


if __name__ == "__main__":
    main(*(int(a) if i == 0 else float(a) for i, a in enumerate(sys.argv[1:3])))
