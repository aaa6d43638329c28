"""Errors the store raises for people to read: each message is one line and says where."""

from __future__ import annotations

import sqlite3

from store.secrets import mask
from store.text import one_line


class StoreError(Exception):
    """A user-facing problem with the database or its input. Its text never holds a password
    (`store.secrets.mask`): a database's URL or a driver's message may be part of it."""

    def __init__(self, *args: object) -> None:
        super().__init__(*(mask(a) if isinstance(a, str) else a for a in args))


class LabelError(StoreError):
    """A label value that the schema does not allow."""


class ImportFileError(StoreError):
    """A bad record in an import file: `file:line: field: problem`; a problem with the whole
    file (line 0, field "(file)") reads `file: problem`."""

    def __init__(self, path: str, line: int, field: str, problem: str):
        self.path, self.line, self.field, self.problem = path, line, field, problem
        where = f"{path}: " if (line, field) == (0, "(file)") else f"{path}:{line}: {field}: "
        super().__init__(one_line(where + problem))


class ImportProblems(ImportFileError):
    """Every bad record of an import file, one `file:line: field: problem` line each (the
    first `SHOWN`, then how many more), so a researcher fixes the file in one pass. Its
    path/line/field/problem are the first one's."""

    SHOWN = 20

    def __init__(self, problems: list[ImportFileError], more: int):
        self.problems, self.more = problems, more
        first = problems[0]
        self.path, self.line, self.field, self.problem = first.path, first.line, first.field, first.problem
        lines = [str(p) for p in problems]
        if more:
            lines.append(f"and {more} more")
        StoreError.__init__(self, "\n".join(lines))


class Problems:
    """Collects the bad records of one import; `check()` raises them all at the end."""

    def __init__(self) -> None:
        self.found: list[ImportFileError] = []
        self.more = 0

    def add(self, error: ImportFileError) -> None:
        if len(self.found) < ImportProblems.SHOWN:
            self.found.append(error)
        else:
            self.more += 1

    def __bool__(self) -> bool:
        return bool(self.found)

    def check(self) -> None:
        if len(self.found) == 1 and not self.more:
            raise self.found[0]
        if self.found:
            raise ImportProblems(self.found, self.more)


_FAULTS = {
    "busy": "the database is busy (others are saving); try again in a moment",
    "unreachable": "the database cannot be reached (its server is down or its disk is gone)",
    "readonly": "the database is read-only here",
    "full": "the disk holding the database is full",
    "corrupt": "the database file is damaged",
}


class Unreachable(sqlite3.OperationalError):
    """The database is out of reach for now (a PostgreSQL server that went away, a SQLite file
    whose directory or disk is gone): nothing was written, and trying again later may work."""

    fault = "unreachable"


def fault_kind(exc: sqlite3.Error) -> str:
    """``busy``, ``unreachable``, ``readonly``, ``full``, ``corrupt`` or ``io`` for a SQLite
    error (a PostgreSQL one, raised as a sqlite3 class by store/pg.py, carries its kind as
    ``fault``). ``busy`` and ``unreachable`` are worth trying again; the others need a person."""
    fault = getattr(exc, "fault", None)
    if isinstance(fault, str):
        return fault
    name = getattr(exc, "sqlite_errorname", "") or ""  # Python 3.11+; the text works everywhere
    text = str(exc).lower()
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text or "busy" in text:
        return "busy"
    if name.startswith("SQLITE_READONLY") or "readonly" in text or "read-only" in text:
        return "readonly"
    if name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")) or "disk i/o error" in text:
        return "unreachable"  # a disk or network share that went away; it may come back
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return "full"
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text:
        return "corrupt"
    return "io"


def describe_fault(exc: sqlite3.Error) -> str:
    """What went wrong, in words for the person at the keyboard (no SQLite jargon)."""
    return _FAULTS.get(fault_kind(exc), f"the database could not be written ({mask(str(exc))})")
