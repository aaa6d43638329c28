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
"""

from __future__ import annotations

from collections import defaultdict

from textual.app import ComposeResult
from textual.widgets import Footer as _TextualFooter
from textual.widgets._footer import FooterKey

# Most important first: finish the step, answer a question, the step's own editing keys,
# skip and flag, the way back, help (which lists every key), quit.
IMPORTANCE: tuple[str, ...] = (
    "comparison.finish_step", "ranking.submit", "toxicity.submit", "writing.submit",
    "quiz.save", "quiz.begin", "survey.submit", "demo_scoring.submit", "flags.submit",
    "home.start", "confirm.yes", "confirm.no", "quiz.confirm_yes", "quiz.confirm_no",
    "flags.yes", "flags.no", "ranking.tie", "ranking.backspace", "ranking.move",
    "ranking.move_up", "ranking.move_down", "ranking.move_done", "comparison.skip_cancel",
    "skip.cancel", "comparison.skip", "ranking.skip", "writing.skip", "toxicity.skip",
    "comparison.flag", "ranking.flag", "quiz.next", "quiz.prev", "toxicity.prev",
    "toxicity.next", "work.home", "quiz.home", "survey.back", "help.close", "stats.home",
    "help.search", "stats.refresh", "app.guidelines", "app.quit",
)
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
                  binding.action, not enabled, tooltip), "")
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
        self.styles.grid_size_columns = sum(1 for _, classes in keys if not classes)
        for (key, display, description, action, disabled, tooltip), classes in keys:
            footer_key = FooterKey(key, display, description, action, disabled=disabled,
                                   tooltip=tooltip, classes=classes)
            yield footer_key if classes else footer_key.data_bind(compact=Footer.compact)

    def on_resize(self) -> None:
        self.call_after_refresh(self._hide_cut_keys)

    def _hide_cut_keys(self) -> None:
        """A key that does not fit whole is not drawn half ("f3 Copy an"): F1 lists it."""
        keys = list(self.query(FooterKey))
        palette = [k for k in keys if k.has_class("-command-palette")]
        limit = palette[0].region.x if palette else self.region.right
        for key in keys:
            if not key.has_class("-command-palette"):
                key.visible = key.region.right <= limit

    async def recompose(self) -> None:
        # Bindings "change" on every focus move (each step, each task), mostly to the same
        # keys: rebuilding identical keys costs ~10 ms of CPU a time, so only a change does.
        # (A footer being removed with its screen is left to Textual, which skips it.)
        if self.is_attached and not self._pruning and self._keys() == getattr(self, "_composed", None):
            return
        await super().recompose()
        self.call_after_refresh(self._hide_cut_keys)
        # Textual keeps watchers in the instance attribute "__watchers" (see reactive._watch).
        for watchers in getattr(self, "__watchers", {}).values():
            watchers[:] = [(node, callback) for node, callback in watchers if not node._closing]
