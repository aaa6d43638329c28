"""Demonstration writing: the labeler reads a prompt and writes the ideal answer.

One installed screen serves every demonstration task: submitting swaps in the next task. Nothing
typed is lost: the draft is written at most `DRAFT_DELAY` after a keystroke, also while the
labeler keeps typing (a throttle, not a debounce, so `kill -9` loses at most that much), when
the screen is left, and whenever the App flushes drafts (quit, SIGHUP, SIGTERM).
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static, TextArea

from screens.base import WorkScreen
from screens.key_path import focus_now
from screens.widgets.clipboard import copy_text
from screens.widgets.confirm_bar import ConfirmBar
from screens.widgets.footer import Footer
from screens.widgets.prompt.conversation import PromptStatic
from screens.widgets.prompt.few_shot import render_prompt
from screens.widgets.safe_text_area import SafeTextArea
from screens.widgets.skip_panel import SkipHandling, SkipPanel
from screens.widgets.status_line import StatusLine
from store import demonstrations
from store.task_session import Outcome, Saved
from store.text import on_screen
from store.views import TaskView


def count_words(text: str) -> int:
    return len(text.split())


class PromptScroll(VerticalScroll, can_focus=True):
    """The prompt; Tab focuses it to scroll with the arrow and page keys (and enlarges it)."""


class WritingScreen(SkipHandling, WorkScreen):
    KIND = "demonstration"
    CSS_PATH = "writing.tcss"
    HELP_TOPIC = "the-three-criteria"  # then weighing and the worked examples

    _loaded_text: str | None = None

    BINDINGS = [
        Binding("ctrl+s", "submit", "Submit", id="writing.submit", priority=True),
        Binding("f2", "copy_prompt", "Copy prompt", id="writing.copy_prompt"),
        Binding("f3", "copy_answer", "Copy answer", id="writing.copy_answer"),
    ]

    def compose(self) -> ComposeResult:
        yield Static(id="writing-title")
        with PromptScroll(id="writing-prompt"):
            yield PromptStatic(id="writing-prompt-text")
        yield SafeTextArea(id="writing-answer", soft_wrap=True, placeholder="Write the ideal answer here.")
        yield Static(id="writing-status")
        yield StatusLine(id="status", hide_when_empty=True)
        yield ConfirmBar(id="writing-confirm")
        yield SkipPanel(id="writing-skip")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#writing-prompt").border_title = "Prompt (Tab here to scroll)"
        self.editor.border_title = "Your answer (ctrl+z undo, ctrl+y redo)"

    @property
    def editor(self) -> TextArea:
        return self.query_one("#writing-answer", TextArea)

    # -- the task ------------------------------------------------------------------------

    def show_task(self, view: TaskView, draft: dict[str, Any]) -> None:
        prompt = view.prompt
        self.query_one("#writing-title", Static).update(
            Content.assemble(
                ("Write the ideal answer", "bold"),
                f"  ·  prompt {on_screen(view.shown_id(self.app.role))}",
                f"  ·  {on_screen(prompt.category or 'uncategorised')}",
            )
        )
        self.query_one("#writing-prompt-text", PromptStatic).show_prompt(
            render_prompt(prompt.text, prompt.style or "plain"), prompt.messages)
        self.query_one("#writing-prompt", VerticalScroll).scroll_home(animate=False)
        text = str(draft.get("text", ""))
        self._loaded_text = text
        editor = self.editor
        editor.load_text(text)
        cursor = draft.get("cursor")
        editor.cursor_location = tuple(cursor) if cursor else editor.document.end
        self._update_status("draft restored" if text else "")
        focus_now(editor)

    def draft_data(self) -> dict[str, Any]:
        return {"text": self.editor.text, "cursor": list(self.editor.cursor_location)}

    # -- drafts --------------------------------------------------------------------------

    @on(TextArea.Changed, "#writing-answer")
    def _edited(self) -> None:
        if self.editor.text == self._loaded_text:
            return  # the Changed that loading a task posts: nothing new to save
        self._loaded_text = None
        self._update_status("")
        if self.view is not None:
            self.changed()

    def flush_drafts(self) -> Outcome | None:
        outcome = super().flush_drafts()
        if isinstance(outcome, Saved):
            self._update_status("draft saved")
        return outcome

    def _update_status(self, note: str) -> None:
        text = self.editor.text
        counts = f"{count_words(text)} words · {len(text)} characters"
        self.query_one("#writing-status", Static).update(
            Content.assemble(counts, ("  ·  " + note if note else "", "dim"))
        )

    # -- actions -------------------------------------------------------------------------

    def action_copy_prompt(self) -> None:
        if self.view is not None:
            copy_text(self.app, self.view.prompt.text)
            self.notify("Prompt copied to the clipboard.")

    def action_copy_answer(self) -> None:
        copy_text(self.app, self.editor.text)
        self.notify("Answer copied to the clipboard.")

    def action_submit(self) -> None:
        if self.view is None:
            return
        text = self.editor.text
        if not text.strip():
            self.refuse("Write an answer before submitting.")
            return
        self.flush_drafts()
        self.query_one(ConfirmBar).ask(
            f"Submit this answer ({count_words(text)} words)?  y / Enter: submit   n / Esc: keep writing"
        )

    @on(ConfirmBar.Answered, "#writing-confirm")
    def _confirmed(self, event: ConfirmBar.Answered) -> None:
        focus_now(self.editor)
        if not event.confirmed or self.view is None:
            return
        prompt_id = self.view.prompt.id
        assignment_id, text = self.view.assignment.id, self.editor.text
        self.finish_with(lambda: self.session.submit_with(  # on failure the text stays on screen
            demonstrations.submit_demonstration, self.app.db, assignment_id,
            prompt_id, text, seconds=self.seconds_on_task(),
            schema=self.app.schema, overlap=self.app.config.overlap(self.KIND),
            active_seconds=self.session.active_seconds(),
        ), f"Saved your answer to {on_screen(self.shown_id)}.")

    def skip_cancelled(self) -> None:
        focus_now(self.editor)
