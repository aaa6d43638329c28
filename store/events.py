"""The append-only event log: who claimed, submitted, skipped or flagged what, and when."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from store.db import now


def log_event(db: sqlite_utils.Database, labeler: str | None, kind: str, data: dict[str, Any]) -> None:
    db.execute(
        "INSERT INTO events (at, labeler, kind, data) VALUES (?, ?, ?, ?)",
        [now(), labeler, kind, json.dumps(data, ensure_ascii=False)],
    )
