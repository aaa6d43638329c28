"""Surveys (labeling-guidelines §9): demographics and satisfaction, every question skippable.

Answers are kept in widgets only until submitted (no draft: a saved draft would carry the
labeler's name), then stored anonymously by `store.surveys.record_response`.

A `DraftingScreen` (screens/drafting.py) that keeps no draft: it shares the ordered key path
and the status line with the work screens. Opening a survey mounts its questions before the next key is taken, so answers typed
ahead land in them; scale questions take their digit (1..5) and move on.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Header, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from screens.drafting import DraftingScreen
from screens.key_path import focus_now
from screens.widgets.footer import Footer
from screens.widgets.keyed_select import KeyedSelect
from screens.widgets.safe_text import SafeInput
from screens.widgets.scale_field import ScaleField
from screens.widgets.status_line import StatusLine
from store import surveys
from store.survey_questions import Survey, survey
from store.task_session import NotSaved, attempt

KINDS = ("demographics", "satisfaction")


class SurveyList(OptionList):
    async def action_select(self) -> None:  # type: ignore[override]  # awaited by the key path
        # At once rather than through OptionSelected: keys typed after Enter meet the questions.
        if self.highlighted is None:
            return
        option = self.get_option_at_index(self.highlighted)
        screen = self.screen
        if not option.disabled and option.id is not None and isinstance(screen, SurveyScreen):
            await screen.open_survey(option.id)


class SurveyScreen(DraftingScreen):
    KIND = "survey"
    CSS_PATH = "survey.tcss"
    BINDINGS = [Binding("ctrl+s", "submit", "Submit", id="survey.submit", priority=True)]

    def __init__(self) -> None:
        super().__init__()
        self.survey: Survey | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with ContentSwitcher(id="survey-body", initial="survey-pick"):
            with Vertical(id="survey-pick"):
                yield Static("Surveys are voluntary and anonymous. Choose one (Enter), Escape to go home.",
                             id="survey-intro")
                yield SurveyList(id="survey-list")
            yield VerticalScroll(id="survey-form")
        yield StatusLine(id="status")
        yield Footer()

    def opened(self) -> None:
        """On every resume: the list of surveys."""
        self._show_list()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "submit":
            return self.survey is not None  # the chooser has nothing to submit: not shown
        return super().check_action(action, parameters)

    def _extra(self) -> list[str]:
        return list(self.app.config["surveys"]["extra_statements"])

    def _show_list(self) -> None:
        self.survey = None
        options = self.query_one("#survey-list", OptionList)
        options.clear_options()
        for kind in KINDS:
            s = survey(kind, self._extra())
            done = surveys.has_answered(self.app.db, kind, self.app.labeler)
            options.add_option(Option(Content(f"{s.title}" + ("   (answered, thank you)" if done else "")),
                                      id=kind, disabled=done))
        open_ = [i for i in range(options.option_count) if not options.get_option_at_index(i).disabled]
        options.highlighted = open_[0] if open_ else None
        self.query_one("#survey-body", ContentSwitcher).current = "survey-pick"
        focus_now(options)
        self.refresh_bindings()

    async def open_survey(self, kind: str) -> None:
        self.survey = survey(kind, self._extra())
        form = self.query_one("#survey-form", VerticalScroll)
        await form.remove_children()
        widgets: list[Widget] = [Static(Content(self.survey.intro) + Content.styled(
            "\nTab moves between questions; leave any blank to skip. A scale takes its digit "
            "(1..5; 0 clears). ctrl+s submits.", "$text-muted"), classes="survey-intro")]
        for q in self.survey.questions:
            widgets.append(Label(Content(q.text), classes="question"))
            if q.kind == "text":
                widgets.append(SafeInput(id=f"q-{q.key}", placeholder="(skip)"))
            elif q.kind == "agree":
                widgets.append(ScaleField(q.choices, id=f"q-{q.key}"))
            else:
                widgets.append(KeyedSelect([(c, c) for c in q.choices], id=f"q-{q.key}",
                                           prompt="(skip)", allow_blank=True))
        await form.mount_all(widgets)
        self.query_one("#survey-body", ContentSwitcher).current = "survey-form"
        first = widgets[2]
        # Focused now (typed-ahead answers go to it) but scrolled to only once the form is laid
        # out: Textual's own scroll on focus runs on the next message, when the new questions
        # may not have their regions yet, so the form scrolled or not depending on the timing.
        self.set_focus(first, scroll_visible=False)
        self.call_after_refresh(self._show_focused, first)
        self.refresh_bindings()

    def _show_focused(self, widget: Widget) -> None:
        if self.focused is widget:
            widget.scroll_visible(animate=False, immediate=True)

    def answers(self) -> dict[str, Any]:
        assert self.survey is not None  # a survey is open
        out: dict[str, Any] = {}
        for q in self.survey.questions:
            widget: Any = self.query_one(f"#q-{q.key}")  # a KeyedSelect, ScaleField or SafeInput
            value = widget.value
            if isinstance(widget, Select):
                value = None if value is Select.NULL or value is Select.BLANK else value
            out[q.key] = value
        return out

    def action_submit(self) -> None:
        if self.survey is None:
            return
        try:
            outcome = attempt(surveys.record_response, self.app.db, self.survey, self.app.labeler,
                              self.answers(), bound=self.app.busy_bound)
        except ValueError as exc:
            self.refuse(f"Not stored: {exc}")
            return
        if isinstance(outcome, NotSaved):
            self.app.drop_typed_ahead()  # keys typed after ctrl+s were not meant for this form
            self.refuse(f"Not stored: {outcome.reason}. Your answers stay on screen.")
            return
        self._show_list()
        self.say("Thank you. Your answers were stored without your name.", "$text-success")

    def action_home(self) -> None:
        if self.survey is not None:  # Escape in a survey goes back to the list, unsent
            self._show_list()
            self.say("")
        else:
            self.leave()
