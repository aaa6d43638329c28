"""Instruction labels alone (the `instruction` kind of work): the comparison screen's first step."""

from __future__ import annotations

from screens.comparison import ComparisonScreen


class InstructionScreen(ComparisonScreen):
    KIND = "instruction"
    STEPS = ("instruction",)
    HEADING = "Instruction labels"


__all__ = ["InstructionScreen"]
