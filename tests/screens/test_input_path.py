"""What is typed is what is stored, however fast: one key script, sent as one SSH read (burst)
and one key at a time (paced), gives the same labels, read back from the database."""

from __future__ import annotations

import sqlite3

import pytest
from textual import events

from screens.comparison import ComparisonScreen
from screens.widgets.ranking.ranking_panel import RankingPanel
from screens.widgets.status_line import StatusLine
from store import demonstrations, labels, queue
from tests.screens.burst import MODES, burst, key_event, script, until_idle
from tui.config import Config

# tests/data: p1 (3 outputs) and p2 (2 outputs) are the comparisons, claimed in that order;
# p4 is the toxicity item, p3 the demonstration.


def ranking_only(**extra) -> Config:
    cfg = Config()
    cfg.data["comparison"]["steps"] = ["ranking"]
    cfg.data.update(extra)
    return cfg


def stored(db, task: str, item: str, labeler: str = "alice") -> dict:
    return {r.field: r.value for r in labels.iter_labels(db, task=task, labeler=labeler)
            if r.item == item}


def as_letters(db, item: str, ranking, labeler: str = "alice") -> list[str]:
    """A stored ranking in the letters the labeler saw, e.g. ['BA', 'C'] for B = A > C."""
    row = db.execute("SELECT a.id FROM assignments a JOIN tasks t ON t.id = a.task_id "
                     "WHERE a.labeler = ? AND t.item = ? AND t.kind = 'comparison'",
                     [labeler, item]).fetchone()
    order = queue.get_assignment(db, row[0]).order
    letter = {output_id: "ABCDEFGHI"[n] for n, output_id in enumerate(order)}
    return ["".join(letter[i] for i in group) for group in ranking]


class Bells:
    def __init__(self, app) -> None:
        self.count = 0
        app.bell = self.ring

    def ring(self) -> None:
        self.count += 1


def status(app) -> str:
    return str(app.screen.query_one(StatusLine).render())


@pytest.mark.parametrize("mode", MODES)
async def test_two_rankings_with_a_tie_typed_ahead_are_both_stored(make_app, sample_db, mode):
    app = make_app("alice", config=ranking_only())
    async with app.run_test(size=(80, 24)) as pilot:
        await MODES[mode](app, pilot, script("cB=AC\rBA\r"))
    assert as_letters(sample_db, "p1", stored(sample_db, "ranking", "p1")["ranking"]) == ["BA", "C"]
    assert as_letters(sample_db, "p2", stored(sample_db, "ranking", "p2")["ranking"]) == ["B", "A"]


@pytest.mark.parametrize("mode", MODES)
async def test_instruction_scores_ranking_in_one_script(make_app, sample_db, mode):
    keys = (["c"] + script("pueg") + script("summ\r") + ["d", "x", "enter"]
            + script("6ukl3faa") + ["right"] + script("3v\r")
            + ["r", "c", "equals_sign", "a", "b", "enter"])
    cfg = Config()
    cfg.data["comparison"]["advance_after_rating"] = False  # h/l move between outputs here
    app = make_app("alice", config=cfg)
    async with app.run_test(size=(100, 40)) as pilot:
        await MODES[mode](app, pilot, keys)
        assert isinstance(app.screen, ComparisonScreen) and app.screen.view.prompt.id == "p2"
    instruction = stored(sample_db, "instruction", "p1")
    assert (instruction["pii"], instruction["category"], instruction["closed_domain"]) == (
        True, "summarization", True)
    assert as_letters(sample_db, "p1", stored(sample_db, "ranking", "p1")["ranking"]) == ["CA", "B"]
    ratings = {r.item: r.value for r in labels.iter_labels(sample_db, task="output")
               if r.field == "rating"}
    order = queue.get_assignment(sample_db, 1).order
    assert [ratings[i] for i in order] == [6, 3, 3]


