"""Load: many labeler processes claim → label → submit on one database as fast as they can.

Usage: python -m bench load (8, then 50 processes), or
       python -m bench.bench_load [--processes 8 50] [--seconds 20] [--overlap 3] [--prompts 12000]
       python -m bench.bench_load --backends sqlite postgresql --processes 50 200 --seconds 25
       python -m bench.bench_load --backends postgresql pgbouncer --processes 200 --pool 20

Each process is one labeler running the real store calls the app makes for a comparison
(`claim_next`, then `submit` of a ranking and a rating per output), with the app's busy policy
(`APP_BUSY_TIMEOUT_MS`, store calls through `retry_busy` until `BUSY_BOUND`); a busy error that outlasts it is what the app
shows as a "database is busy" note, counted in `busy_notes`. Afterwards the database is
checked: at least one submit was made (an idle window proves nothing), every submit a process
saw succeed is in `labels` (none lost), no item has more than
`overlap` labelers, no process hit an error, and (SQLite) `PRAGMA integrity_check` is ok.
Throughput and submit/claim latency percentiles are merged into the results file under
`load_<processes>`; with `--backends`, every (backend, processes) run of the one invocation goes
under `load_backends` as `<backend>_<processes>`. PostgreSQL runs in a throwaway cluster
(tests/pg_cluster.py, with `max_connections` raised past the process count), a fresh database
per run; every process starts labeling once all of them are connected. `pgbouncer` is the same
cluster reached through a real PgBouncer in transaction mode (tests/pgbouncer.py) with `--pool`
server connections for all the processes, as docs/deployment.md sets one up; `--pg-setting`
passes server settings (`commit_delay=1000`) to the cluster.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import queue
import sqlite3
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench.results import percentile, record
from store.db import APP_BUSY_TIMEOUT_MS, open_db, retry_busy
from store.dialect import dialect_of
from store.errors import fault_kind
from store.imports import import_outputs, import_prompts
from store.labels import submit
from store.queue import claim_next
from store.roster import add_labeler
from store.schema import load_schema
from store.values import LabelValue

OUTPUTS_PER_PROMPT = 3


def build(db_path: Path | str, work: Path, prompts: int, labelers: list[str]) -> None:
    with open(work / "prompts.jsonl", "w") as f:
        for i in range(prompts):
            f.write(json.dumps({"id": f"p{i}", "text": f"Prompt {i}", "tasks": ["comparison"]}) + "\n")
    with open(work / "outputs.jsonl", "w") as f:
        for i in range(prompts):
            for k in range(OUTPUTS_PER_PROMPT):
                f.write(json.dumps({"id": f"o{i}_{k}", "prompt_id": f"p{i}", "text": f"Answer {k}"}) + "\n")
    db = open_db(db_path)
    for name in labelers:
        add_labeler(db, name)
    import_prompts(db, work / "prompts.jsonl")
    import_outputs(db, work / "outputs.jsonl")
    db.conn.close()


class RoundTrips:
    """Statements sent to the PostgreSQL server by this process (each one round trip):
    `store.pg`'s cursor and its one-round-trip scripts, counted."""

    n = 0

    @classmethod
    def count(cls) -> None:
        from store import pg

        for owner, name in ((pg.Cursor, "execute"), (pg.Cursor, "executemany"), (pg.Connection, "run")):
            real = getattr(owner, name)

            def counted(self, *args, _real=real, **kwargs):
                cls.n += 1
                return _real(self, *args, **kwargs)

            setattr(owner, name, counted)


