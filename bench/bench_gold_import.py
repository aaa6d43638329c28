"""Benchmark `import labels --gold` against a plain `import labels` of as many values.

    python -m bench gold_import

13,000 comparison prompts of two outputs each; then 10,500 plain values (3 yes/no fields on
3,500 prompts, a labeler's) and 10,500 gold values (the same fields on 3,500 other prompts, a
researcher's), each imported through `store.imports.import_labels` and timed in CPU seconds.
A gold value runs the gold_tasks trigger (tasks found by item, `tasks_item`); the two rates
should be alike. `tests/bench/test_bench_reports.py` runs it at a tiny size.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.child import record_run  # noqa: E402
from store.db import open_db  # noqa: E402
from store.imports import import_labels, import_outputs, import_prompts  # noqa: E402
from store.roster import add_labeler  # noqa: E402

FIELDS = ("pii", "asks_advice", "asks_opinion")


def _jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def run(directory: Path, prompts: int = 13_000, labeled: int = 3_500) -> dict:
    db = open_db(directory / "gold.db")
    add_labeler(db, "rhea", "researcher")
    add_labeler(db, "ana")
    import_prompts(db, _jsonl(directory / "p.jsonl", [
        {"id": f"p{i}", "text": f"Prompt {i}", "tasks": ["comparison"]} for i in range(prompts)]))
    import_outputs(db, _jsonl(directory / "o.jsonl", [
        {"id": f"p{i}-{x}", "prompt_id": f"p{i}", "text": "An answer"} for i in range(prompts) for x in "ab"]))
    figures: dict = {"prompts": prompts}
    for kind, who, first in (("plain", "ana", labeled), ("gold", "rhea", 0)):
        path = _jsonl(directory / f"{kind}.jsonl", [
            {"labeler": who, "task": "instruction", "item": f"p{i}", "field": f, "value": False}
            for i in range(first, first + labeled) for f in FIELDS])
        started = time.process_time()
        result = import_labels(db, path, gold=kind == "gold")
        cpu = time.process_time() - started
        figures[kind] = {"values": result.added, "cpu_seconds": round(cpu, 3),
                         "values_per_cpu_second": round(result.added / cpu) if cpu else None}
    db.conn.close()
    return figures


def main() -> None:
    scratch = "/dev/shm" if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(dir=scratch) as tmp:
        figures = run(Path(tmp))
    record_run("gold_import", figures)


if __name__ == "__main__":
    main()
