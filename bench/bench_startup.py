"""Start-up: `labeldesk app` in a real pty until the home screen shows, against a minimal
Textual app that shows one label (the floor), in the same run; the app again on a database
with 1,000,000 open tasks; and `labeldesk --help`.

Two figures per launch: wall time, and the CPU time the process used until its text showed.
On an idle machine they agree; on a loaded one wall time mostly measures the scheduler, while
CPU time stays put, so the ratio to the floor is reported for both."""

from __future__ import annotations

import compileall
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from bench.pty_run import start_to_text
from bench.results import record

ROOT = Path(__file__).resolve().parents[1]
RUNS = 11
BIG = 1_000_000  # open tasks in the second database

MINIMAL = textwrap.dedent("""
    from textual.app import App
    from textual.widgets import Label

    class Minimal(App):
        def compose(self):
            yield Label("minimal ready")

    Minimal().run()
""")


def big_db(path: Path) -> Path:
    from bench.bench_store import fill_tasks
    from store.db import open_db
    from store.roster import add_labeler

    db = open_db(path)
    fill_tasks(db, BIG)
    add_labeler(db, "ana")
    db.conn.close()
    return path


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    try:
        db = tmp / "desk.db"
        env = {"PYTHONPATH": str(ROOT), "LABELDESK_DATA_DIR": str(tmp / "data")}
        for args in (["init", "--db", db], ["import", "prompts", ROOT / "tests/data/prompts.jsonl", "--db", db],
                     ["import", "outputs", ROOT / "tests/data/outputs.jsonl", "--db", db],
                     ["labelers", "add", "ana", "--db", db]):
            subprocess.run([sys.executable, "-m", "tui.cli", *map(str, args)], check=True, cwd=ROOT,
                           capture_output=True, env={**env, "PATH": "/usr/bin:/bin"})
        (tmp / "minimal.py").write_text(MINIMAL)
        # An installed LabelDesk has its bytecode compiled (pip does it); a checkout run with
        # PYTHONDONTWRITEBYTECODE would compile every module of ours at every launch instead.
        for package in ("tui", "store", "screens"):
            compileall.compile_dir(ROOT / package, quiet=1)
        app_runs, floor_runs, help_times = [], [], []
        for _ in range(RUNS):
            floor_runs.append(start_to_text([sys.executable, str(tmp / "minimal.py")], b"minimal ready"))
            app_runs.append(start_to_text(
                [sys.executable, "-m", "tui.cli", "app", "--db", str(db), "--labeler", "ana"],
                b"Labeling as", env=env, cwd=str(ROOT)))
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "tui.cli", "--help"], cwd=ROOT, env=env,
                           capture_output=True, check=True)
            help_times.append(time.perf_counter() - start)
        big = big_db(tmp / "big.db")
        big_runs = [start_to_text(
            [sys.executable, "-m", "tui.cli", "app", "--db", str(big), "--labeler", "ana"],
            b"Labeling as", env=env, cwd=str(ROOT)) for _ in range(RUNS // 2)]
        app_s, floor_s = (statistics.median(r[0] for r in runs) for runs in (app_runs, floor_runs))
        app_cpu, floor_cpu = (statistics.median(r[1] for r in runs) for runs in (app_runs, floor_runs))
        record("startup", {
            "app_seconds_median": round(app_s, 3),
            "minimal_textual_seconds_median": round(floor_s, 3),
            "ratio_to_floor": round(app_s / floor_s, 2),
            "app_cpu_seconds_median": round(app_cpu, 3),
            "minimal_textual_cpu_seconds_median": round(floor_cpu, 3),
            "cpu_ratio_to_floor": round(app_cpu / floor_cpu, 2),
            "target_ratio": 1.3,
            "help_seconds_median": round(statistics.median(help_times), 3),
            "app_seconds_median_at_1m_open_tasks": round(statistics.median(r[0] for r in big_runs), 3),
            "runs": RUNS,
        })
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
