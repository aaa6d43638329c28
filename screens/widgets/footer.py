"""Textual's Footer without its leak and its rebuilds, its keys in order of importance; every
screen uses it.

Textual 8.2.8's Footer recomposes its keys whenever the bindings change (a screen push or pop,
a focus move, `refresh_bindings()`): it removes every key, mounts new ones and binds each
one's `compact` to the footer with `data_bind`. That leaves a watcher on the footer per key,
which Textual prunes only when `compact` changes — it never does — so every key ever shown
stayed alive (~0.1 MiB a recompose, 15 MiB per 100 tasks on a screen that refreshes its
bindings per task: bench_memory), and each rebuild restyled a dozen new widgets (~40 ms of CPU
per step change of the comparison screen: bench_key_cpu). Here the keys are bound to nothing
and a change of keys rewrites the keys already mounted, mounting or removing only the
difference.

A work screen alternates between a few sets of keys (the scores step's, the ranking step's),
so the footer keeps each set it showed, up to `SETS`, in a `KeySet` row of its own, and a
change to a set it holds only swaps which row is displayed: the keys are not rewritten,
re-measured or redrawn, and their sizes do not change (which cost a second layout pass per
step change). A set it does not hold is written into the least recently shown row.

Textual lists keys in the order the bindings are found, so at 80 columns the keys that finish
a step or skip a task fell off the right edge. Here they come in the order of `IMPORTANCE`
(binding ids; unknown ids after, in their own order); what does not fit is listed by F1.
Help and Quit (`ESSENTIAL`) are shown wherever the footer can hold them: to make room, the
palette key goes first (F1 lists ctrl+p too), then the least important keys.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widget import Widget
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
    "strength.accept", "reason.submit",
    "ranking.tie", "ranking.backspace", "ranking.move", "ranking.move_up", "ranking.move_down",
    "ranking.move_done", "strength.back", "reason.back", "adjudication.consensus", "adjudication.reason",
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
_PALETTE = "-command-palette"
_RANK = {binding_id: n for n, binding_id in enumerate(IMPORTANCE)}
SETS = 3
"""Sets of keys a footer keeps mounted: a screen's steps swap between them."""

KeySpec = tuple[tuple[str, str, str, str, bool, str], str]


class KeySet(Horizontal):
    """One set of keys in a row the footer's width; the footer displays one set at a time."""

    DEFAULT_CSS = "KeySet { height: 1; }"

    def __init__(self, keys: list[KeySpec], *children: FooterKey) -> None:
        super().__init__(*children)
        self.keys = keys
        self.fitted_width = 0  # the footer width the keys were fitted to (`Footer._fit_keys`)
        self.shown_at = 0  # when it was last shown: the least recent is written over

    def on_mount(self) -> None:
        # Mounted after the footer chose another set (keys changed while it was on its way).
        footer = self.parent
        if isinstance(footer, Footer) and footer.key_set() is not self:
            self.display = False


