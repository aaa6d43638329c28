"""Benchmark `export pairs --format parquet`: a Hub-ready dataset from a large project.

    python -m bench hub

8,000 comparison prompts (a quarter of them four-turn conversations), four outputs of ~600
characters each, ranked by three labelers: 144,000 per-labeler pairs. The export runs in a
child process (its peak memory, VmHWM, is its own), split by split as the CLI does, with shards
capped at 64 MB so the shard rollover is part of what is measured (the real cap is 500 MB).
The records are streamed twice (column types, then writing), so memory should not grow with the
export. `tests/bench/test_bench_reports.py` runs it at a tiny size.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # also runnable as a plain script (the child process is one)

from bench.child import child_args, measure, run_in_child, run_in_scratch  # noqa: E402
from store.db import open_db  # noqa: E402
from store.imports import import_labels, import_outputs, import_prompts  # noqa: E402
from store.roster import add_labeler  # noqa: E402

SHARD_BYTES = 64 * 1000 * 1000
LABELERS = ("ana", "ben", "cai")
WORDS = "the of and to a in is it you that he was for on are with as his they be at one have".split()


def _text(seed: int, chars: int) -> str:
    words = [WORDS[(seed * 7 + i * 13) % len(WORDS)] for i in range(chars // 4)]
    return f"[{seed}] " + " ".join(words)[:chars]


def _jsonl(path: Path, records) -> Path:
    with path.open("w") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")
    return path


def generate(directory: Path, prompts: int) -> Path:
    path = directory / "hub.db"
    db = open_db(path)
    for name in LABELERS:
        add_labeler(db, name)

    def prompt(i: int) -> dict:
        if i % 4:
            return {"id": f"p{i}", "text": _text(i, 200), "user_id": f"u{i % 997}", "tasks": ["comparison"]}
        turns = [{"role": r, "content": _text(i + k, 120)} for k, r in enumerate(("user", "assistant", "user"))]
        return {"id": f"p{i}", "messages": [{"role": "system", "content": "Be helpful."}, *turns],
                "user_id": f"u{i % 997}", "tasks": ["comparison"]}

    import_prompts(db, _jsonl(directory / "p.jsonl", (prompt(i) for i in range(prompts))))
    import_outputs(db, _jsonl(directory / "o.jsonl", (
        {"id": f"p{i}-{x}", "prompt_id": f"p{i}", "text": _text(i * 4 + n, 600)}
        for i in range(prompts) for n, x in enumerate("abcd"))))
    orders = ("abcd", "bacd", "abdc")
    import_labels(db, _jsonl(directory / "l.jsonl", (
        {"labeler": who, "task": "ranking", "item": f"p{i}", "field": "ranking",
         "value": [[f"p{i}-{x}"] for x in orders[(i + n) % 3]]}
        for i in range(prompts) for n, who in enumerate(LABELERS))))
    db.conn.close()
    return path


def export(db, out: Path, shard_bytes: int = SHARD_BYTES):
    """`labeldesk export pairs --format parquet --out OUT`, as tui/commands/exports.py runs it."""
    from store.dataset_card import CardSpec, card_text, kept_splits
    from store.exports import export_pairs
    from store.hub_dataset import write_dataset

    def of_split(name: str):
        return lambda: export_pairs(db, split=name).records()

    spec = CardSpec("export pairs", "bench", (("ranking", "ranking"),), {"comparison": 3})
    return write_dataset(out, [(n, of_split(n)) for n in kept_splits(db)],
                         lambda w: card_text(db, spec, w), max_shard_bytes=shard_bytes)


def run_export(path: str, out: str, shard_bytes: str) -> None:
    """Child process: the export (see bench.child.measure)."""
    def describe(written) -> dict:
        files = list((Path(out) / "data").iterdir())
        return {"records": sum(written.counts.values()), "shards": dict(written.shards),
                "parquet_mib": round(sum(f.stat().st_size for f in files) / 2**20, 1)}

    measure(path, lambda db: export(db, Path(out), int(shard_bytes)), describe)


def run(directory: Path, prompts: int = 8_000, shard_bytes: int = SHARD_BYTES) -> dict:
    path = generate(directory, prompts)
    return run_in_child(__file__, "run", str(path), str(directory / "dataset"), str(shard_bytes))


def main() -> None:
    run_in_scratch("hub", run)


if __name__ == "__main__":
    if (args := child_args()) is not None:
        run_export(*args[1:])
    else:
        main()
