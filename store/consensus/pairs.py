"""`export pairs --consensus`: one pair per consensus-ordered output pair of each prompt, with
its Bradley–Terry probability and score difference, instead of one pair per labeler's ranking.

`margin` is what TRL's RewardTrainer subtracts inside its loss, −log σ(r_chosen − r_rejected −
margin): a logit, so it is the Bradley–Terry score difference θ_chosen − θ_rejected =
ln(p/(1−p)), never the probability p itself (that is `p_chosen`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import groupby
from typing import Any

import sqlite_utils

from store.consensus.bradley_terry import ALPHA, consensus_rankings
from store.exports import (
    RANKED_BY,
    RANKINGS,
    Export,
    RankedBy,
    _label_filters,
    _OutputTexts,
    _query,
)
from store.ranking import untied_pairs
from store.strength import STRENGTH_MARGINS
from store.trainer_shapes import PAIR_FORMATS, check_format, prompt_turns, shape_pair

GOLD_MARGIN = 3.0  # `[export] gold_margin`: Llama 2's margin for "significantly better"


def export_consensus_pairs(
    db: sqlite_utils.Database,
    *,
    since: str | None = None,
    split: str | None = None,
    min_margin: float = 0.0,
    min_p_chosen: float = 0.0,
    gold_margin: float = GOLD_MARGIN,
    alpha: float = ALPHA,
    format: str = "trl",
    with_individual: bool = False,
    strength_margins: Mapping[str, float] | None = None,
) -> Export:
    """Per prompt: the Bradley–Terry consensus of its labelers' rankings, one record per untied
    pair with `p_chosen` (P(chosen beats rejected)), `margin` (the score difference, the logit of
    `p_chosen`) and `n_labelers`; pairs below `min_margin` or `min_p_chosen` are left out. A gold
    ranking overrides the labelers' (its pairs get `p_chosen` 1, `margin` `gold_margin` and
    `resolution` `gold`, or `adjudicated` when a researcher settled a dispute with it). Records
    are in one of PAIR_FORMATS (store/trainer_shapes.py).

    `with_individual` adds `individual` to each record: every labeler's own view of the pair
    (`individual_views`), under an anonymous id."""
    check_format(format, PAIR_FORMATS)
    where, args = _label_filters("ranking", "ranking", since=since, split=split)
    total = db.execute(
        "SELECT count(DISTINCT l.item) FROM labels l JOIN prompts p ON p.id = l.item WHERE "
        + " AND ".join(where), args).fetchone()[0]
    if with_individual:  # strengths and reasons are read (and checked) only when asked for
        _n, label_rows = _query(db, "p.id, p.text, p.messages, " + RANKED_BY, RANKINGS, where,
                                args, "l.item, l.id")
    else:
        _n, label_rows = _query(db, "p.id, p.text, p.messages, l.labeler, l.value, l.gold, "
                                "l.adjudication_id, NULL, NULL", "labels l JOIN prompts p ON "
                                "p.id = l.item", where, args, "l.item, l.id")
    texts = _OutputTexts(db)
    names = anonymous_ids(db) if with_individual else {}
    margins = dict(strength_margins if strength_margins is not None else STRENGTH_MARGINS)

    def prompts() -> Iterator[list[Any]]:
        for _prompt, rows in groupby(label_rows(), key=lambda r: r[0]):
            yield list(rows)

    def make(rows: list[Any]) -> Iterator[dict[str, Any]]:
        prompt_id, prompt = rows[0][0], rows[0][1]
        outputs = texts.of(prompt_id)
        turns = prompt_turns(prompt, rows[0][2])
        ranked = [RankedBy.read(prompt_id, *r[3:]) for r in rows]
        rankings = [by.ranking for by in ranked if not by.gold]
        gold = [by for by in ranked if by.gold]
        pairs: Iterator[tuple[str, str, float, float]]
        if gold:
            resolution = "adjudicated" if gold[-1].adjudicated else "gold"
            pairs = ((c, r, 1.0, gold_margin) for c, r in untied_pairs(gold[-1].ranking))
        else:
            resolution = "consensus"
            ids = sorted({o for ranking in rankings for group in ranking for o in group})
            result = consensus_rankings([(ids, rankings)], alpha=alpha)[0]
            theta = result.scores
            pairs = ((c, r, p, theta[c] - theta[r]) for c, r, p in result.pairs())
        for chosen, rejected, p_chosen, margin in pairs:
            if margin < min_margin or p_chosen < min_p_chosen:
                continue
            record = {"prompt_id": prompt_id, "prompt": prompt,
                      "chosen": outputs[chosen], "rejected": outputs[rejected],
                      "chosen_id": chosen, "rejected_id": rejected,
                      "p_chosen": round(p_chosen, 4), "margin": round(margin, 4),
                      "n_labelers": len(rankings), "resolution": resolution}
            if with_individual:
                record["individual"] = individual_views(
                    [by for by in ranked if not by.gold], chosen, rejected, names, margins)
            yield shape_pair(record, format, turns)

    return Export(total, prompts, make)


def anonymous_ids(db: sqlite_utils.Database) -> dict[str, str]:
    """`L1`, `L2`, … for the labelers who ranked, numbered by when each one's first ranking was
    stored: never a name, the same in every split and pass of one export (a dataset's shards
    agree), and a labeler keeps their number as others join."""
    rows = db.execute("SELECT labeler FROM labels WHERE task = 'ranking' AND field = 'ranking' "
                      "AND gold = 0 GROUP BY labeler ORDER BY min(id)").fetchall()
    return {name: f"L{n}" for n, (name,) in enumerate(rows, 1)}


def individual_views(ranked: list[RankedBy], chosen: str, rejected: str, names: Mapping[str, str],
                     margins: Mapping[str, float]) -> list[dict[str, Any]]:
    """Each labeler's view of one consensus pair, in the order they ranked: which of the two
    they put first (`prefers`: `chosen`, `rejected` or `tie`), their `strength` between the two
    and its `margin` (in their own direction; null when tied or not given) and their `reason`.
    Every key is always there, so a Parquet column keeps one type."""
    views = []
    for by in ranked:
        if chosen not in by.group or rejected not in by.group:
            continue  # a ranking of other outputs says nothing of this pair
        first, second = by.group[chosen], by.group[rejected]
        prefers = "chosen" if first < second else "rejected" if first > second else "tie"
        strength: list[str] | None = None
        margin: float | None = None
        if by.levels is not None and prefers != "tie":
            better, worse = (chosen, rejected) if prefers == "chosen" else (rejected, chosen)
            strength, margin = by.between(better, worse, margins)
        views.append({"labeler": names.get(by.labeler, "L?"), "prefers": prefers,
                      "strength": strength, "margin": margin, "reason": by.reason})
    return views
