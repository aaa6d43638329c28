"""Figures computed in a child process, so the app's keys never wait for them.

A thread worker shares the interpreter lock with the keys: while a report scores checks or runs
EM in Python, Escape waited seconds for its turn. A child process (`python -m
screens.figures_process`) has an interpreter of its own; the app's thread that reads from it
sleeps in `read` and holds nothing.

- **In.** The parent writes one pickle to the child's stdin: its `sys.path`, the computation
  as `"module:function"`, its arguments and what it does (for a failure's line). The function yields `(name, value)` pairs.
- **Out.** Each pair is one pickle on the child's stdout, then `("end", None)`. A database
  fault (`sqlite3.Error`, `StoreError`) comes as `("failed", line)`: the one line the screen
  shows; anything else as the same with the exception's type, its traceback going to the
  child's stderr, which the parent keeps in a temporary file and never shows.
- **Stopped with the app.** `stop` terminates the child (the researcher left, or quit). The
  parent holds the child's stdin open while it runs: when the parent dies without a word, the
  child reads the end of its stdin and exits, so no report outlives the app.

This module imports nothing of Textual (the child imports it as `__main__`), nor of store/
until the child runs the computation.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from typing import IO, Any

END, FAILED = "end", "failed"


def start(target: str, args: tuple[Any, ...], doing: str) -> subprocess.Popen[bytes]:
    """Start `target(*args)` in a child process; `doing` completes its "Could not …" line."""
    errors = tempfile.TemporaryFile()  # its traceback, if any: never on the researcher's screen
    try:
        child = subprocess.Popen([sys.executable, "-m", "screens.figures_process"],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors,
                                 close_fds=True)
    finally:
        errors.close()  # the child has its own descriptor
    assert child.stdin is not None
    pickle.dump((list(sys.path), target, args, doing), child.stdin, protocol=pickle.HIGHEST_PROTOCOL)
    child.stdin.flush()  # stdin stays open: its end tells the child the app is gone
    return child


def frames(child: subprocess.Popen[bytes]) -> Iterator[tuple[str, Any]]:
    """The child's `(name, value)` pairs as they come, until its stdout ends."""
    assert child.stdout is not None
    while True:
        try:
            yield pickle.load(child.stdout)
        except (EOFError, pickle.UnpicklingError, ValueError, OSError):
            return  # ended (or stopped half-way through a pair)


def stop(child: subprocess.Popen[bytes]) -> None:
    """Terminate the child if it still runs (safe from any thread, any number of times)."""
    if child.poll() is None:
        try:
            child.terminate()
        except OSError:
            pass  # ended meanwhile


def finish(child: subprocess.Popen[bytes]) -> int:
    """Close the pipes and wait for the child's end; its exit code."""
    for pipe in (child.stdin, child.stdout):
        try:
            if pipe is not None:
                pipe.close()
        except OSError:
            pass
    return child.wait()


# -- the child ---------------------------------------------------------------------------

def _lifeline(fd: int) -> None:
    """Exit once the parent's end of stdin closes: the app is gone. It reads the descriptor,
    not `sys.stdin`: a daemon thread blocked inside the buffered reader would hold its lock,
    and the interpreter aborts when it closes stdin at exit."""
    try:
        while os.read(fd, 1 << 16):
            pass
    finally:
        os._exit(0)


def _send(out: IO[bytes], name: str, value: Any) -> None:
    pickle.dump((name, value), out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()


def main() -> None:
    stdin = sys.stdin.buffer
    # The pairs get the real stdout; anything printed by a library goes to stderr instead of
    # into the middle of a pickle.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    path, target, args, doing = pickle.load(stdin)
    sys.path[:] = path
    threading.Thread(target=_lifeline, args=(stdin.fileno(),), daemon=True).start()
    module_name, _, function = target.partition(":")
    # here, not at the top: the computation's modules load in the child only
    import importlib
    import sqlite3

    from screens.faults import message
    from store.errors import StoreError

    try:
        fn = getattr(importlib.import_module(module_name), function)
        for name, value in fn(*args):
            _send(out, name, value)
    except (sqlite3.Error, StoreError) as exc:
        _send(out, FAILED, message(exc, doing))
    except Exception as exc:
        import traceback

        traceback.print_exc()  # to stderr: the parent's temporary file
        _send(out, FAILED, f"Could not {doing}: the computation stopped on an unexpected "
                           f"{type(exc).__name__}. Please tell your coordinator.")
    else:
        _send(out, END, None)
    sys.stderr.flush()
    os._exit(0)  # no interpreter shutdown beside the lifeline thread (the answer is sent)


if __name__ == "__main__":
    main()