def labeler(db_path: str, name: str, overlap: int, seconds: float, go, out) -> None:
    """One labeler process: its successful submits, latencies and errors go to ``out``. It
    says it is connected (``out``), then labels from the start time ``go`` brings for
    ``seconds``, and exits once ``go`` says every process has reported: the teardown of
    finished interpreters (200 at once on 2 cores) took the CPU from the last ones still
    writing and was most of the 200-process submit p99."""
    schema = load_schema()
    db = open_db(db_path, migrate=False)
    dialect_of(db).set_busy_timeout(db, APP_BUSY_TIMEOUT_MS)
    if dialect_of(db).name == "postgresql":
        RoundTrips.count()
    trips = {"claim": 0, "submit": 0}
    out.put("ready")
    start = go.get()
    stop = start + seconds
    busy_notes = 0
    busy_in = {"claim": 0, "submit": 0}  # where the busy notes came from
    emptied = False
    done: list[int] = []
    submit_ms: list[float] = []
    claim_ms: list[float] = []
    errors: list[str] = []
    while time.time() < start:
        time.sleep(0.001)
    while time.time() < stop:
        step = "claim"
        try:
            t0, n0 = time.perf_counter(), RoundTrips.n
            a = retry_busy(claim_next, db, name, "comparison", overlap=overlap)
            claim_ms.append((time.perf_counter() - t0) * 1000)
            trips["claim"] += RoundTrips.n - n0
            if a is None:
                emptied = True
                break
            values = [LabelValue("ranking", a.item, "ranking", [[o] for o in a.order])]
            values += [LabelValue("output", o, "rating", 1 + i) for i, o in enumerate(a.order)]
            t0, n0 = time.perf_counter(), RoundTrips.n
            step = "submit"
            retry_busy(submit, db, a.id, values, seconds=1.0, schema=schema, overlap=overlap)
            submit_ms.append((time.perf_counter() - t0) * 1000)
            trips["submit"] += RoundTrips.n - n0
            done.append(a.id)
        except sqlite3.OperationalError as exc:
            if fault_kind(exc) != "busy":
                raise
            busy_notes += 1  # the labeler would read "busy, try again" and press Enter again
            busy_in[step] += 1
        except Exception:  # noqa: BLE001 - every error is a finding, reported by the parent
            errors.append(traceback.format_exc(limit=3))
    db.conn.close()
    out.put({"name": name, "end": time.time(), "done": done, "submit_ms": submit_ms, "claim_ms": claim_ms,
             "errors": errors, "busy_notes": busy_notes, "busy_in": busy_in, "trips": trips,
             "emptied": emptied})
    try:
        go.get(timeout=seconds + 600)
    except queue.Empty:
        pass  # the parent gave up on a process that did not report


def check(db_path: Path | str, reports: list[dict], overlap: int) -> dict:
    db = open_db(db_path, migrate=False)
    claimed_done = {a for r in reports for a in r["done"]}
    in_db = {row[0] for row in db.execute("SELECT id FROM assignments WHERE status = 'done'")}
    with_labels = {row[0] for row in db.execute(
        "SELECT DISTINCT assignment_id FROM labels WHERE task = 'ranking'")}
    over = db.execute(
        """SELECT item, count(DISTINCT labeler) FROM labels WHERE task = 'ranking' AND gold = 0
           GROUP BY item HAVING count(DISTINCT labeler) > ?""", [overlap]).fetchall()
    values_per_submit = 1 + OUTPUTS_PER_PROMPT
    label_rows = db.execute("SELECT count(*) FROM labels").fetchone()[0]
    # PostgreSQL has no whole-database check to ask; the server keeps its own files.
    integrity = (db.execute("PRAGMA integrity_check").fetchone()[0]
                 if dialect_of(db).name == "sqlite" else "n/a")
    db.conn.close()
    return {
        "lost": len(claimed_done - (in_db & with_labels)),
        "unreported": len(in_db - claimed_done),
        "label_rows_expected": len(claimed_done) * values_per_submit,
        "label_rows": label_rows,
        "items_over_overlap": len(over),
        "errors": sum(len(r["errors"]) for r in reports),
        "busy_notes": sum(r["busy_notes"] for r in reports),
        "integrity_check": integrity,
    }


def passed(checks: dict, submits: int) -> bool:
    """The run's verdict. A run that submitted nothing proves nothing (every other check holds
    trivially on an empty window), so it fails."""
    return (submits > 0 and checks["lost"] == 0 and checks["unreported"] == 0
            and checks["errors"] == 0 and checks["busy_notes"] == 0
            and checks["items_over_overlap"] == 0 and checks["integrity_check"] in ("ok", "n/a")
            and checks["label_rows"] == checks["label_rows_expected"])


def main(argv: list[str] | tuple[str, ...] = ()) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, nargs="+", default=[8, 50])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--overlap", type=int, default=3)
    parser.add_argument("--prompts", type=int, default=12000)  # 8 processes must not run dry
    parser.add_argument("--backends", nargs="+", choices=["sqlite", "postgresql", "pgbouncer"],
                        help="Run each process count on each backend; figures under load_backends.")
    parser.add_argument("--pool", type=int, default=20,
                        help="pgbouncer: server connections (default_pool_size) for all processes")
    parser.add_argument("--pg-setting", action="append", default=[], metavar="NAME=VALUE",
                        help="a PostgreSQL server setting for the cluster (again for more)")
    args = parser.parse_args(list(argv))
    if not args.backends:
        failed = [n for n in args.processes if not run(n, args)]
        return 1 if failed else 0
    servers = {"postgresql", "pgbouncer"} & set(args.backends)
    settings = dict(s.split("=", 1) for s in args.pg_setting)
    cluster = _cluster(max(args.processes), settings) if servers else None
    bouncer = _bouncer(cluster, args.pool, max(args.processes)) if "pgbouncer" in servers else None
    figures: dict[str, dict] = {}
    try:
        for n in args.processes:
            for backend in args.backends:
                figures[f"{backend}_{n}"] = measure(
                    n, args, cluster if backend != "sqlite" else None,
                    bouncer if backend == "pgbouncer" else None)
    finally:
        if bouncer is not None:
            bouncer.stop()
        if cluster is not None:
            cluster.stop()
    record("load_backends", figures)
    return 0 if all(f["ok"] for f in figures.values()) else 1


