"""TaskSession: one labeler's claim, drafts, skip, flag and submit, with typed outcomes."""

from __future__ import annotations

from store import labels, queue
from store.db import immediate, open_db
from store.dialect import dialect_of
from store.task_session import NotSaved, Saved, TaskSession
from store.values import LabelValue


def session(db, kind="demonstration", **kwargs) -> TaskSession:
    return TaskSession(db, "alice", kind, overlap=1, lease_seconds=600, **kwargs)


def answer(s: TaskSession, text: str) -> list[LabelValue]:
    return [LabelValue("demonstration", s.view.prompt.id, "text", text)]


def test_claim_draft_and_submit(sample_db):
    s = session(sample_db)
    claimed = s.claim()
    assert isinstance(claimed, Saved) and claimed.value.view is s.view and claimed.value.draft == {}
    assert s.save_draft({"text": "half"}) == Saved(None)
    again = session(sample_db)
    resumed = again.claim().value
    assert resumed.view.assignment.id == s.assignment_id
    assert resumed.draft == {"text": "half"}  # the time on task is the session's, not the draft's
    assert again.seconds() >= s.seconds() - 0.1
    assert isinstance(again.submit(answer(again, "whole")), Saved) and again.view is None
    [row] = list(labels.iter_labels(sample_db, task="demonstration"))
    assert row.value == "whole" and row.seconds is not None
    assert labels.load_draft(sample_db, resumed.view.assignment.id) is None


def test_a_busy_database_is_not_saved_and_says_busy(sample_db, db_path):
    s = session(sample_db, busy_bound=0.1)
    s.claim()
    holder = open_db(db_path)
    try:
        # Another process holds the write lock (SQLite) and the assignment's row (PostgreSQL,
        # where a labeler's submit waits for no global lock).
        with immediate(holder):
            holder.execute("SELECT 1 FROM assignments WHERE id = ?"
                           + dialect_of(holder).lock_rows("assignments"), [s.assignment_id])
            outcome = s.submit(answer(s, "text"))
    finally:
        holder.close()
    assert isinstance(outcome, NotSaved) and outcome.busy and "busy" in outcome.reason
    assert s.view is not None  # still the labeler's task: submit again
    assert isinstance(s.submit(answer(s, "text")), Saved)


def test_a_refused_submit_names_why(sample_db):
    s = session(sample_db)
    s.claim()
    queue.skip(sample_db, s.assignment_id, "unclear")  # e.g. the same labeler elsewhere
    outcome = s.submit(answer(s, "late"))
    assert outcome == NotSaved("this task was already skipped", "refused")


def test_skip_and_flag(sample_db):
    s = session(sample_db)
    s.claim()
    first = s.assignment_id
    assert isinstance(s.flag(True), Saved)
    assert isinstance(s.skip("unclear"), Saved) and s.view is None
    row = sample_db.execute(
        "SELECT status, reason, flagged FROM assignments WHERE id = ?", [first]).fetchone()
    assert tuple(row) == ("skipped", "unclear", 1)


def test_nothing_to_submit_is_refused_and_nothing_waiting_is_saved_none(sample_db):
    s = session(sample_db)
    s.claim()
    assert s.submit([]) == NotSaved("nothing to submit", "refused")
    nothing = TaskSession(sample_db, "alice", "comparison", overlap=1, lease_seconds=600,
                          window=1)
    assert nothing.claim().value.view.prompt.id == "p1"
    nothing.skip("cannot judge")
    nothing.claim()
    nothing.skip("cannot judge")
    assert nothing.claim() == Saved(None) and nothing.view is None
