"""Benchmark the quality dashboard (`q` on a researcher's home) on the quality bench's project.

    python -m bench dashboard            # builds bench_agreement's 1M project with bench_quality's work
    python bench/bench_dashboard.py DB   # on a database built before (the figures are printed)

The app runs in-process under Textual's Pilot (`App.run_test`), 120x36, as the researcher, twice:
first with an empty data directory (the project's first visit: no report kept), then as a new
app on the same directory (the report the first run kept). Measured, wall seconds:
`q` → the first figures on screen (whatever kind) and → the report (kept or computed) and →
every figure; Escape → home with nothing computing (the control), until the home screen is
current (the key answered) and until the app is idle again (home's own counts done and drawn); how late the event loop runs
a 10 ms timer over 2 s with nothing computing, then over the 2 s after `r` (compute again);
then `O` → the table reversed, and Escape → the home screen;
`q` again → figures on screen; and `r`, 2 s, `ctrl+q` → the app stopped. Then the app's own
CPU seconds (the keys', the screens', reading the figures it is sent) and its children's (the
computation, when it runs in a process), and the peak RSS. Then, as a third app, the statistics
screen (`t`; computed in a thread worker): the timer's lateness over 2 s while it computes,
Escape answered, and `t` → the tables with the app's CPU; and the CPU of the researcher's home
counts alone (`store.queue.counts`). `tests/bench/test_bench_reports.py` runs it on a tiny
project.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.results import peak_rss_mib  # noqa: E402

WHILE = 2.0  # seconds the computation runs before the keys that meet it


async def _until(pilot, condition: Callable[[], object], timeout: float = 900) -> float:  # noqa: ANN001
    """Seconds until `condition()` holds, looking every 2 ms (a bare sleep: the app's loop runs
    meanwhile; `pilot.pause` would also wait for the app to go idle)."""
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > timeout:
            raise TimeoutError(f"not true after {timeout} s: {condition}")
        await asyncio.sleep(0.002)
    return time.perf_counter() - started


async def _key(pilot, timer, name: str, key: str, answered: Callable[[], object]) -> None:  # noqa: ANN001
    """`key` pressed: `<name>` until `answered()` holds (the key's action done), and
    `<name>_idle` until the app is idle again (`pilot.press` returns: what the action started,
    such as home's waiting counts, is done and drawn)."""
    timer.start()
    press = asyncio.ensure_future(pilot.press(key))
    await _until(pilot, answered)
    timer.stop(name)
    await press
    timer.stop(f"{name}_idle")


def _in_child(dashboard) -> bool:  # noqa: ANN001
    """The computation has started: its child process runs (a thread's starts at once)."""
    return not hasattr(dashboard, "_children") or bool(dashboard._children)


class _Timer:
    """Wall seconds and the app's CPU seconds (every thread of this process, not a child's)
    from `start` to `stop`."""

    def __init__(self, figures: dict) -> None:
        self.figures = figures

    def start(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def stop(self, key: str) -> None:
        self.figures[f"{key}_seconds"] = round(time.perf_counter() - self.wall, 3)
        self.figures[f"{key}_app_cpu_seconds"] = round(time.process_time() - self.cpu, 3)


async def _lag(seconds: float = WHILE) -> dict:
    """How late the app's event loop (keys, drawing) runs a 10 ms timer, over `seconds`: what a
    key waits before the app can look at it (the interpreter lock held elsewhere, or no core)."""
    lags = []
    ends = time.perf_counter() + seconds
    while time.perf_counter() < ends:
        started = time.perf_counter()
        await asyncio.sleep(0.01)
        lags.append(time.perf_counter() - started - 0.01)
    lags.sort()
    return {"median_ms": round(1000 * lags[len(lags) // 2], 1),
            "p95_ms": round(1000 * lags[int(len(lags) * 0.95)], 1),
            "max_ms": round(1000 * lags[-1], 1)}


async def _computing(pilot, dashboard, figures: dict) -> None:  # noqa: ANN001
    await _until(pilot, lambda: _in_child(dashboard) or not dashboard.computing)
    figures["loop_lag_while_computing"] = await _lag()


def _app(path: Path, researcher: str):  # noqa: ANN202
    from store.db import open_db
    from store.schema import load_schema
    from tui.app import LabelDeskApp
    from tui.config import Config

    return LabelDeskApp(db=open_db(path), labeler=researcher, role="researcher", config=Config(),
                        schema=load_schema())


async def _drive(path: Path, researcher: str, *, first: bool) -> dict:
    from screens.dashboard import DashboardScreen
    from screens.home import HomeScreen

    figures: dict = {}
    timer = _Timer(figures)
    app = _app(path, researcher)
    async with app.run_test(size=(120, 36)) as pilot:
        timer.start()
        await pilot.press("q")
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        await _until(pilot, lambda: dashboard.shown)
        timer.stop("q_to_first_figures")
        figures["first_figures"] = ("kept report" if getattr(dashboard, "kept", False)
                                    else "report" if dashboard.computed_at else "early figures")
        await _until(pilot, lambda: dashboard.computed_at is not None)
        timer.stop("q_to_report")
        await _until(pilot, lambda: not dashboard.computing)
        timer.stop("q_to_all_figures")
        if not first:
            return figures

        # The control: Escape with nothing computing (on a loaded host wall time is mostly
        # waiting for a core, whatever the app does).
        await _key(pilot, timer, "escape_to_home_nothing_computing", "escape",
                   lambda: isinstance(app.screen, HomeScreen))
        await pilot.press("q")
        await _until(pilot, lambda: app.screen is dashboard and dashboard.shown and not dashboard.computing)

        figures["loop_lag_idle"] = await _lag()  # the control: nothing computing
        await pilot.press("r")  # compute again; the keys once it has run a while
        await _computing(pilot, dashboard, figures)
        figures["computing_when_keys_pressed"] = dashboard.computing
        reversed_before = dashboard.descending
        await _key(pilot, timer, "reverse_key_while_computing", "O",
                   lambda: dashboard.descending != reversed_before)
        await _key(pilot, timer, "escape_to_home_while_computing", "escape",
                   lambda: isinstance(app.screen, HomeScreen))

        timer.start()
        await pilot.press("q")
        await _until(pilot, lambda: app.screen is dashboard and dashboard.shown)
        timer.stop("q_to_figures_again")
        await _until(pilot, lambda: not dashboard.computing)

        await pilot.press("r")
        await _computing(pilot, dashboard, {})
        timer.start()
        press = asyncio.ensure_future(pilot.press("ctrl+q"))
        await _until(pilot, lambda: not app.is_running)
        timer.stop("ctrl_q_to_exit_while_computing")
        press.cancel()
    return figures


async def _drive_stats(path: Path, researcher: str) -> dict:
    """The statistics screen: its computation is a thread's, sharing the interpreter lock."""
    from screens.home import HomeScreen
    from screens.stats import StatsScreen

    figures: dict = {}
    timer = _Timer(figures)
    app = _app(path, researcher)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("t")
        stats = app.screen
        assert isinstance(stats, StatsScreen)
        figures["loop_lag_while_computing"] = await _lag()
        figures["computing_when_keys_pressed"] = stats.computing
        await _key(pilot, timer, "escape_to_home_while_computing", "escape",
                   lambda: isinstance(app.screen, HomeScreen))
        timer.start()
        await pilot.press("t")
        await _until(pilot, lambda: app.screen is stats and stats.shown and not stats.computing)
        timer.stop("t_to_tables")
    return figures


def _home_counts_cpu(path: Path, researcher: str) -> float:
    """CPU seconds of the researcher's home counts alone (warm: the second of two)."""
    from store import queue
    from store.db import connect

    db = connect(path)
    try:
        queue.counts(db, researcher, {})
        started = time.process_time()
        queue.counts(db, researcher, {})
        return round(time.process_time() - started, 6)
    finally:
        db.conn.close()


def _cpu() -> tuple[float, float]:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def run(path: Path, researcher: str = "researcher") -> dict:
    """Both runs, with a data directory of their own (the kept report's)."""
    figures: dict = {}
    before = os.environ.get("LABELDESK_DATA_DIR")
    with tempfile.TemporaryDirectory() as data:
        os.environ["LABELDESK_DATA_DIR"] = data
        try:
            for key, first in (("first_visit", True), ("next_app", False)):
                own, children = _cpu()
                figures[key] = asyncio.run(_drive(path, researcher, first=first))
                own_after, children_after = _cpu()
                figures[key]["app_cpu_seconds"] = round(own_after - own, 1)
                figures[key]["children_cpu_seconds"] = round(children_after - children, 1)
            figures["statistics"] = asyncio.run(_drive_stats(path, researcher))
        finally:
            if before is None:
                del os.environ["LABELDESK_DATA_DIR"]
            else:
                os.environ["LABELDESK_DATA_DIR"] = before
    figures["home_counts_cpu_seconds"] = _home_counts_cpu(path, researcher)
    figures["peak_rss_mib"] = peak_rss_mib()
    figures["load_average_1min"] = round(os.getloadavg()[0], 2)
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
