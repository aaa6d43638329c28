"""`python -m bench.counted (-m MODULE | SCRIPT) ARGS...`: run a Textual program with its full
re-layouts counted, for the benchmarks that drive it in a pty.

Every call of `Screen._refresh_layout` (Textual re-laying out a whole screen) adds one to a
counter; SIGUSR1 writes the count to the file `LABELDESK_BENCH_COUNTS` names, so a benchmark
reads it before and after a key script. The program runs as `python -m MODULE` or `python
SCRIPT` would run it.

With `LABELDESK_BENCH_PROFILE` set to a path, the first SIGUSR1 also starts cProfile and the
second writes its figures there (pstats format): a profile of exactly the key script.
"""

from __future__ import annotations

import cProfile
import os
import runpy
import signal
import sys
from pathlib import Path

from textual.screen import Screen

_calls = [0]
_original = Screen._refresh_layout


def _counted(self, *args, **kwargs):
    _calls[0] += 1
    return _original(self, *args, **kwargs)


_profile: list[cProfile.Profile] = []


def _write_count(_signum, _frame) -> None:
    _toggle_profile()
    target = Path(os.environ["LABELDESK_BENCH_COUNTS"])
    partial = target.with_suffix(".part")
    partial.write_text(str(_calls[0]))
    partial.replace(target)  # whole or absent: the reader never sees half a number


def _toggle_profile() -> None:
    path = os.environ.get("LABELDESK_BENCH_PROFILE")
    if not path:
        return
    if not _profile:
        _profile.append(cProfile.Profile())
        _profile[0].enable()
    else:
        _profile[0].disable()
        _profile[0].dump_stats(path)


def main(argv: list[str]) -> None:
    Screen._refresh_layout = _counted  # type: ignore[method-assign]
    signal.signal(signal.SIGUSR1, _write_count)
    if argv[0] == "-m":
        sys.argv = [argv[1], *argv[2:]]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = list(argv)
        runpy.run_path(argv[0], run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
