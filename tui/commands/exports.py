"""`labeldesk export labels|sft|pairs|kto|ppo|consensus`: JSON Lines, or with `--format parquet`
a Hub-ready dataset directory (docs/exports.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tui.cli_shared import Fn, common, export_group, stderr_progress, user_errors, write_jsonl
from tui.config import Config
from tui.context import Context, parse_since, require_researcher, resolve

if TYPE_CHECKING:  # annotations only: every command starts without the database layer
    from store.db import Database
    from store.exports import Export
    from store.hub_dataset import Splits

    # `export(database, **filters)`: an export's records, given the command's filters.
    Exporter = Callable[..., Export]

out_option = click.option("--out", required=True, metavar="FILE|-|DIR",
                          help="Output file, or - for standard output; with --format parquet a new directory.")
since_option = click.option("--since", metavar="ISO-DATE", callback=lambda ctx, param, value: parse_since(value),
                            help="Only labels (for ppo: prompts) created at or after this date or time (UTC unless it says).")
CONFIG = object()  # a `_write` filter taken from `[export]`


@dataclass(frozen=True)
class FromConfig:
    """A `_write` filter worked out from the whole config."""

    of: Callable[[Config], object]

    def __call__(self, config: Config) -> object:
        return self.of(config)


def strength_margins(config: Config) -> dict[str, float]:
    section = config["comparison"]
    return dict(zip(section["strength_levels"], map(float, section["strength_margins"]), strict=True))
split_option = click.option("--split", metavar="NAME", help="Only prompts of this split (train, validation, test).")
PARQUET = "parquet"


def export_options(f: Fn) -> Fn:
    return out_option(since_option(split_option(common(f))))


def format_option(shapes: list[str], default: str, help: str) -> Callable[[Fn], Fn]:
    return click.option("--format", "fmt", type=click.Choice([*shapes, PARQUET]), default=default,
                        show_default=True,
                        help=help + f" {PARQUET}: a Hub-ready dataset directory (Parquet shards per "
                                    f"split and a dataset card) of the {default} records.")


@dataclass(frozen=True)
class Card:
    """What a dataset card says of an export (store.dataset_card.CardSpec without the config)."""

    about: str
    fields: tuple[tuple[str, str], ...] = ()
    unsplit: bool = False  # one `train` split: the export has no --split


def _write(command: str, export: Exporter, out: str, what: str, db: str | None,
           config_path: str | None, labeler: str | None, *, fmt: str = "",
           card: Card | None = None, **filters: object) -> None:
    """`export(database, **filters)` streamed to `out`; a filter given as `CONFIG` is read from
    the config's `[export]` section under its own name. With `fmt` parquet, a dataset directory
    (one export per split) whose card `card` describes."""
    ctx = resolve(db, config_path)
    database = ctx.open(read_only=True)
    require_researcher(database, labeler, command)
    filters = {k: ctx.config["export"][k] if v is CONFIG else v(ctx.config) if isinstance(v, FromConfig)
               else v for k, v in filters.items()}
    with user_errors():
        if fmt == PARQUET:
            assert card is not None
            _write_dataset(ctx, database, command, export, Path(out), what, card, filters)
            return
        exp = export(database, **filters)
        with stderr_progress(f"{command} ({what})", exp.total) as progress:
            n = write_jsonl(exp.records(progress), out)
    if out != "-":
        click.echo(f"{out}: {n} {what}")


def _write_dataset(ctx: Context, database: Database, command: str, export: Exporter, out: Path,
                   what: str, card: Card, filters: dict[str, object]) -> None:
    # here, not at the top: every command starts (`labeldesk --help` too) without opening a database (tests/test_import_hygiene.py)
    from store.dataset_card import CardSpec, card_text, kept_splits
    from store.hub_dataset import write_dataset

    if str(out) == "-":
        raise click.UsageError("--format parquet writes a directory: give --out DIR")
    splits: Splits
    if card.unsplit:
        splits = [("train", lambda: export(database, **filters).records())]
    else:
        split = filters.get("split")
        names = [split] if isinstance(split, str) and split else kept_splits(database)

        def of_split(name: str) -> Callable[[], Iterable[dict[str, Any]]]:
            return lambda: export(database, **{**filters, "split": name}).records()

        splits = [(name, of_split(name)) for name in names]
    spec = CardSpec(command=command, about=card.about, fields=card.fields,
                    overlap=dict(ctx.config["overlap"]), unsplit=card.unsplit)
    written = write_dataset(out, splits, lambda w: card_text(database, spec, w))
    click.echo(f"{out}: {sum(written.counts.values())} {what} ("
               + ", ".join(f"{k} {v}" for k, v in written.counts.items()) + ")")


@click.command("labels")
@click.option("--out", required=True, metavar="FILE|-|DIR", help="Output file, or - for standard output; "
              "with --format parquet a new directory.")
@click.option("--since", metavar="ISO-DATE", help="Only labels created at or after this time.")
@click.option("--gold-only", is_flag=True, help="Only researcher gold.")
@format_option(["jsonl"], "jsonl", "jsonl: the flat label format of `import labels`.")
@common
def export_labels(out: str, since: str | None, gold_only: bool, fmt: str, db: str | None,
                  config_path: str | None, labeler: str | None) -> None:
    """Every label in the flat format of `import labels`."""
    # here, not at the top: sqlite-utils stays off the app's start-up path (tests/test_import_hygiene.py)
    from store.exports import Export
    from store.exports import export_labels as rows

    def export(database: Database, since: str | None, gold: bool | None) -> Export:
        return Export(None, lambda: rows(database, since=since, gold=gold), lambda r: [r])

    _write("export labels", export, out, "labels", db, config_path, labeler, fmt=fmt,
           card=Card("One label value a record, in LabelDesk's flat label format (`value` as JSON "
                     "text), with how settled its item and field are (`resolution`).", unsplit=True),
           since=since, gold=True if gold_only else None)


@click.command("sft")
@export_options
@format_option(["chat", "prompt-completion"], "chat",
               "chat: OpenAI `messages`; prompt-completion: `prompt` and `completion`.")
def export_sft(out: str, fmt: str, since: str | None, split: str | None, db: str | None,
               config_path: str | None, labeler: str | None) -> None:
    """Prompts with their written demonstrations, for supervised fine-tuning."""
    # here, not at the top: sqlite-utils stays off the app's start-up path (tests/test_import_hygiene.py)
    from store.exports import export_sft as export

    _write("export sft", export, out, "demonstrations", db, config_path, labeler, fmt=fmt,
           card=Card("One written demonstration a record: the prompt's conversation and the "
                     "labeler's answer as OpenAI chat `messages`, for supervised fine-tuning "
                     "(TRL's SFTTrainer reads it as it is).", (("demonstration_score", "rating"),)),
           since=since, split=split, format="chat" if fmt == PARQUET else fmt)


@click.command("pairs")
@export_options
@click.option("--gold-only", is_flag=True, help="Only researchers' gold rankings.")
@click.option("--min-agreement", type=click.FloatRange(0, 1), metavar="X",
              help="Leave out labelers whose ranking agreement with gold (pairwise_agreement of "
                   "`labeldesk agreement`) is below X; gold rankings stay.")
@click.option("--consensus", is_flag=True,
              help="One pair per consensus-ordered output pair of each prompt (Bradley–Terry over "
                   "all its labelers' rankings; gold overrides), with `p_chosen`, `margin` and "
                   "`n_labelers`.")
@click.option("--min-margin", type=click.FloatRange(min=0), metavar="M",
              help="With --consensus: leave out pairs whose margin (the Bradley–Terry score "
                   "difference, a logit) is below M.")
@format_option(["trl", "trl-chat", "openai-dpo"], "trl",
               "trl: prompt/chosen/rejected as text; trl-chat: TRL's conversational form "
               "(role/content messages); openai-dpo: OpenAI's preference fine-tuning JSONL.")
@click.option("--min-p-chosen", type=click.FloatRange(0, 1), metavar="P",
              help="With --consensus: leave out pairs whose p_chosen (the probability that chosen "
                   "beats rejected) is below P.")
@click.option("--with-individual", is_flag=True,
              help="With --consensus: each record also keeps every labeler's own view of the pair "
                   "(which they preferred, their strength, margin and reason) under an anonymous "
                   "id L1, L2, … in `individual`.")
def export_pairs(out: str, gold_only: bool, min_agreement: float | None, consensus: bool,
                 min_margin: float | None, fmt: str, min_p_chosen: float | None,
                 with_individual: bool, since: str | None, split: str | None, db: str | None,
                 config_path: str | None, labeler: str | None) -> None:
    """Every untied pair of every ranking (prompt, chosen, rejected), for reward models."""
    # here, not at the top: sqlite-utils stays off the app's start-up path (tests/test_import_hygiene.py)
    from store.exports import agreeing_labelers, export_pairs

    for name, value in (("--min-margin", min_margin), ("--min-p-chosen", min_p_chosen),
                        ("--with-individual", with_individual or None)):
        if value is not None and not consensus:
            raise click.UsageError(f"{name} needs --consensus")
    if with_individual and fmt == "openai-dpo":
        raise click.UsageError("--format openai-dpo holds OpenAI's three keys only: it takes no "
                               "--with-individual")
    if consensus and (gold_only or min_agreement is not None):
        raise click.UsageError("--consensus combines every labeler's ranking; it takes neither "
                               "--gold-only nor --min-agreement")
    shape = "trl" if fmt == PARQUET else fmt
    fields = (("ranking", "ranking"),)
    if consensus:
        # here, not at the top: numpy loads only when this runs, never on start-up (tests/test_import_hygiene.py)
        from store.consensus.pairs import export_consensus_pairs

        _write("export pairs --consensus", export_consensus_pairs, out, "pairs", db, config_path,
               labeler, fmt=fmt, card=Card(
                   "One preference pair a record (TRL's `prompt`, `chosen`, `rejected`): every "
                   "untied pair of the Bradley–Terry consensus of each prompt's rankings, with "
                   "`p_chosen` (the probability) and `margin` (the score difference, the logit "
                   "offset TRL's RewardTrainer subtracts in its loss)." + (
                       " `individual` keeps each labeler's own view of the pair (anonymous id, "
                       "which output they preferred, their strength levels, margin and reason), "
                       "unaggregated." if with_individual else ""), fields),
               since=since, split=split, min_margin=min_margin or 0.0,
               min_p_chosen=min_p_chosen or 0.0, gold_margin=CONFIG, format=shape,
               with_individual=with_individual, strength_margins=FromConfig(strength_margins))
        return

    def export(database: Database, since: str | None, split: str | None, gold_only: bool,
               format: str, strength_margins: Mapping[str, float]) -> Export:
        labelers = None if min_agreement is None else agreeing_labelers(database, min_agreement)
        return export_pairs(database, since=since, split=split, gold_only=gold_only,
                            labelers=labelers, format=format, strength_margins=strength_margins)

    _write("export pairs", export, out, "pairs", db, config_path, labeler, fmt=fmt, card=Card(
               "One preference pair a record (TRL's `prompt`, `chosen`, `rejected`): every untied "
               "pair of every labeler's ranking, so a prompt ranked by three labelers gives its "
               "pairs three times (`labeler` says whose).", fields),
           since=since, split=split, gold_only=gold_only, format=shape,
           strength_margins=FromConfig(strength_margins))


@click.command("kto")
@export_options
@click.option("--consensus", is_flag=True,
              help="One record per output from the mean of its labelers' ratings (gold overrides), "
                   "instead of one per rating.")
@format_option(["trl", "trl-chat"], "trl",
               "trl: prompt/completion as text; trl-chat: TRL's conversational form.")
def export_kto(out: str, consensus: bool, fmt: str, since: str | None, split: str | None,
               db: str | None, config_path: str | None, labeler: str | None) -> None:
    """Rated outputs as unpaired preferences (prompt, completion, label) for TRL's KTOTrainer:
    rated at least [export] kto_good_rating is true, at most kto_bad_rating false."""
    # here, not at the top: sqlite-utils stays off the app's start-up path (tests/test_import_hygiene.py)
    from store.exports import export_kto as export

    def kto(database: Database, kto_good_rating: int, kto_bad_rating: int, since: str | None,
            split: str | None, consensus: bool, format: str) -> Export:
        return export(database, good=kto_good_rating, bad=kto_bad_rating, since=since,
                      split=split, consensus=consensus, format=format)

    _write("export kto --consensus" if consensus else "export kto", kto, out, "outputs", db,
           config_path, labeler, fmt=fmt, card=Card(
               "One rated output a record, TRL's unpaired preference type for KTOTrainer "
               "(`prompt`, `completion`, `label`): `label` is true for an output rated at least "
               "`[export] kto_good_rating` and false at most `kto_bad_rating` (1–7 scale).",
               (("output", "rating"),)),
           since=since, split=split, consensus=consensus, format="trl" if fmt == PARQUET else fmt,
           kto_good_rating=CONFIG, kto_bad_rating=CONFIG)


@click.command("ppo")
@export_options
@click.option("--exclude-labeled", is_flag=True, help="Leave out prompts that have a demonstration or a ranking.")
@format_option(["jsonl"], "jsonl", "jsonl: one prompt a line.")
def export_ppo(out: str, exclude_labeled: bool, fmt: str, since: str | None, split: str | None,
               db: str | None, config_path: str | None, labeler: str | None) -> None:
    """Every kept API prompt, for reinforcement learning."""
    # here, not at the top: sqlite-utils stays off the app's start-up path (tests/test_import_hygiene.py)
    from store.exports import export_ppo as export

    _write("export ppo", export, out, "prompts", db, config_path, labeler, fmt=fmt, card=Card(
               "One API prompt a record, for reinforcement learning (TRL's prompt-only type)."),
           since=since, split=split, exclude_labeled=exclude_labeled)


@click.command("consensus")
@click.option("--out", required=True, metavar="FILE|-|DIR", help="Output file, or - for standard output; "
              "with --format parquet a new directory.")
@click.option("--method", type=click.Choice(["dawid_skene", "mace"]), default="dawid_skene",
              show_default=True, help="The model for yes/no and category fields.")
@format_option(["jsonl"], "jsonl", "jsonl: one consensus value a line.")
@common
def export_consensus(out: str, method: str, fmt: str, db: str | None, config_path: str | None,
                     labeler: str | None) -> None:
    """One consensus value per labeled item and field: Dawid–Skene (or MACE) for flags and
    categories, mean and spread for scales, Bradley–Terry for rankings; gold overrides."""
    # here, not at the top: numpy loads only when this runs, never on start-up (tests/test_import_hygiene.py)
    from store.consensus.compute import consensus
    from store.exports import Export

    def export(database: Database, method: str) -> Export:
        return Export(None, lambda: consensus(database, method=method), lambda r: [r])

    _write("export consensus", export, out, "consensus values", db, config_path, labeler, fmt=fmt,
           card=Card("One consensus value per labeled item and field (`value` as JSON text): "
                     "Dawid–Skene or MACE for flags and categories, the mean for scales, "
                     "Bradley–Terry for rankings; researchers' gold overrides.", unsplit=True),
           method=method)


def register(cli: click.Group) -> None:
    for command in (export_labels, export_sft, export_pairs, export_kto, export_ppo, export_consensus):
        export_group.add_command(command)
