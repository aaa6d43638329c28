from textual.widgets import OptionList

from screens.guidelines import matching
from screens.help import HelpScreen
from screens.home import HomeScreen
from screens.widgets.markdown_text import MarkdownLines
from tests.conftest import figures_settled, settle, snapshot_keys


def option_texts(app):
    options = app.screen.query_one("#work", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_home_shows_labeler_and_counts(make_app):
    app = make_app("alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await figures_settled(pilot)  # counted in a worker (screens/background.py)
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
        shown = [w.source for w in app.screen.query(MarkdownLines) if w.display]
        assert shown == ["## Hallucination\n\nMade-up facts."]
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
    assert snap_compare(make_app("alice"), terminal_size=(80, 24), run_before=snapshot_keys())


def test_home_snapshot_160x48(make_app, snap_compare):
    assert snap_compare(make_app("rhea"), terminal_size=(160, 48), run_before=snapshot_keys())


async def test_palette_offers_work_but_no_screenshot_to_labelers(make_app):
    app = make_app("alice")
    async with app.run_test(size=(100, 30)):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Start: Write demonstrations" in titles and "Guidelines and FAQ" in titles
        assert not any("creenshot" in t for t in titles)
    researcher = make_app("rhea")
    async with researcher.run_test(size=(100, 30)):
        assert any("creenshot" in c.title for c in researcher.get_system_commands(researcher.screen))


async def test_home_refreshes_counts_and_a_new_quiz_without_a_restart(
    make_app, sample_db, monkeypatch
):
    from pathlib import Path

    from screens import home
    from store.imports import import_prompts
    from store.quiz import admin as quizzes

    monkeypatch.setattr(home, "POLL_SECONDS", 0.2)
    app = make_app("alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await figures_settled(pilot)
        assert any(t.startswith("[c]") and "2 waiting" in t for t in option_texts(app))
        extra = Path(app.db.conn.execute("PRAGMA database_list").fetchone()[2]).parent / "p.jsonl"
        extra.write_text('{"id": "p9", "text": "Name a colour.", "tasks": ["instruction"]}\n')
        import_prompts(sample_db, extra)
        quizzes.import_quiz(sample_db, Path(__file__).parents[2] / "quiz.example.toml")
        quizzes.assign_quiz(sample_db, "screening-demo", ["alice"])
        # The home screen polls every POLL_SECONDS: wait for the poll that sees both changes.
        await settle(pilot, lambda: any(t.startswith("[i]") and "1 waiting" in t
                                        for t in option_texts(app))
                     and option_texts(app)[0].startswith("[s]"))
        texts = option_texts(app)
        assert texts[0].startswith("[s]") and "start here" in texts[0]
        assert app.screen.query_one("#work", OptionList).highlighted == 0
        assert any(t.startswith("[i]") and "1 waiting" in t for t in texts)


LONG_GUIDE = (
    "# Guide\n\n" + "".join(f"Line {n} of filler.\n\n" for n in range(60))
    + "## Ranking\n\n" + "".join(f"Rank line {n}.\n\n" for n in range(30))
    + "Ties are fine, see [ties](#ties-here) and `ties`.\n"
)


async def test_f1_search_highlights_matches_and_jumps_to_the_first(make_app, tmp_path, monkeypatch):
    from screens.help import highlight
    from tests.screens.screen_text import screen_text

    (tmp_path / "g.md").write_text(LONG_GUIDE)
    monkeypatch.setattr("screens.guidelines.GUIDELINES", tmp_path / "g.md")
    app = make_app("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1", "slash", *"ties", "enter")
        await pilot.pause()
        help_screen = app.screen
        shown = [w for w in help_screen.query(MarkdownLines) if w.display]
        assert len(shown) == 1 and shown[0].source.startswith("## Ranking")
        assert "~~Ties~~ are fine, see [~~ties~~](#ties-here) and `ties`." in shown[0].source
        body = help_screen.query_one("#help-body")
        first = help_screen.first_match("ties")
        assert first is not None and first[0] is shown[0]
        assert "Ties are fine" in first[0].lines(first[0].content_size.width)[first[1]].plain
        assert body.scroll_y > 0  # scrolled to it, on screen:
        row = next(y for y, line in enumerate(screen_text(app).split("\n")) if "Ties are fine" in line)
        strip = app.screen._compositor.render_strips()[row]
        marked = [seg for seg in strip if seg.text.lower() == "ties"]
        assert marked and all(seg.style.reverse and seg.style.bold for seg in marked[:2])  # more than colour
        assert not marked[-1].style.reverse  # inline code is not marked
    assert highlight("## Ties\n```\nties\n```\nties", "ties") == "## Ties\n```\nties\n```\n~~ties~~"
