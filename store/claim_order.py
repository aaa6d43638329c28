"""In what order open tasks reach a labeler: a window of the oldest, in a per-claim random order.

Handing out strictly in import order lets a labeler predict the next item, so anything served
out of that order (a hidden gold check) would stand out. Instead each claim looks at the
`window` oldest open tasks it could take and tries them in an order drawn for this labeler and
this claim (`claim_draw`); past the window, oldest first again. `window = 1` is strict oldest
first. The cost in fairness and age is in docs/deployment.md ("Hidden gold checks").

Every draw of a claim (the window's order, whether a hidden gold check is due, which gold
item) is a SHA-256 of a seed `<purpose>:<labeler>:<claim number>`, never a random generator:
PostgreSQL's claim function computes the same draws on the server (`sha256()`, built in since
PostgreSQL 11; store/server_claims_window.py), so a claim there stays one round trip.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # annotations only: the app starts without loading sqlite-utils (store/db.py)
    import sqlite_utils

T = TypeVar("T")

DEFAULT_WINDOW = 20
FRACTION_BITS = 48  # a draw in [0, 1): the seed's SHA-256, first 48 bits (exact in a double)


def claim_draw(db: sqlite_utils.Database, labeler: str) -> int:
    """This claim's number among the labeler's claims (their assignments so far): with the
    labeler's name it seeds every draw of the claim, so a run can be replayed."""
    return int(db.execute("SELECT count(*) FROM assignments WHERE labeler = ?",
                          [labeler]).fetchone()[0])


def draw_seed(purpose: str, labeler: str, draw: int) -> str:
    """The seed of one kind of draw ("order", "gold") of the labeler's claim number `draw`
    (SQL: `purpose || ':' || labeler || ':' || draw`)."""
    return f"{purpose}:{labeler}:{draw}"


def hash_key(seed: str, id_: object) -> bytes:
    """Where `id_` falls in the order `seed` fixes: SHA-256 of `<seed>/<id>`, compared as bytes
    (SQL: `sha256(convert_to(seed || '/' || id, 'UTF8'))`). Sorting by it is a uniform random
    permutation, stable across runs and processes."""
    # here, not at the top: hashlib (OpenSSL's, ~1 ms) stays off the app's start-up, which
    # imports this module for DEFAULT_WINDOW (tui/config.py)
    import hashlib

    return hashlib.sha256(f"{seed}/{id_}".encode()).digest()


def draw_fraction(seed: str) -> float:
    """A uniform draw in [0, 1) fixed by `seed` (SQL: the first 6 bytes of `sha256(seed)` as a
    48-bit integer over 2^48, exact in both languages' doubles)."""
    # here, not at the top: as in hash_key
    import hashlib

    head = hashlib.sha256(seed.encode()).digest()[:FRACTION_BITS // 8]
    return int.from_bytes(head, "big") / float(1 << FRACTION_BITS)


def _first(row: Any) -> object:
    return row[0]


def window_order(rows: Iterable[T], window: int, seed: str,
                 key: Callable[[T], object] = _first) -> Iterator[T]:
    """`rows` (oldest first): the first `window` of them in `seed`'s order (by `hash_key` of
    each row's id, `key`), then the rest as they come. Reads no further than it is asked (the
    caller stops at the first task it takes)."""
    rows = iter(rows)
    head = list(islice(rows, max(1, window)))
    head.sort(key=lambda r: (hash_key(seed, key(r)), key(r)))
    yield from head
    yield from rows
