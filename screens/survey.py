"""Surveys (labeling-guidelines §9): demographics and satisfaction, every question skippable.

Answers are kept in widgets only until submitted (no draft: a saved draft would carry the
labeler's name), then stored anonymously by `store.surveys.record_response`.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import (
    ContentSwitcher,
    Header,
    Label,
    OptionList,
    Select,
    Static,
)
from textual.widgets.option_list import Option

from screens.faults import attempt
from screens.host import Host
from screens.widgets.footer import Footer
from screens.widgets.safe_text import SafeInput
from store import surveys
from store.survey_questions import Survey, survey

KINDS = ("demographics", "satisfaction")


class SurveyScreen(Screen):
    app: Host  # the typed view of self.app (screens.host)
    CSS_PATH = "survey.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="survey.back"),
        Binding("ctrl+s", "submit", "Submit", id="survey.submit", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.survey: Survey | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with ContentSwitcher(id="survey-body", initial="survey-pick"):
            with Vertical(id="survey-pick"):
                yield Static("Surveys are voluntary and anonymous. Choose one (Enter), Escape to go home.",
                             id="survey-intro")
                yield OptionList(id="survey-list")
            yield VerticalScroll(id="survey-form")
        yield Footer()

    def on_screen_resume(self) -> None:
        self._show_list()

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
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        assert event.option.id is not None  # every option is a survey kind
        self.survey = survey(event.option.id, self._extra())
        form = self.query_one("#survey-form", VerticalScroll)
        form.remove_children()
        widgets: list[Widget] = [Static(Content(self.survey.intro) + Content.styled(
            "\nTab moves between questions; leave any blank to skip. ctrl+s submits.", "$text-muted"),
            classes="survey-intro")]
        for q in self.survey.questions:
            widgets.append(Label(Content(q.text), classes="question"))
            if q.kind == "text":
                widgets.append(SafeInput(id=f"q-{q.key}", placeholder="(skip)"))
            else:
                options = [(label, value) for value, label in
                           (enumerate(q.choices, 1) if q.kind == "agree" else ((c, c) for c in q.choices))]
                widgets.append(Select(options, id=f"q-{q.key}", prompt="(skip)", allow_blank=True))
        form.mount_all(widgets)
        self.query_one("#survey-body", ContentSwitcher).current = "survey-form"
        self.call_after_refresh(lambda: widgets[2].focus())

    def answers(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        assert self.survey is not None  # the form is up
        for q in self.survey.questions:
            widget: Any = self.query_one(f"#q-{q.key}")  # a Select or a SafeInput
            value = widget.value
            if isinstance(widget, Select):
                value = None if value is Select.NULL or value is Select.BLANK else value
            out[q.key] = value
        return out

    def action_submit(self) -> None:
        if self.survey is None:
            return
        try:
            ok, _ = attempt(self.notify, "store your answers", surveys.record_response,
                            self.app.db, self.survey, self.app.labeler, self.answers())
        except ValueError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        if not ok:
            return
        self.notify("Thank you. Your answers were stored without your name.", title="Survey")
        self._show_list()

    def action_back(self) -> None:
        if self.survey is not None:
            self._show_list()
        else:
            self.app.pop_screen()
