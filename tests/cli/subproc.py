"""Run the real `labeldesk` command in a subprocess, as a labeler's shell or a cron job would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def labeldesk(*args: str, env: dict[str, str] | None = None, timeout: float = 60,
              stdin: str | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "tui", *args], capture_output=True, text=True, env=full_env,
        timeout=timeout, input=stdin if stdin is not None else "", cwd=ROOT,
    )


def one_line_error(done: subprocess.CompletedProcess) -> str:
    """The command failed as a user error: exit 1, one line on stderr, no traceback."""
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]
