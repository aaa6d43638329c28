"""Key remapping: binding id → keys, from the site's `[keys]` and the labeler's own `keys.toml`.

The labeler's file (`tui.locations.keys_path()`, top-level `"binding.id" = "key[,key...]"`)
wins over the site's config. Textual's keymap (`App.set_keymap`) applies it to every binding
with that id, so the Footer, the help's key list and every key path see the remapped keys.
A malformed file is refused with `file: key: problem`; an id no screen has is reported once
the app runs (knowing every id means importing every screen, which start-up avoids).
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

from screens.registry import WORK
from tui.config import MAX_KEYS, Config, ConfigError, read_toml
from tui.locations import keys_path
from tui.terminal import served

# Every module that declares bindings; `binding_ids` reads them: the app's, the screens and
# widgets all work shares, then each kind of work's screen as `screens.registry.WORK` names it.
BINDING_MODULES = (
    "tui.app", "screens.home", "screens.help", "screens.drafting", "screens.base",
    "screens.widgets.ranking.ranking_panel", "screens.widgets.prompt.prompt_panel",
    "screens.widgets.skip_panel", "screens.widgets.confirm_bar", "screens.widgets.flag_form",
    "screens.widgets.safe_text", "screens.widgets.scale_field",
    "screens.widgets.ranking.strength_panel",
    *dict.fromkeys(work.screen.partition(":")[0] for work in WORK),
)


def read_keys(path: Path) -> dict[str, str]:
    """A keys file as binding id → keys; missing file: {}."""
    if not path.exists():
        return {}
    raw = read_toml(path, "keys")
    raw = raw.get("keys", raw) if isinstance(raw.get("keys"), dict) else raw
    if len(raw) > MAX_KEYS:
        raise ConfigError(f"{path}: {len(raw)} remapped keys, more than {MAX_KEYS}")
    for binding_id, keys in raw.items():
        if not isinstance(keys, str) or not keys.strip():
            raise ConfigError(f"{path}: {binding_id}: must be a key string such as \"ctrl+u\"")
    return dict(raw)


# In a browser (`labeldesk serve`) ctrl+t, ctrl+n and ctrl+w never reach the page: the browser
# opens or closes a tab. The bindings on them move to function keys every browser passes on;
# the site's `[keys]` and the labeler's file still win. docs/deployment.md lists them.
WEB_PROFILE = {
    "comparison.toggle_prompt": "f9",
    "quiz.take_over": "f9",
    "quiz.next": "f8",
}


def keymap(config: Config, user_file: Path | None = None, *,
           web: bool | None = None) -> dict[str, tuple[str, str]]:
    """binding id → (keys, where it was set): in a browser the web profile, then the site's
    `[keys]`, then the labeler's file."""
    site = str(config.path) if config.path else "config"
    site_keys: dict[str, str] = config["keys"]
    merged = {bid: (keys, "the browser's key profile") for bid, keys in WEB_PROFILE.items()
              } if (served() if web is None else web) else {}
    merged.update({bid: (keys, f"{site}: keys.{bid}") for bid, keys in site_keys.items()})
    path = user_file or keys_path()
    merged.update({bid: (keys, f"{path}: {bid}") for bid, keys in read_keys(path).items()})
    return merged


def binding_ids() -> set[str]:
    """Every binding id the app declares (imports every screen)."""
    ids: set[str] = set()
    for name in BINDING_MODULES:
        for _, cls in inspect.getmembers(importlib.import_module(name), inspect.isclass):
            if cls.__module__ != name:  # Textual's own classes come in by import
                continue
            for binding in cls.__dict__.get("BINDINGS", ()):
                if getattr(binding, "id", None):
                    ids.add(binding.id)
    return ids


def unknown(mapping: dict[str, tuple[str, str]]) -> list[str]:
    """`where: no such binding` for each id no screen has."""
    known = binding_ids()
    return [f"{where}: no such binding" for bid, (_, where) in mapping.items() if bid not in known]
