"""What a screen may ask of the app it runs in: the labeler's session.

`tui.app.LabelDeskApp` subclasses `Host` and sets these; screens annotate ``app: Host`` so a
type checker holds them to this contract without screens importing the app (layers: tui over
screens over store).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from textual import events
from textual.app import App
from textual.screen import Screen

from screens.registry import Work
from store.quality.policy import QualityPolicy
from store.schema import Schema

if TYPE_CHECKING:
    import sqlite_utils

    from store.disputes import Rules


class Settings(Protocol):
    """The parts of `tui.config.Config` screens read."""

    def __getitem__(self, section: str) -> dict[str, Any]: ...

    def overlap(self, kind: str) -> int: ...

    @property
    def lease_seconds(self) -> int: ...

    @property
    def window(self) -> int: ...

    @property
    def steps(self) -> list[str]: ...

    @property
    def escalation(self) -> Rules: ...


@runtime_checkable
class KeepsDrafts(Protocol):
    """What the App asks of a screen that keeps drafts (`screens.drafting.DraftingScreen`): save them
    (quit, hang-up), save or submit again once the database is back, and say what it could
    not save."""

    def flush_drafts(self) -> object: ...

    def back_online(self) -> object: ...

    def unsaved_draft(self) -> str | None:
        """`item: draft as JSON` when the last save of the draft failed, else None."""
        ...


@runtime_checkable
class OrderedKeys(Protocol):
    """What the App asks of a screen whose keys come through the ordered path
    (`screens.key_path.OrderedScreen`); other screens get Textual's own."""

    ready: bool  # takes keys now; until then the App keeps them and replays them in order
    HELP_TOPIC: str  # the guidelines' section F1 opens at ("" for the top)

    def takes_now(self, event: events.Key | events.Paste) -> bool:
        """Whether a key that would wait for `ready` is taken at once (leaving, quitting)."""
        ...

    def note_input(self) -> None:
        """A key or paste reached the screen (active time on a task)."""
        ...

    def key_unused(self, event: events.Key) -> None:
        """Nothing took `event`: say so."""
        ...


class Host(App[Any]):
    db: sqlite_utils.Database
    labeler: str
    role: str
    config: Settings
    schema: Schema
    quality: QualityPolicy  # the [quality] settings, built once from the config
    busy_bound: float | None  # seconds a write retries a busy database (None: the store's)

    async def drain_keys(self) -> None:
        """Apply the keys waiting for the current screen (screens/key_path.py)."""
        raise NotImplementedError

    def drop_typed_ahead(self) -> None:
        """A save failed: drop the keys already typed for the next task."""
        raise NotImplementedError

    @property
    def work(self) -> list[Work]:
        raise NotImplementedError

    @property
    def reports_dir(self) -> Path:
        """Where the dashboard keeps its last computed report between visits and runs."""
        raise NotImplementedError

    def work_screen(self, work: Work) -> Screen[Any] | None:
        raise NotImplementedError

    def flush_drafts(self) -> None:
        raise NotImplementedError

    def database_unreachable(self) -> None:
        """A store call failed because the database is out of reach: keep trying to reach it
        (with growing pauses), then call `back_online` on every screen that has it."""
        raise NotImplementedError
