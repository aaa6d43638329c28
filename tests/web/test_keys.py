"""The browser's key profile: every binding a browser would swallow (ctrl+t, ctrl+n, ctrl+w
open or close tabs) moves to a key that arrives, and collides with nothing on its screen."""

import importlib
import inspect

from tui.config import Config
from tui.keymap import BINDING_MODULES, WEB_PROFILE, binding_ids, keymap

BROWSER_KEEPS = {"ctrl+t", "ctrl+n", "ctrl+w", "ctrl+shift+w", "ctrl+shift+t", "ctrl+tab",
                 "f5", "f6", "f7", "f10", "f11", "f12"}


def _bindings():
    for name in BINDING_MODULES:
        for _, cls in inspect.getmembers(importlib.import_module(name), inspect.isclass):
            if cls.__module__ == name:
                yield cls, list(cls.__dict__.get("BINDINGS", ()))


def test_no_app_binding_is_left_on_a_key_the_browser_keeps():
    for cls, bindings in _bindings():
        for binding in bindings:
            keys = {k.strip() for k in binding.key.split(",")}
            if keys & BROWSER_KEEPS:
                assert binding.id in WEB_PROFILE, (cls.__name__, binding.id, binding.key)


def test_the_profile_moves_to_free_keys():
    assert set(WEB_PROFILE) <= binding_ids()
    assert not set(WEB_PROFILE.values()) & BROWSER_KEEPS
    for cls, bindings in _bindings():
        ids = {b.id for b in bindings}
        for binding_id in ids & set(WEB_PROFILE):
            others = {k.strip() for b in bindings if b.id != binding_id for k in b.key.split(",")}
            assert WEB_PROFILE[binding_id] not in others, (cls.__name__, binding_id)


def test_the_profile_applies_only_in_a_browser_and_the_site_wins():
    config = Config()
    config.data["keys"] = {"quiz.next": "f3"}
    web = keymap(config, web=True)
    assert web["comparison.toggle_prompt"][0] == "f9"
    assert web["quiz.next"][0] == "f3"
    assert "comparison.toggle_prompt" not in keymap(config, web=False)
