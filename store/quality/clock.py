"""Active time on a task: the time between inputs, leaving out gaps longer than `idle_seconds`.

Pure and headless: the screen feeds it the time of each key press (and of showing the task, so
reading the prompt before the first key counts), and keeps `seconds` in the draft.
"""

from __future__ import annotations


class ActiveClock:
    def __init__(self, idle_seconds: float = 120.0, seconds: float = 0.0) -> None:
        self.idle_seconds = idle_seconds
        self.seconds = seconds
        self._last: float | None = None

    def touch(self, at: float) -> None:
        """An input at time `at` (seconds, monotonic)."""
        if self._last is not None:
            gap = at - self._last
            if 0 <= gap <= self.idle_seconds:
                self.seconds += gap
        self._last = at

    def pause(self) -> None:
        """The task left the screen: the next input starts a new stretch, the gap uncounted."""
        self._last = None

    @property
    def rounded(self) -> float:
        return round(self.seconds, 1)
