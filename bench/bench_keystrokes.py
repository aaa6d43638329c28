"""Keys a labeler presses per task, by kind of work, on the real app at 80x24 (issue #15).

Run from the repository root: ``python -m bench keystrokes``. Each scenario opens the app on a
fresh database, presses exactly the keys a labeler would (the key that opens the work from home
is not counted; written text counts as one key per character only where said), and checks in
the database that the task was saved as intended before its count is recorded under
``keystrokes``. Targets (issue #15): 4 outputs with the ranking following the ratings ≤ 10
keys; 9 outputs with one tie, ranking typed, ≤ 20 keys (instruction step not counted, as in
the issue's measurement of 30 before).
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path

from bench.results import record
from store import labels
from store.db import open_db
from store.imports import import_outputs, import_prompts
from store.roster import add_labeler
from store.schema import load_schema
from tui.config import Config

BEFORE = {"comparison_4_ranking_from_scores": 13, "comparison_6_ranking_from_scores": 17,
          "comparison_9_one_tie_typed": 30}
TARGET = {"comparison_4_ranking_from_scores": 10, "comparison_9_one_tie_typed": 20}


def _database(folder: Path, kind: str, k: int):
    db = open_db(folder / "desk.db")
    add_labeler(db, "ana")
    prompt = {"id": "p1", "text": "Name three fruits.", "category": "brainstorming",
              "tasks": [kind]}
    (folder / "p.jsonl").write_text(json.dumps(prompt) + "\n")
    import_prompts(db, folder / "p.jsonl")
    if k:
        rows = [{"id": f"o{n}", "prompt_id": "p1", "text": f"Answer {n}: apples, pears."}
                for n in range(k)]
        (folder / "o.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
        import_outputs(db, folder / "o.jsonl")
    return db


def _app(db, steps=None):
    from tui.app import LabelDeskApp

    config = Config()
    if steps:
        config.data["comparison"]["steps"] = steps
    return LabelDeskApp(db=db, labeler="ana", role="labeler", config=config, schema=load_schema())


def _saved(db, task, item=None):
    return {(r.item, r.field): r.value for r in labels.iter_labels(db, task=task)
            if item is None or r.item == item}


async def _comparison(k: int, *, typed: bool, steps=None) -> int:
    """Rate output n with 7 - n % 7 (distinct where k ≤ 7); accept the suggested ranking, or
    type one with the last two tied."""
    with tempfile.TemporaryDirectory() as tmp:
        db = _database(Path(tmp), "comparison", k)
        app = _app(db, steps)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("c")
            await pilot.pause()
            screen = app.screen
            keys: list[str] = []
            if "instruction" in screen.steps:
                keys += ["g", "b", "enter", "enter"]  # category by its first letter, then on
            order = [o.output_id for o in screen.outputs]  # shown order: A, B, …
            ratings = {oid: 7 - int(oid[1:]) % 7 for oid in order}
            keys += [str(ratings[oid]) for oid in order]  # each digit moves on by itself
            if typed:  # best first: the reverse of the ratings, the last two tied
                letters = {o.output_id: o.letter for o in screen.outputs}
                best_first = sorted(order, key=lambda oid: (ratings[oid], oid))
                keys += [letters[oid].lower() for oid in best_first[:-1]] + ["equals_sign"]
                expected = [[oid] for oid in best_first[:-2]] + [best_first[-2:]]
            else:
                expected = None
            keys.append("enter")
            await pilot.press(*keys)
            await pilot.pause()
        ranking = _saved(db, "ranking").get(("p1", "ranking"))
        assert ranking is not None, f"not submitted after {keys}"
        if expected is not None:
            assert ranking == expected, (ranking, expected)
        return len(keys)


async def _toxicity(k: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        db = _database(Path(tmp), "toxicity", k)
        app = _app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("x")
            await pilot.pause()
            keys = []
            for n in range(k):  # input toxicity (once), toxicity, relative toxicity, continuity;
                keys += (["0"] if n == 0 else []) + ["0", "0", "7"]  # then the next by itself
            keys += ["enter", "enter"]  # to the ranking (pre-ordered from the scores), submit
            await pilot.press(*keys)
            await pilot.pause()
        done = db.execute("SELECT count(*) FROM assignments WHERE status = 'done'").fetchone()[0]
        assert done == 1, f"not submitted after {keys}"
        return len(keys)


async def _writing(text: str) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        db = _database(Path(tmp), "demonstration", 0)
        app = _app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("w")
            await pilot.pause()
            keys = ["ctrl+s", "y"]
            await pilot.press(*text, *keys)
            await pilot.pause()
        assert _saved(db, "demonstration"), "not submitted"
        return len(keys)


async def _all() -> dict:
    counts = {
        "comparison_4_ranking_from_scores": await _comparison(4, typed=False),
        "comparison_6_ranking_from_scores": await _comparison(6, typed=False),
        "comparison_9_one_tie_typed": await _comparison(9, typed=True,
                                                        steps=["scores", "ranking"]),
        "comparison_2_ranking_from_scores": await _comparison(2, typed=False),
        "toxicity_2_ranking_from_scores": await _toxicity(2),
        "writing_besides_the_text": await _writing("Apples, pears, plums."),
    }
    return {
        "keys": counts,
        "before": BEFORE,
        "targets": TARGET,
        "met": {name: counts[name] <= limit for name, limit in TARGET.items()},
    }


def main() -> None:
    record("keystrokes", asyncio.run(_all()))


if __name__ == "__main__":
    main()
