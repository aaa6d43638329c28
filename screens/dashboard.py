"""Researchers' live quality dashboard (`q` on home): one row per labeler, the selected
labeler's weekly gold agreement and daily tasks as terminal plots (textual-plotext), their
recent gold misses beside the gold (Enter), and resume for a paused labeler (`u`).

It reads `store.quality.report.quality_report`, the function behind `labeldesk quality`.
Names and answers come from imported data: cells are rich `Text`, never markup, and plot
titles carry no data (plotext output is read as ANSI).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from screens.faults import attempt
from screens.host import Host
from screens.key_path import OrderedScreen
from screens.widgets.footer import Footer
from store.db import immediate
from store.quality.report import gold_misses, quality_report
from store.text import on_screen as safe

# (header, key into a labeler's entry for sorting and showing)
COLUMNS = ("labeler", "status", "screening", "gold", "agreement", "95% CI", "competence", "today",
           "week", "active s", "fast")
STATUS_ORDER = {"paused": 0, "warn": 1, "too_few": 2, "ok": 3}


def _f(value, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def row_cells(name: str, entry: dict) -> tuple:
    """Display cells and sort keys of one labeler's row."""
    ci = entry["ci95"]
    medians = entry["active_seconds_median"]
    active = sorted(medians.values())[len(medians) // 2] if medians else None
    screening = entry.get("screening")
    theta = entry["competence"]["theta"]  # MACE, from all their labels (store/quality/competence.py)
    cells = (
        name, entry["status"],
        f"{screening['result']} {screening['date']}" if screening else "—",
        str(entry["gold_checks"]), _f(entry["agreement"]),
        f"{ci[0]:.2f}–{ci[1]:.2f}" if ci else "", _f(theta), str(entry["tasks_today"]),
        str(entry["tasks_week"]), _f(active, 0), str(entry["fast_answers"]),
    )
    keys = (
        name, STATUS_ORDER.get(entry["status"], 9), screening["result"] if screening else "",
        entry["gold_checks"], -1 if entry["agreement"] is None else entry["agreement"],
        ci[0] if ci else -1, -1 if theta is None else theta, entry["tasks_today"], entry["tasks_week"],
        -1 if active is None else active, entry["fast_answers"],
    )
    return cells, keys


class DashboardScreen(OrderedScreen):
    RESEARCHER_ONLY = True  # tui.app.LabelDeskApp.push_screen refuses it to labelers
    app: Host  # the typed view of self.app (screens.host)
    CSS_PATH = "dashboard.tcss"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Home", id="dashboard.home"),
        # Before the table's own Enter, which only posts RowSelected: keys typed after it
        # must meet the misses screen (screens/key_path.py).
        Binding("enter", "misses", "Gold misses", id="dashboard.misses", priority=True),
        Binding("o", "sort", "Sort", id="dashboard.sort"),
        Binding("O", "reverse", "Reverse", id="dashboard.reverse"),
        Binding("u", "resume", "Resume", id="dashboard.resume"),
        Binding("r", "refresh_report", "Refresh", id="dashboard.refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.report: dict = {"labelers": {}}
        self.sort_column = 1  # status: paused and warned labelers first
        self.descending = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dashboard-body"):
            yield Static(id="dashboard-title")
            yield DataTable(id="quality-table", cursor_type="row", zebra_stripes=True)
            with Horizontal(id="dashboard-plots"):
                yield PlotextPlot(id="weekly-plot")
                yield PlotextPlot(id="daily-plot")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for column in COLUMNS:
            table.add_column(column, key=column)

    def on_screen_resume(self) -> None:
        self.action_refresh_report()

    def action_refresh_report(self) -> None:
        ok, report = attempt(self.notify, "read the quality report", quality_report,
                             self.app.db, self.app.quality, schema=self.app.schema)
        if ok and report is not None:
            self.report = report
            self.fill()

    def fill(self) -> None:
        table = self.query_one(DataTable)
        selected = self.selected()
        table.clear()
        rows = [(name, *row_cells(name, entry)) for name, entry in self.report["labelers"].items()]
        rows.sort(key=lambda r: r[2][self.sort_column], reverse=self.descending)
        for name, cells, _keys in rows:
            table.add_row(*(Text(safe(c)) for c in cells), key=name)
        if selected is not None and selected in self.report["labelers"]:
            table.move_cursor(row=table.get_row_index(selected))
        arrow = "↓" if self.descending else "↑"
        self.query_one("#dashboard-title", Static).update(Text(
            f"Live quality · {len(rows)} labelers · sorted by {COLUMNS[self.sort_column]} {arrow}"
            " · o sort · O reverse · Enter gold misses · u resume"))
        self.plot(self.selected())

    def selected(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        # Enter on the table (DataTable's own binding) opens the selected labeler's misses.
        self.action_misses()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.plot(event.row_key.value)

    def plot(self, name: str | None) -> None:
        entry = self.report["labelers"].get(name) if name else None
        weekly, daily = self.query_one("#weekly-plot", PlotextPlot), self.query_one("#daily-plot", PlotextPlot)
        for widget in (weekly, daily):
            widget.plt.clear_data()
            widget.plt.clear_figure()
        weekly.plt.title("gold agreement by week")
        daily.plt.title("tasks per day (28 days)")
        if entry:
            weeks = [w for w in entry["weekly"] if w["agreement"] is not None]
            if weeks:
                weekly.plt.plot(list(range(len(weeks))), [w["agreement"] for w in weeks], marker="braille")
                weekly.plt.xticks(list(range(len(weeks))), [w["week"][5:] for w in weeks])
                weekly.plt.ylim(0, 1)
            days = entry["daily"]
            # Numeric x with fixed ticks: plotext's own choice of string labels varies by run.
            daily.plt.bar(list(range(len(days))), [d["tasks"] for d in days])
            ticks = list(range(0, len(days), 7)) + [len(days) - 1]
            daily.plt.xticks([float(t) for t in ticks], [days[t]["day"][5:] for t in ticks])
        weekly.refresh()
        daily.refresh()

    def action_sort(self) -> None:
        self.sort_column = (self.sort_column + 1) % len(COLUMNS)
        self.fill()

    def action_reverse(self) -> None:
        self.descending = not self.descending
        self.fill()

    def action_resume(self) -> None:
        from store.quality.status import resume

        name = self.selected()
        if name is None:
            return

        def run() -> None:
            with immediate(self.app.db):
                resume(self.app.db, name, by=self.app.labeler)

        ok, _ = attempt(self.notify, "resume this labeler", run)
        if ok:
            self.notify(f"{safe(name)}: resumed", markup=False)
            self.action_refresh_report()

    def action_misses(self) -> None:
        name = self.selected()
        if name is not None:
            self.app.push_screen(MissesScreen(name))


class MissesScreen(OrderedScreen):
    """A labeler's latest gold-check answers that missed, beside the gold, for coaching."""

    RESEARCHER_ONLY = True  # tui.app.LabelDeskApp.push_screen refuses it to labelers

    app: Host

    CSS_PATH = "dashboard.tcss"
    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="misses.back")]

    def __init__(self, labeler: str) -> None:
        super().__init__()
        self.labeler = labeler

    def compose(self) -> ComposeResult:
        with Vertical(id="misses-body"):
            yield Static(Text(f"Recent gold misses of {safe(self.labeler)}"), id="misses-title")
            yield DataTable(id="misses-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for column in ("when", "item", "field", "answer", "gold"):
            table.add_column(column, key=column)
        ok, misses = attempt(self.notify, "read the gold misses", gold_misses, self.app.db,
                             self.labeler, schema=self.app.schema)
        for miss in misses or []:
            table.add_row(*(Text(safe(str(c))) for c in (
                miss["submitted_at"][:16], miss["item"], f"{miss['task']}.{miss['field']}",
                _value(miss["answer"]), _value(miss["gold"]))))
        if ok and not misses:
            self.query_one("#misses-title", Static).update(
                Text(f"{safe(self.labeler)} has no gold misses"))


def _value(value) -> str:
    if isinstance(value, list):  # a ranking: tie groups best first
        return " > ".join(" = ".join(group) for group in value)
    return str(value)
