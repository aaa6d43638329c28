"""A candidate takes the screening quiz by keyboard: resume, lock, and never a glimpse of gold."""

from __future__ import annotations

import json

import pytest
from textual.widgets import OptionList

from screens.quiz import QuizScreen
from store.imports import import_labels
from store.labels import iter_labels, load_draft
from store.quiz import admin, taking
from store.quiz.screening import screening_report
from tests.conftest import QUIZ_EXAMPLE, snapshot_keys, take_quiz
from tests.screens.screen_text import screen_text

GOLD_ONLY = ("GOLDONLYSECRET", "goldkeeperzz")
ANSWER = "Listen,calmly,and,say,you,love,him."


@pytest.fixture
def quiz_app(make_app, sample_db, tmp_path):
    """The example quiz, gold under a tell-tale name, plus a researcher's gold demonstration."""
    text = QUIZ_EXAMPLE.read_text().replace('gold_labeler = "gold"', f'gold_labeler = "{GOLD_ONLY[1]}"')
    path = tmp_path / "quiz.toml"
    path.write_text(text)
    admin.import_quiz(sample_db, path)
    gold_demo = tmp_path / "gold.jsonl"
    gold_demo.write_text(json.dumps({"labeler": "rhea", "task": "demonstration", "item": "screening-demo/d1",
                                     "field": "text", "value": GOLD_ONLY[0]}) + "\n")
    import_labels(sample_db, gold_demo, gold=True)
    admin.assign_quiz(sample_db, "screening-demo", ["alice"])
    return make_app


async def assert_no_gold(app):
    svg = app.export_screenshot()
    assert "screening-demo" in svg  # the scan reads real screen text
    for secret in GOLD_ONLY:
        assert secret not in svg
    # The composed screen text too, in case the SVG splits a string.
    texts = screen_text(app)
    for secret in GOLD_ONLY:
        assert secret not in texts


async def answer_flags(pilot, n):
    await pilot.press(*["n"] * n, "enter")


async def start_quiz(pilot, app):
    await pilot.pause()
    options = app.screen.query_one("#work", OptionList)
    assert options.get_option_at_index(0).id == "quiz"  # the quiz is offered first
    await pilot.press("s")
    await pilot.pause()
    assert isinstance(app.screen, QuizScreen)


