"""A gold label finds its tasks through an index: the gold_tasks trigger runs once per gold
label written, and a scan of every task there made a gold import some 50 times slower per
value than a plain one (10,500 gold values into 13,000 prompts: 20 s of CPU)."""

from __future__ import annotations

import re

import pytest


@pytest.mark.sqlite_only
def test_the_gold_tasks_trigger_searches_tasks_by_item(db):
    for name in ("gold_tasks_insert", "gold_tasks_update"):
        body = db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                          [name]).fetchone()[0]
        select = re.search(r"INSERT INTO gold_tasks \(task_id, kind\) (SELECT .*?); END", body, re.S)
        assert select is not None, body
        plan = [row[3] for row in db.execute(
            "EXPLAIN QUERY PLAN " + select.group(1).replace("new.item", "?"), ["p1", "p1"])]
        assert not any(re.match(r"SCAN t\b", step) for step in plan), plan
        assert any("SEARCH t USING INDEX tasks_item" in step for step in plan), plan
