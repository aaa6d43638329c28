"""A submit changes only what it changes: counted, not timed (bench/bench_key_cpu.py times it).

The status line says "Saved" after every submit and the next key empties it. It keeps its row
once it has said something, so the next task's panels are the height the last task's had and
the key that empties the line draws it in place; giving the row back made that key re-lay out
the screen, and every submit after it re-lay out the panels at their new height.
"""

from __future__ import annotations

from screens.comparison import ComparisonScreen
from screens.widgets.scores.scores_panel import ScoreCard
from screens.widgets.status_line import StatusLine
from tests.conftest import press_settled
from tests.screens.test_key_costs import app_with, counted


async def test_the_key_after_a_submit_empties_the_status_line_in_place(make_app, monkeypatch):
    app = app_with(make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        await press_settled(pilot, "c")
        screen = app.screen
        assert isinstance(screen, ComparisonScreen)
        line = screen.query_one(StatusLine)
        assert not line.display  # the first task has the row while nothing is said
        await press_settled(pilot, "3", "4", "5", "enter")  # p1 rated, ranked as rated
        assert line.display and line.said.startswith("Saved")  # p2 on screen
        height = screen.scores.size.height
        with counted(monkeypatch) as counts:
            await press_settled(pilot, "3")  # p2's A rated: "Saved" goes, B is shown
        assert line.said == "" and line.display and line.size.height == 1  # emptied, kept
        assert counts["layouts"] == 0, counts
        assert screen.scores.size.height == height  # the panels keep their height


async def test_a_submit_draws_the_next_tasks_fields_once(make_app, monkeypatch):
    """The scores panel, shown again for the next task, gets a Resize at the size it had; the
    fields drawn for the task stay (they were drawn twice a submit)."""
    app = app_with(make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        await press_settled(pilot, "c", "3", "4", "5")  # p1 rated: its ranking on screen
        drawn = []
        update = ScoreCard.update_fields

        def counted_update(card, *args):
            drawn.append(card.id)
            return update(card, *args)

        monkeypatch.setattr(ScoreCard, "update_fields", counted_update)
        await press_settled(pilot, "enter")  # p1 submitted: p2's first output shown
        assert app.screen.query_one(StatusLine).said.startswith("Saved")
        assert drawn == ["score-card-0"], drawn
