"""`labeldesk stats --surveys` and `labeldesk surveys summary`: the §9 surveys, k-anonymous.

No count is shown under 5 responses. The summary lives here, beside the survey store, so the
`stats` command only delegates to `show_summaries`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from tui.cli_shared import common
from tui.config import Config
from tui.context import Context, require_researcher, resolve

if TYPE_CHECKING:  # annotations only: every command starts without the database layer
    from store.db import Database


def summaries(database: Database, config: Config) -> list[dict[str, Any]]:
    # here, not at the top: sqlite-utils stays off the app's start-up path (tests/test_import_hygiene.py)
    from store.survey_questions import survey
    from store.surveys import summarize

    extra = config["surveys"]["extra_statements"]
    return [summarize(database, survey(kind, extra)) for kind in ("demographics", "satisfaction")]


def print_summaries(reports: list[dict[str, Any]]) -> None:
    # here, not at the top: rich loads only when a table is printed, not on every command's start-up
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()
    for report in reports:
        title = f"{report['survey']}: {report['responses']} responses"
        if "hidden" in report:
            console.print(Text(f"{title} ({report['hidden']})"))
            continue
        table = Table(title=title, title_justify="left")
        for column in ("question", "answered", "mean (1-5)", "answers"):
            table.add_column(column, overflow="fold")
        for entry in report["questions"].values():
            counts = entry.get("counts")
            shown = ", ".join(f"{k}: {n}" for k, n in counts.items()) if counts is not None else ""
            if "comments" in entry:
                shown = " | ".join(entry["comments"]) or f"(hidden: fewer than {report['k']} comments)"
            mean = entry.get("mean")
            table.add_row(Text(entry["text"]), Text(str(entry["answered"])),
                          Text("" if mean is None else f"{mean:.2f}"), Text(shown))
        console.print(table)


def show_summaries(ctx: Context, labeler: str | None, fmt: str) -> None:
    """`labeldesk stats --surveys` and `labeldesk surveys summary`: researchers only."""
    database = ctx.open(read_only=True)
    require_researcher(database, labeler, "stats --surveys")
    reports = summaries(database, ctx.config)
    if fmt == "json":
        click.echo(json.dumps(reports, indent=2, ensure_ascii=False))
    else:
        print_summaries(reports)


def register(cli: click.Group) -> None:
    @cli.group("surveys")
    def surveys_group() -> None:
        """Anonymous labeler surveys (demographics, satisfaction)."""

    @surveys_group.command("summary")
    @click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
    @common
    def surveys_summary(fmt: str, db: str | None, config_path: str | None,
                        labeler: str | None) -> None:
        """Counts per answer, only where at least 5 people responded (same as stats --surveys)."""
        show_summaries(resolve(db, config_path), labeler, fmt)
