"""ScaleField: one scale question answered by its digit (1 strongly disagree .. 5 strongly agree).

A digit chooses and moves on to the next question; ←/→ move the choice, 0 or Backspace clears it
(every survey question may be skipped). The chosen point is marked with [ ] brackets and an
arrow, not colour alone.
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.widget import Widget


class ScaleField(Widget, can_focus=True):
    DEFAULT_CSS = "ScaleField { height: auto; padding: 0 1; }"
    BINDINGS = [
        Binding("left", "step(-1)", "Less", show=False, id="scale.less"),
        Binding("right", "step(1)", "More", show=False, id="scale.more"),
        Binding("0,backspace", "clear", "Skip", id="scale.clear"),
    ]

    def __init__(self, points: tuple[str, ...], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.points = points
        self.value: int | None = None  # 1..len(points), None when skipped

    def render(self) -> Content:
        width = max(self.size.width, 20)
        lines: list[list[Content]] = [[]]
        used = 0
        for n, label in enumerate(self.points, 1):
            if n == self.value:
                point = Content.styled(f"▶[{n} {label}]", "bold reverse" if self.has_focus else "bold")
            else:
                point = Content(f"  {n} {label} ")
            if lines[-1] and used + 1 + point.cell_length > width:  # a point never breaks
                lines.append([])
                used = 0
            used += point.cell_length + (1 if lines[-1] else 0)
            lines[-1].append(point)
        return Content("\n").join(Content(" ").join(line) for line in lines)

    def on_key(self, event: events.Key) -> None:
        character = event.character or ""
        if character.isdigit() and 1 <= int(character) <= len(self.points):
            event.stop()
            event.prevent_default()
            self.value = int(character)
            self.refresh(layout=True)
            self.screen.focus_next()

    def action_step(self, step: int) -> None:
        start = self.value or (0 if step > 0 else len(self.points) + 1)
        self.value = max(1, min(len(self.points), start + step))
        self.refresh(layout=True)

    def action_clear(self) -> None:
        self.value = None
        self.refresh(layout=True)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
