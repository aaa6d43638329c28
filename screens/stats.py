"""Researchers' statistics screen: the tables of `labeldesk stats`, inside the app."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from screens.faults import attempt
from screens.host import Host
from screens.key_path import OrderedScreen
from screens.stats_tables import render
from screens.widgets.footer import Footer
from store.stats import collect_stats


class StatsScreen(OrderedScreen):
    RESEARCHER_ONLY = True  # tui.app.LabelDeskApp.push_screen refuses it to labelers
    app: Host  # the typed view of self.app (screens.host)
    CSS_PATH = "stats.tcss"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Home", id="stats.home"),
        Binding("r", "refresh_stats", "Refresh", id="stats.refresh"),
    ]

    def compose(self) -> ComposeResult:
        yield VerticalScroll(id="stats-body")
        yield Footer()

    async def on_screen_resume(self) -> None:
        await self.action_refresh_stats()

    async def action_refresh_stats(self) -> None:
        body = self.query_one("#stats-body", VerticalScroll)
        ok, data = attempt(self.notify, "read the statistics", collect_stats, self.app.db,
                           overlap=self.app.config["overlap"])
        if not ok or data is None:
            return  # the tables already shown stay
        await body.remove_children()
        # rich Tables whose cells are Text: data values are never read as markup.
        await body.mount_all(Static(table, classes="stats-table") for table in render(data))
        body.focus()
