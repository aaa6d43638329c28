"""Home's waiting counts and adjudication's next case are computed in a worker
(screens/background.py) on a large project: a key is answered while they are, and the
computation the researcher left stops."""

from __future__ import annotations

import store.adjudication
import store.queue
from screens.adjudication import AdjudicationScreen
from screens.help import HelpScreen
from screens.home import HomeScreen
from tests.conftest import figures_settled, settle
from tests.quality.conftest import app_on


def option_texts(screen) -> list[str]:
    options = screen.query_one("#work")
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_home_answers_a_key_while_it_counts(large_db, tracer):
    traced = tracer((store.queue, "counts"))
    traced.hold.clear()  # the first count waits inside the worker until the key is answered
    app = app_on(large_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, until=lambda: traced)  # the worker is in the count
        home = app.screen
        assert isinstance(home, HomeScreen) and home.computing
        assert not any("waiting" in t for t in option_texts(home))  # no count yet, the list is there
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        traced.append("help")
        traced.hold.set()
        # Left: the worker was cancelled; its next SQLite step aborts the count, unless the
        # count (a few indexed rows) ends before the progress handler looks. Either way
        # nothing of it reaches home.
        await settle(pilot, until=lambda: len(traced) == 3)
        assert traced[:2] == ["counts started", "help"]
        assert traced[2] in ("counts stopped: interrupted", "counts done")
        await settle(pilot)
        assert not any("waiting" in t for t in option_texts(home))

        # Back home: counted again, to the end, and shown.
        await pilot.press("escape")
        assert app.screen is home
        await figures_settled(pilot)
        assert traced[-2:] == ["counts started", "counts done"]
        assert any(t.startswith("[c]") and "waiting" in t for t in option_texts(home))


async def test_adjudication_answers_escape_while_it_looks_for_a_case(large_db, tracer):
    traced = tracer((store.adjudication, "next_case"))
    app = app_on(large_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await figures_settled(pilot)  # home counted
        traced.hold.clear()
        await pilot.press("a")
        screen = app.screen
        assert isinstance(screen, AdjudicationScreen) and screen.computing
        await settle(pilot, until=lambda: traced)  # the worker is looking
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)
        traced.append("home")
        traced.hold.set()
        await settle(pilot, until=lambda: len(traced) == 3)
        assert traced[:2] == ["next_case started", "home"]
        assert traced[2] in ("next_case stopped: interrupted", "next_case done")
        assert screen.case is None
