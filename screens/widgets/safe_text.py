"""Untrusted text made safe to draw: control characters become visible symbols.

Textual passes ESC and other control characters straight to the terminal, so a prompt holding
`ESC ] 52 ; ...` could write the labeler's clipboard or retitle the window. Mapping them to
their Unicode "control pictures" keeps the text literal for the labeler and inert for the
terminal. Newlines and tabs are layout, so they stay.
"""

from __future__ import annotations

import re

from textual.content import Content

_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f" + _BIDI + "]")


def _picture(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return f"<U+{code:04X}>"


def visible(text: str) -> str:
    """`text` with every control or bidi-override character drawn as a visible symbol."""
    return _CONTROL.sub(_picture, text)


SHOWN_LIMIT = 100_000
"""Characters of one text drawn at most: wrapping 1 MB takes Textual seconds on every update."""


def clipped(text: str, limit: int = SHOWN_LIMIT) -> tuple[str, Content]:
    """`text` cut to `limit` characters, and a note saying what was left out (or empty)."""
    if len(text) <= limit:
        return text, Content("")
    note = f"\n… {len(text) - limit:,} more characters not shown (copy the text to read it all)"
    return text[:limit], Content.styled(note, "italic $text-muted")


def safe_content(text: str, style: str = "", limit: int = SHOWN_LIMIT) -> Content:
    """Untrusted text as Content: never parsed as markup, control characters made visible,
    at most `limit` characters."""
    shown, note = clipped(text, limit)
    body = visible(shown)
    return (Content.styled(body, style) if style else Content(body)) + note
