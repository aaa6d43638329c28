"""Claims draw from a window of the oldest open tasks, in an order drawn per labeler and claim."""

from __future__ import annotations

from typing import Any

from store import queue
from store.claim_order import DEFAULT_WINDOW, hash_key, window_order
from store.demonstrations import submit_demonstration
from store.imports import import_prompts
from store.roster import add_labeler
from tests.conftest import write_jsonl
from tui.config import Config

N = 40


def _queue(db, tmp_path) -> list[str]:
    """N writing tasks, q00 oldest; three labelers."""
    for name in ("ana", "bo", "cy"):
        add_labeler(db, name)
    items = [f"q{n:02d}" for n in range(N)]
    import_prompts(db, write_jsonl(tmp_path / "p.jsonl", [
        {"id": i, "text": f"Write about {i}", "tasks": ["demonstration"]} for i in items]))
    return items


def _open(db, labeler: str, overlap: int) -> list[str]:
    """Tasks still wanting labelers that `labeler` never had, oldest first."""
    return [r[0] for r in db.execute(
        """SELECT t.item FROM tasks t WHERE t.kind = 'demonstration'
             AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.task_id = t.id AND a.labeler = ?)
             AND (SELECT count(*) FROM assignments a WHERE a.task_id = t.id
                  AND a.status IN ('done', 'active')) < ?
           ORDER BY t.id""", [labeler, overlap])]


def _work(db, labeler: str, *, overlap: int, window: int | None = None) -> tuple[str, list[str]]:
    more: dict[str, Any] = {} if window is None else {"window": window}
    before = _open(db, labeler, overlap)
    a = queue.claim_next(db, labeler, "demonstration", overlap=overlap, lease_seconds=600, **more)
    assert a is not None
    submit_demonstration(db, a.id, a.item, f"{labeler} on {a.item}", overlap=overlap)
    return a.item, before


def test_the_default_draws_from_the_oldest_open_tasks_in_a_shuffled_order(db, tmp_path):
    assert Config().window == DEFAULT_WINDOW > 1
    _queue(db, tmp_path)
    got = {}
    for name in ("ana", "bo"):
        got[name] = []
        for _ in range(25):
            item, before = _work(db, name, overlap=2)
            # oldest first within the window: never past the window of what was open
            assert item in before[:DEFAULT_WINDOW], (item, before[:DEFAULT_WINDOW])
            got[name].append(item)
    assert got["ana"] != sorted(got["ana"]) and got["bo"] != sorted(got["bo"])
    assert got["ana"] != got["bo"]  # each labeler's order is their own
    # Overlap still holds: nobody past 2, nobody twice.
    per_item = db.execute("SELECT t.item, count(*) FROM assignments a JOIN tasks t "
                          "ON t.id = a.task_id GROUP BY t.item").fetchall()
    assert max(n for _i, n in per_item) == 2 and len(set(got["ana"])) == 25


def test_a_window_of_one_hands_out_strictly_oldest_first(db, tmp_path):
    items = _queue(db, tmp_path)
    assert [_work(db, "ana", overlap=1, window=1)[0] for _ in range(10)] == items[:10]


def test_the_oldest_task_does_not_wait_forever(db, tmp_path):
    """Each claim takes the oldest open task with chance 1/window: with window 5 and overlap
    1, 30 claims leave the first 10 items waiting with chance well under 1e-3 each."""
    items = _queue(db, tmp_path)
    taken = [_work(db, name, overlap=1, window=5)[0] for _ in range(10) for name in ("ana", "bo", "cy")]
    assert set(items[:10]) <= set(taken)


def test_window_order_shuffles_the_window_then_keeps_the_rest_in_order():
    rows = [(n, f"q{n}") for n in range(10)]
    out = list(window_order(iter(rows), 4, "order:ana:0"))
    assert sorted(out[:4]) == rows[:4] and out[:4] != rows[:4] and out[4:] == rows[4:]
    assert list(window_order(iter(rows), 1, "order:ana:0")) == rows
    # The order is the SHA-256 sort PostgreSQL's claim function makes (store/claim_order.py).
    assert out[:4] == sorted(rows[:4], key=lambda r: hash_key("order:ana:0", r[0]))
