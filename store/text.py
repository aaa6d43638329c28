"""Untrusted text made harmless for people to read: one table of dangerous code points, two forms.

Prompts, outputs, names and import-file values come from the public. A terminal acts on ESC
(CSI/OSC sequences: colours, cursor moves, OSC 52 clipboard writes, title changes), C1 controls
(U+009B is an 8-bit CSI), NUL and other C0 controls; bidi overrides and isolates, zero-width
characters and line/paragraph separators make a text lie about itself (a reversed ``exe.txt``, a
hidden word). ``DANGEROUS`` lists them once, with the stand-in a screen draws for each.

* ``on_screen(text)`` — for screens: each dangerous character becomes a visible stand-in (control
  pictures such as ``␛``, or ``⟨U+202E⟩``), lone surrogates U+FFFD; ``\\n`` and ``\\t`` stay,
  ``\\r\\n`` becomes ``\\n``. Used by ``screens.widgets.safe_text``.
* ``one_line(text)`` — for one-line terminal messages (errors, CLI tables): every character
  that is not printable (``DANGEROUS`` and line breaks, tabs and other invisibles with it)
  written as its Python escape, so a key or value read from a file cannot retitle, recolour or
  rearrange the researcher's terminal. ``tests/store/test_text.py`` checks it covers the table.

No textual or rich here: the store's error messages and the screens share it.
"""

from __future__ import annotations

import re

# Shown as ⟨U+XXXX⟩: characters that have no control picture.
_MARKED = (
    [0x061C, 0x180E, 0x2028, 0x2029, 0xFEFF]
    + list(range(0x200B, 0x2010))  # zero-width space/non-joiner/joiner, LRM, RLM
    + list(range(0x202A, 0x202F))  # bidi embeddings and overrides
    + list(range(0x2060, 0x2065))  # word joiner, invisible operators
    + list(range(0x2066, 0x2070))  # bidi isolates, deprecated format characters
    + list(range(0xFFF9, 0xFFFC))  # interlinear annotation
    + list(range(0x80, 0xA0))  # C1 controls (U+009B is an 8-bit CSI)
)

DANGEROUS: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20) if code not in (9, 10)}
DANGEROUS[0x7F] = "\u2421"  # ␡
DANGEROUS.update({code: f"⟨U+{code:04X}⟩" for code in _MARKED})

_UNSAFE = re.compile(
    "\r\n|[" + "".join(re.escape(chr(code)) for code in sorted(DANGEROUS)) + "\ud800-\udfff]"
)


def _replace(match: re.Match[str]) -> str:
    found = match.group()
    if found == "\r\n":
        return "\n"
    return DANGEROUS.get(ord(found), "\ufffd")


_PLAIN = bytes(range(0x20, 0x7F)) + b"\n\t"
"""The ASCII characters that stay as they are (printable, newline, tab)."""


def on_screen(text: str) -> str:
    """``text`` with everything a terminal or Textual could act on made visible (for screens)."""
    # Most texts have nothing to change, and that is told in C: ~40 µs for 100 kB of ASCII,
    # a few times that for other text (every character `DANGEROUS` lists is unprintable, a
    # test checks), where the expression below scans each character in Python's regex engine
    # (~1.5 ms for 100 kB; an output is shown again on every step change). The text itself is
    # returned then, so what is cached by it stays cached.
    if text.isascii():
        if not text.encode("ascii").translate(None, _PLAIN):
            return text
    elif text.replace("\n", " ").replace("\t", " ").isprintable():
        return text
    return _UNSAFE.sub(_replace, text)


def one_line(text: str) -> str:
    """``text`` for a one-line terminal message: every non-printable character as its Python
    escape (``\\x1b``, ``\\u202e``, ``\\n``)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
