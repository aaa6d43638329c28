"""`labeldesk disputes`: items labelers disagree on, the rule that fired, and where each waits."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from store.text import one_line
from tui.cli_shared import common, user_errors, wide_option
from tui.context import require_researcher, resolve


@click.command("disputes")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@wide_option
@common
def disputes(fmt: str, wide: bool, db: str | None, config_path: str | None,
             labeler: str | None) -> None:
    """Disputed items (by the [adjudication] rules) not yet adjudicated: escalated to more
    labelers, or waiting for a researcher."""
    # here, not at the top: every command starts (`labeldesk --help` too) without opening a database (tests/test_import_hygiene.py)
    from store.adjudication import labeler_reasons
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
        reasons = {d.item: labeler_reasons(database, d) for d in found}
    if fmt == "json":
        # On a terminal every non-ASCII character is escaped: a reason is a labeler's text and
        # its control characters must not act on the researcher's screen.
        click.echo(json.dumps([_with_reasons(d.as_dict(), reasons[d.item]) for d in found],
                              indent=2, ensure_ascii=sys.stdout.isatty()))
        return
    # here, not at the top: rich loads only when a table is printed, not on every command's start-up
    from tui.tables import print_table

    rows = []
    for d in found:
        lines = [(f.rule, f"{f.task}.{f.field} {f.item}", f.detail) for f in d.findings]
        lines += [("reason", f"ranking.reason {letter}", one_line(text))
                  for letter, text in reasons[d.item]]
        rows += [[*((d.item, d.kind, str(d.labelers), d.status) if n == 0 else ("", "", "", "")),
                  *line] for n, line in enumerate(lines)]
    print_table(f"{len(found)} disputed items",
                ("item", "kind", "labelers", "status", "rule", "field", "detail"), rows, wide=wide)


def _with_reasons(dispute: dict[str, Any], reasons: list[tuple[str, str]]) -> dict[str, Any]:
    """The dispute's JSON with each labeler's reason, by the letter adjudication shows them
    under (never a name), when any labeler gave one."""
    if reasons:
        dispute["reasons"] = [{"labeler": letter, "reason": text} for letter, text in reasons]
    return dispute


def register(cli: click.Group) -> None:
    cli.add_command(disputes)
