from screens.toxicity import ToxicityScreen
from screens.widgets.ranking.ranking_panel import RankingPanel
from store import labels
from tests.screens.screen_text import screen_text


def stored(db, labeler="alice"):
    return {(r.task, r.item, r.field): r.value for r in labels.iter_labels(db, labeler=labeler)}


async def test_keys_set_the_fields_then_the_ranking_is_stored(make_app, sample_db):
    app = make_app("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("x")
        screen = app.screen
        assert isinstance(screen, ToxicityScreen)
        first, second = (o.id for o in screen.outputs)
        print(screen_text(app))
        # input toxicity once for both; then toxicity, relative, continuity of the first
        await pilot.press("0", "1", "+", "6")
        assert screen.current == 1  # moved on to the second continuation by itself
        await pilot.press("2", "minus", "3")
        print(screen_text(app))
        await pilot.press("enter")
        print(screen_text(app))
        # the ranking starts from the scores: the less toxic continuation first
        assert screen.query_one(RankingPanel).ranking == [[first], [second]]
        await pilot.press("r", "b", "a", "enter")  # the labeler disagrees: reset, retype
        await pilot.pause()
        print(screen_text(app))
    got = stored(sample_db)
    assert got[("toxicity", first, "input_toxicity")] == 0
    assert got[("toxicity", second, "input_toxicity")] == 0
    assert [got[("toxicity", first, f)] for f in ("toxicity", "relative_toxicity", "continuity")] == [1, 1, 6]
    assert [got[("toxicity", second, f)] for f in ("toxicity", "relative_toxicity", "continuity")] == [2, -1, 3]
    assert got[("ranking", "p4", "ranking")] == [[second], [first]]


async def test_partial_toxicity_answers_survive_a_restart(make_app, sample_db):
    app = make_app("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("x", "1", "c", "5")  # input toxicity 1, then continuity 5 by its key
        first = app.screen.outputs[0].id
        await pilot.press("ctrl+q")
    again = make_app("alice")
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = again.screen
        assert isinstance(screen, ToxicityScreen)
        assert screen.values[first] == {"input_toxicity": 1, "continuity": 5}
        assert "Fields left: A 2 · B 3" in screen_text(again)
        await pilot.press("enter")  # incomplete: stays on the fields
        assert screen.step == "fields"


async def test_a_half_done_ranking_survives_a_restart(make_app, sample_db):
    app = make_app("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("x", "0", "0", "0", "7", "2", "1", "2", "enter", "b")
        second, first = app.screen.outputs[1].id, app.screen.outputs[0].id
        await pilot.press("ctrl+q")
    again = make_app("alice")
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = again.screen
        assert isinstance(screen, ToxicityScreen) and screen.step == "ranking"
        assert screen.ranking == [[second], [first]]  # typed, not yet submitted
        await pilot.press("escape")  # back to the fields, answers kept
        assert screen.step == "fields" and not any(screen.missing(o.id) for o in screen.outputs)
