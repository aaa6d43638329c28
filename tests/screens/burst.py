"""Typing into the app as SSH delivers it: a whole key script in one read, or one key at a time.

`burst` posts every key event of a script before the app handles the first one (one SSH read
holding all of them); `paced` presses them one by one, waiting for the app to go idle between
keys. The same script must give the same labels either way.
"""

from __future__ import annotations

import unicodedata

from textual import events
from textual._wait import wait_for_idle
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key

NAMES = {"\r": "enter", "\x7f": "backspace", "\x13": "ctrl+s", "\x11": "ctrl+q"}


def script(text: str) -> list[str]:
    """Key names for a script: each character is a key, `\\r` is Enter."""
    return [NAMES.get(ch) or ch for ch in text]


def key_event(key: str) -> events.Key:
    """The event Textual's own Pilot makes for `key` (textual/app.py `_press_keys`)."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    original = REPLACED_KEYS.get(key, key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(original))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


async def until_idle(app, pilot) -> None:
    """Until the app has applied every waiting key and has nothing left to do."""
    for _ in range(200):
        await pilot.pause()
        await wait_for_idle(0)
        if not app._backlog and app._message_queue.empty():
            break
    await pilot.pause()


async def burst(app, pilot, keys: list[str]) -> None:
    for key in keys:
        event = key_event(key)
        event.set_sender(app)
        app._driver.send_message(event)  # all queued before the app reads the first
    await until_idle(app, pilot)


async def paced(app, pilot, keys: list[str]) -> None:
    for key in keys:
        await pilot.press(key)
        await pilot.pause()
    await until_idle(app, pilot)


MODES = {"burst": burst, "paced": paced}
