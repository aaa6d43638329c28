"""Run the real `labeldesk` command: in a subprocess, as a labeler's shell or a cron job would
(`labeldesk`), or through the same entry point in this process (`labeldesk_here`), which spares
a fresh Python and its imports where nothing depends on being a process of its own."""

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


def labeldesk_here(*args: str, env: dict[str, str] | None = None,
                   stdin: str | None = None) -> subprocess.CompletedProcess:
    """`labeldesk ARGS` through `tui.cli.main`, what the installed script calls, with click's
    test isolation for stdin, stdout, stderr and the environment; its exit (click always leaves
    by SystemExit) becomes the return code. Stdin is not a terminal, as in `labeldesk`."""
    from click.testing import CliRunner

    from tui.cli import main

    argv, code = sys.argv, 0
    with CliRunner().isolation(input=stdin or "", env=env) as (out, err, _):
        sys.argv = ["labeldesk", *args]
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            sys.argv = argv
    return subprocess.CompletedProcess(["labeldesk", *args], code, out.getvalue().decode(),
                                       err.getvalue().decode())


def one_line_error(done: subprocess.CompletedProcess) -> str:
    """The command failed as a user error: exit 1, one line on stderr, no traceback."""
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]
