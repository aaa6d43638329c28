"""The dashboard computes its report in a child process (screens/figures_process.py): keys are
answered while it computes, the figures known already (the kept report, else the early ones)
show first and the fresh ones after them, a visit with nothing changed computes nothing (in
this app or the next one), a report the researcher left is stopped, and a failing one leaves
one line, never a traceback.

The child runs `tests/quality/held_report.py` around the real computation: its steps go to a
trace file and a `hold` file keeps it waiting at its start, so the keys surely meet a child
that has not finished, whatever the machine's speed."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

import screens.dashboard
from screens.dashboard import EARLY_COLUMNS, DashboardScreen, MissesScreen, shown_columns
from screens.home import HomeScreen
from store.db import open_db
from tests.conftest import figures_settled, settle
from tests.quality.conftest import LABELERS, app_on


class Held:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def hold(self) -> None:
        (self.folder / "hold").touch()

    def release(self, name: str = "hold") -> None:
        (self.folder / name).unlink(missing_ok=True)

    def note(self, line: str) -> None:
        with open(self.folder / "trace", "a", encoding="utf-8") as out:
            out.write(line + "\n")

    @property
    def trace(self) -> list[str]:
        path = self.folder / "trace"
        return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


@pytest.fixture
def held(tmp_path, monkeypatch):
    folder = tmp_path / "held"
    folder.mkdir()
    monkeypatch.setenv("HELD_REPORT", str(folder))
    monkeypatch.setattr(screens.dashboard, "FRESH", "tests.quality.held_report:fresh")
    out = Held(folder)
    yield out
    out.release()
    out.release("hold_after_report")


DONE = ["fresh started", "report done", "competence done"]


def the_child(dashboard):
    children = list(dashboard._children or ())
    assert len(children) == 1
    return children[0]


async def test_keys_are_answered_while_the_report_process_runs(large_db, held):
    app = app_on(large_db)
    async with app.run_test(size=(120, 36)) as pilot:
        held.hold()
        await pilot.press("q")
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        await settle(pilot, until=lambda: "fresh started" in held.trace and dashboard._children)
        child = the_child(dashboard)
        # The first visit of the project: the early figures, in columns of their own.
        table = dashboard.query_one("#quality-table")
        await settle(pilot, until=lambda: table.row_count == LABELERS)
        assert [str(c.label) for c in table.columns.values()] == list(EARLY_COLUMNS)
        assert dashboard.report["labelers"] == {} and dashboard.computing
        early = dashboard.early
        assert {name: (e["gold_labels"], e["same_as_gold"]) for name, e in early.items()} == \
            labels_on_gold(large_db)
        await pilot.press("O")  # a key acting on the figures: answered, the child still held
        assert dashboard.descending and child.poll() is None
        await pilot.resize_terminal(80, 30)  # the report's columns for 80 columns: not these
        await settle(pilot, until=lambda: dashboard.columns == shown_columns(80))
        assert [str(c.label) for c in table.columns.values()] == list(EARLY_COLUMNS)
        assert table.row_count == LABELERS
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)
        held.note("home")
        # Left: the child is terminated where it waits, and nothing of it reaches the screen.
        await settle(pilot, until=lambda: child.poll() is not None)
        assert child.returncode == -signal.SIGTERM
        held.release()
        assert held.trace == ["fresh started", "home"]
        assert dashboard.report["labelers"] == {}

        # Opened again: the report runs to the end and fills the table.
        await pilot.press("q")
        await figures_settled(pilot)
        assert held.trace[2:] == DONE
        assert table.row_count == LABELERS
        assert str(table.get_row("l00")[4]) != "—"  # gold agreement from its checks
        assert "…" not in str(table.get_row("l00")[6])  # its competence came too
        # The early figures' gold checks were the report's.
        assert {n: e["gold_checks"] for n, e in early.items()} == {
            n: e["gold_checks"] for n, e in dashboard.report["labelers"].items()}


def labels_on_gold(path) -> dict[str, tuple[int, int]]:
    """Each labeler's labels on an item with gold, and how many equal it, from the labels."""
    db = open_db(path)
    rows = db.execute(
        "SELECT l.labeler, count(*), sum(l.value = g.value) FROM labels l JOIN labels g "
        "ON g.task = l.task AND g.item = l.item AND g.field = l.field AND g.gold = 1 "
        "WHERE l.gold = 0 GROUP BY l.labeler ORDER BY l.labeler").fetchall()
    db.conn.close()
    return {name: (n, same) for name, n, same in rows}


