"""The comparison task: instruction labels → output scores → ranking, on one reused screen.

Installed once; each task swaps its content in (no push/pop per task). A ContentSwitcher holds
the steps `[comparison] steps` enables, in order; `<`/`>` revisit any step, Enter finishes one
(naming what is missing) and, on the last step, submits every label of the task in one
transaction before the next task appears on the same screen.

With `[comparison] strength` on, or `[comparison] reason` not "off", the ranking step has three
phases (`phase`): "rank" (the RankingPanel), then Enter on the complete ranking moves to
"strength" (a level per boundary, StrengthPanel) and "reason" (one line), and Enter there
submits. Changing the ranking afterwards keeps the levels of the boundaries it still has and
asks for the strength again (screens/widgets/ranking/strength_state.py).

`screens.instruction.InstructionScreen` is this screen with the instruction step alone.
"""

from __future__ import annotations

import asyncio
from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import ContentSwitcher, Static

from screens.base import WorkScreen
from screens.key_help import KeyGroup, bound_keys, panel_group
from screens.key_path import focus_now
from screens.widgets.footer import Footer
from screens.widgets.instruction.instruction_panel import InstructionPanel
from screens.widgets.prompt.prompt_panel import PromptPanel
from screens.widgets.ranking.ranking_panel import CRITERIA, RankingPanel
from screens.widgets.ranking.ranking_state import ShownOutput, shown
from screens.widgets.ranking.strength_panel import StrengthPanel
from screens.widgets.ranking.strength_state import close_call
from screens.widgets.scores.scores_panel import ScoresPanel
from screens.widgets.skip_panel import SkipHandling, SkipPanel
from screens.widgets.status_line import StatusLine
from store.ranking import unplaced
from store.values import LabelValue
from store.views import TaskView

STEP_TITLES = {"instruction": "Instruction", "scores": "Scores", "ranking": "Ranking"}
SKIP_REASONS = ["cannot judge", "contains PII", "outputs broken or missing", "not in my language",
                "upsetting content"]


class RankThenWeigh(RankingPanel):
    """The ranking when the strength or the reason follows it: Enter moves on (the footer and
    F1 say so), the last Enter of the step submits."""

    BINDINGS = [Binding("enter", "submit", "Next: strength / reason", id="ranking.submit"),
                Binding("question_mark", "explain", "Explain strength and reason", show=False,
                        id="ranking.explain_strength"),
                *(b for b in RankingPanel.BINDINGS if isinstance(b, Binding) and b.id != "ranking.submit")]

    ENTER = "moves on"

    def action_explain(self) -> None:
        self.screen.query_one(StrengthPanel).action_explain()


