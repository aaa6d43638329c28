"""A prompt that is a conversation, shown as its turns with their roles.

At 80x24 a long conversation would push the outputs off the screen, so earlier turns are folded
to the last `KEEP` (a dim line says how many are hidden) and `ctrl+r` (the App's
`toggle_turns`) unfolds them all. The final user turn, the one the outputs answer, stands out.
Turn text is untrusted: it is only ever `Content` made through `on_screen`, never markup.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from screens.widgets.safe_text import clipped
from store.text import on_screen

KEEP = 3  # turns shown while folded: the final user turn and the two before it
ROLE_NAMES = {"system": "System", "user": "User", "assistant": "Assistant"}
_ROLE_STYLES = {"system": "italic $text-muted", "user": "bold $accent", "assistant": "bold $success"}
UNFOLD_KEY = "ctrl+r"  # free in every screen, TextArea and Input included (ctrl+e is "end")


def fold_note(turns: list[dict[str, str]], unfolded: bool, keep: int = KEEP) -> str:
    """What is folded and the key that changes it ("" when every turn fits folded)."""
    if len(turns) <= keep:
        return ""
    if unfolded:
        return f"all {len(turns)} turns ({UNFOLD_KEY} folds)"
    hidden = len(turns) - keep
    return f"{hidden} earlier turn{'s' if hidden > 1 else ''} folded ({UNFOLD_KEY} unfolds)"


def render_turns(turns: list[dict[str, str]], *, unfolded: bool = False, keep: int = KEEP,
                 note: bool = True) -> Content:
    """Every turn (or the last `keep` while folded) as `Role: text`, one after another, the final
    user turn marked as the one the outputs answer; `note` puts `fold_note` first."""
    shown = turns if unfolded or len(turns) <= keep else turns[-keep:]
    parts: list[Content] = []
    if note and (said := fold_note(turns, unfolded, keep)):
        parts.append(Content.styled(("▾ " if unfolded else "▸ ") + said + "\n", "italic $text-muted"))
    for i, turn in enumerate(shown):
        text, clip = clipped(turn["content"])
        role = ROLE_NAMES.get(turn["role"], turn["role"])
        if i == len(shown) - 1:  # the user's last turn: what the outputs answer
            parts.append(Content.styled(f"▶ {role} (the outputs answer this turn):", "bold reverse"))
            parts.append(Content.styled(" " + on_screen(text), "bold") + clip)
        else:
            parts.append(Content.styled(f"{role}:", _ROLE_STYLES.get(turn["role"], "bold")))
            parts.append(Content(" " + on_screen(text)) + clip + Content("\n"))
    return Content("").join(parts)


class TurnsToggle:
    """A widget that may show a conversation and folds or unfolds its turns (`toggle_turns`,
    called by the App's ctrl+r on every such widget of the screen)."""

    turns: list[dict[str, str]] | None = None
    unfolded = False

    def toggle_turns(self) -> bool:
        """Fold or unfold; False when there is nothing to unfold (a plain prompt, few turns)."""
        if not self.turns or len(self.turns) <= KEEP:
            return False
        self.unfolded = not self.unfolded
        self.show_turns()
        return True

    def show_turns(self) -> None:
        raise NotImplementedError


class PromptStatic(TurnsToggle, Static):
    """A Static that shows a prompt: `render` (a plain prompt's Content) or its turns."""

    def show_prompt(self, plain: Content, turns: list[dict[str, str]] | None) -> None:
        self.turns, self.unfolded = turns, False
        if turns:
            self.show_turns()
        else:
            self.update(plain)

    def show_turns(self) -> None:
        assert self.turns
        self.update(render_turns(self.turns, unfolded=self.unfolded))
