"""The quality judgement after a submit, kept (`store.quality.kept`, what the app runs) against
counted afresh (`task_session.judge_labeler`, `status.refresh_status`), as one labeler's history
grows: CPU per judgement after 100, 1,000 and 3,000 tasks (SQLite, comparisons of 3 outputs,
`gold_rate` 0.1, gold on the last quarter of the items so checks keep coming).

Both run in the same process at each size, alternately, so load falls on both alike.
`python -m bench judgement`; figures under `judgement` in results.json.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

from bench.results import record
from store.db import immediate, open_db
from store.imports import import_labels, import_outputs, import_prompts
from store.quality.policy import QualityPolicy
from store.roster import add_labeler
from store.schema import load_schema
from store.task_session import Saved, TaskSession, judge_labeler
from store.values import LabelValue

SIZES = (100, 1000, 3000)
REPEAT = 20


def _jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def build(tmp: Path, n: int):
    db = open_db(tmp / "judgement.db")
    add_labeler(db, "ana")
    add_labeler(db, "rhea", "researcher")
    items = [f"q{i:05d}" for i in range(n)]
    import_prompts(db, _jsonl(tmp / "p.jsonl", [{"id": i, "text": i, "tasks": ["comparison"]}
                                                for i in items]))
    import_outputs(db, _jsonl(tmp / "o.jsonl", [{"id": f"{i}-{x}", "prompt_id": i, "text": x}
                                                for i in items for x in "abc"]))
    import_labels(db, _jsonl(tmp / "g.jsonl", [
        {"labeler": "rhea", "task": "ranking", "item": i, "field": "ranking",
         "value": [[f"{i}-{x}"] for x in "abc"]} for i in items[-(n // 4):]]), gold=True)
    return db


def _cpu_ms(fn, repeat: int) -> float:
    start = time.process_time()
    for _ in range(repeat):
        fn()
    return round((time.process_time() - start) / repeat * 1000, 3)


def measure(sizes: tuple[int, ...], repeat: int) -> dict:
    tmp = Path(tempfile.mkdtemp())
    try:
        db = build(tmp, max(sizes) + 50)
        policy, schema = QualityPolicy(gold_rate=0.1), load_schema()
        session = TaskSession(db, "ana", "comparison", overlap=1, lease_seconds=600,
                              policy=policy, schema=schema)
        rows = []
        for done in range(1, max(sizes) + 1):
            assert isinstance(session.claim(), Saved)
            a = session.assignment_id
            view = session.view
            assert view is not None
            values = [LabelValue("ranking", view.assignment.item, "ranking",
                                 [[o] for o in view.assignment.order])]
            assert isinstance(session.submit(values), Saved)  # judged as the app judges
            if done not in sizes:
                continue

            def kept(a: int = a) -> None:
                with immediate(db, shared=True, durable=False):
                    session._judgement.judge(db, a)

            full = _cpu_ms(lambda: judge_labeler(db, "ana", policy, schema), repeat)
            rows.append({"tasks": done, "checks": db.execute(
                "SELECT count(*) FROM gold_answers").fetchone()[0],
                "full_cpu_ms": full, "kept_cpu_ms": _cpu_ms(kept, repeat)})
        return {"per_history": rows}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    record("judgement", measure(SIZES, REPEAT))


if __name__ == "__main__":
    main()
