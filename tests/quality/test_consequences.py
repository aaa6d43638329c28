"""A labeler who misses gold checks is warned, then paused; researchers see it and resume them."""

from __future__ import annotations

import json

from click.testing import CliRunner

from screens.comparison import ComparisonScreen
from screens.dashboard import DashboardScreen, MissesScreen
from screens.home import HomeScreen
from store.quality.status import stored_status
from tests.conftest import figures_settled
from tests.quality.conftest import gold_ranking, quality_config
from tests.store.test_screening_report import report_db  # noqa: F401  (a fixture)
from tui.cli import cli

# Every claim a gold check while gold lasts; judged after 2 checks.
CONFIG = dict(gold_rate=1.0, min_gold=2, warn_below=0.7, pause_below=0.4)


def gold_letters(screen, reverse: bool = False) -> list[str]:
    """The letters that rank the task's outputs as the gold does (or exactly against it)."""
    order = screen.view.assignment.order
    best_first = [o for group in gold_ranking(screen.view.assignment.item) for o in group]
    letters = ["abc"[order.index(o)] for o in best_first]
    return letters[::-1] if reverse else letters


async def answer_checks(app, answers: list[bool]) -> None:
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        await pilot.press("c")
        await pilot.pause()
        for right in answers:
            screen = app.screen
            assert isinstance(screen, ComparisonScreen)
            await pilot.press(*gold_letters(screen, reverse=not right), "enter")
            await pilot.pause()


async def dashboard_row(app) -> dict[str, str]:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("q")
        await figures_settled(pilot)
        assert isinstance(app.screen, DashboardScreen)
        table = app.screen.query_one("#quality-table")
        row = table.get_row("ana")  # type: ignore[attr-defined]
        return {c: str(v) for c, v in zip(("labeler", "status", "screening", "gold", "agreement"), row, strict=False)}


async def test_warn_then_pause_then_resume(ranking_app, ranking_db):
    cfg = quality_config(**CONFIG)
    # One right (3/3 pairs), one reversed (0/3): 0.50 < warn_below 0.70, above pause_below.
    await answer_checks(ranking_app("ana", cfg), [True, False])
    assert stored_status(ranking_db, "ana")["status"] == "warn"
    row = await dashboard_row(ranking_app("rhea", cfg))
    assert (row["status"], row["gold"], row["agreement"]) == ("warn", "2", "0.50")

    # Another reversed: 3/9 = 0.33 < pause_below. The next claim finds the queue closed.
    await answer_checks(ranking_app("ana", cfg), [False])
    assert stored_status(ranking_db, "ana")["status"] == "paused"
    ana = ranking_app("ana", cfg)
    async with ana.run_test(size=(100, 40), notifications=True) as pilot:
        assert "paused" in str(ana.screen.query_one("#hint").render())
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(ana.screen, HomeScreen)  # nothing served, gold included
        assert any("paused" in n.message for n in ana._notifications)
    claims = ranking_db.execute("SELECT count(*) FROM assignments WHERE labeler = 'ana'").fetchone()[0]
    assert claims == 3

    # The researcher sees it, reads the misses beside the gold, and resumes with `u`.
    rhea = ranking_app("rhea", cfg)
    async with rhea.run_test(size=(120, 40)) as pilot:
        await pilot.press("q")
        await figures_settled(pilot)
        table = rhea.screen.query_one("#quality-table")
        assert str(table.get_row("ana")[1]) == "paused"
        table.move_cursor(row=table.get_row_index("ana"))
        await pilot.press("enter")
        await figures_settled(pilot)
        assert isinstance(rhea.screen, MissesScreen)
        misses = rhea.screen.query_one("#misses-table")
        assert misses.row_count == 2
        cells = [str(c) for c in misses.get_row_at(0)]
        assert cells[2] == "ranking.ranking" and cells[3] != cells[4]
        await pilot.press("escape", "u")
        await figures_settled(pilot)
        assert str(table.get_row("ana")[1]) != "paused"
    assert stored_status(ranking_db, "ana")["status"] == "ok"

    # Reopened: home says nothing of a pause and `c` serves a task again.
    ana = ranking_app("ana", cfg)
    async with ana.run_test(size=(100, 40)) as pilot:
        assert "paused" not in str(ana.screen.query_one("#hint").render())
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(ana.screen, ComparisonScreen)

    changes = [json.loads(d) for (d,) in ranking_db.execute(
        "SELECT data FROM events WHERE kind = 'quality_status' AND labeler = 'ana' ORDER BY id")]
    assert [c["to"] for c in changes] == ["too_few", "warn", "paused", "ok"]
    assert changes[-1]["by"] == "rhea"


def test_resume_on_the_command_line(ranking_db, db_path):
    from store.db import immediate
    from store.quality.status import set_status

    with immediate(ranking_db):
        set_status(ranking_db, "ana", "paused", ["test"])
    env = {"LABELDESK_LABELER": "rhea"}
    run = CliRunner().invoke(cli, ["labelers", "resume", "ana", "--db", str(db_path)], env=env)
    assert run.exit_code == 0, run.output
    assert stored_status(ranking_db, "ana")["status"] == "ok"
    again = CliRunner().invoke(cli, ["labelers", "resume", "ana", "--db", str(db_path)], env=env)
    assert again.exit_code == 1 and "not paused" in again.output
    as_labeler = CliRunner().invoke(cli, ["labelers", "resume", "ana", "--db", str(db_path)],
                                    env={"LABELDESK_LABELER": "bo"})
    assert as_labeler.exit_code == 1 and "researchers only" in as_labeler.output


async def test_home_says_the_queue_opens_after_screening(report_db):  # noqa: F811
    from store.schema import load_schema
    from tui.app import LabelDeskApp

    for name, closed in (("eli", True), ("dana", False)):  # eli failed the quiz, dana passed
        app = LabelDeskApp(db=report_db, labeler=name, role="labeler",
                           config=quality_config(require_screening=True), schema=load_schema())
        async with app.run_test(size=(100, 30)):
            hint = str(app.screen.query_one("#hint").render())
            assert ("pass the screening quiz" in hint) is closed
