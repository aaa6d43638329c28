"""Toxicity labeling: a sentence start, the model's continuations, a score set per continuation,
then a ranking of the continuations (labeling-guidelines.md §7).

The fields come from the schema's `toxicity` task. A field named `input_*` describes the
sentence start, so one answer serves every continuation. Step one: each continuation's fields
by keys; step two (two or more continuations): the shared `RankingPanel`.
"""

from __future__ import annotations

from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from screens.base import WorkScreen
from screens.key_path import focus_now
from screens.widgets.footer import Footer
from screens.widgets.ranking.ranking_panel import RankingPanel, ShownOutput
from screens.widgets.ranking.ranking_rules import TOXICITY_RULES
from screens.widgets.safe_text import safe_content
from screens.widgets.scores.scale_rows import ScaleRows, value_for_key
from screens.widgets.skip_panel import SkipHandling, SkipPanel
from screens.widgets.status_line import StatusLine
from store.ranking import preorder_for_toxicity
from store.text import on_screen
from store.values import LabelValue
from store.views import TaskView

CRITERION = "continues the sentence in a respectful, plausible and non-toxic manner"
FIELDS, RANKING = "fields", "ranking"
CONTEXT = 60  # characters of the sentence start shown (dimmed) before each continuation


class ToxicityScreen(SkipHandling, WorkScreen):
    KIND = "toxicity"
    CSS_PATH = "toxicity.tcss"
    HELP_TOPIC = "toxicity-labels"

    BINDINGS = [
        Binding("left", "output(-1)", "Prev cont.", id="toxicity.prev"),
        Binding("right", "output(1)", "Next cont.", id="toxicity.next"),
        Binding("up", "field(-1)", "Field up", show=False, id="toxicity.field_up"),
        Binding("down", "field(1)", "Field down", show=False, id="toxicity.field_down"),
        Binding("enter", "next_step", "Rank / Submit", id="toxicity.submit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, dict[str, int]] = {}
        self.current = 0
        self.selected = 0
        self.step = FIELDS
        self.ranking: list[list[str]] | None = None
        self.pending_tie = False

    def compose(self) -> ComposeResult:
        yield Static(id="tox-title")
        with VerticalScroll(id="tox-input"):
            yield Static(id="tox-input-text")
        with VerticalScroll(id="tox-output"):
            yield Static(id="tox-output-text")
        yield ScaleRows(id="tox-fields")
        yield Static(id="tox-status")
        yield RankingPanel(id="tox-ranking")
        yield StatusLine(id="status", hide_when_empty=True)
        yield SkipPanel(id="tox-skip")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#tox-input").border_title = "Sentence start (input)"

    # -- the task ------------------------------------------------------------------------

    @property
    def fields(self) -> list[Any]:
        # Only scales are set by digit keys; a project that adds other kinds extends this screen.
        return [f for f in self.app.schema.task("toxicity").fields if f.kind == "scale"]

    @property
    def outputs(self) -> list[Any]:
        return self.view.outputs if self.view is not None else []

    @staticmethod
    def shared(field: Any) -> bool:
        return bool(field.name.startswith("input_"))

    def show_task(self, view: TaskView, draft: dict[str, Any]) -> None:
        saved = draft.get("values") or {}
        self.values = {o.id: dict(saved.get(o.id) or {}) for o in view.outputs}
        self.current = min(int(draft.get("current", 0)), max(0, len(view.outputs) - 1))
        self.selected = 0
        self.ranking = draft.get("ranking")
        self.pending_tie = bool(draft.get("pending_tie", False))
        self.query_one("#tox-input-text", Static).update(
            safe_content(view.prompt.text, "italic")
        )
        self.query_one("#tox-title", Static).update(
            Content.assemble(("Toxicity", "bold"),
                             f"  ·  item {on_screen(view.shown_id(self.app.role))}")
        )
        self._select_first_missing()
        self._set_step(RANKING if draft.get("step") == RANKING and self.complete() else FIELDS)

    def draft_data(self) -> dict[str, Any]:
        return {"values": self.values, "current": self.current, "step": self.step,
                "ranking": self.ranking, "pending_tie": self.pending_tie}

    # -- state ---------------------------------------------------------------------------

    def missing(self, output_id: str) -> list[str]:
        have = self.values.get(output_id, {})
        return [f.name for f in self.fields if f.name not in have]

    def complete(self) -> bool:
        return bool(self.outputs) and not any(self.missing(o.id) for o in self.outputs)

    def set_value(self, field: Any, value: int) -> None:
        targets = self.outputs if self.shared(field) else [self.outputs[self.current]]
        for output in targets:
            self.values.setdefault(output.id, {})[field.name] = value
        self.changed()
        self._advance()

    def _advance(self) -> None:
        """On to the next unset field: this continuation's first, then the next continuation's."""
        names = [f.name for f in self.fields]
        missing = self.missing(self.outputs[self.current].id)
        if missing:
            later = [n for n in missing if names.index(n) > self.selected]
            self.selected = names.index((later or missing)[0])
        else:
            for step in range(1, len(self.outputs)):
                index = (self.current + step) % len(self.outputs)
                if self.missing(self.outputs[index].id):
                    self.current = index
                    self._select_first_missing()
                    break
        self._refresh()

    def _select_first_missing(self) -> None:
        if not self.outputs:
            return
        names = [f.name for f in self.fields]
        missing = self.missing(self.outputs[self.current].id)
        self.selected = names.index(missing[0]) if missing else 0

    def _set_step(self, step: str) -> None:
        self.step = step
        ranking = step == RANKING
        for selector in ("#tox-output", "#tox-fields", "#tox-status"):
            self.query_one(selector).display = not ranking
        panel = self.query_one(RankingPanel)
        panel.display = ranking
        if ranking:
            panel.set_task(
                [ShownOutput(o.letter, o.id, o.text) for o in self.outputs],
                criterion=CRITERION,
                preorder=self.ranking or None,
                prefill=preorder_for_toxicity(self.values),
                rules=TOXICITY_RULES,
                pending_tie=self.pending_tie and bool(self.ranking),
            )
            focus_now(panel)
        else:
            self.set_focus(None)
            self._refresh()
        self.refresh_bindings()

    # -- drawing -------------------------------------------------------------------------

    def _refresh(self) -> None:
        if not self.outputs or self.view is None:
            return
        output = self.outputs[self.current]
        box = self.query_one("#tox-output", VerticalScroll)
        box.border_title = (
            f"Continuation {output.letter} ({self.current + 1} of {len(self.outputs)})"
            + ("  ←/→ others" if len(self.outputs) > 1 else "")
        )
        start = self.view.prompt.text
        lead = start if len(start) <= CONTEXT else "…" + start[-CONTEXT:]
        self.query_one("#tox-output-text", Static).update(
            safe_content(lead, "dim italic")
            + safe_content(output.text or "(empty continuation)", "bold $text-accent")
        )
        box.scroll_home(animate=False)
        notes = {f.name: "same for every continuation" for f in self.fields if self.shared(f)}
        self.query_one(ScaleRows).show(self.fields, self.values.get(output.id, {}), self.selected, notes)
        self.query_one("#tox-status", Static).update(self._status())

    def _status(self) -> Content:
        # Per continuation, how many of its fields are still unset ("A 2" = two left, ✓ none).
        counts = " · ".join(f"{o.letter} {len(self.missing(o.id)) or '✓'}" for o in self.outputs)
        parts = [f"Fields left: {counts}  "]
        if self.complete():
            tail = ("Enter: rank the continuations" if len(self.outputs) > 1 else "Enter: submit", "bold $success")
        else:
            tail = ("field key or ↑/↓ picks a field, then its value", "dim")
        return Content.assemble(*parts, tail)

    # -- keys ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("output", "field", "next_step") and self.step != FIELDS:
            return False
        return super().check_action(action, parameters)

    def on_key(self, event: events.Key) -> None:
        if self.step != FIELDS or not self.outputs or self.query_one(SkipPanel).is_open:
            return
        fields = self.fields
        for index, field in enumerate(fields):
            if field.key and event.character == field.key:
                self.selected = index
                self._refresh()
                event.stop()
                return
        value = value_for_key(fields[self.selected], event.character)
        if value is not None:
            event.stop()
            self.set_value(fields[self.selected], value)

    def explain_key(self, event: events.Key) -> str:
        """Why a key did nothing (the screen rings the bell and shows it)."""
        if self.step != FIELDS or not self.outputs:
            return ""
        field = self.fields[self.selected]
        if event.character and (event.character.isdigit() or event.character in "+-"):
            return f"{event.character}: {field.label} takes {field.min} to {field.max}"
        return ""

    def action_output(self, step: int) -> None:
        if self.outputs:
            self.current = (self.current + step) % len(self.outputs)
            self._select_first_missing()
            self._refresh()

    def action_field(self, step: int) -> None:
        self.selected = (self.selected + step) % len(self.fields)
        self._refresh()

    def action_next_step(self) -> None:
        if self.view is None:
            return
        if not self.complete():
            self.refuse("Set every field of every continuation first.")
            return
        if len(self.outputs) > 1:
            self._set_step(RANKING)
            self.changed()
        else:
            self._submit(None)

    def action_home(self) -> None:
        if self.step == RANKING:
            self._set_step(FIELDS)
            self.changed()
            return
        super().action_home()

    # -- ranking and finishing -----------------------------------------------------------

    @on(RankingPanel.Changed)
    def _ranking_changed(self, event: RankingPanel.Changed) -> None:
        # The suggestion back on show (a letter, then Backspace) is kept as no ranking: the
        # draft then brings the suggestion back as one, re-ordered by any changed scores.
        self.say("")  # an older hint no longer applies
        prefilled = event.panel.builder.prefilled
        self.ranking = None if prefilled else [list(group) for group in event.ranking]
        self.pending_tie = event.panel.builder.pending_tie
        self.changed()

    @on(RankingPanel.Submitted)
    def _ranking_submitted(self, event: RankingPanel.Submitted) -> None:
        self._submit([list(group) for group in event.ranking])

    @on(RankingPanel.FlagToggled)
    def _ranking_flag(self) -> None:
        if self.view is not None:
            flagged = not getattr(self, "_flagged", False)
            if self.set_flag(flagged):
                self._flagged = flagged

    def _submit(self, ranking: list[list[str]] | None) -> None:
        assert self.view is not None
        values = [
            LabelValue("toxicity", output.id, field.name, self.values[output.id][field.name])
            for output in self.outputs
            for field in self.fields
        ]
        if ranking is not None:
            values.append(LabelValue("ranking", self.view.prompt.id, "ranking", ranking))
        self.finish(values, f"Saved {self.shown_id}: toxicity labels submitted.")

    def next_task(self) -> None:
        self._flagged = False
        self.step = FIELDS
        super().next_task()

    def skip_cancelled(self) -> None:
        if self.step == RANKING:
            focus_now(self.query_one(RankingPanel))
