"""What every command resolves first: the config, the database and who is asking.

Kept free of textual so `labeldesk --help` and every non-app command start fast and run on
hosts without a terminal.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import click

from store.errors import StoreError
from store.secrets import mask
from tui import locations
from tui.config import Config, ConfigError, load_config

if TYPE_CHECKING:  # annotations only: every command starts without the database layer
    from store.db import Database


@dataclass
class Context:
    db_path: Path | str  # a SQLite file, or a postgresql:// URL (str)
    config: Config
    is_demo: bool
    demo_asked: bool = False  # `--demo`: the demo on purpose, writes and all

    def open(self, *, migrate: bool = True, create: bool = False, read_only: bool = False,
             sandbox: bool = False) -> Database:
        """The database, migrated. Only `create` (`labeldesk init`) and the demo make a new
        file: a mistyped path must not become an empty database that answers "no labels".
        `read_only` (commands that only read, and `db copy`'s source) never changes it: a
        file is opened read-only, an older schema read through a migrated temporary copy
        (store/read_only.py); a PostgreSQL database is not migrated."""
        # here, not at the top: every command starts (`labeldesk --help` too) without opening a database (tests/test_import_hygiene.py)
        from store.db import open_db, set_guideline_version

        if self.is_demo and not (read_only or sandbox or self.demo_asked):
            # A forgotten --db must not put a project's imports into the demo.
            raise click.ClickException(
                f"no database given (--db, LABELDESK_DB or [database] in the config) and "
                f"`{_command_name()}` writes: it would write into the bundled demo database; "
                "pass --db PATH, or --demo to write into the demo")
        if self.is_demo and not self.demo_asked:
            click.echo(f"{_command_name()}: no database given (--db, LABELDESK_DB or [database] "
                       f"in the config): using the bundled demo database {self.db_path}", err=True)
        try:
            if isinstance(self.db_path, str):
                db = _open_server(self.db_path, migrate=migrate and not read_only, create=create)
            elif self.is_demo and not self.db_path.exists():
                db = ensure_demo_db(self.db_path)
            elif not create and not self.db_path.exists():
                raise StoreError(
                    f"{self.db_path}: no such database (check the path; "
                    f"`labeldesk init --db {self.db_path}` creates a new one)")
            elif read_only:
                # here, not at the top: every command starts (`labeldesk --help` too) without opening a database (tests/test_import_hygiene.py)
                from store.read_only import open_read_only

                db = open_read_only(self.db_path)
            else:
                db = open_db(self.db_path, migrate=migrate)
        except StoreError as exc:
            raise click.ClickException(str(exc)) from exc
        set_guideline_version(db, self.config["guidelines"]["version"])
        return db


def ensure_demo_db(path: Path) -> Database:
    """Create the demo database on first use; a half-built one never replaces a good one."""
    # here, not at the top: sqlite-utils stays off the app's start-up path (tests/test_import_hygiene.py)
    from store.db import open_db
    from store.demo import load_demo

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".building-{os.getpid()}")
    db = open_db(tmp)
    try:
        load_demo(db, locations.DEMO_DIR)
        db.dialect.checkpoint(db)
    finally:
        db.conn.close()
    os.replace(tmp, path)
    for suffix in ("-wal", "-shm", "-wal-owner"):
        leftover = Path(str(tmp) + suffix)
        if leftover.exists():
            leftover.unlink()
    return open_db(path)


def _open_server(url: str, *, migrate: bool, create: bool) -> Database:
    """A PostgreSQL database. As with a file, only `create` (`labeldesk init`) makes an empty
    database a LabelDesk one: a mistyped database name must not answer "no labels"."""
    # here, not at the top: every command starts (`labeldesk --help` too) without opening a database (tests/test_import_hygiene.py)
    from store.db import connect, open_db
    from store.migrations import version

    if not create:
        probe = connect(url)
        try:
            empty = version(probe) == 0
        finally:
            probe.close()
        if empty:
            raise StoreError(f"{mask(url)}: no LabelDesk database there (`labeldesk init --db "
                             "URL` makes this PostgreSQL database one)")
    db = open_db(url, migrate=migrate)
    if not migrate:
        # here, not at the top: every command starts (`labeldesk --help` too) without opening a database (tests/test_import_hygiene.py)
        from store.migrations import LATEST

        if (found := version(db)) < LATEST:
            db.close()
            raise StoreError(f"{mask(url)}: schema {found}, older than this LabelDesk's "
                             f"({LATEST}); migrate it first as its owner (`labeldesk init --db "
                             "URL`)")
    return db


def resolve(db: str | None, config_path: str | None) -> Context:
    try:
        config = load_config(config_path or locations.default_config_path())
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    # here, not at the top: every command starts (`labeldesk --help` too) without opening a database (tests/test_import_hygiene.py)
    from store.dialect import is_url

    chosen = (db or os.environ.get("LABELDESK_DB") or config["database"]["url"]
              or config["database"]["path"])
    asked = bool(click.get_current_context(silent=True) and click.get_current_context().meta.get(
        "labeldesk.demo"))
    if asked and db:
        raise click.ClickException("--demo and --db name two databases: give one")
    if chosen and not asked:
        return Context(chosen if is_url(chosen) else Path(chosen), config, is_demo=False)
    config.for_demo()
    return Context(locations.demo_db_path(), config, is_demo=True, demo_asked=asked)


def _command_name() -> str:
    """`labeldesk import prompts` as the user typed it, for a message."""
    ctx = click.get_current_context(silent=True)
    return " ".join(["labeldesk", *(ctx.command_path.split()[1:] if ctx is not None else ())])


def who(labeler: str | None) -> tuple[str, bool]:
    """The labeler's name and whether it was named explicitly (flag or environment)."""
    if labeler:
        return labeler, True
    if os.environ.get("LABELDESK_LABELER"):
        return os.environ["LABELDESK_LABELER"], True
    return getpass.getuser(), False


def _is_demo_file(db: Database) -> bool:
    # here, not at the top: every command starts (`labeldesk --help` too) without opening a database (tests/test_import_hygiene.py)
    from store.dialect import dialect_of

    path = dialect_of(db).file_path(db)
    return path is not None and Path(path).resolve() == locations.demo_db_path().resolve()


def require_researcher(db: Database, labeler: str | None, command: str) -> None:
    """Researcher-only commands run for researchers in the roster, and nobody else: a labeler
    and a name the roster does not know are refused alike (one line, exit 1). Who is asking is
    `--labeler`, else LABELDESK_LABELER, else the OS user (`who`); `labeldesk init` made its
    creator the first researcher."""
    # here, not at the top: every command starts (`labeldesk --help` too) without opening a database (tests/test_import_hygiene.py)
    from store.roster import role_of

    if _is_demo_file(db):
        return  # the bundled demo is the user's own sandbox: every command is open there
    name, _explicit = who(labeler)
    try:
        role = role_of(db, name)
    except StoreError:
        raise click.ClickException(
            f"{name!r} is not in the roster; `{command}` is for researchers (one adds you with "
            f"`labeldesk labelers add {name} --role researcher`)") from None
    if role != "researcher":
        raise click.ClickException(f"{name!r} is a labeler; `{command}` is for researchers only")


def parse_since(value: str | None) -> str | None:
    """A `--since` date or time as the UTC ISO text the store keeps (`store.db.now`), so SQL's
    text comparison is a time comparison; a time without a zone is UTC. Whole seconds are left
    without a fraction, so a stored time equal to it compares as not earlier with or without
    milliseconds."""
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 date or time") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).isoformat()
