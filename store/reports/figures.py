"""How a report writes a figure: rounded to DIGITS places, its 95% interval beside it as
`<name>_ci95` (and its bootstrap standard error as `<name>_se` where one is printed).
`labeldesk agreement` and `labeldesk quality` both write through here, so their documents
round and name alike; their tables and the dashboard show a figure through `shown` and
`shown_ci`, so they print alike. No numpy here: the quality report imports it on the app's
paths."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

DIGITS = 4


def rounded(x: float | None) -> float | None:
    return None if x is None else round(x, DIGITS)


def rounded_ci(ci: tuple[float, float] | None) -> list[float] | None:
    return None if ci is None else [round(ci[0], DIGITS), round(ci[1], DIGITS)]


def shown(value: float | None, digits: int = 2) -> str:
    """A figure in a table: `digits` places, `—` where there is none."""
    return "—" if value is None else f"{value:.{digits}f}"


def shown_ci(ci: Sequence[float] | None) -> str:
    """A 95% interval in a table (`0.61–0.83`); empty where there is none."""
    return f"{ci[0]:.2f}–{ci[1]:.2f}" if ci else ""


def figure(name: str, value: float | None, ci95: tuple[float, float] | None,
           *, se: float | None = None, with_se: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {name: rounded(value), f"{name}_ci95": rounded_ci(ci95)}
    if with_se:
        out[f"{name}_se"] = rounded(se)
    return out
