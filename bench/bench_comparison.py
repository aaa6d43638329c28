"""The comparison screen headless: keystroke latency on each step and submit-to-next-task latency
(K=9 outputs and a prompt of 100 kB each), with the real app on a temporary database.

Run from the repository root: ``python -m bench comparison`` (``--rounds N`` tasks per size,
``--submits N`` tasks of the submit loop, ``--text N`` characters a text). Figures merge into ``bench/results.json`` under
``comparison``. Latency is from posting the key event to the end of the first frame written
after it (the frame hook of ``bench_ranking``); Textual paces frames at 60 per second, so
~17 ms of any figure can be waiting for the frame.

Each round is one comparison through all three steps, sampling every kind of key: the step
changes are also taken back and forth (`<` / `>`, `STEP_PAIRS` times: the same `go_to_step` as
Enter and the last rating), so 25 rounds give ≥ 200 samples of each step change, score digit
and ranking letter. Submit → next task gets its ≥ 200 samples from a loop of its own (the
ranking step alone: 8 letters and Enter per task), which needs no long round per sample.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from textual.pilot import Pilot

from bench.bench_ranking import SIZE, K, Sample, long_text, press, summary
from bench.bench_ranking import BenchApp as RankingBenchApp
from bench.results import machine, record
from screens.base import WorkScreen
from store.db import open_db
from store.imports import import_outputs, import_prompts
from store.roster import add_labeler
from store.schema import load_schema
from tui.app import LabelDeskApp
from tui.config import Config


class BenchApp(LabelDeskApp):

    def __init__(self, **kwargs) -> None:  # noqa: ANN003 - LabelDeskApp's keywords
        super().__init__(**kwargs)
        self.frames: list[Sample] = []
        self.frame_seen = asyncio.Event()

    _display = RankingBenchApp._display  # the same frame hook: times each frame written


@asynccontextmanager
async def running(app: BenchApp, size: tuple[int, int]) -> AsyncIterator[Pilot]:
    """`app.run_test()` started as `labeldesk app` starts the app (tui/run.py): no cycle
    collection until the first frame, then what the start made is frozen out of it
    (`LabelDeskApp.on_ready`). Without it every full collection walks the modules and
    Textual's objects again (30-100 ms under load: most of a key's p99 here), which a
    labeler's app never does."""
    gc.collect()
    gc.disable()
    try:
        async with app.run_test(size=size) as pilot:
            if not gc.isenabled():
                raise RuntimeError("the app did not resume cycle collection at its first frame")
            yield pilot
    finally:
        gc.enable()
        gc.unfreeze()


def make_db(directory: Path, tasks: int, size: int = SIZE):
    db = open_db(directory / "bench.db")
    add_labeler(db, "ana")
    prompts, outputs = directory / "prompts.jsonl", directory / "outputs.jsonl"
    with prompts.open("w") as p, outputs.open("w") as o:
        for t in range(tasks):
            p.write(json.dumps({"id": f"p{t}", "text": long_text("P", size), "tasks": ["comparison"]}) + "\n")
            for n, letter in enumerate("ABCDEFGHI"[:K]):
                o.write(json.dumps({"id": f"p{t}-{n}", "prompt_id": f"p{t}",
                                    "text": long_text(letter, size)}) + "\n")
    import_prompts(db, prompts)
    import_outputs(db, outputs)
    return db


STEP_PAIRS = 8
"""Times per round each step change is taken back and forth."""


