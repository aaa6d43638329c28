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

from store.claim_order import DEFAULT_WINDOW
from store.errors import StoreError
from store.strength import STRENGTH_MARGINS

if TYPE_CHECKING:
    from store.disputes import Rules
    from store.quality.policy import QualityPolicy

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
    # window: claims draw from this many of the oldest open tasks, in an order drawn per claim
    # (store/claim_order.py; 1 = strictly oldest first; docs/deployment.md, hidden gold).
    "queue": {"lease_minutes": 60, "window": DEFAULT_WINDOW},
    "comparison": {
        "steps": ["instruction", "scores", "ranking"],
        "priority": "helpfulness",
        "advance_after_rating": True,
        # After the ranking, one strength level per boundary between consecutive groups
        # (screens/widgets/ranking/strength_panel.py); off by default, on in the bundled demo.
        "strength": False,
        # A one-line reason for the ranking: "off", "optional", or "close" (asked, and required,
        # only when the call is close: the top two tied, a boundary at the weakest level, or the
        # ranking against the labeler's own ratings).
        "reason": "off",
        # Preference strength per ranking boundary (Llama 2, Touvron et al. 2023, §3.2.1): the
        # levels a `ranking.strength` label names, strongest first, and the margin `export
        # pairs` gives each (docs/exports.md).
        "strength_levels": list(STRENGTH_MARGINS),
        "strength_margins": list(STRENGTH_MARGINS.values()),
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
        "strength_gap": 2,
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
# `[comparison]` keys the bundled demo turns on where the config file does not set them.
DEMO = {"strength": True, "reason": "optional"}
# Ranges a number must fall in (inclusive; None: open), checked when the file is loaded so a
# bad value is one line at start, not a crash when the screen that reads it opens.
RANGES: dict[tuple[str, str], tuple[float | None, float | None]] = {
    **{("overlap", kind): (1, None) for kind in DEFAULTS["overlap"]},
    ("queue", "lease_minutes"): (1, None),
    ("queue", "window"): (1, 1000),
    ("rules", "prefix_chars"): (1, None),
    ("rules", "user_cap"): (1, None),
    ("screening", "flag_agreement"): (0, 1),
    ("screening", "comparison_agreement"): (0, 1),
    ("screening", "demonstration_score"): (1, 7),
    **{("web", key): (1, None) for key in ("max_width", "max_height", "max_sessions",
                                            "max_sessions_per_labeler", "idle_minutes")},
}
# What the items of a list (or the values of a table) must be where the default has none to
# copy the type from.
ITEM_TYPES: dict[tuple[str, str], type] = {
    ("surveys", "extra_statements"): str,
    ("web", "origins"): str,
    ("rules", "splits"): float,
}
NONEMPTY = {("comparison", "steps")}
# Keys with a check of their own (_check_strength, _check_export, QualityPolicy), whose
# messages say more than the generic ones.
OWN_CHECKS = {("comparison", "strength_levels"), ("comparison", "strength_margins"),
              ("export", "gold_margin"), ("quality", "gold_rate_by_kind")}
# A config or keys file is a few KB; these bounds keep a hostile or broken one from taking
# the start-up with it (300,000 remapped keys took 20-40 s; 2,000 nested arrays overflowed).
MAX_BYTES = 256 * 1024
MAX_DEPTH = 8
MAX_KEYS = 500
CHOICES = {
    ("comparison", "priority"): ("helpfulness", "truthful_harmless"),
    ("comparison", "reason"): ("off", "optional", "close"),
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
    given: dict[str, set[str]] = field(default_factory=dict)  # the keys the file sets

    def __getitem__(self, section: str) -> dict[str, Any]:
        return self.data[section]

    def overlap(self, kind: str) -> int:
        return int(self.data["overlap"].get(kind, 1))

    @property
    def lease_seconds(self) -> int:
        return int(self.data["queue"]["lease_minutes"] * 60)

    @property
    def window(self) -> int:
        return int(self.data["queue"]["window"])

    def quality_policy(self) -> QualityPolicy:
        """The `[quality]` section (with `[screening]` thresholds) for the store."""
        # here, not at the top: every command starts (`labeldesk --help` too) without opening a database (tests/test_import_hygiene.py)
        from store.quality.policy import QualityPolicy

        try:
            return QualityPolicy.from_config(self.data["quality"], self.data["screening"])
        except StoreError as exc:
            raise ConfigError(f"{self.path or 'config'}: {exc}") from None

    @property
    def escalation(self) -> Rules:
        """The `[adjudication]` rules as `store.disputes.Rules` (claims and submits use them)."""
        # here, not at the top: every command starts (`labeldesk --help` too) without opening a database (tests/test_import_hygiene.py)
        from store.disputes import Rules

        return Rules.from_config(self.data["adjudication"], self.data["comparison"]["strength_levels"])

    def for_demo(self) -> None:
        """The bundled demo shows what a project can turn on: strength and reasons are asked
        unless the config file says otherwise."""
        for key, value in DEMO.items():
            if key not in self.given.get("comparison", set()):
                self.data["comparison"][key] = value

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
    if (section, key) in OWN_CHECKS:
        return value
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{where}: must be a finite number, not {value!r}")
    if isinstance(default, int) and not isinstance(default, bool) and value < 0:
        raise ConfigError(f"{where}: must not be negative")
    low, high = RANGES.get((section, key), (None, None))
    if (low is not None and value < low) or (high is not None and value > high):
        span = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise ConfigError(f"{where}: must be {span}, not {value!r}")
    if isinstance(default, (list, dict)):
        _check_items(where, (section, key), value, default)
    allowed = CHOICES.get((section, key))
    if allowed and value not in allowed:
        raise ConfigError(f"{where}: must be one of {', '.join(allowed)}")
    allowed_in_list = LIST_CHOICES.get((section, key))
    if allowed_in_list:
        for v in value:
            if v not in allowed_in_list:
                raise ConfigError(f"{where}: {v!r} is not one of {', '.join(allowed_in_list)}")
    return value


def _check_items(where: str, name: tuple[str, str], value: Any, default: Any) -> None:
    """Each item of a list (or value of a table) of the type the default's items have."""
    items = list(value.values() if isinstance(value, dict) else value)
    if name in NONEMPTY and not items:
        raise ConfigError(f"{where}: must list at least one")
    if isinstance(value, list) and name in NONEMPTY | LIST_CHOICES.keys() and len(set(
            map(repr, items))) != len(items):
        raise ConfigError(f"{where}: names an item twice")
    sample = list(default.values() if isinstance(default, dict) else default)
    kind = ITEM_TYPES.get(name) or (type(sample[0]) if sample else None)
    if kind is None:
        return
    labels = list(value) if isinstance(value, dict) else [f"item {n + 1}" for n in range(len(items))]
    for label, item in zip(labels, items, strict=True):
        if kind is float:
            ok = isinstance(item, (int, float)) and not isinstance(item, bool) and math.isfinite(item)
        else:
            ok = isinstance(item, kind) and not (kind is int and isinstance(item, bool))
        if not ok:
            raise ConfigError(f"{where}: {label} must be {_type_name(kind())}, not {item!r}")


def _depth(value: Any) -> int:
    """How deeply tables and arrays nest in `value` (iterative: no recursion to overflow)."""
    deepest, todo = 0, [(value, 0)]
    while todo:
        node, level = todo.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            break
        if isinstance(node, dict):
            todo.extend((v, level + 1) for v in node.values())
        elif isinstance(node, list):
            todo.extend((v, level + 1) for v in node)
    return deepest


def read_toml(path: Path, what: str = "config") -> dict[str, Any]:
    """A TOML file's tables, or a ConfigError saying `file: problem` (the line for bad TOML).
    A file larger than MAX_BYTES or nested deeper than MAX_DEPTH is refused unread."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ConfigError(f"{path}: {size} bytes, larger than a {what} file can be "
                              f"({MAX_BYTES // 1024} KiB)")
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read {what} ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc})") from exc
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply (at most {MAX_DEPTH} levels)") from None
    if _depth(data) > MAX_DEPTH:
        raise ConfigError(f"{path}: nested too deeply (at most {MAX_DEPTH} levels)")
    return data


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
        if section in FREE_SECTIONS and len(values) > MAX_KEYS:
            raise ConfigError(f"{path}: {section}: {len(values)} entries, more than {MAX_KEYS}")
        for key, value in values.items():
            if section in FREE_SECTIONS:
                if not isinstance(value, str):
                    raise ConfigError(f"{path}: {section}.{key}: must be a string")
                config.data[section][key] = value
                continue
            if key not in DEFAULTS[section]:
                raise ConfigError(f"{path}: {section}.{key}: unknown key")
            config.data[section][key] = _check(path, section, key, value, DEFAULTS[section][key])
            config.given.setdefault(section, set()).add(key)
    _check_adjudication(path, config.data["adjudication"])
    _check_export(path, config.data["export"])
    _check_strength(path, config.data["comparison"])
    config.quality_policy()  # [quality] shares and per-kind rates: refused here, not mid-shift
    return config


def _check_adjudication(path: Path, section: dict[str, Any]) -> None:
    """The dispute rules' ranges and field names (`task.field`), so a typo is an error at start,
    not a rule that silently never fires."""
    if not 0 <= section["ranking_agreement"] <= 1:
        raise ConfigError(f"{path}: adjudication.ranking_agreement: must be between 0 and 1")
    if section["rating_spread"] < 1:
        raise ConfigError(f"{path}: adjudication.rating_spread: must be at least 1")
    if section["strength_gap"] < 1:
        raise ConfigError(f"{path}: adjudication.strength_gap: must be at least 1 (levels apart)")
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


def _check_strength(path: Path, section: dict[str, Any]) -> None:
    """Levels a labeler can tell apart by one key each (2 to 9, distinct, strongest first) and a
    margin for each: finite, 0 or more, never growing as the levels weaken."""
    levels, margins = section["strength_levels"], section["strength_margins"]
    where = f"{path}: comparison.strength_levels"
    if not 2 <= len(levels) <= 9:
        raise ConfigError(f"{where}: must list 2 to 9 levels, not {len(levels)}")
    for level in levels:
        if not isinstance(level, str) or not level.strip():
            raise ConfigError(f"{where}: {level!r} is not a level name (a non-empty string)")
    if len(set(levels)) != len(levels):
        raise ConfigError(f"{where}: names a level twice")
    where = f"{path}: comparison.strength_margins"
    if len(margins) != len(levels):
        raise ConfigError(f"{where}: must give one margin per level ({len(levels)}), not {len(margins)}")
    for margin in margins:
        if isinstance(margin, bool) or not isinstance(margin, (int, float)) or not math.isfinite(margin) or margin < 0:
            raise ConfigError(f"{where}: {margin!r} is not a finite number, 0 or more")
    if any(a < b for a, b in zip(margins, margins[1:], strict=False)):
        raise ConfigError(f"{where}: must not grow from the strongest level to the weakest")
