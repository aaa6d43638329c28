"""A ranking the app brings back (a draft after a restart, a submit sent back for a missing
field) keeps what it was: a suggestion stays a suggestion, and on any complete ranking the first
letter of a full retype starts a new one. Typed key by key and in one burst, read back from the
database."""

from __future__ import annotations

from contextlib import asynccontextmanager

import pytest

from screens.comparison import ComparisonScreen
from screens.toxicity import ToxicityScreen
from screens.widgets.ranking.ranking_panel import RankingPanel
from tests.screens.burst import MODES, burst, script, until_idle
from tests.screens.test_input_path import Bells, as_letters, stored
from tui.config import Config


def comparison_config() -> Config:
    cfg = Config()
    cfg.data["comparison"]["advance_after_rating"] = False  # l moves between outputs here
    return cfg


# Skip the instruction, rate A 6, B 4, C 2: the suggestion is A > B > C. Enter on it is sent
# back to the instruction ("Missing: Category (g)").
RATE_AND_SUBMIT = ["c", "greater_than_sign", *script("6l4l2\r\r")]
CATEGORY_THEN_RANKING = ["g", *script("summ\r\r\r")]


@asynccontextmanager
async def restarted(make_app, keys, *, config=None, size=(100, 40)):
    """Type `keys` (ending with ctrl+q), start the app again on the same database: the resumed
    task with its draft. Yields (app, pilot)."""
    app = make_app("alice", config=config)
    async with app.run_test(size=size) as pilot:
        await burst(app, pilot, keys)
    again = make_app("alice", config=config)
    async with again.run_test(size=size) as pilot:
        await until_idle(again, pilot)
        yield again, pilot


@pytest.mark.parametrize("mode", MODES)
async def test_a_bounced_suggestion_is_still_replaced_by_typed_letters(make_app, sample_db, mode):
    app = make_app("alice", config=comparison_config())
    async with app.run_test(size=(100, 40)) as pilot:
        await burst(app, pilot, RATE_AND_SUBMIT)
        screen = app.screen
        assert isinstance(screen, ComparisonScreen) and screen.step == "instruction"
        assert "Category (g)" in str(screen.query_one("#status").render())
        await MODES[mode](app, pilot, CATEGORY_THEN_RANKING)
        panel = screen.query_one(RankingPanel)
        assert screen.step == "ranking" and panel.builder.prefilled  # still the suggestion
        await MODES[mode](app, pilot, script("CBA\r"))  # A, the last, confirms its placement
        assert screen.view.prompt.id == "p2"
    assert as_letters(sample_db, "p1", stored(sample_db, "ranking", "p1")["ranking"]) == [
        "C", "B", "A"]


@pytest.mark.parametrize("mode", MODES)
async def test_a_restored_suggestion_is_still_replaced_by_typed_letters(make_app, sample_db, mode):
    # A letter and its Backspace: the draft holds the suggestion, brought back.
    keys = [*RATE_AND_SUBMIT, *CATEGORY_THEN_RANKING, "B", "backspace", "ctrl+q"]
    async with restarted(make_app, keys, config=comparison_config()) as (again, pilot):
        screen = again.screen
        assert isinstance(screen, ComparisonScreen) and screen.step == "ranking"
        panel = screen.query_one(RankingPanel)
        assert panel.builder.prefilled
        assert "suggested" in str(panel.query_one("#preview").render())
        await MODES[mode](again, pilot, script("CBA\r"))
    assert as_letters(sample_db, "p1", stored(sample_db, "ranking", "p1")["ranking"]) == [
        "C", "B", "A"]


@pytest.mark.parametrize("mode", MODES)
async def test_a_restored_typed_ranking_is_replaced_by_a_full_retype(make_app, sample_db, mode):
    keys = [*RATE_AND_SUBMIT, *CATEGORY_THEN_RANKING, *"BA", "ctrl+q"]
    async with restarted(make_app, keys, config=comparison_config()) as (again, pilot):
        panel = again.screen.query_one(RankingPanel)
        assert not panel.builder.prefilled and panel.builder.complete  # B > A > C, typed
        await MODES[mode](again, pilot, script("CAB\r"))
    assert as_letters(sample_db, "p1", stored(sample_db, "ranking", "p1")["ranking"]) == [
        "C", "A", "B"]


@pytest.mark.parametrize("mode", MODES)
async def test_a_restored_toxicity_suggestion_is_replaced_by_a_letter(make_app, sample_db, mode):
    fields = ["x", "0", "1", "+", "6", "2", "minus", "3", "enter"]  # A less toxic: A > B
    keys = [*fields, "b", "backspace", "ctrl+q"]
    async with restarted(make_app, keys, size=(80, 24)) as (again, pilot):
        screen = again.screen
        assert isinstance(screen, ToxicityScreen) and screen.step == "ranking"
        first, second = (o.id for o in screen.outputs)
        assert screen.query_one(RankingPanel).builder.prefilled
        await MODES[mode](again, pilot, script("BA\r"))
    assert stored(sample_db, "ranking", "p4")["ranking"] == [[second], [first]]


@pytest.mark.parametrize("mode", MODES)
async def test_a_full_ranking_typed_out_rings_nothing_and_says_nothing(make_app, sample_db, mode):
    cfg = Config()
    cfg.data["comparison"]["steps"] = ["ranking"]
    app = make_app("alice", config=cfg)
    async with app.run_test(size=(80, 24)) as pilot:
        await burst(app, pilot, ["c"])
        bells = Bells(app)
        await MODES[mode](app, pilot, script("B=AC"))  # C is placed by the A; its letter agrees
        panel = app.screen.query_one(RankingPanel)
        assert bells.count == 0 and str(panel.query_one("#status").render()) == ""
        await MODES[mode](app, pilot, script("\r"))
    assert as_letters(sample_db, "p1", stored(sample_db, "ranking", "p1")["ranking"]) == [
        "BA", "C"]


@pytest.mark.parametrize("mode", MODES)
async def test_one_line_says_why_a_ranking_key_did_nothing(make_app, sample_db, mode):
    """The latest refusal only, on the screen's status line; a change clears it; the rating
    warning keeps the panel's line to itself, whole at 80 columns."""
    from screens.widgets.status_line import StatusLine
    from tests.screens.screen_text import screen_text

    app = make_app("alice", config=comparison_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await burst(app, pilot, ["c", "greater_than_sign", *script("6l4l2\r")])  # A > B > C
        panel = app.screen.query_one(RankingPanel)
        line = app.screen.query_one(StatusLine)
        await MODES[mode](app, pilot, ["z"])
        assert line.said == "No output z here (A–C)"
        await MODES[mode](app, pilot, ["C"])  # starts anew: C, rated 2, first
        assert line.said == ""
        await MODES[mode](app, pilot, ["C"])
        assert line.said.startswith("C is already placed")
        await MODES[mode](app, pilot, ["B", "equals_sign", "equals_sign"])  # C > B = A, then =
        assert line.said.startswith("All placed: press m")
        text = screen_text(app)
        assert "No output z" not in text and "already placed" not in text
        assert text.count("All placed") == 1
        warning = str(panel.query_one("#status").render())
        assert warning.startswith("⚠ ") and warning.endswith("(+1 more)") and warning in text