class Footer(_TextualFooter):
    def __init__(self, *children: Widget, compact: bool = True, **kwargs: Any) -> None:
        # Compact by default: two more keys fit at 80 columns.
        super().__init__(*children, compact=compact, **kwargs)

    def _keys(self) -> list[tuple[tuple[str, str, str, str, bool, str], str]]:
        """What the footer shows, in order: ((key, display, description, action, disabled,
        tooltip), classes) for each key."""
        if not self._bindings_ready:
            return []
        active = self.screen.active_bindings
        by_action: defaultdict[str, list[Any]] = defaultdict(list)
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
                              binding.tooltip or binding.description), _PALETTE))
        return keys

    _shown: KeySet | None = None
    _shown_count = 0

    def compose(self) -> ComposeResult:
        keys = self._keys()
        key_set = KeySet(keys, *(self._new_key(spec, classes) for spec, classes in keys))
        self._show_set(key_set, [])
        yield key_set

    def _new_key(self, spec: tuple[str, str, str, str, bool, str], classes: str) -> FooterKey:
        """A key drawn compact or not as the footer is. Not `data_bind`: Textual 8.2.8 keeps a
        data-bound key alive through its watcher after the key is gone (see the module doc),
        and its first watch restyles each key on its own; the footer's `compact` is fixed."""
        key, display, description, action, disabled, tooltip = spec
        footer_key = FooterKey(key, display, description, action, disabled=disabled,
                               tooltip=tooltip, classes=f"{classes} -compact" if self.compact else classes)
        footer_key.set_reactive(FooterKey.compact, self.compact)
        return footer_key

    def bindings_changed(self, screen: Screen[Any]) -> None:
        """Textual recomposes after the next refresh, i.e. in a layout pass of its own after
        the change that moved the keys; showing the keys now puts them in the same pass."""
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self._rewrite_keys():
            self.call_after_refresh(self.recompose)

    def key_set(self) -> KeySet | None:
        """The set of keys on show (perhaps still being mounted)."""
        return self._shown

    def _key_sets(self) -> list[KeySet]:
        sets = list(self.query_children(KeySet))
        if self._shown is not None and self._shown not in sets:
            sets.append(self._shown)
        return sets

    def _rewrite_keys(self) -> bool:
        """Show the screen's keys: the set already mounted if the footer holds it (a step
        change swaps rows), else a new row while fewer than `SETS` are mounted, else the
        least recently shown row rewritten in place (a recompose removed and mounted every
        key and restyled each: ~40 ms of CPU per step change of the comparison screen). Keys
        left over in a row are hidden as spares (`-spare`, no text). False when the row has
        too few keys mounted (then `recompose` mounts them all anew)."""
        keys = self._keys()
        sets = self._key_sets()
        shown = self._shown
        if shown is not None and shown.keys == keys:
            return True
        target = next((s for s in sets if s.keys == keys), None)
        if target is None and shown is not None and not shown.keys:
            return False  # the empty row composed before the bindings were ready: compose anew
        if target is None and len(sets) < SETS:
            target = KeySet(keys, *(self._new_key(spec, classes) for spec, classes in keys))
            self._show_set(target, sets)
            self.mount(target)
            self.call_after_refresh(self._fit_keys)
            return True
        if target is None:
            target = min((s for s in sets if s is not shown), key=lambda s: s.shown_at,
                         default=shown)
            if target is None or not self._write_set(target, keys):
                return False
        self._show_set(target, sets)
        if target.fitted_width != self.size.width:
            self._fit_keys()
        return True

    def _show_set(self, target: KeySet, sets: list[KeySet]) -> None:
        self._shown = target
        self._shown_count += 1
        target.shown_at = self._shown_count
        for key_set in sets:
            if key_set is not target:
                key_set.display = False
        target.display = True

    def _write_set(self, key_set: KeySet, keys: list[KeySpec]) -> bool:
        """Rewrite the keys of `key_set` in place; False when it has too few keys mounted."""
        slots: dict[bool, list[FooterKey]] = {False: [], True: []}
        for footer_key in key_set.query_children(FooterKey):
            slots[footer_key.has_class(_PALETTE)].append(footer_key)
        for palette in (False, True):
            if sum(1 for _, classes in keys if (classes == _PALETTE) == palette) > len(slots[palette]):
                return False
        key_set.keys = keys
        key_set.fitted_width = 0
        for spec, classes in keys:
            self._rewrite(slots[classes == _PALETTE].pop(0), spec, classes)
        for spare in slots[False] + slots[True]:
            self._rewrite(spare, ("", "", "", "", False, ""), "-spare")
        return True

    @staticmethod
    def _rewrite(footer_key: FooterKey, spec: tuple[str, str, str, str, bool, str], classes: str) -> None:
        key, display, description, action, disabled, tooltip = spec
        footer_key.key, footer_key.key_display = key, display
        footer_key.description, footer_key.action = description, action
        footer_key._disabled = disabled  # FooterKey's own field (a click on it rings when set)
        footer_key.tooltip = tooltip or None
        footer_key.set_class(disabled, "-disabled")
        if classes != _PALETTE:  # markers no stylesheet reads: no restyle
            footer_key.set_class(classes == "-essential", "-essential", update=False)
            footer_key.set_class(classes == "-spare", "-spare", update=False)
        footer_key.display = classes != "-spare"
        footer_key.visible = True
        footer_key.refresh(layout=True)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_keys)

    def _fit_keys(self) -> None:
        """Help and Quit where they fit (the palette key, then the least important keys make
        room); a key that does not fit whole is not drawn half ("f3 Copy an"): F1 lists it.
        For the set on show; another set is fitted when shown if the width changed."""
        key_set = self.key_set()
        width = self.size.width
        if key_set is None or not width:
            return
        key_set.fitted_width = width
        keys = [k for k in key_set.query_children(FooterKey) if not k.has_class("-spare")]
        palette = next((k for k in keys if k.has_class(_PALETTE)), None)
        keys = [k for k in keys if k is not palette]
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
        # keys: only a change is shown, in place where the keys mounted suffice. (A footer
        # being removed with its screen is left to Textual, which skips it.)
        if not self.is_attached or self._pruning:
            await super().recompose()
            return
        if self._rewrite_keys():
            return
        await super().recompose()
        self.call_after_refresh(self._fit_keys)
