"""What a screen needs to show one task: its prompt and outputs in the labeler's order."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from store.errors import StoreError
from store.ranking import LETTERS
from store.values import Assignment

if TYPE_CHECKING:  # annotations only: the app starts without loading sqlite-utils (store/db.py)
    import sqlite_utils


@dataclass(frozen=True)
class Prompt:
    id: str
    text: str
    source: str | None
    style: str | None
    category: str | None
    split: str | None
    tasks: list[str] = field(default_factory=list)
    # A conversation's turns ({"role", "content"}, the user's last), or None for a plain prompt.
    messages: list[dict[str, str]] | None = None


@dataclass(frozen=True)
class Output:
    id: str
    text: str
    model: str | None
    letter: str = ""


@dataclass(frozen=True)
class TaskView:
    assignment: Assignment
    prompt: Prompt
    outputs: list[Output]

    def shown_id(self, role: str | None) -> str:
        return shown_id(role, self.prompt.id, self.assignment.id)


def shown_id(role: str | None, item: str, assignment_id: int) -> str:
    """How a task is named on a screen. Researchers see the item's id. Labelers see `#N`, the
    number of their assignment: item ids follow import order, and a hidden gold check's item
    sits elsewhere in it than the production work around it; assignment numbers are given in
    claim order, a check's like any other (docs/deployment.md, "Hidden gold checks")."""
    return item if role == "researcher" else f"#{assignment_id}"


def get_prompt(db: sqlite_utils.Database, prompt_id: str) -> Prompt:
    row = db.execute(
        "SELECT id, text, source, style, category, split, tasks, messages FROM prompts WHERE id = ?",
        [prompt_id],
    ).fetchone()
    if row is None:
        raise StoreError(f"no prompt {prompt_id!r}")
    id_, text, source, style, category, split, tasks, messages = row
    return Prompt(id_, text, source, style, category, split, json.loads(tasks or "[]"),
                  json.loads(messages) if messages else None)


def outputs_of(db: sqlite_utils.Database, prompt_id: str) -> list[Output]:
    return [
        Output(*r)
        for r in db.execute(
            "SELECT id, text, model FROM outputs WHERE prompt_id = ? ORDER BY position", [prompt_id]
        )
    ]


def task_view(db: sqlite_utils.Database, assignment: Assignment,
              ahead: Ahead | None = None) -> TaskView:
    """The task on screen; from `ahead` (read earlier by `read_ahead`) when it holds the item."""
    if ahead is not None and ahead.prompt.id == assignment.item and (
            not assignment.order or set(assignment.order) == {o.id for o in ahead.outputs}):
        prompt, outputs = ahead.prompt, ahead.outputs  # the outputs the claim ordered
    else:
        prompt = get_prompt(db, assignment.item)
        outputs = outputs_of(db, prompt.id)
    by_id = {o.id: o for o in outputs}
    order = [i for i in assignment.order if i in by_id] or list(by_id)
    shown = [
        Output(by_id[i].id, by_id[i].text, by_id[i].model, LETTERS[n]) for n, i in enumerate(order)
    ]
    return TaskView(assignment, prompt, shown)


@dataclass(frozen=True)
class Ahead:
    """A prompt and its outputs read before the claim that will most likely get them."""

    prompt: Prompt
    outputs: list[Output]


def read_ahead(db: sqlite_utils.Database, item: str | None) -> Ahead | None:
    """The prompt and outputs of `item` (the likely next task, `queue.likely_next`), read now
    so the claim after a submit reads only its assignment."""
    if item is None:
        return None
    try:
        return Ahead(get_prompt(db, item), outputs_of(db, item))
    except StoreError:  # dropped meanwhile: nothing read ahead
        return None
