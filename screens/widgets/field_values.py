"""How a schema field's value is toggled by its key and shown on screen (shared by the panels).

Fields are `store.schema.Field` objects; only their attributes are read here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from textual.content import Content

# One key press moves a yes/no field along this cycle; the first press answers "yes" because
# the labeler presses a field's key when the thing is present.
_CYCLES: dict[str, tuple[Any, ...]] = {
    "bool": (True, False),
    "bool_na": (True, False, "na"),
}


def is_toggle(field: Any) -> bool:
    return field.kind in _CYCLES


def next_value(field: Any, value: Any) -> Any:
    cycle = _CYCLES[field.kind]
    if value not in cycle:
        return cycle[0]
    return cycle[(cycle.index(value) + 1) % len(cycle)]


def value_text(value: Any) -> str:
    if value is None:
        return "—"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def value_content(value: Any) -> Content:
    style = {True: "bold $warning", False: "$text-muted", None: "$text-disabled"}.get(
        value if isinstance(value, bool) or value is None else "", "bold"
    )
    return Content.styled(value_text(value), style)


def anchors_of(field: Any) -> list[tuple[Any, str]]:
    """A scale's anchors as (value, words) pairs, whatever shape the schema gave them."""
    anchors = getattr(field, "anchors", None) or {}
    if isinstance(anchors, Mapping):
        items: Iterable = anchors.items()
    else:
        items = anchors
    return sorted(((int(k) if str(k).lstrip("-").isdigit() else k), str(v)) for k, v in items)


def field_row(field: Any, value: Any, *, key: str | None = None) -> Content:
    """`[k] label  value` — one line per field, the key shown where the labeler looks."""
    key = key if key is not None else field.key
    return Content.assemble(
        (f"[{key}]" if key else "   ", "bold $accent"),
        " ",
        (field.label or field.name, ""),
        " ",
        value_content(value),
    )


def applicable(fields: Iterable[Any], answers: Mapping[str, Any]) -> list[Any]:
    return [f for f in fields if f.applies(dict(answers))]


def missing(fields: Iterable[Any], answers: Mapping[str, Any]) -> list[Any]:
    """Required fields that apply to these answers and have no value yet."""
    return [f for f in applicable(fields, answers) if f.required and answers.get(f.name) is None]
