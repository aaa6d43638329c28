"""Start-up: `labeldesk app` in a real pty until the home screen shows, against a minimal
Textual app that shows one label (the floor), in the same run; and `labeldesk --help`."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from bench.pty_run import time_to_text
from bench.results import record

ROOT = Path(__file__).resolve().parents[1]
RUNS = 7

MINIMAL = textwrap.dedent("""
    from textual.app import App
    from textual.widgets import Label

    class Minimal(App):
        def compose(self):
            yield Label("minimal ready")

    Minimal().run()
""")


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
        app_times, floor_times, help_times = [], [], []
        for _ in range(RUNS):
            floor_times.append(time_to_text([sys.executable, str(tmp / "minimal.py")], b"minimal ready"))
            app_times.append(time_to_text(
                [sys.executable, "-m", "tui.cli", "app", "--db", str(db), "--labeler", "ana"],
                b"Labeling as", env=env, cwd=str(ROOT)))
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "tui.cli", "--help"], cwd=ROOT, env=env,
                           capture_output=True, check=True)
            help_times.append(time.perf_counter() - start)
        app_s, floor_s = statistics.median(app_times), statistics.median(floor_times)
        record("startup", {
            "app_seconds_median": round(app_s, 3),
            "minimal_textual_seconds_median": round(floor_s, 3),
            "ratio_to_floor": round(app_s / floor_s, 2),
            "target_ratio": 1.5,
            "help_seconds_median": round(statistics.median(help_times), 3),
            "runs": RUNS,
        })
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
