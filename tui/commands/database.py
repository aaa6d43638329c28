"""`labeldesk db copy SRC DST`: a whole project into a new, empty database — SQLite to
PostgreSQL (moving to several hosts) and back (a backup file, or leaving PostgreSQL).
`labeldesk db rebuild-tallies`: the label tallies recomputed from the labels."""

from __future__ import annotations

import click

from store.secrets import mask
from tui.cli_shared import common, config_option, labeler_option, stderr_progress, user_errors
from tui.context import require_researcher, resolve


@click.group("db")
def db_group() -> None:
    """Whole databases: copy a project between SQLite files and PostgreSQL, rebuild tallies."""


@db_group.command("copy")
@click.argument("src", metavar="SRC")
@click.argument("dst", metavar="DST")
@config_option
@labeler_option
def copy(src: str, dst: str, config_path: str | None, labeler: str | None) -> None:
    """Copy every row of SRC into DST, ids and all, in one transaction (on any error DST stays
    empty). Each is a database file or a postgresql:// URL; DST is created (a file) or
    migrated (a PostgreSQL database its owner created) and must hold no rows yet."""
    # here, not at the top: every command starts (`labeldesk --help` too) without opening a database (tests/test_import_hygiene.py)
    from store.copy import copy_database, count_rows

    source = resolve(src, config_path).open(read_only=True)
    require_researcher(source, labeler, "db copy")
    target = resolve(dst, config_path).open(create=True)
    with user_errors(), stderr_progress("copying", sum(count_rows(source).values())) as advance:
        result = copy_database(source, target, progress=advance)
    source.close()
    target.close()
    tables = sum(1 for n in result.rows.values() if n)
    # A URL is shown without its password.
    click.echo(f"{mask(str(dst))}: {result.total} rows in {tables} tables copied from {mask(str(src))}")


@db_group.command("rebuild-tallies")
@common
def rebuild_tallies(db: str | None, config_path: str | None, labeler: str | None) -> None:
    """Recompute the label tallies (per item value histograms, per labeler confusion counts
    against gold) from the labels, and every hidden gold check's counts against the gold, in
    one transaction. Triggers keep them as labels are written; this is for a database whose
    tallies are in doubt (restored by hand, say)."""
    # here, not at the top: every command starts (`labeldesk --help` too) without opening a database (tests/test_import_hygiene.py)
    from store.db import immediate
    from store.quality.check_scores import rebuild as rebuild_scores
    from store.schema import load_schema
    from store.tallies import rebuild

    ctx = resolve(db, config_path)
    database = ctx.open()
    require_researcher(database, labeler, "db rebuild-tallies")
    with user_errors(), immediate(database):
        rows = rebuild(database)
        checks = rebuild_scores(database, load_schema(ctx.config["schema"]["path"] or None))
    database.close()
    click.echo(f"tallies rebuilt: {rows['item_tallies']} item values, "
               f"{rows['gold_tallies']} labeler values against gold, {checks} gold checks scored")


def register(cli: click.Group) -> None:
    cli.add_command(db_group)
