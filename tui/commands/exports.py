"""`labeldesk export sft|pairs|ppo`: training data as JSON Lines (docs/exports.md)."""

from __future__ import annotations

import click

from tui.cli import common, export_group, stderr_progress, user_errors, write_jsonl
from tui.context import parse_since, require_researcher, resolve

out_option = click.option("--out", required=True, metavar="FILE|-", help="Output file, or - for standard output.")
since_option = click.option("--since", metavar="ISO-DATE", callback=lambda ctx, param, value: parse_since(value),
                            help="Only labels (for ppo: prompts) created at or after this date or time (UTC unless it says).")
CONFIG = object()  # a `_write` filter taken from `[export]`
split_option = click.option("--split", metavar="NAME", help="Only prompts of this split (train, validation, test).")


def export_options(f):
    return out_option(since_option(split_option(common(f))))


def _write(command: str, export, out: str, what: str, db, config_path, labeler, **filters) -> None:
    """`export(database, **filters)` streamed to `out`; a filter given as `CONFIG` is read from
    the config's `[export]` section under its own name."""
    ctx = resolve(db, config_path)
    database = ctx.open(read_only=True)
    require_researcher(database, labeler, command)
    filters = {k: ctx.config["export"][k] if v is CONFIG else v for k, v in filters.items()}
    with user_errors():
        exp = export(database, **filters)
        with stderr_progress(f"{command} ({what})", exp.total) as progress:
            n = write_jsonl(exp.records(progress), out)
    if out != "-":
        click.echo(f"{out}: {n} {what}")


@click.command("sft")
@export_options
@click.option("--format", "fmt", type=click.Choice(["chat", "prompt-completion"]), default="chat", show_default=True,
              help="chat: OpenAI `messages`; prompt-completion: `prompt` and `completion`.")
def export_sft(out, fmt, since, split, db, config_path, labeler) -> None:
    """Prompts with their written demonstrations, for supervised fine-tuning."""
    from store.exports import export_sft as export

    _write("export sft", export, out, "demonstrations", db, config_path, labeler,
           since=since, split=split, format=fmt)


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
@click.option("--format", "fmt", type=click.Choice(["trl", "trl-chat", "openai-dpo"]), default="trl",
              show_default=True,
              help="trl: prompt/chosen/rejected as text; trl-chat: TRL's conversational form "
                   "(role/content messages); openai-dpo: OpenAI's preference fine-tuning JSONL.")
@click.option("--min-p-chosen", type=click.FloatRange(0, 1), metavar="P",
              help="With --consensus: leave out pairs whose p_chosen (the probability that chosen "
                   "beats rejected) is below P.")
def export_pairs(out, gold_only, min_agreement, consensus, min_margin, fmt, min_p_chosen, since,
                 split, db, config_path, labeler) -> None:
    """Every untied pair of every ranking (prompt, chosen, rejected), for reward models."""
    from store.exports import agreeing_labelers, export_pairs

    for name, value in (("--min-margin", min_margin), ("--min-p-chosen", min_p_chosen)):
        if value is not None and not consensus:
            raise click.UsageError(f"{name} needs --consensus")
    if consensus and (gold_only or min_agreement is not None):
        raise click.UsageError("--consensus combines every labeler's ranking; it takes neither "
                               "--gold-only nor --min-agreement")
    if consensus:
        from store.consensus.pairs import export_consensus_pairs

        _write("export pairs", export_consensus_pairs, out, "pairs", db, config_path, labeler,
               since=since, split=split, min_margin=min_margin or 0.0,
               min_p_chosen=min_p_chosen or 0.0, gold_margin=CONFIG, format=fmt)
        return

    def export(database, **filters):
        if min_agreement is not None:
            filters["labelers"] = agreeing_labelers(database, min_agreement)
        return export_pairs(database, **filters)

    _write("export pairs", export, out, "pairs", db, config_path, labeler,
           since=since, split=split, gold_only=gold_only, format=fmt)


@click.command("kto")
@export_options
@click.option("--consensus", is_flag=True,
              help="One record per output from the mean of its labelers' ratings (gold overrides), "
                   "instead of one per rating.")
@click.option("--format", "fmt", type=click.Choice(["trl", "trl-chat"]), default="trl", show_default=True,
              help="trl: prompt/completion as text; trl-chat: TRL's conversational form.")
def export_kto(out, consensus, fmt, since, split, db, config_path, labeler) -> None:
    """Rated outputs as unpaired preferences (prompt, completion, label) for TRL's KTOTrainer:
    rated at least [export] kto_good_rating is true, at most kto_bad_rating false."""
    from store.exports import export_kto as export

    def kto(database, kto_good_rating, kto_bad_rating, **filters):
        return export(database, good=kto_good_rating, bad=kto_bad_rating, **filters)

    _write("export kto", kto, out, "outputs", db, config_path, labeler, since=since, split=split,
           consensus=consensus, format=fmt, kto_good_rating=CONFIG, kto_bad_rating=CONFIG)


@click.command("ppo")
@export_options
@click.option("--exclude-labeled", is_flag=True, help="Leave out prompts that have a demonstration or a ranking.")
def export_ppo(out, exclude_labeled, since, split, db, config_path, labeler) -> None:
    """Every kept API prompt, for reinforcement learning."""
    from store.exports import export_ppo as export

    _write("export ppo", export, out, "prompts", db, config_path, labeler,
           since=since, split=split, exclude_labeled=exclude_labeled)


@click.command("consensus")
@click.option("--out", required=True, metavar="FILE|-", help="Output file, or - for standard output.")
@click.option("--method", type=click.Choice(["dawid_skene", "mace"]), default="dawid_skene",
              show_default=True, help="The model for yes/no and category fields.")
@common
def export_consensus(out, method, db, config_path, labeler) -> None:
    """One consensus value per labeled item and field: Dawid–Skene (or MACE) for flags and
    categories, mean and spread for scales, Bradley–Terry for rankings; gold overrides."""
    from store.consensus.compute import consensus

    database = resolve(db, config_path).open(read_only=True)
    require_researcher(database, labeler, "export consensus")
    with user_errors():
        n = write_jsonl(consensus(database, method=method), out)
    if out != "-":
        click.echo(f"{out}: {n} consensus values")


def register(cli: click.Group) -> None:
    for command in (export_sft, export_pairs, export_kto, export_ppo, export_consensus):
        export_group.add_command(command)
