"""Who may open a browser session and what a browser may send: plain functions over what a
request carries (no aiohttp here), so each rule is tested on its own.

The browser is never trusted for identity: the name comes from a header that an
authenticating reverse proxy sets (`[web] user_header`), and only a request that arrived from
one of `[web] trusted_proxies` (an address, or "unix" for the Unix socket) is read at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from store.errors import StoreError
from store.roster import check_name

UNIX = "unix"
MAX_MESSAGE = 64 * 1024
"""Bytes one websocket message may hold: a paste of a long demonstration fits, a flood not."""


class Refused(Exception):
    """The request is refused: `status` for the HTTP answer, the message for the server's log
    (never a secret, never the browser's text unquoted)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class WebPolicy:
    user_header: str = "X-Forwarded-User"
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1", UNIX)
    origins: tuple[str, ...] = ()
    public_url: str = ""
    max_width: int = 300
    max_height: int = 100
    max_sessions: int = 200
    max_sessions_per_labeler: int = 2
    idle_minutes: float = 60
    grace_seconds: float = 10

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> WebPolicy:
        known = {k: v for k, v in section.items() if k in cls.__dataclass_fields__}
        for key in ("trusted_proxies", "origins"):
            if key in known:
                known[key] = tuple(known[key])
        return cls(**known)


def identity(policy: WebPolicy, peer: str | None, headers: Mapping[str, str]) -> str:
    """The labeler's name from the proxy's header; `peer` is the client address, None for the
    Unix socket. Refused (403) from anywhere but a trusted proxy, or without a valid name."""
    where = UNIX if not peer else peer
    if where not in policy.trusted_proxies:
        raise Refused(403, f"request from {where}, which is not in [web] trusted_proxies")
    name = headers.get(policy.user_header, "").strip()
    if not name:
        raise Refused(403, f"no {policy.user_header} header (the proxy must authenticate first)")
    try:
        check_name(name)
    except StoreError as exc:
        raise Refused(403, str(exc)) from None
    return name


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def check_origin(policy: WebPolicy, origin: str | None, host: str | None, secure: bool) -> None:
    """A websocket opened by a page of another site is refused: the allow-list
    (`[web] origins`), else `public_url`'s origin, else the page's own (the Host header)."""
    if not origin:
        raise Refused(403, "websocket without an Origin header")
    allowed = {_origin(o) for o in policy.origins}
    if not allowed and policy.public_url:
        allowed = {_origin(policy.public_url)}
    if not allowed and host:
        allowed = {f"{'https' if secure else 'http'}://{host}".lower()}
    if origin.lower() not in allowed:
        raise Refused(403, f"websocket from origin {origin!r}, not one of {sorted(allowed)}")


def clamp_size(policy: WebPolicy, width: Any, height: Any) -> tuple[int, int] | None:
    """A terminal size from the browser as two ints within 10x5 and `max_width`x`max_height`;
    None for anything that is not two numbers (the message is then ignored)."""
    sizes = []
    for value, most in ((width, policy.max_width), (height, policy.max_height)):
        if isinstance(value, bool):
            return None
        try:
            number = int(value)
        except (TypeError, ValueError, OverflowError):
            return None
        sizes.append(max(5, min(most, number)))
    return max(10, sizes[0]), sizes[1]


def parse_message(policy: WebPolicy, message: Any) -> tuple[str, Any] | None:
    """A browser message as (kind, data); None for anything malformed (ignored, never fatal)."""
    if not isinstance(message, list) or not message or not isinstance(message[0], str):
        return None
    kind, data = message[0], message[1] if len(message) > 1 else None
    if kind == "stdin":
        return (kind, data) if isinstance(data, str) else None
    if kind == "resize":
        if not isinstance(data, dict):
            return None
        size = clamp_size(policy, data.get("width"), data.get("height"))
        return (kind, size) if size else None
    if kind in ("ping", "blur", "focus"):
        return kind, data
    return None
