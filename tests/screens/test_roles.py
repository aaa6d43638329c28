"""In the labeler role the app offers no way out of its own work: no export, gold, other
labelers' work, screenshots (files), shell, suspend or external editor."""

from __future__ import annotations

import importlib
import json

import pytest
from textual.binding import Binding

from screens.home import HomeScreen
from screens.registry import RESEARCHER_SCREENS, WORK
from store.imports import import_labels
from tests.conftest import settle
from tests.corpus.terminal import screen_lines

FORBIDDEN = ("export", "gold", "agreement", "import", "screenshot", "shell", "suspend",
             "editor", "file", "demonstration_score", "score demonstrations", "labelers")


def offered(app) -> list[str]:
    """Every command title and key action the labeler can reach from the current screen."""
    titles = [c.title for c in app.get_system_commands(app.screen)]
    actions = [ab.binding.action for ab in app.active_bindings.values()
               if ab.enabled and "start('" not in ab.binding.action]
    return [t.lower() for t in titles + actions]


def built_work_screens() -> list[type]:
    found = []
    for work in WORK:
        module, _, cls = work.screen.partition(":")
        try:
            found.append(getattr(importlib.import_module(module), cls))
        except (ModuleNotFoundError, AttributeError):
            continue
    return found


@pytest.fixture
def with_others_labels(sample_db, tmp_path):
    rows = [{"labeler": "bob", "task": "demonstration", "item": "p3", "field": "text",
             "value": "bob's answer"},
            {"labeler": "rhea", "task": "ranking", "item": "p1", "field": "ranking",
             "value": [["p1-a"], ["p1-b"], ["p1-c"]], "gold": True}]
    for i, (row, gold) in enumerate(zip(rows, (False, True), strict=True)):
        row.pop("gold", None)
        (tmp_path / f"l{i}.jsonl").write_text(json.dumps(row) + "\n")
        import_labels(sample_db, tmp_path / f"l{i}.jsonl", gold=gold)
    return sample_db


async def test_a_labeler_is_offered_only_labeling(make_app, with_others_labels):
    app = make_app("alice")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        reachable = offered(app)
        assert reachable and not [o for o in reachable if any(f in o for f in FORBIDDEN)]
        shown = "\n".join(screen_lines(app))
        assert "alice" in shown and "bob" not in shown and "rhea" not in shown
        await pilot.press("d")  # the researchers' scoring key does nothing for a labeler
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("ctrl+p")  # the command palette lists the same, nothing more
        await pilot.pause()
        await pilot.press(*"export")
        # The palette searches in a worker: wait for it, not for the clock (left running, it
        # raced the app's shutdown on a loaded machine and failed the test).
        await app.workers.wait_for_complete()
        await settle(pilot)
        palette = "\n".join(screen_lines(app)).lower()
        assert "export" in palette  # what was typed, and no command that matches it
        assert not any(f"{word}" in palette for word in ("screenshot", "score demonstrations"))
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await settle(pilot)


async def test_a_researcher_gets_the_research_work(make_app):
    app = make_app("rhea")
    async with app.run_test(size=(120, 40)):
        titles = [c.title.lower() for c in app.get_system_commands(app.screen)]
        assert any("score demonstrations" in t for t in titles)


@pytest.mark.parametrize("screen", built_work_screens(), ids=lambda s: s.__name__)
def test_work_screens_bind_no_way_out(screen):
    bindings = [b for b in screen.BINDINGS if isinstance(b, Binding)]
    actions = [b.action.lower() for b in bindings] + [
        (b[1] if isinstance(b, tuple) else "").lower() for b in screen.BINDINGS]
    assert not [a for a in actions if any(f in a for f in FORBIDDEN[:8])]


def test_the_role_gate_names_real_screens():
    """The gate matches screens by their `module:Class` name: a renamed or moved screen must
    not drop out of it unnoticed."""
    from textual.screen import Screen

    for name in RESEARCHER_SCREENS:
        module, _, cls = name.partition(":")
        assert issubclass(getattr(importlib.import_module(module), cls), Screen), name


async def test_researcher_screens_are_refused_to_labelers_however_opened(make_app, sample_db):
    """Gold, others' answers and names are on these screens: a labeler gets none of them, not
    by a home key, the palette, a screen name or a screen pushed by another (one gate)."""
    from screens.adjudication import AdjudicationScreen
    from screens.dashboard import DashboardScreen, MissesScreen
    from screens.demo_scoring import DemoScoringScreen
    from screens.stats import StatsScreen
    from tests.screens.test_adjudication import config, disputed

    disputed(sample_db)
    app = make_app("carol", config=config())
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        app.install_screen(AdjudicationScreen(), name="adjudication")
        for screen in ("adjudication", DashboardScreen(), MissesScreen("alice"), StatsScreen(),
                       DemoScoringScreen()):
            app.push_screen(screen)
            await settle(pilot)
            assert isinstance(app.screen, HomeScreen), screen
            shown = "\n".join(screen_lines(app))
            assert "for researchers" in shown and "Dispute" not in shown
        assert not app.get_screen("adjudication").is_mounted
    researcher = make_app("rhea", config=config())
    async with researcher.run_test(size=(120, 40)) as pilot:
        researcher.push_screen(AdjudicationScreen())
        await settle(pilot)
        assert "Dispute p1" in "\n".join(screen_lines(researcher))
