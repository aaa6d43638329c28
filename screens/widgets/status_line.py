"""The one status line of a work screen: what just happened to the labeler's work.

It says "Saved" only when the store reported a committed transaction (`store.task_session`);
a failure names what went wrong and that the answers stay on screen. Plain text, never markup.
"""

from __future__ import annotations

from typing import Any

from textual.content import Content
from textual.widgets import Static


class StatusLine(Static):
    DEFAULT_CSS = "StatusLine { height: auto; max-height: 2; padding: 0 1; }"

    def __init__(self, *, hide_when_empty: bool = False, **kwargs: Any) -> None:
        """`hide_when_empty`: take no row until there is something to say (screens whose
        80x24 layout has no row to spare for it)."""
        super().__init__(markup=False, **kwargs)
        self.said = ""
        self.hide_when_empty = hide_when_empty
        if hide_when_empty:
            self.display = False

    def say(self, content: Content | str, style: str = "") -> None:
        content = Content.styled(content, style) if isinstance(content, str) else content
        if content.plain != self.said:  # an unchanged line costs no re-layout
            self.said = content.plain
            self.update(content)
            if self.hide_when_empty:
                self.display = bool(self.said)

    def saved(self, text: str) -> None:
        self.say(text, "$text-success")

    def warn(self, text: str) -> None:
        self.say(text, "$text-warning")

    def error(self, text: str) -> None:
        self.say(text, "$text-error")
