from screens.stats import StatsScreen


async def test_researcher_sees_the_statistics(make_app):
    app = make_app("rhea")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("t")
        await pilot.pause()
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
        await pilot.pause()
        users = next(w.content for w in app.screen.query(".stats-table")
                     if w.content.title == "Users")
        cells = [str(c) for c in users.columns[0].cells]
        assert any("[bold]u[/bold][@click=app.quit]" in c for c in cells)
        assert not any("\x1b" in c or "\u202e" in c for c in cells)
        assert any("\\x1b]0;owned" in c for c in cells)  # shown, written out
        assert app.is_running
