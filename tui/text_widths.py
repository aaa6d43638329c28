"""rich's cache of text widths, kept small.

rich caches the cell width of every string it measures under 512 characters, up to 4,096 of
them (`rich.cells.cached_cell_len`; Textual measures through it too, every line it draws). A
labeler's session draws new lines with every task (the next prompt and outputs), so the cache
filled over the first few hundred tasks with ~2 MiB of text never measured again: most of what
a session grew by in a real terminal (`bench_memory.pty_growth`, tracemalloc snapshots every 50
tasks). `trim()` empties it once it holds more than `LIMIT` strings; what is drawn again (the
footer, titles) is measured once more, microseconds each.
"""

from __future__ import annotations

LIMIT = 1024


def trim() -> None:
    from rich.cells import cached_cell_len

    if cached_cell_len.cache_info().currsize > LIMIT:
        cached_cell_len.cache_clear()
