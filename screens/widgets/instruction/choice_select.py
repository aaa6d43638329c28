"""A type-to-search choice list (the instruction's category, key ``g``).

Textual's Select searches its placeholder row too ("g: required" holds an ``r``), and takes
the earliest substring match. Here the placeholder cannot be highlighted or chosen,
and typing matches the start of a choice first ("r" → rewrite), then any part of it.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Select

# Private: a Select's overlay can only be changed by subclassing it and composing the Select
# anew (tests/test_textual_private.py checks both names).
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


PAGE = 10  # options a PageUp/PageDown moves (the overlay shows about as many)


class ChoiceOverlay(SelectOverlay):
    def _find_search_match(self, query: str) -> int | None:
        choices = [None if o.disabled else str(o.prompt) for o in self._options]
        return best_match(choices, query)

    def page(self, direction: int) -> None:
        """Move the highlight a page of options up (-1) or down (1). Textual's page keys read
        the rendered lines, which a list opened in the same burst does not have yet
        (KeyError), and a page of the list's height would move a burst differently from
        paced keys: a page is a fixed number of options."""
        enabled = [i for i, option in enumerate(self.options) if not option.disabled]
        if not enabled:
            return
        start = self.highlighted if self.highlighted is not None else enabled[0]
        target = start + direction * PAGE
        if direction > 0:
            self.highlighted = next((i for i in enabled if i >= target), enabled[-1])
        else:
            self.highlighted = next((i for i in reversed(enabled) if i <= target), enabled[0])


class ChoiceSelect(Select[str]):
    def compose(self) -> ComposeResult:
        yield SelectCurrent(self.prompt)
        yield ChoiceOverlay(type_to_search=self._type_to_search).data_bind(
            compact=Select.compact
        )

    def _setup_options_renderables(self) -> None:
        super()._setup_options_renderables()
        overlay = self.query_one(ChoiceOverlay)
        if self._allow_blank:  # the placeholder row: shown, never highlighted or chosen
            # It says how the list works rather than repeating the field's "g: required".
            overlay.replace_option_prompt_at_index(
                0, Content.styled("(type to search)", "dim"))
            overlay.disable_option_at_index(0)


__all__ = ["ChoiceOverlay", "ChoiceSelect", "best_match"]
