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
from screens.widgets.footer import Footer
from screens.widgets.prompt.conversation import PromptStatic
from screens.widgets.prompt.few_shot import render_prompt
from screens.widgets.safe_text import safe_content
from screens.widgets.scores.scale_rows import ScaleRows, value_for_key
from screens.widgets.skip_panel import SkipHandling, SkipPanel
from screens.widgets.status_line import StatusLine
from store import demonstrations
from store.task_session import ScoreSession
from store.text import on_screen
from store.views import TaskView

SKIP_REASONS = ("cannot judge", "not in my language", "answer broken or missing",
                "upsetting content")


class DemoScoringScreen(SkipHandling, WorkScreen):
    KIND = demonstrations.SCORE_KIND
    CSS_PATH = "demo_scoring.tcss"
    HELP_TOPIC = "writing-demonstrations"

    BINDINGS = [Binding("enter", "submit", "Submit score", id="demo_scoring.submit")]

    def __init__(self) -> None:
        super().__init__()
        self.rating: int | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="score-title")
        with VerticalScroll(id="score-prompt"):
            yield PromptStatic(id="score-prompt-text")
        with VerticalScroll(id="score-answer"):
            yield Static(id="score-answer-text")
        yield ScaleRows(id="score-rating")
        yield StatusLine(id="status", hide_when_empty=True)
        yield SkipPanel(SKIP_REASONS, id="score-skip")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#score-prompt").border_title = "Prompt"

    def make_session(self) -> ScoreSession:
        app = self.app
        return ScoreSession(app.db, app.labeler, lease_seconds=app.config.lease_seconds,
                            schema=app.schema, busy_bound=getattr(app, "busy_bound", None))

    @property
    def demo(self) -> demonstrations.Demonstration | None:
        session = self.session
        assert isinstance(session, ScoreSession)
        return session.demo if session.view is not None else None

    @property
    def field(self) -> Any:
        return self.app.schema.field(demonstrations.SCORE_KIND, "rating")

    def may_work(self) -> bool:
        if self.app.role == "researcher":
            return True
        self.notify("Scoring demonstrations is for researchers.", severity="error", markup=False)
        self.leave()
        return False

    def show_task(self, view: TaskView, draft: dict[str, Any]) -> None:
        demo = self.demo
        assert demo is not None
        self.rating = draft.get("rating")
        self.query_one("#score-title", Static).update(
            Content.assemble(("Score this demonstration", "bold"), f"  ·  {demo.id}",
                             f"  ·  prompt {on_screen(demo.prompt.id)}")
        )
        self.query_one("#score-prompt-text", PromptStatic).show_prompt(
            render_prompt(demo.prompt.text, demo.prompt.style or "plain"), demo.prompt.messages)
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
        if self.demo is None or self.query_one(SkipPanel).is_open:  # digits go to the reason
            return
        value = value_for_key(self.field, event.character)
        if value is not None:
            event.stop()
            self.rating = value
            self.changed()
            self._show_rating()

    def skip_cancelled(self) -> None:
        self.set_focus(None)  # the screen takes the digits again

    def explain_key(self, event: events.Key) -> str:
        if event.character and event.character.isdigit():
            return f"{event.character}: scores are {self.field.min} to {self.field.max}"
        return ""

    def action_submit(self) -> None:
        demo = self.demo
        if demo is None:
            return
        if self.rating is None:
            self.refuse(f"Press {self.field.min}..{self.field.max} to score first.")
            return
        session = self.session
        assert isinstance(session, ScoreSession)
        rating = self.rating
        self.finish_with(lambda: session.submit_score(rating), f"Score {rating} saved.")
