"""The `[quality]` settings as one value the store can be handed (it never reads config files).

0 turns off `gold_rate`, `pause_below` and `fast_warn_share`; `gold_repeat_days = 0` means a
labeler never sees the same gold item twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from store.errors import StoreError

# Kinds of work with gold to check against (writing has no gold answer; scoring is researchers').
GOLD_KINDS = ("comparison", "instruction", "toxicity")


@dataclass(frozen=True)
class QualityPolicy:
    gold_rate: float = 0.05
    gold_rate_by_kind: dict[str, float] = field(default_factory=dict)
    gold_repeat_days: int = 0
    idle_seconds: float = 120.0
    fast_fraction: float = 0.25
    fast_min_tasks: int = 10
    fast_warn_share: float = 0.2
    warn_below: float = 0.70
    pause_below: float = 0.0
    min_gold: int = 10
    require_screening: bool = False
    screening_thresholds: dict[str, float] = field(default_factory=dict)  # config [screening]

    def __post_init__(self) -> None:
        shares = {"gold_rate": self.gold_rate, "fast_fraction": self.fast_fraction,
                  "fast_warn_share": self.fast_warn_share, "warn_below": self.warn_below,
                  "pause_below": self.pause_below}
        shares.update({f"gold_rate_by_kind.{k}": v for k, v in self.gold_rate_by_kind.items()})
        for kind in self.gold_rate_by_kind:
            if kind not in GOLD_KINDS:
                raise StoreError(f"[quality] gold_rate_by_kind.{kind}: not a kind of work with "
                                 f"gold checks ({', '.join(GOLD_KINDS)})")
        for name, value in shares.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise StoreError(f"[quality] {name}: must be a number from 0 to 1, not {value!r}")

    @classmethod
    def from_config(cls, section: dict[str, Any], screening: dict[str, float] | None = None
                    ) -> QualityPolicy:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in section.items() if k in known}
        return cls(**values, screening_thresholds=dict(screening or {}))

    def rate(self, kind: str) -> float:
        return float(self.gold_rate_by_kind.get(kind, self.gold_rate))
