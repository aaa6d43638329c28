"""The dataset card (`README.md`) of a Hub-ready export: YAML the Hub and `datasets` read
(`configs` → `data_files` per split, `dataset_info` features and counts), then what a reader of
the dataset needs: what a record is, counts, columns, guideline versions, agreement and
consensus figures, and how the labels were collected."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from store.errors import StoreError
from store.hub_dataset import Written, feature_yaml, type_name
from store.rules import kept_sql

if TYPE_CHECKING:
    import sqlite_utils


@dataclass(frozen=True)
class CardSpec:
    command: str  # e.g. "export pairs --consensus"
    about: str  # what one record is
    fields: Sequence[tuple[str, str]]  # (task, field) whose agreement and versions the card gives
    overlap: dict[str, int]  # labelers per item, by kind of work
    unsplit: bool = False  # one `train` split rather than the prompts' splits


def kept_splits(db: sqlite_utils.Database) -> list[str]:
    """The splits kept prompts are in, in name order."""
    return [r[0] for r in db.execute(
        f"SELECT DISTINCT split FROM prompts p WHERE {kept_sql('p')} AND split IS NOT NULL ORDER BY split")]


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def card_text(db: sqlite_utils.Database, spec: CardSpec, written: Written) -> str:
    splits = list(written.shards)
    yaml = ["---", f"pretty_name: {_q('LabelDesk ' + spec.command)}", "configs:",
            "- config_name: default", "  data_files:"]
    for name in splits:
        yaml += [f"  - split: {name}", f"    path: data/{name}-*"]
    yaml += ["dataset_info:", "  features:"]
    for name, kind in written.columns.items():
        yaml += feature_yaml(name, kind, "  ")
    yaml += ["  splits:"]
    for name in splits:
        yaml += [f"  - name: {name}", f"    num_examples: {written.counts[name]}"]
    yaml += ["---", ""]
    body = [f"# LabelDesk `{spec.command}`", "", spec.about, "",
            "## Splits", "", "| split | records | files |", "|---|---|---|"]
    body += [f"| {n} | {written.counts[n]} | {written.shards[n]} |" for n in splits]
    body += ["", "Splits are by user: one user's prompts are all in one split." if not spec.unsplit
             else "One `train` split: these records are not split by prompt.", "",
             "## Columns", "", "| column | type |", "|---|---|"]
    body += [f"| `{k}` | {type_name(v)} |" for k, v in written.columns.items()]
    body += ["", "## Guideline versions", ""] + _versions(db, spec.fields)
    body += ["", "## Agreement and consensus", ""] + _agreement(db, spec.fields, written)
    body += ["", "## How it was collected", "", _COLLECTED.format(
        overlap=", ".join(f"{k} {v}" for k, v in sorted(spec.overlap.items())) or "as configured"), ""]
    return "\n".join(yaml + body)


_COLLECTED = (
    "Labelers worked in LabelDesk, a keyboard-only terminal application, under the InstructGPT "
    "labeling guidelines (Ouyang et al. 2022): for each prompt they flagged the instruction, "
    "rated every output 1–7 with its failure flags, and ranked the outputs best to worst (ties "
    "allowed). Outputs were shown in a shuffled order of their own to each labeler, as letters, "
    "never with the model's name. Labelers per item (overlap): {overlap}; items labelers "
    "disagreed on went to more labelers and then to a researcher, whose decision is gold "
    "(`resolution` `adjudicated`). API prompts passed the data rules first (shared-prefix "
    "duplicates dropped, at most 200 prompts per user, personal data held out), and hidden gold "
    "checks measured each labeler's accuracy while they worked.")


def _versions(db: sqlite_utils.Database, fields: Sequence[tuple[str, str]]) -> list[str]:
    if not fields:
        return ["Not applicable (no labels)."]
    where = " OR ".join("(task = ? AND field = ?)" for _ in fields)
    args = [x for f in fields for x in f]
    rows = list(db.execute(
        f"SELECT coalesce(guideline_version, ''), count(*) FROM labels WHERE {where} "
        "GROUP BY 1 ORDER BY 1", args))
    if not rows:
        return ["No labels yet."]
    return ["| guideline version | labels |", "|---|---|"] + [
        f"| {v or 'unversioned'} | {n} |" for v, n in rows]


def _agreement(db: sqlite_utils.Database, fields: Sequence[tuple[str, str]], written: Written) -> list[str]:
    lines: list[str] = []
    if written.resolutions:
        lines.append("Records by `resolution`: " + ", ".join(
            f"{k} {v}" for k, v in sorted(written.resolutions.items())) + ".")
    adjudicated = db.execute("SELECT count(*) FROM adjudications").fetchone()[0]
    lines.append(f"Disputed items settled by a researcher: {adjudicated}.")
    if fields:
        from store.reports.agreement import agreement_report  # numpy and scipy: only when asked

        for task, name in fields:
            try:
                report = agreement_report(db, task=task, field=name, n_boot=0)
            except StoreError:  # no gold for the field: the report has no reference
                lines.append(f"Agreement on `{task}.{name}`: not computed (no researcher gold "
                             "to compare with).")
                continue
            figures = report.get("inter_annotator", {}).get(f"{task}.{name}")
            if figures:
                shown = {k: v for k, v in figures.items()
                         if v is not None and not k.endswith(("_ci95", "_se"))}
                lines.append(f"Between labelers, `{task}.{name}`: " + ", ".join(
                    f"{k} {_fmt(v)}" for k, v in shown.items()) + ".")
            gold = [f[f"{task}.{name}"] for f in report.get("per_labeler", {}).values()
                    if f.get(f"{task}.{name}", {}).get("n")]
            key = "pairwise_agreement" if task == "ranking" else "agreement"
            values = [g[key] for g in gold if g.get(key) is not None]
            if values:
                lines.append(f"Against researchers' gold, `{task}.{name}`: {len(values)} labelers, "
                             f"{key} from {min(values):.3f} to {max(values):.3f}.")
    return [line + "\n" if i < len(lines) - 1 else line for i, line in enumerate(lines)]


def _fmt(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)
