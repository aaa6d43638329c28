"""Benchmark consensus (`store.consensus.compute.consensus`) over 1,000,000 labels, 500 labelers.

    python -m bench consensus        # or: python bench/bench_consensus.py

The data is bench_agreement's (20 fields, 5 labelers an item, 70% accurate, 20% of items with
gold): 17 yes/no and category fields go through Dawid–Skene, 2 scales through mean and spread,
10,000 rankings of 4 outputs through Bradley–Terry. The consensus runs in a child process, so
its peak memory (VmHWM) is its own. Not part of the test suite.

Then MACE (key `mace`), each in its own child on the same data: `export consensus --method mace`
(MACE in Dawid–Skene's place), and `labeler_competence`, what MACE adds to `labeldesk quality`
(every labeler's competence over the 17 fields).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # also runnable as a plain script (the child process is one)

from bench.bench_agreement import generated  # noqa: E402
from bench.results import machine, peak_rss_mib, record, record_part  # noqa: E402
from store.db import now, open_db  # noqa: E402


def run_consensus(path: str) -> None:
    """Child process: the whole consensus, then its time and peak memory as JSON on stdout."""
    from store.consensus.compute import consensus

    baseline = peak_rss_mib()  # Python + numpy
    db = open_db(path)
    started, cpu_started = time.perf_counter(), time.process_time()
    methods = Counter(record["method"] for record in consensus(db))
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    print(json.dumps({
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu_seconds, 1),
        "peak_rss_mib": peak_rss_mib(),
        "rss_after_imports_mib": baseline,
        "values_by_method": dict(methods),
    }))


def run_mace(path: str, what: str) -> None:
    """Child process: MACE consensus, or the quality report's competences alone; time and peak
    memory as JSON on stdout."""
    from store.consensus.compute import consensus
    from store.quality.competence import labeler_competence
    from store.schema import load_schema

    baseline = peak_rss_mib()
    db = open_db(path)
    started, cpu_started = time.perf_counter(), time.process_time()
    if what == "consensus":
        found: dict = {"values_by_method": dict(Counter(r["method"] for r in consensus(db, method="mace")))}
    else:
        competence = labeler_competence(db, load_schema())
        thetas = sorted(e["theta"] for e in competence.values() if e["theta"] is not None)
        found = {"labelers": len(competence), "labels": sum(e["labels"] for e in competence.values()),
                 "theta_median": thetas[len(thetas) // 2] if thetas else None}
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    print(json.dumps({"seconds": round(seconds, 1), "cpu_seconds": round(cpu_seconds, 1),
                      "peak_rss_mib": peak_rss_mib(), "rss_after_imports_mib": baseline, **found}))


def _child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, *args],
                         capture_output=True, text=True, check=True).stdout
    print(f"{args[0]} {args[-1]}: {out.strip()}", file=sys.stderr)
    return dict(json.loads(out))


def main() -> None:
    mace: dict = {}
    with generated() as (path, figures):
        figures["consensus"] = _child("--run", str(path))
        for what in ("consensus", "competence"):
            mace[what] = _child("--mace", str(path), what)
    mace["dawid_skene_same_run"] = figures["consensus"]  # the comparison under the same load
    for result in (figures, mace):
        result["machine"] = machine()
        result["load_average_1min"] = round(os.getloadavg()[0], 2)
        result["measured_at"] = now()
    record("consensus", figures)
    record_part("mace", "bench_consensus", mace)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--run":
        run_consensus(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "--mace":
        run_mace(sys.argv[2], sys.argv[3])
    else:
        main()
