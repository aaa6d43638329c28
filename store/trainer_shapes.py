"""The record shapes trainers read, made from the flat export records (docs/exports.md).

Field names are the trainers' own: TRL's preference and unpaired-preference types in their
standard and conversational formats (TRL docs, "Dataset formats and types"; `is_conversational`
in trl/data_utils.py decides by a list of `{"role", ...}` dicts), and OpenAI's preference
fine-tuning JSONL. A flat record keeps LabelDesk's own columns (ids, labeler, margin) beside the
trainer's, which TRL leaves alone; OpenAI's shape holds its three keys only.
"""

from __future__ import annotations

import json
from typing import Any

Message = dict[str, str]

PAIR_FORMATS = ("trl", "trl-chat", "openai-dpo")
UNPAIRED_FORMATS = ("trl", "trl-chat")


def prompt_turns(text: str, messages: str | None) -> list[Message]:
    """The conversation a prompt is (its stored `messages` JSON), or one user turn of its text."""
    if messages:
        turns: list[Message] = json.loads(messages)
        return turns
    return [{"role": "user", "content": text}]


def assistant(text: str) -> list[Message]:
    return [{"role": "assistant", "content": text}]


def shape_pair(record: dict[str, Any], fmt: str, turns: list[Message]) -> dict[str, Any]:
    """A flat pair record (`prompt`, `chosen`, `rejected` as text) in `fmt` (PAIR_FORMATS)."""
    if fmt == "trl":
        return record
    if fmt == "trl-chat":
        return {**record, "prompt": turns, "chosen": assistant(record["chosen"]),
                "rejected": assistant(record["rejected"])}
    if fmt == "openai-dpo":
        return {"input": {"messages": turns}, "preferred_output": assistant(record["chosen"]),
                "non_preferred_output": assistant(record["rejected"])}
    raise ValueError(f"format must be one of {', '.join(PAIR_FORMATS)}")


def shape_unpaired(record: dict[str, Any], fmt: str, turns: list[Message]) -> dict[str, Any]:
    """A flat unpaired record (`prompt`, `completion` as text, `label`) in `fmt` (UNPAIRED_FORMATS)."""
    if fmt == "trl":
        return record
    if fmt == "trl-chat":
        return {**record, "prompt": turns, "completion": assistant(record["completion"])}
    raise ValueError(f"format must be one of {', '.join(UNPAIRED_FORMATS)}")


def check_format(fmt: str, allowed: tuple[str, ...]) -> None:
    if fmt not in allowed:
        raise ValueError(f"format must be one of {', '.join(allowed)}")
