"""The tables of `labeldesk stats`, as rich renderables: the CLI prints them, the app shows them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from store.text import one_line

if TYPE_CHECKING:  # annotations only: rich loads when a table is made
    from rich.table import Table

SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(histogram: list[tuple[Any, Any, int]]) -> str:
    counts = [c for _, _, c in histogram]
    top = max(counts, default=0)
    if not top:
        return ""
    return "".join(" " if c == 0 else SPARKS[min(len(SPARKS) - 1, c * len(SPARKS) // (top + 1))] for c in counts)


def _num(x: float | int | None, digits: int = 1) -> str:
    if x is None:
        return "–"
    return f"{x:,.{digits}f}" if isinstance(x, float) else f"{x:,}"


def duration(seconds: float | None) -> str:
    """Time worked in the unit a person reads at a glance (not "0.00 hours")."""
    if not seconds:
        return "–"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def work_name(kind: str) -> str:
    """A kind of work as the home screen names it ("Score demonstrations", not the kind id)."""
    # here, not at the top: every command starts (`labeldesk --help` too) without opening a database (tests/test_import_hygiene.py)
    from screens.registry import WORK

    return next((w.title for w in WORK if w.kind == kind), kind)


def _table(title: str, columns: list[str], rows: list[list[Any]], *, text_columns: int = 1) -> Table:
    # here, not at the top: rich loads only when a table is printed, not on every command's start-up
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, title_justify="left", show_edge=False, min_width=len(title))
    for i, name in enumerate(columns):
        table.add_column(name, justify="left" if i < text_columns else "right")
    for row in rows:
        # Data values (categories, user ids) come from import files: plain text, never markup,
        # with control and invisible characters written out so none reaches the terminal.
        table.add_row(*(Text(one_line(str(v))) for v in row))
    return table


def render(stats: dict[str, Any]) -> list[Table]:
    prompts, users, lengths, progress = stats["prompts"], stats["users"], stats["lengths"], stats["progress"]
    out = []
    counts = [[f"{group.removeprefix('by_')}: {name}", _num(n)]
              for group, values in prompts.items() for name, n in values.items()]
    out.append(_table("Prompts (kept, except status and reason)", ["group: value", "prompts"], counts))
    crossing = users["users_in_more_than_one_split"]
    user_rows = [["users", _num(users["users"])]]
    user_rows += [[f"users in {s}", _num(n)] for s, n in users["users_per_split"].items()]
    user_rows.append(["users in more than one split", f"{crossing}" + (" ✓" if crossing == 0 else " ✗")])
    per_user = users["prompts_per_user"]
    user_rows.append(["prompts per user: mean / median / p90",
                      f"{_num(per_user['mean'])} / {_num(per_user['median'])} / {_num(per_user['p90'])}"])
    user_rows += [[f"top user {u}", _num(n)] for u, n in users["top"].items()]
    out.append(_table("Users", ["measure", "value"], user_rows))
    for key, title in (("prompt", "Prompt length (characters) by category"),
                       ("prompt_answer", "Prompt + demonstration length (characters) by category")):
        rows = [[c, _num(s["n"]), _num(s["mean"]), _num(s["median"]), _num(s["p90"]), sparkline(s["histogram"])]
                for c, s in lengths[key].items()]
        out.append(_table(title, ["category", "n", "mean", "median", "p90", "histogram"], rows))
    rows = [[work_name(k), _num(v["tasks"]), _num(v["tasks_started"]),
             f"{_num(v['done'])} / {_num(v['wanted'])}",
             "–" if v["share_done"] is None else f"{v['share_done']:.0%}"]
            for k, v in progress["kinds"].items()]
    out.append(_table("Progress by work (the queue; screening-quiz answers are not counted here)",
                      ["work", "items", "started", "labels done / wanted", "share"], rows))
    over = progress.get("over_overlap")
    if over is not None:
        # here, not at the top: every command starts (`labeldesk --help` too) without opening a database (tests/test_import_hygiene.py)
        from store.stats import OVER_OVERLAP_REASONS

        rows = [["items over overlap", _num(over["items"])]]
        rows += [[f"  {OVER_OVERLAP_REASONS[r]}", _num(n)] for r, n in over["by_reason"].items() if n]
        out.append(_table("Items labeled by more labelers than the overlap", ["reason", "items"], rows))
    rows = [[name, work_name(kind), _num(v["done"]), duration(v["hours"] * 3600),
             _num(v["items_per_hour"])]
            for name, kinds in progress["labelers"].items() for kind, v in kinds.items()]
    out.append(_table("Progress by labeler (quiz answers included)",
                      ["labeler", "work", "done", "time", "items/hour"], rows, text_columns=2))
    return out
