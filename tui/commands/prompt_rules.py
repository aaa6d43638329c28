"""`labeldesk import prompts FILE [--api-rules [--report FILE] [--dropped FILE]]`."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import TextIO

import click

from tui.cli_shared import common, import_group, import_message, progress_bar, user_errors
from tui.context import require_researcher, resolve
from tui.output_file import output_file


@click.command("prompts")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--api-rules", is_flag=True, help="Apply the data rules for API prompts ([rules] in config): shared-prefix duplicates, per-user cap, user splits, PII hold-out.")
@click.option("--report", metavar="FILE", help="With --api-rules: write the JSON report (counts and every prompt not kept).")
@click.option("--dropped", metavar="FILE", help="With --api-rules: write the prompts not kept, one JSON object a line.")
@click.option("--from-hh", is_flag=True,
              help="Read HH-RLHF lines (chosen/rejected transcripts): each becomes a conversation "
                   "prompt (id: the file's name and line, unless the line has one).")
@common
def import_prompts(file: str, api_rules: bool, report: str | None, dropped: str | None,
                   from_hh: bool, db: str | None, config_path: str | None,
                   labeler: str | None) -> None:
    """Import prompts (id, text or messages, user_id, source, style, category, split, tasks).

    Every key, rule and error: docs/formats.md."""
    # here, not at the top: sqlite-utils stays off the app's start-up path (tests/test_import_hygiene.py)
    from store.imports import import_prompts
    from store.rules import PromptRules, RulesConfig

    if (report or dropped) and not api_rules:
        raise click.UsageError("--report and --dropped need --api-rules")
    ctx = resolve(db, config_path)
    try:
        config = RulesConfig.from_mapping(ctx.config["rules"])
    except ValueError as exc:
        raise click.ClickException(f"{ctx.config.path or 'config'}: {exc}") from None
    database = ctx.open()
    require_researcher(database, labeler, "import prompts")
    path = Path(file)
    # Dropped entries wait on disk, not in memory, until the counts for the report are known.
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        rules = PromptRules(config, api_rules=api_rules, dropped_sink=spool)
        with user_errors(), progress_bar(path) as progress:
            rules.seed(database)
            result = import_prompts(database, path, progress=progress, rules=rules, from_hh=from_hh)
        click.echo(import_message("prompts", path, result))
        if not api_rules:
            return
        summary = rules.report.summary()
        held = "held" if config.pii_action == "hold" else "sent to instruction labeling"
        click.echo(
            f"rules: {summary['kept']} kept, {summary['duplicate_prefix']} duplicate prefix, "
            f"{summary['over_user_cap']} over the user cap, {summary['pii']} with PII ({held})"
        )
        with user_errors():
            if report:
                with output_file(report) as out:
                    _write_report(out, summary, spool)
            if dropped:
                with output_file(dropped) as out:
                    _copy_lines(spool, out)


def _copy_lines(spool: TextIO, out: TextIO) -> None:
    spool.seek(0)
    for line in spool:
        out.write(line)


def _write_report(out: TextIO, summary: dict[str, int], spool: TextIO) -> None:
    """The report object, its `dropped` list streamed from the spool one entry at a time."""
    head = json.dumps(summary, ensure_ascii=False)
    out.write(head[:-1] + ', "dropped": [')
    spool.seek(0)
    for i, line in enumerate(spool):
        out.write((", " if i else "") + line.rstrip("\n"))
    out.write("]}\n")


def register(cli: click.Group) -> None:
    import_group.add_command(import_prompts)
