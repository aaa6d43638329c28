"""Value types the store's layers pass to one another: a leaf every layer may import.

`Assignment` is a claimed task (`store.queue` makes it, the quality gate and `store.labels`
read it); `LabelValue` is one answer to save (`store.labels` writes it, the gate records a
gold check's). Here, and not in those modules, so the gate below the queue needs neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Assignment:
    id: int
    task_id: int
    kind: str
    item: str
    quiz: str
    labeler: str
    status: str
    claimed_at: str
    lease_until: str | None
    order: list[str]


@dataclass(frozen=True)
class LabelValue:
    task: str
    item: str
    field: str
    value: Any
