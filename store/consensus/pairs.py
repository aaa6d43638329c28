"""`export pairs --consensus`: one pair per consensus-ordered output pair of each prompt, with
its Bradley–Terry margin, instead of one pair per labeler's ranking."""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import groupby
from typing import Any

import sqlite_utils

from store.consensus.bradley_terry import ALPHA, consensus_rankings
from store.exports import Export, _label_filters, _OutputTexts, _query
from store.ranking import untied_pairs


def export_consensus_pairs(
    db: sqlite_utils.Database,
    *,
    since: str | None = None,
    split: str | None = None,
    min_margin: float = 0.0,
    alpha: float = ALPHA,
) -> Export:
    """Per prompt: the Bradley–Terry consensus of its labelers' rankings, one record per untied
    pair with `margin` (P(chosen beats rejected)) and `n_labelers`; pairs below `min_margin` are
    left out. A gold ranking overrides the labelers' (its pairs get margin 1 and `resolution`
    `gold`, or `adjudicated` when a researcher settled a dispute with it)."""
    where, args = _label_filters("ranking", "ranking", since=since, split=split)
    total = db.execute(
        "SELECT count(DISTINCT l.item) FROM labels l JOIN prompts p ON p.id = l.item WHERE "
        + " AND ".join(where), args).fetchone()[0]
    _n, label_rows = _query(db, "p.id, p.text, l.value, l.gold, l.adjudication_id",
                            "labels l JOIN prompts p ON p.id = l.item", where, args, "l.item, l.id")
    texts = _OutputTexts(db)

    def prompts() -> Iterator[list[Any]]:
        for _prompt, rows in groupby(label_rows(), key=lambda r: r[0]):
            yield list(rows)

    def make(rows: list[Any]) -> Iterator[dict[str, Any]]:
        prompt_id, prompt = rows[0][0], rows[0][1]
        outputs = texts.of(prompt_id)
        rankings = [json.loads(r[2]) for r in rows if not r[3]]
        gold = [r for r in rows if r[3]]
        pairs: Iterator[tuple[str, str, float]]
        if gold:
            resolution = "adjudicated" if gold[-1][4] is not None else "gold"
            pairs = ((c, r, 1.0) for c, r in untied_pairs(json.loads(gold[-1][2])))
        else:
            resolution = "consensus"
            ids = sorted({o for ranking in rankings for group in ranking for o in group})
            pairs = consensus_rankings([(ids, rankings)], alpha=alpha)[0].pairs()
        for chosen, rejected, margin in pairs:
            if margin < min_margin:
                continue
            yield {"prompt_id": prompt_id, "prompt": prompt,
                   "chosen": outputs[chosen], "rejected": outputs[rejected],
                   "chosen_id": chosen, "rejected_id": rejected,
                   "margin": round(margin, 4), "n_labelers": len(rankings),
                   "resolution": resolution}

    return Export(total, prompts, make)
