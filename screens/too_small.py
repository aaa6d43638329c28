"""Shown instead of any screen while the terminal is smaller than the app can draw.

Below a few columns Textual's TextArea placeholder crashes inside rich (`chop_cells`), and
every screen is unreadable well before that; so under `MIN_SIZE` nothing else is laid out.
The keys still work: ctrl+q quits (saving drafts), growing the window brings the work back.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

MIN_SIZE = (40, 12)  # columns, rows


def too_small(width: int, height: int) -> bool:
    return width < MIN_SIZE[0] or height < MIN_SIZE[1]


def advice(width: int, height: int) -> str:
    return f"Make the terminal at least {MIN_SIZE[0]}×{MIN_SIZE[1]} (it is {width}×{height})."


class TooSmallScreen(Screen[Any]):
    CSS_PATH = "too_small.tcss"

    def compose(self) -> ComposeResult:
        yield Static(id="too-small")

    def show(self, width: int, height: int) -> None:
        self.query_one("#too-small", Static).update(Content(advice(width, height)))

    def on_mount(self) -> None:
        self.show(*self.app.size)
