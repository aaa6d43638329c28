"""KeyedSelect: Textual's Select, opened and chosen within the key that asks for it.

Textual 8.2.8's Select focuses its overlay with `Widget.focus` (deferred to call_later) and
takes the choice through three posted messages (OptionSelected, UpdateSelection, then the value),
so keys typed ahead (Enter ↓ ↓ Enter in one read) move a closed list or reach the next question
before the choice is made. On the ordered key path (screens/key_path.py) a key's handlers run
before the next key, so doing both inside the key keeps typed-ahead keys in order.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.widgets import OptionList, Select

from screens.key_path import focus_now


def overlay_of(select: Select[Any]) -> OptionList:
    """The open list of a Select: its one OptionList (Textual's SelectOverlay, a private class;
    the public OptionList is all we use of it)."""
    return select.query_one(OptionList)


class KeyedSelect(Select[str]):
    def action_show_overlay(self) -> None:
        super().action_show_overlay()
        focus_now(overlay_of(self))

    def on_key(self, event: events.Key) -> None:
        # Keys of the open overlay bubble here before its bindings run (Enter: select).
        if not self.expanded or event.key not in ("enter", "escape"):
            return
        event.stop()
        event.prevent_default()
        overlay = overlay_of(self)
        if event.key == "enter" and overlay.highlighted is not None:
            self.value = self._options[overlay.highlighted][1]
        self.expanded = False
        focus_now(self)
