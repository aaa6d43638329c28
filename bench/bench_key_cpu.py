"""CPU per key in a real terminal: a labeler typing comparisons, against a minimal Textual app
typing the same keys, in the same run.

`labeldesk app` runs in an 80×24 pty with `[comparison] steps = ["scores", "ranking"]`; the
script is `TASKS` comparisons of 4 outputs of ~1,500 characters, each a rating digit per output
(a rating moves on to the next output, the last one to the ranking) and Enter to accept the
ranking suggested from the ratings. Keys go one at a time, each once the app is idle (no output
and no CPU for 0.1 s: `Typist.paced`), as a labeler who reads the screen types them. A key's
cost is the app's CPU time (all threads, /proc) from the key until it is idle again.

The headline, `cpu_ms_per_key`, is the app's whole CPU time (every thread, ended ones included:
/proc/<pid>/stat) from the first key until `TAIL` seconds after the last one, divided by the
keys: work a key defers to idle time (the read-ahead 0.5 s after a task shows, the draft timer,
workers) counts as much as work done before the next frame. The medians per kind of key
(`digit_next_output`, ...) and `cpu_ms_per_key_until_idle` (the sum of the keys' own windows,
each from the key until the app is idle) are the detail.

The floor is a minimal Textual app (one `Static` updated on every key, and a Footer) typed the
same keys the same way. Both run under `bench.counted`, which counts Textual's full re-layouts
(`Screen._refresh_layout`): the figure that says whether a key changed only what it changes.

`python -m bench.bench_key_cpu [--tasks N] [--no-save] [--profile FILE]` (or `python -m bench
key_cpu`); figures under `key_cpu` in results.json.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sqlite3
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

from bench.pty_run import Typist, poll
from bench.results import machine, percentile, record
from bench.workload import app_in_pty, build_db

ROOT = Path(__file__).resolve().parents[1]
TASKS = 40
OUTPUTS = 4
OUTPUT_CHARS = 1500
SIZE = (80, 24)
QUIET = 0.1
TAIL = 2.0  # seconds after the last key: longer than any deferred work (read-ahead 0.5 s, draft 0.8 s)

MINIMAL = textwrap.dedent("""
    from textual.app import App
    from textual.widgets import Footer, Static

    class Minimal(App):
        BINDINGS = [("f1", "noop", "Help")]
        keys = 0

        def compose(self):
            yield Static("minimal ready", id="shown")
            yield Footer()

        def on_key(self, event):
            self.keys += 1
            self.query_one("#shown", Static).update(f"key {event.key} ({self.keys})")

    Minimal().run()
