"""What a screen would send to the labeler's terminal, for hostile-text checks."""

from __future__ import annotations

import re

from textual.app import App

from tests.corpus.hostile import Hostile

# Textual's own sequences in a full-screen update: SGR styles and cursor positioning.
_TEXTUAL_SEQUENCES = re.compile(r"\x1b\[[0-9;:]*[mH]")
# After those are removed, none of these may remain: C0 (but \n), DEL, C1, bidi, zero-width.
_FORBIDDEN = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ud800-\udfff]"
)


def terminal_output(app: App) -> str:
    """The bytes a full repaint of the current screen writes (cursor moves and styles included)."""
    return app.screen._compositor.render_full_update().render_segments(app.console)


def screen_lines(app: App) -> list[str]:
    """The characters on each screen row, as the labeler sees them."""
    return ["".join(s.text for s in strip) for strip in app.screen._compositor.render_strips()]


def assert_harmless(app: App, item: Hostile, *, literal: bool = True) -> None:
    """No sequence of the item reaches the terminal, and its literal pieces are on screen."""
    leftover = _TEXTUAL_SEQUENCES.sub("", terminal_output(app))
    bad = _FORBIDDEN.search(leftover)
    assert bad is None, f"{item.name}: {bad.group()!r} reaches the terminal near {leftover[max(0, bad.start() - 40):bad.end() + 40]!r}"
    if literal:
        lines = screen_lines(app)
        for piece in item.visible:
            assert any(piece in line for line in lines), f"{item.name}: {piece!r} not on screen"
