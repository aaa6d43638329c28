"""What used to grow with every task in a real terminal is bounded: SQLite's page cache of the
session's connection, and rich's cache of text widths (docs/performance.md, Memory)."""

from __future__ import annotations

from rich.cells import cached_cell_len

from store.db import APP_PAGE_CACHE_KIB
from tests.conftest import press_settled
from tui.text_widths import LIMIT


async def test_the_sessions_page_cache_is_small(make_app):
    app = make_app("alice")
    async with app.run_test(size=(80, 24)):
        assert app.db.execute("PRAGMA cache_size").fetchone()[0] == -APP_PAGE_CACHE_KIB
        assert APP_PAGE_CACHE_KIB < 2000  # SQLite's default, which filled over a day's tasks


async def test_text_widths_drawn_for_earlier_tasks_are_let_go(make_app):
    app = make_app("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        for n in range(LIMIT + 100):  # lines of outputs long gone, as a day of tasks leaves
            cached_cell_len(f"an output line of an earlier task, number {n}")
        assert cached_cell_len.cache_info().currsize > LIMIT
        await press_settled(pilot, "c")  # the next key the labeler types
        assert cached_cell_len.cache_info().currsize <= LIMIT
        assert app.screen.query_one("#prompt-title") is not None  # and it drew its screen
