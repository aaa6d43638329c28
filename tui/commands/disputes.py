"""`labeldesk disputes`: items labelers disagree on, the rule that fired, and where each waits."""

from __future__ import annotations

import json

import click

from tui.cli_shared import common, user_errors, wide_option
from tui.context import require_researcher, resolve


@click.command("disputes")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@wide_option
@common
def disputes(fmt, wide, db, config_path, labeler) -> None:
    """Disputed items (by the [adjudication] rules) not yet adjudicated: escalated to more
    labelers, or waiting for a researcher."""
    from store.disputes import list_disputes
    from store.schema import load_schema

    ctx = resolve(db, config_path)
    database = ctx.open(read_only=True)
    require_researcher(database, labeler, "disputes")
    with user_errors():
        schema = load_schema(ctx.config["schema"]["path"] or None)
        for name in ctx.config["adjudication"]["sensitive_fields"]:
            task, _, field = name.partition(".")
            if task not in schema.tasks or field not in {f.name for f in schema.task(task).fields}:
                raise click.ClickException(
                    f"{ctx.config.path}: adjudication.sensitive_fields: {name!r} is not a field "
                    "of the schema")
        found = list_disputes(database, ctx.config.escalation, ctx.config.overlap)
    if fmt == "json":
        click.echo(json.dumps([d.as_dict() for d in found], indent=2, ensure_ascii=False))
        return
    from tui.tables import print_table

    rows = [
        [*((d.item, d.kind, str(d.labelers), d.status) if n == 0 else ("", "", "", "")),
         f.rule, f"{f.task}.{f.field} {f.item}", f.detail]
        for d in found for n, f in enumerate(d.findings)
    ]
    print_table(f"{len(found)} disputed items",
                ("item", "kind", "labelers", "status", "rule", "field", "detail"), rows, wide=wide)


def register(cli: click.Group) -> None:
    cli.add_command(disputes)
