"""Researchers settle disputed items: every labeler's answer side by side, as A, B, C…

One row per disputed field (a rating, a flag, the ranking). The ranking's row has a line per
labeler: the ranking, the preference strength of each boundary and the labeler's reason (their
own text, shown literally). A long answer wraps under itself, never back to column 0. On a row,
`A`..`I` takes that labeler's answer, `c` the labelers' consensus, a digit sets a rating, `y`/`n` a flag; on the
ranking row digits, `>` and `=` type a ranking of the outputs' numbers (`2>1=3`, Backspace
erases). `t` picks the reason tag, `g` marks "guideline update needed", Enter stores the decision
as gold. Names never reach this screen: the store hands over letters only.

The next case is looked for in a thread worker (screens/background.py: finding it may judge
many items), so Escape is answered while it is; keys typed meanwhile wait for the case and then
act on it in order.
"""

from __future__ import annotations

import time
from itertools import groupby
from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Region
from textual.widgets import Static

from screens.background import ComputingScreen, Figures
from screens.faults import attempt
from screens.host import Host
from screens.widgets.footer import Footer
from screens.widgets.prompt.conversation import PromptStatic
from screens.widgets.prompt.few_shot import render_prompt
from screens.widgets.safe_text import safe_content
from screens.widgets.scores.scale_rows import value_for_key
from store import adjudication
from store.db import retry_busy
from store.text import on_screen
from store.values import LabelValue

Key = tuple[str, str, str]
Line = tuple[Content, Content]  # (what stands in the margin, what wraps beside it)
MARGIN = 4  # a row's answers stand this far in


def shown_value(value: Any, numbers: dict[str, str]) -> str:
    """A value as the researcher reads it; rankings use the outputs' numbers (1, 2, 3…).
    Labelers' answers may come from an imported file: control characters are made visible."""
    if value is None:
        return "·"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value == "na":
        return "n/a"
    if isinstance(value, list):
        return " > ".join(" = ".join(numbers.get(o, "?") for o in group) for group in value)
    return on_screen(str(value))


def shown_levels(levels: list[Any]) -> str:
    """A strength's levels, best boundary first, a run of one level once with its count:
    `better ×2 · slightly better` (a level may come from an imported file: made visible)."""
    runs = [(level, len(list(group))) for level, group in groupby(map(str, levels))]
    return " · ".join(on_screen(level) + (f" ×{n}" if n > 1 else "") for level, n in runs)


