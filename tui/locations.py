"""Where LabelDesk keeps its files: XDG directories, each overridable by an environment variable."""

from __future__ import annotations

import os
from pathlib import Path

DEMO_DIR = Path(__file__).parent / "demo"


def _dir(env: str, kind: str) -> Path:
    if os.environ.get(env):
        return Path(os.environ[env])
    # here, not at the top: platformdirs only when a default location is needed
    import platformdirs

    getter = platformdirs.user_data_dir if kind == "data" else platformdirs.user_config_dir
    return Path(getter("labeldesk", appauthor=False))


def data_dir() -> Path:
    return _dir("LABELDESK_DATA_DIR", "data")


def config_dir() -> Path:
    return _dir("LABELDESK_CONFIG_DIR", "config")


def demo_db_path() -> Path:
    return data_dir() / "demo.db"


def default_config_path() -> Path | None:
    """`LABELDESK_CONFIG`, else `config.toml` in the XDG config dir if it exists."""
    if os.environ.get("LABELDESK_CONFIG"):
        return Path(os.environ["LABELDESK_CONFIG"])
    path = config_dir() / "config.toml"
    return path if path.exists() else None


def keys_path() -> Path:
    """The labeler's own key remapping (`keys.toml`), read over the site's `[keys]`."""
    return config_dir() / "keys.toml"
