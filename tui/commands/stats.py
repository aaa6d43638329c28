"""`labeldesk stats`: descriptive statistics of the data and of labeling progress."""

from __future__ import annotations

import json

import click

from screens.stats_tables import render
from tui.cli_shared import common, user_errors
from tui.commands.surveys import show_summaries
from tui.context import resolve


@click.command("stats")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--surveys", is_flag=True, help="The labeler surveys instead (counts only from 5 responses).")
@common
def stats(fmt: str, surveys: bool, db: str | None, config_path: str | None,
          labeler: str | None) -> None:
    """Descriptive statistics: prompts by source, style, category, user and split; lengths by
    category; labeling progress by kind and labeler."""
    # here, not at the top: every command starts (`labeldesk --help` too) without opening a database (tests/test_import_hygiene.py)
    from store.stats import collect_stats

    ctx = resolve(db, config_path)
    if surveys:
        return show_summaries(ctx, labeler, fmt)
    with user_errors():
        data = collect_stats(ctx.open(read_only=True), overlap=ctx.config["overlap"])
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    # here, not at the top: rich loads only when a table is printed, not on every command's start-up
    from rich.console import Console

    console = Console()
    for table in render(data):
        console.print(table)
        console.print()


def register(cli: click.Group) -> None:
    cli.add_command(stats)
