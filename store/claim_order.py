"""In what order open tasks reach a labeler: a window of the oldest, in a per-claim random order.

Handing out strictly in import order lets a labeler predict the next item, so anything served
out of that order (a hidden gold check) would stand out. Instead each claim looks at the
`window` oldest open tasks it could take and tries them in an order drawn for this labeler and
this claim (`claim_draw`); past the window, oldest first again. `window = 1` is strict oldest
first. The cost in fairness and age is in docs/deployment.md ("Hidden gold checks").
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # annotations only: the app starts without loading sqlite-utils (store/db.py)
    import sqlite_utils

T = TypeVar("T")

DEFAULT_WINDOW = 20


def claim_draw(db: sqlite_utils.Database, labeler: str) -> int:
    """This claim's number among the labeler's claims (their assignments so far): with the
    labeler's name it seeds every random choice of the claim, so a run can be replayed."""
    return int(db.execute("SELECT count(*) FROM assignments WHERE labeler = ?",
                          [labeler]).fetchone()[0])


def draw_rng(purpose: str, labeler: str, draw: int) -> random.Random:
    # Stable across runs and processes (no hash randomisation): sha256 of the inputs.
    # here, not at the top: hashlib (OpenSSL, ~1 ms) stays off the app's start-up
    import hashlib

    digest = hashlib.sha256(f"{purpose}:{labeler}:{draw}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def window_order(rows: Iterable[T], window: int, rng: random.Random) -> Iterator[T]:
    """`rows` (oldest first): the first `window` of them shuffled by `rng`, then the rest as
    they come. Reads no further than it is asked (the caller stops at the first task it takes)."""
    rows = iter(rows)
    head = list(islice(rows, max(1, window)))
    rng.shuffle(head)
    yield from head
    yield from rows
