"""CheckList: a SelectionList whose boxes read "X" when chosen and stay empty when not.

Textual 8.2.8's SelectionList draws every box as ▐X▌ and tells chosen from not by colour alone,
which NO_COLOR, a monochrome theme or colour blindness erases.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import Checkbox, SelectionList
from textual.widgets.option_list import OptionDoesNotExist

CHOSEN, NOT_CHOSEN = "X", " "


class CheckList(SelectionList[str]):
    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        # SelectionList.render_line puts its ToggleButton's BUTTON_LEFT, BUTTON_INNER and
        # BUTTON_RIGHT before the prompt; Checkbox is the public ToggleButton (same glyphs).
        if len(segments) < 3 or segments[1].text != Checkbox.BUTTON_INNER:
            return strip
        try:
            option = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        mark = CHOSEN if option.value in self._selected else NOT_CHOSEN
        segments[1] = Segment(mark, segments[1].style)
        return Strip(segments, strip.cell_length)
