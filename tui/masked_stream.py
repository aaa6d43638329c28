"""Standard error with every password masked (`store.secrets.mask`): whatever a command, click,
a warning or a traceback writes there passes through it. Standard output is left alone: it
may be the data (`export … --out -`), which must come out as stored."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from store.secrets import mask


class MaskedStream:
    """A text stream that masks each write before passing it on. A password split across two
    writes would slip through, so writes are held until a line ends (or `flush`)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._held = ""

    def write(self, text: str) -> int:
        self._held += text
        if "\n" in self._held:
            done, _, self._held = self._held.rpartition("\n")
            self._stream.write(mask(done + "\n"))
        return len(text)

    def flush(self) -> None:
        if self._held:
            self._stream.write(mask(self._held))
            self._held = ""
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, encoding… of the stream itself
        return getattr(self._stream, name)


@contextmanager
def masked_stderr() -> Iterator[None]:
    original = sys.stderr
    stream = MaskedStream(original)
    sys.stderr = stream
    try:
        yield
    finally:
        stream.flush()
        sys.stderr = original
