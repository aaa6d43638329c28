"""`labeldesk export sft|pairs|ppo`: training data as JSON Lines (docs/exports.md)."""

from __future__ import annotations

import click

from tui.cli import common, export_group, stderr_progress, user_errors, write_jsonl
from tui.context import parse_since, require_researcher, resolve

out_option = click.option("--out", required=True, metavar="FILE|-", help="Output file, or - for standard output.")
since_option = click.option("--since", metavar="ISO-DATE", callback=lambda ctx, param, value: parse_since(value),
                            help="Only labels (for ppo: prompts) created at or after this date or time (UTC unless it says).")
split_option = click.option("--split", metavar="NAME", help="Only prompts of this split (train, validation, test).")


def export_options(f):
    return out_option(since_option(split_option(common(f))))


def _write(command: str, export, out: str, what: str, db, config_path, labeler, **filters) -> None:
    database = resolve(db, config_path).open(read_only=True)
    require_researcher(database, labeler, command)
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
                   "all its labelers' rankings; gold overrides), with `margin` and `n_labelers`.")
@click.option("--min-margin", type=click.FloatRange(0, 1), metavar="P",
              help="With --consensus: leave out pairs whose margin (the probability that chosen "
                   "beats rejected) is below P.")
def export_pairs(out, gold_only, min_agreement, consensus, min_margin, since, split, db,
                 config_path, labeler) -> None:
    """Every untied pair of every ranking (prompt, chosen, rejected), for reward models."""
    from store.exports import agreeing_labelers, export_pairs

    if min_margin is not None and not consensus:
        raise click.UsageError("--min-margin needs --consensus")
    if consensus and (gold_only or min_agreement is not None):
        raise click.UsageError("--consensus combines every labeler's ranking; it takes neither "
                               "--gold-only nor --min-agreement")
    if consensus:
        from store.consensus.pairs import export_consensus_pairs

        _write("export pairs", export_consensus_pairs, out, "pairs", db, config_path, labeler,
               since=since, split=split, min_margin=min_margin or 0.0)
        return

    def export(database, **filters):
        if min_agreement is not None:
            filters["labelers"] = agreeing_labelers(database, min_agreement)
        return export_pairs(database, **filters)

    _write("export pairs", export, out, "pairs", db, config_path, labeler,
           since=since, split=split, gold_only=gold_only)


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
    for command in (export_sft, export_pairs, export_ppo, export_consensus):
        export_group.add_command(command)
