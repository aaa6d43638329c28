"""`export pairs --consensus`: one pair per consensus-ordered output pair of each prompt, with
its Bradley–Terry probability and score difference, instead of one pair per labeler's ranking.

`margin` is what TRL's RewardTrainer subtracts inside its loss, −log σ(r_chosen − r_rejected −
margin): a logit, so it is the Bradley–Terry score difference θ_chosen − θ_rejected =
ln(p/(1−p)), never the probability p itself (that is `p_chosen`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import groupby
from typing import Any

import sqlite_utils

from store.consensus.bradley_terry import ALPHA, consensus_rankings
from store.exports import Export, _label_filters, _OutputTexts, _query
from store.ranking import untied_pairs
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
) -> Export:
    """Per prompt: the Bradley–Terry consensus of its labelers' rankings, one record per untied
    pair with `p_chosen` (P(chosen beats rejected)), `margin` (the score difference, the logit of
    `p_chosen`) and `n_labelers`; pairs below `min_margin` or `min_p_chosen` are left out. A gold
    ranking overrides the labelers' (its pairs get `p_chosen` 1, `margin` `gold_margin` and
    `resolution` `gold`, or `adjudicated` when a researcher settled a dispute with it). Records
    are in one of PAIR_FORMATS (store/trainer_shapes.py)."""
    check_format(format, PAIR_FORMATS)
    where, args = _label_filters("ranking", "ranking", since=since, split=split)
    total = db.execute(
        "SELECT count(DISTINCT l.item) FROM labels l JOIN prompts p ON p.id = l.item WHERE "
        + " AND ".join(where), args).fetchone()[0]
    _n, label_rows = _query(db, "p.id, p.text, l.value, l.gold, l.adjudication_id, p.messages",
                            "labels l JOIN prompts p ON p.id = l.item", where, args, "l.item, l.id")
    texts = _OutputTexts(db)

    def prompts() -> Iterator[list[Any]]:
        for _prompt, rows in groupby(label_rows(), key=lambda r: r[0]):
            yield list(rows)

    def make(rows: list[Any]) -> Iterator[dict[str, Any]]:
        prompt_id, prompt = rows[0][0], rows[0][1]
        outputs = texts.of(prompt_id)
        turns = prompt_turns(prompt, rows[0][5])
        rankings = [json.loads(r[2]) for r in rows if not r[3]]
        gold = [r for r in rows if r[3]]
        pairs: Iterator[tuple[str, str, float, float]]
        if gold:
            resolution = "adjudicated" if gold[-1][4] is not None else "gold"
            pairs = ((c, r, 1.0, gold_margin) for c, r in untied_pairs(json.loads(gold[-1][2])))
        else:
            resolution = "consensus"
            ids = sorted({o for ranking in rankings for group in ranking for o in group})
            result = consensus_rankings([(ids, rankings)], alpha=alpha)[0]
            theta = result.scores
            pairs = ((c, r, p, theta[c] - theta[r]) for c, r, p in result.pairs())
        for chosen, rejected, p_chosen, margin in pairs:
            if margin < min_margin or p_chosen < min_p_chosen:
                continue
            yield shape_pair({"prompt_id": prompt_id, "prompt": prompt,
                              "chosen": outputs[chosen], "rejected": outputs[rejected],
                              "chosen_id": chosen, "rejected_id": rejected,
                              "p_chosen": round(p_chosen, 4), "margin": round(margin, 4),
                              "n_labelers": len(rankings), "resolution": resolution},
                             format, turns)

    return Export(total, prompts, make)
