"""Copy text for the labeler: OSC 52 always, the local clipboard when there is one."""

from __future__ import annotations

import os
import sys
from typing import Any

from textual.app import App


def has_local_clipboard() -> bool:
    """Over SSH the local clipboard is the server's, so only OSC 52 reaches the labeler."""
    if os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"):
        return False
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def copy_text(app: App[Any], text: str) -> None:
    """Put `text` on the clipboard; never raises for a missing or broken clipboard tool."""
    app.copy_to_clipboard(text)
    if not has_local_clipboard():
        return
    try:
        # here, not at the top: pyperclip only where a local clipboard exists
        import pyperclip

        pyperclip.copy(text)
    except Exception:  # pyperclip raises its own errors, OSError, or FileNotFoundError
        pass
