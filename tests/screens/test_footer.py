"""The Footer every screen uses does not keep old keys alive across recomposes."""

from __future__ import annotations

import gc
import re
from pathlib import Path

from textual.app import App
from textual.screen import Screen
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from screens.widgets.footer import Footer


class Other(Screen):
    BINDINGS = [("f2", "noop", "Two"), ("f3", "noop", "Three")]

    def compose(self):
        yield Static("other")
        yield Footer()


class Base(App):
    BINDINGS = [("f5", "noop", "Five")]

    def compose(self):
        yield Static("base")
        yield Footer()


def live_keys() -> int:
    gc.collect()
    return sum(isinstance(o, FooterKey) for o in gc.get_objects())


async def test_push_pop_and_refresh_bindings_keep_no_old_keys():
    app = Base()
    async with app.run_test() as pilot:
        app.install_screen(Other(), name="other")
        await pilot.pause()
        for _ in range(3):
            await app.push_screen("other")
            await pilot.pause()
            app.pop_screen()
            await pilot.pause()
        settled = live_keys()
        for _ in range(6):  # a leak grows with every cycle: a few show it
            await app.push_screen("other")
            await pilot.pause()
            app.screen.refresh_bindings()
            await pilot.pause()
            app.pop_screen()
            await pilot.pause()
        assert live_keys() <= settled
        assert "Five" in str(app.screen.query_one(Footer).query(FooterKey).first().render())


def test_every_screen_uses_the_leak_free_footer():
    screens = Path(__file__).resolve().parents[2] / "screens"
    for module in screens.rglob("*.py"):
        if module.name != "footer.py":
            assert "from textual.widgets import Footer" not in module.read_text(), module
            assert not re.search(r"from textual\.widgets import \([^)]*\bFooter\b", module.read_text()), module


def footer_binding_ids() -> set[str]:
    """The ids of every binding a footer can show (declared with `show`), on every screen."""
    import importlib
    import inspect

    from tui.keymap import BINDING_MODULES

    ids = set()
    for name in BINDING_MODULES:
        for _, cls in inspect.getmembers(importlib.import_module(name), inspect.isclass):
            if cls.__module__ == name:
                ids |= {b.id for b in cls.__dict__.get("BINDINGS", ())
                        if getattr(b, "show", False) and getattr(b, "id", None)}
    return ids


def test_every_key_a_footer_shows_has_its_place_in_the_importance_order():
    from screens.widgets.footer import IMPORTANCE
    from tui.keymap import binding_ids

    assert sorted(footer_binding_ids() - set(IMPORTANCE)) == []  # else it sorts after Help/Quit
    assert sorted(set(IMPORTANCE) - binding_ids()) == []  # no id that no screen has
