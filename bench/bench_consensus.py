"""Benchmark consensus (`store.consensus.compute.consensus`) over 1,000,000 labels, 500 labelers.

    python -m bench consensus        # or: python bench/bench_consensus.py

The data is bench_agreement's (20 fields, 5 labelers an item, 70% accurate, 20% of items with
gold): 17 yes/no and category fields go through Dawid–Skene, 2 scales through mean and spread,
10,000 rankings of 4 outputs through Bradley–Terry. The consensus runs in a child process, so
its peak memory (VmHWM) is its own. Not part of the test suite.
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
from bench.results import machine, peak_rss_mib, record  # noqa: E402
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


def main() -> None:
    with generated() as (path, figures):
        out = subprocess.run([sys.executable, __file__, "--run", str(path)],
                             capture_output=True, text=True, check=True).stdout
        figures["consensus"] = json.loads(out)
        print(f"consensus: {out.strip()}", file=sys.stderr)
    figures["machine"] = machine()
    figures["load_average_1min"] = round(os.getloadavg()[0], 2)
    figures["measured_at"] = now()
    record("consensus", figures)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--run":
        run_consensus(sys.argv[2])
    else:
        main()