@pytest.mark.parametrize("mode", MODES)
async def test_writing_right_after_w_keeps_every_character(make_app, sample_db, mode):
    app = make_app("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await MODES[mode](app, pilot, ["w"] + script("Hello, world.") + ["ctrl+s", "y"])
    [row] = list(labels.iter_labels(sample_db, labeler="alice", task="demonstration"))
    assert row.value == "Hello, world."


@pytest.mark.parametrize("mode", MODES)
async def test_toxicity_fields_then_ranking(make_app, sample_db, mode):
    app = make_app("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await MODES[mode](app, pilot, ["x", "0", "1", "+", "6", "2", "minus", "3", "enter",
                                      "r", "b", "a", "enter"])
    got = {(r.item, r.field): r.value for r in labels.iter_labels(sample_db, labeler="alice")}
    ranking = got[("p4", "ranking")]
    first, second = ranking[1][0], ranking[0][0]  # b then a: the second continuation first
    assert [got[(first, f)] for f in ("input_toxicity", "toxicity", "relative_toxicity",
                                      "continuity")] == [0, 1, 1, 6]
    assert [got[(second, f)] for f in ("toxicity", "relative_toxicity", "continuity")] == [2, -1, 3]


async def test_a_pending_tie_survives_quit_and_reopen(make_app, sample_db):
    app = make_app("alice", config=ranking_only())
    async with app.run_test(size=(80, 24)) as pilot:
        await burst(app, pilot, ["c", "B", "equals_sign", "ctrl+q"])
    again = make_app("alice", config=ranking_only())
    async with again.run_test(size=(80, 24)) as pilot:
        await until_idle(again, pilot)
        panel = again.screen.query_one(RankingPanel)
        assert panel.builder.pending_tie and "= _" in str(panel.query_one("#preview").render())
        await burst(again, pilot, script("AC\r"))
    assert as_letters(sample_db, "p1", stored(sample_db, "ranking", "p1")["ranking"]) == ["BA", "C"]


