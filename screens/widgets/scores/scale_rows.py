"""Scale fields as rows of values, set from the keyboard; the selected row shows its anchors.

Driven by plain data (schema `Field`s and a dict of values); the host handles the keys and
calls `show` again. `value_for_key` maps a typed character to a value of a field's scale.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.content import Content
from textual.widgets import Static


def value_for_key(field: Any, character: str | None) -> int | None:
    """The scale value a key stands for: digits as themselves, `-` for −1, `+` for 1."""
    if not character:
        return None
    if character.isdigit() and len(character) == 1:
        value = int(character)
    elif character == "-":
        value = -1
    elif character == "+":
        value = 1
    else:
        return None
    return value if field.min <= value <= field.max else None


def anchors_line(field: Any) -> Content:
    if not field.anchors:
        return Content.styled(f"{field.label}: {field.min}..{field.max}", "dim")
    parts = [Content.styled(f"{field.label}: ", "bold")]
    for n, (value, text) in enumerate(sorted(field.anchors.items())):
        if n:
            parts.append(Content.styled("  ·  ", "dim"))
        parts.append(Content.assemble((f"{value:+d} " if field.min < 0 else f"{value} ", "bold $accent"), text))
    return Content("").join(parts)


class ScaleRows(Static):
    """One row per field: its key, label and every value, the chosen one highlighted."""

    def show(
        self,
        fields: Sequence[Any],
        values: dict[str, int],
        selected: int,
        notes: dict[str, str] | None = None,
    ) -> None:
        notes = notes or {}
        width = max((len(f.label) for f in fields), default=0)
        rows = []
        for index, field in enumerate(fields):
            chosen = values.get(field.name)
            mark = ("▸ ", "bold $accent") if index == selected else "  "
            cells = []
            for value in range(field.min, field.max + 1):
                label = f"{value:+d}" if field.min < 0 and value else str(value)
                if value == chosen:
                    cells.append((f"[{label}]", "bold reverse $success"))
                else:
                    cells.append((f" {label} ", "dim" if chosen is not None else ""))
            row = Content.assemble(
                mark,
                (f"{field.key or ' '} ", "bold"),
                f"{field.label:<{width}}  ",
                *cells,
                ("   " + notes[field.name] if field.name in notes else "", "dim italic"),
            )
            rows.append(row)
        if fields:
            rows.append(anchors_line(fields[max(0, min(selected, len(fields) - 1))]))
        self.update(Content("\n").join(rows))
