"""Who may label, and who labels gold (role `researcher`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from store.db import immediate, now
from store.errors import StoreError
from store.text import one_line

if TYPE_CHECKING:  # annotations only: the app starts without loading sqlite-utils (store/db.py)
    import sqlite_utils

ROLES = ("labeler", "researcher")


class UnknownLabeler(StoreError):
    pass


def role_of(db: sqlite_utils.Database, name: str) -> str:
    row = db.execute("SELECT role FROM labelers WHERE name = ?", [name]).fetchone()
    if row is None:
        raise UnknownLabeler(
            f"labeler {name!r} is not in this database's roster "
            f"(a researcher adds them with: labeldesk labelers add {name})"
        )
    return str(row[0])


# Names reach CSV cells, file names and terminals: a spreadsheet runs a cell starting with
# `=`, `+`, `-` or `@`, so a name may not even start that way (OWASP CSV injection).
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise StoreError(f"labeler name {one_line(name)!r} must be 1-64 letters, digits, '.', '_' or '-', "
                         "starting with a letter or digit")


def add_labeler(db: sqlite_utils.Database, name: str, role: str = "labeler") -> bool:
    """Add or change a labeler's role; True when the roster changed."""
    if role not in ROLES:
        raise StoreError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    check_name(name)
    row = db.execute("SELECT role FROM labelers WHERE name = ?", [name]).fetchone()
    if row and row[0] == role:
        return False
    # A plain INSERT for a new name: on PostgreSQL the labelers' role may add a labeler (a
    # self-registering OS user) but not change anyone's role (docs/deployment.md §8).
    if row is None:
        db.execute("INSERT INTO labelers (name, role, created_at) VALUES (?, ?, ?)",
                   [name, role, now()])
    else:
        db.execute("UPDATE labelers SET role = ? WHERE name = ?", [role, name])
    return True


def add_first_researcher(db: sqlite_utils.Database, name: str) -> bool:
    """`labeldesk init`: whoever creates the database is its first researcher, so that someone
    may add the others; True when `name` became it (False: the roster has a researcher)."""
    with immediate(db):
        if db.execute("SELECT 1 FROM labelers WHERE role = 'researcher' LIMIT 1").fetchone():
            return False
        return add_labeler(db, name, "researcher")


def list_labelers(db: sqlite_utils.Database) -> list[tuple[str, str]]:
    return [tuple(r) for r in db.execute("SELECT name, role FROM labelers ORDER BY name")]
