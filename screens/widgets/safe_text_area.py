"""A TextArea whose pastes are neutralised like displayed text (see safe_text.py)."""

from __future__ import annotations

from textual import events
from textual.widgets import TextArea

from store.text import on_screen


class SafeTextArea(TextArea):
    async def _on_paste(self, event: events.Paste) -> None:
        event.text = on_screen(event.text)  # TextArea's own handler runs next, with the clean text
