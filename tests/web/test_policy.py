"""The browser rules one by one: identity only from a trusted proxy's header, Origin checked,
sizes clamped, malformed messages ignored."""

import pytest

from tui.web.policy import Refused, WebPolicy, check_origin, clamp_size, identity, parse_message

POLICY = WebPolicy()


def test_identity_comes_from_the_header_of_a_trusted_proxy():
    assert identity(POLICY, "127.0.0.1", {"X-Forwarded-User": "ana"}) == "ana"
    assert identity(POLICY, None, {"X-Forwarded-User": "ana"}) == "ana"  # the Unix socket


@pytest.mark.parametrize("peer,headers,why", [
    ("10.1.2.3", {"X-Forwarded-User": "ana"}, "not in [web] trusted_proxies"),
    ("127.0.0.1", {}, "no X-Forwarded-User header"),
    ("127.0.0.1", {"X-Forwarded-User": "  "}, "no X-Forwarded-User header"),
    ("127.0.0.1", {"X-Forwarded-User": "ana; rm -rf /"}, "must be 1-64 letters"),
    ("127.0.0.1", {"X-Forwarded-User": "\x1b]0;pwned\x07"}, "must be 1-64 letters"),
])
def test_anything_else_is_refused(peer, headers, why):
    with pytest.raises(Refused) as refused:
        identity(POLICY, peer, headers)
    assert refused.value.status == 403 and why in str(refused.value)


def test_only_the_socket_when_configured_so():
    socket_only = WebPolicy(trusted_proxies=("unix",))
    with pytest.raises(Refused):
        identity(socket_only, "127.0.0.1", {"X-Forwarded-User": "ana"})


@pytest.mark.parametrize("policy,origin,host,ok", [
    (POLICY, "http://desk.example:8000", "desk.example:8000", True),  # the page's own
    (POLICY, "https://desk.example", "desk.example", False),  # another scheme
    (POLICY, "http://evil.example", "desk.example:8000", False),
    (POLICY, None, "desk.example", False),
    (WebPolicy(public_url="https://label.example.org/"), "https://label.example.org", "127.0.0.1", True),
    (WebPolicy(origins=("https://a.example", "https://b.example")), "https://b.example", "x", True),
    (WebPolicy(origins=("https://a.example",)), "https://label.example.org", "label.example.org", False),
])
def test_the_origin_of_a_websocket(policy, origin, host, ok):
    if ok:
        check_origin(policy, origin, host, secure=False)
    else:
        with pytest.raises(Refused):
            check_origin(policy, origin, host, secure=False)


@pytest.mark.parametrize("width,height,size", [
    (80, 24, (80, 24)), ("120", "40", (120, 40)), (4000, 4000, (300, 100)), (-5, 0, (10, 5)),
    ("x", 24, None), (None, 24, None), (True, 24, None), (80.9, 24, (80, 24)),
    (float("inf"), 24, None), ("1e999", 24, None),
])
def test_sizes_are_numbers_and_clamped(width, height, size):
    assert clamp_size(POLICY, width, height) == size


@pytest.mark.parametrize("message,parsed", [
    (["stdin", "abc"], ("stdin", "abc")),
    (["stdin", 5], None),
    (["resize", {"width": "x", "height": -5}], None),
    (["resize", {"width": 4000, "height": 4000}], ("resize", (300, 100))),
    (["resize", "80x24"], None),
    (["ping", "1"], ("ping", "1")),
    (["exec", "rm"], None), ([], None), ({"a": 1}, None), ("stdin", None), ([5], None),
])
def test_malformed_messages_are_ignored(message, parsed):
    assert parse_message(POLICY, message) == parsed
