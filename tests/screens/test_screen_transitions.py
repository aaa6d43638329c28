"""Keys typed across a screen change land on the screen the labeler sees next, however fast.

Every script below opens or closes a screen that is not a work screen (F1 help and its search,
the quality dashboard and its gold misses, adjudication, statistics) and goes on typing. Sent
as one SSH read (burst) and one key at a time (paced), it must leave the same data and the
same screen on top.
"""

from __future__ import annotations

import pytest

from screens.adjudication import AdjudicationScreen
from screens.comparison import ComparisonScreen
from screens.home import HomeScreen
from tests.screens.burst import MODES, script
from tests.screens.test_adjudication import config as adjudication_config
from tests.screens.test_adjudication import disputed
from tests.screens.test_input_path import as_letters, ranking_only, stored


@pytest.mark.parametrize("keys", [
    ["f1", "escape"] + script("cBAC\r"),  # help opened and closed on home, then a ranking
    ["c", "B", "f1", "escape"] + script("AC\r"),  # help in the middle of a ranking
], ids=["on-home", "mid-ranking"])
@pytest.mark.parametrize("mode", MODES)
async def test_help_opened_and_closed_then_a_ranking(make_app, sample_db, mode, keys):
    app = make_app("alice", config=ranking_only())
    async with app.run_test(size=(80, 24)) as pilot:
        await MODES[mode](app, pilot, keys)
        assert isinstance(app.screen, ComparisonScreen) and app.screen.view.prompt.id == "p2"
    assert as_letters(sample_db, "p1", stored(sample_db, "ranking", "p1")["ranking"]) == [
        "B", "A", "C"]


@pytest.mark.parametrize("mode", MODES)
async def test_a_help_search_then_back_to_work(make_app, sample_db, mode):
    app = make_app("alice", config=ranking_only())
    async with app.run_test(size=(80, 24)) as pilot:
        await MODES[mode](app, pilot, ["f1", "slash"] + script("tie\r") + ["escape"]
                          + script("cCAB\r"))
        assert isinstance(app.screen, ComparisonScreen)
    assert as_letters(sample_db, "p1", stored(sample_db, "ranking", "p1")["ranking"]) == [
        "C", "A", "B"]


@pytest.mark.parametrize("mode", MODES)
async def test_writing_with_help_in_between_keeps_every_character(make_app, sample_db, mode):
    app = make_app("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await MODES[mode](app, pilot, ["w"] + script("Plants") + ["f1", "escape"]
                          + script(" eat light.") + ["ctrl+s", "y"])
    from store import labels

    [row] = list(labels.iter_labels(sample_db, labeler="alice", task="demonstration"))
    assert row.value == "Plants eat light."


def decisions(db) -> list[tuple]:
    return db.execute("SELECT l.item, l.value, a.reason FROM labels l "
                      "JOIN adjudications a ON a.id = l.adjudication_id ORDER BY l.id").fetchall()


@pytest.mark.parametrize("mode", MODES)
async def test_dashboard_misses_stats_and_adjudication_in_one_script(make_app, sample_db, mode):
    disputed(sample_db)
    app = make_app("rhea", config=adjudication_config())
    async with app.run_test(size=(100, 40)) as pilot:
        # dashboard, a labeler's gold misses, back, back; statistics, back; adjudicate with
        # B's answer and the first reason; home; then the dashboard again.
        await MODES[mode](app, pilot, ["q", "enter", "escape", "escape", "t", "escape",
                                      "a", "B", "t", "enter", "escape", "q", "escape"])
        assert isinstance(app.screen, HomeScreen)
    assert decisions(sample_db) == [("p1-a", "7", "ambiguous_prompt")]


@pytest.mark.parametrize("mode", MODES)
async def test_adjudication_closed_and_reopened_keeps_the_order(make_app, sample_db, mode):
    disputed(sample_db)
    app = make_app("rhea", config=adjudication_config())
    async with app.run_test(size=(100, 40)) as pilot:
        await MODES[mode](app, pilot, ["a", "f1", "escape", "A", "escape", "a", "t", "enter"])
        assert isinstance(app.screen, AdjudicationScreen)
    assert decisions(sample_db) == [("p1-a", "2", "ambiguous_prompt")]
