"""Textual's Footer without its leak; every screen uses this one.

Textual 8.2.8's Footer recomposes its keys whenever the bindings change (a screen push or pop,
`refresh_bindings()`), and binds each new key's `compact` to the footer with `data_bind`. That
leaves a watcher on the footer per key, which Textual prunes only when `compact` changes — it
never does — so every key ever shown stays alive: ~0.1 MiB a recompose, 15 MiB per 100 tasks
on a screen that refreshes its bindings per task (bench_memory). After each recompose the
watchers of removed keys are dropped here, the way Textual itself drops them.
"""

from __future__ import annotations

from textual.widgets import Footer as _TextualFooter


class Footer(_TextualFooter):
    async def recompose(self) -> None:
        await super().recompose()
        # Textual keeps watchers in the instance attribute "__watchers" (see reactive._watch).
        for watchers in getattr(self, "__watchers", {}).values():
            watchers[:] = [(node, callback) for node, callback in watchers if not node._closing]
