"""An output as the labeler sees it: its letter in the shuffled order, its id, its text."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ShownOutput:
    letter: str
    output_id: str
    text: str
