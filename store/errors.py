"""Errors the store raises for people to read: each message is one line and says where."""

from __future__ import annotations

import sqlite3

from store.text import one_line


class StoreError(Exception):
    """A user-facing problem with the database or its input."""


class LabelError(StoreError):
    """A label value that the schema does not allow."""


class ImportFileError(StoreError):
    """A bad record in an import file: `file:line: field: problem`."""

    def __init__(self, path: str, line: int, field: str, problem: str):
        self.path, self.line, self.field, self.problem = path, line, field, problem
        super().__init__(one_line(f"{path}:{line}: {field}: {problem}"))


_FAULTS = {
    "busy": "the database is busy (others are saving); try again in a moment",
    "readonly": "the database is read-only here",
    "full": "the disk holding the database is full",
    "corrupt": "the database file is damaged",
}


def fault_kind(exc: sqlite3.Error) -> str:
    """``busy``, ``readonly``, ``full``, ``corrupt`` or ``io`` for a SQLite error."""
    name = getattr(exc, "sqlite_errorname", "") or ""  # Python 3.11+; the text works everywhere
    text = str(exc).lower()
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text or "busy" in text:
        return "busy"
    if name.startswith("SQLITE_READONLY") or "readonly" in text or "read-only" in text:
        return "readonly"
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return "full"
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text:
        return "corrupt"
    return "io"


def describe_fault(exc: sqlite3.Error) -> str:
    """What went wrong, in words for the person at the keyboard (no SQLite jargon)."""
    return _FAULTS.get(fault_kind(exc), f"the database could not be written ({exc})")
