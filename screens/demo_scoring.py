"""Researchers score written demonstrations 1..7, seeing only the prompt and the answer.

The answer is known here as `d<label id>`; the writer's name is never fetched, so it cannot be
shown. Scores are `demonstration_score`/`rating` labels (gold, as researchers write them).
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from screens.base import WorkScreen
from screens.faults import attempt
from screens.widgets.few_shot import render_prompt
from screens.widgets.footer import Footer
from screens.widgets.safe_text import safe_content
from screens.widgets.scale_rows import ScaleRows, value_for_key
from store import demonstrations, labels
from store.text import on_screen
from store.views import TaskView


class DemoScoringScreen(WorkScreen):
    KIND = demonstrations.SCORE_KIND
    CSS_PATH = "demo_scoring.tcss"
    HELP_TOPIC = "writing-demonstrations"

    BINDINGS = [Binding("enter", "submit", "Submit score", id="demo_scoring.submit")]

    def __init__(self) -> None:
        super().__init__()
        self.demo: demonstrations.Demonstration | None = None
        self.rating: int | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="score-title")
        with VerticalScroll(id="score-prompt"):
            yield Static(id="score-prompt-text")
        with VerticalScroll(id="score-answer"):
            yield Static(id="score-answer-text")
        yield ScaleRows(id="score-rating")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#score-prompt").border_title = "Prompt"

    @property
    def field(self) -> Any:
        return self.app.schema.field(demonstrations.SCORE_KIND, "rating")

    def on_screen_resume(self) -> None:
        if self.app.role != "researcher":
            self.notify("Scoring demonstrations is for researchers.", severity="error", markup=False)
            self.app.pop_screen()
            return
        super().on_screen_resume()

    def _claim(self) -> tuple[TaskView, dict[str, Any]] | None:
        """Like the base, but the item is a demonstration `d<id>`, not a prompt."""
        app = self.app
        ok, assignment = attempt(self.notify, "fetch the next demonstration",
                                 demonstrations.claim_score, app.db, app.labeler,
                                 lease_seconds=app.config.lease_seconds)
        if not ok:
            self.view = self.demo = None
            if self.app.screen is self:
                self.app.pop_screen()
            return None
        if assignment is None:
            self.demo = None
            return None
        self.demo = demonstrations.get_demonstration(app.db, assignment.item)
        return TaskView(assignment, self.demo.prompt, []), labels.load_draft(app.db, assignment.id) or {}

    def show_task(self, view: TaskView, draft: dict[str, Any]) -> None:
        demo = self.demo
        assert demo is not None
        self.rating = draft.get("rating")
        self.query_one("#score-title", Static).update(
            Content.assemble(("Score this demonstration", "bold"), f"  ·  {demo.id}",
                             f"  ·  prompt {on_screen(demo.prompt.id)}")
        )
        self.query_one("#score-prompt-text", Static).update(
            render_prompt(demo.prompt.text, demo.prompt.style or "plain")
        )
        self.query_one("#score-answer").border_title = f"Answer {demo.id}"
        self.query_one("#score-answer-text", Static).update(safe_content(demo.text))
        for box in ("#score-prompt", "#score-answer"):
            self.query_one(box, VerticalScroll).scroll_home(animate=False)
        self._show_rating()

    def _show_rating(self) -> None:
        values = {} if self.rating is None else {"rating": self.rating}
        self.query_one(ScaleRows).show([self.field], values, 0)

    def draft_data(self) -> dict[str, Any]:
        return {"rating": self.rating}

    def on_key(self, event: events.Key) -> None:
        if self.demo is None:
            return
        value = value_for_key(self.field, event.character)
        if value is not None:
            event.stop()
            self.rating = value
            self.changed()
            self._show_rating()

    def action_submit(self) -> None:
        if self.demo is None or self.view is None:
            return
        if self.rating is None:
            self.notify(f"Press {self.field.min}..{self.field.max} to score first.", severity="warning")
            return
        ok, _ = attempt(self.notify, "save the score", demonstrations.submit_score, self.app.db,
                        self.view.assignment.id, self.demo.id, self.rating,
                        seconds=self.seconds_on_task(), schema=self.app.schema)
        if not ok:
            return
        self._dirty = False
        self.notify(f"Scored {self.demo.id}: {self.rating}.")
        self.next_task()
