"""Textual's Footer without its leak, its keys in order of importance; every screen uses it.

Textual 8.2.8's Footer recomposes its keys whenever the bindings change (a screen push or pop,
`refresh_bindings()`), and binds each new key's `compact` to the footer with `data_bind`. That
leaves a watcher on the footer per key, which Textual prunes only when `compact` changes — it
never does — so every key ever shown stays alive: ~0.1 MiB a recompose, 15 MiB per 100 tasks
on a screen that refreshes its bindings per task (bench_memory). After each recompose the
watchers of removed keys are dropped here, the way Textual itself drops them.

Textual lists keys in the order the bindings are found, so at 80 columns the keys that finish
a step or skip a task fell off the right edge. Here they come in the order of `IMPORTANCE`
(binding ids; unknown ids after, in their own order); what does not fit is listed by F1.
Help and Quit (`ESSENTIAL`) are shown wherever the footer can hold them: to make room, the
palette key goes first (F1 lists ctrl+p too), then the least important keys.
"""

from __future__ import annotations

from collections import defaultdict

from textual.app import ComposeResult
from textual.widgets import Footer as _TextualFooter

# Private (Textual exports Footer, not its keys): our Footer yields the same keys in another
# order. tests/test_textual_private.py checks its name and signature.
from textual.widgets._footer import FooterKey

# Most important first: finish the step, answer a question, the step's own editing keys,
# skip and flag, the way back, the extras, help (which lists every key), quit.
# tests/screens/test_footer.py checks every key a footer can show is here.
IMPORTANCE: tuple[str, ...] = (
    "comparison.finish_step", "ranking.submit", "toxicity.submit", "writing.submit",
    "quiz.save", "quiz.begin", "quiz.take_over", "survey.submit", "demo_scoring.submit", "flags.submit",
    "adjudication.decide", "dashboard.misses",
    "home.start", "confirm.yes", "confirm.no", "flags.yes", "flags.no", "scale.clear",
    "ranking.tie", "ranking.backspace", "ranking.move", "ranking.move_up", "ranking.move_down",
    "ranking.move_done", "adjudication.consensus", "adjudication.reason",
    "adjudication.update", "dashboard.sort", "dashboard.reverse", "dashboard.resume",
    "skip.cancel", "work.skip",
    "comparison.flag", "ranking.flag", "quiz.next", "quiz.prev", "toxicity.prev",
    "toxicity.next", "work.home", "adjudication.home", "dashboard.home", "misses.back",
    "help.close", "stats.home", "help.search", "stats.refresh", "dashboard.refresh",
    "ranking.undo", "ranking.reset", "ranking.rules", "writing.copy_prompt",
    "writing.copy_answer", "safe_text.next_part", "safe_text.prev_part",
    "app.guidelines", "app.quit",
)
ESSENTIAL = frozenset({"app.guidelines", "app.quit"})
_RANK = {binding_id: n for n, binding_id in enumerate(IMPORTANCE)}


class Footer(_TextualFooter):
    def __init__(self, *children, compact: bool = True, **kwargs) -> None:
        # Compact by default: two more keys fit at 80 columns.
        super().__init__(*children, compact=compact, **kwargs)

    def _keys(self) -> list[tuple[tuple[str, str, str, str, bool, str], str]]:
        """What the footer shows, in order: ((key, display, description, action, disabled,
        tooltip), classes) for each key."""
        if not self._bindings_ready:
            return []
        active = self.screen.active_bindings
        by_action: defaultdict[str, list] = defaultdict(list)
        for _, binding, enabled, tooltip in active.values():
            if binding.show:
                by_action[binding.action].append((binding, enabled, tooltip))
        shown = sorted(by_action.values(),
                       key=lambda found: _RANK.get(found[0][0].id or "", len(_RANK)))
        keys = [((binding.key, self.app.get_key_display(binding), binding.description,
                  binding.action, not enabled, tooltip),
                 "-essential" if binding.id in ESSENTIAL else "")
                for binding, enabled, tooltip in (found[0] for found in shown)]
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            found = active.get(self.app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _, binding, enabled, _tooltip = found
                keys.append(((binding.key, self.app.get_key_display(binding),
                              binding.description, binding.action, not enabled,
                              binding.tooltip or binding.description), "-command-palette"))
        return keys

    def compose(self) -> ComposeResult:
        keys = self._keys()
        self._composed = keys
        palette = "-command-palette"
        self.styles.grid_size_columns = sum(1 for _, classes in keys if classes != palette)
        for (key, display, description, action, disabled, tooltip), classes in keys:
            footer_key = FooterKey(key, display, description, action, disabled=disabled,
                                   tooltip=tooltip, classes=classes)
            yield footer_key if classes == palette else footer_key.data_bind(compact=Footer.compact)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_keys)

    def _fit_keys(self) -> None:
        """Help and Quit where they fit (the palette key, then the least important keys make
        room); a key that does not fit whole is not drawn half ("f3 Copy an"): F1 lists it."""
        keys = list(self.query(FooterKey))
        palette = next((k for k in keys if k.has_class("-command-palette")), None)
        keys = [k for k in keys if k is not palette]
        width = self.size.width
        if not width:
            return
        # Widths from the keys' content and styles, not their regions: a key past the edge has
        # none. The last key's right margin may fall off the edge.
        span = [self._outer_width(k) for k in keys]
        room = width - (self._outer_width(palette) if palette else 0) + 1
        kept = list(range(len(keys)))
        if sum(span) > room and any(k.has_class("-essential") for k in keys):
            room = width
            if palette is not None:
                palette.display = False
            for i in reversed(range(len(keys))):
                if sum(span[j] for j in kept) <= room:
                    break
                if not keys[i].has_class("-essential"):
                    kept.remove(i)
        elif palette is not None:
            palette.display = True
        right = 0
        for i, key in enumerate(keys):
            key.display = i in kept
            if i in kept:
                right += span[i]
                key.visible = right <= room

    def _outer_width(self, key: FooterKey) -> int:
        """Columns `key` takes in the row: content, border and padding, margins."""
        styles = key.styles
        return (key.get_content_width(self.size, self.app.size) + styles.gutter.width
                + styles.margin.width)

    async def recompose(self) -> None:
        # Bindings "change" on every focus move (each step, each task), mostly to the same
        # keys: rebuilding identical keys costs ~10 ms of CPU a time, so only a change does.
        # (A footer being removed with its screen is left to Textual, which skips it.)
        if self.is_attached and not self._pruning and self._keys() == getattr(self, "_composed", None):
            return
        await super().recompose()
        self.call_after_refresh(self._fit_keys)
        # Textual keeps watchers in the instance attribute "__watchers" (see reactive._watch).
        for watchers in getattr(self, "__watchers", {}).values():
            watchers[:] = [(node, callback) for node, callback in watchers if not node._closing]
