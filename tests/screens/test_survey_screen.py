"""Surveys by keyboard: skippable questions, anonymous rows, one response per labeler."""

import json

from textual.widgets import OptionList, Select

from screens.survey import SurveyScreen
from tests.conftest import snapshot_keys


async def test_demographics_by_keyboard_is_anonymous(make_app, sample_db):
    app = make_app("alice")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, SurveyScreen)
        await pilot.press("enter")  # demographics
        await pilot.pause()
        assert app.focused.id == "q-gender"
        await pilot.press("tab", "tab", "tab")  # skip gender, ethnicity, nationality
        assert app.focused.id == "q-age_band"
        await pilot.press("enter", "down", "down", "enter")
        await pilot.pause()
        assert app.screen.query_one("#q-age_band", Select).value == "25-34"
        await pilot.press("ctrl+s")
        await pilot.pause()
        options = app.screen.query_one("#survey-list", OptionList)
        assert options.get_option("demographics").disabled
        assert "answered" in str(options.get_option("demographics").prompt)
    rows = sample_db.execute("SELECT * FROM survey_responses").fetchall()
    assert len(rows) == 1 and json.loads(rows[0][3]) == {"age_band": "25-34"}
    assert "alice" not in repr(rows)
    assert sample_db.execute("SELECT labeler FROM survey_takers").fetchall() == [("alice",)]


async def test_satisfaction_includes_config_statements(make_app):
    from tui.config import Config

    config = Config()
    config.data["surveys"]["extra_statements"] = ["The app was quick."]
    app = make_app("bob", config=config)
    async with app.run_test(size=(100, 60)) as pilot:
        await pilot.press("v", "down", "enter")
        await pilot.pause()
        labels = " ".join(str(w.render()) for w in app.screen.query(".question"))
        assert "I was paid fairly." in labels and "The app was quick." in labels
        await pilot.press("ctrl+s")  # everything skipped is a valid response
        await pilot.pause()
        assert app.screen.query_one("#survey-list", OptionList).get_option("satisfaction").disabled


def test_survey_form_snapshot_80x24(make_app, snap_compare):
    assert snap_compare(make_app("alice"), terminal_size=(80, 24), run_before=snapshot_keys("v", "enter"))


async def test_scale_questions_take_their_digit_and_move_on(make_app, sample_db):
    app = make_app("alice")
    async with app.run_test(size=(100, 60)) as pilot:
        await pilot.press("v", "down", "enter", "4", "2", "0", "5")  # 0 clears, stays on question 3
        assert app.focused.id == "q-paid_fairly"  # 5 answered question 3 and moved on
        await pilot.press("tab", "right", "right", "ctrl+s")  # skip paid_fairly; glad: 1, then 2
        await pilot.pause()
    (answers,) = [json.loads(r[0]) for r in sample_db.execute("SELECT answers FROM survey_responses")]
    assert answers == {"instructions_clear": 4, "enjoyable": 2, "repetitive": 5, "glad": 2}


def test_scale_questions_snapshot_80x24(make_app, snap_compare):
    """The chosen point is marked by brackets and an arrow, not colour alone."""
    assert snap_compare(make_app("alice"), terminal_size=(80, 24), run_before=snapshot_keys("v", "down", "enter", "4"))


async def test_submit_is_shown_only_in_an_open_survey(make_app):
    from tests.screens.test_layout import visible_keys

    app = make_app("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        await pilot.pause()
        assert "Submit" not in visible_keys(app) and "Skip" not in visible_keys(app)
        await pilot.press("enter")
        await pilot.pause()
        assert "Submit" in visible_keys(app)
        await pilot.press("escape")  # back to the list, unsent
        await pilot.pause()
        assert "Submit" not in visible_keys(app)
