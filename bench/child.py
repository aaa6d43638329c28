"""The harness of the big-data benchmarks (agreement, consensus, quality): the measured call
runs in a child process of its own, so its peak memory (VmHWM) is its own and not the data
generator's, and its figures come back as JSON on stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from bench.results import machine, peak_rss_mib, record
from store.db import now, open_db

CHILD_FLAG = "--child"


def run_in_child(script: str, *args: str) -> dict[str, Any]:
    """`script --child ARGS` in a fresh Python; what its `measure` printed."""
    out = subprocess.run([sys.executable, script, CHILD_FLAG, *args],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def child_args() -> list[str] | None:
    """The arguments after `--child` when this process is a benchmark's child, else None."""
    return sys.argv[2:] if len(sys.argv) > 1 and sys.argv[1] == CHILD_FLAG else None


def measure(path: str, work: Callable[[Any], Any],
            describe: Callable[[Any], dict[str, Any]] = lambda _result: {}) -> None:
    """In the child, after its imports: `work(db)` on the database at `path`, timed in wall and
    CPU time (other work on a shared host stretches wall time, not CPU time), then the figures
    and `describe(result)` printed as JSON."""
    baseline = peak_rss_mib()  # Python and the libraries the work imports
    db = open_db(path)
    started, cpu_started = time.perf_counter(), time.process_time()
    result = work(db)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    print(json.dumps({
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu_seconds, 1),
        # the whole command's CPU as a researcher pays it: the interpreter, imports, the open
        "process_cpu_seconds": round(time.process_time(), 1),
        "peak_rss_mib": peak_rss_mib(),
        "rss_after_imports_mib": baseline,
        **describe(result),
    }))


def stamped(figures: dict[str, Any]) -> dict[str, Any]:
    """`figures` with the machine, its load and the time."""
    figures["machine"] = machine()  # CPU model, cores, Python version
    figures["load_average_1min"] = round(os.getloadavg()[0], 2)
    figures["measured_at"] = now()
    return figures


def record_run(key: str, figures: dict[str, Any]) -> None:
    """Stamped figures into bench/results.json under `key`."""
    record(key, stamped(figures))


def run_in_scratch(key: str, run: Callable[[Any], dict[str, Any]]) -> None:
    """`run(directory)` in a temporary directory (on tmpfs when there is one), its figures
    printed and recorded under `key`."""
    import tempfile
    from pathlib import Path

    scratch = "/dev/shm" if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(dir=scratch) as tmp:
        figures = run(Path(tmp))
    print(f"{key}: {figures}", file=sys.stderr)
    record_run(key, figures)
