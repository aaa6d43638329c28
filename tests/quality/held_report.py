"""The dashboard's report computation as a test runs it in the child process
(screens/figures_process.py): the real one, with its steps written to a trace file and an
optional hold at its start, so a test's keys surely meet a child that has not finished.

The test points `screens.dashboard.FRESH` here and sets `HELD_REPORT` to a directory:
`trace` gets a line per step (the test appends its own notes to it), and while `hold` exists
the child waits before computing anything; while `hold_after_report` exists it waits between
the report and the competences.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from screens import dashboard_figures


def note(line: str) -> None:
    with open(Path(os.environ["HELD_REPORT"]) / "trace", "a", encoding="utf-8") as out:
        out.write(line + "\n")


def _wait_while(name: str) -> None:
    hold, waited = Path(os.environ["HELD_REPORT"]) / name, time.monotonic()
    while hold.exists() and time.monotonic() - waited < 600:  # a bound: never a test timing
        time.sleep(0.01)


def fresh(*args: Any) -> Iterator[tuple[str, Any]]:
    note("fresh started")
    _wait_while("hold")
    for name, value in dashboard_figures.fresh(*args):
        note(f"{name} done")
        yield name, value
        _wait_while("hold_after_report")


def broken(*args: Any) -> Iterator[tuple[str, Any]]:
    note("broken started")
    raise RuntimeError("a bug in the report, with a secret path /srv/x in its message")
    yield  # a generator, as the real one