""")


def script(tasks: int) -> list[tuple[str, bytes]]:
    """(kind of key, its bytes): a digit per output, then Enter, for each task. Kinds: the
    digit that shows the next output, the last one (on to the ranking step), Enter (submit,
    and the next task on screen)."""
    keys: list[tuple[str, bytes]] = []
    for t in range(tasks):
        keys += [("digit_next_output" if j < OUTPUTS - 1 else "digit_to_ranking",
                  str(1 + (t + 2 * j) % 7).encode()) for j in range(OUTPUTS)]
        keys.append(("enter_submit", b"\r"))
    return keys


class Counted:
    """A program under `bench.counted` in a Typist: its CPU and its re-layout count."""

    def __init__(self, pty: Typist, counts: Path) -> None:
        self.pty, self.counts = pty, counts

    def layouts(self) -> int:
        self.counts.unlink(missing_ok=True)
        os.kill(self.pty.proc.pid, signal.SIGUSR1)
        poll(self.counts.exists, "the re-layout count", timeout=10, interval=0.005)
        return int(self.counts.read_text())

    def type(self, keys: list[tuple[str, bytes]]) -> dict:
        """Each key once the app is idle; CPU per key by kind, re-layouts per key."""
        costs: dict[str, list[float]] = {}
        self.pty.settle(QUIET)
        layouts = self.layouts()
        self.pty.settle(QUIET)
        start = self.pty.process_cpu_seconds()
        for kind, key in keys:
            before = self.pty.cpu_seconds()
            os.write(self.pty.master, key)
            self.pty.settle(QUIET)
            costs.setdefault(kind, []).append((self.pty.cpu_seconds() - before) * 1000)
        time.sleep(TAIL)  # the last key's deferred work (timers, read-ahead) runs now
        self.pty.settle(QUIET)
        total = (self.pty.process_cpu_seconds() - start) * 1000
        keyed = sum(sum(values) for values in costs.values())
        layouts = self.layouts() - layouts
        figures: dict[str, Any] = {
            "keys": len(keys), "cpu_ms_per_key": round(total / len(keys), 2),
            "cpu_ms_per_key_until_idle": round(keyed / len(keys), 2),
            "layouts_per_key": round(layouts / len(keys), 2)}
        for kind, values in costs.items():
            figures[kind] = {"median_ms": round(statistics.median(values), 2),
                             "p99_ms": round(percentile(values, 99), 2), "n": len(values)}
        return figures


def labeldesk(tmp: Path, tasks: int, profile: Path | None = None) -> dict:
    db_path = tmp / "keys.db"
    build_db(db_path, tasks, output_chars=OUTPUT_CHARS, kinds=("comparison",)).conn.close()
    counts = tmp / "labeldesk.count"
    keys = script(tasks)
    with app_in_pty(db_path, tmp, "[comparison]", 'steps = ["scores", "ranking"]',
                    terminal=Typist, size=SIZE, launcher=("-m", "bench.counted"),
                    env={"LABELDESK_BENCH_COUNTS": str(counts),
                         **({"LABELDESK_BENCH_PROFILE": str(profile)} if profile else {})}) as pty:
        pty.wait_for(b"Labeling as")
        pty.settle(QUIET)
        os.write(pty.master, b"c")
        pty.wait_for(b"Output A")
        figures = Counted(pty, counts).type(keys)
        figures["stored"] = poll(lambda: done(db_path, tasks), f"{tasks} comparisons stored")
    return figures


def done(db_path: Path, tasks: int) -> int:
    with sqlite3.connect(db_path) as conn:
        n = conn.execute("SELECT count(*) FROM assignments WHERE status = 'done'").fetchone()[0]
    return n if n >= tasks else 0


def minimal(tmp: Path, tasks: int) -> dict:
    return typed_program(tmp, MINIMAL, b"minimal ready", script(tasks))


def typed_program(tmp: Path, source: str, ready: bytes, keys: list[tuple[str, bytes]]) -> dict:
    """A Textual program's figures for `keys`, once `ready` is on its screen."""
    path, counts = tmp / "program.py", tmp / "program.count"
    path.write_text(source)
    cols, rows = SIZE
    with Typist([sys.executable, "-m", "bench.counted", str(path)], cols=cols, rows=rows,
                cwd=str(ROOT), env={"PYTHONPATH": str(ROOT),
                                    "LABELDESK_BENCH_COUNTS": str(counts)}) as pty:
        pty.wait_for(ready)
        return Counted(pty, counts).type(keys)


def measure(tasks: int) -> dict:
    tmp = Path(tempfile.mkdtemp())
    try:
        floor = minimal(tmp, tasks)
        app = labeldesk(tmp, tasks)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"labeldesk": app, "minimal_textual": floor,
            "ratio_to_floor": round(app["cpu_ms_per_key"] / floor["cpu_ms_per_key"], 2)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=TASKS)
    parser.add_argument("--no-save", action="store_true")
    parser.add_argument("--profile", type=Path,
                        help="profile LabelDesk over the key script into this pstats file "
                             "(the minimal app is not run, nothing is saved)")
    args = parser.parse_args(argv if argv is not None else [])
    if args.profile:
        with tempfile.TemporaryDirectory() as tmp:
            print(labeldesk(Path(tmp), args.tasks, args.profile.resolve()))
        return
    figures = measure(args.tasks)
    figures.update({
        "what": f"{args.tasks} comparisons of {OUTPUTS} outputs × {OUTPUT_CHARS} characters, "
                "a digit per output then Enter, paced, 80x24 pty",
        "target_ratio": 2, "machine": machine(),
    })
    if args.no_save:
        print(figures)
    else:
        record("key_cpu", figures)


if __name__ == "__main__":
    main(sys.argv[1:])
