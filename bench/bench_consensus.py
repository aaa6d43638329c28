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

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # also runnable as a plain script (the child process is one)

from bench.bench_agreement import generated  # noqa: E402
from bench.child import child_args, measure, record_run, run_in_child, stamped  # noqa: E402
from bench.results import record_part  # noqa: E402


def run_consensus(path: str) -> None:
    """Child process: the whole consensus (see bench.child.measure)."""
    from store.consensus.compute import consensus

    measure(path, lambda db: Counter(record["method"] for record in consensus(db)),
            lambda methods: {"values_by_method": dict(methods)})


def run_mace(path: str, what: str) -> None:
    """Child process: MACE consensus, or the quality report's competences alone (see
    bench.child.measure)."""
    from store.consensus.compute import consensus
    from store.reports.competence import labeler_competence
    from store.schema import load_schema

    if what == "consensus":
        measure(path, lambda db: Counter(r["method"] for r in consensus(db, method="mace")),
                lambda methods: {"values_by_method": dict(methods)})
        return

    if what == "competence_cold":
        from bench.bench_quality import forget_starts

        forget_starts(path)

    def describe(competence: dict) -> dict:
        thetas = sorted(e["theta"] for e in competence.values() if e["theta"] is not None)
        return {"labelers": len(competence), "labels": sum(e["labels"] for e in competence.values()),
                "theta_median": thetas[len(thetas) // 2] if thetas else None}

    measure(path, lambda db: labeler_competence(db, load_schema()), describe)


def main() -> None:
    mace: dict = {}
    with generated() as (path, figures):
        figures["consensus"] = run_in_child(__file__, "run", str(path))
        print(f"consensus: {figures['consensus']}", file=sys.stderr)
        for what in ("consensus", "competence"):
            mace[what] = run_in_child(__file__, "mace", str(path), what)
            print(f"mace {what}: {mace[what]}", file=sys.stderr)
    mace["dawid_skene_same_run"] = figures["consensus"]  # the comparison under the same load
    record_run("consensus", figures)
    record_part("mace", "bench_consensus", stamped(mace))


if __name__ == "__main__":
    if (args := child_args()) is not None:
        if args[0] == "mace":
            run_mace(args[1], args[2])
        else:
            run_consensus(args[1])
    else:
        main()
