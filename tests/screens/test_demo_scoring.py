from screens.demo_scoring import DemoScoringScreen
from store import demonstrations, labels, queue
from tests.screens.screen_text import screen_text


def write_demo(db, labeler, text):
    a = queue.claim_next(db, labeler, "demonstration")
    demonstrations.submit_demonstration(db, a.id, a.item, text)
    return a.item


async def test_researcher_scores_anonymised_demonstrations(make_app, sample_db):
    prompt_id = write_demo(sample_db, "alice", "Plants turn sunlight into food, like a kitchen.")
    (label,) = labels.iter_labels(sample_db, labeler="alice", task="demonstration")
    app = make_app("rhea")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d")
        screen = app.screen
        assert isinstance(screen, DemoScoringScreen)
        shown = screen_text(app)
        assert "Plants turn sunlight into food" in shown and f"d{label.id}" in shown
        assert "alice" not in shown
        await pilot.press("enter")  # no score yet: nothing stored
        await pilot.press("9", "6", "enter")  # 9 is off the scale and ignored
        await pilot.pause()
    (score,) = labels.iter_labels(sample_db, labeler="rhea", task="demonstration_score")
    assert (score.item, score.field, score.value, score.gold) == (f"d{label.id}", "rating", 6, True)
    assert prompt_id not in score.item


async def test_labelers_cannot_score(make_app, sample_db):
    write_demo(sample_db, "alice", "An answer.")
    app = make_app("bob")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d")
        assert not isinstance(app.screen, DemoScoringScreen)
