"""Benchmark the quality dashboard (`q` on a researcher's home) on the quality bench's project.

    python -m bench dashboard            # builds bench_agreement's 1M project with bench_quality's work
    python bench/bench_dashboard.py DB   # on a database built before (the figures are printed)

The app runs in-process under Textual's Pilot (`App.run_test`), 120x36, as the researcher.
Measured: `q` → the first figures (the report without MACE competences) and → every figure;
Escape → home with nothing computing (the control); then `r` (compute again) and Escape at once: Escape → the home screen while the report is
computed; `q` again → figures on screen (the cached ones); and `ctrl+q` while computing → the
app stopped. Wall seconds (the keys' answers are what a researcher waits for), the process's CPU
seconds for the whole run and its peak RSS. `tests/bench/test_bench_reports.py` runs it on a
tiny project.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.results import peak_rss_mib  # noqa: E402


async def _until(pilot, condition: Callable[[], object], timeout: float = 600) -> float:  # noqa: ANN001
    """Seconds until `condition()` holds, polling the app every 5 ms."""
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > timeout:
            raise TimeoutError(f"not true after {timeout} s: {condition}")
        await pilot.pause(0.005)
    return time.perf_counter() - started


async def _drive(path: Path, researcher: str) -> dict:
    from screens.dashboard import DashboardScreen
    from screens.home import HomeScreen
    from store.db import open_db
    from store.schema import load_schema
    from tui.app import LabelDeskApp
    from tui.config import Config

    figures: dict = {}
    app = LabelDeskApp(db=open_db(path), labeler=researcher, role="researcher", config=Config(),
                       schema=load_schema())
    async with app.run_test(size=(120, 36)) as pilot:
        started = time.perf_counter()
        await pilot.press("q")
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        await _until(pilot, lambda: dashboard.computed_at is not None)
        figures["q_to_first_figures_seconds"] = round(time.perf_counter() - started, 3)
        await _until(pilot, lambda: not dashboard.computing)
        figures["q_to_all_figures_seconds"] = round(time.perf_counter() - started, 3)

        # The control: Escape with nothing computing (on a loaded host wall time is mostly
        # waiting for a core, whatever the app does).
        started = time.perf_counter()
        await pilot.press("escape")
        await _until(pilot, lambda: isinstance(app.screen, HomeScreen))
        figures["escape_to_home_idle_seconds"] = round(time.perf_counter() - started, 3)
        await pilot.press("q")
        await _until(pilot, lambda: app.screen is dashboard and dashboard.shown and not dashboard.computing)

        await pilot.press("r")  # compute again, then leave at once (a tiny project may be done)
        started = time.perf_counter()
        await pilot.press("escape")
        await _until(pilot, lambda: isinstance(app.screen, HomeScreen))
        figures["escape_to_home_while_computing_seconds"] = round(time.perf_counter() - started, 3)

        started = time.perf_counter()
        await pilot.press("q")
        await _until(pilot, lambda: app.screen is dashboard and dashboard.shown)
        figures["q_to_cached_figures_seconds"] = round(time.perf_counter() - started, 3)
        await _until(pilot, lambda: not dashboard.computing)

        await pilot.press("r")
        started = time.perf_counter()
        await pilot.press("ctrl+q")
        await _until(pilot, lambda: not app.is_running)
        figures["ctrl_q_to_exit_while_computing_seconds"] = round(time.perf_counter() - started, 3)
    return figures


def run(path: Path, researcher: str = "researcher") -> dict:
    cpu = time.process_time()
    figures = asyncio.run(_drive(path, researcher))
    figures["cpu_seconds"] = round(time.process_time() - cpu, 1)
    figures["peak_rss_mib"] = peak_rss_mib()
    return figures


def main() -> None:
    from bench.bench_agreement import generated
    from bench.bench_quality import add_work
    from bench.child import record_run, run_in_child

    with generated() as (path, built):
        built.update(add_work(path))
        built["dashboard"] = run_in_child(__file__, "--child", str(path))
    record_run("dashboard", built)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        print(json.dumps(run(Path(sys.argv[2]))))
    elif len(sys.argv) > 1 and sys.argv[1] != "--child":
        print(json.dumps(run(Path(sys.argv[1]))))
    else:
        main()