class ComparisonScreen(SkipHandling, WorkScreen):
    KIND = "comparison"
    CSS_PATH = "comparison.tcss"
    STEPS: tuple[str, ...] | None = None  # None: `[comparison] steps` from config
    HEADING = "Comparison"
    READ_AHEAD = True  # a comparison's prompt and outputs are the largest reads of a claim

    BINDINGS = [
        Binding("enter", "finish_step", "Next / submit", id="comparison.finish_step"),
        Binding("less_than_sign", "step(-1)", "Prev step", id="comparison.step_prev",
                show=False),
        Binding("greater_than_sign", "step(1)", "Next step", id="comparison.step_next",
                show=False),
        Binding("ctrl+t", "toggle_prompt", "Fold prompt", id="comparison.toggle_prompt",
                show=False),
        Binding("exclamation_mark", "flag", "Flag", id="comparison.flag"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.outputs: list[ShownOutput] = []
        self.ranking: list[list[str]] = []
        self.ranking_edited = False
        self.pending_tie = False
        self.flagged = False
        self._step = ""
        # Kept as attributes: drafts are flushed on unmount, when queries find nothing.
        self.instruction: InstructionPanel | None = None
        self.scores: ScoresPanel | None = None
        self.strength: StrengthPanel | None = None
        self.phase = "rank"  # of the ranking step: "rank", "strength" or "reason"
        self._lines_shown: dict[str, tuple[Any, ...]] = {}  # `_show_line`

    @property
    def steps(self) -> list[str]:
        return list(self.STEPS) if self.STEPS is not None else self.app.config.steps

    @property
    def step(self) -> str:
        return self._step or self.steps[0]

    def compose(self) -> ComposeResult:
        schema, steps = self.app.schema, self.steps
        section = self.app.config["comparison"]
        weigh = "ranking" in steps and (section["strength"] or section["reason"] != "off")
        yield Static(id="task-title", markup=False)
        yield PromptPanel(id="prompt")
        yield Static(id="steps-bar", markup=False)
        with ContentSwitcher(id="steps", initial=steps[0]):
            if "instruction" in steps:
                self.instruction = InstructionPanel(schema.task("instruction").fields, id="instruction")
                yield self.instruction
            if "scores" in steps:
                self.scores = ScoresPanel(
                    schema.task("output").fields, id="scores",
                    advance=self.app.config["comparison"]["advance_after_rating"],
                )
                yield self.scores
            if "ranking" in steps:
                yield (RankThenWeigh if weigh else RankingPanel)(id="ranking")
        if weigh:
            self.strength = StrengthPanel(section["strength_levels"],
                                          fields=schema.task("ranking").fields,
                                          strength=section["strength"], reason=section["reason"],
                                          id="strength")
            self.strength.display = False  # on the ranking step only
            yield self.strength
        yield SkipPanel(SKIP_REASONS, id="skip")
        # A row for the first task while quiet; from the first submit's "Saved" on, the row
        # stays (emptied by a key), so the next task's panels are the height they were.
        yield StatusLine(id="status", hide_when_empty=True, keep_row=True)
        yield Footer()

    def on_unmount(self) -> None:
        self.flush_drafts()

    def on_resize(self, event: events.Resize) -> None:
        # Under 24 rows the prompt keeps one line (Tab reaches it to scroll, ctrl+t folds it).
        short = event.size.height < 24
        self.set_class(short, "-short")
        # The body scrolls within what the panel shows (35% of the screen less its title and
        # border): taller, the panel would cut its end off where no scrolling reaches, and the
        # last turn of a conversation (shown scrolled to its end) would be cut.
        body = self.query_one("#prompt-body")
        body.styles.max_height = 1 if short else max(1, min(12, int(event.size.height * 0.35) - 2))

    # -- the task ------------------------------------------------------------------------------
    def show_task(self, view: TaskView, draft: dict[str, Any]) -> None:
        self.outputs = shown(view.outputs)
        self.query_one(PromptPanel).set_prompt(
            view.prompt.text, prompt_id=view.shown_id(self.app.role), style=view.prompt.style,
            messages=view.prompt.messages,
        )
        if self.instruction is not None:
            self.instruction.set_answers(draft.get("instruction"))
        if self.scores is not None:
            self.scores.set_task(
                self.outputs, draft.get("scores"), self._instruction_context(),
                current=int(draft.get("output", 0)),
            )
        self.ranking = [list(g) for g in draft.get("ranking") or []]
        self.ranking_edited = bool(self.ranking)
        self.pending_tie = bool(draft.get("pending_tie", False))
        self.flagged = bool(draft.get("flagged", False))
        self.close_skip()
        if self.strength is not None:
            self.strength.letter_of = {o.output_id: o.letter for o in self.outputs}
            self.strength.choice.restore(draft.get("strength"))
            reason = draft.get("reason")
            self.strength.set_reason(reason if isinstance(reason, str) else "")
        step = draft.get("step")
        self.go_to_step(step if step in self.steps else self.steps[0])
        if step == "ranking" and draft.get("phase") in ("strength", "reason"):
            self._resume_phase(draft["phase"])
        self.say(Content.styled("Draft restored", "$text-success") if draft else Content(""))

    def _read_ahead(self) -> None:
        super()._read_ahead()
        ahead = self.session.ahead
        if ahead is None:
            return
        # Wrapped now, while the labeler works: the submit then draws the next task's prompt
        # and first output without wrapping them for their height first.
        self.query_one(PromptPanel).prepare(ahead.prompt.text, style=ahead.prompt.style,
                                            messages=ahead.prompt.messages)
        texts = [o.text for o in ahead.outputs]
        if self.scores is not None:
            self.scores.prepare(texts)
        # The ranking card's width is the scores card's (then this finds them wrapped), or the
        # ranking is the only step and a submit shows it first. No panel without the step.
        if "ranking" in self.steps:
            self.query_one(RankingPanel).prepare(texts)

    def draft_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"step": self.step, "flagged": self.flagged}
        if self.instruction is not None:
            data["instruction"] = self.instruction.answers
        if self.scores is not None:
            data["scores"] = self.scores.scores
            data["output"] = self.scores.current
        if self.ranking_edited:
            data["ranking"] = self.ranking
            data["pending_tie"] = self.pending_tie
        if self.strength is not None:
            data["phase"] = self.phase
            data["strength"] = self.strength.choice.to_draft()
            data["reason"] = self.strength.reason_line.value
        return data

    def _instruction_context(self) -> dict[str, Any]:
        return self.instruction.context if self.instruction is not None else {}

    # -- steps ---------------------------------------------------------------------------------
    FRAME_HOPS = 12
    """Event-loop turns a step change holds the screen's frames (`_in_one_frame`): a change reaches
    the screen within ~6 (refresh, idle, message, then the bindings refreshed on its idle and
    the footer's the same way); twice that for margin, each turn costs microseconds."""

    def _in_one_frame(self) -> None:
        """Hold the screen's frames until what a step change sets off has reached the screen.

        Each changed widget tells the screen on its own turn of the event loop (its refresh,
        then its idle, then a message to the screen), and the screen draws as soon as the first
        one arrives: a step change was drawn in 2-3 frames, each with a layout pass of its own
        (the panels, then the footer's keys and the steps bar; 2.3 re-layouts a step change).
        Held for a few turns (`batch_update`), it is laid out and drawn once. Only the drawing
        waits: keys are applied meanwhile as always."""
        batch = self.app.batch_update()
        batch.__enter__()
        loop = asyncio.get_running_loop()

        def release(turns: int) -> None:
            if turns:
                loop.call_soon(release, turns - 1)
                return
            batch.__exit__(None, None, None)
            self.check_idle()  # the screen draws what is waiting

        loop.call_soon(release, self.FRAME_HOPS)

    def go_to_step(self, step: str) -> None:
        self._in_one_frame()
        if step == "scores":
            assert self.scores is not None  # composed when the step is on
            self.scores.set_context(self._instruction_context())
        elif step == "ranking":
            scores = self.scores.ratings() if self.scores is not None else None
            panel = self.query_one(RankingPanel)
            panel.set_task(
                self.outputs,
                criterion=CRITERIA.get(self.app.config["comparison"]["priority"], ""),
                preorder=self.ranking if self.ranking_edited else None,
                ratings=scores or None,
                pending_tie=self.pending_tie,
            )
            # The suggested ranking is the answer until edited: an Enter that reaches the
            # screen before the panel has focus (typed in the same burst as the last rating)
            # submits it rather than calling it missing.
            self.ranking = panel.ranking
            if self.strength is not None:
                self.strength.choice.show(self.ranking, self._ratings())
        self.query_one(ContentSwitcher).current = self._step = step
        if self.strength is not None:
            self.strength.display = step == "ranking"
            self.phase = "rank"
            self.strength.set_phase("rank")
        focus_now(self.query_one(f"#{step}"))
        self._show_title()

    def _ratings(self) -> dict[str, int] | None:
        return (self.scores.ratings() or None) if self.scores is not None else None

    def action_step(self, delta: int) -> None:
        steps = self.steps
        index = steps.index(self.step) + delta
        if 0 <= index < len(steps):
            self.go_to_step(steps[index])
            self.say(Content(""))
            self.changed()

    def action_finish_step(self) -> None:
        if self.step == "ranking" and self.strength is not None:
            self._next_in_ranking()  # its phases first
            return
        missing = self._missing(self.step)
        if missing:
            self.app.bell()
            self.say(f"Missing: {missing}", "$text-error")
            return
        steps = self.steps
        if self.step == steps[-1]:
            self.submit_task()
        else:
            self.action_step(1)

    # -- strength and reason: the phases of the ranking step -----------------------------------
    def _boundaries(self) -> bool:
        """The ranking has a boundary to weigh and strength is asked."""
        return self.strength is not None and self.strength.ask_strength and len(self.ranking) > 1

    def _why_close(self) -> str:
        """Why the call is close ('' when it is not), under `reason = "close"`."""
        panel = self.strength
        if panel is None or panel.reason_mode != "close":
            return ""
        chosen = panel.choice.chosen if panel.ask_strength else []
        return close_call(self.ranking, panel.choice.levels, chosen, self._ratings())

    def _reason_asked(self) -> bool:
        panel = self.strength
        return panel is not None and (panel.reason_mode == "optional" or bool(self._why_close()))

    def _set_phase(self, phase: str) -> None:
        assert self.strength is not None
        self.phase = phase
        self.strength.set_phase(phase, self._why_close() if phase == "reason" else "")
        target = {"rank": self.query_one(RankingPanel), "strength": self.strength,
                  "reason": self.strength.reason_line}[phase]
        focus_now(target)

    def _resume_phase(self, phase: str) -> None:
        """A draft's phase, where it still applies to what is on screen."""
        if self._missing_placement():
            return
        if phase == "strength" and self._boundaries():
            self._set_phase("strength")
        elif phase == "reason" and self._reason_asked():
            self._set_phase("reason")

    def _next_in_ranking(self) -> None:
        """Enter on the ranking step: the ranking, then the strength, then the reason, then
        the submit; each phase skipped when it asks nothing."""
        assert self.strength is not None
        missing = self._missing_placement()
        if missing:
            self.app.bell()
            self.say(f"Missing: {missing}", "$text-error")
            return
        phase = self.phase
        if phase == "rank" and self._boundaries():
            self._set_phase("strength")
            return
        if phase in ("rank", "strength"):
            if self._boundaries():
                self.strength.choice.accept()
                self.strength.show()
                self.changed()
            if self._reason_asked():
                self._set_phase("reason")
                return
        why = self._why_close()
        if why and not self.strength.reason:
            self.refuse(f"A reason is needed: {why}. Type it in one line, then Enter.")
            return
        self.submit_task()

    def _missing(self, step: str) -> str:
        """What the step still needs, in words ('' when nothing)."""
        if step == "instruction":
            assert self.instruction is not None  # composed when the step is on
            return ", ".join(f"{f.label} ({f.key})" for f in self.instruction.missing())
        if step == "scores":
            assert self.scores is not None
            gaps: dict[str, list[str]] = {}
            for out, f in self.scores.missing():
                gaps.setdefault(out.letter, []).append(f.label)
            return "; ".join(f"{letter}: {', '.join(labels)}" for letter, labels in gaps.items())
        if step == "ranking":
            missing = self._missing_placement()
            if missing or self.strength is None:
                return missing
            if self._boundaries() and not self.strength.choice.accepted:
                return "strength (Enter on the ranking, then Enter)"
            why = self._why_close()
            if why and not self.strength.reason:
                return f"reason ({why})"
        return ""

    def _missing_placement(self) -> str:
        letter_of = {o.output_id: o.letter for o in self.outputs}
        left = [letter_of[i] for i in unplaced(self.ranking, letter_of)]
        return f"ranking ({' '.join(left)} not placed)" if left else ""

    # -- finishing -----------------------------------------------------------------------------
    def submit_task(self) -> None:
        for step in self.steps:
            missing = self._missing(step)
            if missing:
                self.go_to_step(step)
                if step == "ranking" and self.strength is not None:
                    self._resume_phase("strength" if missing.startswith("strength") else "reason")
                self.app.bell()
                self.say(f"Missing: {missing}", "$text-error")
                return
        assert self.view is not None
        self.finish(self.label_values(self.view.prompt.id), f"Saved {self.shown_id}.")

    def label_values(self, prompt_id: str) -> list[LabelValue]:
        values: list[LabelValue] = []
        if "instruction" in self.steps:
            assert self.instruction is not None  # composed when the step is on
            for name, value in self.instruction.values().items():
                values.append(LabelValue("instruction", prompt_id, name, value))
        if "scores" in self.steps:
            assert self.scores is not None
            for output_id, answers in self.scores.values().items():
                values.extend(LabelValue("output", output_id, n, v) for n, v in answers.items())
        if "ranking" in self.steps:
            values.append(LabelValue("ranking", prompt_id, "ranking", self.ranking))
        if self.strength is not None:
            if self._boundaries():
                values.append(LabelValue("ranking", prompt_id, "strength", self.strength.choice.chosen))
            if self.strength.reason:
                values.append(LabelValue("ranking", prompt_id, "reason", self.strength.reason))
        return values

    # -- messages from the panels --------------------------------------------------------------
    @on(InstructionPanel.Changed)
    @on(ScoresPanel.Changed)
    def _edited(self) -> None:
        self.say(Content(""))
        self.changed()

    @on(ScoresPanel.Done)
    def _scores_done(self) -> None:
        self.action_finish_step()

    def _keep_ranking(self, event: RankingPanel.Changed | RankingPanel.Submitted) -> None:
        # The suggestion on show (untouched, or back after a letter and its Backspace) stays a
        # suggestion: a submit sent back for a missing field, or a draft, brings it back as one
        # (a letter starts anew; new ratings re-order it).
        self.ranking = [list(g) for g in event.ranking]
        self.ranking_edited = not event.panel.builder.prefilled
        if self.strength is not None:  # a new ranking's strength is asked again
            self.strength.choice.show(self.ranking, self._ratings())

    @on(RankingPanel.Changed)
    def _ranked(self, event: RankingPanel.Changed) -> None:
        self.say(Content(""))  # an older hint no longer applies
        self._keep_ranking(event)
        self.pending_tie = event.panel.builder.pending_tie
        self.changed()

    @on(RankingPanel.Submitted)
    def _ranking_submitted(self, event: RankingPanel.Submitted) -> None:
        self._keep_ranking(event)
        self.action_finish_step()

    @on(RankingPanel.FlagToggled)
    def _flag_toggled(self) -> None:
        self.action_flag()

    @on(StrengthPanel.Changed)
    def _strength_changed(self) -> None:
        self.say(Content(""))
        self.changed()

    @on(StrengthPanel.Accepted)
    @on(StrengthPanel.ReasonDone)
    def _strength_next(self) -> None:
        self.action_finish_step()

    @on(StrengthPanel.Back)
    def _strength_back(self, event: StrengthPanel.Back) -> None:
        self._set_phase("rank")
        self.changed()
        if event.letter:
            self.query_one(RankingPanel).type_letter(event.letter)

    @on(StrengthPanel.ReasonBack)
    def _reason_back(self) -> None:
        self._set_phase("strength" if self._boundaries() else "rank")
        self.changed()

    # -- skip, flag, prompt --------------------------------------------------------------------
    def close_skip(self) -> None:
        panel = self.query_one(SkipPanel)
        if panel.is_open:
            panel.remove_class("-open")

    def skip_cancelled(self) -> None:
        if self.view is None:
            return
        if self.step == "ranking" and self.strength is not None:
            self._set_phase(self.phase)  # back to the levels or the reason line, if there
        else:
            focus_now(self.query_one(f"#{self.step}"))

    def action_flag(self) -> None:
        if self.view is None:
            return
        if self.set_flag(not self.flagged):
            self.flagged = not self.flagged
            self._show_title()
            self.changed()

    def action_toggle_prompt(self) -> None:
        self.query_one(PromptPanel).toggle()

    # -- keys for F1 ---------------------------------------------------------------------------
    def key_groups(self) -> list[KeyGroup]:
        """Each step's keys, the step on screen first (screens/key_help.py)."""
        steps = sorted(self.steps, key=lambda step: step != self.step)
        groups = []
        for step in steps:
            groups.append(panel_group(f"{STEP_TITLES[step]} step", self.query_one(f"#{step}")))
            if step == "ranking" and self.strength is not None:
                groups.append(panel_group("Strength and reason (after the ranking)", self.strength))
                groups[-1][1].extend(bound_keys(self.strength.reason_line))
        return groups

    # -- lines ---------------------------------------------------------------------------------
    def _show_title(self) -> None:
        if self.view is None:
            return
        title = Content.assemble(
            (self.HEADING, "bold"),
            f"  {len(self.outputs)} outputs" if self.outputs else "",
            ("  ⚑ flagged for review" if self.flagged else "", "bold $text-warning"),
        )
        parts: list[Any] = []
        for n, step in enumerate(self.steps, start=1):
            if parts:
                parts.append(" › ")
            style = "bold reverse" if step == self.step else "$text-muted"
            parts.append((f" {n} {STEP_TITLES[step]} ", style))
        parts.append(("  < > step · F1 keys", "$text-muted"))
        self._show_line("#task-title", title)
        self._show_line("#steps-bar", Content.assemble(*parts))

    def _show_line(self, selector: str, content: Content) -> None:
        """A one-row line, updated in place (no re-layout: it is one row the screen's width
        whatever it says) and only when it changed: the title is the same at a step change,
        and a line not redrawn keeps the frame's region small."""
        shown = (content.plain, tuple(content.spans))
        if self._lines_shown.get(selector) != shown:
            self._lines_shown[selector] = shown
            self.query_one(selector, Static).update(content, layout=False)


__all__ = ["ComparisonScreen", "RankThenWeigh"]
