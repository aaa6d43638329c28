"""The comparison screen headless: keystroke latency on each step and submit-to-next-task latency
(K=9 outputs and a prompt of 100 kB each), with the real app on a temporary database.

Run from the repository root: ``python -m bench comparison`` (``--rounds N`` tasks per size).
Figures merge into ``bench/results.json`` under ``comparison``. Latency is from posting the key
event to the end of the first frame written after it (the frame hook of ``bench_ranking``);
Textual paces frames at 60 per second, so ~17 ms of any figure can be waiting for the frame.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path

from bench.bench_ranking import SIZE, K, long_text, press, summary
from bench.bench_ranking import BenchApp as RankingBenchApp
from bench.results import machine, record
from store.db import open_db
from store.imports import import_outputs, import_prompts
from store.roster import add_labeler
from store.schema import load_schema
from tui.app import LabelDeskApp
from tui.config import Config


class BenchApp(LabelDeskApp):
    CSS_PATH = str(Path(__file__).parent.parent / "tui" / "app.tcss")  # relative to this module

    def __init__(self, **kwargs) -> None:  # noqa: ANN003 - LabelDeskApp's keywords
        super().__init__(**kwargs)
        self.frames: list[tuple[float, int]] = []
        self.frame_seen = asyncio.Event()

    _display = RankingBenchApp._display  # the same frame hook: times each frame written


def make_db(directory: Path, tasks: int):
    db = open_db(directory / "bench.db")
    add_labeler(db, "ana")
    prompts, outputs = directory / "prompts.jsonl", directory / "outputs.jsonl"
    with prompts.open("w") as p, outputs.open("w") as o:
        for t in range(tasks):
            p.write(json.dumps({"id": f"p{t}", "text": long_text("P"), "tasks": ["comparison"]}) + "\n")
            for n, letter in enumerate("ABCDEFGHI"[:K]):
                o.write(json.dumps({"id": f"p{t}-{n}", "prompt_id": f"p{t}",
                                    "text": long_text(letter)}) + "\n")
    import_prompts(db, prompts)
    import_outputs(db, outputs)
    return db


async def run(rounds: int, size: tuple[int, int]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        db = make_db(Path(tmp), rounds + 1)
        app = BenchApp(db=db, labeler="ana", role="labeler", config=Config(), schema=load_schema())
        kinds: dict[str, list[tuple[float, int]]] = {
            "instruction_key": [], "step": [], "score_digit": [], "score_flag": [],
            "next_output": [], "ranking_step": [], "submit_to_next_task": [],
        }
        async with app.run_test(size=size) as pilot:
            await pilot.press("c")
            await pilot.pause()
            for _ in range(rounds):
                for key in "dxp":
                    kinds["instruction_key"].append(await press(app, key))
                await pilot.press("g", *"summ", "enter")
                await pilot.pause()
                kinds["step"].append(await press(app, "enter"))
                # A rating completes an output and moves on to the next one
                # (`advance_after_rating`); the last output's rating moves to the ranking step.
                for n in range(K):
                    kinds["score_flag"].append(await press(app, "f"))
                    kinds["next_output"].append(await press(app, "l"))
                    kinds["next_output"].append(await press(app, "h"))
                    digit = await press(app, str(1 + n % 7))
                    kinds["score_digit" if n < K - 1 else "ranking_step"].append(digit)
                # Enter accepts the ranking suggested from the ratings and submits.
                kinds["submit_to_next_task"].append(await press(app, "enter"))
                done = db.execute("SELECT count(*) FROM assignments WHERE status = 'done'")
                if done.fetchone()[0] != len(kinds["submit_to_next_task"]):
                    raise RuntimeError("a comparison was not submitted: the key script is stale")
        db.conn.close()
    return {kind: summary(samples) for kind, samples in kinds.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--sizes", nargs="+", default=["80x24", "160x48"])
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv if argv is not None else [])
    sizes = {}
    for name in args.sizes:
        width, height = (int(n) for n in name.split("x"))
        sizes[name] = asyncio.run(run(args.rounds, (width, height)))
    for name, results in sizes.items():
        print(name)
        for kind, row in results.items():
            print(f"  {kind:<20} median {row['median_ms']:7.2f} ms  p99 {row['p99_ms']:7.2f} ms"
                  f"  (n={row['n']}, {row['median_bytes']} bytes)")
    if not args.no_save:
        record("comparison", {
            "what": f"ComparisonScreen, K={K} outputs and a {SIZE:,}-character prompt, headless",
            "latency": "key event posted -> end of the first frame rendered after it",
            "rounds": args.rounds, **sizes, "machine": machine(),
        })


if __name__ == "__main__":
    main(sys.argv[1:])
