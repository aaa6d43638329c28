"""The screening report of `labeldesk agreement --quiz NAME`, as a table or JSON.

The figures come from `store.quiz.screening.screening_report`; this module only formats them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from tui.cli_shared import user_errors
from tui.config import Config

if TYPE_CHECKING:  # annotations only: every command starts without the database layer
    from store.db import Database


def _pct(entry: dict[str, Any], key: str = "agreement") -> str:
    value = entry.get(key)
    return "—" if value is None else f"{value:.0%}"


def print_screening(report: dict[str, Any], *, wide: bool = False) -> None:
    # here, not at the top: rich loads only when a table is printed, not on every command's start-up
    from rich.text import Text

    from tui.tables import print_table

    t = report["thresholds"]
    rows = []
    for cid, c in report["candidates"].items():
        demo = c["demonstrations"]
        mean = demo.get("mean_score")
        # Names, free text and reasons come from people: Text, never markup.
        rows.append([
            cid,
            f"{_pct(c['flags'])} of {c['flags']['n']}",
            f"{_pct(c['comparisons'])} of {c['comparisons']['pairs']} pairs",
            f"{'—' if mean is None else f'{mean:.2f}'} ({demo['scored']}/{demo['n']} scored)",
            "—" if c["seconds"] is None else f"{c['seconds'] / 60:.1f}",
            Text(c["result"].upper(), style={"pass": "green", "fail": "red"}.get(c["result"], "yellow")),
            "; ".join(c["reasons"]),
        ])
    console = print_table(f"Screening: {report['quiz']}",
                          ("candidate", "flags", "ranking", "demo score", "minutes", "result", "why"),
                          rows, wide=wide)
    console.print(Text("Self-assessment (comfortable identifying sensitive speech about):"))
    for cid, c in report["candidates"].items():
        sa = c["self_assessment"]
        chosen = ", ".join(sa.get("selected", []))
        if sa.get("text"):
            chosen = f"{chosen}; {sa['text']}" if chosen else sa["text"]
        console.print(Text(f"  {cid}: {chosen or '—'}"))
    console.print(Text(
        f"Cut-offs: flags ≥ {t['flag_agreement']:.0%}, ranking ≥ {t['comparison_agreement']:.0%}, "
        f"mean demonstration score ≥ {t['demonstration_score']:g}/7 (config [screening]). "
        f"Gold: {report['gold']['flags']} flags, {report['gold']['rankings']} rankings."))


def run_screening(database: Database, quiz: str, *, names: bool, fmt: str, config: Config,
                  wide: bool = False) -> None:
    # here, not at the top: numpy loads only when this runs, never on start-up (tests/test_import_hygiene.py)
    from store.quiz.screening import screening_report

    with user_errors():
        report = screening_report(database, quiz, thresholds=dict(config["screening"]), names=names)
    if fmt == "json":
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        raise click.UsageError("--quiz reports as table or json")
    else:
        print_screening(report, wide=wide)
