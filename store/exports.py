"""Exports, streamed record by record so a million labels never sit in memory at once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlite_utils

from store.labels import iter_labels


def export_labels(
    db: sqlite_utils.Database,
    *,
    since: str | None = None,
    labeler: str | None = None,
    task: str | None = None,
    gold: bool | None = None,
) -> Iterator[dict[str, Any]]:
    """The flat label format of interfaces.md; `import labels` reads it back unchanged."""
    for row in iter_labels(db, labeler=labeler, task=task, since=since, gold=gold):
        record: dict[str, Any] = {
            "labeler": row.labeler,
            "task": row.task,
            "item": row.item,
            "field": row.field,
            "value": row.value,
        }
        if row.gold:
            record["gold"] = True
        record["created_at"] = row.created_at
        if row.seconds is not None:
            record["seconds"] = row.seconds
        yield record
