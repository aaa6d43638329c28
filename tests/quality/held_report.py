"""The dashboard's report computation as a test runs it in the child process
(screens/figures_process.py): the real one, with its steps written to a trace file and an
optional hold at its start, so a test's keys surely meet a child that has not finished.

The test points `screens.dashboard.FRESH` here and sets `HELD_REPORT` to a directory:
`trace` gets a line per step (the test appends its own notes to it), and while `hold` exists
the child waits before computing anything.
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


def fresh(*args: Any) -> Iterator[tuple[str, Any]]:
    hold = Path(os.environ["HELD_REPORT"]) / "hold"
    note("fresh started")
    waited = time.monotonic()
    while hold.exists() and time.monotonic() - waited < 120:
        time.sleep(0.01)
    for name, value in dashboard_figures.fresh(*args):
        note(f"{name} done")
        yield name, value


def broken(*args: Any) -> Iterator[tuple[str, Any]]:
    note("broken started")
    raise RuntimeError("a bug in the report, with a secret path /srv/x in its message")
    yield  # a generator, as the real one
