"""Database faults as a short note to the labeler, never a traceback.

Screens make their store calls through ``attempt``: a busy database is tried again for up to
``store.db.BUSY_BOUND`` seconds (``retry_busy``), then the labeler reads one line saying what
happened and that the answers on screen are kept. Read-only files, a full disk and I/O errors get the same treatment
without retrying; a refused label (``StoreError``) shows its own message.

Work screens make theirs through their ``store.task_session.TaskSession`` instead, whose typed
``Saved``/``NotSaved`` outcome feeds the status line (screens/base.py); ``attempt`` serves the
other screens (home, quiz, survey).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from store.db import retry_busy
from store.errors import StoreError, describe_fault, fault_kind
from store.text import on_screen

T = TypeVar("T")

KEPT = "Your answers stay on screen"
OUTAGE = "LabelDesk keeps trying; your answers stay on screen and are saved once it is back."


def message(exc: sqlite3.Error | StoreError, doing: str) -> str:
    """One line for the labeler: what failed while ``doing`` what, and that nothing is lost."""
    if isinstance(exc, StoreError):
        return f"Could not {doing}: {on_screen(str(exc))}"
    kind = fault_kind(exc)
    if kind == "unreachable":
        return f"Could not {doing}: {describe_fault(exc)}. {OUTAGE}"
    then = "" if kind == "busy" else ". Please tell your coordinator"
    return f"Could not {doing}: {describe_fault(exc)}{then}. {KEPT}."


def attempt(notify: Callable[..., Any], doing: str, fn: Callable[..., T], *args: Any,
            **kwargs: Any) -> tuple[bool, T | None]:
    """Call ``fn``; on a database fault tell the labeler through ``notify`` and return
    ``(False, None)``, else ``(True, result)``. A busy database is retried first."""
    try:
        return True, retry_busy(fn, *args, **kwargs)
    except sqlite3.Error as exc:
        notify(message(exc, doing), title="Not saved" if "save" in doing else "Database",
               severity="error", timeout=10, markup=False)
    except StoreError as exc:
        notify(message(exc, doing), severity="warning", timeout=10, markup=False)
    return False, None
