"""FlagForm: yes/no flags set from the keyboard (↑/↓ choose, y/n set), one line each.

A plain form over schema fields: used by the quiz's sensitive-speech items until a shared
flags widget exists. Emits `Changed` on every change, `Submitted` on Enter when every flag is
set and `Incomplete` (saying which are not) on Enter before; the host keeps the answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.widget import Widget

from screens.key_path import report


@dataclass(frozen=True)
class FlagRow:
    group: str  # "prompt" | "completion"
    name: str
    label: str


class FlagForm(Widget, can_focus=True):
    DEFAULT_CSS = """
    FlagForm { height: auto; padding: 0 1; }
    """
    BINDINGS = [
        Binding("up,k", "move(-1)", "Up", show=False, id="flags.up"),
        Binding("down,j", "move(1)", "Down", show=False, id="flags.down"),
        Binding("y", "set(True)", "Yes", id="flags.yes"),
        Binding("n", "set(False)", "No", id="flags.no"),
        Binding("enter", "submit", "Done", id="flags.submit"),
    ]

    class Changed(Message):
        def __init__(self, form: FlagForm) -> None:
            super().__init__()
            self.form = form

        @property
        def control(self) -> FlagForm:
            return self.form

    class Submitted(Changed):
        pass

    class Incomplete(Changed):
        def __init__(self, form: FlagForm, why: str) -> None:
            super().__init__(form)
            self.why = why

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[FlagRow] = []
        self.values: dict[tuple[str, str], bool] = {}
        self.cursor = 0
        self.hint = ""

    def set_rows(self, rows: list[FlagRow], values: dict[tuple[str, str], bool]) -> None:
        self.rows, self.values, self.cursor, self.hint = rows, dict(values), 0, ""
        self.refresh(layout=True)

    def answer(self) -> dict[str, dict[str, bool]]:
        out: dict[str, dict[str, bool]] = {"prompt": {}, "completion": {}}
        for (group, name), value in self.values.items():
            out[group][name] = value
        return out

    def render(self) -> Content:
        lines = []
        group = None
        for i, row in enumerate(self.rows):
            if row.group != group:
                group = row.group
                lines.append(Content.styled("The prompt" if group == "prompt" else "The completion", "bold"))
            value = self.values.get((row.group, row.name))
            mark = "  ?" if value is None else (" yes" if value else "  no")
            line = Content.assemble("▶ " if i == self.cursor else "  ", (f"{mark:>4}  ", "bold"), row.label)
            lines.append(line.stylize("reverse") if i == self.cursor and self.has_focus else line)
        if self.hint:
            lines.append(Content.styled(self.hint, "$text-warning"))
        return Content("\n").join(lines)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        groups = len({r.group for r in self.rows})
        return len(self.rows) + groups + (1 if self.hint else 0)

    def action_move(self, step: int) -> None:
        if self.rows:
            self.cursor = (self.cursor + step) % len(self.rows)
            self.refresh()

    def action_set(self, value: bool) -> None:
        if not self.rows:
            return
        row = self.rows[self.cursor]
        self.values[(row.group, row.name)] = value
        self.hint = ""
        if self.cursor < len(self.rows) - 1:
            self.cursor += 1
        self.refresh(layout=True)
        report(self, self.Changed(self))

    def action_submit(self) -> None:
        unset = [r.label for r in self.rows if (r.group, r.name) not in self.values]
        if unset:
            self.hint = f"Set every flag first (y/n): {len(unset)} left"
            self.cursor = next(i for i, r in enumerate(self.rows) if (r.group, r.name) not in self.values)
            self.refresh(layout=True)
            report(self, self.Incomplete(self, f"Not done: {len(unset)} flag(s) not set yet, "
                                               f"first \u201c{unset[0]}\u201d (y yes, n no)"))
            return
        report(self, self.Submitted(self))
