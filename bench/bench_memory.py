"""Memory: one labeler's app at start (a real `labeldesk app` in a pty), then headless with
`run_test` through 1,000 tasks of each kind of work whose screen exists, and how many sessions
fit in 24 GiB.

Tasks are cycled through the screens' own code: the task on screen is skipped in the store and
the screen's `next_task()` claims and shows the next one, as after a submit. Against that, two
loops push and pop one installed screen (what the app does between home and a work screen):
with Textual 8.2.8's Footer, whose every recompose leaks its key widgets, and with LabelDesk's
(screens/widgets/footer.py), which drops them. Growth per 100 is measured over the second half
of each run, so one-off costs (imports, CSS, Textual's bounded render caches) are not growth.
"""

from __future__ import annotations

import asyncio
import gc
import shutil
import sqlite3
import tempfile
from functools import partial
from pathlib import Path

from textual.screen import Screen
from textual.widgets import Footer, Static

from bench.results import record
from bench.workload import app_in_pty, build_db, built_kinds, make_app
from screens.widgets.footer import Footer as FixedFooter
from store import queue

TASKS = 1000
CYCLES = 200
STEP = 100
BUDGET_GIB = 24


def rss_mib(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _now_rss() -> float:
    gc.collect()
    return rss_mib()


def growth_per_step(samples: list[float]) -> float:
    """MiB per STEP over the second half of the run (samples[0] is before any). The first few
    hundred tasks fill Textual's bounded caches (rendered lines, styles), which is a one-off
    cost, not growth; what the second half adds is."""
    if len(samples) < 3:
        return 0.0
    mid = (len(samples) - 1) // 2
    return round((samples[-1] - samples[mid]) / (len(samples) - 1 - mid), 2)


def start_rss(db_path: Path, tmp: Path) -> float:
    with app_in_pty(db_path, tmp) as pty:
        pty.wait_for(b"Labeling as")
        pty.drain(quiet=0.3)
        return round(rss_mib(pty.proc.pid), 1)


class TextualFooterScreen(Screen):
    BINDINGS = [("escape", "app.pop_screen", "Back"), ("f2", "noop", "Two"), ("f3", "noop", "Three")]
    FOOTER = Footer

    def compose(self):
        yield Static("a screen with a footer")
        yield self.FOOTER()


class FixedFooterScreen(TextualFooterScreen):
    FOOTER = FixedFooter


async def drive(db) -> dict:
    app = make_app(db)
    figures: dict = {}
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        figures["headless_app_at_home_mib"] = round(_now_rss(), 1)
        home = app.screen
        for work in built_kinds(app):
            home.action_start(work.kind)
            await pilot.pause()
            screen = app.screen
            samples = [_now_rss()]
            for i in range(1, TASKS + 1):
                queue.skip(db, screen.view.assignment.id, "memory benchmark")
                screen.next_task()
                await pilot.pause()
                if i % STEP == 0:
                    samples.append(_now_rss())
            screen.action_home()
            await pilot.pause()
            figures[work.kind] = {"tasks": TASKS, "rss_mib": [round(s, 1) for s in samples],
                                  "growth_mib_per_100_tasks": growth_per_step(samples)}

        figures["headless_after_all_tasks_mib"] = round(_now_rss(), 1)

        async def cycle(push) -> dict:
            samples = [_now_rss()]
            for i in range(1, CYCLES + 1):
                await push()
                await pilot.pause()
                app.pop_screen()
                await pilot.pause()
                if i % STEP == 0:
                    samples.append(_now_rss())
            return {"cycles": CYCLES, "rss_mib": [round(s, 1) for s in samples],
                    "growth_mib_per_100_cycles": growth_per_step(samples)}

        for name, screen in (("push_pop_textual_footer", TextualFooterScreen()),
                             ("push_pop_labeldesk_footer", FixedFooterScreen())):
            app.install_screen(screen, name=name)
            figures[name] = await cycle(lambda name=name: app.push_screen(name))
    return figures


def summarise(figures: dict) -> None:
    """A day's session: what it holds at start plus everything a day of tasks added headless
    (one-off caches included), and how many such sessions 24 GiB holds."""
    figures["kinds_measured"] = [k for k, v in figures.items() if isinstance(v, dict) and "tasks" in v]
    day = figures["headless_after_all_tasks_mib"] - figures["headless_app_at_home_mib"]
    figures["day_of_tasks_adds_mib"] = round(day, 1)
    figures["session_end_of_day_mib"] = round(figures["start_rss_mib"] + day, 1)
    figures["sessions_in_24_gib"] = int(BUDGET_GIB * 1024 // figures["session_end_of_day_mib"])


PTY_TASKS = 200
PTY_STEP = 50


def pty_growth(db_path: Path, tmp: Path, tasks: int = PTY_TASKS, step: int = PTY_STEP) -> dict:
    """`labeldesk app` in a real 80x24 pty, comparisons typed as a labeler types them (a digit
    per output, Enter for the suggested ranking; `step` tasks typed ahead at a time) with its
    RSS read from /proc after each `step` tasks are stored: what a terminal session grows by,
    render caches, driver and all (the headless runs above leave the driver out)."""
    from bench.pty_run import Typist, poll

    def stored() -> int:
        with sqlite3.connect(db_path) as conn:
            return conn.execute("SELECT count(*) FROM assignments WHERE status = 'done'").fetchone()[0]

    with app_in_pty(db_path, tmp, "[comparison]", 'steps = ["scores", "ranking"]',
                    terminal=Typist, size=(80, 24)) as pty:
        pty.wait_for(b"Labeling as")
        pty.settle()
        pty.burst([b"c"])
        pty.wait_for(b"Output A")
        pty.settle()
        samples = [rss_mib(pty.proc.pid)]
        for done in range(step, tasks + 1, step):
            keys = [str(1 + (t + j) % 7).encode() for t in range(step) for j in range(4)]
            pty.burst([b"".join(keys[n:n + 4]) + b"\r" for n in range(0, len(keys), 4)])
            poll(partial(lambda n: stored() >= n, done), f"{done} comparisons stored", timeout=600)
            pty.settle()
            samples.append(rss_mib(pty.proc.pid))
    return {"tasks": tasks, "rss_mib": [round(x, 1) for x in samples], "every": step,
            "growth_mib_per_100_tasks": round(
                (samples[-1] - samples[len(samples) // 2]) / ((len(samples) - 1 - len(samples) // 2)
                                                              * step) * 100, 2)}


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    try:
        db_path = tmp / "memory.db"
        db = build_db(db_path, TASKS + 50)
        pty_db = tmp / "pty.db"
        build_db(pty_db, PTY_TASKS + 5, kinds=("comparison",)).conn.close()
        figures = {"start_rss_mib": start_rss(db_path, tmp),
                   "pty_comparison": pty_growth(pty_db, tmp, PTY_TASKS, PTY_STEP)}
        figures.update(asyncio.run(drive(db)))
        summarise(figures)
        figures["target_growth_mib_per_100_tasks"] = 0
        record("memory", figures)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
