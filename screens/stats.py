"""Researchers' statistics screen: the tables of `labeldesk stats`, inside the app.

The statistics are read in a worker (screens/background.py), again only when the data moved
(`store.changes.data_stamp`) or on `r`; the tables already shown stay meanwhile.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from screens.background import ComputingScreen, Figures
from screens.host import Host
from screens.stats_tables import render
from screens.widgets.footer import Footer
from store.changes import data_stamp
from store.stats import collect_stats


class StatsScreen(ComputingScreen):
    app: Host  # the typed view of self.app (screens.host)
    DOING = "read the statistics"
    CSS_PATH = "stats.tcss"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Home", id="stats.home"),
        Binding("r", "refresh_stats", "Refresh", id="stats.refresh"),
    ]

    stamp: tuple[Any, ...] | None = None  # what the tables on screen were read from

    def compose(self) -> ComposeResult:
        yield VerticalScroll(id="stats-body")
        yield Footer()

    def on_screen_resume(self) -> None:
        self.update_stats(again=False)

    def action_refresh_stats(self) -> None:
        self.update_stats(again=True)

    def update_stats(self, *, again: bool) -> None:
        overlap, known = self.app.config["overlap"], None if again else self.stamp

        def figures(db: Any) -> Figures:
            stamp = data_stamp(db)
            if stamp != known:
                yield "stats", (stamp, collect_stats(db, overlap=overlap))

        self.compute(figures)

    async def show_figures(self, name: str, value: Any) -> None:
        if name == "stats":
            self.stamp, data = value
            body = self.query_one("#stats-body", VerticalScroll)
            await body.remove_children()
            # rich Tables whose cells are Text: data values are never read as markup.
            await body.mount_all(Static(table, classes="stats-table") for table in render(data))
            body.focus()
        self.shown = True