async def run(rounds: int, size: tuple[int, int], text: int = SIZE) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        db = make_db(Path(tmp), rounds + 1, text)
        app = BenchApp(db=db, labeler="ana", role="labeler", config=Config(), schema=load_schema())
        kinds: dict[str, list[Sample]] = {
            "instruction_key": [], "step": [], "instruction_to_scores": [], "score_digit": [],
            "score_flag": [], "next_output": [], "ranking_step": [], "scores_to_ranking": [],
            "ranking_letter": [], "submit_to_next_task": [],
        }
        async with running(app, size) as pilot:
            await pilot.press("c")
            await pilot.pause()
            for _ in range(rounds):
                for key in "dxp":
                    kinds["instruction_key"].append(await press(app, key))
                await pilot.press("g", *"summ", "enter")
                await pilot.pause()
                for _ in range(STEP_PAIRS):  # instruction -> scores and back
                    kinds["instruction_to_scores"].append(await press(app, "greater_than_sign"))
                    await press(app, "less_than_sign")
                kinds["step"].append(await press(app, "enter"))
                # A rating completes an output and moves on to the next one
                # (`advance_after_rating`); the last output's rating moves to the ranking step.
                for n in range(K):
                    kinds["score_flag"].append(await press(app, "f"))
                    kinds["next_output"].append(await press(app, "l"))
                    kinds["next_output"].append(await press(app, "h"))
                    digit = await press(app, str(1 + n % 7))
                    kinds["score_digit" if n < K - 1 else "ranking_step"].append(digit)
                for _ in range(STEP_PAIRS):  # ranking -> scores and back
                    await press(app, "less_than_sign")
                    kinds["scores_to_ranking"].append(await press(app, "greater_than_sign"))
                # A letter on the suggested ranking starts a new one; the ninth output places
                # itself after the eighth letter. Enter submits.
                for letter in "abcdefgh":
                    kinds["ranking_letter"].append(await press(app, letter))
                kinds["submit_to_next_task"].append(await press(app, "enter"))
                check_submitted(db, len(kinds["submit_to_next_task"]))
        db.conn.close()
    return {kind: summary(samples) for kind, samples in kinds.items()}


async def submit_loop(tasks: int, size: tuple[int, int], text: int = SIZE) -> dict:
    """Submit -> next task on screen, `tasks` times: the ranking step alone, 8 letters and
    Enter per task (K outputs of `text` characters each), Enter once the next task is read
    ahead."""
    with tempfile.TemporaryDirectory() as tmp:
        db = make_db(Path(tmp), tasks + 1, text)
        config = Config()
        config.data["comparison"]["steps"] = ["ranking"]
        app = BenchApp(db=db, labeler="ana", role="labeler", config=config, schema=load_schema())
        samples: list[Sample] = []
        async with running(app, size) as pilot:
            await pilot.press("c")
            await pilot.pause()
            for _ in range(tasks):
                await pilot.press(*"abcdefgh")
                await read_ahead(app)
                await pilot.pause()
                samples.append(await press(app, "enter"))
                check_submitted(db, len(samples))
        db.conn.close()
    return summary(samples)


async def read_ahead(app: BenchApp, timeout: float = 5.0) -> None:
    """Until the next task has been read ahead (and its first texts wrapped), as it is
    `READ_AHEAD_DELAY` (0.5 s) after a task shows: a labeler reading the outputs takes longer.
    A submit typed sooner (type-ahead) is `bench_typeahead`'s."""
    screen = app.screen
    assert isinstance(screen, WorkScreen)
    session = screen.session
    for _ in range(int(timeout / 0.01)):
        if session.ahead is not None:
            return
        await asyncio.sleep(0.01)
    raise RuntimeError("nothing was read ahead: the next task is missing or read-ahead is off")


def check_submitted(db, expected: int) -> None:
    done = db.execute("SELECT count(*) FROM assignments WHERE status = 'done'").fetchone()[0]
    if done != expected:
        raise RuntimeError("a comparison was not submitted: the key script is stale")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--submits", type=int, default=200)
    parser.add_argument("--sizes", nargs="+", default=["80x24", "160x48"])
    parser.add_argument("--text", type=int, default=SIZE,
                        help="characters of the prompt and of each output")
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv if argv is not None else [])
    load_before = os.getloadavg()[0]
    sizes = {}
    for name in args.sizes:
        width, height = (int(n) for n in name.split("x"))
        sizes[name] = asyncio.run(run(args.rounds, (width, height), args.text))
        if args.submits:
            sizes[name]["submit_loop"] = asyncio.run(submit_loop(args.submits, (width, height), args.text))
    for name, results in sizes.items():
        print(name)
        for kind, row in results.items():
            print(f"  {kind:<22} median {row['median_ms']:7.2f} ms  p99 {row['p99_ms']:7.2f} ms"
                  f"  cpu {row['cpu_median_ms']:6.2f}/{row['cpu_p99_ms']:6.2f} ms"
                  f"  (n={row['n']}, {row['median_bytes']} bytes)")
    if not args.no_save:
        record("comparison", {
            "what": f"ComparisonScreen, K={K} outputs and a {args.text:,}-character prompt, headless",
            "latency": "key event posted -> end of the first frame rendered after it",
            "rounds": args.rounds, "submits": args.submits, **sizes,
            "load_average_before": load_before, "load_average_after": os.getloadavg()[0],
            "machine": machine(),
        })


if __name__ == "__main__":
    main(sys.argv[1:])
