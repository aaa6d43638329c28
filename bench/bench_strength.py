"""Benchmark what preference strength adds to the researchers' reports and exports.

    python -m bench strength

4,000 prompts of four outputs, each ranked by five labelers with a strength per boundary and a
reason (a fifth of them with a researcher's gold ranking and strength): 62,400 labels. CPU time
(process time, so a loaded machine slows both sides alike) of each call with and without the
strength work, in one run:
- `agreement_report` of the ranking alone against the ranking task (ranking and strength);
- `export pairs --consensus` against `--with-individual`;
- judging every item for disputes without and with the `strength_gap` rule.
`tests/bench/test_bench_reports.py` runs it at a tiny size.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # also runnable as a plain script

from bench.child import run_in_scratch  # noqa: E402
from store.db import open_db  # noqa: E402
from store.imports import import_labels, import_outputs, import_prompts  # noqa: E402
from store.roster import add_labeler  # noqa: E402
from store.strength import LEVELS  # noqa: E402

PROMPTS = 4000
LABELERS = 5


def _jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def generate(tmp: Path, prompts: int) -> Any:
    rng = random.Random(0)
    db = open_db(tmp / "strength.db")
    add_labeler(db, "rhea", "researcher")
    import_prompts(db, _jsonl(tmp / "p.jsonl", [{"id": f"p{i}", "text": "t"} for i in range(prompts)]))
    import_outputs(db, _jsonl(tmp / "o.jsonl", [{"id": f"p{i}-{x}", "prompt_id": f"p{i}", "text": x}
                                               for i in range(prompts) for x in "abcd"]))
    labels: list[dict[str, Any]] = []
    gold: list[dict[str, Any]] = []
    for i in range(prompts):
        outputs = [f"p{i}-{x}" for x in "abcd"]
        for who in [f"l{j}" for j in range(LABELERS)] + (["rhea"] if i % 5 == 0 else []):
            rng.shuffle(outputs)
            ranking = [[o] for o in outputs]
            (gold if who == "rhea" else labels).extend(
                {"labeler": who, "task": "ranking", "item": f"p{i}", "field": field, "value": value}
                for field, value in (("ranking", ranking),
                                     ("strength", [rng.choice(LEVELS) for _ in ranking[1:]]),
                                     ("reason", "because")))
    import_labels(db, _jsonl(tmp / "l.jsonl", labels), add_labelers=True)
    import_labels(db, _jsonl(tmp / "g.jsonl", gold), gold=True)
    return db


def _cpu(call: Callable[[], object]) -> float:
    start = time.process_time()
    call()
    return round(time.process_time() - start, 3)


def run(tmp: Path, prompts: int = PROMPTS, n_boot: int = 1000) -> dict[str, Any]:
    import store.disputes as disputes
    from store.consensus.pairs import export_consensus_pairs
    from store.reports.agreement import agreement_report

    db = generate(tmp, prompts)
    items = [f"p{i}" for i in range(prompts)]

    def judge() -> None:
        for item in items:
            disputes.findings(disputes.item_answers(db, item), disputes.Rules())

    def judge_without_strength() -> None:
        real = disputes._strength_gap
        disputes._strength_gap = lambda answers, rules: []
        try:
            judge()
        finally:
            disputes._strength_gap = real

    figures: dict[str, Any] = {
        "prompts": prompts,
        "agreement_ranking_s": _cpu(lambda: agreement_report(db, field="ranking", n_boot=n_boot)),
        "agreement_with_strength_s": _cpu(lambda: agreement_report(db, task="ranking", n_boot=n_boot)),
        "consensus_pairs_s": _cpu(lambda: sum(1 for _ in export_consensus_pairs(db).records())),
        "with_individual_s": _cpu(lambda: sum(
            1 for _ in export_consensus_pairs(db, with_individual=True).records())),
        "judge_items_s": _cpu(judge_without_strength),
        "judge_with_strength_s": _cpu(judge),
    }
    db.close()
    return figures


def main() -> None:
    run_in_scratch("strength", run)


if __name__ == "__main__":
    main()
