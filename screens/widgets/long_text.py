"""Untrusted text shown whole in a scroll (prompts, answers, continuations), up to a limit.

`SafeText` pages at 16,000 characters; a prompt the labeler must answer reads better whole, and
a Static in a scroll lays out 64,000 characters in about 0.14 s but 1 MB in seconds on every
update, so beyond `SHOWN_LIMIT` the rest is left out with a note (copying gets all of it).
"""

from __future__ import annotations

from textual.content import Content

from screens.widgets.safe_text import safe

SHOWN_LIMIT = 100_000


def clipped(text: str, limit: int = SHOWN_LIMIT) -> tuple[str, Content]:
    """`text` cut to `limit` characters, and a note saying what was left out (or empty)."""
    if len(text) <= limit:
        return text, Content("")
    note = f"\n… {len(text) - limit:,} more characters not shown (copy the text to read it all)"
    return text[:limit], Content.styled(note, "italic $text-muted")


def long_content(text: str, style: str = "", limit: int = SHOWN_LIMIT) -> Content:
    """Untrusted text as styled Content: never markup, nothing for the terminal to act on,
    at most `limit` characters."""
    shown, note = clipped(text, limit)
    body = safe(shown)
    return (Content.styled(body, style) if style else Content(body)) + note
