"""A gold check looks exactly like production work: same layout, shuffle, words and keys."""

from __future__ import annotations

import pytest

from store.db import open_db
from store.imports import import_labels, import_outputs, import_prompts
from store.roster import add_labeler
from tests.conftest import snapshot_keys, write_jsonl
from tests.quality.conftest import quality_config

SIZE = (80, 24)
TEXT = "Rank these answers [b]to[/b] the question: what do plants make?"


def _desk(tmp_path, name: str):
    """p1 first in the queue (same task id, so the same shuffle), p2 after it; p1 has
    researcher gold. At gold_rate 1 the first claim serves it as a hidden check, at 0 as
    production work: the same project either way (the same assignment numbers included)."""
    db = open_db(tmp_path / f"{name}.db")
    add_labeler(db, "ana")
    add_labeler(db, "rhea", "researcher")
    import_prompts(db, write_jsonl(tmp_path / f"{name}-p.jsonl", [
        {"id": p, "text": TEXT, "tasks": ["comparison"]} for p in ("p1", "p2")]))
    import_outputs(db, write_jsonl(tmp_path / f"{name}-o.jsonl", [
        {"id": f"{p}-{x}", "prompt_id": p, "text": f"Answer {x}: sugar from light."}
        for p in ("p1", "p2") for x in "abc"]))
    import_labels(db, write_jsonl(tmp_path / f"{name}-g.jsonl", [
        {"labeler": "rhea", "task": "ranking", "item": "p1", "field": "ranking",
         "value": [["p1-a"], ["p1-b"], ["p1-c"]]}]), gold=True)
    return db


def _app(db, gold: bool):
    from store.schema import load_schema
    from tui.app import LabelDeskApp

    return LabelDeskApp(db=db, labeler="ana", role="labeler",
                        config=quality_config(gold_rate=1.0 if gold else 0.0),
                        schema=load_schema())


async def _screen(db, gold: bool, keys=("c", "b")) -> str:
    app = _app(db, gold)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*keys)
        await pilot.pause()
        return app.export_screenshot()


async def test_gold_check_and_production_item_render_identically(tmp_path):
    gold_db, plain_db = _desk(tmp_path, "gold"), _desk(tmp_path, "plain")
    gold_screen, plain_screen = await _screen(gold_db, True), await _screen(plain_db, False)
    check = gold_db.execute("SELECT gold_check, task_id FROM assignments WHERE labeler = 'ana'").fetchone()
    plain = plain_db.execute("SELECT gold_check, task_id FROM assignments WHERE labeler = 'ana'").fetchone()
    assert check[0] == 1 and plain[0] == 0 and check[1] == plain[1]  # a check vs production
    assert gold_screen == plain_screen


@pytest.mark.parametrize("gold", [True, False], ids=["gold_check", "production"])
def test_gold_check_snapshot(tmp_path, snap_compare, gold):
    # Two snapshot files with the same picture: a reviewer sees the check gives nothing away.
    db = _desk(tmp_path, "desk")
    # Keys pressed one at a time, each handled to the end, then the cursor stilled: `press=`
    # leaves Textual's idle guess to decide when the screen is done, which a loaded machine fools.
    assert snap_compare(_app(db, gold), terminal_size=SIZE, run_before=snapshot_keys("c", "b"))
