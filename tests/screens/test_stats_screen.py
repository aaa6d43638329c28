from screens.stats import StatsScreen
from tests.conftest import figures_settled


async def test_researcher_sees_the_statistics(make_app):
    app = make_app("rhea")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("t")
        await figures_settled(pilot)
        assert isinstance(app.screen, StatsScreen)
        tables = [w.content for w in app.screen.query(".stats-table")]
        assert len(tables) == 7  # prompts, users, 2 lengths, kinds, over-overlap, labelers
        assert tables[0].title.startswith("Prompts")
        assert "5" in [str(c) for c in tables[0].columns[1].cells]  # 5 prompts in the pool
        await pilot.press("escape")
        assert not isinstance(app.screen, StatsScreen)


async def test_labelers_have_no_statistics(make_app):
    app = make_app("alice")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        assert not isinstance(app.screen, StatsScreen)


async def test_hostile_user_ids_are_shown_literally(make_app, sample_db, tmp_path):
    import json

    from store.imports import import_prompts

    hostile = "[bold]u[/bold][@click=app.quit]\x1b]0;owned\x07\u202e"
    (tmp_path / "p.jsonl").write_text(json.dumps({"id": "h1", "text": "t", "user_id": hostile}) + "\n")
    import_prompts(sample_db, tmp_path / "p.jsonl")
    app = make_app("rhea")
    async with app.run_test(size=(160, 60)) as pilot:
        await pilot.press("t")
        await figures_settled(pilot)
        users = next(w.content for w in app.screen.query(".stats-table")
                     if w.content.title == "Users")
        cells = [str(c) for c in users.columns[0].cells]
        assert any("[bold]u[/bold][@click=app.quit]" in c for c in cells)
        assert not any("\x1b" in c or "\u202e" in c for c in cells)
        assert any("\\x1b]0;owned" in c for c in cells)  # shown, written out
        assert app.is_running


async def test_statistics_use_the_words_of_the_home_screen(make_app, sample_db):
    from screens.stats_tables import duration
    from store import demonstrations, queue

    app = make_app("rhea")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("d")  # nothing to score yet: the note names the work as home does
        await pilot.pause()
        assert [n.title for n in app._notifications] == ["Score demonstrations"]
    a = queue.claim_next(sample_db, "alice", "demonstration")
    demonstrations.submit_demonstration(sample_db, a.id, a.item, "An answer.", seconds=40)
    app = make_app("rhea")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("t")
        await figures_settled(pilot)
        tables = {w.content.title.split(" (")[0]: w.content for w in app.screen.query(".stats-table")}
        assert all(str(c.header).strip() for c in tables["Users"].columns)  # no empty header
        by_work = tables["Progress by work"]
        assert "Write demonstrations" in [str(c) for c in by_work.columns[0].cells]
        by_labeler = tables["Progress by labeler"]
        assert [str(c.header) for c in by_labeler.columns][3] == "time"
        assert "40 s" in [str(c) for c in by_labeler.columns[3].cells]
    assert [duration(s) for s in (None, 40, 600, 7200)] == ["–", "40 s", "10 min", "2.0 h"]
