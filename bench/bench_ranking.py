"""Keystroke-to-rendered-change latency of the RankingPanel (K=9, 100 kB outputs), headless.

Run from the repository root: ``python -m bench ranking`` (or ``PYTHONPATH=$PWD python
bench/bench_ranking.py [--rounds N]``). Prints a table and merges the figures into
``bench/results.json`` under ``ranking``.

A headless Textual app renders nothing, so the bench app overrides ``App._display`` to turn every
compositor update into the exact bytes a terminal would get (``render_segments``) and to time it.
Latency is from posting the key event to the end of the first frame written after it; bytes are
that frame's. Frames are paced at 60 per second by Textual, so ~17 ms is the ceiling of the wait
for the next frame, not work done.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
from time import perf_counter, process_time
from typing import Protocol

from textual import events
from textual._compositor import CompositorUpdate
from textual.app import App, ComposeResult
from textual.message import Message
from textual.widgets import Footer

from bench.results import machine, percentile, record
from screens.widgets.ranking.ranking_panel import RankingPanel, ShownOutput

K = 9
SIZE = 100_000


def long_text(letter: str, size: int = SIZE) -> str:
    words = f"Output {letter} says something [b]plausible[/b] about the prompt, at length. "
    paragraph = (words * 12).strip() + "\n\n"
    return (paragraph * (size // len(paragraph) + 1))[:size]


def outputs(k: int = K, size: int = SIZE) -> list[ShownOutput]:
    return [
        ShownOutput(letter, f"o{n}", long_text(letter, size))
        for n, letter in enumerate("ABCDEFGHI"[:k])
    ]


class BenchApp(App):
    def __init__(self) -> None:
        super().__init__()
        self.frames: list[tuple[float, int, float]] = []
        self.frame_seen = asyncio.Event()

    def compose(self) -> ComposeResult:
        yield RankingPanel()
        yield Footer()

    def _display(self, screen, renderable) -> None:  # noqa: ANN001 - Textual's private hook
        if renderable is None or self._batch_count or not isinstance(renderable, CompositorUpdate):
            return
        data = renderable.render_segments(self.console)
        self.frames.append((perf_counter(), len(data.encode("utf-8")), process_time()))
        self.frame_seen.set()


Sample = tuple[float, int, float]  # wall seconds, bytes, CPU seconds of this process


class Frames(Protocol):
    """An app whose written frames are timed (`BenchApp` here, bench_comparison's)."""

    frames: list[Sample]
    frame_seen: asyncio.Event

    def post_message(self, message: Message) -> bool: ...


async def next_frame(app: Frames, start: float, cpu_start: float, timeout: float = 5.0) -> Sample:
    while True:
        for at, size, cpu_at in app.frames:
            if at >= start:
                return at - start, size, cpu_at - cpu_start
        app.frame_seen.clear()
        await asyncio.wait_for(app.frame_seen.wait(), timeout)


async def press(app: Frames, key: str) -> Sample:
    app.frames.clear()
    start, cpu_start = perf_counter(), process_time()
    character = key if len(key) == 1 else None
    app.post_message(events.Key(key, character))
    result = await next_frame(app, start, cpu_start)
    await asyncio.sleep(0.02)  # let the frame settle so the next key starts from idle
    return result


def summary(samples: list[Sample]) -> dict:
    times = [seconds * 1000 for seconds, _, _ in samples]
    cpu = [seconds * 1000 for _, _, seconds in samples]
    return {
        "n": len(samples),
        "median_ms": round(statistics.median(times), 2),
        "p99_ms": round(percentile(times, 99), 2),
        "max_ms": round(max(times), 2),
        "cpu_median_ms": round(statistics.median(cpu), 2),
        "cpu_p99_ms": round(percentile(cpu, 99), 2),
        "median_bytes": int(statistics.median(size for _, size, _ in samples)),
    }


async def run(rounds: int, size: tuple[int, int]) -> dict:
    app = BenchApp()
    kinds: dict[str, list[Sample]] = {
        "letter": [],
        "tie": [],
        "backspace": [],
        "undo": [],
        "move": [],
        "read_next_output": [],
        "scroll_page": [],
        "set_task": [],
    }
    async with app.run_test(size=size) as pilot:
        panel = app.query_one(RankingPanel)
        panel.focus()
        for _ in range(rounds):
            app.frames.clear()
            start, cpu_start = perf_counter(), process_time()
            panel.set_task(outputs(), criterion="Helpfulness first")
            kinds["set_task"].append(await next_frame(app, start, cpu_start))
            await pilot.pause()
            for key in "ab":
                kinds["letter"].append(await press(app, key))
            kinds["tie"].append(await press(app, "equals_sign"))
            for key in "cdefghi":
                kinds["letter"].append(await press(app, key))
            kinds["backspace"].append(await press(app, "backspace"))
            kinds["undo"].append(await press(app, "u"))
            await press(app, "m")
            for key in ["K", "K", "J"]:
                kinds["move"].append(await press(app, key))
            await press(app, "m")
            for _ in range(2):
                kinds["read_next_output"].append(await press(app, "right"))
                kinds["scroll_page"].append(await press(app, "pagedown"))
    return {kind: summary(samples) for kind, samples in kinds.items() if samples}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv if argv is not None else [])
    figures: dict = {
        "what": f"RankingPanel, K={K} outputs of {SIZE:,} characters, headless run_test",
        "latency": "key event posted -> end of the first frame rendered after it",
        "bytes": "that frame as a terminal would receive it",
        "cpu_ms": "CPU time of the process over the same span (less sensitive to other load)",
        "rounds": args.rounds,
        "load_average_before": os.getloadavg()[0],
    }
    for width, height in [(80, 24), (160, 48)]:
        results = asyncio.run(run(args.rounds, (width, height)))
        figures[f"{width}x{height}"] = results
        print(f"{width}x{height}:")
        for kind, row in results.items():
            print(
                f"  {kind:<17} n={row['n']:<4} median {row['median_ms']:7.2f} ms   "
                f"p99 {row['p99_ms']:7.2f} ms   cpu {row['cpu_median_ms']:6.2f}/"
                f"{row['cpu_p99_ms']:6.2f} ms   {row['median_bytes']:>7} bytes"
            )
    figures["load_average_after"] = os.getloadavg()[0]
    if not args.no_save:
        record("ranking", {**figures, "machine": machine()})


if __name__ == "__main__":
    main(sys.argv[1:])
