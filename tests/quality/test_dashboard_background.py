"""The dashboard computes in a worker (screens/background.py): keys are answered while it
computes, figures already computed show at once, a resume with nothing changed computes nothing,
and a report the researcher left is stopped."""

from __future__ import annotations

import pytest

import screens.dashboard
from screens.dashboard import DashboardScreen, MissesScreen
from screens.home import HomeScreen
from store.db import open_db
from tests.conftest import figures_settled, settle
from tests.quality.conftest import LABELERS, app_on


@pytest.fixture
def traced(tracer):
    """The real report's and competences' starts and ends (see `tracer`)."""
    import store.reports.competence

    return tracer((screens.dashboard, "quality_report"),
                  (store.reports.competence, "labeler_competence"))


async def test_escape_is_answered_while_the_report_is_computed(large_db, traced):
    app = app_on(large_db)
    async with app.run_test(size=(120, 36)) as pilot:
        traced.hold.clear()
        await pilot.press("q")
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen) and dashboard.computing
        await settle(pilot, until=lambda: traced)  # the worker is in the report
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)
        traced.append("home")
        traced.hold.set()
        # Left: the worker was cancelled, and its next SQLite step aborts the report.
        await settle(pilot, until=lambda: "stopped" in traced[-1])
        assert traced[:3] == ["quality_report started", "home", "quality_report stopped: interrupted"]
        assert dashboard.report["labelers"] == {}  # nothing of it reached the screen

        # Opened again: the report runs to the end and fills the table.
        await pilot.press("q")
        await figures_settled(pilot)
        assert traced[-1] == "labeler_competence done"
        table = dashboard.query_one("#quality-table")
        assert table.row_count == LABELERS
        assert str(table.get_row("l00")[4]) != "—"  # gold agreement from its checks


async def test_cached_figures_at_once_and_nothing_recomputed_when_nothing_changed(large_db, traced):
    app = app_on(large_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("q")
        await figures_settled(pilot)
        dashboard = app.screen
        done = ["quality_report started", "quality_report done",
                "labeler_competence started", "labeler_competence done"]
        assert traced == done
        await pilot.press("escape", "q")  # back home and in again: the same figures at once
        assert app.screen is dashboard and dashboard.shown
        await figures_settled(pilot)
        assert traced == done  # the stamp had not moved: nothing computed
        assert dashboard.query_one("#quality-table").row_count == LABELERS

        # A label written meanwhile moves the stamp: computed again, the old figures shown
        # meanwhile, and keys typed meanwhile act on them at once.
        db = open_db(large_db)
        db.execute("INSERT INTO labels (labeler, task, item, field, value, created_at) "
                   "VALUES ('l01', 'instruction', 'new', 'pii', 'false', '2026-01-02')")
        db.conn.close()
        traced.hold.clear()
        await pilot.press("escape", "q")
        await settle(pilot, until=lambda: traced[-1] == "quality_report started")
        assert app.screen is dashboard and dashboard.computing
        assert "old, updating" in str(dashboard.query_one("#dashboard-title").render())
        await pilot.press("enter")
        assert isinstance(app.screen, MissesScreen)
        traced.hold.set()
        await figures_settled(pilot)
        await pilot.press("escape")
        await figures_settled(pilot)
        assert traced[-1] == "labeler_competence done"


async def test_keys_typed_before_the_first_figures_act_on_them_in_order(large_db, traced):
    app = app_on(large_db)
    async with app.run_test(size=(120, 36)) as pilot:
        # Sort by the next column (screening), reverse, open the first row's misses: typed
        # before any figure exists, applied once the first ones are on screen.
        await pilot.press("q", "o", "O", "enter")
        await settle(pilot, until=lambda: isinstance(app.screen, MissesScreen))
        dashboard = app.get_screen("quality")
        assert (dashboard.sort_column, dashboard.descending) == (2, True)
        assert traced[:2] == ["quality_report started", "quality_report done"]