async def test_take_whole_quiz_by_keyboard(quiz_app, sample_db):
    app = quiz_app("alice")
    async with app.run_test(size=(100, 40)) as pilot:
        await start_quiz(pilot, app)
        await assert_no_gold(app)
        assert "instructions" in str(app.screen.query_one("#quiz-title").render())
        await pilot.press("enter")
        assert "item 1 of 8" in str(app.screen.query_one("#quiz-title").render())
        for n in (8, 8, 4):  # f1, f2 have a completion; f3 is prompt-only
            await assert_no_gold(app)
            await answer_flags(pilot, n)
        for _ in range(2):  # two rankings of three completions
            await assert_no_gold(app)
            await pilot.press("b", "a", "c", "enter")
        for _ in range(2):  # two demonstrations
            await pilot.pause()
            await assert_no_gold(app)
            await pilot.press(*ANSWER, "ctrl+s")
        assert "item 8 of 8" in str(app.screen.query_one("#quiz-title").render())
        await pilot.press("space", "down", "space", "tab", *"sports", "enter")
        await pilot.pause()
        assert "review" in str(app.screen.query_one("#quiz-title").render())
        assert "not started" not in str(app.screen.query_one("#review-text").render())
        await assert_no_gold(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert "locked" in str(app.screen.query_one("#locked-text").render())
        await assert_no_gold(app)

    session = taking.load_session(sample_db, "screening-demo", "alice")
    assert session.locked
    mine = {(v.task, v.item, v.field): v for v in iter_labels(sample_db, labeler="alice")}
    assert mine[("output", "screening-demo/f2/A", "violent")].value is False
    assert mine[("demonstration", "screening-demo/d2", "text")].value == ANSWER
    ranking = mine[("ranking", "screening-demo/r1", "ranking")].value
    order = [o.id for o in session.items[3].outputs]
    assert ranking == [[order[1]], [order[0]], [order[2]]]
    assert all(v.seconds is not None and v.seconds >= 0 for v in mine.values())
    sa = json.loads(sample_db.execute("SELECT self_assessment FROM quiz_takers").fetchone()[0])
    assert sa == {"selected": ["politics", "religion"], "text": "sports"}


async def test_resume_after_closing_mid_quiz(quiz_app, sample_db):
    app = quiz_app("alice")
    async with app.run_test(size=(100, 40)) as pilot:
        await start_quiz(pilot, app)
        await pilot.press("enter")
        await answer_flags(pilot, 8)
        await pilot.press("n", "y")  # two flags of item 2, then the connection drops
        await pilot.press("ctrl+q")
    drafts = taking.load_session(sample_db, "screening-demo", "alice").answers
    assert drafts[1]["completion"] == {} and drafts[1]["prompt"] == {"asks_sexual": False, "asks_violent": True}
    assert drafts[0]["_seconds"] >= 0

    again = quiz_app("alice")
    async with again.run_test(size=(100, 40)) as pilot:
        await start_quiz(pilot, again)
        assert "item 2 of 8" in str(again.screen.query_one("#quiz-title").render())
        form = again.screen.query_one("FlagForm")
        assert form.values[("prompt", "asks_violent")] is True
        assert again.screen.query_one("#quiz-progress").progress == 1
        await pilot.press("ctrl+o")
        assert "item 1 of 8" in str(again.screen.query_one("#quiz-title").render())
        assert len(again.screen.query_one("FlagForm").values) == 8


async def test_locked_after_submit(quiz_app, sample_db):
    take_quiz(sample_db, "alice")
    app = quiz_app("alice")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#work", OptionList).get_option_at_index(0).id != "quiz"
        await pilot.press("s")
        await pilot.pause()
        assert "submitted" in str(app.screen.query_one("#quiz-title").render())
        await pilot.press("ctrl+o", "n", "ctrl+s", "y")
        assert "locked" in str(app.screen.query_one("#locked-text").render())
    after = {(v.task, v.item, v.field): v.value for v in iter_labels(sample_db, labeler="alice")}
    assert after[("instruction", "screening-demo/f1", "asks_sexual")] is False


def test_quiz_flagging_snapshot_80x24(quiz_app, snap_compare):
    assert snap_compare(quiz_app("alice"), terminal_size=(80, 24), run_before=snapshot_keys("s", "enter", "n", "y"))


def test_quiz_ranking_snapshot_160x48(quiz_app, snap_compare):
    keys = ["s", "enter", *["n"] * 8, "enter", *["n"] * 8, "enter", *["n"] * 4, "enter", "b"]
    assert snap_compare(quiz_app("alice"), terminal_size=(160, 48), run_before=snapshot_keys(*keys))


async def test_markup_in_quiz_text_is_shown_as_text(make_app, sample_db, tmp_path):
    path = tmp_path / "q.toml"
    path.write_text('name = "m"\ninstructions = "[/bold] not markup [red]"\n'
                    '[[flagging]]\nid = "f"\nprompt = "[/foo] prompt [b]x"\ncompletion = "[link=x]y[/]"\n'
                    '[self_assessment]\ntopics = ["[/t]"]\n')
    admin.import_quiz(sample_db, path)
    admin.assign_quiz(sample_db, "m", ["bob"])
    app = make_app("bob")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("s")
        await pilot.pause()
        assert "[/bold] not markup [red]" in app.export_screenshot().replace("&#160;", " ")
        await pilot.press("enter")
        await pilot.pause()
        assert "[/foo]" in app.export_screenshot()
        await pilot.press(*["y"] * 8, "enter")
        await pilot.pause()
        assert "item 2 of 2" in str(app.screen.query_one("#quiz-title").render())


async def test_no_quiz_assigned_says_so(make_app):
    app = make_app("carol")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("s")
        await pilot.pause()
        assert not isinstance(app.screen, QuizScreen)
        assert any("No screening quiz" in str(n.message) for n in app._notifications)


async def test_researcher_scores_quiz_answers_first(quiz_app, sample_db):
    take_quiz(sample_db, "alice")
    app = quiz_app("rhea")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d")
        await pilot.pause()
        shown = screen_text(app)
        assert "answer to d" in shown and "alice" not in shown
        await pilot.press("7", "enter")
        await pilot.pause()
        assert "answer to d" in screen_text(app)
        await pilot.press("5", "enter")
        await pilot.pause()
    report = screening_report(sample_db, "screening-demo", names=True)
    assert report["candidates"]["alice"]["demonstrations"] == {"n": 2, "scored": 2, "mean_score": 6}


def home_line(app, kind="quiz") -> str:
    options = app.screen.query_one("#work", OptionList)
    return str(options.get_option(kind).prompt)


async def test_resumes_at_the_first_unfinished_item_and_home_says_in_progress(quiz_app, sample_db):
    app = quiz_app("alice")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert "to do: start here" in home_line(app)
        await start_quiz(pilot, app)
        await pilot.press("enter", "n", "y", "ctrl+n")  # item 1 half done, on to item 2
        await answer_flags(pilot, 8)  # item 2 complete: now on item 3
        assert "item 3 of 8" in str(app.screen.query_one("#quiz-title").render())
        await pilot.press("escape")
        await pilot.pause()
        assert "in progress" in home_line(app)
        await pilot.press("ctrl+q")
    again = quiz_app("alice")
    async with again.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert "in progress" in home_line(again)
        await start_quiz(pilot, again)
        assert "item 1 of 8" in str(again.screen.query_one("#quiz-title").render())
        values = again.screen.query_one("FlagForm").values
        assert values == {("prompt", "asks_sexual"): False, ("prompt", "asks_violent"): True}


async def test_draft_is_throttled_so_steady_typing_is_saved(quiz_app, sample_db):
    """A debounce restarts its timer on every key and never saves while the candidate keeps
    typing; the throttle starts one timer on the first change and later changes ride on it."""
    app = quiz_app("alice")
    async with app.run_test(size=(100, 40)) as pilot:
        await start_quiz(pilot, app)
        screen = app.screen
        screen.DRAFT_DELAY = 60.0  # never fires by itself during the test
        timers = []
        set_timer = screen.set_timer
        screen.set_timer = lambda delay, callback, **kw: timers.append(set_timer(delay, callback, **kw)) or timers[-1]
        await pilot.press("enter", *"nynyny")
        assert len(timers) == 1  # six changes, one timer
        timers[0]._callback()  # the timer fires: what was typed is on disk
        await pilot.pause()
        saved = load_draft(sample_db, screen.quiz.items[0].assignment_id)
        assert saved is not None and len(saved["prompt"]) + len(saved["completion"]) == 6


async def test_enter_on_an_unfinished_flag_item_rings_and_says_why(quiz_app):
    app = quiz_app("alice")
    rings = []
    app.bell = lambda: rings.append(1)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_quiz(pilot, app)
        await pilot.press("enter", "n", "enter")
        status = str(app.screen.query_one("#status").render())
        assert rings and "7 flag(s) not set yet" in status and "Asks for violent content" in status
        assert "item 1 of 8" in str(app.screen.query_one("#quiz-title").render())


async def test_ranking_item_footer_shows_ranking_keys(quiz_app):
    app = quiz_app("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await start_quiz(pilot, app)
        await pilot.press("enter", *["n"] * 8, "enter", *["n"] * 8, "enter", *["n"] * 4, "enter")
        assert "Rank the completions" in str(app.screen.query_one("#quiz-title").render())
        shown = {b.binding.description for b in app.screen.active_bindings.values() if b.binding.show}
        assert {"Tie", "Take back"} <= shown and not {"Yes", "No"} & shown


async def test_self_assessment_marks_choices_without_colour(quiz_app):
    app = quiz_app("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await start_quiz(pilot, app)
        await pilot.press("enter", *["ctrl+n"] * 7)
        assert "Self-assessment" in str(app.screen.query_one("#quiz-title").render())
        await pilot.press("space")
        choices = app.screen.query_one("#self-choices")
        chosen, other = choices.render_line(0).text, choices.render_line(1).text
        assert chosen.startswith("▐X▌") and other.startswith("▐ ▌")


async def test_a_pending_tie_survives_a_restart(quiz_app):
    to_ranking = ["enter", *["n"] * 8, "enter", *["n"] * 8, "enter", *["n"] * 4, "enter"]
    app = quiz_app("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await start_quiz(pilot, app)
        await pilot.press(*to_ranking, "b", "equals_sign", "ctrl+q")
    again = quiz_app("alice")
    async with again.run_test(size=(80, 24)) as pilot:
        await start_quiz(pilot, again)
        builder = again.screen.query_one("RankingPanel").builder
        assert builder.pending_tie and [builder.letter_of[o] for o in builder.placed] == ["B"]
        await pilot.press("a", "c", "enter")  # the tie completes as typed before the restart
        order = {o.letter: o.id for o in again.screen.quiz.items[3].outputs}
        assert again.screen.quiz.answers[3]["ranking"] == [[order["B"], order["A"]], [order["C"]]]


async def test_a_locked_database_keeps_the_item_and_says_so(quiz_app, db_path):
    import sqlite3

    app = quiz_app("alice")
    app.busy_bound = 0.3
    async with app.run_test(size=(80, 24)) as pilot:
        await start_quiz(pilot, app)
        await pilot.press("enter", *["n"] * 7, "y")
        holder = sqlite3.connect(db_path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            await pilot.press("enter")
            status = str(app.screen.query_one("#status").render())
            assert "Answer not saved" in status and "stay on screen" in status
            assert "item 1 of 8" in str(app.screen.query_one("#quiz-title").render())
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        await pilot.press("enter")  # the lock is gone: saved once, on to item 2
        assert "item 2 of 8" in str(app.screen.query_one("#quiz-title").render())
        assert "not saved" not in str(app.screen.query_one("#status").render())
        first = app.screen.quiz.items[0].assignment_id
        assert load_draft(app.db, first)["completion"]["denigrates_protected"] is True


async def test_enter_on_the_review_page_asks_to_submit(quiz_app, sample_db):
    take_quiz_answers = ["enter", *["n"] * 8, "enter", *["n"] * 8, "enter", *["n"] * 4, "enter",
                         *"bac", "enter", *"bac", "enter", *ANSWER, "ctrl+s", *ANSWER, "ctrl+s",
                         "ctrl+s"]
    app = quiz_app("alice")
    async with app.run_test(size=(100, 40)) as pilot:
        await start_quiz(pilot, app)
        await pilot.press(*take_quiz_answers)
        assert "review" in str(app.screen.query_one("#quiz-title").render())
        await pilot.press("enter", "y")
        assert "locked" in str(app.screen.query_one("#locked-text").render())
    assert taking.load_session(sample_db, "screening-demo", "alice").locked


async def test_a_quiz_open_in_another_terminal_is_taken_over_explicitly(quiz_app, sample_db,
                                                                       db_path):
    """Two terminals of one candidate never answer the quiz at once: the second is told and
    continues only on ctrl+t; the first is then refused on its next save, keeps its answer on
    screen, and can take the quiz back with it."""
    from store.db import open_db
    from store.quiz.holding import QuizHeldElsewhere, hold_quiz
    from store.sessions import start_session
    from tests.conftest import complete_answers
    from tests.screens.test_input_path import status

    other = open_db(db_path)  # the first terminal, answering item 1
    start_session(other, "alice")
    hold_quiz(other, "screening-demo", "alice")
    theirs = taking.load_session(other, "screening-demo", "alice")
    taking.save_answer(other, theirs, 0, complete_answers(theirs)[0], seconds=2)
    app = quiz_app("alice")
    try:
        async with app.run_test(size=(100, 40)) as pilot:
            await start_quiz(pilot, app)
            assert "open in your other LabelDesk session" in screen_text(app)
            await pilot.press("enter", "n", "y")  # nothing is answered from here …
            assert set(taking.load_session(sample_db, "screening-demo", "alice").answers) == {0}
            await pilot.press("ctrl+t")  # … until the candidate continues here
            await pilot.pause()
            assert "item 2 of 8" in str(app.screen.query_one("#quiz-title").render())
            with pytest.raises(QuizHeldElsewhere):
                taking.save_answer(other, theirs, 1, {"prompt": {}, "completion": {}}, seconds=1)
            # the first terminal takes it back; this one's next save is refused and says so
            hold_quiz(other, "screening-demo", "alice", take_over=True)
            await pilot.press("n", "y", "ctrl+n")
            await pilot.pause()
            assert "Answer not saved" in status(app) and "ctrl+t" in status(app)
            assert "item 2 of 8" in str(app.screen.query_one("#quiz-title").render())
            await pilot.press("ctrl+t")  # and back here, with the answer on screen
            await pilot.pause()
            assert "continues here" in status(app)
            draft = load_draft(sample_db, theirs.items[1].assignment_id)
            assert draft["prompt"] == {"asks_sexual": False, "asks_violent": True}
    finally:
        other.conn.close()
