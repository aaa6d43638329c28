"""Labelers saving while a researcher imports a large prompt file (issue 14, item 14).

Usage: python -m bench import_load, or
       python -m bench.bench_import_load [--prompts 300000] [--labelers 4]

The database starts with comparison tasks for the labelers. Then `--labelers` processes claim
and submit comparisons as fast as they can (the app's busy policy: `APP_BUSY_TIMEOUT_MS`, store
calls through `retry_busy` until `BUSY_BOUND`; a busy error past it is a "database is busy"
note, counted in `busy_notes`), while the parent imports `--prompts` prompts through the real
`import_prompts`. Reported, for the labelers' calls made while the import ran: their count,
median, p99 and worst latency, busy notes; and the import's own wall time. Before staging
(one transaction for the whole file) the issue measured 106 "database is locked" across 20
labeler processes during a 110 s import of 300k prompts. Exits 1 when a labeler saw a busy
note or an error, or made no call during the import (a run that did no work proves nothing).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sqlite3
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench import bench_load
from bench.results import percentile, record
from store.db import APP_BUSY_TIMEOUT_MS, open_db, retry_busy
from store.errors import fault_kind
from store.imports import import_prompts
from store.labels import submit
from store.queue import claim_next
from store.schema import load_schema
from store.values import LabelValue

TASKS = 3000


def build(db_path: Path, labelers: list[str], big_prompts: int) -> Path:
    """The load benchmark's database (comparison tasks for the labelers) and the big file."""
    bench_load.build(db_path, db_path.parent, TASKS, labelers)
    big = db_path.parent / "big.jsonl"
    with open(big, "w") as f:
        for i in range(big_prompts):
            f.write(json.dumps({"id": f"big{i}", "text": f"A prompt of a researcher's large file, number {i}.",
                                "user_id": f"u{i % 5000}"}) + "\n")
    return big


def labeler(db_path: str, name: str, stop_file: str, out) -> None:
    schema = load_schema()
    db = open_db(db_path, migrate=False)
    db.execute(f"PRAGMA busy_timeout = {APP_BUSY_TIMEOUT_MS}")
    calls: list[tuple[float, float]] = []  # (start time, ms)
    busy_notes, errors, busy_at = 0, [], []
    while not Path(stop_file).exists():
        try:
            t0 = time.time()
            a = retry_busy(claim_next, db, name, "comparison", overlap=1)
            calls.append((t0, (time.time() - t0) * 1000))
            if a is None:
                break
            values = [LabelValue("ranking", a.item, "ranking", [[o] for o in a.order])]
            t0 = time.time()
            retry_busy(submit, db, a.id, values, seconds=1.0, schema=schema, overlap=1)
            calls.append((t0, (time.time() - t0) * 1000))
            time.sleep(0.05)  # a labeler is not a tight loop; keeps the 2-core machine usable
        except sqlite3.OperationalError as exc:
            if fault_kind(exc) != "busy":
                errors.append(traceback.format_exc(limit=3))
            busy_notes += 1
            busy_at.append(time.time())
        except Exception:  # noqa: BLE001 - every error is a finding, reported by the parent
            errors.append(traceback.format_exc(limit=3))
    db.conn.close()
    out.put({"name": name, "calls": calls, "busy_notes": busy_notes, "errors": errors, "busy_at": busy_at})


def main(argv: list[str] | tuple[str, ...] = ()) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=300_000)
    parser.add_argument("--labelers", type=int, default=4)
    args = parser.parse_args(list(argv))
    names = [f"labeler{i:02d}" for i in range(args.labelers)]
    with tempfile.TemporaryDirectory(prefix="labeldesk-import-load-") as tmp:
        db_path = Path(tmp) / "load.db"
        big = build(db_path, names, args.prompts)
        stop = Path(tmp) / "stop"
        ctx = mp.get_context("spawn")
        out = ctx.Queue()
        procs = [ctx.Process(target=labeler, args=(str(db_path), n, str(stop), out)) for n in names]
        for p in procs:
            p.start()
        time.sleep(3)  # every labeler is claiming before the import starts
        db = open_db(db_path)
        start = time.time()
        result = import_prompts(db, big)
        end = time.time()
        db.conn.close()
        time.sleep(1)
        stop.touch()
        reports = [out.get(timeout=120) for _ in procs]
        for p in procs:
            p.join(30)
    during = [ms for r in reports for t0, ms in r["calls"] if start <= t0 <= end]
    busy = sum(r["busy_notes"] for r in reports)
    errors = sum(len(r["errors"]) for r in reports)
    figures = {
        "prompts": args.prompts,
        "labelers": args.labelers,
        "import_seconds": round(end - start, 1),
        "imported": result.added,
        "labeler_calls_during_import": len(during),
        "labeler_call_ms_median": round(percentile(during, 50), 1),
        "labeler_call_ms_p99": round(percentile(during, 99), 1),
        "labeler_call_ms_worst": round(max(during, default=float("nan")), 1),
        "busy_notes": busy,
        "busy_notes_at_seconds": sorted(round(t - start, 1) for r in reports for t in r["busy_at"]),
        "errors": errors,
    }
    figures["ok"] = bool(during) and busy == 0 and errors == 0 and result.added == args.prompts
    record("import_load", figures)
    for r in reports:
        for e in r["errors"][:1]:
            print(f"{r['name']}: {e}", file=sys.stderr)
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
