"""A prompt laid out for reading: few-shot prompts as their query/response pairs.

The text itself is never changed: the blocks partition it exactly (joined they give it back),
and rendering only adds styles and example headings between them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from textual.content import Content

from screens.widgets.safe_text import clipped
from store.text import on_screen

# "Label:" at the start of a line, e.g. "Q:", "Tweet:", "Response:".
_LABEL = re.compile(r"^[ \t]*([A-Za-z][A-Za-z0-9 _-]{0,24}?)[ \t]*:", re.MULTILINE)


@dataclass(frozen=True)
class Block:
    kind: str  # "instruction" | "query" | "response" | "text"
    text: str
    pair: int | None = None  # 1-based example number for query/response blocks


def _pair_labels(labels: list[str]) -> tuple[str, str] | None:
    """The (query, response) labels: the first label seen twice, and what follows it."""
    for i, label in enumerate(labels):
        if labels.count(label) < 2:
            continue
        followers = {labels[j + 1] for j in range(i, len(labels) - 1) if labels[j] == label}
        followers.discard(label)
        if len(followers) == 1:
            return label, followers.pop()
    return None


def split_prompt(text: str, style: str = "plain") -> list[Block]:
    """Partition `text` into blocks; only few-shot prompts are split into pairs."""
    if style != "few_shot":
        return [Block("text", text)]
    matches = list(_LABEL.finditer(text))
    pair = _pair_labels([m.group(1).strip().lower() for m in matches])
    if pair is None:
        return [Block("text", text)]
    query, response = pair
    starts: list[tuple[int, str]] = []
    for m in matches:
        label = m.group(1).strip().lower()
        if label == query:
            starts.append((m.start(), "query"))
        elif label == response and starts and starts[-1][1] == "query":
            starts.append((m.start(), "response"))
    blocks: list[Block] = []
    if starts[0][0] > 0:
        blocks.append(Block("instruction", text[: starts[0][0]]))
    number = 0
    for (start, kind), end in zip(starts, [s for s, _ in starts[1:]] + [len(text)], strict=True):
        if kind == "query":
            number += 1
        blocks.append(Block(kind, text[start:end], number))
    return blocks


_STYLES = {"instruction": "bold", "query": "$accent", "response": "$success", "text": ""}


def _task_pair(blocks: list[Block]) -> int | None:
    """The example number the labeler answers: the last query with no or an empty response."""
    queries = [b for b in blocks if b.kind == "query"]
    if not queries:
        return None
    last = queries[-1].pair
    responses = [b for b in blocks if b.kind == "response" and b.pair == last]
    if not responses or not responses[0].text.split(":", 1)[1].strip():
        return last
    return None


def render_prompt(text: str, style: str = "plain") -> Content:
    """The prompt as styled Content: examples headed and coloured, text shown verbatim."""
    text, note = clipped(text)
    blocks = split_prompt(text, style)
    task = _task_pair(blocks)
    parts: list[Content] = []
    for block in blocks:
        if block.kind == "query":
            heading = "── your task ──" if block.pair == task else f"── example {block.pair} ──"
            parts.append(Content.styled(heading + "\n", "dim"))
        body = on_screen(block.text)
        style_name = _STYLES[block.kind]
        parts.append(Content.styled(body, style_name) if style_name else Content(body))
    return Content("").join(parts) + note
