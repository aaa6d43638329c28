"""Pipeline benchmark: import 1,000,000 API prompts with every data rule, export 1,000,000 pairs.

    PYTHONPATH=. python bench/bench_pipeline.py [--prompts N] [--pairs N] [--keep DIR]

Each measured step runs in a child process of its own, so its peak memory (VmHWM, which
includes the interpreter) is its own. Results are merged into bench/results.json under
"pipeline" by `bench.results.record` (the other keys are left as they are).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.results import machine, peak_rss_mib, record  # noqa: E402  (after the path is set)

# ------------------------------------------------------------------ measured steps (children)

def _cpu_seconds() -> float:
    """CPU time of the whole child (start-up included): less sensitive than wall time to other
    work on the machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return round(usage.ru_utime + usage.ru_stime, 1)


def step_import(db_path: str, prompts_path: str, report_path: str) -> dict:
    from store.db import open_db
    from store.imports import import_prompts
    from store.rules import PromptRules

    db = open_db(db_path)
    start = time.perf_counter()
    with open(report_path, "w+", encoding="utf-8") as spool:
        rules = PromptRules(dropped_sink=spool)
        rules.seed(db)
        result = import_prompts(db, prompts_path, rules=rules)
    seconds = time.perf_counter() - start
    return {"seconds": round(seconds, 1), "cpu_seconds": _cpu_seconds(), "peak_rss_mib": peak_rss_mib(),
            "read": result.read, "added": result.added, "tasks_created": result.tasks_created,
            **{k: v for k, v in rules.report.summary().items() if k != "read"}}


def step_export(db_path: str, out_path: str) -> dict:
    from store.db import open_db
    from store.exports import export_pairs

    db = open_db(db_path)
    start = time.perf_counter()
    n = 0
    with open(out_path, "w", encoding="utf-8") as out:
        for record in export_pairs(db).records():
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            n += 1
    seconds = time.perf_counter() - start
    return {"seconds": round(seconds, 1), "cpu_seconds": _cpu_seconds(), "peak_rss_mib": peak_rss_mib(), "pairs": n,
            "bytes": os.path.getsize(out_path)}


def _child(step: str, *args: str) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--step", step, *args],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False,
    )
    if proc.returncode:
        raise SystemExit(f"{step} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ setup (not measured)

def write_prompts(path: Path, n: int) -> None:
    from bench.gen_prompts import generate

    with open(path, "w", encoding="utf-8") as f:
        for record in generate(n):
            f.write(json.dumps(record) + "\n")


def build_rankings_db(db_path: str, pairs_wanted: int) -> dict:
    """Prompts with 4..9 outputs and one ranking each (some ties), until the rankings yield
    `pairs_wanted` untied pairs. Written with plain SQL: the setup is not what is measured."""
    from store.db import immediate, open_db
    from store.ranking import untied_pairs

    rnd = random.Random(11)
    db = open_db(db_path)
    words = "the a rain roof moon sea soft light over under quiet river stone field wind".split()
    pairs = rankings = 0
    stamp = "2026-01-01T00:00:00+00:00"
    with immediate(db):
        db.execute("INSERT INTO labelers (name, role, created_at) VALUES ('alice', 'labeler', ?)", [stamp])
        i = 0
        while pairs < pairs_wanted:
            pid, k = f"q{i}", rnd.randint(4, 9)
            text = " ".join(rnd.choice(words) for _ in range(rnd.randint(10, 60)))
            db.execute("INSERT INTO prompts (id, text, source, split, created_at) VALUES (?, ?, 'api', 'train', ?)",
                       [pid, text, stamp])
            ids = [f"{pid}-o{j}" for j in range(k)]
            db.conn.executemany(
                "INSERT INTO outputs (id, prompt_id, text, position) VALUES (?, ?, ?, ?)",
                [(o, pid, " ".join(rnd.choice(words) for _ in range(rnd.randint(10, 60))), j)
                 for j, o in enumerate(ids)])
            rnd.shuffle(ids)
            groups, j = [], 0
            while j < k:
                size = 2 if rnd.random() < 0.15 and j + 1 < k else 1
                groups.append(ids[j:j + size])
                j += size
            db.execute(
                "INSERT INTO labels (labeler, task, item, field, value, gold, created_at) "
                "VALUES ('alice', 'ranking', ?, 'ranking', ?, 0, ?)", [pid, json.dumps(groups), stamp])
            pairs += sum(1 for _ in untied_pairs(groups))
            rankings += 1
            i += 1
    db.conn.close()
    return {"rankings": rankings, "pairs": pairs}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prompts", type=int, default=1_000_000)
    parser.add_argument("--pairs", type=int, default=1_000_000)
    parser.add_argument("--keep", metavar="DIR", help="Keep the files here instead of a temp dir.")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.step:
        steps: dict[str, Callable[..., Any]] = {"import": step_import, "export": step_export}
        fn = steps[args.step]
        print(json.dumps(fn(*rest)))
        return

    load_before = round(os.getloadavg()[0], 2)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(args.keep or tmp)
        work.mkdir(parents=True, exist_ok=True)
        prompts = work / "prompts.jsonl"
        write_prompts(prompts, args.prompts)
        imported = _child("import", str(work / "import.db"), str(prompts), str(work / "dropped.jsonl"))
        imported["prompts_file_mb"] = round(prompts.stat().st_size / 2**20, 1)
        setup = build_rankings_db(str(work / "pairs.db"), args.pairs)
        exported = _child("export", str(work / "pairs.db"), str(work / "pairs.jsonl"))
        exported["rankings"] = setup["rankings"]

    record("pipeline", {
        "machine": machine(),  # also here: results.json's top-level one is the last bench's
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        # Other work on the machine slows every figure; this says how busy it was.
        "load_average_1m_before_after": [load_before, round(os.getloadavg()[0], 2)],
        "import_prompts_with_rules": {"prompts": args.prompts, **imported},
        "export_pairs": exported,
    })

if __name__ == "__main__":
    main()