def _cluster(processes: int, settings: dict[str, str] | None = None):
    """A throwaway PostgreSQL cluster with room for every labeler's connection, on this
    machine's disk like the SQLite file (`settings`: more server settings)."""
    from tests import pg_cluster

    why = pg_cluster.missing()
    if why:
        raise SystemExit(f"bench_load: {why}")
    # Durable as a real server (SQLite runs with synchronous=FULL): the tests' cluster is not.
    wanted: dict[str, str | int] = {"max_connections": processes + 100, "fsync": "on",
                                    "synchronous_commit": "on", "full_page_writes": "on"}
    cluster = pg_cluster.Cluster(**{**wanted, **(settings or {})})
    cluster.start()
    return cluster


def _bouncer(cluster, pool: int, processes: int):
    """A PgBouncer in transaction mode in front of `cluster`, `pool` server connections."""
    from tests import pgbouncer

    why = pgbouncer.missing()
    if why:
        raise SystemExit(f"bench_load: {why}")
    bouncer = pgbouncer.Bouncer(cluster, pool_size=pool, max_client_conn=processes + 50)
    bouncer.start()
    return bouncer


def run(processes: int, args: argparse.Namespace) -> bool:
    """One load run with `processes` labelers on SQLite; its figures go under `load_<processes>`."""
    result = measure(processes, args, None)
    record(f"load_{processes}", result)
    return result["ok"]


def measure(processes: int, args: argparse.Namespace, cluster, bouncer=None) -> dict:
    """One load run with `processes` labelers, on SQLite or (given a cluster) on PostgreSQL,
    directly or (given a bouncer) through PgBouncer."""
    names = [f"labeler{i:02d}" for i in range(processes)]
    load_before = round(os.getloadavg()[0], 1)  # a busy machine slows every figure
    with tempfile.TemporaryDirectory(prefix="labeldesk-load-") as tmp:
        target: Path | str = Path(tmp) / "load.db" if cluster is None else cluster.new_database()
        build(target, Path(tmp), args.prompts, names)
        reached = str(target) if bouncer is None else bouncer.url(str(target))
        ctx = mp.get_context("spawn")
        out, go = ctx.Queue(), ctx.Queue()
        procs = [ctx.Process(target=labeler, args=(reached, n, args.overlap, args.seconds, go, out))
                 for n in names]
        for p in procs:
            p.start()
        # The clock starts once every process has opened its connection (200 spawned
        # interpreters take a while on 2 cores).
        for _ in procs:
            assert out.get(timeout=600) == "ready"
        start = time.time() + 0.5
        for _ in procs:
            go.put(start)
        reports = [out.get(timeout=args.seconds + 120) for _ in procs]
        for _ in procs:
            go.put("leave")
        for p in procs:
            p.join(30)
        elapsed = max(r["end"] for r in reports) - start
        checks = check(target, reports, args.overlap)
        # No cluster.drop(target): its helper thread would empty the database while the next
        # run measures. The cluster and every database in it go at the end.

    submits = [ms for r in reports for ms in r["submit_ms"]]
    claims = [ms for r in reports for ms in r["claim_ms"]]
    ok = passed(checks, len(submits))
    result = {
        "backend": "sqlite" if cluster is None else "postgresql" if bouncer is None else "pgbouncer",
        "server_connections": None if bouncer is None else args.pool,
        "processes": processes,
        "seconds": round(elapsed, 1),
        "overlap": args.overlap,
        "prompts": args.prompts,
        "submits": len(submits),
        "submits_per_second": round(len(submits) / elapsed, 1),
        "submit_ms_p50": round(percentile(submits, 50), 1),
        "submit_ms_p99": round(percentile(submits, 99), 1),
        "claim_ms_p50": round(percentile(claims, 50), 1),
        "claim_ms_p99": round(percentile(claims, 99), 1),
        "queue_emptied": any(r["emptied"] for r in reports),
        # PostgreSQL: statements sent per claim and per submit, busy retries included (SQLite
        # runs in the process: none).
        "round_trips_per_claim": round(sum(r["trips"]["claim"] for r in reports) / max(1, len(claims)), 1),
        "round_trips_per_submit": round(sum(r["trips"]["submit"] for r in reports) / max(1, len(submits)), 1),
        "busy_notes_in_claims": sum(r["busy_in"]["claim"] for r in reports),
        "busy_notes_in_submits": sum(r["busy_in"]["submit"] for r in reports),
        "load_average_before": load_before,
        "load_average_after": round(os.getloadavg()[0], 1),
        "checks": checks,
        "ok": ok,
    }
    for r in reports:
        for e in r["errors"][:1]:
            print(f"{r['name']}: {e}", file=sys.stderr)
    return result


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
