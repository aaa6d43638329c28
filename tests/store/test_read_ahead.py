"""Reading the likely next task ahead (store.views.read_ahead, TaskSession.read_ahead): the
claim after a submit then reads only its assignment, and gets exactly what a fresh read gives,
whoever took the task that was read ahead meanwhile. Nothing is claimed early."""

from __future__ import annotations

from dataclasses import replace

from store.imports import import_outputs, import_prompts
from store.roster import add_labeler
from store.task_session import Saved, TaskSession
from store.views import Ahead, task_view
from tests.conftest import write_jsonl


def three_comparisons(db, tmp_path) -> None:
    add_labeler(db, "alice")
    add_labeler(db, "bob")
    import_prompts(db, write_jsonl(tmp_path / "p.jsonl", [
        {"id": f"p{n}", "text": f"prompt {n}", "tasks": ["comparison"]} for n in (1, 2, 3)]))
    import_outputs(db, write_jsonl(tmp_path / "o.jsonl", [
        {"id": f"p{n}-{k}", "prompt_id": f"p{n}", "text": f"output {k} of p{n}"}
        for n in (1, 2, 3) for k in range(3)]))


def session(db, who: str) -> TaskSession:
    # Strictly oldest first: these tests know which task comes next.
    return TaskSession(db, who, "comparison", overlap=1, lease_seconds=600, window=1)


def assignments(db) -> int:
    return db.execute("SELECT count(*) FROM assignments").fetchone()[0]


def test_the_next_claim_gets_the_task_read_ahead_as_a_fresh_read_would(db, tmp_path):
    three_comparisons(db, tmp_path)
    alice = session(db, "alice")
    first = alice.claim().value.view
    claimed = assignments(db)
    assert isinstance(alice.read_ahead(), Saved)
    assert alice.ahead is not None and alice.ahead.prompt.id not in ("", first.prompt.id)
    assert assignments(db) == claimed  # read, not claimed: no lease is held early
    assert isinstance(alice.skip("cannot judge"), Saved)
    second = alice.claim().value.view
    assert second.prompt.id == "p2" and alice.ahead is None  # used once
    assert second == task_view(db, second.assignment)


def test_a_task_another_labeler_took_meanwhile_is_not_shown_from_the_read_ahead(db, tmp_path):
    three_comparisons(db, tmp_path)
    alice, bob = session(db, "alice"), session(db, "bob")
    alice.claim()
    alice.read_ahead()
    assert alice.ahead is not None and alice.ahead.prompt.id == "p2"
    assert bob.claim().value.view.prompt.id == "p2"  # one labeler an item: p2 is bob's now
    alice.skip("cannot judge")
    view = alice.claim().value.view
    assert view.prompt.id == "p3" and view == task_view(db, view.assignment)
    assert {o.text for o in view.outputs} == {f"output {k} of p3" for k in range(3)}


def test_outputs_that_changed_since_the_read_ahead_are_read_again(db, tmp_path):
    three_comparisons(db, tmp_path)
    alice = session(db, "alice")
    view = alice.claim().value.view
    fresh = task_view(db, view.assignment)
    stale = Ahead(view.prompt, [o for o in fresh.outputs[:-1]])  # one output fewer
    assert task_view(db, view.assignment, stale) == fresh
    other = Ahead(replace(view.prompt, id="p9"), list(fresh.outputs))  # another item
    assert task_view(db, view.assignment, other) == fresh


def test_nothing_left_to_read_ahead_is_none(db, tmp_path):
    three_comparisons(db, tmp_path)
    alice = session(db, "alice")
    for _ in range(3):
        alice.claim()
        alice.skip("cannot judge")
    assert alice.read_ahead() == Saved(None) and alice.ahead is None


def test_a_task_others_hold_to_its_overlap_is_not_the_guess(db, tmp_path):
    three_comparisons(db, tmp_path)
    alice, bob = session(db, "alice"), session(db, "bob")
    alice.claim()  # p1
    bob.claim()  # p2, leased: one labeler an item
    alice.read_ahead()
    assert alice.ahead is not None and alice.ahead.prompt.id == "p3"
