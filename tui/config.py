"""The TOML config: defaults, types, and a clear `file: key: problem` for anything else.

Every known key is declared in DEFAULTS with its default; the type of the default is the type
the file must use. Sections whose keys are free (the keymap) are declared as empty dicts.
"""

from __future__ import annotations

import copy
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from store.disputes import Rules

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULTS: dict[str, dict[str, Any]] = {
    "database": {"path": "", "url": ""},
    "identity": {"self_register": False},
    "schema": {"path": ""},
    "overlap": {
        "comparison": 3,
        "instruction": 3,
        "demonstration": 1,
        "toxicity": 3,
        "demonstration_score": 1,
    },
    "queue": {"lease_minutes": 60},
    "comparison": {
        "steps": ["instruction", "scores", "ranking"],
        "priority": "helpfulness",
        "advance_after_rating": True,
    },
    "keys": {},
    "rules": {
        "prefix_chars": 100,
        "user_cap": 200,
        "pii_action": "hold",
        "split_salt": "",
        "splits": {"train": 0.8, "validation": 0.1, "test": 0.1},
    },
    "screening": {
        "flag_agreement": 0.75,
        "comparison_agreement": 0.75,
        "demonstration_score": 6.0,
    },
    "surveys": {"extra_statements": []},
    "adjudication": {
        "rating_spread": 3,
        "ranking_agreement": 0.5,
        "max_overlap": 0,
        "sensitive_fields": [
            "instruction.pii", "output.sexual", "output.violent", "output.encourages_harm",
            "output.denigrates_protected", "output.harmful_advice",
        ],
    },
    "guidelines": {"version": ""},
    # Where unexpected errors are logged with their traceback (tui/crash_log.py); "" = default.
    "log": {"path": ""},
    # Training exports (docs/exports.md): the margin of a researcher's pair, and which output
    # ratings count as desirable / undesirable in `export kto`.
    "export": {"gold_margin": 3.0, "kto_good_rating": 6, "kto_bad_rating": 3},
    # `labeldesk serve` (docs/deployment.md, "Browser"): who is asking comes from the header an
    # authenticating proxy sets, trusted only from `trusted_proxies` ("unix" = the socket).
    "web": {
        "user_header": "X-Forwarded-User",
        "trusted_proxies": ["127.0.0.1", "::1", "unix"],
        "origins": [],
        "public_url": "",
        "max_width": 300,
        "max_height": 100,
        "max_sessions": 200,
        "max_sessions_per_labeler": 2,
        "idle_minutes": 60,
        "grace_seconds": 10,
    },
    # Live quality control (issue 16); README "Live quality control" explains each key.
    "quality": {
        "gold_rate": 0.05,
        "gold_rate_by_kind": {},
        "gold_repeat_days": 0,
        "idle_seconds": 120,
        "fast_fraction": 0.25,
        "fast_min_tasks": 10,
        "fast_warn_share": 0.2,
        "warn_below": 0.70,
        "pause_below": 0.0,
        "min_gold": 10,
        "require_screening": False,
    },
}
FREE_SECTIONS = {"keys"}
CHOICES = {
    ("comparison", "priority"): ("helpfulness", "truthful_harmless"),
    ("rules", "pii_action"): ("hold", "route_to_instruction"),
}
LIST_CHOICES = {
    ("comparison", "steps"): ("instruction", "scores", "ranking"),
}


class ConfigError(Exception):
    pass


@dataclass
class Config:
    data: dict[str, dict[str, Any]] = field(default_factory=lambda: copy.deepcopy(DEFAULTS))
    path: Path | None = None

    def __getitem__(self, section: str) -> dict[str, Any]:
        return self.data[section]

    def overlap(self, kind: str) -> int:
        return int(self.data["overlap"].get(kind, 1))

    @property
    def lease_seconds(self) -> int:
        return int(self.data["queue"]["lease_minutes"] * 60)

    def quality_policy(self):
        """The `[quality]` section (with `[screening]` thresholds) for the store."""
        from store.errors import StoreError
        from store.quality.policy import QualityPolicy

        try:
            return QualityPolicy.from_config(self.data["quality"], self.data["screening"])
        except StoreError as exc:
            raise ConfigError(f"{self.path or 'config'}: {exc}") from None

    @property
    def escalation(self) -> Rules:
        """The `[adjudication]` rules as `store.disputes.Rules` (claims and submits use them)."""
        from store.disputes import Rules

        return Rules.from_config(self.data["adjudication"])

    @property
    def steps(self) -> list[str]:
        order = LIST_CHOICES[("comparison", "steps")]
        return [s for s in order if s in self.data["comparison"]["steps"]]


