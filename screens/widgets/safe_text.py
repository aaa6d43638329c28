"""Show untrusted text (prompts, outputs, names) literally and harmlessly.

Prompts and outputs come from the public. Two things could act on them:

* Textual markup: ``[@click=app.quit]`` runs an action, ``[/foo]`` raises. We never parse
  untrusted text as markup: ``safe_content(text)`` is ``Content(on_screen(text))``; to mix it with our
  own markup, ``safe_markup("[b]$name[/b]", name=text)``; in a notification,
  ``notify(on_screen(text), markup=False)``; in a DataTable cell, ``rich.text.Text(on_screen(text))``.
* The terminal: ESC, C1 and other controls, bidi overrides, zero-width characters. Textual's
  ``Content`` strips only BEL, BS, VT, FF and CR; ``store.text.on_screen`` (one table with the
  CLI's ``one_line``) replaces every such character with a visible stand-in, so
  ``"\\x1b[31m"`` shows as ``"␛[31m"``.

Input widgets render what they hold as is, so a paste of the same text into an ``Input`` or a
``TextArea`` would reach the terminal: ``SafeInput`` and ``SafeTextArea`` (in
``safe_text_area.py``: Textual's TextArea costs ~5 ms to import, which the home screen, using
only the functions here, does not pay at start-up) pass pastes through ``on_screen`` first (typed
keys cannot carry these characters).

Very long lines. Measured on Textual 8.2.8, 80x24, headless ``run_test``, 2 cores, with a
1,000,000-character single line of words::

    widget                       first paint   key (pagedown/down/end)   resize to 100x30
    Static(Content) in scroll    1.49 s        0.08 s                    0.74 s
    TextArea(read_only=True)     1.38 s        1.06-1.11 s every key     2.25 s
    Static, first 8,000 chars    0.07 s        0.08 s                    0.08 s
    Static, first 64,000 chars   0.14 s        0.08 s                    0.13 s

(0.08 s is the pilot's own pause: the floor.) A read-only TextArea re-measures the whole line on
every key, so it stalls for a second per key press; a full Static stalls on every re-layout.
Two ways out, both ending in a visible "… N more characters" note: ``safe_content`` (and
``clipped``) cut a text at ``SHOWN_LIMIT`` (100,000 characters, about 0.2 s to lay out), for
panels where the rest can be copied; ``SafeText`` shows ``PART`` (16,000) characters at a time
and pages with ``]`` / ``[`` when focused (it is focusable only when the text is longer than one
part), or through ``next_part`` / ``previous_part``.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Input, Static

from store.text import on_screen

SHOWN_LIMIT = 100_000
"""Characters of one text drawn at most: wrapping 1 MB takes Textual seconds on every update."""


def clipped(text: str, limit: int = SHOWN_LIMIT) -> tuple[str, Content]:
    """`text` cut to `limit` characters, and a note saying what was left out (or empty)."""
    if len(text) <= limit:
        return text, Content("")
    note = f"\n… {len(text) - limit:,} more characters not shown (copy the text to read it all)"
    return text[:limit], Content.styled(note, "italic $text-muted")


def safe_content(text: str, style: str = "", limit: int = SHOWN_LIMIT) -> Content:
    """Untrusted text as ``Content`` (in ``style``): never parsed as markup, nothing left to act
    on, at most ``limit`` characters (then a note)."""
    shown, note = clipped(text, limit)
    body = on_screen(shown)
    content = Content.styled(body, style) if style else Content(body)
    # Not `+ note` when there is none: adding measures both parts' cells again.
    return content + note if note else content


def safe_markup(template: str, **values: str) -> Content:
    """Our markup ``template`` with untrusted ``$name`` values inserted literally and safely."""
    return Content.from_markup(template, **{name: on_screen(value) for name, value in values.items()})


PART = 16_000


def part_of(text: str, part: int, size: int = PART) -> tuple[str, int, int]:
    """The ``part``-th slice of ``text`` (clamped), characters before it, characters after it."""
    last = max(0, (len(text) - 1) // size)
    part = min(max(part, 0), last)
    start = part * size
    shown = text[start : start + size]
    return shown, start, len(text) - start - len(shown)


class SafeText(Static):
    """A Static for untrusted text: literal, harmless, and paged when very long."""

    DEFAULT_CSS = """
    SafeText:focus { background-tint: $foreground 5%; }
    """
    BINDINGS = [
        Binding("right_square_bracket", "next_part", "Next part", id="safe_text.next_part"),
        Binding("left_square_bracket", "previous_part", "Previous part", id="safe_text.prev_part"),
    ]

    part: reactive[int] = reactive(0)
    """Which ``PART``-sized slice of a long text is shown (0 for short texts)."""

    def __init__(self, text: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("markup", False)
        super().__init__("", **kwargs)
        self._text = on_screen(text)
        self.can_focus = len(self._text) > PART
        self.update(self._content())

    @property
    def text(self) -> str:
        """The neutralised text (all parts)."""
        return self._text

    def set_text(self, text: str) -> None:
        self._text = on_screen(text)
        self.can_focus = len(self._text) > PART
        self.part = 0
        self.update(self._content())

    def _content(self) -> Content:
        shown, before, after = part_of(self._text, self.part)
        if not before and not after:
            return Content(shown)
        notes = []
        if before:
            notes.append(f"{before:,} characters before ([)")
        if after:
            notes.append(f"{after:,} more characters (])")
        note = Content.styled("\n… " + "; ".join(notes), "italic $text-muted")
        return Content(shown) + note

    def watch_part(self) -> None:
        self.update(self._content())

    def action_next_part(self) -> None:
        self.part = part_of(self._text, self.part + 1)[1] // PART

    def action_previous_part(self) -> None:
        self.part = max(0, self.part - 1)

    next_part = action_next_part
    previous_part = action_previous_part


class SafeInput(Input):
    """An Input whose pastes are neutralised like displayed text."""

    def _on_paste(self, event: events.Paste) -> None:
        event.text = on_screen(event.text)  # Input's own handler runs next, with the clean text
