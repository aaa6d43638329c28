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

    def __init__(self, *, hide_when_empty: bool = False, keep_row: bool = False,
                 **kwargs: Any) -> None:
        """`hide_when_empty`: take no row until there is something to say (screens whose
        80x24 layout has no row to spare for it). `keep_row`: once it has said something,
        keep the row when emptied, so the panels above it keep their height from task to
        task (a line that comes with every submit and goes at the first key would make both
        keys re-lay out the screen and redraw the panels at their new height)."""
        super().__init__(markup=False, **kwargs)
        self.said = ""
        self.hide_when_empty = hide_when_empty
        self.keep_row = keep_row
        self._cells = 0  # the width of what it says
        if hide_when_empty:
            self.display = False
        if keep_row:
            self.styles.min_height = 1  # emptied, it keeps its row

    def say(self, content: Content | str, style: str = "") -> None:
        content = Content.styled(content, style) if isinstance(content, str) else content
        if content.plain != self.said:  # an unchanged line costs no re-layout
            width = self.content_size.width
            kept = self.keep_row and self.display and width > 0
            # A kept row whose line fits it before and after is drawn in place.
            in_place = kept and max(content.cell_length, self._cells) <= width
            self.said, self._cells = content.plain, content.cell_length
            self.update(content, layout=not in_place)
            if self.hide_when_empty and not kept:
                self.display = bool(self.said)

    def saved(self, text: str) -> None:
        self.say(text, "$text-success")

    def warn(self, text: str) -> None:
        self.say(text, "$text-warning")

    def error(self, text: str) -> None:
        self.say(text, "$text-error")