def _type_name(value: Any) -> str:
    return {bool: "true/false", int: "an integer", float: "a number", str: "a string",
            list: "a list", dict: "a table"}.get(type(value), type(value).__name__)


def _check(path: Path, section: str, key: str, value: Any, default: Any) -> Any:
    where = f"{path}: {section}.{key}"
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, type(default))
    if not ok:
        raise ConfigError(f"{where}: must be {_type_name(default)}, not {value!r}")
    if isinstance(default, int) and not isinstance(default, bool) and value < 0:
        raise ConfigError(f"{where}: must not be negative")
    allowed = CHOICES.get((section, key))
    if allowed and value not in allowed:
        raise ConfigError(f"{where}: must be one of {', '.join(allowed)}")
    allowed_in_list = LIST_CHOICES.get((section, key))
    if allowed_in_list:
        for v in value:
            if v not in allowed_in_list:
                raise ConfigError(f"{where}: {v!r} is not one of {', '.join(allowed_in_list)}")
    return value


def read_toml(path: Path, what: str = "config") -> dict[str, Any]:
    """A TOML file's tables, or a ConfigError saying `file: problem` (the line for bad TOML)."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read {what} ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc})") from exc


def load_config(path: str | Path | None) -> Config:
    config = Config(path=Path(path) if path else None)
    if path is None:
        return config
    path = Path(path)
    raw = read_toml(path)
    for section, values in raw.items():
        if section not in DEFAULTS:
            raise ConfigError(f"{path}: {section}: unknown section (known: {', '.join(DEFAULTS)})")
        if not isinstance(values, dict):
            raise ConfigError(f"{path}: {section}: must be a table")
        for key, value in values.items():
            if section in FREE_SECTIONS:
                if not isinstance(value, str):
                    raise ConfigError(f"{path}: {section}.{key}: must be a string")
                config.data[section][key] = value
                continue
            if key not in DEFAULTS[section]:
                raise ConfigError(f"{path}: {section}.{key}: unknown key")
            config.data[section][key] = _check(path, section, key, value, DEFAULTS[section][key])
    _check_adjudication(path, config.data["adjudication"])
    _check_export(path, config.data["export"])
    config.quality_policy()  # [quality] shares and per-kind rates: refused here, not mid-shift
    return config


def _check_adjudication(path: Path, section: dict[str, Any]) -> None:
    """The dispute rules' ranges and field names (`task.field`), so a typo is an error at start,
    not a rule that silently never fires."""
    if not 0 <= section["ranking_agreement"] <= 1:
        raise ConfigError(f"{path}: adjudication.ranking_agreement: must be between 0 and 1")
    if section["rating_spread"] < 1:
        raise ConfigError(f"{path}: adjudication.rating_spread: must be at least 1")
    for name in section["sensitive_fields"]:
        task, dot, field_name = str(name).partition(".")
        if not dot or not task or not field_name:
            raise ConfigError(f"{path}: adjudication.sensitive_fields: {name!r} is not task.field "
                              "(e.g. output.violent)")



def _check_export(path: Path, section: dict[str, Any]) -> None:
    """A margin TRL can subtract (finite, not negative: TOML allows inf and nan) and KTO
    thresholds that leave no rating both good and bad."""
    margin = section["gold_margin"]
    if not math.isfinite(margin) or margin < 0:
        raise ConfigError(f"{path}: export.gold_margin: must be a finite number, 0 or more, not {margin!r}")
    if section["kto_bad_rating"] >= section["kto_good_rating"]:
        raise ConfigError(f"{path}: export.kto_bad_rating: must be below export.kto_good_rating "
                          f"({section['kto_bad_rating']} is not below {section['kto_good_rating']})")
