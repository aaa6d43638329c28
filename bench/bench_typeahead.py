"""Type-ahead through a real pty: 50 rankings of 4 outputs typed in ONE write(), as SSH delivers
keys typed faster than the screen follows.

`labeldesk app` (config: ranking step only) runs on an 80×24 pty on 50 comparison tasks; once
home shows, `c` and the 50 rankings (each 4 letters, a tie in every other one, then Enter) go
in one `os.write()`. The clock runs from that write to the 50th committed assignment (the
database is polled every 5 ms). Every stored ranking is checked against what was typed, by the
letters that labeler saw. The floor is the store alone: the same 50 claims and submits through
`store.queue` and `store.labels`, one transaction each, with no app around them. Each is run
ROUNDS times on a fresh copy; the median run is kept.
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from bench.pty_run import Typist, poll
from bench.results import machine, record
from bench.workload import app_in_pty, build_db
from store import labels, queue
from store.db import open_db
from store.schema import load_schema
from store.values import LabelValue
from tui.config import Config

N, K = 50, 4
ROUNDS = 3
LETTERS = "ABCD"


def typed_rankings(seed: int = 7) -> list[str]:
    """50 rankings in notation (B=A>D>C), every other one with a tie."""
    rng = random.Random(seed)
    out = []
    for i in range(N):
        order = rng.sample(LETTERS, K)
        if i % 2:
            out.append(f"{order[0]}={order[1]}>{order[2]}>{order[3]}")
        else:
            out.append(">".join(order))
    return out


def keys_of(notation: str) -> bytes:
    return notation.replace(">", "").encode() + b"\r"


def stored_rankings(db_path: Path) -> list[str]:
    """The stored rankings in the order the tasks were claimed, in the labeler's letters."""
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute(
            """SELECT a."order", l.value FROM assignments a
               JOIN labels l ON l.assignment_id = a.id AND l.task = 'ranking'
               WHERE a.labeler = 'ana' ORDER BY a.id""").fetchall()
    finally:
        conn.close()
    out = []
    for order, value in rows:
        letter = {oid: LETTERS[n] for n, oid in enumerate(json.loads(order))}
        out.append(">".join("=".join(letter[o] for o in group) for group in json.loads(value)))
    return out


def done(db_path: Path) -> int:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("SELECT count(*) FROM assignments WHERE labeler = 'ana' "
                            "AND status = 'done'").fetchone()[0]
    finally:
        conn.close()


def median_run(runs: list[dict]) -> dict:
    return sorted(runs, key=lambda r: r["wall_s"])[len(runs) // 2]


def through_pty(template: Path, tmp: Path, rankings: list[str]) -> dict:
    db_path = tmp / "pty.db"
    shutil.copy(template, db_path)
    burst = b"c" + b"".join(keys_of(r) for r in rankings)
    with app_in_pty(db_path, tmp, "[comparison]", 'steps = ["ranking"]', terminal=Typist,
                    size=(80, 24)) as term:
        term.wait_for(b"Labeling as")
        start = time.perf_counter()
        term.burst([burst])
        poll(lambda: done(db_path) >= N, f"{N} rankings committed", timeout=120, interval=0.005)
        wall = time.perf_counter() - start
        cpu = term.cpu_seconds()
    stored = stored_rankings(db_path)
    return {"wall_s": round(wall, 3), "keys": len(burst), "keys_per_s": round(len(burst) / wall),
            "rankings_per_s": round(N / wall, 1), "app_cpu_s_total": round(cpu, 2),
            "stored_exactly_as_typed": stored == rankings,
            "mismatches": sum(a != b for a, b in zip(stored, rankings, strict=False))
            + abs(len(stored) - len(rankings))}


def store_floor(template: Path, tmp: Path) -> dict:
    """The same 50 submits through the store alone: the commit rate no app can beat."""
    db_path = tmp / "floor.db"
    shutil.copy(template, db_path)
    db = open_db(db_path)
    schema, overlap = load_schema(), Config().overlap("comparison")  # as the app has them
    try:
        start = time.perf_counter()
        for _ in range(N):
            a = queue.claim_next(db, "ana", "comparison", overlap=overlap)
            order = json.loads(db.execute('SELECT "order" FROM assignments WHERE id = ?',
                                          [a.id]).fetchone()[0])
            labels.submit(db, a.id, [LabelValue("ranking", a.item, "ranking",
                                                       [[o] for o in order])],
                          seconds=1.0, schema=schema, overlap=overlap)
        wall = time.perf_counter() - start
    finally:
        db.conn.close()
    return {"wall_s": round(wall, 3), "commits_per_s": round(N / wall, 1)}


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    try:
        template = tmp / "template.db"
        build_db(template, N, output_chars=300, kinds=("comparison",)).conn.close()
        rankings = typed_rankings()
        figures = {"rankings": N, "outputs_each": K, "terminal": "80x24",
                   "pty_burst": median_run([through_pty(template, tmp, rankings)
                                            for _ in range(ROUNDS)]),
                   "store_floor": median_run([store_floor(template, tmp) for _ in range(ROUNDS)]),
                   "rounds": ROUNDS, "machine": machine()}
        record("typeahead", figures)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
