"""What a researcher sees on the quality dashboard: rows, intervals and the selected labeler's plots."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from store import queue
from store.labels import submit
from store.quality.policy import QualityPolicy
from store.values import LabelValue
from tests.conftest import figures_settled, settle
from tests.quality.conftest import gold_ranking, quality_config

TODAY = date(2026, 3, 20)


def _week_of_work(db):
    """ana: 9 gold checks over three weeks, every third ranked against the gold; bo: 2, right."""
    start = datetime(2026, 3, 2, 10)
    for labeler, n in (("ana", 9), ("bo", 2)):
        for k in range(n):
            a = queue.claim_next(db, labeler, "comparison", policy=QualityPolicy(gold_rate=1.0))
            best = [[o] for g in gold_ranking(a.item) for o in g]
            submit(db, a.id, [LabelValue("ranking", a.item, "ranking", best[::-1] if k % 3 == 2 else best)],
                   seconds=40.0, active_seconds=30.0 + k)
            at = (start + timedelta(days=2 * k)).isoformat()
            db.execute("UPDATE assignments SET finished_at = ? WHERE id = ?", [at, a.id])
            db.execute("UPDATE gold_answers SET submitted_at = ? WHERE assignment_id = ?", [at, a.id])


@pytest.fixture
def fixed_today(monkeypatch):
    import store.reports.quality

    monkeypatch.setattr(store.reports.quality, "utc_today", lambda: TODAY)


def test_dashboard_snapshot(ranking_app, ranking_db, snap_compare, fixed_today):
    _week_of_work(ranking_db)
    app = ranking_app("rhea", quality_config(min_gold=5))

    async def open_dashboard(pilot):
        await pilot.press("q")
        await figures_settled(pilot)

    assert snap_compare(app, terminal_size=(120, 36), run_before=open_dashboard)


async def test_dashboard_at_80_columns(ranking_app, ranking_db, fixed_today):
    """At 80x24 the table leaves out screening, interval and active time instead of cutting
    every column after "today"; every value of a row is on screen whole."""
    _week_of_work(ranking_db)
    app = ranking_app("rhea", quality_config(min_gold=5))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")
        await figures_settled(pilot)
        table = app.screen.query_one("#quality-table")
        assert [str(c.label) for c in table.columns.values()] == [
            "labeler", "status", "gold", "agreement", "competence", "today", "week", "fast"]
        assert table.virtual_size.width <= table.size.width <= 80
        assert [str(c) for c in table.get_row("ana")][:4] == ["ana", "warn", "9", "0.67"]
        await pilot.resize_terminal(120, 36)
        await settle(pilot, until=lambda: len(table.columns) == 11)
        assert "95% CI" in [str(c.label) for c in table.columns.values()]


async def test_hostile_ids_and_names_are_shown_literally(db, tmp_path):
    """Output ids come from imported data: the misses show them as written, markup unparsed and
    escape sequences made visible. (Roster names are restricted to letters, digits, '.', '_'
    and '-' since issue 14; the dashboard still draws them as text, never markup.)"""
    from screens.dashboard import MissesScreen
    from store.imports import import_labels, import_outputs, import_prompts
    from store.roster import add_labeler
    from store.schema import load_schema
    from tests.conftest import write_jsonl
    from tui.app import LabelDeskApp

    name = "eve.b_-1"
    ids = ["[/]x\x1b[31m", "[red]y"]
    add_labeler(db, name)
    add_labeler(db, "rhea", "researcher")
    import_prompts(db, write_jsonl(tmp_path / "p.jsonl", [{"id": "h1", "text": "t", "tasks": ["comparison"]},
                                                     {"id": "h2", "text": "t", "tasks": ["comparison"]}]))
    import_outputs(db, write_jsonl(tmp_path / "o.jsonl", [
        {"id": i, "prompt_id": "h1", "text": "x"} for i in ids] + [
        {"id": f"h2-{c}", "prompt_id": "h2", "text": "x"} for c in "ab"]))
    import_labels(db, write_jsonl(tmp_path / "g.jsonl", [{"labeler": "rhea", "task": "ranking", "item": "h1",
                                                    "field": "ranking", "value": [[ids[0]], [ids[1]]]}]), gold=True)
    check = queue.claim_next(db, name, "comparison", policy=QualityPolicy(gold_rate=1.0))
    assert check.item == "h1"
    submit(db, check.id, [LabelValue("ranking", "h1", "ranking", [[ids[1]], [ids[0]]])])
    app = LabelDeskApp(db=db, labeler="rhea", role="researcher", config=quality_config(),
                       schema=load_schema())
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await pilot.press("q")
        await figures_settled(pilot)
        table = app.screen.query_one("#quality-table")
        assert str(table.get_row(name)[0]) == name
        await pilot.press("enter")
        await figures_settled(pilot)
        assert isinstance(app.screen, MissesScreen)
        row = [str(c) for c in app.screen.query_one("#misses-table").get_row_at(0)]
        assert row[3] == "[red]y > [/]x␛[31m"  # markup as typed, ESC made visible
        assert app.is_running


async def test_cells_are_whole_before_the_table_measures_them(ranking_app, ranking_db, fixed_today,
                                                              monkeypatch):
    """A DataTable sizes auto-width columns in its Idle handler, and cells drawn before that
    stay cached cut to the labels' width: on a loaded host the dashboard kept showing "0.34–0"
    for "0.34–0.89". The dashboard gives every column its width, so no frame depends on the
    Idle handler having run (here it never runs)."""
    from textual.widgets import DataTable

    async def never(self, event):
        return None

    monkeypatch.setattr(DataTable, "_on_idle", never)
    _week_of_work(ranking_db)
    app = ranking_app("rhea", quality_config(min_gold=5))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("q")
        await settle(pilot, until=lambda: getattr(app.screen, "shown", False)
                     and not getattr(app.screen, "computing", True))
        table = app.screen.query_one("#quality-table", DataTable)
        lines = [table.render_line(y).text for y in range(3)]
        assert "95% CI" in lines[0] and "competence" in lines[0]
        assert "0.34–0.89" in lines[1] and "warn" in lines[1]
        assert "too_few" in lines[2] and "0.34–1.00" in lines[2]
