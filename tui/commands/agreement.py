"""`labeldesk agreement`: each labeler against researcher gold, and labelers among themselves.

The figures come from `store.reports.agreement.agreement_report`; this module only formats them.
rich is imported inside the table branch so the JSON/CSV path stays light.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

import click

from store.records import csv_cell
from store.reports.figures import shown, shown_ci
from tui.cli_shared import config_option, db_option, user_errors, wide_option
from tui.commands.screening import run_screening
from tui.context import parse_since, require_researcher, resolve

if TYPE_CHECKING:  # annotations only: every command starts without the database layer
    from store.db import Database

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


def csv_rows(report: dict[str, Any]) -> Iterator[list[object]]:
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


def _note(entry: dict[str, Any]) -> str:
    notes = []
    if "n_prompts" in entry:  # a strength: n counts output pairs (docs/exports.md)
        notes.append(f"output pairs of {entry['n_prompts']} prompts")
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


TABLE_WIDTH = 100
"""The tables fit this many columns (a pipe or file gets exactly this)."""


def _with_ci(value: float | None, ci: Sequence[float] | None) -> str:
    return shown(value) + (f" ({shown_ci(ci)})" if ci else "")


def _has_data(entry: dict[str, Any]) -> bool:
    return bool(entry.get("n", entry.get("n_items")))


def _by_task(fields: dict[str, dict[str, Any]], show_all: bool,
             ) -> tuple[dict[str, list[tuple[str, dict[str, Any]]]], int]:
    """Entries grouped by label task ("output.rating" → output: rating), and how many were
    left out for having no data."""
    groups: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    hidden = 0
    for key, entry in fields.items():
        if not show_all and not _has_data(entry):
            hidden += 1
            continue
        task, _, name = key.partition(".")
        groups.setdefault(task, []).append((name or task, entry))
    return groups, hidden


def print_tables(report: dict[str, Any], *, show_all: bool = False) -> None:
    # here, not at the top: rich loads only when a table is printed, not on every command's start-up
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    width = TABLE_WIDTH
    if sys.stdout.isatty():
        width = min(TABLE_WIDTH, Console().width)
    console = Console(width=width)

    def table(title: str, columns: tuple[str, ...], left: tuple[str, ...]) -> Table:
        made = Table(title=Text(title), title_justify="left", box=box.SIMPLE_HEAD,
                     show_edge=False, pad_edge=False)
        for column in columns:
            made.add_column(column, overflow="fold", no_wrap=column != "notes",
                            justify="left" if column in left else "right")
        return made

    def hidden_line(hidden: int, why: str) -> None:
        if hidden:
            console.print(Text(f"{hidden} fields with {why} are not shown "
                               "(--all shows every field).", style="italic"))

    # Names and field keys come from imported data: Text, never markup.
    for name, fields in report["per_labeler"].items():
        out = table(f"{name} against researcher gold",
                    ("field", "n", "agree (95% CI)", "κ / τb (95% CI)", "notes"), ("field", "notes"))
        groups, hidden = _by_task(fields, show_all)
        for task, entries in groups.items():
            out.add_row(Text(task, style="bold"))
            for field, entry in entries:
                share = entry.get("agreement", entry.get("pairwise_agreement"))
                share_ci = entry.get("agreement_ci95", entry.get("pairwise_agreement_ci95"))
                kind = "cohen_kappa" if "cohen_kappa" in entry else "kendall_tau_b"
                out.add_row(Text(f"  {field}"), Text(str(entry["n"])),
                            Text(_with_ci(share, share_ci)),
                            Text(_with_ci(entry.get(kind), entry.get(f"{kind}_ci95"))),
                            Text(_note(entry)))
        console.print(out)
        hidden_line(hidden, "no gold for this labeler's items")
    inter = table("Between labelers (gold excluded)",
                  ("field", "items", "figure", "value (95% CI)", "notes"), ("field", "figure", "notes"))
    groups, hidden = _by_task(report["inter_annotator"], show_all)
    for task, entries in groups.items():
        inter.add_row(Text(task, style="bold"))
        for field, entry in entries:
            if "krippendorff_alpha" in entry:
                figure, name = "krippendorff_alpha", f"alpha ({entry['level']})"
            else:
                figure, name = "pairwise_agreement", "pairwise"
            inter.add_row(Text(f"  {field}"), Text(str(entry["n_items"])), Text(name),
                          Text(_with_ci(entry[figure], entry.get(f"{figure}_ci95"))),
                          Text(_note(entry)))
    console.print(inter)
    hidden_line(hidden, "no item labeled by two labelers")
    boot = report["bootstrap"]
    console.print(
        Text(
            f"95% intervals: {boot['resamples']} bootstrap resamples over items, seed {boot['seed']}."
        )
    )
    for note in report.get("notes", []):
        console.print(Text(f"note: {note}"))


def split_field(task: str | None, field: str | None) -> tuple[str | None, str | None]:
    """`--field output.rating`, the `task.field` form the reports print, is `--task output
    --field rating`; a `--task` given as well must name the same task."""
    if field is None or "." not in field:
        return task, field
    prefix, _, name = field.partition(".")
    if task is not None and task != prefix:
        raise click.UsageError(f"--field {field} names task {prefix!r} but --task is {task!r}")
    return prefix, name


UNVERSIONED = "unversioned"  # labels made before `[guidelines] version` was set


def _by_version(database: Database, fmt: str, report_of: Callable[..., dict[str, Any]]) -> None:
    """`--by-version`: the report (`report_of(guideline_version=…)`) once per guideline
    version; a version whose labels cannot be compared with gold gets its reason instead of
    figures."""
    # here, not at the top: numpy loads only when this runs, never on start-up (tests/test_import_hygiene.py)
    from store.labels import guideline_versions
    from store.reports.agreement import AgreementError

    reports: dict[str, dict[str, Any]] = {}
    for version in guideline_versions(database):
        try:
            reports[version or UNVERSIONED] = report_of(guideline_version=version)
        except AgreementError as exc:
            reports[version or UNVERSIONED] = {"error": str(exc)}
    if fmt == "json":
        click.echo(json.dumps({"by_version": reports}, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(("guideline_version",) + CSV_COLUMNS)
        for version, report in reports.items():
            if "error" not in report:
                writer.writerows([csv_cell(cell) for cell in (version, *row)]
                                 for row in csv_rows(report))
    else:
        for version, report in reports.items():
            click.echo(f"\n== guideline version {version} ==")
            if "error" in report:
                click.echo(f"no figures: {report['error']}")
            else:
                print_tables(report)


def register(cli: click.Group) -> None:
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
    @click.option("--field", metavar="FIELD",
                  help="Only this field (rating, pii, ...; or TASK.FIELD as the report prints it).")
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
    @click.option("--by-version", is_flag=True,
                  help="One report per guideline version the labels were made under "
                       "([guidelines] version), to see whether a clarification helped.")
    @click.option("--all", "show_all", is_flag=True,
                  help="Table: also the fields with no gold for the labeler's items.")
    @wide_option
    @db_option
    @config_option
    def agreement(fmt: str, labeler: str | None, task: str | None, field: str | None,
                  since: str | None, seed: int, resamples: int, quiz: str | None, names: bool,
                  by_version: bool, show_all: bool, wide: bool, db: str | None,
                  config_path: str | None) -> None:
        """Agreement of each labeler with researcher gold, and between labelers.

        Researchers only (who is asking comes from LABELDESK_LABELER, else the OS user;
        --labeler here picks whose figures to show).
        """
        ctx = resolve(db, config_path)
        database = ctx.open(read_only=True)
        require_researcher(database, None, "agreement")
        # Imported once the database is known to be there (numpy and scipy: ~0.5 s).
        from store.reports.agreement import agreement_report

        task, field = split_field(task, field)
        levels = tuple(ctx.config["comparison"]["strength_levels"])
        if quiz:
            return run_screening(database, quiz, names=names, fmt=fmt, config=ctx.config,
                                 wide=wide)
        report_of = partial(agreement_report, database, labeler=labeler, task=task, field=field,
                            since=parse_since(since), seed=seed, n_boot=resamples,
                            strength_levels=levels)
        if by_version:
            return _by_version(database, fmt, report_of)
        with user_errors():
            report = report_of()
        if fmt == "json":
            click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        elif fmt == "csv":
            writer = csv.writer(sys.stdout, lineterminator="\n")
            writer.writerow(CSV_COLUMNS)
            writer.writerows([csv_cell(cell) for cell in row] for row in csv_rows(report))
        else:
            print_tables(report, show_all=show_all)
