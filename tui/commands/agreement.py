"""`labeldesk agreement`: each labeler against researcher gold, and labelers among themselves.

The figures come from `store.agreement.report.agreement_report`; this module only formats them.
rich is imported inside the table branch so the JSON/CSV path stays light.
"""

from __future__ import annotations

import csv
import json
import sys

import click

from store.records import csv_cell
from tui.context import parse_since

# Not imported from store.agreement.metrics: that loads numpy and scipy (~0.5 s) into every
# `labeldesk` command, the app included. tests/cli/test_agreement.py checks they agree.
RESAMPLES = 1000

CSV_COLUMNS = ("scope", "labeler", "field", "n", "figure", "value", "ci95_lo", "ci95_hi", "se")
# Figures in the order a reader looks for them.
FIGURES = (
    "agreement",
    "cohen_kappa",
    "mean_abs_diff",
    "pairwise_agreement",
    "kendall_tau_b",
    "krippendorff_alpha",
)


def csv_rows(report: dict):
    """One row a figure: long format, so new figures never shift columns."""
    scopes = [("per_labeler", name, fields) for name, fields in report["per_labeler"].items()]
    scopes.append(("inter_annotator", "", report["inter_annotator"]))
    for scope, labeler, fields in scopes:
        for key, entry in fields.items():
            n = entry.get("n", entry.get("n_items"))
            for figure in FIGURES:
                if figure not in entry:
                    continue
                ci = entry.get(f"{figure}_ci95") or [None, None]
                se = entry.get(f"{figure}_se")
                yield [scope, labeler, key, n, figure, entry[figure], ci[0], ci[1], se]


def _fmt(value) -> str:
    return "—" if value is None else f"{value:.2f}"


def _ci(ci) -> str:
    return f"{ci[0]:.2f}–{ci[1]:.2f}" if ci else ""


def _note(entry: dict) -> str:
    notes = []
    if entry.get("mean_abs_diff") is not None:
        notes.append(f"mean |diff| {entry['mean_abs_diff']:.2f}")
    if entry.get("ties_excluded"):
        notes.append(f"{entry['ties_excluded']} tied pairs excluded")
    if entry.get("pairwise_agreement_se") is not None:
        notes.append(f"± {entry['pairwise_agreement_se']:.3f} se")
    if entry.get("skipped"):
        notes.append(f"{entry['skipped']} skipped: {entry['skipped_reason']}")
    if entry.get("reason"):
        notes.append(entry["reason"])
    return "; ".join(notes)


def print_tables(report: dict) -> None:
    import sys

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    # A pipe or file gets room for every column instead of rich's 80-column fallback.
    console = Console(width=None if sys.stdout.isatty() else 140)
    # Names and field keys come from imported data: Text, never markup.
    for name, fields in report["per_labeler"].items():
        table = Table(title=Text(f"{name} against researcher gold"), title_justify="left")
        for column in ("field", "n", "agree", "95% CI", "κ / τb", "95% CI ", "notes"):
            table.add_column(column, overflow="fold", no_wrap=column != "notes",
                             justify="right" if column not in ("field", "notes") else "left")
        for key, entry in fields.items():
            share = entry.get("agreement", entry.get("pairwise_agreement"))
            share_ci = entry.get("agreement_ci95", entry.get("pairwise_agreement_ci95"))
            kind = "cohen_kappa" if "cohen_kappa" in entry else "kendall_tau_b"
            table.add_row(Text(key), Text(str(entry["n"])), Text(_fmt(share)), Text(_ci(share_ci)),
                          Text(_fmt(entry.get(kind))), Text(_ci(entry.get(f"{kind}_ci95"))),
                          Text(_note(entry)))
        console.print(table)
    inter = Table(title="Between labelers (gold excluded)", title_justify="left")
    for column in ("field", "items", "figure", "value", "95% CI", "notes"):
        inter.add_column(column, overflow="fold", no_wrap=column != "notes")
    for key, entry in report["inter_annotator"].items():
        if "krippendorff_alpha" in entry:
            figure, name = "krippendorff_alpha", f"alpha ({entry['level']})"
        else:
            figure, name = "pairwise_agreement", "pairwise agreement"
        inter.add_row(Text(key), Text(str(entry["n_items"])), Text(name), Text(_fmt(entry[figure])),
                      Text(_ci(entry.get(f"{figure}_ci95"))), Text(_note(entry)))
    console.print(inter)
    boot = report["bootstrap"]
    console.print(
        Text(
            f"95% intervals: {boot['resamples']} bootstrap resamples over items, seed {boot['seed']}."
        )
    )
    for note in report.get("notes", []):
        console.print(Text(f"note: {note}"))


def register(cli: click.Group) -> None:
    from tui.cli import config_option, db_option, user_errors
    from tui.context import require_researcher, resolve

    @cli.command("agreement")
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "json", "csv"]),
        default="table",
        show_default=True,
    )
    @click.option("--labeler", metavar="NAME", help="Only this labeler against gold.")
    @click.option("--task", metavar="TASK", help="Only this label task (output, ranking, ...).")
    @click.option("--field", metavar="FIELD", help="Only this field (rating, pii, ...).")
    @click.option("--since", metavar="ISO-DATE", help="Only labelers' labels from this time on.")
    @click.option("--seed", type=int, default=0, show_default=True, help="Bootstrap seed.")
    @click.option(
        "--resamples",
        type=click.IntRange(0),
        default=RESAMPLES,
        show_default=True,
        help="Bootstrap resamples (0: no intervals).",
    )
    @click.option("--quiz", metavar="NAME", help="The screening report of quiz NAME instead.")
    @click.option("--names", is_flag=True, help="With --quiz: candidates by name, not anonymous id.")
    @db_option
    @config_option
    def agreement(fmt, labeler, task, field, since, seed, resamples, quiz, names, db, config_path) -> None:
        """Agreement of each labeler with researcher gold, and between labelers.

        Researchers only (who is asking comes from LABELDESK_LABELER, else the OS user;
        --labeler here picks whose figures to show).
        """
        from store.agreement.report import agreement_report

        ctx = resolve(db, config_path)
        database = ctx.open()
        require_researcher(database, None, "agreement")
        if quiz:
            from tui.commands.screening import run_screening

            return run_screening(database, quiz, names=names, fmt=fmt, config=ctx.config)
        with user_errors():
            report = agreement_report(
                database,
                labeler=labeler,
                task=task,
                field=field,
                since=parse_since(since),
                seed=seed,
                n_boot=resamples,
            )
        if fmt == "json":
            click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        elif fmt == "csv":
            writer = csv.writer(sys.stdout, lineterminator="\n")
            writer.writerow(CSV_COLUMNS)
            writer.writerows([csv_cell(cell) for cell in row] for row in csv_rows(report))
        else:
            print_tables(report)
