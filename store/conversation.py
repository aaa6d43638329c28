"""Prompts that are conversations: their turns checked, joined into `text`, and read from HH-RLHF
transcripts.

A conversation is a list of `{"role": "system"|"user"|"assistant", "content": str}` ending with
the user's turn; the outputs are the assistant's next turn. It is stored as JSON in
`prompts.messages`, and `prompts.text` holds every turn joined (`conversation_text`), so the data
rules, the PII checks and any search over `text` see every turn.
"""

from __future__ import annotations

import json
from typing import Any

ROLES = ("system", "user", "assistant")
ROLE_NAMES = {"system": "System", "user": "User", "assistant": "Assistant"}
Message = dict[str, str]


class ConversationError(ValueError):
    """`where` is `messages[i]` (or `messages`, or a transcript's part); str() is the problem."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(problem)
        self.where = where


def check_messages(value: Any) -> list[Message]:
    """The turns, or ConversationError naming the first bad one."""
    if not isinstance(value, list):
        raise ConversationError("messages", f"must be a list of {{role, content}} turns, not {type(value).__name__}")
    if not value:
        raise ConversationError("messages", "must not be empty")
    turns: list[Message] = []
    for i, turn in enumerate(value):
        where = f"messages[{i}]"
        if not isinstance(turn, dict):
            raise ConversationError(where, f"must be an object with role and content, not {type(turn).__name__}")
        unknown = sorted(set(turn) - {"role", "content"})
        if unknown:
            raise ConversationError(where, f"unknown key {unknown[0]!r} (known: role, content)")
        role, content = turn.get("role"), turn.get("content")
        if role not in ROLES:
            raise ConversationError(where, f"role {role!r} is not one of {', '.join(ROLES)}")
        if not isinstance(content, str):
            raise ConversationError(where, f"content must be a string, not {type(content).__name__}")
        if role == "system" and i > 0:
            raise ConversationError(where, "a system turn may only come first")
        turns.append({"role": role, "content": content})
    if turns[-1]["role"] != "user":
        raise ConversationError(f"messages[{len(turns) - 1}]", f"the last turn must be the user's, not {turns[-1]['role']!r}")
    if not turns[-1]["content"].strip():
        raise ConversationError(f"messages[{len(turns) - 1}]", "the last user turn must not be empty")
    return turns


def conversation_text(turns: list[Message]) -> str:
    """Every turn, each headed by its role (`User: …`), blank lines between; a conversation of one
    user turn is that turn's text, as a plain prompt would be."""
    if len(turns) == 1:
        return turns[0]["content"]
    return "\n\n".join(f"{ROLE_NAMES[t['role']]}: {t['content']}" for t in turns)


def request(turns: list[Message]) -> str:
    """The final user turn: what the outputs answer, and what the shared-prefix rule compares
    (conversations that open with the same system prompt are not duplicates)."""
    return turns[-1]["content"]


def stored(turns: list[Message]) -> str | None:
    """`prompts.messages` for these turns: NULL for one user turn (a plain prompt)."""
    return json.dumps(turns, ensure_ascii=False) if len(turns) > 1 else None


# HH-RLHF (Bai et al. 2022): a transcript is "\n\nHuman: …\n\nAssistant: …" repeated.
_HH_MARKERS = {"\n\nHuman:": "user", "\n\nAssistant:": "assistant"}


def split_hh(transcript: str) -> list[Message]:
    """An HH-RLHF transcript as turns (two in a row by one role joined into one), or
    ConversationError saying what does not parse."""
    if not isinstance(transcript, str):
        raise ConversationError("transcript", f"must be a string, not {type(transcript).__name__}")
    if not transcript.startswith("\n\nHuman:"):
        raise ConversationError("transcript", "does not start with '\\n\\nHuman:'")
    turns: list[Message] = []
    pos = 0
    while pos < len(transcript):
        marker = next(m for m in _HH_MARKERS if transcript.startswith(m, pos))
        start = pos + len(marker)
        ends = [i for i in (transcript.find(m, start) for m in _HH_MARKERS) if i >= 0]
        end = min(ends) if ends else len(transcript)
        role, content = _HH_MARKERS[marker], transcript[start:end].strip()
        if turns and turns[-1]["role"] == role:
            # HH has a few of these (9 of the 2,312 harmless-base test lines); one turn keeps the
            # roles alternating, as strict chat templates require.
            turns[-1]["content"] += "\n\n" + content
        else:
            turns.append({"role": role, "content": content})
        pos = end
    return turns


def hh_pair(chosen: str, rejected: str) -> tuple[list[Message], str, str]:
    """An HH-RLHF record: the shared conversation up to the last assistant turn (the prompt),
    and the chosen and rejected final assistant turns."""
    a, b = split_hh(chosen), split_hh(rejected)
    for name, turns in (("chosen", a), ("rejected", b)):
        if len(turns) < 2 or turns[-1]["role"] != "assistant":
            raise ConversationError(name, "does not end with an Assistant turn")
    if a[:-1] != b[:-1]:
        raise ConversationError("rejected", "its conversation before the last Assistant turn differs from chosen's")
    return a[:-1], a[-1]["content"], b[-1]["content"]
