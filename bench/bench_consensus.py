"""Benchmark consensus (`store.consensus.compute.consensus`) over 1,000,000 labels, 500 labelers.

    python -m bench consensus        # or: python bench/bench_consensus.py

The data is bench_agreement's (20 fields, 5 labelers an item, 70% accurate, 20% of items with
gold): 17 yes/no and category fields go through Dawid–Skene, 2 scales through mean and spread,
10,000 rankings of 4 outputs through Bradley–Terry. The consensus runs in a child process, so
its peak memory (VmHWM) is its own. Not part of the test suite.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # also runnable as a plain script (the child process is one)

from bench.bench_agreement import generated  # noqa: E402
from bench.child import child_args, measure, record_run, run_in_child  # noqa: E402


def run_consensus(path: str) -> None:
    """Child process: the whole consensus (see bench.child.measure)."""
    from store.consensus.compute import consensus

    measure(path, lambda db: Counter(record["method"] for record in consensus(db)),
            lambda methods: {"values_by_method": dict(methods)})


def main() -> None:
    with generated() as (path, figures):
        figures["consensus"] = run_in_child(__file__, str(path))
        print(f"consensus: {figures['consensus']}", file=sys.stderr)
    record_run("consensus", figures)


if __name__ == "__main__":
    if (args := child_args()) is not None:
        run_consensus(args[0])
    else:
        main()
