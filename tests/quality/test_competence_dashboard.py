"""The dashboard's competence column (MACE, store/reports/competence.py): a researcher sees each
labeler's figure; a labeler has no way to the dashboard."""

from __future__ import annotations

from store.reports.competence import labeler_competence
from store.schema import load_schema
from tests.conftest import figures_settled
from tests.store.test_competence import labeled_db  # noqa: F401  (the fixture)


async def test_dashboard_column_for_researchers_only(labeled_db):  # noqa: F811
    from screens.dashboard import COLUMNS, DashboardScreen
    from tests.quality.conftest import quality_config
    from tui.app import LabelDeskApp

    theta = labeler_competence(labeled_db, load_schema())["spam"]["theta"]
    for who, role in (("rhea", "researcher"), ("ana", "labeler")):
        app = LabelDeskApp(db=labeled_db, labeler=who, role=role, config=quality_config(),
                           schema=load_schema())
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("q")
            await figures_settled(pilot)
            if role == "labeler":  # home has no key to it for a labeler
                assert not isinstance(app.screen, DashboardScreen)
                continue
            assert isinstance(app.screen, DashboardScreen)
            row = [str(c) for c in app.screen.query_one("#quality-table").get_row("spam")]
            assert row[COLUMNS.index("competence")] == f"{theta:.2f}"
            idle = [str(c) for c in app.screen.query_one("#quality-table").get_row("idle")]
            assert idle[COLUMNS.index("competence")] == "—"
