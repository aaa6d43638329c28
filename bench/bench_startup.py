"""Start-up: `labeldesk app` in a real pty until the home screen shows, against a minimal
Textual app that shows one label (the floor), in the same run; the app again on a database
with 1,000,000 open tasks; and `labeldesk --help`.

Two figures per launch: wall time, and the CPU time the process used until its text showed.
On an idle machine they agree; on a loaded one wall time mostly measures the scheduler, while
CPU time stays put, so the ratio to the floor is reported for both.

`--before DIR`: a checkout of an earlier commit (`git worktree add --detach DIR COMMIT`) is
launched too, alternately with this one and the floor, on a database its own CLI made (an older
LabelDesk refuses a newer schema): a change's before and after measured in one run."""

from __future__ import annotations

import argparse
import compileall
import os
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


def make_db(root: Path, db: Path, env: dict[str, str]) -> None:
    """The demo's prompts and outputs and the labeler ana, by `root`'s own CLI."""
    for args in (["init", "--db", db], ["import", "prompts", root / "tests/data/prompts.jsonl", "--db", db],
                 ["import", "outputs", root / "tests/data/outputs.jsonl", "--db", db],
                 ["labelers", "add", "ana", "--db", db]):
        subprocess.run([sys.executable, "-m", "tui.cli", *map(str, args)], check=True, cwd=root,
                       capture_output=True, env={**env, "PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})


def open_app(root: Path, db: Path, env: dict[str, str]) -> tuple[float, float]:
    return start_to_text([sys.executable, "-m", "tui.cli", "app", "--db", str(db), "--labeler", "ana"],
                         b"Labeling as", env={**env, "PYTHONPATH": str(root)}, cwd=str(root))


def commit_of(root: Path) -> str:
    done = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True)
    return done.stdout.strip() or str(root)


def medians(runs: list[tuple[float, float]]) -> tuple[float, float]:
    """(wall, CPU) medians."""
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench startup")
    parser.add_argument("--before", type=Path, help="a checkout of an earlier commit, measured alike")
    before = parser.parse_args(argv or []).before
    tmp = Path(tempfile.mkdtemp())
    try:
        db = tmp / "desk.db"
        env = {"PYTHONPATH": str(ROOT), "LABELDESK_DATA_DIR": str(tmp / "data")}
        make_db(ROOT, db, env)
        trees = {"app": (ROOT, db)}
        if before is not None:
            make_db(before.resolve(), tmp / "before.db", env)
            trees["before"] = (before.resolve(), tmp / "before.db")
        (tmp / "minimal.py").write_text(MINIMAL)
        # An installed LabelDesk has its bytecode compiled (pip does it); a checkout run with
        # PYTHONDONTWRITEBYTECODE would compile every module of ours at every launch instead.
        for root, _db in trees.values():
            for package in ("tui", "store", "screens"):
                compileall.compile_dir(root / package, quiet=1)
        floor_runs: list[tuple[float, float]] = []
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
        help_times = []
        load_before = os.getloadavg()[0]
        for n in range(RUNS):
            floor_runs.append(start_to_text([sys.executable, str(tmp / "minimal.py")], b"minimal ready"))
            for name in (list(trees) if n % 2 == 0 else list(trees)[::-1]):  # neither always first
                runs[name].append(open_app(*trees[name], env))
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "tui.cli", "--help"], cwd=ROOT, env=env,
                           capture_output=True, check=True)
            help_times.append(time.perf_counter() - start)
        load_after = os.getloadavg()[0]
        big = big_db(tmp / "big.db")
        big_runs = [open_app(ROOT, big, env) for _ in range(RUNS // 2)]
        (app_s, app_cpu), (floor_s, floor_cpu) = medians(runs["app"]), medians(floor_runs)
        figures: dict[str, float | str | list[float]] = {
            "app_seconds_median": round(app_s, 3),
            "minimal_textual_seconds_median": round(floor_s, 3),
            "ratio_to_floor": round(app_s / floor_s, 2),
            "app_cpu_seconds_median": round(app_cpu, 3),
            "minimal_textual_cpu_seconds_median": round(floor_cpu, 3),
            "cpu_ratio_to_floor": round(app_cpu / floor_cpu, 2),
            "target_ratio": 1.3,
            "help_seconds_median": round(statistics.median(help_times), 3),
            "app_seconds_median_at_1m_open_tasks": round(medians(big_runs)[0], 3),
            "runs": RUNS,
            "load_average_first_last_launch": [round(load_before, 1), round(load_after, 1)],
        }
        if before is not None:
            before_s, before_cpu = medians(runs["before"])
            figures |= {"before_commit": commit_of(before),
                        "before_seconds_median": round(before_s, 3),
                        "before_ratio_to_floor": round(before_s / floor_s, 2),
                        "before_cpu_seconds_median": round(before_cpu, 3),
                        "before_cpu_ratio_to_floor": round(before_cpu / floor_cpu, 2)}
        record("startup", figures)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
