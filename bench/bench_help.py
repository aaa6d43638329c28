"""Help on first open: the CPU time a labeler's session spends on its first F1 (the guidelines,
opened over the comparison screen, whose key list is the longest), its first `?` (every
instruction field explained, with the PII rules) and its first help search, each from the key
until the screen has settled.

Each is a once-per-process cost, so every sample is a fresh Python process running the app
headless (`run_test`, 80x24) on the same database: imports, parsing and layout included, as a
labeler pays them. CPU time (`time.process_time`) rather than wall time: other load on a
shared host stretches wall time, not CPU time. The target is ≤ 150 ms of CPU for each.

`python -m bench help`, or `python -m bench.bench_help --samples N --root CHECKOUT` (`--root`
measures another checkout of LabelDesk, e.g. an older commit, with the same script)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.results import record, summary

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = 200
TARGET_CPU_MS = 150
CHILD = "--child"


async def _settled(pilot) -> None:
    for _ in range(4):
        await pilot.pause()


async def one_session(db_path: str) -> dict[str, float]:
    """In a fresh process: CPU ms of the first F1, the first `?` and the first search."""
    from bench.workload import make_app
    from store.db import open_db

    app = make_app(open_db(db_path))
    figures: dict[str, float] = {}
    async with app.run_test(size=(80, 24)) as pilot:
        await _settled(pilot)
        await pilot.press("c")  # the comparison screen, on its instruction step
        await _settled(pilot)

        async def timed(name: str, *keys: str) -> None:
            start = time.process_time()
            await pilot.press(*keys)
            await _settled(pilot)
            figures[name] = round((time.process_time() - start) * 1000, 2)

        await timed("first_f1_cpu_ms", "f1")
        assert type(app.screen).__name__ == "HelpScreen", app.screen
        await pilot.press("escape")
        await _settled(pilot)
        await timed("first_question_mark_cpu_ms", "question_mark")
        await pilot.press("f1", "slash", *"tie")
        await _settled(pilot)
        await timed("first_search_cpu_ms", "enter")
        status = str(app.screen.query_one("#help-status").render())
        assert "match" in status, status  # the search ran and said what it found
    return figures


def sample(db_path: Path, root: Path) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-m", "bench.bench_help", CHILD, str(db_path)],
                          cwd=root, env={**os.environ, "PYTHONPATH": str(root)},
                          capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"a session failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(samples: int = SAMPLES, root: Path = ROOT) -> dict:
    from bench.workload import build_db

    tmp = Path(tempfile.mkdtemp())
    try:
        db_path = tmp / "help.db"
        build_db(db_path, 5, kinds=("comparison",)).conn.close()
        load = os.getloadavg()[0]
        runs = [sample(db_path, root) for _ in range(samples)]
        figures: dict = {name: {k: round(v, 1) if isinstance(v, float) else v
                                for k, v in summary([r[name] for r in runs]).items()}
                         for name in runs[0]}
        figures.update(samples=samples, target_cpu_ms=TARGET_CPU_MS,
                       load_average=[round(load, 1), round(os.getloadavg()[0], 1)])
        return figures
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=SAMPLES)
    parser.add_argument("--root", type=Path, default=ROOT, help="a checkout to measure")
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv if argv is not None else [])
    figures = measure(args.samples, args.root.resolve())
    if args.no_save or args.root.resolve() != ROOT:
        print(json.dumps(figures, indent=2))
    else:
        record("help", figures)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == CHILD:
        print(json.dumps(asyncio.run(one_session(sys.argv[2]))))
    else:
        main(sys.argv[1:])
