"""What the label tallies (store/tallies.py) cost a labeler's work: CPU of `submits` claims and
submits of a full comparison (a ranking, and a rating and every plain yes/no field of each
output), gold on a fifth of the outputs, with the tally triggers and without them (dropped), in
one run, alternating. SQLite: the process's CPU (the store runs SQLite in it); PostgreSQL: the
server backend's CPU (utime + stime from /proc, in 10 ms ticks: read around the whole loop),
where `labeldesk_claim`, `labeldesk_submit` and the triggers run.

    python -m bench.bench_tally_cost [--submits 300] [--rounds 2] [--backends sqlite postgresql]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from bench.bench_load import build
from bench.results import record
from store.db import immediate, open_db
from store.labels import submit, write_labels
from store.queue import claim_next
from store.roster import add_labeler
from store.schema import load_schema
from store.values import LabelValue

LABELERS = ("ana", "bo", "cy")
# Migration 11's SQLite triggers and PostgreSQL's (13 for inserts) functions, dropped for "without".
SQLITE_DROP = "SELECT 'DROP TRIGGER ' || name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'tallies_%'"
PG_DROP = ["DROP FUNCTION label_tallies_insert_row() CASCADE",
           "DROP FUNCTION label_tallies_update() CASCADE",
           "DROP FUNCTION label_tallies_delete() CASCADE"]


def _backend_cpu(db) -> float:  # noqa: ANN001
    pid = db.execute("SELECT pg_backend_pid()").fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_run(target: Path | str, work: Path, submits: int, *, tallies: bool) -> float:
    """CPU milliseconds per claim + submit, on a new project at `target`."""
    prompts = submits // len(LABELERS) + 1
    build(target, work, prompts, list(LABELERS))
    db = open_db(target)
    postgres = db.dialect.name == "postgresql"
    if not tallies:
        with immediate(db):
            for sql in PG_DROP if postgres else [r[0] for r in db.execute(SQLITE_DROP).fetchall()]:
                db.execute(sql)
    schema = load_schema()
    flags = [f for f in schema.all_fields() if f.task == "output" and f.kind == "bool" and not f.when]
    add_labeler(db, "rr", "researcher")
    outputs = [r[0] for r in db.execute("SELECT id FROM outputs ORDER BY id")]
    with immediate(db):
        for o in outputs[::5]:
            write_labels(db, "rr", [LabelValue("output", o, "rating", 4)]
                         + [LabelValue("output", o, f.name, False) for f in flags], gold=True, schema=schema)
    clock = (lambda: _backend_cpu(db)) if postgres else time.process_time
    done, started = 0, clock()
    for n in range(submits):
        a = claim_next(db, LABELERS[n % len(LABELERS)], "comparison", overlap=3, lease_seconds=600,
                       window=1)
        if a is None:
            continue
        values = [LabelValue("ranking", a.item, "ranking", [[o] for o in a.order])]
        for j, o in enumerate(a.order):
            values.append(LabelValue("output", o, "rating", 1 + (n + j) % 7))
            values += [LabelValue("output", o, f.name, (n + j) % 3 == 0) for f in flags]
        submit(db, a.id, values, schema=schema)
        done += 1
    spent = clock() - started  # the values are made in this process too (a small part of it)
    db.close()
    return round(1000 * spent / max(done, 1), 3)


def main(argv: list[str] | tuple[str, ...] = ()) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submits", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--backends", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite"])
    args = parser.parse_args(list(argv))
    figures: dict = {}
    cluster = None
    if "postgresql" in args.backends:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from tests.pg_cluster import Cluster

        cluster = Cluster()
        cluster.start()
    try:
        for backend in args.backends:
            runs: dict[str, list[float]] = {"with_ms": [], "without_ms": []}
            for _ in range(args.rounds):
                for tallies in (False, True):
                    with tempfile.TemporaryDirectory(prefix="labeldesk-tally-") as tmp:
                        target = Path(tmp) / "t.db" if cluster is None or backend == "sqlite" \
                            else cluster.new_database()
                        ms = one_run(target, Path(tmp), args.submits, tallies=tallies)
                    runs["with_ms" if tallies else "without_ms"].append(ms)
            figures[backend] = {**runs, "submits": args.submits,
                                "ratio": round(min(runs["with_ms"]) / min(runs["without_ms"]), 2),
                                "load_average_1min": round(os.getloadavg()[0], 1)}
            print(backend, figures[backend], file=sys.stderr)
    finally:
        if cluster is not None:
            cluster.stop()
    record("tally_cost", figures)
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
