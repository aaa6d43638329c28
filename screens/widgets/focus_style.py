"""Focus that restyles one widget, not a subtree.

Textual restyles a widget *and every descendant* when it gains or loses focus, in case a
selector reads `Panel:focus Child`. A work screen's step panels hold the focus and dozens of
widgets (the ranking panel ~40, the scores panel ~14), and focus moves at every step change
and every task: that restyling was ~10 ms of CPU per step change. No stylesheet of ours
styles the children of these panels by the panel's focus (tests/screens/test_key_costs.py
checks), so a focus change restyles the panel alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widget import Widget

# A plain mixin at run time: a Widget subclass would pin `can_focus` (and its children's) to
# Widget's defaults ahead of the container it is mixed into.
if TYPE_CHECKING:
    _Base = Widget
else:
    _Base = object


class OwnFocusStyle(_Base):
    """Mixin for a focusable container whose children's styles do not depend on its focus."""

    def watch_has_focus(self, _has_focus: bool) -> None:
        self.app.stylesheet.update_nodes([self], animate=True)
