"""Is the labeler's terminal still there? Textual's input thread cannot tell.

When stdin reaches end of file (the SSH channel closed without a hangup signal, a pipe that was
never a terminal) Textual's Linux driver reads nothing, breaks, and selects again at once: the
app spins at ~28% of a core forever with nobody at the keyboard. `input_closed` asks without
reading a byte: readable, yet nothing to read, is end of file (or the descriptor is gone).
"""

from __future__ import annotations

import fcntl
import os
import select
import struct
import sys
import termios


def has_terminal() -> bool:
    """Both ends a terminal: the app reads keys from one and draws on the other."""
    return sys.stdin.isatty() and sys.stdout.isatty()


WEB_DRIVER = "textual.drivers.web_driver:WebDriver"


def served() -> bool:
    """Started by `labeldesk serve` for a browser: keys and frames go through textual's web
    driver on stdin and stdout, which are pipes by design."""
    return os.environ.get("LABELDESK_WEB") == "1" and os.environ.get("TEXTUAL_DRIVER") == WEB_DRIVER


def input_closed(fd: int) -> bool:
    """True at end of file. A key that arrives and is read between the two questions looks the
    same for an instant, so a caller acts only on several answers in a row (`CLOSED_CHECKS`)."""
    try:
        ready, _, _ = select.select([fd], [], [], 0)
        if not ready:
            return False
        answer = fcntl.ioctl(fd, termios.FIONREAD, struct.pack("i", 0))
        waiting: int = struct.unpack("i", answer)[0]  # bytes waiting to be read
        return waiting == 0
    except (OSError, ValueError):
        return True


CHECK_EVERY = 0.5  # seconds
CLOSED_CHECKS = 3
