"""StrengthPanel: preference strength per ranking boundary and a one-line reason, by keyboard.

Under the ranking on the comparison screen's ranking step, when `[comparison] strength` is on
or `[comparison] reason` is not "off". The host moves the labeler through three phases of the
step (`set_phase`): "rank" (the RankingPanel has the keys), "strength" (this panel: a digit
sets the level of the boundary under the cursor and moves on, ←/→ move, Enter accepts every
level shown, Backspace steps back and, from the first boundary, back to the ranking; a ranking
letter goes back to the ranking and starts a new one), "reason" (the line: typed text, Enter
submits, ↑ back). The levels live in `StrengthChoice` (strength_state.py), the pure model.

Fixed rows updated in place (no mount, no re-layout per key): the boundaries, the levels'
legend, the reason line. Messages (reported through the ordered key path, handled before the
next key): `Changed` (a level or the reason changed: save a draft), `Accepted` (Enter on the
levels), `Back` (to the ranking, with the letter that goes with it), `ReasonDone` (Enter on the
reason), `ReasonBack` (↑ on the reason).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from screens.key_path import report
from screens.widgets.focus_style import OwnFocusStyle
from screens.widgets.ranking.strength_state import StrengthChoice
from screens.widgets.safe_text import SafeInput
from store.ranking import LETTERS
from store.schema import Field
from store.text import on_screen

REASON_MAX = 500
"""Characters of a reason: one line."""


class ReasonLine(SafeInput):
    """The reason, one line; Enter and ↑ act at once (not through Input.Submitted, which would
    run after keys typed behind them), and every edit is reported in order."""

    BINDINGS = [
        Binding("enter", "submit", "Submit", id="reason.submit"),
        Binding("up", "back", "Back to strength", id="reason.back"),
    ]
    quiet = False  # set while the host fills the line: not an edit

    @property
    def panel(self) -> StrengthPanel:
        parent = self.parent
        assert isinstance(parent, StrengthPanel)
        return parent

    async def action_submit(self) -> None:
        report(self, StrengthPanel.ReasonDone(self.panel))

    def action_back(self) -> None:
        report(self, StrengthPanel.ReasonBack(self.panel))

    def _watch_value(self, value: str) -> None:
        # Input sets its virtual width to the text's on every edit, a reactive that re-lays out
        # the whole screen; the line's size never changes (one row, 1fr), only its own scroll
        # bounds do, which `scroll_to` reads from the value set here without a layout.
        self.set_reactive(SafeInput.virtual_size, Size(self.content_width, 1))
        super()._watch_value(value)
        if not self.quiet and self.is_mounted:
            report(self, StrengthPanel.Changed(self.panel))


@dataclass
class StrengthMessage(Message):
    panel: StrengthPanel

    @property
    def control(self) -> StrengthPanel:
        return self.panel


class StrengthPanel(OwnFocusStyle, Widget, can_focus=True):
    DEFAULT_CSS = """
    StrengthPanel {
        height: auto;
        padding: 0 1;
        border-top: solid $panel-lighten-2;
        .strength-line { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
        #strength-legend { color: $text-muted; }
        #strength-help { height: auto; max-height: 8; border-left: thick $accent; }
        ReasonLine { height: 1; width: 1fr; border: none; padding: 0; }
    }
    """

    BINDINGS = [
        Binding("enter", "accept", "Accept strength", id="strength.accept"),
        Binding("backspace", "back", "Back", id="strength.back"),
        Binding("left", "move(-1)", "Previous boundary", show=False, id="strength.prev"),
        Binding("right", "move(1)", "Next boundary", show=False, id="strength.next"),
        Binding("question_mark", "explain", "Explain strength and reason", show=False,
                id="strength.explain"),
    ]

    class Changed(StrengthMessage):
        """A level or the reason changed: save a draft."""

    class Accepted(StrengthMessage):
        """Enter on the levels: every level shown is the labeler's."""

    @dataclass
    class Back(StrengthMessage):
        """Back to the ranking; `letter` (may be '') is a ranking key to apply there."""

        letter: str = ""

    class ReasonDone(StrengthMessage):
        """Enter on the reason line."""

    class ReasonBack(StrengthMessage):
        """↑ on the reason line."""

    def __init__(self, levels: list[str], *, fields: Iterable[Field], strength: bool, reason: str,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.fields = {f.name: f for f in fields}
        self.choice = StrengthChoice(list(levels))
        self.ask_strength = strength
        self.reason_mode = reason  # "off" | "optional" | "close"
        self.letter_of: dict[str, str] = {}
        self.phase = "rank"
        self.why_close = ""
        self._line: Content | None = None
        # Made here, not in compose: the host fills them before they are mounted.
        self._boundaries = Static(id="strength-line", classes="strength-line", markup=False)
        self._levels = Static(self._legend(), id="strength-legend", classes="strength-line",
                              markup=False)
        self._boundaries.display = self._levels.display = strength
        # Focus leaves the text unselected: a labeler back on the line goes on typing.
        self.reason_line = ReasonLine(id="reason", max_length=REASON_MAX, compact=True,
                                      placeholder=self._placeholder(), select_on_focus=False)
        self.reason_line.display = reason != "off"
        self._help = Static(id="strength-help", markup=False)
        self._help.display = False

    def compose(self) -> ComposeResult:
        yield self._help
        yield self._boundaries
        yield self._levels
        yield self.reason_line

    def on_mount(self) -> None:
        self._line = None
        self.show()

    @property
    def reason(self) -> str:
        """The reason as it will be stored: one line, trimmed ('' for none)."""
        return " ".join(self.reason_line.value.split()) if self.reason_mode != "off" else ""

    def set_reason(self, text: str) -> None:
        line = self.reason_line
        line.quiet = True
        try:
            line.value = text
            line.cursor_position = len(text)
        finally:
            line.quiet = False

    def set_phase(self, phase: str, why_close: str = "") -> None:
        self.phase = phase
        self.why_close = why_close
        self.reason_line.placeholder = self._placeholder()
        self.show()

    # -- what is shown ---------------------------------------------------------------------

    def _legend(self) -> Content:
        # The digits stand out as keys, so one space apart is enough: Llama 2's four fit in 78.
        parts: list[str | tuple[str, str]] = []
        for n, level in enumerate(self.choice.levels, start=1):
            parts.append((f"{' ' if n > 1 else ''}{n}", "bold reverse"))
            parts.append(f" {on_screen(level)}")
        return Content.assemble(*parts)

    def _placeholder(self) -> str:
        if self.reason_mode == "close" and not (self.phase == "reason" and self.why_close):
            return "Reason: asked when the call is close"
        if self.why_close:
            return f"Reason needed ({self.why_close}): one line, Enter submits"
        return "Reason (optional): one line, Enter submits"

    def _group(self, group: Iterable[str]) -> str:
        return "=".join(sorted(self.letter_of.get(i, "?") for i in group))

    def show(self) -> None:
        """Rewrite the boundaries' row (no re-layout: one row whatever it says)."""
        if not self.ask_strength:
            return
        choice = self.choice
        parts: list[str | tuple[str, str] | Content] = [("Strength ", "bold")]
        if self.phase == "rank":
            parts.append(("after the ranking (Enter): a digit per boundary, Enter keeps them",
                          "italic $text-muted"))
        elif not choice.boundaries:
            parts.append(("none to give: every output is tied", "italic $text-muted"))
        else:
            for index, (upper, lower) in enumerate(choice.boundaries):
                if index:
                    parts.append(("  │ ", "$text-muted"))
                level = choice.level_of((upper, lower))
                here = self.phase == "strength" and index == choice.cursor
                parts.append(f"{self._group(upper)} > {self._group(lower)} ")
                style = "bold reverse" if here else ("bold" if choice.is_marked(index) else "italic")
                parts.append((on_screen(level), style))
        content = Content.assemble(*parts)
        if content != self._line:  # an unchanged row is not resent
            self._line = content
            self._boundaries.update(content, layout=False)

    # -- keys ------------------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        character = event.character or ""
        if len(character) != 1:
            return
        if character.isdigit():
            event.stop()
            event.prevent_default()
            hint = self.choice.digit(int(character))
            if hint:
                self._refuse(hint)
                return
            self.show()
            report(self, self.Changed(self))
        elif character.upper() in LETTERS:
            # A ranking letter: back to the ranking, where it starts a new one.
            event.stop()
            event.prevent_default()
            report(self, self.Back(self, character))

    def _refuse(self, why: str) -> None:
        refuse = getattr(self.screen, "refuse", None)
        if refuse is not None:
            refuse(why)
        else:
            self.app.bell()

    def action_accept(self) -> None:
        report(self, self.Accepted(self))

    def action_back(self) -> None:
        if not self.choice.move(-1):
            report(self, self.Back(self))
            return
        self.show()

    def action_move(self, step: int) -> None:
        if self.choice.move(step):
            self.show()
        else:
            self._refuse("No boundary further " + ("left" if step < 0 else "right"))

    def action_explain(self) -> None:
        """`?`: what each asked field means (the schema's help), above the rows; again hides it."""
        self._help.display = not self._help.display
        if self._help.display:
            self._help.update(Content("\n".join(self.explanations())))

    def explanations(self) -> list[str]:
        lines = []
        strength, reason = self.fields.get("strength"), self.fields.get("reason")
        if self.ask_strength and strength is not None:
            levels = ", ".join(f"{n} {level}" for n, level in enumerate(self.choice.levels, start=1))
            lines.append(f"[1–{len(self.choice.levels)}] {strength.label}: {strength.help} {levels}. "
                         "Enter keeps the levels shown.")
        if self.reason_mode != "off" and reason is not None:
            when = ("only when the call is close (the top two tied, a boundary at the weakest "
                    "level, the ranking against your ratings), and then required"
                    if self.reason_mode == "close" else "optional: Enter alone leaves it empty")
            lines.append(f"[text] {reason.label}: {reason.help} Asked {when}.")
        return [on_screen(line) for line in lines]

    def typed_keys(self) -> list[tuple[str, str]]:
        """The keys this panel reads itself, for F1 (screens/key_help.py)."""
        rows = []
        if self.ask_strength:
            count = len(self.choice.levels)
            rows.append((f"1–{count}", "Strength of the boundary under the cursor, then the next "
                         "(1 strongest)"))
            rows.append(("A–I", "Back to the ranking: a letter starts a new one"))
        if self.reason_mode != "off":
            rows.append(("text", "Reason, one line" + (" (when the call is close)"
                                                       if self.reason_mode == "close" else "")))
        return rows


__all__ = ["ReasonLine", "StrengthPanel"]
