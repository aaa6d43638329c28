"""Issue 14 (5): two sessions of one labeler each get their own task and draft; the task of a
session that has ended (or died) goes back to the labeler's next session."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from store import labels
from store.db import open_db
from store.demonstrations import submit_demonstration
from store.sessions import end_session, start_session
from tests.conftest import claim


@pytest.fixture
def two(sample_db, db_path):
    second = open_db(db_path)
    yield sample_db, second
    second.conn.close()


def claim_demonstration(db):
    """alice's demonstration task, leased now: sessions and leases here run on the real clock."""
    return claim(db, "alice", "demonstration", overlap=1, at=None)


def test_a_second_session_gets_its_own_task_and_is_told_which_the_first_holds(two):
    first, second = two
    assert start_session(first, "alice") == []
    a = claim_demonstration(first)
    labels.save_draft(first, a.id, {"text": "first terminal"})
    (other,) = start_session(second, "alice")
    assert (other.kind, other.item) == ("demonstration", a.item)
    b = claim_demonstration(second)
    assert b is not None and b.id != a.id and b.item != a.item
    labels.save_draft(second, b.id, {"text": "second terminal"})
    # the first submits; the second's text is untouched, and each resumes its own task
    submit_demonstration(first, a.id, a.item, "first terminal", overlap=1)
    assert labels.load_draft(second, b.id) == {"text": "second terminal"}
    assert claim_demonstration(second).id == b.id
    assert [r.value for r in labels.iter_labels(first, task="demonstration")] == ["first terminal"]


def test_an_ended_session_hands_its_task_to_the_next(two):
    first, second = two
    start_session(first, "alice")
    a = claim_demonstration(first)
    labels.save_draft(first, a.id, {"text": "typed before quitting"})
    end_session(first)
    assert start_session(second, "alice") == []
    b = claim_demonstration(second)
    assert b.id == a.id and labels.load_draft(second, b.id) == {"text": "typed before quitting"}


def test_a_killed_session_hands_its_task_over_at_once(two):
    first, second = two
    start_session(first, "alice")
    a = claim_demonstration(first)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    first.execute("UPDATE sessions SET pid = ? WHERE id = ?", [int(dead.stdout), first.session_id])
    assert start_session(second, "alice") == []  # kill -9 left the row; its process is gone
    assert claim_demonstration(second).id == a.id


def test_without_sessions_claims_work_as_before(sample_db):
    a = claim_demonstration(sample_db)
    assert claim_demonstration(sample_db).id == a.id


async def test_two_apps_of_one_labeler_keep_both_answers(make_app, sample_db, db_path):
    from store.schema import load_schema
    from tui.app import LabelDeskApp
    from tui.config import Config

    first = make_app("alice")
    async with first.run_test(size=(100, 30)) as pilot:
        await pilot.press("w")
        await pilot.pause()
        await pilot.press(*"first answer")
        first.screen.flush_drafts()
        held = first.screen.view.assignment.item
        shown = first.screen.shown_id  # what a labeler is told of a task: "#<assignment>"
        second = LabelDeskApp(db=open_db(db_path), labeler="alice", role="labeler", config=Config(),
                              schema=load_schema())
        async with second.run_test(size=(100, 30), notifications=True) as pilot2:
            await pilot2.pause()
            notes = [str(n.message) for n in second._notifications]
            assert any("Another LabelDesk session of yours is open" in n and f"holds demonstration {shown}" in n
                       for n in notes), notes
            # it opens on writing, as the labeler's unfinished work, but on a task of its own
            assert second.screen.view.assignment.item != held
            await pilot2.press(*"second answer")
            await pilot2.press("ctrl+q")
            await pilot2.pause()
        second.db.conn.close()
        assert first.screen.editor.text == "first answer"
        await pilot.press("ctrl+q")
    drafts = sorted(json.loads(r[0])["text"] for r in open_db(db_path).execute("SELECT data FROM drafts"))
    assert drafts == ["first answer", "second answer"]


# -- one quiz, two terminals: one holds it at a time, the other may take it over ----------------

@pytest.fixture
def quiz_in_two(two):
    from store.quiz import admin
    from tests.conftest import QUIZ_EXAMPLE

    first, second = two
    admin.import_quiz(first, QUIZ_EXAMPLE)
    admin.assign_quiz(first, "screening-demo", ["alice"])
    start_session(first, "alice")
    start_session(second, "alice")
    return first, second


def test_a_quiz_open_in_one_terminal_is_not_answered_from_another(quiz_in_two):
    from store.quiz import taking
    from store.quiz.holding import QuizHeldElsewhere, hold_quiz
    from tests.conftest import complete_answers

    first, second = quiz_in_two
    hold_quiz(first, "screening-demo", "alice")
    mine = taking.load_session(first, "screening-demo", "alice")
    answers = complete_answers(mine)
    taking.save_answer(first, mine, 0, answers[0], seconds=3)
    with pytest.raises(QuizHeldElsewhere, match="other LabelDesk session"):
        hold_quiz(second, "screening-demo", "alice")
    theirs = taking.load_session(second, "screening-demo", "alice")  # reading is fine
    assert theirs.answers[0]["prompt"] == answers[0]["prompt"]
    with pytest.raises(QuizHeldElsewhere):
        taking.save_answer(second, theirs, 0, {"prompt": {}, "completion": {}}, seconds=1)
    for pos, answer in answers.items():
        taking.save_answer(first, mine, pos, answer, seconds=1)
    with pytest.raises(QuizHeldElsewhere):
        taking.submit_quiz(second, theirs)
    # the second terminal takes it over: the first is refused from then on, and told why
    hold_quiz(second, "screening-demo", "alice", take_over=True)
    with pytest.raises(QuizHeldElsewhere):
        taking.save_answer(first, mine, 0, answers[0], seconds=9)
    taking.submit_quiz(second, taking.load_session(second, "screening-demo", "alice"))
    assert taking.load_draft(first, mine.items[0].assignment_id) is None  # submitted, once
    done = first.execute("SELECT count(*) FROM labels WHERE labeler = 'alice'").fetchone()[0]
    assert done == len([v for i in mine.items for v in taking.answer_values(i, answers[i.position])])
    kinds = [k for (k,) in first.execute("SELECT kind FROM events WHERE labeler = 'alice'")]
    assert "quiz_take_over" in kinds


def test_a_quiz_is_free_again_when_its_terminal_ends(quiz_in_two):
    from store.quiz.holding import hold_quiz, quiz_holder

    first, second = quiz_in_two
    hold_quiz(first, "screening-demo", "alice")
    assert quiz_holder(second, "screening-demo", "alice") is not None
    end_session(first)
    assert quiz_holder(second, "screening-demo", "alice") is None
    hold_quiz(second, "screening-demo", "alice")  # no take-over needed
