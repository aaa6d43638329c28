"""Key remapping: every binding has an id; the site's [keys] and the labeler's keys.toml remap it,
and the Footer and the F1 key list show the remapped key."""

from __future__ import annotations

import importlib
import inspect
import os
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.widgets import Footer

from screens.comparison import ComparisonScreen
from screens.help import HelpScreen
from screens.widgets.skip_panel import SkipPanel
from tui.config import Config, ConfigError
from tui.keymap import BINDING_MODULES, binding_ids, keymap, read_keys

ROOT = Path(__file__).parents[2]


def declared_modules() -> list[str]:
    """Every module of screens/ and tui/ whose source declares BINDINGS."""
    found = []
    for folder in ("screens", "tui"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "    BINDINGS = " in path.read_text(encoding="utf-8"):
                found.append(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return found


def test_every_binding_has_an_id_and_every_module_is_known():
    modules = declared_modules()
    assert set(modules) <= set(BINDING_MODULES), set(modules) - set(BINDING_MODULES)
    missing = []
    for name in modules:
        for cls_name, cls in inspect.getmembers(importlib.import_module(name), inspect.isclass):
            if cls.__module__ != name:
                continue
            for binding in cls.__dict__.get("BINDINGS", ()):
                if not isinstance(binding, Binding) or not binding.id:
                    missing.append(f"{name}.{cls_name}: {binding}")
    assert missing == []
    assert {"ranking.undo", "work.skip", "app.quit", "writing.submit"} <= binding_ids()


def site(keys: dict[str, str]) -> Config:
    cfg = Config(path=Path("/etc/labeldesk.toml"))
    cfg.data["comparison"]["advance_after_rating"] = False
    cfg.data["keys"].update(keys)
    return cfg


def test_the_labelers_file_wins_over_the_site(tmp_path):
    mine = tmp_path / "keys.toml"
    mine.write_text('"work.skip" = "ctrl+x"\n')
    got = keymap(site({"work.skip": "ctrl+b", "ranking.undo": "z"}), mine)
    assert got["work.skip"] == ("ctrl+x", f"{mine}: work.skip")
    assert got["ranking.undo"] == ("z", "/etc/labeldesk.toml: keys.ranking.undo")
    assert keymap(Config(), tmp_path / "none.toml") == {}


@pytest.mark.parametrize(("text", "problem"), [
    ('"work.skip" = 3\n', "work.skip: must be a key string"),
    ('"work.skip" = \n', "invalid TOML"),
])
def test_a_bad_keys_file_names_the_file_and_key(tmp_path, text, problem):
    path = tmp_path / "keys.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=problem) as err:
        read_keys(path)
    assert str(path) in str(err.value)


def footer_keys(screen) -> dict[str, str]:
    footer = screen.query_one(Footer)
    return {key.description: key.key_display for key in footer.query("FooterKey")}


async def test_remapped_keys_work_and_show_in_footer_and_help(make_app, sample_db):
    keys_dir = Path(os.environ["LABELDESK_CONFIG_DIR"])
    keys_dir.mkdir(parents=True, exist_ok=True)
    (keys_dir / "keys.toml").write_text('"comparison.step_next" = "ctrl+n"\n"nope.nothing" = "z"\n')
    app = make_app("alice", config=site({"work.skip": "ctrl+b"}))
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        assert any("nope.nothing: no such binding" in str(n.message) for n in app._notifications)
        await pilot.press("c")
        screen = app.screen
        assert isinstance(screen, ComparisonScreen)
        await pilot.pause()
        shown = footer_keys(screen)
        assert shown["Skip"] == "^b"
        await pilot.press("ctrl+n")
        assert screen.step == "scores"
        await pilot.press("greater_than_sign")  # the old key no longer does it
        assert screen.step == "scores"
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.pause()
        listed = str(app.screen.query_one("#help-keys").render())
        assert "^b  Skip" in listed.replace("ctrl+b", "^b") and "Next step" in listed
        await pilot.press("escape", "ctrl+b")
        assert screen.query_one(SkipPanel).is_open


async def test_home_shows_the_remapped_work_keys(make_app, sample_db):
    """The home menu's `[c]` followed the registry, not the keymap: remapped, it lied."""
    keys_dir = Path(os.environ["LABELDESK_CONFIG_DIR"])
    keys_dir.mkdir(parents=True, exist_ok=True)
    (keys_dir / "keys.toml").write_text('"home.comparison" = "k"\n"home.toxicity" = "ctrl+t"\n')
    app = make_app("alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        from textual.widgets import OptionList

        options = app.screen.query_one("#work", OptionList)
        texts = [str(options.get_option_at_index(n).prompt) for n in range(options.option_count)]
        assert any(t.startswith("[k] Comparisons") for t in texts), texts
        assert any(t.startswith("[^t] Toxicity") for t in texts), texts
        assert not any(t.startswith("[c] ") for t in texts), texts
        await pilot.press("k")
        assert isinstance(app.screen, ComparisonScreen)