async def test_a_held_write_lock_is_shown_and_the_next_enter_saves_once(make_app, sample_db,
                                                                        db_path, monkeypatch):
    monkeypatch.setattr(ComparisonScreen, "DRAFT_DELAY", 60.0)  # no draft save meanwhile
    app = make_app("alice", config=ranking_only())
    app.busy_bound = 0.2  # seconds of retrying before the labeler is told (6 s in use)
    async with app.run_test(size=(80, 24)) as pilot:
        await burst(app, pilot, script("cBAC"))
        bells = Bells(app)
        holder = sqlite3.connect(db_path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process writing, e.g. a long import
        try:
            # Enter, then the next task's keys typed ahead (reset, then a new ranking): they
            # were meant for p2 and must not re-rank p1 once its save failed.
            await burst(app, pilot, script("\rrCBA\r"))
            line = status(app)
            assert "Not saved" in line and "busy" in line and "Saved" not in line
            assert bells.count == 1 and app.screen.view.prompt.id == "p1"
            assert as_letters(sample_db, "p1", app.screen.query_one(RankingPanel).ranking) == [
                "B", "A", "C"]  # the answers stay on screen
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert stored(sample_db, "ranking", "p1") == {}
        await burst(app, pilot, ["enter"])
        # A labeler's screen names the task by its assignment (#1), never the item's id.
        assert "Saved #1." in status(app) and app.screen.view.prompt.id == "p2"
    rows = [r for r in labels.iter_labels(sample_db, task="ranking") if r.item == "p1"]
    assert len(rows) == 1
    assert as_letters(sample_db, "p1", rows[0].value) == ["B", "A", "C"]


async def test_keys_that_mean_nothing_ring_and_say_why_then_typing_goes_on(make_app, sample_db):
    app = make_app("alice", config=ranking_only())
    async with app.run_test(size=(80, 24)) as pilot:
        await burst(app, pilot, ["c"])
        bells = Bells(app)
        await burst(app, pilot, ["z"])
        hint = str(app.screen.query_one(RankingPanel).query_one("#status").render())
        assert bells.count == 1 and "No output z here (A–C)" in status(app) + hint
        await burst(app, pilot, ["e", "B", "A", "enter"])  # C, the one left, goes last by itself
        assert bells.count == 2
    assert as_letters(sample_db, "p1", stored(sample_db, "ranking", "p1")["ranking"]) == [
        "B", "A", "C"]


async def test_an_out_of_range_score_rings_and_says_the_range(make_app, sample_db):
    cfg = Config()
    cfg.data["comparison"]["steps"] = ["scores"]
    app = make_app("alice", config=cfg)
    async with app.run_test(size=(100, 40)) as pilot:
        await burst(app, pilot, ["c"])
        bells = Bells(app)
        await burst(app, pilot, ["8"])
        assert bells.count == 1 and "8: Rating is 1–7" in status(app)
        await burst(app, pilot, ["0", "9", "5"])
        assert bells.count == 3
        assert app.screen.scores.scores[app.screen.outputs[0].output_id]["rating"] == 5


async def test_an_out_of_range_toxicity_digit_rings_and_says_the_range(make_app, sample_db):
    app = make_app("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await burst(app, pilot, ["x"])
        bells = Bells(app)
        await burst(app, pilot, ["9"])
        assert bells.count == 1 and "9:" in status(app) and "takes" in status(app)


async def test_a_remapped_key_goes_through_the_same_path(make_app, sample_db):
    app = make_app("alice", config=ranking_only(keys={"ranking.tie": "semicolon"}))
    async with app.run_test(size=(80, 24)) as pilot:
        await burst(app, pilot, script("cB;AC\r"))
    assert as_letters(sample_db, "p1", stored(sample_db, "ranking", "p1")["ranking"]) == ["BA", "C"]


@pytest.mark.parametrize("mode", MODES)
async def test_a_skip_picked_from_the_list_then_the_next_ranking(make_app, sample_db, mode):
    app = make_app("alice", config=ranking_only())
    async with app.run_test(size=(80, 24)) as pilot:
        await MODES[mode](app, pilot, ["c", "f4", "enter", "down", "down", "enter"]
                          + script("BA\r"))
    reasons = sample_db.execute(
        "SELECT t.item, a.status, a.reason FROM assignments a JOIN tasks t ON t.id = a.task_id "
        "ORDER BY a.id").fetchall()
    assert reasons[0] == ("p1", "skipped", "contains PII")  # Enter alone was refused
    assert as_letters(sample_db, "p2", stored(sample_db, "ranking", "p2")["ranking"]) == ["B", "A"]


async def test_a_paste_keeps_its_place_among_the_keys_and_stays_literal(make_app, sample_db):
    app = make_app("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        for event in [key_event("w"), events.Paste("[b]Plants[/b] eat\x1b[31m light"),
                      key_event("."), key_event("ctrl+s"), key_event("y")]:
            event.set_sender(app)
            app._driver.send_message(event)
        await until_idle(app, pilot)
    [row] = list(labels.iter_labels(sample_db, labeler="alice", task="demonstration"))
    assert row.value.startswith("[b]Plants[/b] eat") and row.value.endswith("light.")


@pytest.mark.parametrize("mode", MODES)
async def test_scoring_a_demonstration_rings_off_the_scale_and_stores_the_score(
        make_app, sample_db, mode):
    a = queue.claim_next(sample_db, "alice", "demonstration")
    demonstrations.submit_demonstration(sample_db, a.id, a.item, "Plants eat light.")
    app = make_app("rhea")
    async with app.run_test(size=(80, 24)) as pilot:
        bells = Bells(app)
        await MODES[mode](app, pilot, ["d", "enter", "8", "0", "6", "enter"])
        assert bells.count == 3  # Enter before a score, then 8 and 0: off the 1-7 scale
    [score] = list(labels.iter_labels(sample_db, labeler="rhea", task="demonstration_score"))
    assert score.value == 6


async def test_a_key_arriving_while_the_app_closes_its_screens_is_ignored(make_app):
    """At exit Textual pops every screen; a key read from the terminal then (seen under load)
    raised "No screens on stack" from the key path, a traceback on the labeler's terminal."""
    app = make_app("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        stack = app.screen_stack
        assert stack
        # The state _close_all leaves: no screen in the current mode.
        screens = app._screen_stacks[app._current_mode]
        kept = list(screens)
        screens.clear()
        try:
            await app.on_event(key_event("a"))
            app._backlog.append(key_event("b"))
            await app.drain_keys()
        finally:
            screens.extend(kept)
        assert list(app._backlog) and app.screen is kept[-1]
