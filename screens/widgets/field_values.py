"""How a schema field's value is toggled by its key, shown on screen, and asked or not.

Fields are `store.schema.Field` objects. Panels keep answers by field name; a field's `when`
conditions are read against `context`, answers keyed `task.field` (see `qualified`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from textual.content import Content

from store.schema import Field

# A key press moves a yes/no field along its cycle. An unanswered field goes to "yes" first:
# the labeler presses a field's key when the thing is present.
_CYCLES: dict[str, tuple[Any, ...]] = {
    "bool": (False, True),
    "bool_na": (False, True, "na"),
}


def is_toggle(field: Field) -> bool:
    return field.kind in _CYCLES


def next_value(field: Field, value: Any) -> Any:
    cycle = _CYCLES[field.kind]
    if value not in cycle:
        return True
    return cycle[(cycle.index(value) + 1) % len(cycle)]


def defaults(fields: Iterable[Field]) -> dict[str, Any]:
    return {f.name: f.default for f in fields if f.default is not None}


def qualified(task: str, answers: Mapping[str, Any]) -> dict[str, Any]:
    return {f"{task}.{name}": value for name, value in answers.items()}


def asked(fields: Iterable[Field], context: Mapping[str, Any]) -> list[Field]:
    """The fields whose `when` conditions hold in `context` (answers keyed `task.field`)."""
    return [f for f in fields if f.applies(dict(context))]


def missing(fields: Iterable[Field], answers: Mapping[str, Any], context: Mapping[str, Any]) -> list[Field]:
    """Required fields that are asked and have no answer yet."""
    return [f for f in asked(fields, context) if f.required and answers.get(f.name) is None]


def answered(fields: Iterable[Field], answers: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    """The answers to the fields that are asked (an answer to a field no longer asked is dropped)."""
    return {f.name: answers[f.name] for f in asked(fields, context) if answers.get(f.name) is not None}


def value_text(value: Any) -> str:
    if value is None:
        return "—"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value == "na":  # stored as "na"; read as the guidelines and the README write it
        return "n/a"
    return str(value)


def value_content(value: Any) -> Content:
    if value is True:
        style = "bold $text-warning"
    elif value is False:
        style = "$text-muted"
    elif value is None:
        style = "bold $text-error"
    else:
        style = "bold $text-accent"
    text = value_text(value)
    return Content.styled(text.ljust(3) if len(text) < 3 else text + " ", style)  # n/a: a gap


def field_row(field: Field, value: Any, label_width: int = 0) -> Content:
    """`[k] label  value`: the key shown where the labeler looks, values in one column."""
    label = Content(field.label)
    if label_width:
        label = label.truncate(label_width, ellipsis=True, pad=True)
    return Content.assemble(
        (f"[{field.key}]" if field.key else "   ", "bold $text-accent"),
        " ",
        label,
        " ",
        value_content(value),
    )


def anchors_line(field: Field) -> str:
    return " · ".join(f"{value} {words}" for value, words in sorted(field.anchors.items()))


def field_help_line(field: Field, *, with_help: bool = True) -> str:
    """`[k] Label: help (asked when …)`: one field for `?` and F1, whether or not the schema
    gives it a help text (every field is listed, so a key never goes unexplained)."""
    text = f"[{field.key}] {field.label}" if with_help and field.key else field.label
    if with_help and field.help:
        text += f": {field.help}"
    if field.when:
        conditions = ", ".join(f"{k} = {value_text(v)}" for k, v in field.when.items())
        text += f" (asked when {conditions})"
    return text
