"""The screening quiz (labeling-guidelines §8): item n of N, answers saved as given, lock at the end.

The screen holds a `store.quiz.session.QuizSession` (every write returns `Saved` or `NotSaved`,
as a task session's does), whose view carries the items and the candidate's own answers only:
gold never reaches this module. Each change is saved (throttled) as the item's
draft with the seconds spent on it, half-done items and a pending tie included; a returning
candidate goes on at the first unfinished item; ctrl+n / ctrl+o move between items, the review
page submits and locks the quiz after a confirmation.

A `DraftingScreen` (screens/drafting.py), as work screens are: it shares the ordered key path,
the status line, the draft throttle and leaving safely with them, but has no task queue.
"""

from __future__ import annotations

import re
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import (
    ContentSwitcher,
    Header,
    Input,
    ProgressBar,
    SelectionList,
    Static,
    TextArea,
)
from textual.widgets.selection_list import Selection

from screens.drafting import DraftingScreen
from screens.faults import KEPT
from screens.key_path import focus_now
from screens.widgets.check_list import CheckList
from screens.widgets.confirm_bar import ConfirmBar
from screens.widgets.flag_form import FlagForm, FlagRow
from screens.widgets.footer import Footer
from screens.widgets.ranking.ranking_panel import RankingPanel, ShownOutput
from screens.widgets.safe_text import SafeInput, safe_content
from screens.widgets.safe_text_area import SafeTextArea
from screens.widgets.status_line import StatusLine
from store.errors import StoreError
from store.quiz import taking
from store.quiz.session import QuizSession
from store.schema import Schema
from store.task_session import NotSaved, Saved
from store.text import on_screen

SECTION_TITLES = {
    "flagging": "Flag sensitive content",
    "ranking": "Rank the completions",
    "demonstrations": "Write an answer",
    "self_assessment": "Self-assessment",
}
RANK_BY = "overall quality: helpful, truthful and harmless (guidelines §3). Ties are fine."


def _label(schema: Schema, task: str, name: str) -> str:
    """The schema's label of a flag; its name if this app runs another schema than the import."""
    try:
        return schema.field(task, name).label
    except StoreError:
        return name


def reflow(text: str) -> str:
    """Join the hard-wrapped lines of a TOML multi-line string; blank lines stay paragraphs."""
    return re.sub(r"(?<!\n)\n(?!\n)", " ", text.strip())


