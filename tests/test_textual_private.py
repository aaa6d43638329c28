"""The private Textual names LabelDesk imports, each for a reason written where it is imported.

A Textual upgrade that renames or reshapes one fails here, naming it, instead of somewhere deep
in a screen. Where a public name does the job (Checkbox's glyphs for CheckList, OptionList for a
Select's open list) the code uses it, and a new private import fails the last test until it is
listed here with its reason.
"""

from __future__ import annotations

import importlib
import inspect
import re
from contextvars import ContextVar
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# private name -> where it is used and why
PRIVATE = {
    "textual._callback.invoke": "screens/key_path.py: run a key's handlers inline, as a pump would",
    "textual._context.active_message_pump": "screens/key_path.py: handlers run as their own pump",
    "textual._time.get_time": "tui/app.py: the clock of Message.time, to drop keys typed earlier",
    "textual.widgets._footer.FooterKey": "screens/widgets/footer.py: the keys our Footer yields",
    "textual.widgets._select.SelectOverlay": "screens/widgets/instruction/choice_select.py: its search",
    "textual.widgets._select.SelectCurrent": "screens/widgets/instruction/choice_select.py: composing it",
}


def resolve(name: str):
    module, _, attr = name.rpartition(".")
    return getattr(importlib.import_module(module), attr)


@pytest.mark.parametrize("name", PRIVATE)
def test_the_private_name_is_still_there(name):
    assert resolve(name) is not None, f"{name} is gone: {PRIVATE[name]}"


def test_the_private_names_keep_the_shape_we_use():
    from textual.message import Message
    from textual.widget import Widget
    from textual.widgets import OptionList, Select

    invoke = resolve("textual._callback.invoke")
    assert inspect.iscoroutinefunction(invoke)
    assert list(inspect.signature(invoke).parameters)[:2] == ["callback", "params"]
    assert isinstance(resolve("textual._context.active_message_pump"), ContextVar)
    get_time = resolve("textual._time.get_time")
    before = get_time()
    assert before <= Message().time <= get_time()  # the same clock
    footer_key = resolve("textual.widgets._footer.FooterKey")
    assert issubclass(footer_key, Widget)
    assert list(inspect.signature(footer_key).parameters) == [
        "key", "key_display", "description", "action", "disabled", "tooltip", "classes"]
    # Our Footer rewrites mounted keys in place: what a key draws and does is read from these.
    assert {"self.key_display", "self.description"} <= set(
        re.findall(r"self\.\w+", inspect.getsource(footer_key.render)))
    assert "self._disabled" in inspect.getsource(footer_key.on_mouse_down)
    assert "self.key" in inspect.getsource(footer_key.on_mouse_down)
    overlay = resolve("textual.widgets._select.SelectOverlay")
    assert issubclass(overlay, OptionList) and hasattr(overlay, "_find_search_match")
    assert "SelectCurrent" in inspect.getsource(Select.compose)  # what ChoiceSelect re-composes
    assert "SelectOverlay" in inspect.getsource(Select.compose)


def test_no_other_private_textual_name_is_imported():
    private = re.compile(r"^\s*from (textual(?:\.\w+)*\._\w+) import ([\w, ]+)", re.M)
    found = set()
    for package in ("store", "screens", "tui"):
        for path in (ROOT / package).rglob("*.py"):
            for module, names in private.findall(path.read_text()):
                found |= {f"{module}.{n.strip()}" for n in names.split(",")}
    assert sorted(found - set(PRIVATE)) == []


def test_the_exception_hook_we_override_is_still_textuals():
    """tui/app.py overrides App._handle_exception (the one place every handler's, timer's and
    worker's exception reaches) so no traceback with local variables is printed, and does what
    Textual's does otherwise: return code 1, the exception kept for Pilot, close."""
    from textual.app import App

    from tui.app import LabelDeskApp

    assert list(inspect.signature(App._handle_exception).parameters) == ["self", "error"]
    source = inspect.getsource(App._handle_exception)
    for name in ("_return_code", "_exception", "_exception_event", "_fatal_error"):
        assert name in source, name
    assert hasattr(App, "_close_messages_no_wait")
    assert "_exit_renderables" in inspect.getsource(App._print_error_renderables)
    assert LabelDeskApp._handle_exception is not App._handle_exception


def test_the_content_wrapping_the_text_view_uses_is_still_textuals():
    """screens/widgets/text_view.py wraps with Content._wrap_and_format (what Content.render_strips
    does before drawing every row) and draws a row with its lines' to_strip, so it draws as a
    Static draws: the method, the arguments passed and what render_strips does with them."""
    from textual.content import Content

    parameters = inspect.signature(Content._wrap_and_format).parameters
    assert {"width", "align", "overflow", "no_wrap", "line_pad", "tab_size", "get_style"} <= set(
        parameters)
    source = inspect.getsource(Content.render_strips)
    assert "self._wrap_and_format(" in source and "line.to_strip(style)" in source
    # TextView counts a paragraph's rows as the wrap cuts it: rich's divide_line, one row more
    # than its cuts (tests/screens/test_text_view.py compares the rows).
    assert "divide_line(" in inspect.getsource(Content._wrap_and_format)
    rows = Content("one two three")._wrap_and_format(7)
    assert [row.content.plain for row in rows] == ["one two", "three"]
    assert all(callable(row.to_strip) for row in rows)


def test_the_scroll_update_the_text_view_calls_is_still_textuals():
    """screens/widgets/text_view.py sets a fixed-height view's virtual size without its
    reactive (which re-lays out the screen) and calls Widget._scroll_update, as ScrollView's
    own _size_updated does: it shows or hides the scrollbar (a reactive that re-lays out when
    it changes) and sets the scrollbar's range."""
    from textual.scroll_view import ScrollView
    from textual.widget import Widget

    assert list(inspect.signature(Widget._scroll_update).parameters) == ["self", "virtual_size"]
    source = inspect.getsource(Widget._scroll_update)
    assert "self._refresh_scrollbars()" in source and "window_virtual_size" in source
    assert "self._scroll_update(virtual_size)" in inspect.getsource(ScrollView._size_updated)
