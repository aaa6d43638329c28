"""A type-to-search choice list (the instruction's category, key ``g``).

Textual's Select searches its placeholder row too ("g: required" holds an ``r``), and takes
the earliest substring match. Here the placeholder cannot be highlighted or chosen,
and typing matches the start of a choice first ("r" → rewrite), then any part of it.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Select
from textual.widgets._select import SelectCurrent, SelectOverlay


def best_match(choices: list[str | None], query: str) -> int | None:
    """The index of the choice ``query`` starts, else the one containing it earliest; None
    entries (the placeholder) never match."""
    query = query.lower()
    prefixed = [i for i, c in enumerate(choices) if c is not None and c.lower().startswith(query)]
    if prefixed:
        return prefixed[0]
    found = [(c.lower().find(query), i) for i, c in enumerate(choices) if c is not None]
    found = [(at, i) for at, i in found if at >= 0]
    return min(found)[1] if found else None


class ChoiceOverlay(SelectOverlay):
    def focus(self, scroll_visible: bool = True) -> ChoiceOverlay:
        # Focus arrives a turn later (call_later); a list closed meanwhile by type_ahead must
        # not take it, or it would read the keys meant for the field list while hidden.
        def take() -> None:
            if isinstance(self.parent, Select) and self.parent.expanded:
                self.screen.set_focus(self, scroll_visible=scroll_visible)

        self.refresh()
        self.app.call_later(take)
        return self

    def _find_search_match(self, query: str) -> int | None:
        choices = [None if o.disabled else str(o.prompt) for o in self._options]
        return best_match(choices, query)


class ChoiceSelect(Select):
    def compose(self) -> ComposeResult:
        yield SelectCurrent(self.prompt)
        yield ChoiceOverlay(type_to_search=self._type_to_search).data_bind(
            compact=Select.compact
        )

    def type_ahead(self, event: events.Key, back_to: Widget) -> bool:
        """A key typed in the same burst as the one that opened this list reaches the field
        list before focus has moved here: search, choose (Enter) or dismiss (Escape) with it,
        as the list would, then hand focus straight ``back_to`` (the field list) so the keys
        after it are not read by the closed list. False when the list is not opening or the key
        means nothing to it."""
        overlay = self.query_one(ChoiceOverlay)
        if not self.expanded or overlay.has_focus:
            return False
        if event.key == "enter":
            index = overlay.highlighted
            if index is None or overlay.get_option_at_index(index).disabled:
                return True  # nothing chosen yet: the list stays open
            self.value = self._options[index][1]
            self.expanded = False
            self.screen.set_focus(back_to)
        elif event.key == "escape":
            self.expanded = False
            self.screen.set_focus(back_to)
        elif event.character and event.is_printable:
            overlay._search_query += event.character
            index = overlay._find_search_match(overlay._search_query)
            if index is not None:
                overlay.select(index)
        else:
            return False
        return True

    def _setup_options_renderables(self) -> None:
        super()._setup_options_renderables()
        overlay = self.query_one(ChoiceOverlay)
        if self._allow_blank:  # the placeholder row: shown, never highlighted or chosen
            overlay.disable_option_at_index(0)


__all__ = ["ChoiceSelect", "best_match"]
