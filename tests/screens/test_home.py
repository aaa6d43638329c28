from textual.widgets import Markdown, OptionList

from screens.guidelines import matching
from screens.help import HelpScreen
from screens.home import HomeScreen


def option_texts(app):
    options = app.screen.query_one("#work", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_home_shows_labeler_and_counts(make_app):
    app = make_app("alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        texts = option_texts(app)
        assert "alice" in str(app.screen.query_one("#who").render())
        comparison = next(t for t in texts if t.startswith("[c]"))
        assert "2 waiting" in comparison and "0 done" in comparison
        assert any(t.startswith("[w]") and "2 waiting" in t for t in texts)
        assert not any(t.startswith("[d]") for t in texts)  # researcher-only work is hidden


async def test_researcher_sees_scoring(make_app):
    app = make_app("rhea")
    async with app.run_test(size=(100, 30)):
        assert any(t.startswith("[d]") for t in option_texts(app))


GUIDE = "# Guide\n\nIntro.\n\n## Ranking\n\nTies are fine.\n\n## Hallucination\n\nMade-up facts.\n"


async def test_f1_opens_searchable_guidelines(make_app, tmp_path, monkeypatch):
    (tmp_path / "g.md").write_text(GUIDE)
    monkeypatch.setattr("screens.guidelines.GUIDELINES", tmp_path / "g.md")
    app = make_app("alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("slash", *"hallucination", "enter")
        shown = app.screen.query_one("#help-md", Markdown).source
        assert shown == "## Hallucination\n\nMade-up facts."
        assert matching(GUIDE, "ties fine") == ["## Ranking\n\nTies are fine."]
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_unbuilt_work_says_so(make_app, monkeypatch):
    import dataclasses

    import tui.app

    # Every kind of work is built now: point one at a module that does not exist.
    work = tuple(dataclasses.replace(w, screen="screens.not_built:Nothing") if w.kind == "survey"
                 else w for w in tui.app.WORK)
    monkeypatch.setattr(tui.app, "WORK", work)
    app = make_app("alice")
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("v")
        assert any("Surveys: this screen is not built yet" in str(n.message)
                   for n in app._notifications)
        assert isinstance(app.screen, HomeScreen) and app.is_running


def test_home_snapshot_80x24(make_app, snap_compare):
    assert snap_compare(make_app("alice"), terminal_size=(80, 24))


def test_home_snapshot_160x48(make_app, snap_compare):
    assert snap_compare(make_app("rhea"), terminal_size=(160, 48))


async def test_palette_offers_work_but_no_screenshot_to_labelers(make_app):
    app = make_app("alice")
    async with app.run_test(size=(100, 30)):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Start: Write demonstrations" in titles and "Guidelines and FAQ" in titles
        assert not any("creenshot" in t for t in titles)
    researcher = make_app("rhea")
    async with researcher.run_test(size=(100, 30)):
        assert any("creenshot" in c.title for c in researcher.get_system_commands(researcher.screen))