class AdjudicationScreen(ComputingScreen):
    app: Host  # the typed view of self.app (screens.host)
    CSS_PATH = "adjudication.tcss"
    DOING = "fetch the next disputed item"
    HELP_TOPIC = "keys"
    BINDINGS = [
        Binding("escape", "home", "Home", id="adjudication.home"),
        Binding("enter", "decide", "Save", id="adjudication.decide"),
        # Before the focused prompt box's own scrolling: ↑/↓ move between fields whether or not
        # the prompt fits (PageUp/PageDown scroll it).
        Binding("up,k", "move(-1)", "Prev field", id="adjudication.up", show=False, priority=True),
        Binding("down,j", "move(1)", "Next field", id="adjudication.down", show=False,
                priority=True),
        Binding("t", "next_reason", "Reason", id="adjudication.reason"),
        Binding("g", "toggle_update", "Guideline flag", id="adjudication.update"),
        Binding("c", "take_consensus", "Consensus", id="adjudication.consensus"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.case: adjudication.Case | None = None
        self.values: dict[Key, Any] = {}
        self.typed: dict[Key, str] = {}  # a ranking being typed, as the researcher typed it
        self.row = 0
        self.reason: int | None = None
        self.guideline_update = False
        self.started = time.monotonic()

    def compose(self) -> ComposeResult:
        yield Static(id="adj-title")
        with VerticalScroll(id="adj-context"):
            yield PromptStatic(id="adj-prompt")
            yield Static(id="adj-outputs")
        with VerticalScroll(id="adj-rows-box"):
            yield Static(id="adj-rows")
        yield Static(id="adj-status")
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # With no disputed item on screen only the way home applies: the rest is not shown.
        if action != "home" and self.case is None:
            return False
        return True

    def on_screen_resume(self) -> None:
        if self.app.role != "researcher":
            self.notify("Adjudication is for researchers.", severity="error", markup=False)
            self.app.pop_screen()
            return
        if self.case is None:
            self.load_next()

    # ------------------------------------------------------------------ the case
    def load_next(self) -> None:
        """Look for the next case in the worker; keys wait until it is on screen."""
        app = self.app
        researcher, rules, overlap = app.labeler, app.config.escalation, app.config.overlap
        self.shown = False
        self.case = None
        self.refresh_case()
        self.query_one("#adj-title", Static).update("Looking for the next disputed item…")

        def figures(db: Any) -> Figures:
            case = retry_busy(adjudication.next_case, db, researcher, rules, overlap)
            draft = adjudication.load_draft(db, case, researcher) if case else {}
            yield "case", (case, draft)

        self.compute(figures)

    def show_figures(self, name: str, value: Any) -> None:
        if name == "done":
            return
        case, draft = value if name == "case" else (None, {})
        self.case = case
        self.values, self.row, self.reason, self.guideline_update = {}, 0, None, False
        self.typed = {}
        self.started = time.monotonic()
        if self.case is not None:
            self._restore(draft)
        self.refresh_case()
        self.refresh_bindings()
        self.shown = True

    # A decision in progress is kept in the database on every change (a few keys an item), so a
    # dropped connection or a kill loses none of it.
    def _restore(self, draft: dict[str, Any]) -> None:
        keys = set(self.case.keys) if self.case else set()
        self.values = {k: v for *k_, v in draft.get("values", []) if (k := tuple(k_)) in keys}
        self.reason = draft.get("reason")
        self.guideline_update = bool(draft.get("guideline_update"))
        self.started -= draft.get("seconds", 0)

    def _keep(self) -> None:
        if self.case is None:
            return
        data = {"values": [[*k, v] for k, v in self.values.items()], "reason": self.reason,
                "guideline_update": self.guideline_update,
                "seconds": round(time.monotonic() - self.started, 1)}
        attempt(self.notify, "keep your decision so far", adjudication.save_draft, self.app.db,
                self.case, self.app.labeler, data)

    @property
    def numbers(self) -> dict[str, str]:
        return {o.id: o.letter for o in self.case.outputs} if self.case else {}

    def refresh_case(self) -> None:
        case = self.case
        if case is None:
            self.query_one("#adj-title", Static).update("No disputed item waits for a researcher.")
            for part in ("#adj-prompt", "#adj-outputs", "#adj-rows", "#adj-status"):
                self.query_one(part, Static).update("")
            return
        d = case.dispute
        rules = ", ".join(sorted({f.rule for f in d.findings}))
        self.query_one("#adj-title", Static).update(Content.assemble(
            ("Dispute", "bold"), f" {on_screen(d.item)} · {d.kind} · {d.labelers} labelers · {rules}"))
        self.query_one("#adj-prompt", PromptStatic).show_prompt(
            render_prompt(case.prompt.text, case.prompt.style or "plain"), case.prompt.messages)
        outputs = Content("\n").join(
            Content.assemble((f"{o.letter}. ", "bold"), safe_content(o.text)) for o in case.outputs)
        self.query_one("#adj-outputs", Static).update(outputs)
        self.query_one("#adj-context", VerticalScroll).scroll_home(animate=False)
        self.show_rows()

    def _row_name(self, key: Key) -> str:
        task, item, name = key
        if task in ("output", "toxicity"):
            return f"{name} of output {self.numbers.get(item, '?')}"
        return name

    def _detail(self, key: Key) -> str:
        """The findings' details, output ids as the numbers this screen shows them under."""
        parts = []
        for f in self.case.findings_for(key) if self.case else []:
            detail = f.detail
            for output in f.outputs:
                detail = detail.replace(output, f"output {self.numbers.get(output, '?')}")
            parts.append(detail)
        return on_screen("; ".join(parts))

    def _ranking_lines(self, key: Key) -> list[Line]:
        """A line per labeler: the ranking and its strengths, then the labeler's reason."""
        task, item, _name = key
        out: list[Line] = []
        for c in self.case.columns if self.case else []:
            body = Content(shown_value(c.answers.get(key), self.numbers))
            levels = c.answers.get((task, item, "strength"))
            if isinstance(levels, list) and levels:
                body += Content.assemble(("  strength ", "$text-muted"), shown_levels(levels))
            out.append((Content(" " * MARGIN + f"{c.letter} "), body))
            reason = c.answers.get((task, item, "reason"))
            if isinstance(reason, str) and reason.strip():
                out.append((Content.styled(" " * (MARGIN + 2) + "reason ", "$text-muted"),
                            safe_content(reason)))
        return out

    def _row_lines(self, n: int, key: Key) -> list[Line]:
        case = self.case
        assert case is not None
        marker = "▶ " if n == self.row else "  "
        name = (marker + self._row_name(key), "bold" if n == self.row else "")
        lines: list[Line] = [(Content.assemble(name, "  "), Content(f"({self._detail(key)})"))]
        if key[2] == "ranking":
            lines += self._ranking_lines(key)
        else:
            answers = "  ".join(f"{c.letter} {shown_value(c.answers.get(key), self.numbers)}"
                                for c in case.columns)
            lines.append((Content(" " * MARGIN), Content(answers)))
        final = shown_value(self.values.get(key), self.numbers)
        if key in self.typed and key not in self.values:
            final = f"{self.typed[key]}… (every output once)"
        lines.append((Content(" " * MARGIN + "final: "),
                      Content.styled(final, "bold $success" if key in self.values else "$warning")))
        return lines

    def _width(self) -> int:
        """Columns the rows have: the rows' own width once laid out, less room for the box's
        scrollbar should more lines bring one (a line wider than this would wrap at column 0)."""
        box = self.query_one("#adj-rows-box", VerticalScroll)
        laid_out = self.query_one("#adj-rows", Static).size.width
        if not laid_out:
            return max(20, self.app.size.width - 6)  # before the first layout: a guess
        return max(20, laid_out - (0 if box.show_vertical_scrollbar else box.scrollbar_size_vertical))

    def _unfold(self, lines: list[Line], width: int) -> list[Content]:
        """Each line's text wrapped beside its margin, so a long ranking or reason continues
        under itself instead of at column 0."""
        out: list[Content] = []
        for margin, body in lines:
            room = max(8, width - margin.cell_length)
            for i, part in enumerate(body.wrap(room) or [Content("")]):
                out.append((margin if i == 0 else Content(" " * margin.cell_length)) + part)
        return out

    def show_rows(self) -> None:
        case = self.case
        if case is None:
            return
        times = "  ".join(
            f"{c.letter}: {c.seconds:.0f}s" if c.seconds is not None else f"{c.letter}: –"
            for c in case.columns)
        width = self._width()
        shown = self._unfold([(Content(""), Content.styled(f"active time  {times}", "$text-muted"))],
                             width)
        current = Region(0, 0, 1, 1)
        for n, key in enumerate(case.keys):
            rows = self._unfold(self._row_lines(n, key), width)
            if n == self.row:
                current = Region(0, len(shown), 1, len(rows))
            shown += rows
        if not any(k[2] == "ranking" for k in case.keys):
            ranking = next((k for c in case.columns for k in c.answers if k[2] == "ranking"), None)
            said = ranking is not None and any(
                (ranking[0], ranking[1], name) in c.answers
                for c in case.columns for name in ("strength", "reason"))
            if ranking is not None and said:  # not disputed, yet the labelers said why
                shown += self._unfold([(Content.styled("  ranking (not disputed)", "$text-muted"),
                                        Content(""))] + self._ranking_lines(ranking), width)
        self.query_one("#adj-rows", Static).update(Content("\n").join(shown))
        # Keep the current field in view, however many lines its answers took.
        box = self.query_one("#adj-rows-box", VerticalScroll)
        box.call_after_refresh(box.scroll_to_region, current, animate=False)
        if not self.query_one("#adj-rows", Static).size.width:
            self.call_after_refresh(self._rewrap)
        reason = adjudication.REASONS[self.reason][1] if self.reason is not None else "none yet (t)"
        update = "yes" if self.guideline_update else "no"
        self.query_one("#adj-status", Static).update(
            f"reason: {reason} · guideline update needed: {update} · "
            "A–I take an answer, c consensus, 1–7 / y n / 2>1=3 set it")

    def _rewrap(self) -> None:
        """The rows wrapped again once they have a width (never asks again itself)."""
        if self.query_one("#adj-rows", Static).size.width:
            self.show_rows()

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self._rewrap)  # wrapped to the width laid out anew

    # ------------------------------------------------------------------ keys
    @property
    def current(self) -> Key | None:
        return self.case.keys[self.row] if self.case and self.case.keys else None

    def _set(self, value: Any) -> None:
        key = self.current
        if key is None or value is None:
            return
        self.typed.pop(key, None)
        self.values[key] = value
        self._keep()
        self.show_rows()

    def on_key(self, event: events.Key) -> None:
        key, char = self.current, event.character or ""
        if key is None or self.case is None:
            return
        field = self.app.schema.field(key[0], key[2])
        value = None
        if field.kind == "ranking" and (char and char in "123456789>=" or event.key == "backspace"):
            event.stop()
            self._type_ranking(key, char if char and char in "123456789>=" else None)
            return
        if char in "ABCDEFGHI" and char:
            column = next((c for c in self.case.columns if c.letter == char), None)
            value = column.answers.get(key) if column else None
        elif field.kind == "scale" and value_for_key(field, char) is not None:
            value = value_for_key(field, char)
        elif char in ("y", "n") and char and field.kind in ("bool", "bool_na"):
            value = char == "y"
        else:
            return
        event.stop()
        self._set(value)

    def _type_ranking(self, key: Key, char: str | None) -> None:
        text = self.typed.get(key, "")
        text = text + char if char else text[:-1]
        self.typed[key] = text
        by_number = {o.letter: o.id for o in self.case.outputs} if self.case else {}
        ranking = [[by_number.get(n, "?") for n in group.split("=")] for group in text.split(">")]
        placed = [o for group in ranking for o in group]
        if sorted(placed) == sorted(by_number.values()):
            self.values[key] = ranking
        else:
            self.values.pop(key, None)
        self._keep()
        self.show_rows()

    def action_move(self, step: int) -> None:
        if self.case and self.case.keys:
            self.row = (self.row + step) % len(self.case.keys)
            self.show_rows()

    def action_take_consensus(self) -> None:
        if self.current is None or self.case is None:
            return
        consensus = self.case.consensus.get(self.current)
        if consensus is None:
            self.app.bell()
            self.notify(f"No consensus on {self._row_name(self.current)}: the labelers are split "
                        "(take one answer with A–I or set your own).", severity="warning",
                        markup=False)
            return
        self._set(consensus)

    def action_next_reason(self) -> None:
        self.reason = 0 if self.reason is None else (self.reason + 1) % len(adjudication.REASONS)
        self._keep()
        self.show_rows()

    def action_toggle_update(self) -> None:
        self.guideline_update = not self.guideline_update
        self._keep()
        self.show_rows()

    def action_decide(self) -> None:
        case = self.case
        if case is None:
            return
        missing = [self._row_name(k) for k in case.keys if k not in self.values]
        if missing:
            self.notify("No final value yet for " + ", ".join(missing) + ".", severity="warning",
                        markup=False)
            return
        if self.reason is None:
            self.notify("Pick the reason first (t).", severity="warning", markup=False)
            return
        values = [LabelValue(t, i, f, self.values[(t, i, f)]) for t, i, f in case.keys]
        ok, _ = attempt(self.notify, "save the decision", adjudication.decide, self.app.db, case,
                        self.app.labeler, values, reason=adjudication.REASON_TAGS[self.reason],
                        guideline_update=self.guideline_update,
                        seconds=round(time.monotonic() - self.started, 1), schema=self.app.schema)
        if not ok:
            return
        self.notify(f"Saved the decision on {on_screen(case.dispute.item)}.", markup=False)
        self.load_next()

    def action_home(self) -> None:
        self.app.pop_screen()
