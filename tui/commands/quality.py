"""`labeldesk quality` (live quality per labeler) and `labeldesk labelers resume NAME`.

The figures come from `store.reports.quality.quality_report`, the same function the researchers'
dashboard reads; this module only formats them. rich is imported in the table branch only.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from store.reports.figures import shown, shown_ci
from tui.cli_shared import (
    common,
    config_option,
    db_option,
    labelers_group,
    user_errors,
    wide_option,
)
from tui.config import ConfigError
from tui.context import Context, parse_since, require_researcher, resolve, who

TABLE_COLUMNS = ("labeler", "status", "gold", "agreement", "95% CI", "competence", "flags",
                 "rank pairs", "rating |diff|", "tasks", "fast", "screening", "reasons")


def _competence(competence: dict[str, Any]) -> str:
    """θ and the labels it rests on; where MACE had nothing to learn from, says so."""
    # here, not at the top: numpy loads only when this runs, never on start-up (tests/test_import_hygiene.py)
    from store.reports.competence import NO_DISAGREEMENT

    if competence["theta"] is None and competence.get("reason") == NO_DISAGREEMENT:
        return f"n/a ({NO_DISAGREEMENT})"
    return f"{shown(competence['theta'])} ({competence['labels']})"


def _keeps_starts(ctx: Context) -> bool:
    """Whether the report opens the file to write: it keeps MACE's parameters there for its
    next run (store/reports/competence.py). A file LabelDesk may write opens as for any
    writing command; a read-only one (an archive, a read-only mount) is read as it is, and
    its competences are computed cold. A PostgreSQL database is written either way."""
    path = ctx.db_path
    return (isinstance(path, Path) and not ctx.is_demo and os.access(path, os.W_OK)
            and os.access(path.parent, os.W_OK))


def table_row(name: str, entry: dict[str, Any]) -> list[str]:
    """One labeler's row as plain strings, each figure shown as the dashboard shows it
    (store.reports.figures.shown)."""
    screening = entry.get("screening")
    return [
        name,
        entry["status"],
        str(entry["gold_checks"]),
        shown(entry["agreement"]),
        shown_ci(entry["ci95"]),
        _competence(entry["competence"]),
        shown(entry["flags"]["agreement"]),
        shown(entry["rankings"]["pairwise_agreement"]),
        shown(entry["ratings"]["mean_abs_diff"]),
        str(sum(entry["tasks"].values())),
        str(entry["fast_answers"]),
        f"{screening['result']} {screening['date']}" if screening else "—",
        "; ".join(entry["reasons"]),
    ]


def print_table(report: dict[str, Any], *, wide: bool = False) -> None:
    # here, not at the top: rich loads only when a table is printed, not on every command's start-up
    from rich.text import Text

    from tui.tables import print_table as print_rows

    # Names come from the roster, reasons from our own text: Text, never markup.
    console = print_rows("Live quality against hidden gold checks", TABLE_COLUMNS,
                         [table_row(name, entry) for name, entry in report["labelers"].items()],
                         wide=wide)
    t = report["thresholds"]
    pause = f"{t['pause_below']:.2f}" if t["pause_below"] else "off"
    console.print(Text(
        f"warn below {t['warn_below']:.2f}, pause below {pause}, after {t['min_gold']} gold "
        f"checks; 95% intervals: Wilson (shares), bootstrap (rating |diff|); competence: MACE "
        f"from all yes/no and category labels (labels it rests on)."))


def register(cli: click.Group) -> None:
    @cli.command("quality")
    @click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
                  show_default=True)
    @click.option("--labeler", metavar="NAME", help="Only this labeler.")
    @click.option("--since", metavar="ISO-DATE", help="Only work and gold checks from this time on.")
    @wide_option
    @db_option
    @config_option
    def quality(fmt: str, labeler: str | None, since: str | None, wide: bool, db: str | None,
                config_path: str | None) -> None:
        """Live quality per labeler: hidden gold checks, active time, fast answers, status.

        Researchers only (who is asking comes from LABELDESK_LABELER, else the OS user).
        """
        # here, not at the top: every command starts (`labeldesk --help` too) without opening a database (tests/test_import_hygiene.py)
        from store.reports.quality import quality_report

        ctx = resolve(db, config_path)
        database = ctx.open(read_only=not _keeps_starts(ctx))
        require_researcher(database, None, "quality")
        try:
            policy = ctx.config.quality_policy()
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
        with user_errors():
            report = quality_report(database, policy, labeler=labeler, since=parse_since(since))
        if fmt == "json":
            click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        else:
            print_table(report, wide=wide)

    @labelers_group.command("resume")
    @click.argument("name")
    @common
    def labelers_resume(name: str, db: str | None, config_path: str | None,
                        labeler: str | None) -> None:
        """Reopen NAME's production queue after a quality pause (logged as an event)."""
        # here, not at the top: every command starts (`labeldesk --help` too) without opening a database (tests/test_import_hygiene.py)
        from store.db import immediate
        from store.quality.status import resume

        database = resolve(db, config_path).open()
        require_researcher(database, labeler, "labelers resume")
        with user_errors(), immediate(database):
            resume(database, name, by=who(labeler)[0])
        click.echo(f"{name}: resumed")
