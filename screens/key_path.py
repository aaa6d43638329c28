"""The one ordered input path: each key is applied, with everything it causes, before the next.

Why not Textual's own path (8.2.8, app.py `App.on_event`, message_pump.py `_on_message`): the
App reads keys in arrival order but only *posts* each one to the focused widget's queue; the
widget's handlers run later in the widget's task, the key then bubbles (by posting again) to
the parents and back to the App, and only there are non-priority bindings looked up. A burst
read from SSH is therefore forwarded as a whole before the first key is handled: a binding
(`=` tie) runs after letters already queued behind it, and keys queued on a widget that a step
change hides are lost. Messages a widget posts in answer to a key (`Submitted` → next task)
run later still, so keys typed ahead meet the old task.

So for our screens the App calls `deliver(screen, key)` in its own task, one key at a time:
priority bindings (as `App.on_event` checks them), the key handlers of the focused widget and its ancestors run inline (as `_on_message` would
call them, minus the posting), then the binding chain exactly as Textual resolves it
(`Screen._modal_binding_chain`: focused widget up to the App, check_consume_key filtering, the
App keymap, so remapped keys work), then the messages our widgets `report` in answer are
handled inline by their ancestors. Screens move focus with `focus_now` (Screen.set_focus is
synchronous; Widget.focus defers to call_later), so the next key already meets the new step.
Rendering may lag behind; state never does.

Every screen of ours takes its keys this way (`OrderedScreen`), not only the work screens: on
Textual's path, Escape on a help screen is only posted to it, so keys read in the same burst
are forwarded to the help screen too and lost once it closes. A screen being pushed or uncovered
takes keys only once it is resumed (composed, its data read): until then the App keeps them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from textual import events, on

# Private, no public equivalent: how a message pump calls a handler and which pump is running
# (tests/test_textual_private.py fails by name if Textual renames them).
from textual._callback import invoke
from textual._context import active_message_pump
from textual.message import Message
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget

# Messages reported while a key is being delivered inline: (sender, message).
_reported: ContextVar[list[tuple[Widget, Message]] | None] = ContextVar("_reported", default=None)


def report(widget: Widget, message: Message) -> None:
    """Post `message` from `widget`, or, while a key is delivered inline, have its ancestors
    handle it right after that key (before the next key is read)."""
    pending = _reported.get()
    if pending is None:
        widget.post_message(message)
    else:
        pending.append((widget, message))


@contextmanager
def _as(node: Widget | Screen[Any]) -> Iterator[None]:
    # Handlers expect to run in their own pump (message senders, `prevent`).
    token = active_message_pump.set(node)
    try:
        yield
    finally:
        active_message_pump.reset(token)


async def _handle(node: Widget, message: Message) -> None:
    with _as(node), node.prevent(*message._prevent):
        for _cls, method in node._get_dispatch_methods(message.handler_name, message):
            await invoke(method, message)


async def _bubble(start: Widget, message: Message, screen: Screen[Any]) -> None:
    """Handle `message` at `start` and its ancestors up to the screen, as bubbling would."""
    node: Widget | None = start
    while node is not None and not message._stop_propagation:
        await _handle(node, message)
        if node is screen:
            break
        parent = node.parent
        node = parent if isinstance(parent, Widget) else None


class OrderedScreen(Screen[Any]):
    """A screen whose keys come one at a time through `deliver`, and only while it is `ready`:
    from its ScreenResume (composed and current) to its ScreenSuspend."""

    ready = False
    HELP_TOPIC = ""

    # Textual's `Screen.focused` repaints the whole screen on every focus move (a step change,
    # each new task): every widget redrawn and every cell resent. The widgets that gain and
    # lose focus restyle and redraw themselves (their `:focus` rules), which is all that
    # changes on screen, so the screen itself is not repainted.
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)  # a heading slug of the guidelines: F1 opens at that section

    # What the App asks of every such screen (`screens.host.OrderedKeys`); by default a key
    # waits for `ready`, moves no clock and, taken by nothing, goes unremarked.
    def takes_now(self, event: events.Key | events.Paste) -> bool:
        return False

    def note_input(self) -> None:
        pass

    def key_unused(self, event: events.Key) -> None:
        pass

    # Handlers Textual calls besides a subclass's own on_screen_resume/suspend, after them
    # (it walks the MRO, subclass first): the subclass has read its data (or left) by the time
    # the keys kept for this screen are replayed.
    @on(events.ScreenResume)
    def _take_keys(self) -> None:
        self.ready = self.app.screen is self
        drain = getattr(self.app, "drain_keys", None)
        if drain is not None:
            self.app.call_later(drain)

    @on(events.ScreenSuspend)
    def _keep_keys(self) -> None:
        self.ready = False


def focus_now(widget: Widget) -> None:
    """Focus `widget` before the next key is read (`Widget.focus` waits for call_later)."""
    widget.screen.set_focus(widget)


async def deliver(screen: Screen[Any], event: events.Key | events.Paste) -> bool:
    """Apply one key (or a paste, kept literal) to `screen` now. False when nothing took it
    (the caller says why)."""
    pending: list[tuple[Widget, Message]] = []
    token = _reported.set(pending)
    try:
        if isinstance(event, events.Paste):
            focused = screen.focused
            await _bubble(focused if focused is not None else screen, event, screen)
            handled = True
        else:
            handled = await _keys_and_bindings(screen, event)
        while pending:
            sender, message = pending.pop(0)
            if isinstance(sender.parent, Widget):
                await _bubble(sender.parent, message, screen)
        return handled
    finally:
        _reported.reset(token)


async def _keys_and_bindings(screen: Screen[Any], event: events.Key) -> bool:
    app = screen.app
    if await app._check_bindings(event.key, priority=True):
        return True
    focused = screen.focused
    await _bubble(focused if focused is not None else screen, event, screen)
    if event._stop_propagation or event._no_default_action:
        return True
    for namespace, bindings in screen._modal_binding_chain:
        for binding in bindings.key_to_bindings.get(event.key, ()):
            if binding.priority:
                continue  # tried first, above
            with _as(namespace if isinstance(namespace, Widget) else screen):
                if await app.run_action(binding.action, namespace):
                    return True
    return False


__all__ = ["OrderedScreen", "deliver", "focus_now", "report"]
