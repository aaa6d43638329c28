"""The error log: where an unexpected exception goes instead of the labeler's terminal.

A traceback shows code, file paths and (in Textual's own report) local variables, among them
the whole config with the database URL; a labeler has no use for any of it. So the traceback
is appended to a log file that the operator reads (`[log] path`, else `errors.log` in the
user's log directory: `LABELDESK_LOG_DIR`, else platformdirs' `user_log_dir`), every
credential masked (`store.secrets.mask`), and the person at the keyboard reads one line with a
reference to quote (the UTC time and a short id), which is also the entry's first line.

A new log file is created readable by its owner only (0600, its directory 0700): a labeler who
shares the account still never has a shell to read it with, and an operator who wants a shared
log creates the file (and its directory) first with the group and mode of their choice; the
log is only ever appended to.
"""

from __future__ import annotations

import os
import secrets
import traceback
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from store.secrets import mask

FILE_NAME = "errors.log"


def log_path(config: Any = None) -> Path:
    """`[log] path` of `config` (a `tui.config.Config`), else the default."""
    configured = ""
    if config is not None:
        try:
            configured = str(config["log"]["path"] or "")
        except (KeyError, TypeError):
            configured = ""
    if configured:
        return Path(configured).expanduser()
    if os.environ.get("LABELDESK_LOG_DIR"):
        return Path(os.environ["LABELDESK_LOG_DIR"]) / FILE_NAME
    # here, not at the top: platformdirs only when a default location is needed
    import platformdirs

    return Path(platformdirs.user_log_dir("labeldesk", appauthor=False)) / FILE_NAME


def new_reference() -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{stamp}-{secrets.token_hex(3)}"


def record(error: BaseException, *, config: Any = None, context: str = "",
           notes: list[str] | None = None) -> tuple[str, Path, str | None]:
    """Append `error` with its traceback (no local variables) to the log. Returns the
    reference, the log's path, and why it could not be written (None when it was)."""
    ref = new_reference()
    path = log_path(config)
    body = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    lines = [f"== {ref} pid {os.getpid()} {context}".rstrip(), body.rstrip(),
             *(notes or []), ""]
    text = mask("\n".join(lines)) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, text.encode("utf-8", "replace"))
        finally:
            os.close(fd)
    except OSError as exc:
        return ref, path, exc.strerror or type(exc).__name__
    return ref, path, None


def one_line(ref: str, path: Path, failed: str | None, what: str) -> str:
    """What the person at the keyboard reads: what happened, the reference, where it went."""
    if failed is None:
        return (f"LabelDesk stopped on an unexpected error; {what}. Tell your coordinator: "
                f"error {ref} in {path}.")
    return (f"LabelDesk stopped on an unexpected error; {what}. Tell your coordinator: error "
            f"{ref} (the log {path} could not be written: {failed}).")


__all__ = ["FILE_NAME", "log_path", "one_line", "record"]