class QuizRankingPanel(RankingPanel):
    """The shared ranking widget without flag: every quiz item is answered."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "flag":
            return False
        return super().check_action(action, parameters)


class SelfText(SafeInput):
    async def action_submit(self) -> None:
        # At once rather than through Input.Submitted: keys typed after Enter meet the next item.
        screen = self.screen
        if isinstance(screen, QuizScreen):
            screen.action_go(1)


class QuizScreen(DraftingScreen):
    KIND = "quiz"
    CSS_PATH = "quiz.tcss"
    BINDINGS = [
        Binding("ctrl+n", "go(1)", "Next item", id="quiz.next", priority=True),
        Binding("ctrl+o", "go(-1)", "Previous item", id="quiz.prev", priority=True),
        Binding("ctrl+s", "save_item", "Save / submit", id="quiz.save", priority=True),
        Binding("enter", "begin", "Begin", id="quiz.begin", show=False),
        # Only while another terminal of the labeler holds the quiz (store/quiz/holding.py).
        Binding("ctrl+t", "take_over", "Continue here", id="quiz.take_over", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._session: QuizSession | None = None
        self.elsewhere = False  # another session of the labeler holds the quiz
        self._held_reason = ""

    @property
    def session(self) -> QuizSession:
        if self._session is None:
            app = self.app
            self._session = QuizSession(app.db, app.labeler, schema=app.schema,
                                        busy_bound=app.busy_bound)
        return self._session

    @property
    def quiz(self) -> taking.QuizView | None:
        """The quiz on screen, None before one is loaded."""
        return self._session.view if self._session is not None else None

    @property
    def position(self) -> int:
        """-1 the instructions, `len(items)` the review page."""
        return self._session.position if self._session is not None else -1

    @position.setter
    def position(self, position: int) -> None:
        self.session.position = position

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="quiz-top"):
            yield Static(id="quiz-title", markup=False)
            yield ProgressBar(id="quiz-progress", show_eta=False)
        with ContentSwitcher(id="quiz-body", initial="intro"):
            with VerticalScroll(id="intro"):
                yield Static(id="intro-text", markup=False)
            with VerticalScroll(id="flagging"):
                yield Static(id="flag-prompt", classes="prompt", markup=False)
                yield Static(id="flag-completion", classes="completion", markup=False)
                yield FlagForm(id="flag-form")
            with Vertical(id="ranking"):
                yield Static(id="rank-prompt", classes="prompt", markup=False)
                yield QuizRankingPanel(id="rank-panel")
            with Vertical(id="demonstrations"):
                yield Static(id="demo-prompt", classes="prompt", markup=False)
                yield SafeTextArea(id="demo-text", soft_wrap=True, show_line_numbers=False)
            with VerticalScroll(id="self_assessment"):
                yield Static(id="self-question", classes="prompt", markup=False)
                yield CheckList(id="self-choices")
                yield SelfText(id="self-text", placeholder="Anything else (optional)")
            with VerticalScroll(id="review"):
                yield Static(id="review-text", markup=False)
            with VerticalScroll(id="locked"):
                yield Static(id="locked-text", markup=False)
        yield ConfirmBar(id="quiz-confirm")
        yield StatusLine(id="status")
        yield Footer()

    # -- loading ------------------------------------------------------------------------
    def opened(self) -> None:
        """On every resume: (re)load the labeler's quiz where they left it; the keys typed
        meanwhile are taken after."""
        if self.session.open() is None:
            self.notify("No screening quiz is assigned to you.", title="Quiz")
            self.leave()
            return
        if self.live.locked:
            self._show_locked()
        elif not self._hold():
            self._show_elsewhere()
        elif self.live.answers:
            self._show(taking.resume_position(self.live))
        else:
            self._show(-1)

    # -- two terminals ------------------------------------------------------------------
    def _hold(self, take_over: bool = False) -> bool:
        """This terminal takes the quiz; False when another session of the labeler has it."""
        outcome = self.session.hold(take_over=take_over)
        self._held_reason = outcome.reason if isinstance(outcome, NotSaved) else ""
        self._set_elsewhere(isinstance(outcome, NotSaved))
        return not self.elsewhere

    def _set_elsewhere(self, elsewhere: bool) -> None:
        self.elsewhere = elsewhere
        self.refresh_bindings()  # ctrl+t in the footer only while it applies

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "take_over":
            return self.elsewhere
        return super().check_action(action, parameters)

    def _show_elsewhere(self) -> None:
        s = self.live
        self.position = -1
        self.query_one("#quiz-body", ContentSwitcher).current = "locked"
        focus_now(self.query_one("#locked"))
        self.query_one("#locked-text", Static).update(
            f"Not opened here: {on_screen(self._held_reason)}.\n\nGo on with it there, or press "
            "ctrl+t to continue here: the answers saved so far come with it, and the other "
            "session stops saving and says so. Escape: home.")
        self.query_one("#quiz-title", Static).update(f"Screening quiz {s.quiz} — open elsewhere")

    def action_take_over(self) -> None:
        """Continue the quiz in this terminal; an answer on screen here is saved first."""
        if not self._hold(take_over=True):
            self.refuse(f"Not taken over: {self._held_reason}.")
            return
        if self.item is not None and self._dirty:
            self._save()
        position = self.position
        quiz = self.session.reload()
        if quiz.locked:
            self._show_locked()
            return
        self._show(position if self.item is not None else taking.resume_position(quiz))
        self.say("The quiz continues here; your other session no longer saves it.")

    def suspended(self) -> None:
        self.flush_drafts()  # before the item's clock stops
        self.session.pause()

    # -- showing ------------------------------------------------------------------------
    @property
    def live(self) -> taking.QuizView:
        """The loaded quiz (every method but the loading one runs after it)."""
        return self.session.live

    @property
    def item(self) -> taking.QuizItem | None:
        return self._session.item if self._session is not None else None

    def _header(self) -> None:
        s = self.live
        n = len(s.items)
        done = sum(1 for i in s.items if taking.missing(i, s.answers.get(i.position)) is None
                   and i.position in s.answers)
        if self.item:
            where = f"item {self.position + 1} of {n} · {SECTION_TITLES[self.item.section]}"
        elif self.position < 0:
            where = "instructions"
        else:
            where = "review and submit"
        self.query_one("#quiz-title", Static).update(f"Screening quiz {s.quiz} — {where}")
        self.query_one("#quiz-progress", ProgressBar).update(total=n, progress=done)

    def _show(self, position: int) -> None:
        s = self.live
        self.session.show(position)
        item = self.item
        switcher = self.query_one("#quiz-body", ContentSwitcher)
        if position < 0:
            switcher.current = "intro"
            self.query_one("#intro-text", Static).update(
                on_screen(reflow(s.instructions)) + f"\n\n{len(s.items)} items. Press Enter to begin. "
                "ctrl+n / ctrl+o move to the next / previous item; your answers are saved as you go.")
            focus_now(self.query_one("#intro"))  # no item's (hidden) widget keeps the keys
        elif item is None:
            switcher.current = "review"
            self._show_review()
            focus_now(self.query_one("#review"))
        else:
            switcher.current = item.section
            answer = s.answers.get(position) or {}
            getattr(self, f"_show_{item.section}")(item, answer)
        self._header()

    def _show_flagging(self, item: taking.QuizItem, answer: dict[str, Any]) -> None:
        schema = self.app.schema
        self.query_one("#flag-prompt", Static).update(safe_content(item.prompt))
        completion = self.query_one("#flag-completion", Static)
        completion.display = bool(item.outputs)
        completion.update(safe_content(item.outputs[0].text if item.outputs else ""))
        rows = [FlagRow("prompt", f, _label(schema, "instruction", f)) for f in item.prompt_flags]
        rows += [FlagRow("completion", f, _label(schema, "output", f)) for f in item.completion_flags]
        values = {(g, f): v for g in ("prompt", "completion") for f, v in answer.get(g, {}).items()}
        form = self.query_one(FlagForm)
        form.set_rows(rows, values)
        focus_now(form)

    def _show_ranking(self, item: taking.QuizItem, answer: dict[str, Any]) -> None:
        self.query_one("#rank-prompt", Static).update(safe_content(item.prompt))
        panel = self.query_one(RankingPanel)
        panel.set_task([ShownOutput(o.letter, o.id, o.text) for o in item.outputs],
                       criterion=RANK_BY, preorder=answer.get("ranking") or None,
                       pending_tie=bool(answer.get("pending_tie")))
        focus_now(panel)

    def _show_demonstrations(self, item: taking.QuizItem, answer: dict[str, Any]) -> None:
        self.query_one("#demo-prompt", Static).update(
            safe_content(item.prompt) + Content.styled("\n\nWrite the answer below. ctrl+s saves it and moves on.", "$text-muted"))
        area = self.query_one("#demo-text", TextArea)
        with area.prevent(TextArea.Changed):
            area.load_text(answer.get("text", ""))
        focus_now(area)

    def _show_self_assessment(self, item: taking.QuizItem, answer: dict[str, Any]) -> None:
        self.query_one("#self-question", Static).update(
            safe_content(item.question) + Content.styled("\n↑/↓ and space choose; ctrl+s saves and moves on.", "$text-muted"))
        chosen = set(answer.get("selected", []))
        choices = self.query_one("#self-choices", SelectionList)
        with choices.prevent(SelectionList.SelectedChanged):
            choices.clear_options()
            choices.add_options([Selection(safe_content(v), v, v in chosen) for v in item.topics + item.groups])
        choices.highlighted = 0
        text = self.query_one("#self-text", Input)
        text.display = item.free_text
        with text.prevent(Input.Changed):
            text.value = answer.get("text", "")
        focus_now(choices)

    def _show_review(self) -> None:
        s = self.live
        lines = ["Check your answers, then press ctrl+s to submit. The quiz is locked after that.", ""]
        for item in s.items:
            why = taking.missing(item, s.answers.get(item.position))
            state = "not started" if item.position not in s.answers else (why or "answered")
            lines.append(f"{item.position + 1:>3}. {SECTION_TITLES[item.section]:<24} {state}")
        self.query_one("#review-text", Static).update("\n".join(lines))

    def _show_locked(self) -> None:
        s = self.live
        assert s.submitted_at is not None  # locked
        self.position = len(s.items)
        self.query_one("#quiz-body", ContentSwitcher).current = "locked"
        focus_now(self.query_one("#locked"))
        self.query_one("#locked-text", Static).update(
            f"You submitted this quiz on {s.submitted_at[:10]}. It is locked: answers "
            "can no longer be changed. Thank you! Researchers will be in touch.")
        self.query_one("#quiz-title", Static).update(f"Screening quiz {s.quiz} — submitted")
        n = len(s.items)
        self.query_one("#quiz-progress", ProgressBar).update(total=n, progress=n)

    # -- answers ------------------------------------------------------------------------
    def current_answer(self) -> dict[str, Any]:
        item = self.item
        assert item is not None  # answers belong to an item on screen
        if item.section == "flagging":
            return self.query_one(FlagForm).answer()
        if item.section == "ranking":
            builder = self.query_one(RankingPanel).builder
            return {"ranking": builder.ranking, **({"pending_tie": True} if builder.pending_tie else {})}
        if item.section == "demonstrations":
            return {"text": self.query_one("#demo-text", TextArea).text}
        return {"selected": list(self.query_one("#self-choices", SelectionList).selected),
                "text": self.query_one("#self-text", Input).value}

    def changed(self) -> None:
        if self.item is not None and not self.live.locked:
            super().changed()  # the shared throttle: the first change starts the timer

    def flush_drafts(self) -> NotSaved | None:
        """Save the current item's answer (and time) if it changed; the app calls this on exit."""
        if self.item is None or self.quiz is None or self.quiz.locked:
            return None
        if not self._dirty and self.position in self.live.answers:
            if self.session.unsaved_seconds() < 1:
                return None
        return self._save()

    def _save(self) -> NotSaved | None:
        outcome = self.session.save_answer(self.current_answer())
        if isinstance(outcome, NotSaved):  # stays dirty: the next change or move tries again
            self._dirty = True
            if outcome.unreachable:  # saved by back_online once the database is back
                self.app.database_unreachable()
            self.app.bell()
            # Refused because the other terminal took the quiz over? (a read; a database
            # fault here just leaves the hint out)
            holder = self.session.holder() if outcome.kind == "refused" else None
            taken = isinstance(holder, Saved) and holder.value is not None
            self._set_elsewhere(taken)
            then = " (ctrl+t: continue here)" if taken else ""
            self.say(f"Answer not saved: {outcome.reason}. {KEPT}{then}.", "$text-error")
            return outcome
        self._dirty = False
        self._header()
        return None

    def on_flag_form_changed(self, event: FlagForm.Changed) -> None:
        self.changed()

    def on_flag_form_submitted(self, event: FlagForm.Submitted) -> None:
        self.action_go(1)

    def on_flag_form_incomplete(self, event: FlagForm.Incomplete) -> None:
        self.refuse(event.why)

    def on_ranking_panel_changed(self, event: RankingPanel.Changed) -> None:
        self.say("")  # an older hint no longer applies
        self.changed()

    def on_ranking_panel_submitted(self, event: RankingPanel.Submitted) -> None:
        self.action_go(1)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self.changed()

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        self.changed()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.changed()

    # -- moving and finishing -----------------------------------------------------------
    def action_begin(self) -> None:
        """Enter where no widget takes it: begin on the instructions, submit on the review page."""
        if self.quiz is None:
            return
        if self.elsewhere and self.item is None:
            self.refuse("The quiz is open in your other session (ctrl+t: continue here)")
        elif self.quiz.locked:
            self.refuse("The quiz is submitted and locked: nothing to change (Escape: home)")
        elif self.position < 0:
            self._show(0)
        elif self.item is None:
            self.action_save_item()

    def action_go(self, step: int) -> None:
        if self.quiz is None or self.quiz.locked or (self.elsewhere and self.item is None):
            return
        if self.item is not None and self._save() is not None:
            # Not saved: stay, answers on screen, the status line says why; keys typed after
            # this one were meant for the next item, so they are not applied here.
            self.app.drop_typed_ahead()
            return
        target = max(0, min(self.position + step, len(self.live.items)))
        if target != self.position:
            self._show(target)
            self.say("")

    def action_save_item(self) -> None:
        if self.quiz is None or self.quiz.locked or (self.elsewhere and self.item is None):
            return
        if self.item is not None:
            self.action_go(1)
            return
        if self.position >= len(self.live.items):
            self.query_one(ConfirmBar).ask(
                "Submit the quiz now? Your answers are then final and the quiz is locked. "
                "y: submit and lock · n: not yet")

    @on(ConfirmBar.Answered, "#quiz-confirm")
    def _confirmed(self, event: ConfirmBar.Answered) -> None:
        if not event.confirmed:
            self.say("Not submitted: your answers stay open to change.")
            return
        outcome = self.session.submit()
        if isinstance(outcome, NotSaved):
            self.app.drop_typed_ahead()
            self.app.bell()
            self.say(f"Quiz not submitted: {outcome.reason}. {KEPT} (keys typed after it are "
                     "not applied).", "$text-error")
            return
        self._show_locked()
        self.say("Submitted and locked. Thank you!", "$text-success")
