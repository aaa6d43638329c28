"""Researchers' live quality dashboard (`q` on home): one row per labeler, the selected
labeler's weekly gold agreement and daily tasks as terminal plots (textual-plotext), their
recent gold misses beside the gold (Enter), and resume for a paused labeler (`u`).

It shows `store.reports.quality.quality_report`, the function behind `labeldesk quality`, and
never makes a key wait for it (screens/dashboard_figures.py has the order): first the last
report computed (kept in a file, from an earlier visit or an earlier run of the app) with its
age, or on a project's first visit the early figures from kept tallies, shown apart; then the
fresh report, computed in a child process (screens/figures_process.py), without MACE
competences first and the competences after it. A visit with nothing changed
(`store.changes.data_stamp`, and the day) computes nothing. `r` computes regardless.
Names and answers come from imported data: cells are rich `Text`, never markup, and plot
titles carry no data (plotext output is read as ANSI).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, cast

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from screens.background import ComputingScreen, Figures
from screens.dashboard_figures import cache_path, current_stamp, fingerprint, read_cache, today
from screens.faults import attempt
from screens.host import Host
from screens.widgets.footer import Footer
from store.db import immediate
from store.quality.status import resume
from store.reports.early import early_figures
from store.reports.figures import shown, shown_ci
from store.reports.quality import add_competence, gold_misses
from store.text import on_screen as safe

FRESH = "screens.dashboard_figures:fresh"  # the report's computation, run in a child process

MISSES_COLUMNS = ("when", "item", "field", "answer", "gold")
# (header, key into a labeler's entry for sorting and showing)
COLUMNS = ("labeler", "status", "screening", "gold", "agreement", "95% CI", "competence", "today",
           "week", "active s", "fast")
STATUS_ORDER = {"paused": 0, "warn": 1, "too_few": 2, "ok": 3}
# Left out below `WIDE` columns, so an 80-column terminal shows whole columns instead of a table
# cut after "today" (`labeldesk quality` and the row's Enter view have them all).
NARROW_DROPS = ("screening", "95% CI", "active s")
WIDE = 100
# The early figures (store/reports/early.py), shown until the first report: columns of their own,
# so no figure of another kind stands in a report's column.
EARLY_COLUMNS = ("labeler", "status", "gold", "labels on gold", "same as gold")
EARLY_SORTS = {0: 0, 1: 1, 3: 2}  # a report column's index: the early column it sorts by


def shown_columns(width: int) -> tuple[str, ...]:
    return COLUMNS if width >= WIDE else tuple(c for c in COLUMNS if c not in NARROW_DROPS)


def row_cells(name: str, entry: dict[str, Any]) -> tuple[Any, ...]:
    """Display cells and sort keys of one labeler's row."""
    ci = entry["ci95"]
    medians = entry["active_seconds_median"]
    active = sorted(medians.values())[len(medians) // 2] if medians else None
    screening = entry.get("screening")
    theta = entry["competence"]["theta"]  # MACE, from all their labels (store/reports/competence.py)
    competence = "…" if entry["competence"].get("pending") else shown(theta)
    if theta is None and entry["competence"].get("reason"):
        # here, not at the top: numpy loads only when this runs, never on start-up (tests/test_import_hygiene.py)
        from store.reports.competence import NO_DISAGREEMENT

        if entry["competence"]["reason"] == NO_DISAGREEMENT:
            competence = f"n/a ({NO_DISAGREEMENT})"
    cells = (
        name, entry["status"],
        f"{screening['result']} {screening['date']}" if screening else "—",
        str(entry["gold_checks"]), shown(entry["agreement"]),
        shown_ci(ci), competence, str(entry["tasks_today"]),
        str(entry["tasks_week"]), shown(active, 0), str(entry["fast_answers"]),
    )
    keys = (
        name, STATUS_ORDER.get(entry["status"], 9), screening["result"] if screening else "",
        entry["gold_checks"], -1 if entry["agreement"] is None else entry["agreement"],
        ci[0] if ci else -1, -1 if theta is None else theta, entry["tasks_today"], entry["tasks_week"],
        -1 if active is None else active, entry["fast_answers"],
    )
    return cells, keys


def early_cells(name: str, entry: dict[str, Any]) -> tuple[Any, ...]:
    """Display cells and sort keys of a labeler's early row."""
    status, n, same = entry["status"], entry["gold_labels"], entry["same_as_gold"]
    cells = (name, status or "—", str(entry["gold_checks"]), str(n),
             shown(same / n) if n else "—")
    return cells, (name, STATUS_ORDER.get(status or "", 9), entry["gold_checks"])


def age(seconds: float) -> str:
    """How old figures are, in words."""
    if seconds < 60:
        return "under a minute old"
    if seconds < 3600:
        return f"{int(seconds // 60)} min old"
    return f"{seconds / 3600:.1f} h old"


class DashboardScreen(ComputingScreen):
    app: Host  # the typed view of self.app (screens.host)
    DOING = "read the quality report"
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
        self.report: dict[str, Any] = {"labelers": {}}
        self.early: dict[str, dict[str, Any]] | None = None  # on screen until a report is
        self.stamp: list[Any] | None = None  # what the whole report on screen was computed from
        self.report_stamp: list[Any] | None = None  # the same, competences or not
        self.computed_at: float | None = None  # time.time() of the report on screen
        self.day = ""  # the report's today (ISO), as the last update asked
        self.kept = False  # the report on screen is the one kept in the file, not computed here
        self.kept_current = False  # and the data stamp had not moved since it was computed
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
        self.columns: tuple[str, ...] = ()
        self.set_columns(self.app.size.width)

    def on_resize(self, event: events.Resize) -> None:
        if shown_columns(event.size.width) != self.columns:
            self.set_columns(event.size.width)
            if self.report["labelers"] or self.early is not None:
                self.fill()

    def set_columns(self, width: int) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        self.columns = shown_columns(width)
        for column in self.columns:
            table.add_column(column, key=column)

    def on_screen_resume(self) -> None:
        self.update_report(again=False)

    def action_refresh_report(self) -> None:
        self.update_report(again=True)

    @property
    def target(self) -> str:
        return str(cast(Any, self.app.db).path)  # store.db.Database's (or PgDatabase's)

    def update_report(self, *, again: bool) -> None:
        """Show the kept report (or the early figures) when nothing is on screen, then compute
        the report in a child process unless `again` is false and nothing changed."""
        known = None if again else self.stamp
        nothing_shown = self.computed_at is None
        cache = cache_path(self.app.reports_dir, self.target)
        expected = fingerprint(self.app.quality, self.app.schema)
        day = self.day = today()

        def first(db: Any) -> Figures:
            stamp = current_stamp(db, day)
            if stamp == known:
                return  # nothing changed: the figures on screen are current
            if nothing_shown:
                found = read_cache(cache, expected)
                if found is None:
                    yield "early", early_figures(db)
                else:
                    current = found["stamp"] == stamp
                    yield "kept", {**found, "current": current}
                    if current and not again:
                        return  # the kept report is the current one
            yield "fresh", None

        self.compute(first)
        self.show_title()

    def show_figures(self, name: str, value: Any) -> None:
        if name == "fresh":
            self.compute_in_process(FRESH, self.target, self.app.quality, self.app.schema,
                                    str(cache_path(self.app.reports_dir, self.target)), self.day)
            self.show_title()
            return
        if name == "early":
            self.early = value
            self.fill()
        elif name in ("kept", "report"):
            self.early = None
            self.report, self.computed_at = value["report"], value["computed_at"]
            self.kept = name == "kept"
            self.kept_current = bool(value.get("current"))
            # Whole only with its competences: a visit after leaving between the two computes.
            self.stamp = value["stamp"] if name == "kept" else None
            self.report_stamp = value["stamp"]
            self.fill()
        elif name == "competence":
            add_competence(self.report["labelers"], value)
            self.stamp = self.report_stamp
            self.fill()
        else:  # done or failed: whatever is on screen is what there is
            self.show_title()
        self.shown = True

    def show_title(self) -> None:
        if self.computed_at is None:
            if self.early is not None:
                text = (f"Live quality · {len(self.early)} labelers · the report is "
                        + ("computing …" if self.computing else "not computed (r tries again)")
                        + " · meanwhile gold checks, and their own labels on items with gold"
                          " (not the report's agreement)")
            else:
                text = ("Live quality · computing the figures …" if self.computing
                        else "Live quality · no figures (r tries again)")
            self.query_one("#dashboard-title", Static).update(Text(text))
            return
        arrow = "↓" if self.descending else "↑"
        old = age(time.time() - self.computed_at)
        if self.computing and any(e["competence"].get("pending")
                                  for e in self.report["labelers"].values()):
            state = " · competences coming …"
        elif self.computing:
            state = f" · these figures are {old}, updating …"
        elif self.kept:
            state = f" · kept from an earlier visit, {old}" + (
                ", nothing changed since" if self.kept_current else "")
        else:
            state = ""
        self.query_one("#dashboard-title", Static).update(Text(
            f"Live quality · {len(self.report['labelers'])} labelers{state}"
            f" · sorted by {COLUMNS[self.sort_column]} {arrow}"
            " · o sort · O reverse · Enter gold misses · u resume"))

    def fill(self) -> None:
        table = self.query_one(DataTable)
        selected = self.selected()
        columns: tuple[str, ...]
        shown_names: tuple[str, ...]
        if self.early is not None:
            columns, entries, cells_of = EARLY_COLUMNS, self.early, early_cells
            sort_at, shown_names = EARLY_SORTS.get(self.sort_column, 0), EARLY_COLUMNS
        else:
            columns, entries, cells_of = COLUMNS, self.report["labelers"], row_cells
            sort_at, shown_names = self.sort_column, self.columns
        rows = [(name, *cells_of(name, entry)) for name, entry in entries.items()]
        rows.sort(key=lambda r: r[2][sort_at], reverse=self.descending)
        at = [columns.index(c) for c in shown_names]
        fill_table(table, shown_names, [(name, [Text(safe(cells[i])) for i in at])
                                        for name, cells, _keys in rows])
        if selected is not None and selected in entries:
            table.move_cursor(row=table.get_row_index(selected))
        self.show_title()
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
        shown = [COLUMNS.index(c) for c in self.columns]  # the columns on screen, in turn
        at = shown.index(self.sort_column) if self.sort_column in shown else -1
        self.sort_column = shown[(at + 1) % len(shown)]
        self.fill()

    def action_reverse(self) -> None:
        self.descending = not self.descending
        self.fill()

    def action_resume(self) -> None:
        name = self.selected()
        if name is None:
            return

        def run() -> None:
            with immediate(self.app.db):
                resume(self.app.db, name, by=self.app.labeler)

        ok, _ = attempt(self.notify, "resume this labeler", run)
        if ok:
            self.notify(f"{safe(name)}: resumed", markup=False)
            self.update_report(again=False)  # the resume's event moved the stamp

    def action_misses(self) -> None:
        name = self.selected()
        if name is not None:
            self.app.push_screen(MissesScreen(name))


class MissesScreen(ComputingScreen):
    """A labeler's latest gold-check answers that missed, beside the gold, for coaching."""

    app: Host
    DOING = "read the gold misses"

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
        for column in MISSES_COLUMNS:
            table.add_column(column, key=column)

    def on_screen_resume(self) -> None:
        if not self.shown:
            labeler, schema = self.labeler, self.app.schema
            self.compute(lambda db: iter([("misses", gold_misses(db, labeler, schema=schema))]))

    def show_figures(self, name: str, value: Any) -> None:
        if name == "misses":
            fill_table(self.query_one(DataTable), MISSES_COLUMNS, [(None, [Text(safe(str(c))) for c in (
                miss["submitted_at"][:16], miss["item"], f"{miss['task']}.{miss['field']}",
                _value(miss["answer"]), _value(miss["gold"]))]) for miss in value])
            if not value:
                self.query_one("#misses-title", Static).update(
                    Text(f"{safe(self.labeler)} has no gold misses"))
        self.shown = True


def fill_table(table: DataTable[Any], columns: Sequence[str],
               rows: Sequence[tuple[str | None, list[Text]]]) -> None:
    """Replace `table`'s columns and rows (row key, cells), each column as wide as its widest
    cell. The widths are given here because a DataTable measures auto-width columns in its
    Idle handler, and a frame drawn before that caches its cells cut to the labels' width
    (the cell cache is not keyed by width): a loaded host kept showing "0.34–0" for
    "0.34–0.89"."""
    table.clear(columns=True)
    for k, column in enumerate(columns):
        table.add_column(column, key=column,
                         width=max([cell_len(column), *(cells[k].cell_len for _key, cells in rows)]))
    for key, cells in rows:
        table.add_row(*cells, key=key)


def _value(value: object) -> str:
    if isinstance(value, list):  # a ranking: tie groups best first
        return " > ".join(" = ".join(group) for group in value)
    return str(value)
