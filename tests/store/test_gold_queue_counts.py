"""A researcher's home counts the gold queue: per kind, the tasks no researcher has finished.
The count is read from the researchers' side (the roster's researchers, then their finished
assignments by index), never by a pass over every labeler's finished work: joined from the
assignments, SQLite scanned all of them once per kind (1.3 s of CPU at 964,100)."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from store import queue
from store.labels import submit
from store.roster import add_labeler
from store.values import LabelValue
from tests.conftest import claim

OVERLAPS = {"comparison": 2, "demonstration": 2}


def rank(a):
    return [LabelValue("ranking", a.item, "ranking", [[o] for o in a.order])]


def written(a):
    return [LabelValue("demonstration", a.item, "text", "Roses are red.")]


def _history(db) -> None:
    """Two researchers finishing the same comparison, a researcher's unfinished and skipped
    claims, labelers' finished work (not gold), a researcher's demonstration."""
    add_labeler(db, "remy", "researcher")
    first = [claim(db, who) for who in ("rhea", "remy", "alice", "bob")]
    assert {a.item for a in first} == {"p1"}
    for a in first:
        submit(db, a.id, rank(a), overlap=2)
    claim(db, "rhea")  # p2, left unfinished
    queue.skip(db, claim(db, "remy").id, "contains PII")  # p2, skipped
    finished = claim(db, "carol")
    submit(db, finished.id, rank(finished), overlap=2)
    demo = claim(db, "rhea", "demonstration")
    submit(db, demo.id, written(demo), overlap=2)


def _recount(db) -> dict[str, int]:
    """Per kind, tasks that no researcher finished, counted from the plain rows."""
    kinds = dict(db.execute("SELECT id, kind FROM tasks").fetchall())
    researchers = {n for n, r in db.execute("SELECT name, role FROM labelers").fetchall()
                   if r == "researcher"}
    gold = {t for t, who, status in db.execute(
        "SELECT task_id, labeler, status FROM assignments").fetchall()
        if who in researchers and status == "done"}
    return Counter(kind for task, kind in kinds.items() if task not in gold)


def test_a_researchers_waiting_counts_are_the_tasks_no_researcher_finished(sample_db):
    _history(sample_db)
    expected = _recount(sample_db)
    assert (expected["comparison"], expected["demonstration"]) == (1, 1)  # p2; p5 (p3 gold)
    for researcher in ("rhea", "remy"):
        got = queue.counts(sample_db, researcher, OVERLAPS)
        assert {k: c.waiting for k, c in got.items()} == {k: expected[k] for k in got}
    assert queue.counts(sample_db, "rhea", OVERLAPS)["demonstration"].done == 1


@pytest.mark.sqlite_only
def test_a_researchers_counts_never_scan_the_assignments(sample_db):
    _history(sample_db)
    statements: list[str] = []
    sample_db.conn.set_trace_callback(statements.append)
    try:
        queue.counts(sample_db, "rhea", OVERLAPS)
    finally:
        sample_db.conn.set_trace_callback(None)
    assert statements
    for sql in statements:
        plan = [row[3] for row in sample_db.execute("EXPLAIN QUERY PLAN " + sql)]
        assert not any(re.match(r"SCAN (a|assignments)\b", step) for step in plan), (sql, plan)
