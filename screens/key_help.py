"""What F1 lists: a screen's keys grouped as the labeler uses them, generic keys last.

A work screen's most used keys are typed, not bound: a digit rates, a flag's letter flips it, a
letter A–I places an output. A panel lists those with `typed_keys()` (keys as shown, what they
do); a screen with steps gives its groups with `key_groups()`, the current step first. Then
come the screen's own bindings, then the keys that work everywhere (help, quit, the palette),
and last the keys Textual gives every scrolling widget (Scroll Left, Focus Next, …), which
have no id of ours. Bound keys show as the keymap has them (`[keys]`, the labeler's keys.toml).
"""

from __future__ import annotations

from typing import Any, Protocol

from textual.binding import Binding, BindingsMap
from textual.screen import Screen
from textual.widget import Widget

KeyRow = tuple[str, str]
"""(the keys as shown, what they do)"""
KeyGroup = tuple[str, list[KeyRow]]

EVERYWHERE = "Everywhere"
GENERIC = "Scrolling and focus"


class TypedKeys(Protocol):
    def typed_keys(self) -> list[KeyRow]: ...


def bound_keys(widget: Widget) -> list[KeyRow]:
    """The described bindings `widget`'s class declares, as the keymap has them (its own, not
    Textual's: those have no id), whether or not the widget has the focus now."""
    bindings = BindingsMap(widget.BINDINGS)
    keymap: dict[str, str] = getattr(widget.app, "_keymap", {})  # App.set_keymap's mapping
    if keymap:
        bindings.apply_keymap(keymap)
    return _rows(widget, [b for _, b in bindings if b.description and b.id])


def _rows(node: Any, bindings: list[Binding]) -> list[KeyRow]:
    found: dict[str, tuple[list[str], str]] = {}
    for binding in bindings:
        keys, _ = found.setdefault(binding.id or binding.action, ([], binding.description))
        shown = node.app.get_key_display(binding)
        if shown not in keys:
            keys.append(shown)
    return [("/".join(keys), description) for keys, description in found.values()]


def panel_group(title: str, panel: Widget) -> KeyGroup:
    """A panel's typed keys, then its bound ones."""
    typed: list[KeyRow] = panel.typed_keys() if hasattr(panel, "typed_keys") else []
    return title, typed + bound_keys(panel)


def key_groups(screen: Screen[Any]) -> list[KeyGroup]:
    """Every key F1 lists for `screen`, grouped; a bound key shown once, in its first group."""
    groups: list[KeyGroup] = list(screen.key_groups()) if hasattr(screen, "key_groups") else []
    listed = {row for _, rows in groups for row in rows}
    own: list[Binding] = []
    everywhere: list[Binding] = []
    generic: list[Binding] = []
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description or not active.enabled:
            continue
        if (screen.app.get_key_display(binding), binding.description) in listed:
            continue  # a panel's group has it already
        palette = "command_palette" in binding.action
        if binding.id is None and not palette:
            generic.append(binding)  # Textual's own, on every scrolling widget
        elif binding.id is None or binding.id.startswith("app."):
            everywhere.append(binding)
        else:
            own.append(binding)
    groups.append(("This screen" if groups else "Keys", _rows(screen, own)))
    groups.append((EVERYWHERE, _rows(screen, everywhere)))
    groups.append((GENERIC, _rows(screen, generic)))
    return [(title, rows) for title, rows in groups if rows]