async def test_kept_figures_first_and_nothing_recomputed_when_nothing_changed(large_db, held):
    app = app_on(large_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("q")
        await figures_settled(pilot)
        dashboard = app.screen
        assert held.trace == DONE
        await pilot.press("escape", "q")  # back home and in again: the same figures at once
        assert app.screen is dashboard and dashboard.shown
        await figures_settled(pilot)
        assert held.trace == DONE  # the stamp had not moved: nothing computed
        assert dashboard.query_one("#quality-table").row_count == LABELERS

        # A label written meanwhile moves the stamp: computed again, the old figures shown
        # meanwhile, and keys typed meanwhile act on them at once.
        add_label(large_db, "new1")
        held.hold()
        await pilot.press("escape", "q")
        await settle(pilot, until=lambda: held.trace[-1] == "fresh started")
        assert app.screen is dashboard and dashboard.computing
        assert "old, updating" in str(dashboard.query_one("#dashboard-title").render())
        await pilot.press("enter")
        assert isinstance(app.screen, MissesScreen)
        held.release()
        await figures_settled(pilot)
        await pilot.press("escape")  # back from the misses: the child left held was stopped
        await figures_settled(pilot)
        assert held.trace == DONE + ["fresh started"] + DONE
        runs = len(held.trace)

    # The next run of the app: the kept report is on screen before the fresh one, whose child
    # is held; then the fresh one replaces it.
    add_label(large_db, "new2")
    held.hold()
    app = app_on(large_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("q")
        dashboard = app.screen
        table = dashboard.query_one("#quality-table")
        await settle(pilot, until=lambda: held.trace[-1] == "fresh started"
                     and table.row_count == LABELERS)
        assert dashboard.kept and dashboard.computing
        assert "old, updating" in str(dashboard.query_one("#dashboard-title").render())
        assert "…" not in str(table.get_row("l00")[6])  # the kept competences
        held.release()
        await figures_settled(pilot)
        assert not dashboard.kept and held.trace[runs:] == DONE

    # And the run after it, nothing changed: the kept report is the current one.
    app = app_on(large_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("q")
        await figures_settled(pilot)
        assert app.screen.kept and app.screen.query_one("#quality-table").row_count == LABELERS
        title = str(app.screen.query_one("#dashboard-title").render())
        assert "kept from an earlier visit" in title and "old, nothing changed since" in title
        assert held.trace[runs:] == DONE


async def test_left_between_the_report_and_the_competences_computes_again(large_db, held):
    """The report came, the competences did not (the child was stopped): the next visit with
    nothing changed computes again instead of keeping "…" for good."""
    app = app_on(large_db)
    async with app.run_test(size=(120, 36)) as pilot:
        (held.folder / "hold_after_report").touch()
        await pilot.press("q")
        dashboard = app.screen
        await settle(pilot, until=lambda: dashboard.computed_at is not None)
        table = dashboard.query_one("#quality-table")
        assert str(table.get_row("l00")[6]) == "…" and held.trace == ["fresh started", "report done"]
        await pilot.press("escape")
        await settle(pilot, until=lambda: not dashboard._children)
        held.release("hold_after_report")
        await pilot.press("q")
        await figures_settled(pilot)
        assert held.trace == ["fresh started", "report done"] + DONE
        assert "…" not in str(table.get_row("l00")[6])


def add_label(path, item: str) -> None:
    db = open_db(path)
    db.execute("INSERT INTO labels (labeler, task, item, field, value, created_at) "
               "VALUES ('l01', 'instruction', ?, 'pii', 'false', '2026-01-02')", [item])
    db.conn.close()


async def test_keys_typed_before_the_first_figures_act_on_them_in_order(large_db, held):
    app = app_on(large_db)
    async with app.run_test(size=(120, 36)) as pilot:
        # Sort by the next column (screening), reverse, open the first row's misses: typed
        # before any figure exists, applied once the first ones (the early figures, which
        # sort screening's column by name) are on screen.
        held.hold()
        await pilot.press("q", "o", "O", "enter")
        await settle(pilot, until=lambda: isinstance(app.screen, MissesScreen))
        dashboard = app.get_screen("quality")
        assert (dashboard.sort_column, dashboard.descending) == (2, True)
        table = dashboard.query_one("#quality-table")
        assert [str(c.label) for c in table.columns.values()] == list(EARLY_COLUMNS)
        assert str(table.get_row_at(0)[0]) == f"l{LABELERS - 1:02d}"  # by name, reversed
        assert app.screen.labeler == "l00"  # the cursor stays on its labeler across sorts
        assert dashboard.report["labelers"] == {}  # the fresh report had not come


async def test_a_failing_report_leaves_one_line(large_db, held, monkeypatch):
    monkeypatch.setattr(screens.dashboard, "FRESH", "tests.quality.held_report:broken")
    app = app_on(large_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("q")
        await figures_settled(pilot)
        dashboard = app.screen
        assert held.trace == ["broken started"]
        lines = [n.message for n in app._notifications]
        assert lines == ["Could not read the quality report: the computation stopped on an "
                         "unexpected RuntimeError. Please tell your coordinator."]
        assert "not computed (r tries again)" in str(dashboard.query_one("#dashboard-title").render())
        assert dashboard.query_one("#quality-table").row_count == LABELERS  # the early figures
