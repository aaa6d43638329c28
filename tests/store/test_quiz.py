
import pytest

from store.errors import StoreError
from store.labels import iter_labels
from store.quiz import admin, taking
from store.quiz.file import QuizFileError
from store.resume import pending_quiz
from store.roster import add_labeler
from tests.conftest import QUIZ_EXAMPLE as EXAMPLE
from tests.conftest import complete_answers, take_quiz


@pytest.fixture
def quiz_db(db):
    add_labeler(db, "dana")
    add_labeler(db, "eli")
    result = admin.import_quiz(db, EXAMPLE)
    assert (result.name, result.items, result.unchanged) == ("screening-demo", 8, False)
    return db


def test_import_stores_items_as_held_prompts_with_gold(quiz_db):
    db = quiz_db
    assert db.execute("SELECT count(*) FROM prompts WHERE status = 'held'").fetchone()[0] == 7
    assert db.execute("SELECT text FROM outputs WHERE id = 'screening-demo/r1/B'").fetchone()[0].startswith("You will need")
    assert db.execute("SELECT count(*) FROM tasks WHERE kind = 'quiz' AND quiz = 'screening-demo'").fetchone()[0] == 8
    gold = {(g.task, g.item, g.field): g.value for g in iter_labels(db, gold=True)}
    assert gold[("output", "screening-demo/f2/A", "violent")] is True
    assert gold[("ranking", "screening-demo/r1", "ranking")] == [
        ["screening-demo/r1/A"], ["screening-demo/r1/C"], ["screening-demo/r1/B"]]
    assert db.execute("SELECT role FROM labelers WHERE name = 'gold'").fetchone()[0] == "researcher"
    # Identical re-import is a no-op; a changed quiz under the same name is refused.
    assert admin.import_quiz(db, EXAMPLE).unchanged


def test_changed_quiz_under_same_name_is_refused(quiz_db, tmp_path):
    changed = tmp_path / "q.toml"
    changed.write_text(EXAMPLE.read_text().replace("first snow of winter", "first frost"))
    with pytest.raises(QuizFileError, match="q.toml: name: quiz 'screening-demo' is already imported"):
        admin.import_quiz(quiz_db, changed)


def test_unknown_schema_flag_is_refused(db, tmp_path):
    bad = tmp_path / "q.toml"
    bad.write_text(EXAMPLE.read_text().replace('"denigrates_protected"]', '"sparkly"]'))
    with pytest.raises(QuizFileError, match="flags.completion: 'sparkly' is not a yes/no field"):
        admin.import_quiz(db, bad)


def test_assign_take_resume_and_lock(quiz_db):
    db = quiz_db
    assert admin.assign_quiz(db, "screening-demo", ["dana"]) == ["dana"]
    assert admin.assign_quiz(db, "screening-demo", ["dana"]) == []
    with pytest.raises(StoreError, match="not in this database's roster"):
        admin.assign_quiz(db, "screening-demo", ["zed"])
    with pytest.raises(StoreError, match="no quiz 'nope'"):
        admin.assign_quiz(db, "nope", ["dana"])
    assert pending_quiz(db, "dana") == "screening-demo"
    assert pending_quiz(db, "eli") is None

    session = taking.load_session(db, "screening-demo", "dana")
    assert [i.section for i in session.items] == ["flagging"] * 3 + ["ranking"] * 2 + ["demonstrations"] * 2 + ["self_assessment"]
    assert session.items[2].completion_flags == ()  # a prompt-only item
    answers = complete_answers(session)
    for pos in range(4):
        taking.save_answer(db, session, pos, answers[pos], seconds=3.0 + pos)
    with pytest.raises(StoreError, match="item 5: not every completion is ranked"):
        taking.submit_quiz(db, session)

    resumed = taking.load_session(db, "screening-demo", "dana")
    assert resumed.position == 3
    assert resumed.answers[3]["ranking"] == answers[3]["ranking"]
    assert resumed.answers[1]["_seconds"] == 4.0
    for pos in range(4, 8):
        taking.save_answer(db, resumed, pos, answers[pos], seconds=2.0)
    taking.submit_quiz(db, resumed)

    mine = {(v.task, v.item, v.field): v for v in iter_labels(db, labeler="dana")}
    assert mine[("output", "screening-demo/f2/A", "violent")].value is False
    assert mine[("output", "screening-demo/f2/A", "violent")].seconds == 4.0
    assert not mine[("demonstration", "screening-demo/d1", "text")].gold
    demo_id = mine[("demonstration", "screening-demo/d1", "text")].id
    assert db.execute("SELECT quiz FROM tasks WHERE kind = 'demonstration_score' AND item = ?",
                      [f"d{demo_id}"]).fetchone()[0] == "screening-demo"
    assert db.execute("SELECT count(*) FROM drafts").fetchone()[0] == 0
    assert pending_quiz(db, "dana") is None

    locked = taking.load_session(db, "screening-demo", "dana")
    assert locked.locked
    with pytest.raises(taking.QuizLocked):
        taking.save_answer(db, locked, 0, answers[0], seconds=1)
    with pytest.raises(taking.QuizLocked):
        taking.submit_quiz(db, locked)
    summary = admin.list_quizzes(db)[0]
    assert (summary.assigned, summary.submitted) == (1, 1)


def test_session_never_carries_gold(quiz_db):
    admin.assign_quiz(quiz_db, "screening-demo", ["eli"])
    session = taking.load_session(quiz_db, "screening-demo", "eli")
    assert "gold" not in repr(session).lower()
    assert "A>C>B" not in repr(session)


def test_a_researcher_taking_the_quiz_writes_gold(quiz_db):
    add_labeler(quiz_db, "rhea", "researcher")
    admin.assign_quiz(quiz_db, "screening-demo", ["rhea"])
    take_quiz(quiz_db, "rhea")
    theirs = list(iter_labels(quiz_db, labeler="rhea"))
    assert theirs and all(v.gold for v in theirs)
